//! Customer flows for a period (DOMAIN.md section 2): the base as a stock with flows in
//! and out, so that the books always balance.
//!
//! # Accounting
//!
//! A customer is *in the base* at the end of a day when it has bought on or before that
//! day and its last purchase is less than `inactivity_days` old (else it is lost). For a
//! period `[start, end)`, compare each customer's state at the end of the day before
//! `start` with its state at the end of the day before `end`:
//!
//! | at start | at end | counted as |
//! |---|---|---|
//! | in | in | stayed (`lost_and_won_back` if it lapsed and returned inside the period) |
//! | in | out | `lost` |
//! | out | in | `new` (first purchase in the period) or `won_back` (bought before) |
//! | out | out | not counted, but shown: `new_and_lost`, `won_back_and_lost` if it bought in the period |
//!
//! so `base_at_start + new + won_back - lost = base_at_end` exactly, and customers who
//! churned and came back inside the period are shown separately, never double counted.

use crate::base::CustomerBase;
use crate::error::{Error, Result};
use crate::history::{in_base, purchase_days, scan};
use crate::parallel::fold_chunks;
use crate::segments::{SegmentConfig, UNRANKED, membership};
use crate::time::{DAYS_PER_YEAR, Day, date_to_day};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Which base the average duration divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationBase {
    /// The base at the start of the period.
    Start,
    /// The base at the end of the period.
    End,
    /// The mean of the two.
    Average,
}

/// How flows are counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlowConfig {
    /// Lost after this many days without a purchase, 1..=36 500
    /// ([`crate::time::MAX_DAYS`]). Default 365.
    pub inactivity_days: u32,
    /// The base for the average duration. Default the average of start and end.
    pub duration_base: DurationBase,
    /// Also count flows per value segment (segments at the start and end of the period).
    /// Default true.
    pub by_segment: bool,
    /// The segment rules for `by_segment`.
    pub segments: SegmentConfig,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            inactivity_days: 365,
            duration_base: DurationBase::Average,
            by_segment: true,
            segments: SegmentConfig::default(),
        }
    }
}

impl FlowConfig {
    /// Checks the config.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an inactivity window outside
    /// 1..=[`crate::time::MAX_DAYS`] or invalid segment rules.
    pub fn validate(&self) -> Result<()> {
        crate::time::check_days("inactivity_days", self.inactivity_days, 1)?;
        self.segments.validate()
    }
}

/// Revenue and margin brought or lost by a flow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowValue {
    /// Net revenue.
    pub revenue: f64,
    /// Net margin (0 when the base has no margins).
    pub margin: f64,
}

impl FlowValue {
    fn add(&mut self, o: FlowValue) {
        self.revenue += o.revenue;
        self.margin += o.margin;
    }
}

/// Flows of one value segment: the base and the lost by the segment at the start; the
/// base, new and won back by the segment at the end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentFlows {
    /// `top`, `middle`, `bottom` or `unranked`.
    pub segment: String,
    /// Customers in the base at the start, in this segment then.
    pub base_at_start: u64,
    /// Of those, lost by the end.
    pub lost: u64,
    /// Customers in the base at the end, in this segment then.
    pub base_at_end: u64,
    /// New customers in this segment at the end.
    pub new: u64,
    /// Won-back customers in this segment at the end.
    pub won_back: u64,
}

