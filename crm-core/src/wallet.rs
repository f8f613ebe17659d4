//! Share of wallet and growth potential (DOMAIN.md section 8, deck 001 slide 19).
//!
//! A customer's *wallet* is what it spends on our category in a year, with us and with
//! competitors. It comes from a customer attribute the host gives (e.g. `potential`), or,
//! where that is missing or unusable, from an estimate among similar customers: the high
//! quantile of yearly spend of the customer's peers (the "high-quantile" wallet estimate of
//! Perlich, Rosset et al., KDD 2007).
//!
//! # Rules
//!
//! - **Spend** is the customer's revenue in the window (default the last 365 days up to
//!   and including the as-of date) per year: `revenue x 365 / window_days`.
//! - **Peers** are the customers with a positive spend in the window (whatever the source
//!   of their own wallet). A customer's group at a level is the combination of its values
//!   of that level's attributes (numeric attributes cut into [`WalletConfig::bands`]); a
//!   customer missing any of them has no group at that level.
//! - **Quantile**: type 7 of Hyndman & Fan (numpy's default): with the `n` peer spends
//!   sorted ascending `x[0] <= ... <= x[n-1]`, `h = (n - 1) q`, the quantile is
//!   `x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`.
//! - **Fallback order**: the attribute (when configured and a finite number >= 0); else the
//!   customer's group at the first level (finest) with at least `min_peers` peers; else the
//!   next coarser level, and so on; else the whole base (any number of peers >= 1). A base
//!   without a single peer gives no wallet (NaN).
//! - **Share of wallet** = max(spend, 0) / wallet, capped at 1 with `over_wallet` set when
//!   our spend exceeds the wallet (a wallet of 0: share 1 and flagged when the customer
//!   spends, else 0). **Growth potential** = wallet - max(spend, 0), never negative.
//! - **Rank**: by growth potential, highest first; ties by customer index (ascending
//!   external id). The **work list** holds the customers with a positive spend in the
//!   window (active), in rank order.
//!
//! Everything is a function of the customers' data, not of the row order or the thread
//! count: quantiles are order statistics, groups are numbered in sorted key order, sums run
//! in customer index order.

use crate::attribute_columns::{Categorical, MISSING, categoricals};
use crate::base::CustomerBase;
use crate::customer::{AttributeValue, CustomerIndex};
use crate::error::{Error, Result};
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::parallel::fill;
use crate::segments::{SegmentConfig, ValueSegment};
use crate::time::{Day, date_to_day};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The type-7 quantile (numpy's default, linear interpolation between order statistics) of
/// `values`; NaN when empty. `q` is in `[0, 1]`. The values are reordered.
///
/// ```
/// let mut v = vec![5.0, 1.0, 4.0, 2.0, 3.0];
/// assert_eq!(crm_core::wallet::quantile(&mut v, 0.9), 4.6); // h = 4 x 0.9 = 3.6
/// assert_eq!(crm_core::wallet::quantile(&mut v, 0.5), 3.0);
/// ```
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    let frac = h - lo as f64;
    let (_, x, rest) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let x = *x;
    if frac == 0.0 || rest.is_empty() {
        return x;
    }
    let next = rest.iter().copied().min_by(f64::total_cmp).unwrap_or(x);
    x + frac * (next - x)
}

/// Several type-7 quantiles (see [`quantile`]) of `values` at once, `qs` ascending: each
/// selection works on the part above the previous one. NaN when empty. The values are
/// reordered.
pub(crate) fn quantiles<const K: usize>(values: &mut [f64], qs: [f64; K]) -> [f64; K] {
    let n = values.len();
    let mut out = [f64::NAN; K];
    if n == 0 {
        return out;
    }
    let mut start = 0;
    for (o, q) in out.iter_mut().zip(qs) {
        let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = (h.floor() as usize).clamp(start, n - 1);
        let frac = h - lo as f64;
        let (_, x, rest) = values[start..].select_nth_unstable_by(lo - start, f64::total_cmp);
        let x = *x;
        *o = if frac <= 0.0 || rest.is_empty() {
            x
        } else {
            x + frac * (rest.iter().copied().min_by(f64::total_cmp).unwrap_or(x) - x)
        };
        start = lo;
    }
    out
}

