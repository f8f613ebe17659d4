//! Segment profiles (DOMAIN.md section 8, "segmentation and profiles"): what a group of
//! customers looks like against the whole base.
//!
//! # Rules
//!
//! - The **base** is every customer of the [`CustomerBase`]; a grouping puts each customer
//!   in at most one group (customers outside every group, e.g. unranked ones for value
//!   segments, count in the base only).
//! - **Categorical attributes**: per group and attribute, every value of the base (sorted,
//!   `(missing)` last when some customer lacks the attribute) with its count and share in
//!   the group, its share in the base and the **index** = group share / base share x 100.
//!   The shares of an attribute sum to 1 in every group.
//! - **Significance**: the pooled two-proportion z test of the value's share in the group
//!   against its share among the rest of the base ([`crate::stats::compare_proportions`]);
//!   a value is `significant` when p < `alpha` *and* the group has at least
//!   `min_group_size` customers, so that small groups do not shout. Groups below the
//!   minimum size are listed in [`Profiles::notes`] and flagged, never merged.
//! - **Numeric attributes**: count, mean and the type-7 quartiles (numpy's default, see
//!   [`crate::wallet::quantile`]) of the customers with a value, in the group and in the
//!   base.
//! - **Traits**: per group, the significant over-represented values (index > 100), ranked
//!   by z (largest first; ties by attribute order, then value), at most `traits` of them,
//!   with a sentence ("top: industry manufacturing, index 182, 41 % vs 23 %").
//!
//! The results do not depend on row order or thread count: values are numbered in sorted
//! order and every count is an integer.

use crate::attribute_columns::{AttributeTable, MISSING};
use crate::base::CustomerBase;
use crate::customer::CustomerIndex;
use crate::error::{Error, Result};
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::scoring::{Condition, ScoringModel};
use crate::segments::{SegmentConfig, Segments};
use crate::stats::compare_proportions;
use crate::wallet::{Wallet, WalletConfig, check_bands, quantiles, wallet_attributes};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How customers are grouped for profiling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProfileGrouping {
    /// Top / middle / bottom value segments (unranked customers in no group).
    Segment,
    /// ABC classes (unranked customers in no group).
    Abc,
    /// Pyramid levels (every customer).
    Pyramid,
    /// Lifecycle stages (every customer).
    Stage,
    /// RFM cells such as `R5F4M3` (customers without a purchase in no group).
    Rfm,
    /// The values of a customer attribute, e.g. a label column (missing: no group).
    Attribute {
        /// The attribute.
        attribute: String,
    },
    /// A process target group: the customers meeting every condition form the group
    /// `target_group`.
    TargetGroup {
        /// The conditions (as a process's `target_group.conditions`).
        conditions: Vec<Condition>,
    },
}

/// The rules of a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileConfig {
    /// The grouping. Default value segments.
    pub by: ProfileGrouping,
    /// Categorical attributes: `industry`, `category`, `acquisition_channel`, or any free
    /// attribute (numbers in `bands` become bands). Default the first three; at most 64.
    pub categorical: Vec<String>,
    /// Numeric attributes: free numbers (e.g. `employees`), `acquisition_cost`, or the
    /// derived `purchases_per_year`, `average_purchase`, `tenure_days`, `recency_days`,
    /// `revenue` (all purchases up to the as-of date), `margin_pct` and
    /// `share_of_wallet` (by [`Self::wallet`]). Default `employees`, `purchases_per_year`,
    /// `average_purchase`; at most 64.
    pub numeric: Vec<String>,
    /// Cut points for numeric attributes profiled as categories (see
    /// [`WalletConfig::bands`]).
    pub bands: BTreeMap<String, Vec<f64>>,
    /// Groups smaller than this get no significance flags and are named in the notes.
    /// Default 30; 1..=1 000 000.
    pub min_group_size: usize,
    /// Significance level of the two-proportion test. Default 0.05; in (0, 0.5].
    pub alpha: f64,
    /// Traits per group. Default 5; 0..=100.
    pub traits: usize,
    /// Segment rules (segment, ABC and pyramid groupings).
    pub segments: SegmentConfig,
    /// Lifecycle rules (stage grouping and target-group conditions).
    pub lifecycle: LifecycleConfig,
    /// Wallet rules (the `share_of_wallet` numeric attribute and wallet conditions).
    pub wallet: WalletConfig,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            by: ProfileGrouping::Segment,
            categorical: vec!["industry".into(), "category".into(), "acquisition_channel".into()],
            numeric: vec!["employees".into(), "purchases_per_year".into(), "average_purchase".into()],
            bands: BTreeMap::new(),
            min_group_size: 30,
            alpha: 0.05,
            traits: 5,
            segments: SegmentConfig::default(),
            lifecycle: LifecycleConfig::default(),
            wallet: WalletConfig::default(),
        }
    }
}

