//! The retention cohort table: customers by the month of their first purchase (rows) x
//! months since that purchase (columns), value = the share of the cohort that bought in
//! that month. One pass over the transactions.

use crate::base::CustomerBase;
use crate::time::{date_to_day, day_of, day_to_date};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// At most this many cohorts (the last months up to the as-of date) are kept.
pub const MAX_COHORTS: usize = 24;

/// Customers whose first purchase fell in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// First day of the first-purchase month.
    pub month: NaiveDate,
    /// Customers in the cohort.
    pub customers: u64,
    /// Share of the cohort that bought in month `k` after the first-purchase month (0 =
    /// that month itself, always 1); only the months up to the as-of month, so later
    /// cohorts have fewer columns. The as-of month counts up to the as-of date.
    pub shares: Vec<f64>,
}

/// The retention cohort table.
///
/// ```
/// use crm_core::sample::{generate, SampleConfig};
/// let data = generate(&SampleConfig { customers: 200, ..Default::default() });
/// let as_of = data.end;
/// let report = data.into_base()?.report(as_of, &Default::default())?;
/// let c = &report.cohorts;
/// assert!(c.cohorts.len() <= 24);
/// assert!(c.cohorts.iter().all(|k| k.customers == 0 || k.shares[0] == 1.0));
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RetentionCohorts {
    /// Columns of the widest row (months since the first purchase, 0 included).
    pub months: usize,
    /// Cohorts, oldest first.
    pub cohorts: Vec<Cohort>,
}

fn month_index(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

fn month_start(index: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1).expect("valid month")
}

/// The cohort counts of some customers: per first-purchase month (the last
/// [`MAX_COHORTS`] up to the as-of date), its customers and how many of them bought in each
/// month since. Counts add up over any split of the customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CohortCounts {
    customers: Vec<u64>,
    buyers: Vec<Vec<u64>>,
}

impl CohortCounts {
    /// No customers.
    pub(crate) fn empty() -> Self {
        CohortCounts { customers: vec![0; MAX_COHORTS], buyers: vec![vec![0; MAX_COHORTS]; MAX_COHORTS] }
    }

    /// A purchase is a transaction with a positive amount; returns are not purchases.
    pub(crate) fn of(base: &CustomerBase, as_of: NaiveDate) -> Self {
        let first = month_index(as_of) - MAX_COHORTS as i32 + 1;
        let mut out = CohortCounts::empty();
        let tx = base.transactions();
        let as_of_day = date_to_day(as_of);
        let mut seen: Vec<i32> = Vec::new();
        for c in 0..base.len() as u32 {
            let t = tx.of(c).until(as_of_day);
            let months = t
                .time
                .iter()
                .zip(t.amount.iter())
                .filter(|(_, a)| *a > 0.0)
                .map(|(s, _)| month_index(day_to_date(day_of(s))));
            seen.clear();
            seen.extend(months);
            let Some(&m0) = seen.first() else { continue };
            if m0 < first {
                continue;
            }
            seen.dedup();
            let row = (m0 - first) as usize;
            out.customers[row] += 1;
            for &m in &seen {
                out.buyers[row][(m - m0) as usize] += 1;
            }
        }
        out
    }

    /// Adds another split's counts (of the same as-of date).
    pub(crate) fn merge(&mut self, other: &CohortCounts) {
        self.customers.iter_mut().zip(&other.customers).for_each(|(a, b)| *a += b);
        for (a, b) in self.buyers.iter_mut().zip(&other.buyers) {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
    }

    /// The table as of `as_of` (the date the counts were taken at).
    pub(crate) fn finish(&self, as_of: NaiveDate) -> RetentionCohorts {
        let last = month_index(as_of);
        let first = last - MAX_COHORTS as i32 + 1;
        let cohorts: Vec<Cohort> = (0..MAX_COHORTS)
            .filter(|&r| self.customers[r] > 0)
            .map(|r| {
                let width = (last - (first + r as i32) + 1) as usize;
                let n = self.customers[r] as f64;
                Cohort {
                    month: month_start(first + r as i32),
                    customers: self.customers[r],
                    shares: self.buyers[r][..width].iter().map(|&b| b as f64 / n).collect(),
                }
            })
            .collect();
        RetentionCohorts { months: cohorts.iter().map(|c| c.shares.len()).max().unwrap_or(0), cohorts }
    }
}

/// The retention cohort table of a whole base.
pub(crate) fn retention_cohorts(base: &CustomerBase, as_of: NaiveDate) -> RetentionCohorts {
    CohortCounts::of(base, as_of).finish(as_of)
}