/// The rules of the wallet analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletConfig {
    /// Spend over the last N days up to the as-of date, per year. Default 365; 1..=36 600.
    pub window_days: u32,
    /// The customer attribute holding the wallet per year (e.g. `potential`,
    /// `category_budget`); `None` to estimate every wallet. Default none.
    pub attribute: Option<String>,
    /// The peer quantile of the estimate. Default 0.9; in [0.5, 1].
    pub quantile: f64,
    /// Least peers of a group for its quantile to be used. Default 20; 1..=1 000 000.
    pub min_peers: usize,
    /// Peer groups from finest to coarsest, each a list of attributes (the whole base
    /// comes last by itself). Default `[["industry", "category"], ["industry"]]`; at most 8
    /// levels of 1 to 4 attributes.
    pub levels: Vec<Vec<String>>,
    /// Cut points (ascending) for numeric grouping attributes, e.g. `employees = [10, 50,
    /// 250]` gives the bands `<10`, `10-<50`, `50-<250`, `>=250`. Default none.
    pub bands: BTreeMap<String, Vec<f64>>,
    /// Customers on the growth-potential work list; 0 for every active customer. Default
    /// 100.
    pub work_list_size: usize,
    /// Segment rules for the table per value segment.
    pub segments: SegmentConfig,
    /// Lifecycle rules for the table per lifecycle stage.
    pub lifecycle: LifecycleConfig,
}

impl Default for WalletConfig {
    fn default() -> Self {
        WalletConfig {
            window_days: 365,
            attribute: None,
            quantile: 0.9,
            min_peers: 20,
            levels: vec![vec!["industry".into(), "category".into()], vec!["industry".into()]],
            bands: BTreeMap::new(),
            work_list_size: 100,
            segments: SegmentConfig::default(),
            lifecycle: LifecycleConfig::default(),
        }
    }
}

/// Checks cut points: finite and strictly ascending, at least one.
pub(crate) fn check_bands(bands: &BTreeMap<String, Vec<f64>>) -> Result<()> {
    for (name, cuts) in bands {
        if cuts.is_empty() || cuts.len() > 100 {
            return Err(Error::config("bands", format!("`{name}`: give 1 to 100 cut points")));
        }
        if cuts.iter().any(|c| !c.is_finite()) || cuts.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::config("bands", format!("`{name}`: cut points {cuts:?} are not finite and ascending")));
        }
    }
    Ok(())
}

impl WalletConfig {
    /// Checks the rules.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field: a window outside 1..=36 600 days, a
    /// quantile outside [0.5, 1], `min_peers` outside 1..=1 000 000, empty or too many
    /// levels or attributes, bad cut points, an empty attribute name, or invalid segment or
    /// lifecycle rules.
    pub fn validate(&self) -> Result<()> {
        if !(1..=36_600).contains(&self.window_days) {
            return Err(Error::config("window_days", format!("{} is not in 1..=36600", self.window_days)));
        }
        if !(self.quantile >= 0.5 && self.quantile <= 1.0) {
            return Err(Error::config("quantile", format!("{} is not in [0.5, 1]", self.quantile)));
        }
        if !(1..=1_000_000).contains(&self.min_peers) {
            return Err(Error::config("min_peers", format!("{} is not in 1..=1000000", self.min_peers)));
        }
        if self.levels.len() > 8 {
            return Err(Error::config("levels", "at most 8 levels"));
        }
        for level in &self.levels {
            if level.is_empty() || level.len() > 4 {
                return Err(Error::config("levels", format!("{level:?}: a level has 1 to 4 attributes")));
            }
            if level.iter().any(|a| a.trim().is_empty()) {
                return Err(Error::config("levels", "an attribute name is empty"));
            }
        }
        if self.attribute.as_deref().is_some_and(|a| a.trim().is_empty()) {
            return Err(Error::config("attribute", "is empty"));
        }
        if self.work_list_size > 10_000_000 {
            return Err(Error::config("work_list_size", format!("{} is not in 0..=10000000", self.work_list_size)));
        }
        check_bands(&self.bands)?;
        self.segments.validate()?;
        self.lifecycle.validate()
    }
}

