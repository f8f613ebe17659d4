//! Value segments (DOMAIN.md section 4): top / middle / bottom by value, ABC analysis by
//! cumulative value share, the customer pyramid, and a segment table with each segment's
//! share of customers, revenue and profit.
//!
//! # Ranking and ties
//!
//! Customers with at least one transaction in the value window are *ranked*: ordered by
//! value, highest first; equal values are ordered by external id, ascending. Segment sizes
//! come from [`crate::rank::split_counts`] (cumulative share x n, rounded half up), so 10
//! customers split 20 / 50 / 30 % are 2 / 5 / 3. Customers with no transaction in the
//! window are not ranked: in the pyramid they are `inactive` (bought before) or
//! `prospect` (never bought).
//!
//! # Profit
//!
//! Profit = margin - cost to serve (the cost of the customer's interactions in the
//! window), so a customer who buys little and calls often shows a negative profit.

use crate::base::CustomerBase;
use crate::customer::CustomerIndex;
use crate::error::{Error, Result};
use crate::parallel::map_ranges;
use crate::rank::{check_shares, split_counts};
use crate::time::{Day, date_to_day, day_of};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What customers are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueMeasure {
    /// Net revenue.
    Revenue,
    /// Net margin (needs margins or cost of goods).
    Margin,
    /// Margin - cost to serve (needs margins).
    Profit,
}

impl ValueMeasure {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            ValueMeasure::Revenue => "revenue",
            ValueMeasure::Margin => "margin",
            ValueMeasure::Profit => "profit",
        }
    }
}

impl std::str::FromStr for ValueMeasure {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "revenue" => Ok(ValueMeasure::Revenue),
            "margin" => Ok(ValueMeasure::Margin),
            "profit" => Ok(ValueMeasure::Profit),
            _ => Err(Error::config("measure", format!("`{s}` is not revenue, margin or profit"))),
        }
    }
}

/// The segmentation rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SegmentConfig {
    /// Shares of top, middle and bottom. Default 0.2 / 0.5 / 0.3 (deck 001).
    pub shares: [f64; 3],
    /// What value ranks customers. Default revenue.
    pub measure: ValueMeasure,
    /// Value over the last N days up to the as-of date; `None` for all history.
    /// Default 365.
    pub window_days: Option<u32>,
    /// ABC class limits as shares of total value: A up to 80 %, B the next 15 %, C the rest.
    pub abc_shares: [f64; 3],
    /// Pyramid shares of top, large, medium, small among ranked customers. Default
    /// 1 / 4 / 15 / 80 % (the classic customer pyramid).
    pub pyramid_shares: [f64; 4],
}

impl Default for SegmentConfig {
    fn default() -> Self {
        SegmentConfig {
            shares: [0.2, 0.5, 0.3],
            measure: ValueMeasure::Revenue,
            window_days: Some(365),
            abc_shares: [0.8, 0.15, 0.05],
            pyramid_shares: [0.01, 0.04, 0.15, 0.8],
        }
    }
}

impl SegmentConfig {
    /// Checks the rules.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field when shares are negative or do not sum
    /// to 1, or the window is 0 days.
    pub fn validate(&self) -> Result<()> {
        check_shares("shares", &self.shares)?;
        check_shares("abc_shares", &self.abc_shares)?;
        check_shares("pyramid_shares", &self.pyramid_shares)?;
        if self.window_days == Some(0) {
            return Err(Error::config("window_days", "must be at least 1 day (or none for all history)"));
        }
        Ok(())
    }
}

/// Top / middle / bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum ValueSegment {
    /// The top share (default 20 %).
    Top = 0,
    /// The middle share (default 50 %).
    Middle = 1,
    /// The bottom share (default 30 %).
    Bottom = 2,
}

/// ABC class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum AbcClass {
    /// Customers bringing the first 80 % of value (the one crossing 80 % included).
    A = 0,
    /// The next 15 %.
    B = 1,
    /// The rest, and every customer with value <= 0.
    C = 2,
}

/// A layer of the customer pyramid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum PyramidLevel {
    /// Top customers.
    Top = 0,
    /// Large customers.
    Large = 1,
    /// Medium customers.
    Medium = 2,
    /// Small customers.
    Small = 3,
    /// Bought before, not in the window.
    Inactive = 4,
    /// Never bought.
    Prospect = 5,
}

