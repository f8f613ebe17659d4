//! Migration between states from one date to the next (DOMAIN.md section 4: "migration
//! between segments ... is a flow too"): counts and rates, a Markov projection of the base,
//! and the Pfeifer-Carraway customer value.
//!
//! Value-segment states are `not_yet_customer` (no purchase yet), `top`, `middle`,
//! `bottom` (ranked in the value window) and `lost` (bought before, not in the window).
//! Lifecycle states are the eight stages, with `prospect` read as "not yet a customer".

use crate::base::CustomerBase;
use crate::error::{Error, Result};
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::segments::{SegmentConfig, UNRANKED, membership};
use crate::time::date_to_day;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Counts and rates of moves between states from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrationMatrix {
    /// The first date.
    pub from: NaiveDate,
    /// The second date.
    pub to: NaiveDate,
    /// State names, in row and column order.
    pub states: Vec<String>,
    /// `counts[i][j]`: customers in state i at `from` and state j at `to`.
    pub counts: Vec<Vec<u64>>,
    /// `rates[i][j] = counts[i][j] / row total`; a row with no customers stays in its state
    /// (rate 1 on the diagonal), so every row sums to 1.
    pub rates: Vec<Vec<f64>>,
    /// Mean value per customer in each state at `to` (the segment measure over its window;
    /// 0 for states without value). A default `R` for [`Self::customer_value`].
    pub state_value: Vec<f64>,
}

impl MigrationMatrix {
    fn from_codes(from: NaiveDate, to: NaiveDate, states: &[&str], a: &[u8], b: &[u8], value: Option<&[f64]>) -> Self {
        let k = states.len();
        let mut counts = vec![vec![0u64; k]; k];
        let (mut sum, mut n) = (vec![0.0; k], vec![0u64; k]);
        for c in 0..a.len() {
            counts[a[c] as usize][b[c] as usize] += 1;
            if let Some(v) = value {
                sum[b[c] as usize] += v[c];
                n[b[c] as usize] += 1;
            }
        }
        let state_value = (0..k).map(|i| if n[i] == 0 { 0.0 } else { sum[i] / n[i] as f64 }).collect();
        Self::from_counts(from, to, states.iter().map(|s| (*s).to_owned()).collect(), counts, state_value)
    }

    /// The matrix of complete counts (rates from them; a row with no customers stays in
    /// its state).
    pub(crate) fn from_counts(
        from: NaiveDate,
        to: NaiveDate,
        states: Vec<String>,
        counts: Vec<Vec<u64>>,
        state_value: Vec<f64>,
    ) -> Self {
        let k = states.len();
        let rates = counts
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let total: u64 = row.iter().sum();
                (0..k).map(|j| if total == 0 { (i == j) as u8 as f64 } else { row[j] as f64 / total as f64 }).collect()
            })
            .collect();
        MigrationMatrix { from, to, states, counts, rates, state_value }
    }

    /// Customers per state at `from` (row totals).
    pub fn at_from(&self) -> Vec<u64> {
        self.counts.iter().map(|r| r.iter().sum()).collect()
    }

    /// Customers per state at `to` (column totals).
    pub fn at_to(&self) -> Vec<u64> {
        (0..self.states.len()).map(|j| self.counts.iter().map(|r| r[j]).sum()).collect()
    }

    /// Projects a distribution over the states `periods` steps ahead with the rates (a
    /// Markov chain): element `t` of the result is the distribution after `t` steps
    /// (element 0 is `start`). The total is preserved.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `start` does not have one entry per state or
    /// `periods` is above [`crate::time::MAX_PERIODS`].
    pub fn project(&self, start: &[f64], periods: usize) -> Result<Vec<Vec<f64>>> {
        let k = self.states.len();
        if start.len() != k {
            return Err(Error::config("start", format!("{} values for {k} states", start.len())));
        }
        if periods > 0 {
            crate::time::check_periods("periods", periods)?;
        }
        let mut out = vec![start.to_vec()];
        for _ in 0..periods {
            let v = out.last().expect("non-empty");
            let next = (0..k).map(|j| (0..k).map(|i| v[i] * self.rates[i][j]).sum()).collect();
            out.push(next);
        }
        Ok(out)
    }

    /// The Pfeifer-Carraway customer value per starting state: `V = (I - P/(1+d))^-1 R`,
    /// the discounted value of all future margins `R` (per state and period) of a customer
    /// moving by the rates `P`, with discount rate `d` per period.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// // Two states: active (margin 100) and lost (0, absorbing); retention 0.8, d = 0.1.
    /// let m = crm_core::migration::MigrationMatrix::from_rates(
    ///     vec!["active".into(), "lost".into()],
    ///     vec![vec![0.8, 0.2], vec![0.0, 1.0]],
    /// )?;
    /// let v = m.customer_value(&[100.0, 0.0], 0.1)?;
    /// // V = R (1+d) / (1 + d - r) = 100 x 1.1 / 0.3
    /// assert!((v[0] - 110.0 / 0.3).abs() < 1e-9);
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `margin` has the wrong length or `discount` is not > 0.
    pub fn customer_value(&self, margin: &[f64], discount: f64) -> Result<Vec<f64>> {
        let k = self.states.len();
        if margin.len() != k {
            return Err(Error::config("margin", format!("{} values for {k} states", margin.len())));
        }
        if !(discount > 0.0 && discount.is_finite()) {
            return Err(Error::config("discount", format!("{discount} is not a rate > 0")));
        }
        let a: Vec<Vec<f64>> = (0..k)
            .map(|i| (0..k).map(|j| (i == j) as u8 as f64 - self.rates[i][j] / (1.0 + discount)).collect())
            .collect();
        Ok(solve(a, margin.to_vec()))
    }

    /// A matrix from given rates (no counts), e.g. to evaluate scenarios.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the matrix is not square with one row per state, or a
    /// row has a negative rate or does not sum to 1.
    pub fn from_rates(states: Vec<String>, rates: Vec<Vec<f64>>) -> Result<Self> {
        let k = states.len();
        for (i, row) in rates.iter().enumerate() {
            if row.len() != k || rates.len() != k {
                return Err(Error::config("rates", format!("row {i} has {} rates for {k} states", row.len())));
            }
            let sum: f64 = row.iter().sum();
            if row.iter().any(|r| !r.is_finite() || *r < 0.0) || (sum - 1.0).abs() > 1e-9 {
                return Err(Error::config("rates", format!("row {i} ({}) must be rates >= 0 summing to 1", states[i])));
            }
        }
        let epoch = NaiveDate::default();
        Ok(MigrationMatrix {
            from: epoch,
            to: epoch,
            counts: vec![vec![0; k]; k],
            state_value: vec![0.0; k],
            states,
            rates,
        })
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (small, dense systems).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs())).expect("non-empty");
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (r, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x
}