/// Where a customer's wallet came from. Codes are stable (used by the C face).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum WalletSource {
    /// The customer attribute.
    Attribute = 0,
    /// The quantile of the customer's group at the finest level.
    Group = 1,
    /// The quantile of its group at a coarser level (the finer groups had too few peers).
    CoarserGroup = 2,
    /// The quantile of the whole base.
    Base = 3,
    /// No wallet: no attribute and no peer in the whole base.
    None = 4,
}

impl WalletSource {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        ["attribute", "group", "coarser_group", "base", "none"][self as usize]
    }
}

/// Why a customer's wallet attribute could not be used (the customer falls back to the
/// estimate). Codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum WalletProblem {
    /// The customer has no such attribute.
    Missing = 0,
    /// The value is negative.
    Negative = 1,
    /// The value is not a finite number (text, date, flag, NaN).
    NotANumber = 2,
}

impl WalletProblem {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        ["missing", "negative", "not_a_number"][self as usize]
    }
}

/// A peer group of the estimate (or the whole base, the last row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletGroup {
    /// Level (0 = finest; the number of levels for the whole base).
    pub level: usize,
    /// The group, e.g. `industry=retail, category=business`; `all` for the whole base.
    pub key: String,
    /// Customers of the group (with or without spend).
    pub customers: usize,
    /// Peers: customers of the group with a positive spend in the window.
    pub peers: usize,
    /// The quantile of the peers' yearly spend (`None` without peers).
    pub wallet: Option<f64>,
    /// True when the group has fewer than `min_peers` peers (its quantile is not used,
    /// except for the whole base).
    pub below_min_peers: bool,
    /// Customers whose wallet this group gave.
    pub used_by: usize,
}

/// Totals of one group of customers (a value segment, a stage, an attribute group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletRow {
    /// The group's name.
    pub group: String,
    /// Customers with a wallet.
    pub customers: usize,
    /// Their yearly spend with us.
    pub spend: f64,
    /// Their wallets.
    pub wallet: f64,
    /// Their growth potential.
    pub growth_potential: f64,
    /// Total share: sum of max(spend, 0) / sum of wallets (0 when the wallets sum to 0).
    pub share: f64,
    /// Mean of the customers' shares (0 without customers).
    pub mean_share: f64,
    /// Customers spending more than their wallet.
    pub over_wallet: usize,
}

/// A customer on the growth-potential work list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrowthEntry {
    /// The customer.
    pub customer: CustomerIndex,
    /// External id.
    pub id: String,
    /// Yearly spend with us.
    pub spend: f64,
    /// Wallet.
    pub wallet: f64,
    /// Share of wallet.
    pub share: f64,
    /// Growth potential.
    pub growth_potential: f64,
    /// Where the wallet came from.
    pub source: WalletSource,
}

/// How many customers got their wallet from where, and what was wrong with the attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WalletCounts {
    /// Wallets per [`WalletSource`] (attribute, group, coarser group, base, none).
    pub by_source: [usize; 5],
    /// Attribute problems per [`WalletProblem`] (missing, negative, not a number); these
    /// customers fell back to the estimate.
    pub problems: [usize; 3],
    /// Customers spending more than their wallet (share capped at 1).
    pub over_wallet: usize,
    /// Peers in the whole base.
    pub peers: usize,
}

