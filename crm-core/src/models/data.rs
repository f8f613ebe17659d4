//! The (frequency, recency, T) summary the models are fitted on, built from a base the way
//! lifetimes' `summary_data_from_transaction_data` does, and its calibration / holdout split.
//!
//! A customer's transactions are grouped by day (all of a day's rows are one period); the
//! first day is the acquisition. `frequency` = days with a transaction after the first,
//! `recency` = last day - first day, `T` = observation end - first day, both in the chosen
//! unit, and `monetary_value` = the mean of the later days' sums (0 without repeat days).

use crate::base::CustomerBase;
use crate::error::{Error, Result};
use crate::time::{Day, date_to_day, day_of};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The unit recency and T are expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Days.
    Days,
    /// Weeks of seven days (fractional).
    Weeks,
    /// Days divided by this many (lifetimes' `freq_multiplier`).
    DaysPer(f64),
}

impl TimeUnit {
    pub(crate) fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
            TimeUnit::DaysPer(d) => d,
        }
    }
}

/// Frequency, recency and age per row, with weights (1 per customer unless collapsed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RfmData {
    /// Repeat purchases `x`.
    pub frequency: Vec<f64>,
    /// Time of the last purchase after the first, `t_x`.
    pub recency: Vec<f64>,
    /// Age: observation end - first purchase, `T`.
    pub t: Vec<f64>,
    /// Customers each row stands for.
    pub weights: Vec<f64>,
}

impl RfmData {
    /// Rows from columns; every weight 1.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; [`Error::InvalidValue`] naming the row when a value is not
    /// finite, `frequency` is negative or not a whole number, `recency` is outside `[0, T]`,
    /// or `recency` is not 0 when `frequency` is.
    pub fn new(frequency: Vec<f64>, recency: Vec<f64>, t: Vec<f64>) -> Result<Self> {
        let n = frequency.len();
        Self::with_weights(frequency, recency, t, vec![1.0; n])
    }

    /// Rows with weights.
    ///
    /// # Errors
    /// As [`Self::new`]; a weight must be finite and > 0.
    pub fn with_weights(frequency: Vec<f64>, recency: Vec<f64>, t: Vec<f64>, weights: Vec<f64>) -> Result<Self> {
        use crate::transaction::check_len;
        let n = frequency.len();
        check_len("recency", recency.len(), "frequency", n)?;
        check_len("T", t.len(), "frequency", n)?;
        check_len("weights", weights.len(), "frequency", n)?;
        for i in 0..n {
            let (x, tx, tt, w) = (frequency[i], recency[i], t[i], weights[i]);
            let bad = |column: &str, message: String| Err(Error::invalid(i, column, message));
            if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
                return bad("frequency", format!("{x} is not a whole number >= 0"));
            }
            if !(tt.is_finite() && tt >= 0.0) {
                return bad("T", format!("{tt} is not a finite number >= 0"));
            }
            if !(tx.is_finite() && tx >= 0.0 && tx <= tt) {
                return bad("recency", format!("{tx} is not within [0, T = {tt}]"));
            }
            if x == 0.0 && tx != 0.0 {
                return bad("recency", format!("{tx} with frequency 0 (must be 0)"));
            }
            if !(w.is_finite() && w > 0.0) {
                return bad("weights", format!("{w} is not a weight > 0"));
            }
        }
        Ok(RfmData { frequency, recency, t, weights })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.frequency.len()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.frequency.is_empty()
    }

    /// Sum of the weights.
    pub fn customers(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// Every n-th row (a deterministic sample, for warm starts).
    pub(crate) fn every_nth(&self, n: usize) -> RfmData {
        let pick = |v: &[f64]| v.iter().step_by(n).copied().collect();
        RfmData {
            frequency: pick(&self.frequency),
            recency: pick(&self.recency),
            t: pick(&self.t),
            weights: pick(&self.weights),
        }
    }

    /// Identical rows merged, their weights added; rows sorted by (x, t_x, T), so the
    /// result does not depend on input order.
    pub fn collapse(&self) -> RfmData {
        if let Some(out) = self.collapse_unit_weights() {
            return out;
        }
        // The values are >= 0, so their bit patterns sort like the numbers.
        let mut keyed: Vec<(u64, u64, u64, u32)> = (0..self.len())
            .map(|i| (self.frequency[i].to_bits(), self.recency[i].to_bits(), self.t[i].to_bits(), i as u32))
            .collect();
        keyed.sort_unstable();
        let mut out = RfmData::default();
        for (_, _, _, i) in keyed {
            let i = i as usize;
            let k = (self.frequency[i], self.recency[i], self.t[i]);
            if !out.is_empty() {
                let j = out.len() - 1;
                if (out.frequency[j], out.recency[j], out.t[j]) == k {
                    out.weights[j] += self.weights[i];
                    continue;
                }
            }
            out.frequency.push(k.0);
            out.recency.push(k.1);
            out.t.push(k.2);
            out.weights.push(self.weights[i]);
        }
        out
    }
}

