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
//! - **Quantile regression** (optional, [`WalletConfig::regression`]): the linear
//!   `quantile`-quantile of yearly spend given numeric attributes, fitted exactly (the LP
//!   optimum of the check loss, [`quantile_regression`]) on the peers with every attribute;
//!   a customer's wallet is `max(0, prediction)`.
//! - **Fallback order**: the attribute (when configured and a finite number >= 0); else the
//!   regression (when configured and fitted, and the customer has every attribute); else the
//!   customer's group at the first level (finest) with at least `min_peers` peers; else the
//!   next coarser level, and so on; else the whole base (any number of peers >= 1). A base
//!   without a single peer gives no wallet (NaN).
//! - **Share of wallet** = max(spend, 0) / wallet, capped at 1 with `over_wallet` set when
//!   our spend exceeds the wallet (a wallet of 0: share 1 and flagged when the customer
//!   spends, else 0). **Growth potential** = wallet - max(spend, 0), never negative.
//!   A table row's share (per segment, stage or group) weights its customers' shares by
//!   wallet: what we get of the wallets (each spend up to its wallet) / their sum, so that
//!   share x wallet + growth potential = wallet and no row passes 100 %.
//! - **Rank**: by growth potential, highest first; ties by customer index (ascending
//!   external id). The **work list** holds the customers with a positive spend in the
//!   window (active), in rank order.
//!
//! Everything is a function of the customers' data, not of the row order or the thread
//! count: quantiles are order statistics, groups are numbered in sorted key order, sums run
//! in customer index order.

use crate::attribute_columns::{AttributeTable, Categorical, MISSING};
use crate::base::CustomerBase;
use crate::customer::CustomerIndex;
use crate::error::{Error, Result};
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::parallel::fill;
use crate::segments::{SegmentConfig, ValueSegment};
use crate::time::{Day, date_to_day};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod estimate;
mod groups;
mod quantile;
mod regression;
mod tables;

pub(crate) use estimate::{BaseQuantile, SEGMENT_ROWS, no_spend_note, stage_rows, wallet_attributes, yearly_spend};
pub(crate) use groups::{columns_of, level_groups};
pub use quantile::quantile;
pub(crate) use quantile::quantiles;
pub use regression::quantile_regression;
pub(crate) use tables::TableSums;

/// The rules of the wallet analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
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
    /// Numeric attributes for a linear quantile regression of yearly spend (the
    /// `quantile`-quantile given the attributes, intercept and one coefficient each, fitted
    /// exactly on the peers with every attribute; see [`quantile_regression`]): it gives
    /// the wallet, `max(0, prediction)`, of every customer with every attribute and without
    /// a usable wallet attribute; the others fall back to the peer groups. Empty (default):
    /// no regression. At most 8 attributes; needs a quantile below 1.
    pub regression: Vec<String>,
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
            regression: Vec::new(),
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
        if self.regression.len() > 8 || self.regression.iter().any(|a| a.trim().is_empty()) {
            return Err(Error::config("regression", "give at most 8 attribute names, none empty"));
        }
        let mut sorted: Vec<&String> = self.regression.iter().collect();
        sorted.sort();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::config("regression", format!("`{}` is listed twice", w[0])));
        }
        if !self.regression.is_empty() && self.quantile >= 1.0 {
            return Err(Error::config("regression", "needs a quantile below 1"));
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
    /// The quantile regression on the customer's numeric attributes.
    Regression = 5,
}

impl WalletSource {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        ["attribute", "group", "coarser_group", "base", "none", "regression"][self as usize]
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

/// The fitted quantile regression of yearly spend on numeric attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletRegression {
    /// The attributes, in config order.
    pub attributes: Vec<String>,
    /// Intercept, then one coefficient per attribute.
    pub coefficients: Vec<f64>,
    /// The quantile fitted.
    pub quantile: f64,
    /// Peers it was fitted on (positive spend, every attribute).
    pub peers: usize,
    /// Customers whose wallet it gave.
    pub used_by: usize,
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
    /// Total share: the part of the wallets we get (each customer's spend, from 0 up to
    /// its wallet) / sum of wallets, i.e. the customers' shares weighted by wallet; at most
    /// 1, and share x wallet + growth potential = wallet (0 when the wallets sum to 0).
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
    /// Wallets per [`WalletSource`] (attribute, group, coarser group, base, none,
    /// regression).
    pub by_source: [usize; 6],
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
    /// The quantile regression, when configured and fitted.
    pub regression: Option<WalletRegression>,
    /// What the caller should know, in words: attribute problems, grouping attributes with
    /// one value or none, groups below the minimum peers.
    pub notes: Vec<String>,
}
