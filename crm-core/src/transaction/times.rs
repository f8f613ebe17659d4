//! The grouped store's times: 4 bytes a row instead of 8.
//!
//! Times are Unix seconds. A base whose times all lie within 2^32 - 1 seconds (136 years)
//! of its first keeps each as its seconds after that first time in a `u32`, a quarter of
//! the store's memory less; a base spanning more (the supported years run from 1000 to
//! 9999) keeps Unix seconds. Offsets keep the order of the times, so everything sorted or
//! searched by time comes out the same either way.

use crate::parallel::map_pieces;
use std::ops::Range;

/// The grouped store's time column.
#[derive(Debug, Clone)]
pub(crate) enum TimeColumn {
    /// Seconds after `epoch`.
    Offsets { epoch: i64, seconds: Vec<u32> },
    /// Unix seconds.
    Seconds(Vec<i64>),
}

impl Default for TimeColumn {
    fn default() -> Self {
        TimeColumn::Offsets { epoch: 0, seconds: Vec::new() }
    }
}

impl TimeColumn {
    /// The epoch of offsets for times spanning `span` (first and last, Unix seconds), or
    /// `None` when they span more than a `u32` holds. No times: offsets from 0.
    pub(crate) fn epoch(span: Option<(i64, i64)>) -> Option<i64> {
        match span {
            None => Some(0),
            Some((first, last)) => (last - first <= i64::from(u32::MAX)).then_some(first),
        }
    }

    /// A column of Unix seconds, as offsets when they fit (`span`: their first and last).
    pub(crate) fn from_seconds(seconds: Vec<i64>, span: Option<(i64, i64)>) -> Self {
        match Self::epoch(span) {
            Some(epoch) => {
                TimeColumn::Offsets { epoch, seconds: crate::parallel::map_rows(&seconds, |&t| (t - epoch) as u32) }
            }
            None => TimeColumn::Seconds(seconds),
        }
    }

    /// Number of times.
    pub(crate) fn len(&self) -> usize {
        match self {
            TimeColumn::Offsets { seconds, .. } => seconds.len(),
            TimeColumn::Seconds(s) => s.len(),
        }
    }

    /// The times of rows `rows`.
    pub(crate) fn slice(&self, rows: Range<usize>) -> Times<'_> {
        Times(match self {
            TimeColumn::Offsets { epoch, seconds } => Repr::Offsets { epoch: *epoch, seconds: &seconds[rows] },
            TimeColumn::Seconds(s) => Repr::Seconds(&s[rows]),
        })
    }

    /// The first and last time; `None` when empty.
    pub(crate) fn min_max(&self) -> Option<(i64, i64)> {
        fn fold<T: Copy + Ord + Send + Sync>(v: &[T]) -> Option<(T, T)> {
            let parts = map_pieces(v.len(), |r| (v[r.clone()].iter().min().copied(), v[r].iter().max().copied()));
            Some((parts.iter().filter_map(|p| p.0).min()?, parts.iter().filter_map(|p| p.1).max()?))
        }
        match self {
            TimeColumn::Offsets { epoch, seconds } => {
                fold(seconds).map(|(a, b)| (epoch + i64::from(a), epoch + i64::from(b)))
            }
            TimeColumn::Seconds(s) => fold(s),
        }
    }
}