/// Share of wallet and growth potential per customer (index order), the peer groups, the
/// tables per value segment, lifecycle stage and attribute group, and the work list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wallet {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The rules used.
    pub config: WalletConfig,
    /// Yearly spend with us (revenue in the window x 365 / window days).
    pub spend: Vec<f64>,
    /// Wallet per year (NaN when none).
    pub wallet: Vec<f64>,
    /// Share of wallet in [0, 1] (NaN without a wallet).
    pub share: Vec<f64>,
    /// True when spend exceeds the wallet (share capped at 1).
    pub over_wallet: Vec<bool>,
    /// Growth potential, >= 0 (NaN without a wallet).
    pub growth_potential: Vec<f64>,
    /// Rank by growth potential (0 = largest), `None` without a wallet.
    pub rank: Vec<Option<u32>>,
    /// Where the wallet came from.
    pub source: Vec<WalletSource>,
    /// The row of [`Self::groups`] that gave an estimated wallet.
    pub group: Vec<Option<u32>>,
    /// Why the attribute could not be used (`None` when it was, or none is configured).
    pub attribute_problem: Vec<Option<WalletProblem>>,
    /// The peer groups of every level, then the whole base.
    pub groups: Vec<WalletGroup>,
    /// Top, middle, bottom, unranked (empty when computed without segments).
    pub by_segment: Vec<WalletRow>,
    /// Per lifecycle stage (every stage, lifecycle order; empty when computed without
    /// stages).
    pub by_stage: Vec<WalletRow>,
    /// Per group of the finest level (customers missing its attributes: `(missing)`; no
    /// rows without levels).
    pub by_group: Vec<WalletRow>,
    /// Active customers by growth potential, largest first.
    pub work_list: Vec<GrowthEntry>,
    /// Counts.
    pub counts: WalletCounts,
    /// What the caller should know, in words: attribute problems, grouping attributes with
    /// one value or none, groups below the minimum peers.
    pub notes: Vec<String>,
}

/// One level's groups: the group of each customer (or [`MISSING`]) and their keys.
struct Level {
    group: Vec<u32>,
    keys: Vec<String>,
}

/// Numbers the distinct keys (ascending) and gives each customer its group.
fn number_keys(keys: &[u64], radix_total: u64) -> (Vec<u64>, Vec<u32>) {
    const NONE: u64 = u64::MAX;
    let distinct: Vec<u64> = if radix_total <= 1 << 22 {
        let mut seen = vec![false; radix_total as usize];
        keys.iter().filter(|&&k| k != NONE).for_each(|&k| seen[k as usize] = true);
        (0..radix_total).filter(|&k| seen[k as usize]).collect()
    } else {
        let mut d: Vec<u64> = keys.iter().copied().filter(|&k| k != NONE).collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let dense = radix_total <= 1 << 22;
    let lookup: Vec<u32> = if dense {
        let mut l = vec![MISSING; radix_total as usize];
        distinct.iter().enumerate().for_each(|(i, &k)| l[k as usize] = i as u32);
        l
    } else {
        Vec::new()
    };
    let mut group = vec![MISSING; keys.len()];
    fill(&mut group, |first, piece| {
        for (g, &k) in piece.iter_mut().zip(&keys[first..]) {
            *g = if k == NONE {
                MISSING
            } else if dense {
                lookup[k as usize]
            } else {
                distinct.binary_search(&k).expect("distinct key") as u32
            };
        }
    });
    (distinct, group)
}

/// The groups of a level of attributes.
pub(crate) fn level_groups(names: &[String], columns: &[&Categorical]) -> Result<(Vec<u32>, Vec<String>)> {
    let radices: Vec<u64> = columns.iter().map(|c| c.labels.len().max(1) as u64).collect();
    let total = radices
        .iter()
        .try_fold(1u64, |acc, &r| acc.checked_mul(r))
        .filter(|&t| t < u64::MAX / 2)
        .ok_or_else(|| Error::config("levels", format!("{names:?} has too many combinations")))?;
    let n = columns.first().map_or(0, |c| c.codes.len());
    let mut keys = vec![0u64; n];
    fill(&mut keys, |first, piece| {
        for (k, key) in piece.iter_mut().enumerate() {
            let c = first + k;
            let mut acc = 0u64;
            for (col, &r) in columns.iter().zip(&radices) {
                let code = col.codes[c];
                if code == MISSING {
                    acc = u64::MAX;
                    break;
                }
                acc = acc * r + code as u64;
            }
            *key = acc;
        }
    });
    let (distinct, group) = number_keys(&keys, total);
    let labels = distinct
        .iter()
        .map(|&key| {
            let mut rest = key;
            let mut parts = vec![String::new(); columns.len()];
            for (i, (col, &r)) in columns.iter().zip(&radices).enumerate().rev() {
                parts[i] = format!("{}={}", names[i], col.labels[(rest % r) as usize]);
                rest /= r;
            }
            parts.join(", ")
        })
        .collect();
    Ok((group, labels))
}

/// The categorical columns the config names, each once.
pub(crate) fn columns_of<'a>(
    base: &CustomerBase,
    names: impl Iterator<Item = &'a String>,
    bands: &BTreeMap<String, Vec<f64>>,
) -> BTreeMap<String, Categorical> {
    let mut wanted: Vec<&String> = names.collect();
    wanted.sort();
    wanted.dedup();
    // Every attribute in one pass over the customer table.
    let specs: Vec<(&str, Option<&[f64]>)> =
        wanted.iter().map(|a| (a.as_str(), bands.get(*a).map(Vec::as_slice))).collect();
    let out: BTreeMap<String, Categorical> =
        wanted.iter().map(|a| (*a).to_owned()).zip(categoricals(base, &specs)).collect();
    out
}

