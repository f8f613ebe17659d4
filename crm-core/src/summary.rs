//! The customer summary: per customer purchases, revenue, margin, recency, tenure and RFM
//! scores, as of a date. It is written as columns (one vector per field), which the hosts
//! hand on without building rows; [`Summary::row`] gives one customer's row.

use crate::base::CustomerBase;
use crate::customer::CustomerIndex;
use crate::error::Result;
use crate::history::{histories_of_rows, scan};
use crate::parallel::{SplitAt, customer_ranges, fill_ranges};
use crate::rank::{ordered_bits, quantile_scores_of};
use crate::time::{DAYS_PER_YEAR, Day, date_to_day, day_to_date};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer, ser::SerializeStruct};

/// How the summary annualises purchase frequency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SummaryConfig {
    /// Purchases per year are purchases / max(tenure, `min_span_days`) x 365.25, so a
    /// customer who bought twice last month counts 2 a year, not 24. 1..=36 500
    /// ([`crate::time::MAX_DAYS`]); default 365.
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
    /// [`crate::Error::InvalidConfig`] when `min_span_days` is outside 1..=[`crate::time::MAX_DAYS`].
    pub fn validate(&self) -> Result<()> {
        crate::time::check_days("min_span_days", self.min_span_days, 1)?;
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
    /// The placeholder in [`Summary::rfm`] for a customer without purchases (not a score:
    /// scores are 1 to 5).
    pub const NONE: Rfm = Rfm { r: 0, f: 0, m: 0 };

    /// The three digits as one number, e.g. 545.
    pub fn code(&self) -> u16 {
        self.r as u16 * 100 + self.f as u16 * 10 + self.m as u16
    }
}

/// One customer's summary row (see [`Summary::row`]).
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

/// The summary of every customer of a base as columns: slot `i` of each column is
/// customer `i` (customer index order).
///
/// A customer without a purchase up to the as-of date (a prospect, a customer with refunds
/// only, or one whose purchases all come after that date) has `purchases[i] == 0` and no
/// first or last purchase, recency, tenure, average purchase or RFM scores. Its slots of
/// `first_purchase` and `last_purchase` hold [`Summary::NO_PURCHASE_DAY`] (0) and its
/// `rfm` slot [`Rfm::NONE`] (zeros): placeholders, not data. Check
/// [`Summary::has_purchase`] before reading them, or read through [`Summary::row`] and the
/// accessors, which give `None`.
///
/// Serialized (serde) as rows: `{"as_of", "customers": [CustomerSummary...],
/// "excluded_after_as_of"}`.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::{CustomerBase, TransactionColumns, time::date_to_seconds};
/// let d = |s: &str| date_to_seconds(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
/// let base = CustomerBase::from_transactions(TransactionColumns::new(
///     vec![1_i64, 1, 2].into(),
///     vec![d("2024-01-01"), d("2024-06-01"), d("2024-03-01")],
///     vec![100.0, 50.0, -20.0], // customer 2 has only a refund
/// ))?;
/// let s = base.summary(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap())?;
/// assert_eq!(s.purchases, vec![2, 0]);
/// assert_eq!(s.revenue, vec![150.0, -20.0]);
/// assert_eq!(s.recency_days(0), Some(213));
/// assert_eq!(s.recency_days(1), None);
/// assert_eq!(s.row(1).first_purchase, None);
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "SummaryRows")]
pub struct Summary {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Transactions dated after the as-of date: left out of this analysis, counted here.
    pub excluded_after_as_of: usize,
    /// Number of purchases (positive transactions; one per order when order ids are given).
    pub purchases: Vec<u32>,
    /// Purchases per year over the customer's tenure (see [`SummaryConfig`]); 0 without
    /// purchases.
    pub purchases_per_year: Vec<f64>,
    /// Net revenue (refunds deducted).
    pub revenue: Vec<f64>,
    /// Net margin; `None` when the base has no margins.
    pub margin: Option<Vec<f64>>,
    /// Day (days since 1970-01-01) of the first purchase; a placeholder without purchases.
    pub first_purchase: Vec<Day>,
    /// Day of the last purchase; a placeholder without purchases.
    pub last_purchase: Vec<Day>,
    /// RFM scores; [`Rfm::NONE`] without purchases.
    pub rfm: Vec<Rfm>,
}

