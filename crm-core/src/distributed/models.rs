//! The CLV models' sufficient statistics over all tasks.

use super::wire::{Reader, Writer};
use crate::error::{Error, Result};
use crate::models::{RfmData, RfmSummary, collapse_spend};

/// One task's share of a model fit: its customers' `(x, t_x, T)` rows collapsed into
/// distinct rows with counts (what BG/NBD, MBG/NBD and Pareto/NBD fit on), and its repeat
/// buyers' `(x, mean spend)` rows likewise (what Gamma-Gamma fits on). Merging adds the
/// counts of equal rows, so the merged partial holds the same distinct rows with the same
/// counts as the whole base: the fit on the driver is the single-machine fit, whatever the
/// partitioning. Nothing per customer is left: its size is the number of distinct rows.
///
/// ```
/// use crm_core::distributed::ModelPartial;
/// use crm_core::models::{BetaGeo, FitOptions, RfmData, RfmSummary};
///
/// let rows = |x: Vec<f64>, tx: Vec<f64>, t: Vec<f64>, m: Vec<f64>| RfmSummary {
///     customers: (0..x.len() as u32).collect(),
///     data: RfmData::new(x, tx, t).unwrap(),
///     monetary_value: m,
/// };
/// let a = rows(vec![2.0, 0.0, 1.0], vec![30.0, 0.0, 5.0], vec![40.0, 38.0, 39.0], vec![10.0, 0.0, 4.0]);
/// let b = rows(vec![0.0, 3.0], vec![0.0, 35.0], vec![38.0, 40.0], vec![0.0, 7.5]);
/// let mut merged = ModelPartial::from_summary(&a)?;
/// merged.merge(&ModelPartial::from_bytes(&ModelPartial::from_summary(&b)?.to_bytes())?);
/// assert_eq!(merged.customers(), 5.0);
/// assert_eq!(merged.purchases().len(), 4); // (0, 0, 38) twice: one row of weight 2
/// let options = FitOptions::default();
/// let whole = RfmData::new(
///     vec![2.0, 0.0, 1.0, 0.0, 3.0], vec![30.0, 0.0, 5.0, 0.0, 35.0], vec![40.0, 38.0, 39.0, 38.0, 40.0])?;
/// let (single, _) = BetaGeo::fit(&whole, &options)?;
/// let (distributed, _) = BetaGeo::fit(merged.purchases(), &options)?;
/// assert_eq!(single, distributed);
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelPartial {
    /// Distinct (x, t_x, T) with counts, sorted.
    purchases: RfmData,
    /// Distinct (x, mean spend) of repeat buyers with counts, sorted.
    spend_frequency: Vec<f64>,
    spend_value: Vec<f64>,
    spend_weights: Vec<f64>,
}

impl ModelPartial {
    /// The partial of a task's model summary (computed with the job's common observation
    /// end and time unit). Repeat buyers (x > 0) with a positive mean spend enter the
    /// spend rows, as the single-machine Gamma-Gamma fit takes them.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the spend column is not one per row.
    pub fn from_summary(s: &RfmSummary) -> Result<Self> {
        crate::transaction::check_len("monetary_value", s.monetary_value.len(), "frequency", s.data.len())?;
        let repeat: Vec<usize> =
            (0..s.data.len()).filter(|&i| s.data.frequency[i] > 0.0 && s.monetary_value[i] > 0.0).collect();
        let x: Vec<f64> = repeat.iter().map(|&i| s.data.frequency[i]).collect();
        let m: Vec<f64> = repeat.iter().map(|&i| s.monetary_value[i]).collect();
        let w: Vec<f64> = repeat.iter().map(|&i| s.data.weights[i]).collect();
        let (spend_frequency, spend_value, spend_weights) = collapse_spend(&x, &m, &w);
        Ok(ModelPartial { purchases: s.data.collapse(), spend_frequency, spend_value, spend_weights })
    }

    /// Adds another task's partial: one walk over both sides' sorted rows, adding the
    /// counts of rows present in both (what collapsing the two sides together gives, in
    /// linear time; a driver merging many tasks' partials would otherwise sort the growing
    /// sum again for each task).
    pub fn merge(&mut self, other: &ModelPartial) {
        // Rows not in order (bytes from elsewhere) are collapsed together instead.
        *self = walked(self, other).unwrap_or_else(|| collapsed_together(self, other));
    }

    /// Customers merged so far (sum of the counts).
    pub fn customers(&self) -> f64 {
        self.purchases.customers()
    }

