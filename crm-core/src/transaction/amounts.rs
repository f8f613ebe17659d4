//! The grouped store's amounts: 4 bytes a row when every amount is a whole number of cents.
//!
//! Sales exports give amounts with two decimals. Such an amount is kept as its cents in an
//! `i32` (up to 21 million either way), a third of the store's memory less, when every
//! amount of the base reads back as exactly the same `f64`: `cents as f64 / 100.0` is the
//! correctly rounded quotient, so it gives back the nearest double to the decimal, which is
//! what parsing the decimal gave. Any other amount (more decimals, a product of quantity
//! and price with its rounding error, -0.0, a huge value) keeps the column in `f64`. Reads
//! give the same `f64` either way, so every result is the same bit for bit.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// The grouped store's amount column.
#[derive(Debug, Clone)]
pub(crate) enum AmountColumn {
    /// Whole cents, each reading back as exactly its amount.
    Cents(Vec<i32>),
    /// Amounts as given.
    Floats(Vec<f64>),
}

impl Default for AmountColumn {
    fn default() -> Self {
        AmountColumn::Cents(Vec::new())
    }
}

/// `amount` in whole cents, when they read back as exactly `amount` (bit for bit).
#[inline]
pub(crate) fn cents(amount: f64) -> Option<i32> {
    let scaled = amount * 100.0;
    // Beyond i32 the cast saturates and the check below fails; NaN casts to 0 and fails too.
    let c = (scaled + 0.5f64.copysign(scaled)) as i32;
    (from_cents(c).to_bits() == amount.to_bits()).then_some(c)
}

/// The amount `c` cents stand for.
#[inline]
pub(crate) fn from_cents(c: i32) -> f64 {
    f64::from(c) / 100.0
}

/// Rows read for a first look before amounts are converted to cents on the way: amounts
/// with more decimals or a product's rounding error usually show in the first rows.
const FIRST_LOOK: usize = 4096;

/// Amounts converted to whole cents as they are read, each checked on the way: one
/// conversion of each row and no pass of its own to check them. A first look at the first
/// rows declines most columns that are not whole cents before anything is converted.
pub(crate) struct CentsOf<'a> {
    amounts: &'a [f64],
    failed: AtomicBool,
}

impl<'a> CentsOf<'a> {
    /// The conversion of `amounts`; `None` when one of the first rows is not whole cents.
    pub(crate) fn new(amounts: &'a [f64]) -> Option<Self> {
        let first = &amounts[..amounts.len().min(FIRST_LOOK)];
        first.iter().all(|&a| cents(a).is_some()).then(|| CentsOf { amounts, failed: AtomicBool::new(false) })
    }

    /// Row `row`'s amount in cents (0, and the conversion failed, when it is not whole cents).
    #[inline]
    pub(crate) fn get(&self, row: usize) -> i32 {
        self.convert(self.amounts[row])
    }

    /// `amount` in cents (0, and the conversion failed, when it is not whole cents).
    #[inline]
    fn convert(&self, amount: f64) -> i32 {
        cents(amount).unwrap_or_else(|| {
            self.failed.store(true, Ordering::Relaxed);
            0
        })
    }

    /// `converted` (made with [`Self::get`] of every row) when every amount was whole cents.
    pub(crate) fn finish<T>(self, converted: T) -> Option<T> {
        (!self.failed.into_inner()).then_some(converted)
    }
}

/// The amounts in cents, when every one of them reads back from its cents.
fn in_cents(amounts: &[f64]) -> Option<Vec<i32>> {
    let to_cents = CentsOf::new(amounts)?;
    let converted = crate::parallel::map_rows(amounts, |&a| to_cents.convert(a));
    to_cents.finish(converted)
}

impl AmountColumn {
    /// A column of amounts, in cents when every one of them reads back from its cents.
    pub(crate) fn new(amounts: Vec<f64>) -> Self {
        match in_cents(&amounts) {
            Some(c) => AmountColumn::Cents(c),
            None => AmountColumn::Floats(amounts),
        }
    }