impl Summary {
    /// The placeholder in `first_purchase` and `last_purchase` for a customer without
    /// purchases. Zero (1970-01-01) as Arrow builders put under a null, so a host can hand
    /// the columns on as they are, with a validity mask from `purchases > 0`.
    pub const NO_PURCHASE_DAY: Day = 0;

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.purchases.len()
    }

    /// True for a base without customers.
    pub fn is_empty(&self) -> bool {
        self.purchases.is_empty()
    }

    /// True when customer `i` made a purchase up to the as-of date; only then are its first
    /// and last purchase days and RFM scores meaningful.
    ///
    /// # Panics
    /// When `i` is not below [`Self::len`] (as every per-customer accessor).
    pub fn has_purchase(&self, i: usize) -> bool {
        self.purchases[i] > 0
    }

    /// Days from customer `i`'s last purchase to the as-of date; `None` without purchases.
    pub fn recency_days(&self, i: usize) -> Option<u32> {
        self.has_purchase(i).then(|| (date_to_day(self.as_of) - self.last_purchase[i]) as u32)
    }

    /// Days from customer `i`'s first purchase to the as-of date; `None` without purchases.
    pub fn tenure_days(&self, i: usize) -> Option<u32> {
        self.has_purchase(i).then(|| (date_to_day(self.as_of) - self.first_purchase[i]) as u32)
    }

    /// Customer `i`'s revenue / purchases; `None` without purchases.
    pub fn average_purchase(&self, i: usize) -> Option<f64> {
        self.has_purchase(i).then(|| self.revenue[i] / self.purchases[i] as f64)
    }

    /// Customer `i`'s RFM scores; `None` without purchases.
    pub fn rfm_of(&self, i: usize) -> Option<Rfm> {
        self.has_purchase(i).then_some(self.rfm[i])
    }

    /// Customer `i`'s row.
    pub fn row(&self, i: usize) -> CustomerSummary {
        self.row_at(i, date_to_day(self.as_of))
    }

    /// Every customer's row, in customer index order (built on the fly).
    pub fn rows(&self) -> impl ExactSizeIterator<Item = CustomerSummary> + DoubleEndedIterator + '_ {
        let today = date_to_day(self.as_of);
        (0..self.len()).map(move |i| self.row_at(i, today))
    }

    fn row_at(&self, i: usize, today: Day) -> CustomerSummary {
        let bought = self.has_purchase(i);
        let (first, last) = (self.first_purchase[i], self.last_purchase[i]);
        CustomerSummary {
            customer: i as CustomerIndex,
            first_purchase: bought.then(|| day_to_date(first)),
            last_purchase: bought.then(|| day_to_date(last)),
            purchases: self.purchases[i],
            purchases_per_year: self.purchases_per_year[i],
            average_purchase: bought.then(|| self.revenue[i] / self.purchases[i] as f64),
            revenue: self.revenue[i],
            margin: self.margin.as_ref().map(|m| m[i]),
            recency_days: bought.then(|| (today - last) as u32),
            tenure_days: bought.then(|| (today - first) as u32),
            rfm: bought.then_some(self.rfm[i]),
        }
    }
}

/// Rows, as the summary is serialized (see [`Summary`]).
impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct Rows<'a>(&'a Summary);
        impl Serialize for Rows<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.rows())
            }
        }
        let mut s = serializer.serialize_struct("Summary", 3)?;
        s.serialize_field("as_of", &self.as_of)?;
        s.serialize_field("customers", &Rows(self))?;
        s.serialize_field("excluded_after_as_of", &self.excluded_after_as_of)?;
        s.end()
    }
}

/// The serialized form: rows in customer index order.
#[derive(Deserialize)]
struct SummaryRows {
    as_of: NaiveDate,
    customers: Vec<CustomerSummary>,
    excluded_after_as_of: usize,
}

impl From<SummaryRows> for Summary {
    fn from(s: SummaryRows) -> Self {
        let rows = &s.customers;
        let day = |d: Option<NaiveDate>| d.map_or(Summary::NO_PURCHASE_DAY, date_to_day);
        let has_margin = rows.first().is_some_and(|r| r.margin.is_some());
        Summary {
            as_of: s.as_of,
            excluded_after_as_of: s.excluded_after_as_of,
            purchases: rows.iter().map(|r| r.purchases).collect(),
            purchases_per_year: rows.iter().map(|r| r.purchases_per_year).collect(),
            revenue: rows.iter().map(|r| r.revenue).collect(),
            margin: has_margin.then(|| rows.iter().map(|r| r.margin.unwrap_or(0.0)).collect()),
            first_purchase: rows.iter().map(|r| day(r.first_purchase)).collect(),
            last_purchase: rows.iter().map(|r| day(r.last_purchase)).collect(),
            rfm: rows.iter().map(|r| r.rfm.unwrap_or(Rfm::NONE)).collect(),
        }
    }
}

/// The columns one thread fills: a range of customers' slots.
struct Columns<'a> {
    purchases: &'a mut [u32],
    purchases_per_year: &'a mut [f64],
    revenue: &'a mut [f64],
    margin: Option<&'a mut [f64]>,
    first_purchase: &'a mut [Day],
    last_purchase: &'a mut [Day],
}