/// Segment migration states, in matrix order.
pub const SEGMENT_STATES: [&str; 5] = ["not_yet_customer", "top", "middle", "bottom", "lost"];

impl CustomerBase {
    /// Migration between value segments from the end of `from` to the end of `to`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `to` is not after `from` or the rules are invalid;
    /// [`Error::MissingData`] for margin measures without margins.
    pub fn segment_migration(&self, from: NaiveDate, to: NaiveDate, config: &SegmentConfig) -> Result<MigrationMatrix> {
        config.validate()?;
        check_dates(from, to)?;
        if config.measure != crate::ValueMeasure::Revenue && !self.transactions().has_margin() {
            return Err(Error::MissingData(format!("migration by {} needs margins", config.measure.name())));
        }
        let days = [date_to_day(from), date_to_day(to)];
        let mut both = membership(self, &days, config).into_iter();
        let tx = self.transactions();
        let mut state = |day| {
            let (codes, value) = both.next().expect("two dates");
            let states: Vec<u8> = codes
                .iter()
                .enumerate()
                .map(|(c, &m)| match m {
                    UNRANKED if tx.of(c as u32).until(day).amount.iter().any(|a| a > 0.0) => 4,
                    UNRANKED => 0,
                    m => m + 1,
                })
                .collect();
            (states, value)
        };
        let (a, _) = state(days[0]);
        let (b, value) = state(days[1]);
        // Value only for ranked states; not-yet and lost carry none.
        let value: Vec<f64> = b.iter().zip(&value).map(|(&s, &v)| if (1..=3).contains(&s) { v } else { 0.0 }).collect();
        Ok(MigrationMatrix::from_codes(from, to, &SEGMENT_STATES, &a, &b, Some(&value)))
    }

    /// Migration between lifecycle stages from the end of `from` to the end of `to`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `to` is not after `from` or the rules are invalid.
    pub fn lifecycle_migration(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        config: &LifecycleConfig,
    ) -> Result<MigrationMatrix> {
        check_dates(from, to)?;
        let a: Vec<u8> = self.lifecycle(from, config)?.stages.iter().map(|&s| s as u8).collect();
        let b: Vec<u8> = self.lifecycle(to, config)?.stages.iter().map(|&s| s as u8).collect();
        let names: Vec<&str> = LifecycleStage::ALL.iter().map(|s| s.name()).collect();
        Ok(MigrationMatrix::from_codes(from, to, &names, &a, &b, None))
    }
}

pub(crate) fn check_dates(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to <= from {
        return Err(Error::config("to", format!("{to} is not after {from}")));
    }
    Ok(())
}
