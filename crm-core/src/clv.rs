//! Customer lifetime value (DOMAIN.md section 1): the three levers (purchases per year,
//! average purchase, duration), discounted margin and NPV after acquisition cost, the
//! retention-based CLV, and scenario comparison.

use crate::base::CustomerBase;
use crate::customer::CustomerIndex;
use crate::error::{Error, Result};
use crate::flows::FlowConfig;
use crate::segments::SegmentConfig;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Checks a formula argument: finite, and at least `min` when given.
fn number(field: &str, v: f64, min: Option<f64>) -> Result<f64> {
    if !v.is_finite() || min.is_some_and(|m| v < m) {
        let domain = min.map_or("a finite number".to_owned(), |m| format!("a finite number >= {m}"));
        return Err(Error::config(field, format!("{v} is not {domain}")));
    }
    Ok(v)
}

/// Checks a retention rate: in [0, 1].
fn rate(field: &str, v: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&v) {
        return Err(Error::config(field, format!("{v} is not a rate in [0, 1]")));
    }
    Ok(v)
}

/// Lifetime revenue: purchases per year x average purchase x duration in years.
///
/// ```
/// assert_eq!(crm_core::clv::simple_clv(5.0, 1000.0, 2.5)?, 12_500.0);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidConfig`] naming the argument: a non-finite argument, or negative
/// purchases per year or duration.
pub fn simple_clv(purchases_per_year: f64, average_purchase: f64, duration_years: f64) -> Result<f64> {
    Ok(number("purchases_per_year", purchases_per_year, Some(0.0))?
        * number("average_purchase", average_purchase, None)?
        * number("duration_years", duration_years, Some(0.0))?)
}

/// Discounted value of a yearly margin earned at the end of each year for `duration_years`
/// (an annuity; a fractional last year counts pro rata): `m (1 - (1+d)^-T) / d`, and
/// `m T` when `d = 0`.
///
/// ```
/// let v = crm_core::clv::discounted_clv(100.0, 2.0, 0.1)?;
/// assert!((v - (100.0 / 1.1 + 100.0 / 1.21)).abs() < 1e-9);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidConfig`] naming the argument: a non-finite argument, a negative
/// duration or discount.
pub fn discounted_clv(yearly_margin: f64, duration_years: f64, discount: f64) -> Result<f64> {
    Ok(annuity(
        number("yearly_margin", yearly_margin, None)?,
        number("duration_years", duration_years, Some(0.0))?,
        number("discount", discount, Some(0.0))?,
    ))
}

/// [`discounted_clv`] of checked arguments.
fn annuity(yearly_margin: f64, duration_years: f64, discount: f64) -> f64 {
    if discount == 0.0 {
        yearly_margin * duration_years
    } else {
        yearly_margin * (1.0 - (1.0 + discount).powf(-duration_years)) / discount
    }
}

/// Retention-based CLV: `m r / (1 + d - r)`, the value of a margin `m` a year kept with
/// probability `r` each year, discounted at `d` (margins at the end of each retained year).
///
/// ```
/// // m = 100, r = 0.8, d = 0.1: 100 x 0.8 / 0.3
/// assert!((crm_core::clv::retention_clv(100.0, 0.8, 0.1)? - 80.0 / 0.3).abs() < 1e-9);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// As [`check_retention_clv`].
pub fn retention_clv(margin: f64, retention: f64, discount: f64) -> Result<f64> {
    check_retention_clv(margin, retention, discount)?;
    Ok(margin * retention / (1.0 + discount - retention))
}

/// Checks the arguments of [`retention_clv`] (and [`retention_sensitivity`]).
///
/// # Errors
/// [`Error::InvalidConfig`] naming the argument: a non-finite margin, a retention outside
/// [0, 1], a negative or non-finite discount, or retention 1 without discount (no finite
/// value).
pub fn check_retention_clv(margin: f64, retention: f64, discount: f64) -> Result<()> {
    number("margin", margin, None)?;
    rate("retention", retention)?;
    number("discount", discount, Some(0.0))?;
    if retention == 1.0 && discount == 0.0 {
        return Err(Error::config("retention", "1 without discount has no finite value"));
    }
    Ok(())
}

/// How the retention-based CLV changes when retention rises by `delta` (e.g. 0.05, the
/// decks' "+5 % retention").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RetentionSensitivity {
    /// Retention before.
    pub retention: f64,
    /// Retention after (capped below 1).
    pub retention_after: f64,
    /// CLV before.
    pub clv: f64,
    /// CLV after.
    pub clv_after: f64,
    /// clv_after / clv - 1.
    pub change: f64,
}

