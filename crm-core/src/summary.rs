//! The customer summary: one row per customer with purchases, revenue, margin, recency,
//! tenure and RFM scores, as of a date.

use crate::base::CustomerBase;
use crate::customer::CustomerIndex;
use crate::error::{Error, Result};
use crate::history::scan;
use crate::parallel::map_ranges;
use crate::rank::quantile_scores;
use crate::time::{DAYS_PER_YEAR, date_to_day, day_to_date};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How the summary annualises purchase frequency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SummaryConfig {
    /// Purchases per year are purchases / max(tenure, `min_span_days`) x 365.25, so a
    /// customer who bought twice last month counts 2 a year, not 24. Default 365.
    pub min_span_days: u32,
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig { min_span_days: 365 }
    }
}

impl SummaryConfig {
    /// Checks the config.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `min_span_days` is 0.
    pub fn validate(&self) -> Result<()> {
        if self.min_span_days == 0 {
            return Err(Error::config("min_span_days", "must be at least 1 day"));
        }
        Ok(())
    }
}

/// RFM scores, 1 (worst) to 5 (best) each: quintiles of recency (fewer days is better),
/// frequency (purchases) and monetary value (revenue). Ties share the lower score (see
/// [`crate::rank::quantile_scores`]). Only customers with a purchase are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rfm {
    /// Recency score.
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
}

impl Rfm {
    /// The three digits as one number, e.g. 545.
    pub fn code(&self) -> u16 {
        self.r as u16 * 100 + self.f as u16 * 10 + self.m as u16
    }
}

/// One customer's summary row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// The customer (see [`CustomerBase::id`]).
    pub customer: CustomerIndex,
    /// Day of the first purchase.
    pub first_purchase: Option<NaiveDate>,
    /// Day of the last purchase.
    pub last_purchase: Option<NaiveDate>,
    /// Number of purchases (positive transactions; one per order when order ids are given).
    pub purchases: u32,
    /// Purchases per year over the customer's tenure (see [`SummaryConfig`]).
    pub purchases_per_year: f64,
    /// Revenue / purchases; `None` without purchases.
    pub average_purchase: Option<f64>,
    /// Net revenue (refunds deducted).
    pub revenue: f64,
    /// Net margin; `None` when the base has no margins.
    pub margin: Option<f64>,
    /// Days from the last purchase to the as-of date.
    pub recency_days: Option<u32>,
    /// Days from the first purchase to the as-of date.
    pub tenure_days: Option<u32>,
    /// RFM scores; `None` without purchases.
    pub rfm: Option<Rfm>,
}

/// The summary of every customer of a base, in customer index order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// One row per customer.
    pub customers: Vec<CustomerSummary>,
    /// Transactions dated after the as-of date: left out of this analysis, counted here.
    pub excluded_after_as_of: usize,
}

impl CustomerBase {
    /// The customer summary as of a date, with the default [`SummaryConfig`].
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::{CustomerBase, TransactionColumns, time::date_to_seconds};
    /// let d = |s: &str| date_to_seconds(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
    /// let base = CustomerBase::from_transactions(TransactionColumns::new(
    ///     vec![7_i64, 7, 7].into(),
    ///     vec![d("2023-01-01"), d("2024-01-01"), d("2024-06-01")],
    ///     vec![100.0, 50.0, -20.0],
    /// ))?;
    /// let s = base.summary(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap())?;
    /// let row = &s.customers[0];
    /// assert_eq!(row.purchases, 2); // the refund is not a purchase
    /// assert_eq!(row.revenue, 130.0); // but it nets out
    /// assert_eq!(row.recency_days, Some(365));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// None with the default config; see [`Self::summary_with`].
    pub fn summary(&self, as_of: NaiveDate) -> Result<Summary> {
        self.summary_with(as_of, &SummaryConfig::default())
    }

    /// The customer summary as of a date.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an invalid config.
    pub fn summary_with(&self, as_of: NaiveDate, config: &SummaryConfig) -> Result<Summary> {
        config.validate()?;
        let today = date_to_day(as_of);
        let tx = self.transactions();
        let has_margin = tx.has_margin();
        let min_span = config.min_span_days as f64;
        let mut customers = map_ranges(self.len(), |range| {
            let mut scratch = Vec::new();
            range
                .map(|c| {
                    let t = tx.of(c).until(today);
                    let h = scan(&t, &mut scratch);
                    let tenure = h.first_day.map(|d| (today - d) as u32);
                    let span = tenure.map_or(min_span, |t| (t as f64).max(min_span));
                    CustomerSummary {
                        customer: c,
                        first_purchase: h.first_day.map(day_to_date),
                        last_purchase: h.last_day.map(day_to_date),
                        purchases: h.purchases,
                        purchases_per_year: h.purchases as f64 * DAYS_PER_YEAR / span,
                        average_purchase: (h.purchases > 0).then(|| h.revenue / h.purchases as f64),
                        revenue: h.revenue,
                        margin: has_margin.then_some(h.margin),
                        recency_days: h.last_day.map(|d| (today - d) as u32),
                        tenure_days: tenure,
                        rfm: None,
                    }
                })
                .collect()
        });
        let excluded_after_as_of = crate::parallel::fold_chunks(self.len(), |range| {
            range.map(|c| tx.of(c).len() - tx.of(c).until(today).len()).sum::<usize>()
        })
        .into_iter()
        .sum();
        score_rfm(&mut customers);
        Ok(Summary { as_of, customers, excluded_after_as_of })
    }
}

fn score_rfm(rows: &mut [CustomerSummary]) {
    let buyers: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].purchases > 0).collect();
    let pick = |f: &dyn Fn(&CustomerSummary) -> f64| buyers.iter().map(|&i| f(&rows[i])).collect::<Vec<f64>>();
    let (rv, fv, mv) =
        (pick(&|s| -(s.recency_days.unwrap_or(0) as f64)), pick(&|s| s.purchases as f64), pick(&|s| s.revenue));
    // Three independent rankings: side by side when large enough to pay for threads.
    let (r, f, m) = if buyers.len() < 50_000 || crate::parallel::threads() == 1 {
        (quantile_scores(&rv, 5), quantile_scores(&fv, 5), quantile_scores(&mv, 5))
    } else {
        std::thread::scope(|s| {
            let r = s.spawn(|| quantile_scores(&rv, 5));
            let f = s.spawn(|| quantile_scores(&fv, 5));
            let m = quantile_scores(&mv, 5);
            (r.join().expect("no panic"), f.join().expect("no panic"), m)
        })
    };
    for (k, &i) in buyers.iter().enumerate() {
        rows[i].rfm = Some(Rfm { r: r[k], f: f[k], m: m[k] });
    }
}