/// Yearly spend in the window ending on `today`, per customer.
pub(crate) fn yearly_spend(base: &CustomerBase, today: Day, window_days: u32) -> Vec<f64> {
    let tx = base.transactions();
    let from = today - window_days as Day + 1;
    let per_year = 365.0 / window_days as f64;
    let mut spend = vec![0.0; base.len()];
    fill(&mut spend, |first, piece| {
        for (k, s) in piece.iter_mut().enumerate() {
            let t = tx.of((first + k) as CustomerIndex).until(today);
            let revenue: f64 = t.amount[t.first_on_or_after(from)..].iter().sum();
            *s = revenue * per_year;
        }
    });
    spend
}

impl CustomerBase {
    /// Share of wallet and growth potential of every customer as of a date (see the
    /// [module documentation](crate::wallet) for the rules).
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::wallet::{WalletConfig, WalletSource};
    /// use crm_core::{CustomerBase, TransactionColumns};
    /// // Three customers spend 100, 200 and 300 in the year; no attributes: the wallet of
    /// // each is the 0.9 quantile of the base, 200 + 0.8 x 100 = 280.
    /// let base = CustomerBase::from_transactions(TransactionColumns::new(
    ///     vec![1_i64, 2, 3].into(),
    ///     vec![0, 0, 0],
    ///     vec![100.0, 200.0, 300.0],
    /// ))?;
    /// let w = base.wallet(NaiveDate::from_ymd_opt(1970, 6, 1).unwrap(), &WalletConfig::default())?;
    /// assert!((w.wallet[0] - 280.0).abs() < 1e-9);
    /// assert_eq!(w.source[0], WalletSource::Base);
    /// assert!((w.growth_potential[0] - 180.0).abs() < 1e-9);
    /// assert!(w.over_wallet[2]); // 300 > 280: share capped at 1
    /// assert_eq!(w.rank[0], Some(0));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules (see [`WalletConfig::validate`]).
    pub fn wallet(&self, as_of: NaiveDate, config: &WalletConfig) -> Result<Wallet> {
        config.validate()?;
        let segments = self.segments(as_of, &config.segments)?.segment;
        let stages = self.lifecycle(as_of, &config.lifecycle)?.stages;
        self.wallet_with(as_of, config, Some(&segments), Some(&stages))
    }