/// The flows of one period `[start, end)`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowReport {
    /// First day of the period.
    pub start: Option<NaiveDate>,
    /// First day after the period.
    pub end: Option<NaiveDate>,
    /// In the base at the start.
    pub base_at_start: u64,
    /// First purchase in the period and in the base at the end.
    pub new: u64,
    /// Of the new: bought again (by the end of the period).
    pub new_active: u64,
    /// Of the new: one purchase only (starters).
    pub new_starters: u64,
    /// Lost at the start (had bought before), in the base at the end.
    pub won_back: u64,
    /// In the base at the start, lost at the end.
    pub lost: u64,
    /// In the base at the end.
    pub base_at_end: u64,
    /// In the base at both ends, but lapsed and came back inside the period.
    pub lost_and_won_back: u64,
    /// First purchase in the period, lost again by its end.
    pub new_and_lost: u64,
    /// Came back in the period and lapsed again by its end.
    pub won_back_and_lost: u64,
    /// lost / base at start (`None` for an empty base).
    pub churn_rate: Option<f64>,
    /// (base at start - lost) / base at start: 1 - churn rate.
    pub retention_rate: Option<f64>,
    /// Average duration in years: base / customers lost per year (`None` without losses).
    pub duration_years: Option<f64>,
    /// Revenue and margin of the new customers in the period.
    pub new_value: FlowValue,
    /// Revenue and margin of the won-back customers in the period.
    pub won_back_value: FlowValue,
    /// Revenue and margin of the lost customers in their last year (the
    /// `inactivity_days` up to their last purchase).
    pub lost_value: FlowValue,
    /// Revenue and margin of the customers who stayed, in the period.
    pub stayed_value: FlowValue,
    /// Flows per value segment (empty unless `by_segment`).
    pub by_segment: Vec<SegmentFlows>,
}

impl FlowReport {
    /// True when `base_at_start + new + won_back - lost == base_at_end`.
    pub fn balances(&self) -> bool {
        self.base_at_start + self.new + self.won_back == self.base_at_end + self.lost
    }
}

/// Calendar period length of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar months.
    Month,
    /// Three months.
    Quarter,
    /// Twelve months.
    Year,
}

impl Period {
    /// The date one period after `d` (month ends clamp: Jan 31 + 1 month = Feb 28/29).
    pub fn after(self, d: NaiveDate) -> NaiveDate {
        let m = match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::Year => 12,
        };
        d.checked_add_months(Months::new(m)).unwrap_or(NaiveDate::MAX)
    }
}

/// The average duration in years: `base / (lost per year)`.
///
/// ```
/// // Deck 001: a base of 2200 customers losing 700 a year stays 3.1 years on average.
/// let d = crm_core::flows::average_duration(2200.0, 700.0, 365.25).unwrap();
/// assert!((d - 3.142857).abs() < 1e-6);
/// ```
pub fn average_duration(base: f64, lost: f64, period_days: f64) -> Option<f64> {
    let per_year = lost * DAYS_PER_YEAR / period_days;
    (per_year > 0.0).then(|| base / per_year)
}

impl CustomerBase {
    /// Flows for the period `[start, end)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::{CustomerBase, TransactionColumns, flows::FlowConfig, time::date_to_seconds};
    /// let d = |s: &str| date_to_seconds(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
    /// let base = CustomerBase::from_transactions(TransactionColumns::new(
    ///     vec![1_i64, 2, 3].into(),
    ///     vec![d("2023-06-01"), d("2022-06-01"), d("2024-03-01")],
    ///     vec![10.0, 10.0, 10.0],
    /// ))?;
    /// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    /// let f = base.flows(start, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), &FlowConfig::default())?;
    /// // 1 was in the base and lapsed in 2024; 3 is new; 2 was lost before 2024.
    /// assert_eq!((f.base_at_start, f.new, f.lost, f.base_at_end), (1, 1, 1, 1));
    /// assert!(f.balances());
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `end` is not after `start` or the config is invalid.
    pub fn flows(&self, start: NaiveDate, end: NaiveDate, config: &FlowConfig) -> Result<FlowReport> {
        Ok(self.flow_periods(&[start, end], config)?.remove(0))
    }

    /// Flows for `count` consecutive periods of length `period` starting on `start`.
    ///
    /// # Errors
    /// As [`Self::flows`]; `count` must lie in 1..=[`crate::time::MAX_PERIODS`].
    pub fn flow_series(
        &self,
        start: NaiveDate,
        period: Period,
        count: usize,
        config: &FlowConfig,
    ) -> Result<Vec<FlowReport>> {
        self.flow_periods(&period_bounds(start, period, count)?, config)
    }