    /// The distinct `(x, t_x, T)` rows with their counts: the data of
    /// [`crate::models::BetaGeo::fit`], [`crate::models::ModifiedBetaGeo::fit`] and
    /// [`crate::models::ParetoNbd::fit`].
    pub fn purchases(&self) -> &RfmData {
        &self.purchases
    }

    /// The distinct `(x, mean spend)` rows of repeat buyers with their counts: the
    /// arguments of [`crate::models::GammaGamma::fit`].
    pub fn spend(&self) -> (&[f64], &[f64], &[f64]) {
        (&self.spend_frequency, &self.spend_value, &self.spend_weights)
    }

    /// The byte form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMM");
        let p = &self.purchases;
        for column in
            [&p.frequency, &p.recency, &p.t, &p.weights, &self.spend_frequency, &self.spend_value, &self.spend_weights]
        {
            w.f64s(column);
        }
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `model partial`) for bytes that are not one,
    /// including rows a summary cannot give (negative, non-finite, t_x > T, weight <= 0).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMM", "model partial")?;
        let mut columns = Vec::with_capacity(7);
        for _ in 0..7 {
            columns.push(r.f64s()?);
        }
        r.end()?;
        let bad = |e: Error| Error::config("model partial", format!("inconsistent rows: {e}"));
        let mut c = columns.into_iter();
        let mut next = || c.next().expect("seven columns");
        let purchases = RfmData::with_weights(next(), next(), next(), next()).map_err(bad)?;
        let (spend_frequency, spend_value, spend_weights) = (next(), next(), next());
        let same = spend_value.len() == spend_frequency.len() && spend_weights.len() == spend_frequency.len();
        let valid = (0..spend_frequency.len()).all(|i| {
            spend_frequency[i] >= 1.0
                && spend_frequency[i].is_finite()
                && spend_value[i] > 0.0
                && spend_value[i].is_finite()
                && spend_weights[i] > 0.0
                && spend_weights[i].is_finite()
        });
        if !same || !valid {
            return Err(Error::config("model partial", "inconsistent spend rows"));
        }
        Ok(ModelPartial { purchases, spend_frequency, spend_value, spend_weights })
    }
}

/// The two partials merged in one walk over their sorted rows; `None` when a side's rows
/// are not strictly ascending.
fn walked(a: &ModelPartial, b: &ModelPartial) -> Option<ModelPartial> {
    let (p, q) = (&a.purchases, &b.purchases);
    let key = |d: &RfmData, i: usize| (d.frequency[i].to_bits(), d.recency[i].to_bits(), d.t[i].to_bits());
    let plan = merge_plan(p.len(), q.len(), |i| key(p, i), |j| key(q, j))?;
    let pick = |x: &[f64], y: &[f64]| plan.iter().map(|s| s.pick(x, y)).collect::<Vec<f64>>();
    let purchases = RfmData {
        frequency: pick(&p.frequency, &q.frequency),
        recency: pick(&p.recency, &q.recency),
        t: pick(&p.t, &q.t),
        weights: plan.iter().map(|s| s.add(&p.weights, &q.weights)).collect(),
    };
    let (x, m, w) = (&a.spend_frequency, &a.spend_value, &a.spend_weights);
    let (ox, om, ow) = (&b.spend_frequency, &b.spend_value, &b.spend_weights);
    let spend_key = |f: &[f64], v: &[f64], i: usize| (f[i].to_bits(), v[i].to_bits());
    let plan = merge_plan(x.len(), ox.len(), |i| spend_key(x, m, i), |j| spend_key(ox, om, j))?;
    Some(ModelPartial {
        purchases,
        spend_frequency: plan.iter().map(|s| s.pick(x, ox)).collect(),
        spend_value: plan.iter().map(|s| s.pick(m, om)).collect(),
        spend_weights: plan.iter().map(|s| s.add(w, ow)).collect(),
    })
}

/// Both partials' rows together, collapsed: the merge for rows in any order.
fn collapsed_together(a: &ModelPartial, b: &ModelPartial) -> ModelPartial {
    let join = |x: &[f64], y: &[f64]| [x, y].concat();
    let (p, q) = (&a.purchases, &b.purchases);
    let purchases = RfmData {
        frequency: join(&p.frequency, &q.frequency),
        recency: join(&p.recency, &q.recency),
        t: join(&p.t, &q.t),
        weights: join(&p.weights, &q.weights),
    }
    .collapse();
    let (spend_frequency, spend_value, spend_weights) = collapse_spend(
        &join(&a.spend_frequency, &b.spend_frequency),
        &join(&a.spend_value, &b.spend_value),
        &join(&a.spend_weights, &b.spend_weights),
    );
    ModelPartial { purchases, spend_frequency, spend_value, spend_weights }
}