    /// [`Self::wallet`] with the value segments ([`crate::Segments::segment`]) and
    /// lifecycle stages ([`crate::Lifecycle::stages`]) already computed, e.g. when they
    /// are needed elsewhere too; `None` leaves the table per segment or per stage empty
    /// (and `config.segments` / `config.lifecycle` unused).
    ///
    /// # Errors
    /// As [`Self::wallet`]; [`Error::LengthMismatch`] when a slice does not hold one entry
    /// per customer.
    pub fn wallet_with(
        &self,
        as_of: NaiveDate,
        config: &WalletConfig,
        segments: Option<&[Option<ValueSegment>]>,
        stages: Option<&[LifecycleStage]>,
    ) -> Result<Wallet> {
        config.validate()?;
        let n = self.len();
        for (name, len) in [("segments", segments.map(<[_]>::len)), ("stages", stages.map(<[_]>::len))] {
            if let Some(len) = len
                && len != n
            {
                return Err(Error::LengthMismatch {
                    column: name.into(),
                    reference: "customers".into(),
                    expected: n,
                    actual: len,
                });
            }
        }
        let today = date_to_day(as_of);
        let spend = yearly_spend(self, today, config.window_days);
        let mut notes = Vec::new();

        // The attribute.
        let mut wallet = vec![f64::NAN; n];
        let mut source = vec![WalletSource::None; n];
        let mut attribute_problem = vec![None; n];
        let mut counts = WalletCounts::default();
        if let Some(attr) = &config.attribute {
            for c in 0..n {
                let value = self.profile(c as CustomerIndex).and_then(|p| match attr.as_str() {
                    "acquisition_cost" => p.acquisition_cost.map(Ok),
                    _ => p.attributes.get(attr).map(|v| match v {
                        AttributeValue::Number(x) => Ok(*x),
                        _ => Err(()),
                    }),
                });
                let problem = match value {
                    None => Some(WalletProblem::Missing),
                    Some(Ok(x)) if !x.is_finite() => Some(WalletProblem::NotANumber),
                    Some(Ok(x)) if x < 0.0 => Some(WalletProblem::Negative),
                    Some(Ok(x)) => {
                        wallet[c] = x;
                        source[c] = WalletSource::Attribute;
                        None
                    }
                    Some(Err(())) => Some(WalletProblem::NotANumber),
                };
                if let Some(p) = problem {
                    counts.problems[p as usize] += 1;
                }
                attribute_problem[c] = problem;
            }
            let bad: usize = counts.problems.iter().sum();
            if bad > 0 {
                notes.push(format!(
                    "wallet attribute `{attr}`: {bad} customer(s) fell back to the estimate ({} missing, {} negative, {} not a number)",
                    counts.problems[0], counts.problems[1], counts.problems[2]
                ));
            }
        }

        // The peer groups.
        let columns = columns_of(self, config.levels.iter().flatten(), &config.bands);
        for (name, col) in &columns {
            match col.labels.len() {
                0 => notes.push(format!("grouping attribute `{name}` has no value: every customer lacks it")),
                1 => notes.push(format!("grouping attribute `{name}` has one value only (`{}`)", col.labels[0])),
                _ => {}
            }
        }
        let mut levels = Vec::with_capacity(config.levels.len());
        for names in &config.levels {
            let cols: Vec<&Categorical> = names.iter().map(|a| &columns[a]).collect();
            let (group, keys) = level_groups(names, &cols)?;
            levels.push(Level { group, keys });
        }
        let peer = |c: usize| spend[c] > 0.0;
        counts.peers = (0..n).filter(|&c| peer(c)).count();
        let mut groups = Vec::new();
        let mut first_row = Vec::with_capacity(levels.len());
        for (li, level) in levels.iter().enumerate() {
            let g = level.keys.len();
            let (mut members, mut peers) = (vec![0usize; g], vec![0usize; g]);
            for c in 0..n {
                let k = level.group[c];
                if k != MISSING {
                    members[k as usize] += 1;
                    peers[k as usize] += peer(c) as usize;
                }
            }
            // Peer spends bucketed by group, for one quantile per group.
            let mut offsets = vec![0usize; g + 1];
            for k in 0..g {
                offsets[k + 1] = offsets[k] + peers[k];
            }
            let mut values = vec![0.0; offsets[g]];
            let mut at = offsets.clone();
            for (&k, &s) in level.group.iter().zip(&spend) {
                if k != MISSING && s > 0.0 {
                    values[at[k as usize]] = s;
                    at[k as usize] += 1;
                }
            }
            first_row.push(groups.len());
            let mut small = 0;
            for k in 0..g {
                let q = quantile(&mut values[offsets[k]..offsets[k + 1]], config.quantile);
                let below = peers[k] < config.min_peers;
                small += below as usize;
                groups.push(WalletGroup {
                    level: li,
                    key: level.keys[k].clone(),
                    customers: members[k],
                    peers: peers[k],
                    wallet: (peers[k] > 0).then_some(q),
                    below_min_peers: below,
                    used_by: 0,
                });
            }
            if small > 0 {
                notes.push(format!(
                    "level {li} ({}): {small} of {g} group(s) below {} peers, their customers fall back",
                    config.levels[li].join(" x "),
                    config.min_peers
                ));
            }
        }
        let mut all: Vec<f64> = (0..n).filter(|&c| peer(c)).map(|c| spend[c]).collect();
        let base_q = quantile(&mut all, config.quantile);
        let base_row = groups.len();
        groups.push(WalletGroup {
            level: levels.len(),
            key: "all".into(),
            customers: n,
            peers: counts.peers,
            wallet: (counts.peers > 0).then_some(base_q),
            below_min_peers: counts.peers < config.min_peers,
            used_by: 0,
        });
        if counts.peers < config.min_peers {
            notes.push(format!(
                "the whole base has {} peer(s), fewer than min_peers {}; its quantile is used anyway",
                counts.peers, config.min_peers
            ));
        }

        // Estimates where the attribute gave none.
        let mut group = vec![None; n];
        for c in 0..n {
            if source[c] == WalletSource::Attribute {
                continue;
            }
            let mut found = None;
            for (li, level) in levels.iter().enumerate() {
                let k = level.group[c];
                if k != MISSING && !groups[first_row[li] + k as usize].below_min_peers {
                    found = Some((
                        first_row[li] + k as usize,
                        if li == 0 { WalletSource::Group } else { WalletSource::CoarserGroup },
                    ));
                    break;
                }
            }
            let (row, src) = match found {
                Some(f) => f,
                None if counts.peers > 0 => (base_row, WalletSource::Base),
                None => continue,
            };
            wallet[c] = groups[row].wallet.unwrap_or(f64::NAN);
            source[c] = src;
            group[c] = Some(row as u32);
            groups[row].used_by += 1;
        }
        if counts.peers == 0 {
            let none = source.iter().filter(|s| **s == WalletSource::None).count();
            if none > 0 {
                notes.push(format!("no customer spent in the window: {none} customer(s) have no wallet"));
            }
        }

        // Shares, growth potential, ranks.
        let mut share = vec![f64::NAN; n];
        let mut over_wallet = vec![false; n];
        let mut growth_potential = vec![f64::NAN; n];
        for c in 0..n {
            counts.by_source[source[c] as usize] += 1;
            let w = wallet[c];
            if w.is_nan() {
                continue;
            }
            let s = spend[c].max(0.0);
            let (sh, over) = if w > 0.0 {
                let r = s / w;
                if r > 1.0 { (1.0, true) } else { (r, false) }
            } else if s > 0.0 {
                (1.0, true)
            } else {
                (0.0, false)
            };
            share[c] = sh;
            over_wallet[c] = over;
            counts.over_wallet += over as usize;
            growth_potential[c] = (w - s).max(0.0);
        }
        let order = crate::rank::descending_order(
            (0..n).filter(|&c| !growth_potential[c].is_nan()).map(|c| (c as u32, growth_potential[c])),
        );
        let mut rank = vec![None; n];
        for (pos, &c) in order.iter().enumerate() {
            rank[c as usize] = Some(pos as u32);
        }
        let limit = if config.work_list_size == 0 { usize::MAX } else { config.work_list_size };
        let work_list = order
            .iter()
            .map(|&c| c as usize)
            .filter(|&c| spend[c] > 0.0)
            .take(limit)
            .map(|c| GrowthEntry {
                customer: c as CustomerIndex,
                id: self.ids().display(c),
                spend: spend[c],
                wallet: wallet[c],
                share: share[c],
                growth_potential: growth_potential[c],
                source: source[c],
            })
            .collect();

        // Tables.
        let cols = Cols { spend: &spend, wallet: &wallet, share: &share, over: &over_wallet };
        let seg_names = ["top", "middle", "bottom", "unranked"];
        let by_segment = segments
            .map_or_else(Vec::new, |segments| cols.table(&seg_names, |c| Some(segments[c].map_or(3, |s| s as usize))));
        let stage_names: Vec<&str> = LifecycleStage::ALL.iter().map(|s| s.name()).collect();
        let by_stage = stages.map_or_else(Vec::new, |stages| cols.table(&stage_names, |c| Some(stages[c] as usize)));
        let by_group = match levels.first() {
            Some(level) => {
                let mut names: Vec<&str> = level.keys.iter().map(String::as_str).collect();
                names.push("(missing)");
                let missing = level.keys.len();
                let mut rows = cols
                    .table(&names, |c| Some(if level.group[c] == MISSING { missing } else { level.group[c] as usize }));
                if rows.last().is_some_and(|r| r.customers == 0) {
                    rows.pop();
                }
                rows
            }
            None => Vec::new(),
        };

        Ok(Wallet {
            as_of,
            config: config.clone(),
            spend,
            wallet,
            share,
            over_wallet,
            growth_potential,
            rank,
            source,
            group,
            attribute_problem,
            groups,
            by_segment,
            by_stage,
            by_group,
            work_list,
            counts,
            notes,
        })
    }
}