    /// Flows for consecutive periods between the given boundaries (ascending).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for fewer than two boundaries, boundaries not strictly
    /// ascending, or an invalid config.
    pub fn flow_periods(&self, bounds: &[NaiveDate], config: &FlowConfig) -> Result<Vec<FlowReport>> {
        config.validate()?;
        check_bounds(bounds)?;
        let days: Vec<Day> = bounds.iter().map(|&d| date_to_day(d)).collect();
        // Segment membership at the end of the day before each boundary.
        let members: Vec<Vec<u8>> = if config.by_segment {
            let ends: Vec<Day> = days.iter().map(|&d| d - 1).collect();
            membership(self, &ends, &config.segments).into_iter().map(|m| m.0).collect()
        } else {
            Vec::new()
        };
        let mut out = flow_counts(self, bounds, config, &members);
        for o in &mut out {
            finish_rates(o, config.duration_base);
        }
        Ok(out)
    }
}

/// The flows' counts and values of consecutive periods (rates not finished), with each
/// customer's segment code at the end of the day before each boundary in `members` (one
/// code vector per boundary when `config.by_segment`, else none).
pub(crate) fn flow_counts(
    base: &CustomerBase,
    bounds: &[NaiveDate],
    config: &FlowConfig,
    members: &[Vec<u8>],
) -> Vec<FlowReport> {
    let days: Vec<Day> = bounds.iter().map(|&d| date_to_day(d)).collect();
    let periods = days.len() - 1;
    let window = config.inactivity_days as Day;
    let tx = base.transactions();
    let parts = fold_chunks(base.len(), |range| {
        let mut acc = vec![FlowReport::default(); periods];
        for r in &mut acc {
            r.by_segment = if config.by_segment { segment_rows() } else { Vec::new() };
        }
        let (mut pdays, mut scratch) = (Vec::new(), Vec::new());
        for c in range {
            let all = tx.of(c).until(days[periods] - 1);
            if all.is_empty() {
                continue;
            }
            purchase_days(&all, &mut pdays);
            for p in 0..periods {
                let (s, e) = (days[p], days[p + 1]);
                let seg = |k: usize| members.get(k).map_or(UNRANKED, |m| m[c as usize]) as usize;
                count_customer(&mut acc[p], &all, &pdays, s, e, window, &mut scratch, seg(p), seg(p + 1));
            }
        }
        acc
    });
    let mut out: Vec<FlowReport> = (0..periods)
        .map(|p| FlowReport {
            start: Some(bounds[p]),
            end: Some(bounds[p + 1]),
            by_segment: if config.by_segment { segment_rows() } else { Vec::new() },
            ..Default::default()
        })
        .collect();
    for part in parts {
        for (o, a) in out.iter_mut().zip(part) {
            merge(o, &a);
        }
    }
    out
}

/// Checks period boundaries: at least two, strictly ascending.
pub(crate) fn check_bounds(bounds: &[NaiveDate]) -> Result<()> {
    if bounds.len() < 2 {
        return Err(Error::config("periods", "need a start and an end date"));
    }
    if let Some(w) = bounds.windows(2).find(|w| w[1] <= w[0]) {
        return Err(Error::config("periods", format!("end {} is not after start {}", w[1], w[0])));
    }
    Ok(())
}

/// The boundaries of `count` consecutive periods of length `period` from `start`.
///
/// # Errors
/// [`Error::InvalidConfig`] unless `count` lies in 1..=[`crate::time::MAX_PERIODS`].
pub fn period_bounds(start: NaiveDate, period: Period, count: usize) -> Result<Vec<NaiveDate>> {
    crate::time::check_periods("count", count)?;
    let mut bounds = vec![start];
    for _ in 0..count {
        bounds.push(period.after(*bounds.last().expect("non-empty")));
    }
    Ok(bounds)
}

/// The rates and the average duration of a report whose counts are complete.
pub(crate) fn finish_rates(o: &mut FlowReport, duration_base: DurationBase) {
    let base = o.base_at_start as f64;
    o.churn_rate = (o.base_at_start > 0).then(|| o.lost as f64 / base);
    o.retention_rate = (o.base_at_start > 0).then(|| (o.base_at_start - o.lost) as f64 / base);
    let denominator = match duration_base {
        DurationBase::Start => base,
        DurationBase::End => o.base_at_end as f64,
        DurationBase::Average => (base + o.base_at_end as f64) / 2.0,
    };
    let days = match (o.start, o.end) {
        (Some(s), Some(e)) => (date_to_day(e) - date_to_day(s)) as f64,
        _ => 0.0,
    };
    o.duration_years = average_duration(denominator, o.lost as f64, days);
}