/// The effect of a retention change on the retention-based CLV. `relative` = true reads
/// `delta` as a share of the current retention (0.8 x 1.05), false as points (0.8 + 0.05).
/// The arguments are not checked: check them with [`check_retention_clv`] first.
///
/// ```
/// let s = crm_core::clv::retention_sensitivity(100.0, 0.8, 0.1, 0.05, false);
/// // 0.85 / 0.25 vs 0.8 / 0.3: +27.5 %
/// assert!((s.change - (0.85 / 0.25) / (0.8 / 0.3) + 1.0).abs() < 1e-12);
/// ```
pub fn retention_sensitivity(
    margin: f64,
    retention: f64,
    discount: f64,
    delta: f64,
    relative: bool,
) -> RetentionSensitivity {
    let after = if relative { retention * (1.0 + delta) } else { retention + delta }.min(1.0 - 1e-9);
    let clv = |r: f64| margin * r / (1.0 + discount - r);
    let (a, b) = (clv(retention), clv(after));
    RetentionSensitivity {
        retention,
        retention_after: after,
        clv: a,
        clv_after: b,
        change: if a == 0.0 { 0.0 } else { b / a - 1.0 },
    }
}

/// A portfolio described by the three levers and the customer count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Customers in the base.
    pub customers: f64,
    /// Purchases per customer and year.
    pub purchases_per_year: f64,
    /// Average purchase.
    pub average_purchase: f64,
    /// Expected duration in years.
    pub duration_years: f64,
}

impl Scenario {
    /// Checks that every lever is a finite number >= 0.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        number("customers", self.customers, Some(0.0))?;
        number("purchases_per_year", self.purchases_per_year, Some(0.0))?;
        number("average_purchase", self.average_purchase, Some(0.0))?;
        number("duration_years", self.duration_years, Some(0.0))?;
        Ok(())
    }

    /// Lifetime revenue of one customer.
    pub fn clv(&self) -> f64 {
        self.purchases_per_year * self.average_purchase * self.duration_years
    }

    /// Lifetime revenue of the portfolio: CLV x customers.
    pub fn portfolio_value(&self) -> f64 {
        self.clv() * self.customers
    }
}

/// Two scenarios side by side: each lever's factor and the total change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioComparison {
    /// The first scenario.
    pub before: Scenario,
    /// The second.
    pub after: Scenario,
    /// after / before per lever: customers, purchases per year, average purchase, duration.
    pub factors: [f64; 4],
    /// Portfolio value change, after / before - 1.
    pub change: f64,
    /// CLV change per customer, after / before - 1.
    pub clv_change: f64,
}

/// Compares two scenarios.
///
/// ```
/// use crm_core::clv::{compare, Scenario};
/// // Deck 001: 5 -> 5.9 purchases a year, 2.5 -> 2.9 years, 830 -> 810 customers and an
/// // average purchase up 16.8 % give +56 % portfolio lifetime revenue.
/// let before = Scenario { customers: 830.0, purchases_per_year: 5.0, average_purchase: 1000.0, duration_years: 2.5 };
/// let after = Scenario { customers: 810.0, purchases_per_year: 5.9, average_purchase: 1168.0, duration_years: 2.9 };
/// let c = compare(&before, &after);
/// assert!((c.change - 0.56).abs() < 0.001);
/// ```
pub fn compare(before: &Scenario, after: &Scenario) -> ScenarioComparison {
    let r = |a: f64, b: f64| if a == 0.0 { f64::NAN } else { b / a };
    ScenarioComparison {
        before: *before,
        after: *after,
        factors: [
            r(before.customers, after.customers),
            r(before.purchases_per_year, after.purchases_per_year),
            r(before.average_purchase, after.average_purchase),
            r(before.duration_years, after.duration_years),
        ],
        change: r(before.portfolio_value(), after.portfolio_value()) - 1.0,
        clv_change: r(before.clv(), after.clv()) - 1.0,
    }
}

/// How CLV is computed from a base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClvConfig {
    /// Expected duration in years; `None` = from the flows of the year up to the as-of
    /// date (base / customers lost per year).
    pub duration_years: Option<f64>,
    /// Yearly discount rate. Default 0.10.
    pub discount_rate: f64,
    /// Flow rules (inactivity window) for the duration and retention.
    pub flows: FlowConfig,
    /// Segment rules for the per-segment table.
    pub segments: SegmentConfig,
}

impl Default for ClvConfig {
    fn default() -> Self {
        ClvConfig {
            duration_years: None,
            discount_rate: 0.10,
            flows: FlowConfig { by_segment: false, ..Default::default() },
            segments: SegmentConfig::default(),
        }
    }
}