impl ProfileConfig {
    /// Checks the rules.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field: too many or empty attribute names, an
    /// attribute listed twice, `min_group_size` outside 1..=1 000 000, `alpha` outside
    /// (0, 0.5], `traits` above 100, bad cut points, or invalid segment, lifecycle or wallet
    /// rules (the wallet's only when `share_of_wallet` is profiled).
    pub fn validate(&self) -> Result<()> {
        for (field, list) in [("categorical", &self.categorical), ("numeric", &self.numeric)] {
            if list.len() > 64 {
                return Err(Error::config(field, "at most 64 attributes"));
            }
            if list.iter().any(|a| a.trim().is_empty()) {
                return Err(Error::config(field, "an attribute name is empty"));
            }
            let mut sorted: Vec<&String> = list.iter().collect();
            sorted.sort();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(Error::config(field, format!("`{}` is listed twice", w[0])));
            }
        }
        if !(1..=1_000_000).contains(&self.min_group_size) {
            return Err(Error::config("min_group_size", format!("{} is not in 1..=1000000", self.min_group_size)));
        }
        if !(self.alpha > 0.0 && self.alpha <= 0.5) {
            return Err(Error::config("alpha", format!("{} is not in (0, 0.5]", self.alpha)));
        }
        if self.traits > 100 {
            return Err(Error::config("traits", format!("{} is not in 0..=100", self.traits)));
        }
        match &self.by {
            ProfileGrouping::Attribute { attribute } if attribute.trim().is_empty() => {
                return Err(Error::config("by", "the grouping attribute is empty"));
            }
            ProfileGrouping::TargetGroup { conditions } if conditions.is_empty() => {
                return Err(Error::config("by", "a target group needs at least one condition"));
            }
            _ => {}
        }
        check_bands(&self.bands)?;
        self.segments.validate()?;
        self.lifecycle.validate()?;
        if self.numeric.iter().any(|a| a == "share_of_wallet") {
            self.wallet.validate()?;
        }
        Ok(())
    }
}

/// One group of a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileGroup {
    /// The group's name (`top`, `A`, `active`, `R5F4M3`, a label).
    pub group: String,
    /// Customers in the group.
    pub customers: usize,
    /// Share of the base.
    pub base_share: f64,
    /// True when smaller than `min_group_size` (no significance flags).
    pub below_min_size: bool,
}

/// One value of a categorical attribute in one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRow {
    /// The group.
    pub group: String,
    /// The attribute.
    pub attribute: String,
    /// The value (`(missing)` for customers without it).
    pub value: String,
    /// Customers of the group with the value.
    pub count: usize,
    /// Their share of the group.
    pub share: f64,
    /// Customers of the base with the value.
    pub base_count: usize,
    /// Their share of the base.
    pub base_share: f64,
    /// share / base_share x 100 (0 when the base share is 0).
    pub index: f64,
    /// z of the two-proportion test (group against the rest of the base).
    pub z: f64,
    /// Its two-sided p-value.
    pub p_value: f64,
    /// p < alpha and the group is not below the minimum size.
    pub significant: bool,
}

/// Pearson's chi-square test of independence (no continuity correction) of one categorical
/// attribute in one group against the rest of the base: the 2 x k table of (group, rest) x
/// the attribute's values, `(missing)` included. A group that is empty or the whole base,
/// or an attribute with one value, has nothing to test: statistic 0, df 0, p 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChiSquareRow {
    /// The group.
    pub group: String,
    /// The attribute.
    pub attribute: String,
    /// Sum over the table's cells of (observed - expected)^2 / expected.
    pub statistic: f64,
    /// Degrees of freedom: the attribute's values (missing included) - 1.
    pub df: usize,
    /// P(chi-square with `df` degrees of freedom > statistic).
    pub p_value: f64,
    /// Some expected count is below 5: the chi-square approximation is rough; read the
    /// p-value with care.
    pub low_expected: bool,
    /// p < alpha, something to test, and the group is not below the minimum size.
    pub significant: bool,
}

/// Distribution of a numeric attribute in one group and in the base (NaN without values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericRow {
    /// The group.
    pub group: String,
    /// The attribute.
    pub attribute: String,
    /// Customers of the group with a value.
    pub count: usize,
    /// Customers of the group without one.
    pub missing: usize,
    /// Mean in the group.
    pub mean: f64,
    /// First quartile (type 7) in the group.
    pub q1: f64,
    /// Median in the group.
    pub median: f64,
    /// Third quartile in the group.
    pub q3: f64,
    /// Customers of the base with a value.
    pub base_count: usize,
    /// Mean in the base.
    pub base_mean: f64,
    /// First quartile in the base.
    pub base_q1: f64,
    /// Median in the base.
    pub base_median: f64,
    /// Third quartile in the base.
    pub base_q3: f64,
}

/// A distinguishing trait of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trait {
    /// The group.
    pub group: String,
    /// 1 = most distinguishing.
    pub rank: usize,
    /// The attribute.
    pub attribute: String,
    /// The value.
    pub value: String,
    /// The index.
    pub index: f64,
    /// Share in the group.
    pub share: f64,
    /// Share in the base.
    pub base_share: f64,
    /// z of the test.
    pub z: f64,
    /// In words: "top: industry manufacturing, index 182, 41 % vs 23 %".
    pub text: String,
}

/// Profiles of every group against the base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profiles {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The rules used.
    pub config: ProfileConfig,
    /// Customers in the base.
    pub base_customers: usize,
    /// The groups, in grouping order.
    pub groups: Vec<ProfileGroup>,
    /// Group (row of [`Self::groups`]) per customer, `None` when in no group.
    pub group: Vec<Option<u32>>,
    /// Per group, attribute (config order) and value.
    pub categorical: Vec<CategoryRow>,
    /// Per attribute (config order) and group: the chi-square test of the attribute's
    /// distribution in the group against the rest of the base.
    pub chi_square: Vec<ChiSquareRow>,
    /// Per group and attribute (config order).
    pub numeric: Vec<NumericRow>,
    /// Per group, ranked.
    pub traits: Vec<Trait>,
    /// What the caller should know: small groups, attributes with one value or none,
    /// unknown numeric attributes.
    pub notes: Vec<String>,
}

mod chi_square;
mod compute;
mod grouping;
mod numeric;

/// Derived numeric attributes (computed from the history, not the customer table).
const DERIVED: [&str; 7] = [
    "purchases_per_year",
    "average_purchase",
    "tenure_days",
    "recency_days",
    "revenue",
    "margin_pct",
    "share_of_wallet",
];