/// One row of a segment table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRow {
    /// Segment name (`top`, `A`, `large`, ...).
    pub segment: String,
    /// Customers in the segment.
    pub customers: usize,
    /// Share of the table's customers.
    pub customer_share: f64,
    /// Revenue in the window.
    pub revenue: f64,
    /// Share of the table's revenue.
    pub revenue_share: f64,
    /// Margin in the window (`None` without margins).
    pub margin: Option<f64>,
    /// Cost to serve in the window.
    pub cost_to_serve: f64,
    /// Margin - cost to serve (`None` without margins).
    pub profit: Option<f64>,
    /// Share of the table's profit (`None` without margins or when total profit is 0).
    pub profit_share: Option<f64>,
    /// Customers whose profit is negative.
    pub negative_profit_customers: usize,
}

/// Per-customer segment data, in customer index order, and the segment tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segments {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The rules used.
    pub config: SegmentConfig,
    /// Value per customer (the measure over the window).
    pub value: Vec<f64>,
    /// Revenue in the window per customer.
    pub revenue: Vec<f64>,
    /// Profit in the window per customer (`None` without margins).
    pub profit: Option<Vec<f64>>,
    /// Rank per customer (0 = most valuable), `None` when not ranked.
    pub rank: Vec<Option<u32>>,
    /// Top / middle / bottom per customer, `None` when not ranked.
    pub segment: Vec<Option<ValueSegment>>,
    /// ABC class per customer, `None` when not ranked.
    pub abc: Vec<Option<AbcClass>>,
    /// Pyramid level per customer.
    pub pyramid: Vec<PyramidLevel>,
    /// Top, middle, bottom (shares of ranked customers).
    pub segment_table: Vec<SegmentRow>,
    /// A, B, C (shares of ranked customers).
    pub abc_table: Vec<SegmentRow>,
    /// Top, large, medium, small, inactive, prospect (shares of all customers).
    pub pyramid_table: Vec<SegmentRow>,
}

#[derive(Debug, Clone, Copy)]
struct Row {
    value: f64,
    revenue: f64,
    margin: f64,
    cost: f64,
    in_window: bool,
    /// Bought on or before the day (true for everyone in the window: only read for those
    /// outside it, to tell inactive customers from prospects).
    ever_bought: bool,
}

impl CustomerBase {
    /// Value segments, ABC classes and pyramid as of a date.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::{CustomerBase, SegmentConfig, ValueSegment, TransactionColumns};
    /// let ids: Vec<i64> = (1..=10).collect();
    /// let amounts: Vec<f64> = (1..=10).map(|v| v as f64 * 100.0).collect();
    /// let base = CustomerBase::from_transactions(TransactionColumns::new(ids.into(), vec![0; 10], amounts))?;
    /// let s = base.segments(NaiveDate::from_ymd_opt(1970, 6, 1).unwrap(), &SegmentConfig::default())?;
    /// let counts: Vec<usize> = s.segment_table.iter().map(|r| r.customers).collect();
    /// assert_eq!(counts, vec![2, 5, 3]);
    /// assert_eq!(s.segment[9], Some(ValueSegment::Top)); // customer 10 bought most
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules; [`Error::MissingData`] when ranking by
    /// margin or profit in a base without margins.
    pub fn segments(&self, as_of: NaiveDate, config: &SegmentConfig) -> Result<Segments> {
        config.validate()?;
        let tx = self.transactions();
        if config.measure != ValueMeasure::Revenue && !tx.has_margin() {
            return Err(Error::MissingData(format!(
                "segments by {:?} need a margin or cost_of_goods column",
                config.measure
            )));
        }
        let rows = customer_values(self, date_to_day(as_of), config);
        Ok(assemble(as_of, config, &rows, tx.has_margin()))
    }
}