/// One customer's CLV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerClv {
    /// The customer.
    pub customer: crate::CustomerIndex,
    /// In the base (bought, not lost) at the as-of date.
    pub in_base: bool,
    /// Purchases per year (from the summary).
    pub purchases_per_year: f64,
    /// Average purchase.
    pub average_purchase: f64,
    /// purchases per year x average purchase.
    pub yearly_revenue: f64,
    /// purchases per year x average margin per purchase (`None` without margins).
    pub yearly_margin: Option<f64>,
    /// Lifetime revenue: yearly revenue x duration.
    pub clv: f64,
    /// Discounted lifetime margin (`None` without margins).
    pub discounted_margin: Option<f64>,
    /// Acquisition cost from the customer table, when known.
    pub acquisition_cost: Option<f64>,
    /// Discounted lifetime margin - acquisition cost, when both are known.
    pub npv: Option<f64>,
}

/// CLV totals for a group of customers (a segment, a channel, the portfolio).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClvGroup {
    /// Group name.
    pub group: String,
    /// Customers in the group (in the base).
    pub customers: u64,
    /// Sum of lifetime revenue.
    pub clv: f64,
    /// Mean lifetime revenue per customer.
    pub mean_clv: f64,
    /// Sum of discounted lifetime margin (0 without margins).
    pub discounted_margin: f64,
    /// Customers with a known NPV.
    pub with_npv: u64,
    /// Sum of NPV over those.
    pub npv: f64,
    /// Mean NPV over those (`None` when none is known).
    pub mean_npv: Option<f64>,
}

impl ClvGroup {
    fn add(&mut self, c: &CustomerClv) {
        self.customers += 1;
        self.clv += c.clv;
        self.discounted_margin += c.discounted_margin.unwrap_or(0.0);
        if let Some(n) = c.npv {
            self.with_npv += 1;
            self.npv += n;
        }
    }

    fn merge(&mut self, other: &ClvGroup) {
        self.customers += other.customers;
        self.clv += other.clv;
        self.discounted_margin += other.discounted_margin;
        self.with_npv += other.with_npv;
        self.npv += other.npv;
    }

    fn finish(mut self) -> Self {
        self.mean_clv = if self.customers == 0 { 0.0 } else { self.clv / self.customers as f64 };
        self.mean_npv = (self.with_npv > 0).then(|| self.npv / self.with_npv as f64);
        self
    }
}

/// CLV per customer, per segment, per acquisition channel and for the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Duration used, in years.
    pub duration_years: f64,
    /// Yearly retention rate of the base over the last year (from the flows), if known.
    pub retention_rate: Option<f64>,
    /// The discount rate used.
    pub discount_rate: f64,
    /// One row per customer with a purchase.
    pub customers: Vec<CustomerClv>,
    /// Top / middle / bottom (customers in the base).
    pub by_segment: Vec<ClvGroup>,
    /// Per acquisition channel (customers in the base with a known channel).
    pub by_channel: Vec<ClvGroup>,
    /// All customers in the base.
    pub portfolio: ClvGroup,
    /// The portfolio's levers as a scenario.
    pub scenario: Scenario,
}

impl ClvConfig {
    /// Checks the discount rate and a given duration.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a negative or non-finite discount rate or duration.
    pub(crate) fn check(&self) -> Result<()> {
        if !(self.discount_rate >= 0.0 && self.discount_rate.is_finite()) {
            return Err(Error::config("discount_rate", format!("{} is not a rate >= 0", self.discount_rate)));
        }
        match self.duration_years {
            Some(d) if !(d.is_finite() && d >= 0.0) => {
                Err(Error::config("duration_years", format!("{d} is not a duration >= 0")))
            }
            _ => Ok(()),
        }
    }
}

impl CustomerBase {
    /// CLV as of a date.
    ///
    /// Per customer: lifetime revenue = purchases per year x average purchase x duration;
    /// discounted lifetime margin by [`discounted_clv`]; NPV = that - acquisition cost.
    /// Groups and the portfolio count customers in the base (bought, not lost).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a negative or non-finite discount rate or duration;
    /// [`Error::MissingData`] when no duration is given and no customer was lost in the
    /// last year (the duration cannot be estimated).
    pub fn clv(&self, as_of: NaiveDate, config: &ClvConfig) -> Result<ClvReport> {
        config.check()?;
        let start = as_of - chrono::Months::new(12) + chrono::Days::new(1);
        let flows = self.flows(start, as_of + chrono::Days::new(1), &config.flows)?;
        let duration = match config.duration_years {
            Some(d) => d,
            None => flows.duration_years.ok_or_else(|| {
                Error::MissingData(
                    "no customer was lost in the last year, so the duration cannot be estimated: give duration_years"
                        .into(),
                )
            })?,
        };
        let summary = self.summary(as_of)?;
        let segments = self.segments(as_of, &config.segments)?;
        let (customers, sums) = self.clv_rows(&summary, &segments.segment, duration, config);
        let (by_segment, by_channel, portfolio, scenario) = sums.finish(duration);
        Ok(ClvReport {
            as_of,
            duration_years: duration,
            retention_rate: flows.retention_rate,
            discount_rate: config.discount_rate,
            customers,
            by_segment,
            by_channel,
            portfolio,
            scenario,
        })
    }