/// Where a merged row comes from: a row of the first side, of the second, or of both.
#[derive(Debug, Clone, Copy)]
enum Source {
    First(usize),
    Second(usize),
    Both(usize, usize),
}

impl Source {
    /// The row's value in a column of each side.
    fn pick(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            Source::First(i) | Source::Both(i, _) => a[i],
            Source::Second(j) => b[j],
        }
    }

    /// The row's count: added when both sides have it (first side's first, as collapsing
    /// the sides one after the other adds them).
    fn add(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            Source::First(i) => a[i],
            Source::Second(j) => b[j],
            Source::Both(i, j) => a[i] + b[j],
        }
    }
}

/// The merged order of two sides whose keys each ascend strictly; `None` when one does not.
fn merge_plan<K: Ord>(n: usize, m: usize, a: impl Fn(usize) -> K, b: impl Fn(usize) -> K) -> Option<Vec<Source>> {
    if (1..n).any(|i| a(i - 1) >= a(i)) || (1..m).any(|j| b(j - 1) >= b(j)) {
        return None;
    }
    let (mut plan, mut i, mut j) = (Vec::with_capacity(n + m), 0, 0);
    while i < n || j < m {
        let next = if i == n {
            std::cmp::Ordering::Greater
        } else if j == m {
            std::cmp::Ordering::Less
        } else {
            a(i).cmp(&b(j))
        };
        plan.push(match next {
            std::cmp::Ordering::Less => Source::First(i),
            std::cmp::Ordering::Greater => Source::Second(j),
            std::cmp::Ordering::Equal => Source::Both(i, j),
        });
        i += usize::from(next != std::cmp::Ordering::Greater);
        j += usize::from(next != std::cmp::Ordering::Less);
    }
    Some(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_in_one_walk_equals_collapsing_together() {
        // Small integer histories so that tasks share rows; weights not all 1 after a merge.
        let mut seed = 7u64;
        let mut next = |k: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % k
        };
        let mut task = |n: usize| {
            let (mut x, mut tx, mut t, mut m) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..n {
                let age = 1.0 + next(6) as f64;
                let last = next(age as u64 + 1) as f64;
                let repeats = if last == 0.0 { 0.0 } else { 1.0 + next(3) as f64 };
                x.push(repeats);
                tx.push(last);
                t.push(age);
                m.push(if repeats > 0.0 { 1.0 + next(3) as f64 } else { 0.0 });
            }
            let s = RfmSummary {
                customers: (0..n as u32).collect(),
                data: RfmData::new(x, tx, t).unwrap(),
                monetary_value: m,
            };
            ModelPartial::from_summary(&s).unwrap()
        };
        let tasks: Vec<ModelPartial> = [0, 1, 40, 300, 7, 0, 900].into_iter().map(&mut task).collect();
        let (mut walked, mut together) = (ModelPartial::default(), ModelPartial::default());
        for t in &tasks {
            walked.merge(t);
            together = collapsed_together(&together, t);
            assert_eq!(walked, together);
        }
        assert_eq!(walked.customers(), 1248.0);
        // Rows out of order (bytes from elsewhere) are still merged right.
        let mut unsorted = tasks[3].clone();
        unsorted.purchases.frequency.reverse();
        unsorted.purchases.recency.reverse();
        unsorted.purchases.t.reverse();
        unsorted.purchases.weights.reverse();
        let mut a = tasks[6].clone();
        a.merge(&unsorted);
        assert_eq!(a, collapsed_together(&tasks[6], &tasks[3]));
    }

    #[test]
    fn bad_bytes_are_errors() {
        let s = RfmSummary {
            customers: vec![0, 1],
            data: RfmData::new(vec![1.0, 0.0], vec![3.0, 0.0], vec![5.0, 4.0]).unwrap(),
            monetary_value: vec![2.5, 0.0],
        };
        let good = ModelPartial::from_summary(&s).unwrap().to_bytes();
        assert_eq!(ModelPartial::from_bytes(&good).unwrap(), ModelPartial::from_summary(&s).unwrap());
        for cut in 0..good.len() {
            assert!(ModelPartial::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
        }
        // A recency beyond T is no summary row.
        let wrong = RfmData { frequency: vec![1.0], recency: vec![9.0], t: vec![5.0], weights: vec![1.0] };
        let forged = ModelPartial { purchases: wrong, ..ModelPartial::default() }.to_bytes();
        assert!(ModelPartial::from_bytes(&forged).unwrap_err().to_string().contains("model partial"));
    }
}
