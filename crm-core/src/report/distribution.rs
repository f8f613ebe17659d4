//! How value is spread over customers: the Pareto curve (customers ranked by value,
//! cumulative share) and a histogram with robust bounds.

use serde::{Deserialize, Serialize};

/// At most this many steps of the Pareto curve are kept (plus the origin).
pub const PARETO_STEPS: usize = 100;

/// One point of a Pareto curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoPoint {
    /// Share of customers, most valuable first (0..1).
    pub customer_share: f64,
    /// Their share of the total value (above 1 where later customers have negative value).
    pub value_share: f64,
}

/// Customers ranked by value, most valuable first, with the cumulative share of the total.
///
/// ```
/// use crm_core::report::ParetoCurve;
/// let p = ParetoCurve::new("revenue", &[10.0, 60.0, 30.0]).unwrap();
/// assert_eq!(p.points.len(), 4); // the origin and one point per customer
/// assert_eq!(p.points[1].value_share, 0.6);
/// // 2 of 3 customers give 90 % >= 80 % of the revenue.
/// assert_eq!(p.customer_share_for_80_percent, Some(2.0 / 3.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParetoCurve {
    /// What is ranked ("revenue", "profit").
    pub measure: String,
    /// Customers ranked.
    pub customers: usize,
    /// Their total value.
    pub total: f64,
    /// The curve from (0, 0), at most [`PARETO_STEPS`] + 1 points (evenly spaced ranks,
    /// rounded, when there are more customers).
    pub points: Vec<ParetoPoint>,
    /// The smallest share of customers (most valuable first) that gives at least 80 % of
    /// the total.
    pub customer_share_for_80_percent: Option<f64>,
}

impl ParetoCurve {
    /// The curve of `values` (one per customer); `None` when there are none or their
    /// total is not positive (a share of a non-positive total means nothing).
    pub fn new(measure: &str, values: &[f64]) -> Option<Self> {
        let mut sorted = values.to_vec();
        sorted.sort_by(|a, b| b.total_cmp(a));
        Self::of_descending(measure, sorted.iter().map(|&v| (v, 1)))
    }

    /// The curve of values given highest first as (value, customers) runs: what a cluster
    /// merges (an exact value distribution) and one machine sorts. Sums run in that order,
    /// one customer at a time, so both give the same bits.
    pub(crate) fn of_descending(measure: &str, runs: impl Iterator<Item = (f64, u64)> + Clone) -> Option<Self> {
        let (mut n, mut total) = (0usize, 0.0);
        for (v, count) in runs.clone() {
            n += count as usize;
            for _ in 0..count {
                total += v;
            }
        }
        if n == 0 || total.is_nan() || total <= 0.0 {
            return None;
        }
        let ranks: Vec<usize> = if n <= PARETO_STEPS {
            (0..=n).collect()
        } else {
            let mut r: Vec<usize> = (0..=PARETO_STEPS).map(|i| (i * n + PARETO_STEPS / 2) / PARETO_STEPS).collect();
            r.dedup();
            r
        };
        let (mut points, mut for_80) = (Vec::with_capacity(ranks.len()), None);
        let mut next = ranks.iter().peekable();
        // Customers so far and their cumulative value.
        let mut visit = |k: usize, sum: f64| {
            if for_80.is_none() && sum >= 0.8 * total {
                for_80 = Some(k as f64 / n as f64);
            }
            if next.next_if_eq(&&k).is_some() {
                points.push(ParetoPoint { customer_share: k as f64 / n as f64, value_share: sum / total });
            }
        };
        let (mut k, mut sum) = (0usize, 0.0);
        visit(0, 0.0);
        for (v, count) in runs {
            for _ in 0..count {
                sum += v;
                k += 1;
                visit(k, sum);
            }
        }
        Some(ParetoCurve {
            measure: measure.into(),
            customers: n,
            total,
            points,
            customer_share_for_80_percent: for_80,
        })
    }
}

/// One bin of a histogram: values in `[from, to)` (the last bin includes `to`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Lower bound.
    pub from: f64,
    /// Upper bound.
    pub to: f64,
    /// Customers in the bin.
    pub customers: u64,
}

/// A histogram of per-customer values between robust bounds (the 1st and 99th
/// percentiles), with the customers outside counted apart.
///
/// ```
/// use crm_core::report::Histogram;
/// let values: Vec<f64> = (0..=100).map(f64::from).collect();
/// let h = Histogram::new(&values, 20).unwrap();
/// assert_eq!((h.lower, h.upper, h.below, h.above), (1.0, 99.0, 1, 1));
/// assert_eq!(h.bins.iter().map(|b| b.customers).sum::<u64>(), 99);
/// assert_eq!(h.median, 50.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Customers counted.
    pub customers: u64,
    /// Lower bound of the first bin (1st percentile).
    pub lower: f64,
    /// Upper bound of the last bin (99th percentile).
    pub upper: f64,
    /// The bins.
    pub bins: Vec<Bin>,
    /// Customers below `lower`.
    pub below: u64,
    /// Customers above `upper`.
    pub above: u64,
    /// Median value.
    pub median: f64,
    /// Mean value.
    pub mean: f64,
}

impl Histogram {
    /// A histogram of `values` in `bins` equal bins; `None` without values or bins.
    pub fn new(values: &[f64], bins: usize) -> Option<Self> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Self::of_ascending(&sorted.iter().map(|&v| (v, 1)).collect::<Vec<_>>(), bins)
    }

    /// The histogram of values given lowest first as (value, customers) runs (an exact
    /// value distribution, or sorted values one by one: the same bits either way).
    pub(crate) fn of_ascending(runs: &[(f64, u64)], bins: usize) -> Option<Self> {
        let n: u64 = runs.iter().map(|r| r.1).sum();
        if n == 0 || bins == 0 {
            return None;
        }
        let ends: Vec<u64> = runs.iter().scan(0, |seen, r| Some(*seen + r.1).inspect(|&e| *seen = e)).collect();
        // The value at sorted position round((n - 1) p).
        let q = |p: f64| runs[ends.partition_point(|&e| e <= ((n - 1) as f64 * p).round() as u64)].0;
        let (lower, mut upper) = (q(0.01), q(0.99));
        if upper <= lower {
            upper = lower + 1.0;
        }
        let width = (upper - lower) / bins as f64;
        let mut out: Vec<Bin> = (0..bins)
            .map(|i| Bin { from: lower + width * i as f64, to: lower + width * (i + 1) as f64, customers: 0 })
            .collect();
        out[bins - 1].to = upper;
        let (mut below, mut above, mut sum) = (0, 0, 0.0);
        for &(v, count) in runs {
            if v < lower {
                below += count;
            } else if v > upper {
                above += count;
            } else {
                let i = (((v - lower) / width) as usize).min(bins - 1);
                out[i].customers += count;
            }
            for _ in 0..count {
                sum += v;
            }
        }
        Some(Histogram { customers: n, lower, upper, bins: out, below, above, median: q(0.5), mean: sum / n as f64 })
    }
}