/// One customer's revenue, margin and cost to serve in the window ending on `today`, and
/// whether it has any transaction in the window.
#[inline]
fn window_row(
    all: &crate::transaction::CustomerTransactions<'_>,
    i: &crate::interaction::CustomerInteractions<'_>,
    today: Day,
    config: &SegmentConfig,
) -> Row {
    let from: Day = config.window_days.map_or(Day::MIN, |w| today - w as Day + 1);
    let t = all.until(today);
    let first = t.first_on_or_after(from);
    let revenue: f64 = t.amount[first..].iter().sum();
    let margin: f64 = t.margin.map_or(0.0, |m| m[first..].iter().sum());
    let cost: f64 = if i.time.is_empty() {
        0.0
    } else {
        let (a, b) = (i.time.partition_point(|&s| day_of(s) < from), i.time.partition_point(|&s| day_of(s) <= today));
        i.cost[a..b].iter().sum()
    };
    let value = match config.measure {
        ValueMeasure::Revenue => revenue,
        ValueMeasure::Margin => margin,
        ValueMeasure::Profit => margin - cost,
    };
    let in_window = first < t.len();
    // Only read for customers outside the window (see `Row::ever_bought`).
    let ever_bought = in_window || t.amount.iter().any(|&a| a > 0.0);
    Row { value, revenue, margin, cost, in_window, ever_bought }
}

/// Each customer's row for the window ending on `today`.
fn customer_values(base: &CustomerBase, today: Day, config: &SegmentConfig) -> Vec<Row> {
    let (tx, ix) = (base.transactions(), base.interactions());
    map_ranges(base.len(), |range| range.map(|c| window_row(&tx.of(c), &ix.of(c), today, config)).collect())
}

/// Segment membership at the end of each of `days` without a full ranking: per day, each
/// customer's [`ValueSegment`] code (0 top, 1 middle, 2 bottom) or [`UNRANKED`], and its
/// value (NaN when unranked). Same order and tie rule as [`CustomerBase::segments`], found
/// by selection in O(n).
pub(crate) fn membership(base: &CustomerBase, days: &[Day], config: &SegmentConfig) -> Vec<(Vec<u8>, Vec<f64>)> {
    let (tx, ix) = (base.transactions(), base.interactions());
    let n = base.len();
    days.iter()
        .map(|&day| {
            let value: Vec<f64> = map_ranges(n, |range| {
                range
                    .map(|c| {
                        let r = window_row(&tx.of(c), &ix.of(c), day, config);
                        if r.in_window { r.value } else { f64::NAN }
                    })
                    .collect()
            });
            let mut ranked: Vec<u32> = (0..n as u32).filter(|&c| !value[c as usize].is_nan()).collect();
            let order = |a: &u32, b: &u32| value[*b as usize].total_cmp(&value[*a as usize]).then(a.cmp(b));
            let counts = split_counts(ranked.len(), &config.shares);
            let (top, middle) = (counts[0], counts[0] + counts[1]);
            if top > 0 && top < ranked.len() {
                ranked.select_nth_unstable_by(top, order);
            }
            if middle > top && middle < ranked.len() {
                ranked[top..].select_nth_unstable_by(middle - top, order);
            }
            let mut codes = vec![UNRANKED; n];
            for (pos, &c) in ranked.iter().enumerate() {
                codes[c as usize] = if pos < top {
                    0
                } else if pos < middle {
                    1
                } else {
                    2
                };
            }
            (codes, value)
        })
        .collect()
}

/// Membership code of a customer that is not ranked (no transaction in the window).
pub(crate) const UNRANKED: u8 = 3;