impl SplitAt for Columns<'_> {
    fn split_at(self, mid: usize) -> (Self, Self) {
        let (p0, p1) = self.purchases.split_at(mid);
        let (y0, y1) = self.purchases_per_year.split_at(mid);
        let (r0, r1) = self.revenue.split_at(mid);
        let (m0, m1) = self.margin.split_at(mid);
        let (f0, f1) = self.first_purchase.split_at(mid);
        let (l0, l1) = self.last_purchase.split_at(mid);
        (
            Columns {
                purchases: p0,
                purchases_per_year: y0,
                revenue: r0,
                margin: m0,
                first_purchase: f0,
                last_purchase: l0,
            },
            Columns {
                purchases: p1,
                purchases_per_year: y1,
                revenue: r1,
                margin: m1,
                first_purchase: f1,
                last_purchase: l1,
            },
        )
    }
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
    /// let row = s.row(0);
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
    /// [`crate::Error::InvalidConfig`] for an invalid config.
    pub fn summary_with(&self, as_of: NaiveDate, config: &SummaryConfig) -> Result<Summary> {
        config.validate()?;
        let today = date_to_day(as_of);
        let n = self.len();
        let min_span = config.min_span_days as f64;
        // Zeroed columns (fresh pages from the allocator), filled on all threads: one pass
        // per customer range writes every column and counts the later transactions.
        let mut s = Summary {
            as_of,
            excluded_after_as_of: 0,
            purchases: vec![0; n],
            purchases_per_year: vec![0.0; n],
            revenue: vec![0.0; n],
            margin: self.has_margin().then(|| vec![0.0; n]),
            first_purchase: vec![Summary::NO_PURCHASE_DAY; n],
            last_purchase: vec![Summary::NO_PURCHASE_DAY; n],
            rfm: Vec::new(),
        };
        let columns = Columns {
            purchases: &mut s.purchases,
            purchases_per_year: &mut s.purchases_per_year,
            revenue: &mut s.revenue,
            margin: s.margin.as_deref_mut(),
            first_purchase: &mut s.first_purchase,
            last_purchase: &mut s.last_purchase,
        };
        // One customer's row of the columns from its history.
        let put = |out: &mut Columns<'_>, k: usize, h: &crate::history::History| {
            // The placeholders rest on this: a purchase count without a first purchase day
            // (or the reverse) cannot happen.
            debug_assert_eq!(h.purchases > 0, h.first_day.is_some());
            let tenure = h.first_day.map(|d| (today - d) as u32);
            let span = tenure.map_or(min_span, |t| (t as f64).max(min_span));
            out.purchases[k] = h.purchases;
            out.purchases_per_year[k] = h.purchases as f64 * DAYS_PER_YEAR / span;
            out.revenue[k] = h.revenue;
            if let Some(m) = out.margin.as_deref_mut() {
                m[k] = h.margin;
            }
            if let (Some(first), Some(last)) = (h.first_day, h.last_day) {
                out.first_purchase[k] = first;
                out.last_purchase[k] = last;
            }
        };
        // Transactions not grouped yet (a base built for this question): one pass over them.
        let pass = self.transaction_store().with_ungrouped(|u| histories_of_rows(u, today)).flatten();
        s.excluded_after_as_of = match pass {
            Some((histories, later)) => {
                fill_ranges(customer_ranges(n), columns, |customers, mut out| {
                    for (k, c) in customers.enumerate() {
                        put(&mut out, k, &histories.get(c));
                    }
                });
                later
            }
            None => {
                let tx = self.transactions();
                let excluded = fill_ranges(customer_ranges(n), columns, |customers, mut out| {
                    let mut scratch = Vec::new();
                    let mut excluded = 0;
                    for (k, c) in customers.enumerate() {
                        let all = tx.of(c as CustomerIndex);
                        let t = all.until(today);
                        excluded += all.len() - t.len();
                        put(&mut out, k, &scan(&t, &mut scratch));
                    }
                    excluded
                });
                excluded.into_iter().sum()
            }
        };
        s.rfm = score_rfm(&s, today);
        Ok(s)
    }
}

/// The RFM scores of the customers with purchases ([`Rfm::NONE`] for the others).
fn score_rfm(s: &Summary, today: Day) -> Vec<Rfm> {
    let buyers = || (0..s.len()).filter(|&i| s.purchases[i] > 0);
    let n = s.purchases.iter().filter(|&&p| p > 0).count();
    // Each ranking reads its keys straight from the columns (no copy of the values).
    // Fewer days since the last purchase is better: rank the negated recency.
    let recency =
        || quantile_scores_of(|| buyers().map(|i| ordered_bits(-((today - s.last_purchase[i]) as u32 as f64))), n, 5);
    let frequency = || quantile_scores_of(|| buyers().map(|i| ordered_bits(s.purchases[i] as f64)), n, 5);
    let monetary = || quantile_scores_of(|| buyers().map(|i| ordered_bits(s.revenue[i])), n, 5);
    // Three independent rankings: side by side when large enough to pay for threads.
    let (r, f, m) = if n < 50_000 || crate::parallel::threads() == 1 {
        (recency(), frequency(), monetary())
    } else {
        let ((r, f), m) = crate::parallel::join(|| crate::parallel::join(recency, frequency), monetary);
        (r, f, m)
    };
    let mut rfm = vec![Rfm::NONE; s.len()];
    for (k, i) in buyers().enumerate() {
        rfm[i] = Rfm { r: r[k], f: f[k], m: m[k] };
    }
    rfm
}
