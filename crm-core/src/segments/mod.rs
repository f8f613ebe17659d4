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

mod one_pass;

use crate::base::CustomerBase;
use crate::customer::CustomerIndex;
use crate::error::{Error, Result};
use crate::parallel::{customer_ranges, fill_ranges, map_ranges};
use crate::rank::{check_shares, split_counts};
use crate::time::{Day, SECONDS_PER_DAY, date_to_day, day_start};
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
#[serde(deny_unknown_fields, default)]
pub struct SegmentConfig {
    /// Shares of top, middle and bottom. Default 0.2 / 0.5 / 0.3 (deck 001).
    pub shares: [f64; 3],
    /// What value ranks customers. Default revenue.
    pub measure: ValueMeasure,
    /// Value over the last N days up to the as-of date, N in 1..=36 500
    /// ([`crate::time::MAX_DAYS`]); `None` for all history. Default 365.
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
    /// to 1, or the window is outside 1..=[`crate::time::MAX_DAYS`] days.
    pub fn validate(&self) -> Result<()> {
        check_shares("shares", &self.shares)?;
        check_shares("abc_shares", &self.abc_shares)?;
        check_shares("pyramid_shares", &self.pyramid_shares)?;
        if let Some(w) = self.window_days {
            crate::time::check_days("window_days", w, 1)?;
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

impl ValueSegment {
    /// Every segment, in code order (`ValueSegment as u8`).
    pub const ALL: [ValueSegment; 3] = [ValueSegment::Top, ValueSegment::Middle, ValueSegment::Bottom];
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

impl AbcClass {
    /// Every class, in code order (`AbcClass as u8`).
    pub const ALL: [AbcClass; 3] = [AbcClass::A, AbcClass::B, AbcClass::C];
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

impl PyramidLevel {
    /// Every level, in code order (`PyramidLevel as u8`).
    pub const ALL: [PyramidLevel; 6] = [
        PyramidLevel::Top,
        PyramidLevel::Large,
        PyramidLevel::Medium,
        PyramidLevel::Small,
        PyramidLevel::Inactive,
        PyramidLevel::Prospect,
    ];
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
        let window = window_of(self, as_of, config)?;
        Ok(assemble(as_of, config, window))
    }
}

/// Each customer's figures for the value window ending on `as_of`, after checking the rules.
pub(crate) fn window_of(base: &CustomerBase, as_of: NaiveDate, config: &SegmentConfig) -> Result<Window> {
    config.validate()?;
    if config.measure != ValueMeasure::Revenue && !base.has_margin() {
        return Err(Error::MissingData(format!(
            "segments by {:?} need a margin or cost_of_goods column",
            config.measure
        )));
    }
    Ok(customer_values(base, date_to_day(as_of), config))
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
    let revenue: f64 = t.amount.range(first..t.len()).sum();
    let margin: f64 = t.margin.map_or(0.0, |m| m[first..].iter().sum());
    let cost: f64 = if i.time.is_empty() {
        0.0
    } else {
        let (a, b) = (
            i.time.partition_point(|&s| s < day_start(from)),
            i.time.partition_point(|&s| s < day_start(today) + SECONDS_PER_DAY),
        );
        i.cost[a..b].iter().sum()
    };
    let value = match config.measure {
        ValueMeasure::Revenue => revenue,
        ValueMeasure::Margin => margin,
        ValueMeasure::Profit => margin - cost,
    };
    let in_window = first < t.len();
    // Only read for customers outside the window (see `Row::ever_bought`).
    let ever_bought = in_window || t.amount.iter().any(|a| a > 0.0);
    Row { value, revenue, margin, cost, in_window, ever_bought }
}

/// Each customer's window figures, as columns.
pub(crate) struct Window {
    pub(crate) value: Vec<f64>,
    pub(crate) revenue: Vec<f64>,
    /// Margin per customer; `None` without margins.
    pub(crate) margin: Option<Vec<f64>>,
    /// Cost to serve per customer; `None` without interactions (all 0).
    pub(crate) cost: Option<Vec<f64>>,
    /// [`State`] code per customer.
    pub(crate) state: Vec<u8>,
}

/// Where a customer stands in the window (a code of [`Window::state`]).
#[repr(u8)]
pub(crate) enum State {
    Prospect = 0,
    Inactive = 1,
    Ranked = 2,
}

/// Each customer's figures for the window ending on `today`, computed on all threads
/// straight into the columns.
fn customer_values(base: &CustomerBase, today: Day, config: &SegmentConfig) -> Window {
    // Transactions not grouped yet (a base built for this question): one pass over them.
    if base.interactions().is_empty()
        && let Some(Some(w)) = base.transaction_store().with_ungrouped(|u| one_pass::window(u, today, config))
    {
        return w;
    }
    let (tx, ix) = (base.transactions(), base.interactions());
    let n = base.len();
    let mut w = Window {
        value: vec![0.0; n],
        revenue: vec![0.0; n],
        margin: tx.has_margin().then(|| vec![0.0; n]),
        cost: (!ix.is_empty()).then(|| vec![0.0; n]),
        state: vec![0; n],
    };
    let columns = (
        (w.value.as_mut_slice(), w.revenue.as_mut_slice()),
        ((w.margin.as_deref_mut(), w.cost.as_deref_mut()), w.state.as_mut_slice()),
    );
    fill_ranges(customer_ranges(n), columns, |range, ((value, revenue), ((mut margin, mut cost), state))| {
        for k in 0..state.len() {
            let c = (range.start + k) as CustomerIndex;
            let r = window_row(&tx.of(c), &ix.of(c), today, config);
            value[k] = r.value;
            revenue[k] = r.revenue;
            if let Some(m) = margin.as_deref_mut() {
                m[k] = r.margin;
            }
            if let Some(x) = cost.as_deref_mut() {
                x[k] = r.cost;
            }
            state[k] = if r.in_window {
                State::Ranked
            } else if r.ever_bought {
                State::Inactive
            } else {
                State::Prospect
            } as u8;
        }
    });
    w
}

/// Segment membership at the end of each of `days` without a full ranking: per day, each
/// customer's [`ValueSegment`] code (0 top, 1 middle, 2 bottom) or [`UNRANKED`], and its
/// value (NaN when unranked). Same order and tie rule as [`CustomerBase::segments`], found
/// by selection in O(n).
pub(crate) fn membership(base: &CustomerBase, days: &[Day], config: &SegmentConfig) -> Vec<(Vec<u8>, Vec<f64>)> {
    let n = base.len();
    days.iter()
        .map(|&day| {
            let value = ranked_values(base, day, config);
            let mut ranked: Vec<u32> = (0..n as u32).filter(|&c| !value[c as usize].is_nan()).collect();
            let order =
                |a: &u32, b: &u32| crate::rank::descending(value[*a as usize], value[*b as usize]).then(a.cmp(b));
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

/// Each customer's value over the window ending on `day`; NaN for customers without a
/// transaction in it (not ranked).
pub(crate) fn ranked_values(base: &CustomerBase, day: Day, config: &SegmentConfig) -> Vec<f64> {
    let (tx, ix) = (base.transactions(), base.interactions());
    map_ranges(base.len(), |range| {
        range
            .map(|c| {
                let r = window_row(&tx.of(c), &ix.of(c), day, config);
                if r.in_window { r.value } else { f64::NAN }
            })
            .collect()
    })
}

/// Membership code of a customer that is not ranked (no transaction in the window).
pub(crate) const UNRANKED: u8 = 3;

fn assemble(as_of: NaiveDate, config: &SegmentConfig, w: Window) -> Segments {
    let n = w.value.len();
    let ranked_state = State::Ranked as u8;
    // Highest value first; ties by customer index, i.e. ascending external id. Each key
    // carries its value, so the passes in rank order read no value at random.
    let ranked =
        crate::rank::descending_keys((0..n).filter(|&c| w.state[c] == ranked_state).map(|c| (c as u32, w.value[c])));
    let value_at = |pos: usize| crate::rank::descending_value(ranked[pos].0);

    // The one write at random: each ranked customer's position. Everything else is read
    // in rank order or written in customer order.
    let mut rank = vec![None; n];
    for (pos, &(_, c)) in ranked.iter().enumerate() {
        rank[c as usize] = Some(pos as u32);
    }
    // Adding the positive values in rank order, as the limits are crossed.
    let positive_total: f64 = (0..ranked.len()).map(value_at).filter(|v| *v > 0.0).sum();
    let mut cum = 0.0;
    let abc_at: Vec<AbcClass> = (0..ranked.len())
        .map(|pos| {
            let v = value_at(pos);
            let class = abc_class(v, cum, positive_total, &config.abc_shares);
            if v > 0.0 {
                cum += v;
            }
            class
        })
        .collect();

    // A position's level: how many ends it has reached (the ends ascend and the last is
    // beyond every position).
    let seg_ends = ends(&split_counts(ranked.len(), &config.shares));
    let pyr_ends = ends(&split_counts(ranked.len(), &config.pyramid_shares));
    let level = |ends: &[usize], pos: u32| ends.iter().map(|&e| (e <= pos as usize) as usize).sum::<usize>();
    let pyr_levels = [PyramidLevel::Top, PyramidLevel::Large, PyramidLevel::Medium, PyramidLevel::Small];
    let mut segment = vec![None; n];
    let mut abc = vec![None; n];
    let mut pyramid = vec![PyramidLevel::Inactive; n];
    for ((((r, &s), seg), a), p) in rank.iter().zip(&w.state).zip(&mut segment).zip(&mut abc).zip(&mut pyramid) {
        match *r {
            Some(pos) => {
                *seg = Some(ValueSegment::ALL[level(&seg_ends, pos)]);
                *a = Some(abc_at[pos as usize]);
                *p = pyr_levels[level(&pyr_ends, pos)];
            }
            None if s == State::Prospect as u8 => *p = PyramidLevel::Prospect,
            None => {}
        }
    }

    let inputs = TableInputs {
        revenue: &w.revenue,
        margin: w.margin.as_deref(),
        cost: w.cost.as_deref(),
        segment: &segment,
        abc: &abc,
        pyramid: &pyramid,
    };
    let [segment_table, abc_table, pyramid_table] = tables(&table_sums(&inputs), w.margin.is_some());
    let profit = w.margin.map(|mut m| {
        if let Some(cost) = &w.cost {
            m.iter_mut().zip(cost).for_each(|(m, c)| *m -= c);
        }
        m
    });
    Segments {
        as_of,
        config: config.clone(),
        value: w.value,
        revenue: w.revenue,
        profit,
        rank,
        segment,
        abc,
        pyramid,
        segment_table,
        abc_table,
        pyramid_table,
    }
}

/// The ABC class of a ranked customer of value `value` when the positive values ranked
/// before it sum to `cum` of `positive_total`: the customer crossing a limit belongs to the
/// class below it; 1e-12 absorbs rounding in the running sum.
pub(crate) fn abc_class(value: f64, cum: f64, positive_total: f64, abc_shares: &[f64; 3]) -> AbcClass {
    let (a_limit, b_limit) = (abc_shares[0], abc_shares[0] + abc_shares[1]);
    let before = if positive_total > 0.0 { cum / positive_total } else { 1.0 };
    if value <= 0.0 {
        AbcClass::C
    } else if before < a_limit - 1e-12 {
        AbcClass::A
    } else if before < b_limit - 1e-12 {
        AbcClass::B
    } else {
        AbcClass::C
    }
}

/// The end position of each level of a split (cumulative counts).
pub(crate) fn ends(counts: &[usize]) -> Vec<usize> {
    counts
        .iter()
        .scan(0, |acc, c| {
            *acc += c;
            Some(*acc)
        })
        .collect()
}

/// One segment's (or one table's) sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Sums {
    pub(crate) customers: usize,
    pub(crate) revenue: f64,
    pub(crate) margin: f64,
    pub(crate) cost: f64,
    pub(crate) profit: f64,
    pub(crate) negative_profit: usize,
}

impl Sums {
    fn add(&mut self, revenue: f64, margin: f64, cost: f64) {
        let profit = margin - cost;
        self.customers += 1;
        self.revenue += revenue;
        self.margin += margin;
        self.cost += cost;
        self.profit += profit;
        self.negative_profit += (profit < 0.0) as usize;
    }

    pub(crate) fn merge(&mut self, o: &Sums) {
        self.customers += o.customers;
        self.revenue += o.revenue;
        self.margin += o.margin;
        self.cost += o.cost;
        self.profit += o.profit;
        self.negative_profit += o.negative_profit;
    }
}

/// Sums slots: the 3 value segments, the 3 ABC classes, the 6 pyramid levels, then each
/// table's total (segments, ABC, pyramid).
pub(crate) const SLOTS: usize = 15;

/// What the segment tables add up, per customer.
pub(crate) struct TableInputs<'a> {
    pub(crate) revenue: &'a [f64],
    /// `None` without margins (all 0).
    pub(crate) margin: Option<&'a [f64]>,
    /// `None` without interactions (all 0).
    pub(crate) cost: Option<&'a [f64]>,
    pub(crate) segment: &'a [Option<ValueSegment>],
    pub(crate) abc: &'a [Option<AbcClass>],
    pub(crate) pyramid: &'a [PyramidLevel],
}

/// The sums of the three segment tables (top / middle / bottom, ABC, pyramid) in one pass
/// over the customers, on all threads in fixed chunks whose sums are added in chunk order,
/// so the figures are the same for any thread count.
pub(crate) fn table_sums(t: &TableInputs<'_>) -> [Sums; SLOTS] {
    let parts = crate::parallel::fold_chunks(t.revenue.len(), |range| {
        let mut acc = [Sums::default(); SLOTS];
        for c in range {
            let c = c as usize;
            let (revenue, margin) = (t.revenue[c], t.margin.map_or(0.0, |m| m[c]));
            let cost = t.cost.map_or(0.0, |x| x[c]);
            if let Some(s) = t.segment[c] {
                acc[s as usize].add(revenue, margin, cost);
                acc[12].add(revenue, margin, cost);
            }
            if let Some(a) = t.abc[c] {
                acc[3 + a as usize].add(revenue, margin, cost);
                acc[13].add(revenue, margin, cost);
            }
            acc[6 + t.pyramid[c] as usize].add(revenue, margin, cost);
            acc[14].add(revenue, margin, cost);
        }
        acc
    });
    let mut sums = [Sums::default(); SLOTS];
    for part in &parts {
        sums.iter_mut().zip(part).for_each(|(s, p)| s.merge(p));
    }
    sums
}

/// The three segment tables from their sums.
pub(crate) fn tables(sums: &[Sums; SLOTS], has_margin: bool) -> [Vec<SegmentRow>; 3] {
    [
        segment_table(&["top", "middle", "bottom"], &sums[0..3], &sums[12], has_margin),
        segment_table(&["A", "B", "C"], &sums[3..6], &sums[13], has_margin),
        segment_table(
            &["top", "large", "medium", "small", "inactive", "prospect"],
            &sums[6..12],
            &sums[14],
            has_margin,
        ),
    ]
}

fn segment_table(names: &[&str], sums: &[Sums], total: &Sums, has_margin: bool) -> Vec<SegmentRow> {
    names
        .iter()
        .zip(sums)
        .map(|(name, s)| SegmentRow {
            segment: (*name).to_owned(),
            customers: s.customers,
            customer_share: ratio(s.customers as f64, total.customers as f64),
            revenue: s.revenue,
            revenue_share: ratio(s.revenue, total.revenue),
            margin: has_margin.then_some(s.margin),
            cost_to_serve: s.cost,
            profit: has_margin.then_some(s.profit),
            profit_share: (has_margin && total.profit != 0.0).then(|| s.profit / total.profit),
            negative_profit_customers: if has_margin { s.negative_profit } else { 0 },
        })
        .collect()
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}