fn assemble(as_of: NaiveDate, config: &SegmentConfig, rows: &[Row], has_margin: bool) -> Segments {
    let n = rows.len();
    // Highest value first; ties by customer index, i.e. ascending external id.
    let ranked: Vec<CustomerIndex> = crate::rank::descending_order(
        rows.iter().enumerate().filter(|(_, r)| r.in_window).map(|(c, r)| (c as u32, r.value)),
    );

    let mut rank = vec![None; n];
    let mut segment = vec![None; n];
    let mut abc = vec![None; n];
    let mut pyramid: Vec<PyramidLevel> =
        rows.iter().map(|r| if r.ever_bought { PyramidLevel::Inactive } else { PyramidLevel::Prospect }).collect();

    let seg_levels = [ValueSegment::Top, ValueSegment::Middle, ValueSegment::Bottom];
    let pyr_levels = [PyramidLevel::Top, PyramidLevel::Large, PyramidLevel::Medium, PyramidLevel::Small];
    let seg_ends = ends(&split_counts(ranked.len(), &config.shares));
    let pyr_ends = ends(&split_counts(ranked.len(), &config.pyramid_shares));
    let positive_total: f64 = ranked.iter().map(|&c| rows[c as usize].value).filter(|v| *v > 0.0).sum();
    let (a_limit, b_limit) = (config.abc_shares[0], config.abc_shares[0] + config.abc_shares[1]);
    let mut cum = 0.0;
    for (pos, &c) in ranked.iter().enumerate() {
        let c = c as usize;
        rank[c] = Some(pos as u32);
        segment[c] = Some(seg_levels[seg_ends.iter().position(|&e| pos < e).expect("ends cover all")]);
        pyramid[c] = pyr_levels[pyr_ends.iter().position(|&e| pos < e).expect("ends cover all")];
        let v = rows[c].value;
        // The customer crossing a limit belongs to the class below it; 1e-12 absorbs
        // rounding in the running sum.
        let before = if positive_total > 0.0 { cum / positive_total } else { 1.0 };
        abc[c] = Some(if v <= 0.0 {
            AbcClass::C
        } else if before < a_limit - 1e-12 {
            AbcClass::A
        } else if before < b_limit - 1e-12 {
            AbcClass::B
        } else {
            AbcClass::C
        });
        if v > 0.0 {
            cum += v;
        }
    }

    let table = |names: &[&str], of: &dyn Fn(usize) -> Option<usize>, among: &dyn Fn(usize) -> bool| {
        segment_table(names, rows, has_margin, of, among)
    };
    let segment_table =
        table(&["top", "middle", "bottom"], &|c| segment[c].map(|s| s as usize), &|c| segment[c].is_some());
    let abc_table = table(&["A", "B", "C"], &|c| abc[c].map(|s| s as usize), &|c| abc[c].is_some());
    let pyramid_table =
        table(&["top", "large", "medium", "small", "inactive", "prospect"], &|c| Some(pyramid[c] as usize), &|_| true);
    Segments {
        as_of,
        config: config.clone(),
        value: rows.iter().map(|r| r.value).collect(),
        revenue: rows.iter().map(|r| r.revenue).collect(),
        profit: has_margin.then(|| rows.iter().map(|r| r.margin - r.cost).collect()),
        rank,
        segment,
        abc,
        pyramid,
        segment_table,
        abc_table,
        pyramid_table,
    }
}

fn ends(counts: &[usize]) -> Vec<usize> {
    counts
        .iter()
        .scan(0, |acc, c| {
            *acc += c;
            Some(*acc)
        })
        .collect()
}

fn segment_table(
    names: &[&str],
    rows: &[Row],
    has_margin: bool,
    of: &dyn Fn(usize) -> Option<usize>,
    among: &dyn Fn(usize) -> bool,
) -> Vec<SegmentRow> {
    let mut out: Vec<SegmentRow> = names
        .iter()
        .map(|n| SegmentRow {
            segment: (*n).to_owned(),
            customers: 0,
            customer_share: 0.0,
            revenue: 0.0,
            revenue_share: 0.0,
            margin: has_margin.then_some(0.0),
            cost_to_serve: 0.0,
            profit: has_margin.then_some(0.0),
            profit_share: None,
            negative_profit_customers: 0,
        })
        .collect();
    let (mut customers, mut revenue, mut profit) = (0usize, 0.0, 0.0);
    for (c, r) in rows.iter().enumerate() {
        if !among(c) {
            continue;
        }
        let Some(k) = of(c) else { continue };
        let row = &mut out[k];
        row.customers += 1;
        row.revenue += r.revenue;
        row.cost_to_serve += r.cost;
        customers += 1;
        revenue += r.revenue;
        if has_margin {
            let p = r.margin - r.cost;
            *row.margin.as_mut().expect("has margin") += r.margin;
            *row.profit.as_mut().expect("has margin") += p;
            profit += p;
            row.negative_profit_customers += (p < 0.0) as usize;
        }
    }
    for row in &mut out {
        row.customer_share = ratio(row.customers as f64, customers as f64);
        row.revenue_share = ratio(row.revenue, revenue);
        row.profit_share = row.profit.filter(|_| profit != 0.0).map(|p| p / profit);
    }
    out
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}