    /// Each buyer's CLV and the group sums, given each customer's value segment (over all
    /// customers, on a cluster) and the duration.
    pub(crate) fn clv_rows(
        &self,
        summary: &crate::Summary,
        segment: &[Option<crate::ValueSegment>],
        duration: f64,
        config: &ClvConfig,
    ) -> (Vec<CustomerClv>, ClvSums) {
        let d = config.discount_rate;
        let mut customers = Vec::new();
        let mut sums = ClvSums::default();
        for c in (0..summary.len()).filter(|&c| summary.has_purchase(c)) {
            let customer = c as CustomerIndex;
            let (per_year, bought) = (summary.purchases_per_year[c], summary.purchases[c]);
            // In the base: bought within the inactivity window (the flows' definition).
            let in_base = summary.recency_days(c).is_some_and(|r| r < config.flows.inactivity_days);
            let avg = summary.average_purchase(c).unwrap_or(0.0);
            let yearly_revenue = per_year * avg;
            let yearly_margin = summary.margin.as_ref().map(|m| per_year * m[c] / bought as f64);
            let discounted_margin = yearly_margin.map(|m| annuity(m, duration, d));
            let acquisition_cost = self.profile(customer).and_then(|p| p.acquisition_cost);
            let row = CustomerClv {
                customer,
                in_base,
                purchases_per_year: per_year,
                average_purchase: avg,
                yearly_revenue,
                yearly_margin,
                clv: yearly_revenue * duration,
                discounted_margin,
                acquisition_cost,
                npv: discounted_margin.zip(acquisition_cost).map(|(v, a)| v - a),
            };
            if in_base {
                sums.portfolio.add(&row);
                if let Some(seg) = segment[c] {
                    sums.segments[seg as usize].add(&row);
                }
                if let Some(ch) = self.profile(customer).and_then(|p| p.acquisition_channel.as_ref()) {
                    sums.channels
                        .entry(ch.clone())
                        .or_insert_with(|| ClvGroup { group: ch.clone(), ..Default::default() })
                        .add(&row);
                }
                sums.in_base += 1;
                sums.per_year += per_year;
                sums.purchases += bought as u64;
                sums.revenue += summary.revenue[c];
            }
            customers.push(row);
        }
        (customers, sums)
    }
}

/// The CLV sums of some customers (in the base): per value segment, per channel, the
/// portfolio and the scenario's levers. They add up over any split of the customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClvSums {
    segments: [ClvGroup; 3],
    channels: BTreeMap<String, ClvGroup>,
    portfolio: ClvGroup,
    in_base: u64,
    per_year: f64,
    purchases: u64,
    revenue: f64,
}

impl Default for ClvSums {
    fn default() -> Self {
        let group = |g: &str| ClvGroup { group: g.into(), ..Default::default() };
        ClvSums {
            segments: [group("top"), group("middle"), group("bottom")],
            channels: BTreeMap::new(),
            portfolio: group("portfolio"),
            in_base: 0,
            per_year: 0.0,
            purchases: 0,
            revenue: 0.0,
        }
    }
}

impl ClvSums {
    /// Adds another split's sums.
    pub(crate) fn merge(&mut self, other: &ClvSums) {
        for (a, b) in self.segments.iter_mut().zip(&other.segments) {
            a.merge(b);
        }
        for (name, g) in &other.channels {
            self.channels
                .entry(name.clone())
                .or_insert_with(|| ClvGroup { group: name.clone(), ..Default::default() })
                .merge(g);
        }
        self.portfolio.merge(&other.portfolio);
        self.in_base += other.in_base;
        self.per_year += other.per_year;
        self.purchases += other.purchases;
        self.revenue += other.revenue;
    }

    /// By segment, by channel, the portfolio and its scenario.
    pub(crate) fn finish(self, duration: f64) -> (Vec<ClvGroup>, Vec<ClvGroup>, ClvGroup, Scenario) {
        let n = self.in_base;
        let scenario = Scenario {
            customers: n as f64,
            purchases_per_year: if n == 0 { 0.0 } else { self.per_year / n as f64 },
            average_purchase: if self.purchases == 0 { 0.0 } else { self.revenue / self.purchases as f64 },
            duration_years: duration,
        };
        (
            self.segments.into_iter().map(ClvGroup::finish).collect(),
            self.channels.into_values().map(ClvGroup::finish).collect(),
            self.portfolio.finish(),
            scenario,
        )
    }
}