    /// A column of amounts read from `amounts`, in cents when every one is whole cents.
    pub(crate) fn from_slice(amounts: &[f64]) -> Self {
        in_cents(amounts).map_or_else(|| AmountColumn::Floats(amounts.to_vec()), AmountColumn::Cents)
    }

    /// The amounts of rows `rows`.
    pub(crate) fn slice(&self, rows: Range<usize>) -> Amounts<'_> {
        Amounts(match self {
            AmountColumn::Cents(c) => Repr::Cents(&c[rows]),
            AmountColumn::Floats(f) => Repr::Floats(&f[rows]),
        })
    }
}

/// One customer's amounts, read like a slice of `f64` with [`Amounts::get`] and
/// [`Amounts::iter`]; kept in 4-byte cents when the base's amounts allow. Two are equal
/// (and compare equal to a slice or array of `f64`) when their amounts are the same bit
/// for bit.
///
/// ```
/// use crm_core::{CustomerBase, TransactionColumns};
/// let base = CustomerBase::from_transactions(TransactionColumns::new(
///     vec![7_i64, 7, 7].into(),
///     vec![0, 3_600, 86_400],
///     vec![19.99, -5.0, 0.1],
/// ))?;
/// let a = base.transactions().of(0).amount;
/// assert_eq!(a.iter().collect::<Vec<f64>>(), [19.99, -5.0, 0.1]);
/// assert_eq!((a.get(1), a.len(), a.range(1..3).sum()), (-5.0, 3, -5.0 + 0.1));
/// assert_eq!(a, [19.99, -5.0, 0.1]);
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Amounts<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    Cents(&'a [i32]),
    Floats(&'a [f64]),
}

impl<'a> From<&'a [f64]> for Amounts<'a> {
    fn from(values: &'a [f64]) -> Self {
        Amounts(Repr::Floats(values))
    }
}

impl<'a> Amounts<'a> {
    /// Number of amounts.
    pub fn len(self) -> usize {
        match self.0 {
            Repr::Cents(c) => c.len(),
            Repr::Floats(f) => f.len(),
        }
    }

    /// True when there are none.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Amount `i`.
    ///
    /// # Panics
    /// When `i` is not below [`Self::len`].
    #[inline]
    pub fn get(self, i: usize) -> f64 {
        match self.0 {
            Repr::Cents(c) => from_cents(c[i]),
            Repr::Floats(f) => f[i],
        }
    }

    /// The amounts in order.
    pub fn iter(self) -> impl DoubleEndedIterator<Item = f64> + ExactSizeIterator + Clone + 'a {
        match self.0 {
            Repr::Cents(c) => Iter::Cents(c.iter()),
            Repr::Floats(f) => Iter::Floats(f.iter()),
        }
    }

    /// The amounts of positions `rows`.
    ///
    /// # Panics
    /// When `rows` does not lie within `0..len`.
    pub fn range(self, rows: Range<usize>) -> Self {
        Amounts(match self.0 {
            Repr::Cents(c) => Repr::Cents(&c[rows]),
            Repr::Floats(f) => Repr::Floats(&f[rows]),
        })
    }

    /// The sum, added in order (as `iter().sum()`).
    pub fn sum(self) -> f64 {
        self.iter().sum()
    }

    /// The amounts as `f64`.
    pub fn to_vec(self) -> Vec<f64> {
        self.iter().collect()
    }
}