fn segment_rows() -> Vec<SegmentFlows> {
    ["top", "middle", "bottom", "unranked"]
        .iter()
        .map(|s| SegmentFlows { segment: (*s).to_owned(), ..Default::default() })
        .collect()
}

/// Adds one customer's flows in `[s, e)` to `r`.
#[allow(clippy::too_many_arguments)]
fn count_customer(
    r: &mut FlowReport,
    all: &crate::transaction::CustomerTransactions<'_>,
    pdays: &[Day],
    s: Day,
    e: Day,
    window: Day,
    scratch: &mut Vec<u32>,
    seg_start: usize,
    seg_end: usize,
) {
    let s0 = in_base(pdays, s - 1, window);
    let s1 = in_base(pdays, e - 1, window);
    let (a, b) = (pdays.partition_point(|&d| d < s), pdays.partition_point(|&d| d < e));
    let bought_before = a > 0;
    let bought_in = b > a;
    // Revenue and margin on days in [from, to).
    let value_between = |from: Day, to: Day| {
        let (i, j) = (all.first_on_or_after(from), all.first_on_or_after(to));
        FlowValue { revenue: all.amount.range(i..j).sum(), margin: all.margin.map_or(0.0, |m| m[i..j].iter().sum()) }
    };
    let value_in = || value_between(s, e);
    if s0 {
        r.base_at_start += 1;
        if let Some(x) = r.by_segment.get_mut(seg_start) {
            x.base_at_start += 1;
        }
    }
    if s1 {
        r.base_at_end += 1;
        if let Some(x) = r.by_segment.get_mut(seg_end) {
            x.base_at_end += 1;
        }
    }
    match (s0, s1) {
        (true, true) => {
            // A gap of a whole window ending inside the period: lapsed and came back.
            if (a.max(1)..b).any(|k| pdays[k] - pdays[k - 1] >= window) {
                r.lost_and_won_back += 1;
            }
            r.stayed_value.add(value_in());
        }
        (true, false) => {
            r.lost += 1;
            if let Some(x) = r.by_segment.get_mut(seg_start) {
                x.lost += 1;
            }
            // The last purchase before the lapse, and the year up to it.
            let last = pdays[b - 1];
            r.lost_value.add(value_between(last - window + 1, last + 1));
        }
        (false, true) if !bought_before => {
            r.new += 1;
            if let Some(x) = r.by_segment.get_mut(seg_end) {
                x.new += 1;
            }
            let upto = all.until(e - 1);
            if scan(&upto, scratch).purchases >= 2 {
                r.new_active += 1;
            } else {
                r.new_starters += 1;
            }
            r.new_value.add(value_in());
        }
        (false, true) => {
            r.won_back += 1;
            if let Some(x) = r.by_segment.get_mut(seg_end) {
                x.won_back += 1;
            }
            r.won_back_value.add(value_in());
        }
        (false, false) if bought_in && !bought_before => r.new_and_lost += 1,
        (false, false) if bought_in => r.won_back_and_lost += 1,
        (false, false) => {}
    }
}

/// Adds the counts and values of `a` to `o` (rates are left for [`finish_rates`]).
pub(crate) fn merge(o: &mut FlowReport, a: &FlowReport) {
    o.base_at_start += a.base_at_start;
    o.new += a.new;
    o.new_active += a.new_active;
    o.new_starters += a.new_starters;
    o.won_back += a.won_back;
    o.lost += a.lost;
    o.base_at_end += a.base_at_end;
    o.lost_and_won_back += a.lost_and_won_back;
    o.new_and_lost += a.new_and_lost;
    o.won_back_and_lost += a.won_back_and_lost;
    o.new_value.add(a.new_value);
    o.won_back_value.add(a.won_back_value);
    o.lost_value.add(a.lost_value);
    o.stayed_value.add(a.stayed_value);
    for (x, y) in o.by_segment.iter_mut().zip(&a.by_segment) {
        x.base_at_start += y.base_at_start;
        x.lost += y.lost;
        x.base_at_end += y.base_at_end;
        x.new += y.new;
        x.won_back += y.won_back;
    }
}