impl RfmData {
    /// [`Self::collapse`] when every weight is 1 (rows straight from customers): the rows as
    /// packed ranks of their values, sorted as plain integers, and runs counted. `None`
    /// when a weight is not 1 or the ranks do not fit in 64 bits.
    fn collapse_unit_weights(&self) -> Option<RfmData> {
        if self.weights.iter().any(|w| *w != 1.0) {
            return None;
        }
        let xs = Interner::new([self.frequency.as_slice()]);
        let times = Interner::new([self.recency.as_slice(), self.t.as_slice()]);
        let (nx, nt) = (xs.values.len() as u64, times.values.len() as u64);
        nx.checked_mul(nt)?.checked_mul(nt)?;
        let mut keys: Vec<u64> = crate::parallel::map_ranges(self.len(), |range| {
            range
                .map(|i| {
                    let i = i as usize;
                    let (x, tx, t) = (xs.get(self.frequency[i]), times.get(self.recency[i]), times.get(self.t[i]));
                    (x as u64 * nt + tx as u64) * nt + t as u64
                })
                .collect()
        });
        radix_sort(&mut keys, 64 - (nx * nt * nt).leading_zeros());
        let mut out = RfmData::default();
        let mut k = 0;
        while k < keys.len() {
            let key = keys[k];
            let run = keys[k..].iter().take_while(|v| **v == key).count();
            let (t, rest) = ((key % nt) as usize, key / nt);
            let (tx, x) = ((rest % nt) as usize, (rest / nt) as usize);
            out.frequency.push(xs.values[x]);
            out.recency.push(times.values[tx]);
            out.t.push(times.values[t]);
            out.weights.push(run as f64);
            k += run;
        }
        Some(out)
    }
}

/// Sorts keys below `2^bits` by their digits of 11 bits, lowest first (a few passes over
/// packed ranks: about a third of the time of a comparison sort at 100,000 keys).
fn radix_sort(keys: &mut Vec<u64>, bits: u32) {
    const DIGIT: u32 = 11;
    if keys.len() < 1 << 12 {
        keys.sort_unstable();
        return;
    }
    let mut other = vec![0u64; keys.len()];
    let mut shift = 0;
    while shift < bits {
        let mut start = [0usize; 1 << DIGIT];
        for &k in keys.iter() {
            start[((k >> shift) & ((1 << DIGIT) - 1)) as usize] += 1;
        }
        let mut sum = 0;
        for s in start.iter_mut() {
            (*s, sum) = (sum, sum + *s);
        }
        for &k in keys.iter() {
            let d = ((k >> shift) & ((1 << DIGIT) - 1)) as usize;
            other[start[d]] = k;
            start[d] += 1;
        }
        std::mem::swap(keys, &mut other);
        shift += DIGIT;
    }
}

/// Distinct values of some columns and each value's rank among them, by open addressing
/// on the bit patterns (far cheaper than sorting a million values).
pub(crate) struct Interner {
    /// Bit pattern + 1 per slot (0: empty).
    slots: Vec<u64>,
    /// Rank of the slot's value among the distinct values (after `finish`).
    rank: Vec<u32>,
    /// The distinct values, sorted (after `finish`).
    pub(crate) values: Vec<f64>,
}