/// [`Amounts::iter`]: one loop per form, the form matched once by `fold` (and so by `sum`,
/// `for_each`, `any`...), once a step by `next`.
#[derive(Clone)]
enum Iter<'a> {
    Cents(std::slice::Iter<'a, i32>),
    Floats(std::slice::Iter<'a, f64>),
}

impl Iterator for Iter<'_> {
    type Item = f64;

    #[inline]
    fn next(&mut self) -> Option<f64> {
        match self {
            Iter::Cents(c) => c.next().map(|&c| from_cents(c)),
            Iter::Floats(f) => f.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Cents(c) => c.size_hint(),
            Iter::Floats(f) => f.size_hint(),
        }
    }

    #[inline]
    fn fold<B, F: FnMut(B, f64) -> B>(self, init: B, mut f: F) -> B {
        match self {
            Iter::Cents(c) => c.fold(init, |acc, &c| f(acc, from_cents(c))),
            Iter::Floats(v) => v.fold(init, |acc, &a| f(acc, a)),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<f64> {
        match self {
            Iter::Cents(c) => c.next_back().map(|&c| from_cents(c)),
            Iter::Floats(f) => f.next_back().copied(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl PartialEq for Amounts<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl PartialEq<[f64]> for Amounts<'_> {
    fn eq(&self, other: &[f64]) -> bool {
        *self == Amounts::from(other)
    }
}

impl PartialEq<&[f64]> for Amounts<'_> {
    fn eq(&self, other: &&[f64]) -> bool {
        *self == Amounts::from(*other)
    }
}

impl<const N: usize> PartialEq<[f64; N]> for Amounts<'_> {
    fn eq(&self, other: &[f64; N]) -> bool {
        *self == Amounts::from(&other[..])
    }
}

impl<const N: usize> PartialEq<&[f64; N]> for Amounts<'_> {
    fn eq(&self, other: &&[f64; N]) -> bool {
        *self == Amounts::from(&other[..])
    }
}

/// Hashes as the slice of `f64` bits does (its length, then each amount's bits).
impl std::hash::Hash for Amounts<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        self.iter().for_each(|a| state.write_u64(a.to_bits()));
    }
}

impl std::fmt::Debug for Amounts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_of_whole_cents_read_back_bit_for_bit() {
        // Two decimals, whole numbers, refunds, the i32 edges.
        let whole = [19.99, 0.1, 0.0, -5.0, 1234567.89, -0.01, 21_474_836.47, -21_474_836.48, 0.07, 100.0];
        for &a in &whole {
            let c = cents(a).unwrap_or_else(|| panic!("{a} is whole cents"));
            assert_eq!(from_cents(c).to_bits(), a.to_bits(), "{a}");
        }
        assert_eq!((cents(19.99), cents(-0.01), cents(0.07)), (Some(1999), Some(-1), Some(7)));
        // More decimals, a product's rounding error, -0.0, beyond i32, not finite.
        let other = [0.125, 6.0 * 2.55, -0.0, 21_474_836.48, -21_474_836.49, 1e300, f64::NAN, f64::INFINITY, 1e-9];
        for &a in &other {
            assert_eq!(cents(a), None, "{a}");
        }
        assert_ne!(6.0 * 2.55, 15.3, "the product is not the decimal");
        let column = AmountColumn::new(whole.to_vec());
        assert!(matches!(column, AmountColumn::Cents(_)));
        let mixed = AmountColumn::new(vec![1.0, 6.0 * 2.55]);
        assert!(matches!(mixed, AmountColumn::Floats(_)));
        let read = column.slice(0..whole.len());
        assert_eq!(read, whole);
        assert_eq!(read.sum().to_bits(), whole.iter().sum::<f64>().to_bits());
        assert_eq!(read.range(1..4).to_vec(), &whole[1..4]);
        assert_eq!(read.get(3), -5.0);
        assert_eq!(mixed.slice(0..2), [1.0, 6.0 * 2.55]);
        assert_ne!(read.range(0..2), [19.99, 0.1 + 1e-12]);
        let bits: Vec<u64> = whole.iter().map(|a| a.to_bits()).collect();
        assert_eq!(crate::transaction::hash_of(&read), crate::transaction::hash_of(&bits[..]));
    }
}