/// One customer's transaction times (Unix seconds), in order; read like a slice of `i64`
/// with [`Times::get`], [`Times::iter`] and [`Times::partition_point`].
///
/// ```
/// use crm_core::{CustomerBase, TransactionColumns};
/// let base = CustomerBase::from_transactions(TransactionColumns::new(
///     vec![7_i64, 7, 7].into(),
///     vec![86_400, 0, 3_600],
///     vec![1.0, 2.0, 3.0],
/// ))?;
/// let t = base.transactions().of(0).time;
/// assert_eq!(t.iter().collect::<Vec<i64>>(), [0, 3_600, 86_400]);
/// assert_eq!((t.get(1), t.first(), t.last()), (3_600, Some(0), Some(86_400)));
/// assert_eq!(t.partition_point(|s| s < 86_400), 2);
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Times<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    Offsets { epoch: i64, seconds: &'a [u32] },
    Seconds(&'a [i64]),
}

impl<'a> Times<'a> {
    /// Number of times.
    pub fn len(self) -> usize {
        match self.0 {
            Repr::Offsets { seconds, .. } => seconds.len(),
            Repr::Seconds(s) => s.len(),
        }
    }

    /// True when there are none.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Time `i`.
    ///
    /// # Panics
    /// When `i` is not below [`Self::len`].
    #[inline]
    pub fn get(self, i: usize) -> i64 {
        match self.0 {
            Repr::Offsets { epoch, seconds } => epoch + i64::from(seconds[i]),
            Repr::Seconds(s) => s[i],
        }
    }

    /// The first time, if any.
    pub fn first(self) -> Option<i64> {
        (!self.is_empty()).then(|| self.get(0))
    }

    /// The last time, if any.
    pub fn last(self) -> Option<i64> {
        (!self.is_empty()).then(|| self.get(self.len() - 1))
    }

    /// The times in order.
    pub fn iter(self) -> impl ExactSizeIterator<Item = i64> + 'a {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// The number of leading times for which `pred` holds (the index of the first for
    /// which it does not), when it holds for a prefix, as [`slice::partition_point`].
    pub fn partition_point(self, mut pred: impl FnMut(i64) -> bool) -> usize {
        match self.0 {
            Repr::Offsets { epoch, seconds } => seconds.partition_point(|&s| pred(epoch + i64::from(s))),
            Repr::Seconds(s) => s.partition_point(|&t| pred(t)),
        }
    }

    /// The first `n` times.
    ///
    /// # Panics
    /// When `n` is above [`Self::len`].
    pub fn head(self, n: usize) -> Self {
        Times(match self.0 {
            Repr::Offsets { epoch, seconds } => Repr::Offsets { epoch, seconds: &seconds[..n] },
            Repr::Seconds(s) => Repr::Seconds(&s[..n]),
        })
    }

    /// The times as Unix seconds.
    pub fn to_vec(self) -> Vec<i64> {
        self.iter().collect()
    }
}

impl PartialEq for Times<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Times<'_> {}

/// Hashes as the slice of Unix seconds does (its length, then each time).
impl std::hash::Hash for Times<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        self.iter().for_each(|t| state.write_i64(t));
    }
}

impl std::fmt::Debug for Times<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_as_the_seconds_they_stand_for() {
        let seconds = vec![-5, 0, 7, i64::from(u32::MAX) - 5];
        let span = Some((-5, i64::from(u32::MAX) - 5));
        let column = TimeColumn::from_seconds(seconds.clone(), span);
        assert!(matches!(column, TimeColumn::Offsets { epoch: -5, .. }));
        let wide =
            TimeColumn::from_seconds(vec![-6, 0, 7, i64::from(u32::MAX) - 5], Some((-6, i64::from(u32::MAX) - 5)));
        assert!(matches!(wide, TimeColumn::Seconds(_)), "one second too wide for offsets");
        let times = column.slice(0..4);
        assert_eq!(times.to_vec(), seconds);
        assert_eq!((times.first(), times.last(), times.get(2)), (Some(-5), Some(i64::from(u32::MAX) - 5), 7));
        assert_eq!(times.partition_point(|t| t < 7), 2);
        assert_eq!(times.head(2).to_vec(), [-5, 0]);
        assert_eq!(times, TimeColumn::Seconds(seconds.clone()).slice(0..4), "equal as seconds");
        assert_ne!(times, wide.slice(0..4));
        assert_eq!(crate::transaction::hash_of(&times), crate::transaction::hash_of(&seconds[..]));
        assert_eq!(column.min_max(), span);
        assert_eq!(wide.min_max(), Some((-6, i64::from(u32::MAX) - 5)));
        assert_eq!(TimeColumn::default().min_max(), None);
        assert_eq!(TimeColumn::epoch(None), Some(0));
    }
}