/// The per-customer columns the tables sum.
struct Cols<'a> {
    spend: &'a [f64],
    wallet: &'a [f64],
    share: &'a [f64],
    over: &'a [bool],
}

impl Cols<'_> {
    /// One row per name; `slot(c)` is the customer's row (`None`: in no row). Customers
    /// without a wallet are left out. Sums run in customer index order.
    fn table(&self, names: &[&str], slot: impl Fn(usize) -> Option<usize>) -> Vec<WalletRow> {
        let mut rows: Vec<WalletRow> = names
            .iter()
            .map(|n| WalletRow {
                group: (*n).to_owned(),
                customers: 0,
                spend: 0.0,
                wallet: 0.0,
                growth_potential: 0.0,
                share: 0.0,
                mean_share: 0.0,
                over_wallet: 0,
            })
            .collect();
        let mut used = vec![0.0; names.len()];
        for c in 0..self.spend.len() {
            if self.wallet[c].is_nan() {
                continue;
            }
            let Some(k) = slot(c) else { continue };
            let r = &mut rows[k];
            let s = self.spend[c].max(0.0);
            r.customers += 1;
            r.spend += self.spend[c];
            r.wallet += self.wallet[c];
            r.growth_potential += (self.wallet[c] - s).max(0.0);
            r.mean_share += self.share[c];
            r.over_wallet += self.over[c] as usize;
            used[k] += s;
        }
        for (r, u) in rows.iter_mut().zip(used) {
            r.share = if r.wallet > 0.0 { u / r.wallet } else { 0.0 };
            r.mean_share = if r.customers > 0 { r.mean_share / r.customers as f64 } else { 0.0 };
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_quantiles_at_once_match_one_at_a_time() {
        let mut state = 11u64;
        for n in [1usize, 2, 3, 4, 5, 10, 101, 1000] {
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 40) % 50) as f64
                })
                .collect();
            let qs = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0];
            let together = quantiles(&mut v.clone(), qs);
            for (q, t) in qs.iter().zip(together) {
                assert_eq!(quantile(&mut v.clone(), *q), t, "n {n} q {q}");
            }
        }
        // numpy: np.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) = 1.75, 2.5, 3.25.
        assert_eq!(quantiles(&mut [4.0, 1.0, 3.0, 2.0], [0.25, 0.5, 0.75]), [1.75, 2.5, 3.25]);
    }
}