impl Interner {
    fn slot(slots: &[u64], bits: u64) -> usize {
        let mask = slots.len() - 1;
        // Fibonacci hashing on the top bits (whole numbers as f64 differ only in their
        // high bits).
        let shift = 64 - slots.len().trailing_zeros();
        let mut i = ((bits ^ (bits >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
        while slots[i] != 0 && slots[i] != bits + 1 {
            i = (i + 1) & mask;
        }
        i
    }

    pub(crate) fn new<'a>(columns: impl IntoIterator<Item = &'a [f64]>) -> Interner {
        let mut slots = vec![0u64; 1024];
        let mut values = Vec::new();
        for col in columns {
            for &v in col {
                // Values are >= 0: their bits are never u64::MAX.
                let bits = v.to_bits();
                let i = Self::slot(&slots, bits);
                if slots[i] == 0 {
                    slots[i] = bits + 1;
                    values.push(v);
                    if values.len() * 2 > slots.len() {
                        let mut grown = vec![0u64; slots.len() * 4];
                        for w in &values {
                            let j = Self::slot(&grown, w.to_bits());
                            grown[j] = w.to_bits() + 1;
                        }
                        slots = grown;
                    }
                }
            }
        }
        values.sort_by(f64::total_cmp);
        let mut rank = vec![0u32; slots.len()];
        for (k, v) in values.iter().enumerate() {
            rank[Self::slot(&slots, v.to_bits())] = k as u32;
        }
        Interner { slots, rank, values }
    }

    /// The rank of a value that was interned.
    pub(crate) fn get(&self, v: f64) -> usize {
        self.rank[Self::slot(&self.slots, v.to_bits())] as usize
    }
}

/// Per-customer summary for the models, in customer index order (customers with no
/// transaction up to the observation end are left out; `customers` says who is in).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RfmSummary {
    /// Customer index per row.
    pub customers: Vec<crate::CustomerIndex>,
    /// The data.
    pub data: RfmData,
    /// Mean spend of the repeat days (0 without repeat days).
    pub monetary_value: Vec<f64>,
}

/// One customer's days with their sums, up to and including `end`.
fn daily(t: &crate::transaction::CustomerTransactions<'_>, from: Day, end: Day, days: &mut Vec<(Day, f64)>) {
    days.clear();
    for k in t.first_on_or_after(from)..t.len() {
        let d = day_of(t.time.get(k));
        if d > end {
            break;
        }
        match days.last_mut() {
            Some(last) if last.0 == d => last.1 += t.amount.get(k),
            _ => days.push((d, t.amount.get(k))),
        }
    }
}

/// The summary of every customer with a transaction up to `observation_end`, in customer
/// index order (customers are summarised in fixed chunks on all threads, then joined in
/// chunk order).
pub fn summary_from_transactions(base: &CustomerBase, observation_end: NaiveDate, unit: TimeUnit) -> RfmSummary {
    let end = date_to_day(observation_end);
    let scale = unit.days();
    let tx = base.transactions();
    let parts = crate::parallel::fold_chunks(base.len(), |range| {
        let mut out = RfmSummary::default();
        let mut days = Vec::new();
        for c in range {
            daily(&tx.of(c), Day::MIN, end, &mut days);
            let Some(&(first, _)) = days.first() else { continue };
            let last = days.last().expect("non-empty").0;
            let repeat = &days[1..];
            out.customers.push(c);
            out.data.frequency.push(repeat.len() as f64);
            out.data.recency.push((last - first) as f64 / scale);
            out.data.t.push((end - first) as f64 / scale);
            out.monetary_value.push(if repeat.is_empty() {
                0.0
            } else {
                repeat.iter().map(|d| d.1).sum::<f64>() / repeat.len() as f64
            });
        }
        out
    });
    let rows = parts.iter().map(|p| p.customers.len()).sum();
    let mut out = RfmSummary {
        customers: Vec::with_capacity(rows),
        data: RfmData {
            frequency: Vec::with_capacity(rows),
            recency: Vec::with_capacity(rows),
            t: Vec::with_capacity(rows),
            weights: vec![1.0; rows],
        },
        monetary_value: Vec::with_capacity(rows),
    };
    for p in parts {
        out.customers.extend(p.customers);
        out.data.frequency.extend(p.data.frequency);
        out.data.recency.extend(p.data.recency);
        out.data.t.extend(p.data.t);
        out.monetary_value.extend(p.monetary_value);
    }
    out
}

/// A calibration summary and what each customer did in the holdout period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalibrationHoldout {
    /// The calibration summary (customers acquired by the calibration end).
    pub calibration: RfmSummary,
    /// Days with a transaction in the holdout period, per row.
    pub frequency_holdout: Vec<f64>,
    /// Mean daily spend in the holdout period (0 without holdout days), per row.
    pub monetary_value_holdout: Vec<f64>,
    /// Holdout length in the unit.
    pub duration_holdout: f64,
}

/// Splits at `calibration_end`: the summary up to it, and the holdout `(calibration_end,
/// observation_end]`.
///
/// # Errors
/// [`Error::InvalidConfig`] when the observation end is not after the calibration end.
pub fn calibration_and_holdout(
    base: &CustomerBase,
    calibration_end: NaiveDate,
    observation_end: NaiveDate,
    unit: TimeUnit,
) -> Result<CalibrationHoldout> {
    if observation_end <= calibration_end {
        return Err(Error::config("observation_end", format!("{observation_end} is not after {calibration_end}")));
    }
    let calibration = summary_from_transactions(base, calibration_end, unit);
    let (cal, end) = (date_to_day(calibration_end), date_to_day(observation_end));
    let tx = base.transactions();
    let holdout: Vec<(f64, f64)> = crate::parallel::map_ranges(calibration.customers.len(), |rows| {
        let mut days = Vec::new();
        rows.map(|row| {
            daily(&tx.of(calibration.customers[row as usize]), cal + 1, end, &mut days);
            let mean = if days.is_empty() { 0.0 } else { days.iter().map(|d| d.1).sum::<f64>() / days.len() as f64 };
            (days.len() as f64, mean)
        })
        .collect()
    });
    let (freq, money) = holdout.into_iter().unzip();
    Ok(CalibrationHoldout {
        calibration,
        frequency_holdout: freq,
        monetary_value_holdout: money,
        duration_holdout: (end - cal) as f64 / unit.days(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_sorts_like_a_comparison_sort() {
        // A simple LCG: keys of 30 bits with many repeats, and every small size.
        let mut state = 12345u64;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            state >> 34
        };
        for n in [0, 1, 5, 4095, 4096, 50_000] {
            let mut keys: Vec<u64> = (0..n).map(|_| next() % 100_000).collect();
            let mut want = keys.clone();
            want.sort_unstable();
            radix_sort(&mut keys, 17);
            assert_eq!(keys, want, "{n} keys");
        }
    }

    #[test]
    fn collapse_with_unit_weights_matches_the_general_path() {
        let (x, tx, t) = (
            vec![2.0, 0.0, 2.0, 1.0, 2.0, 0.0, 1.0],
            vec![5.5, 0.0, 5.5, 3.0, 4.0, 0.0, 3.0],
            vec![9.0, 7.0, 9.0, 8.0, 9.0, 9.0, 8.0],
        );
        let unit = RfmData::new(x.clone(), tx.clone(), t.clone()).unwrap().collapse();
        // Rows (0, 0, 7), (0, 0, 9), (1, 3, 8) x 2, (2, 4, 9), (2, 5.5, 9) x 2.
        assert_eq!(unit.frequency, [0.0, 0.0, 1.0, 2.0, 2.0]);
        assert_eq!(unit.recency, [0.0, 0.0, 3.0, 4.0, 5.5]);
        assert_eq!(unit.t, [7.0, 9.0, 8.0, 9.0, 9.0]);
        assert_eq!(unit.weights, [1.0, 1.0, 2.0, 1.0, 2.0]);
        let halves = RfmData::with_weights(x, tx, t, vec![0.5; 7]).unwrap().collapse();
        assert_eq!((&halves.frequency, &halves.recency, &halves.t), (&unit.frequency, &unit.recency, &unit.t));
        assert_eq!(halves.weights, [0.5, 0.5, 1.0, 0.5, 1.0]);
    }
}
