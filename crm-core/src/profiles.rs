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

use crate::attribute_columns::{MISSING, categorical, categoricals, numeric};
use crate::base::CustomerBase;
use crate::customer::CustomerIndex;
use crate::error::{Error, Result};
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::scoring::{Condition, ScoringModel};
use crate::segments::{SegmentConfig, Segments};
use crate::stats::compare_proportions;
use crate::wallet::{Wallet, WalletConfig, check_bands, quantiles};
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
#[serde(default)]
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
    /// Per group and attribute (config order).
    pub numeric: Vec<NumericRow>,
    /// Per group, ranked.
    pub traits: Vec<Trait>,
    /// What the caller should know: small groups, attributes with one value or none,
    /// unknown numeric attributes.
    pub notes: Vec<String>,
}

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

impl CustomerBase {
    /// Profiles of the groups of `config.by` against the whole base as of a date (see the
    /// [module documentation](crate::profiles) for the rules).
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::profiles::{ProfileConfig, ProfileGrouping};
    /// use crm_core::{Customer, CustomerBase, TransactionColumns};
    /// let customers = (1..=4).map(|i| {
    ///     let mut c = Customer::new(i as i64);
    ///     c.industry = Some(if i <= 3 { "retail" } else { "public" }.into());
    ///     c.category = Some(if i % 2 == 0 { "business" } else { "consumer" }.into());
    ///     c
    /// });
    /// let base = CustomerBase::builder()
    ///     .customers(customers)
    ///     .transactions(TransactionColumns::new(vec![1_i64].into(), vec![0], vec![10.0]))?
    ///     .build()?;
    /// let config = ProfileConfig {
    ///     by: ProfileGrouping::Attribute { attribute: "category".into() },
    ///     categorical: vec!["industry".into()],
    ///     numeric: vec![],
    ///     min_group_size: 1,
    ///     ..ProfileConfig::default()
    /// };
    /// let p = base.segment_profiles(NaiveDate::from_ymd_opt(1970, 6, 1).unwrap(), &config)?;
    /// // business = customers 2 and 4: retail 1 of 2 (50 %) against 3 of 4 (75 %) in the base.
    /// let row = p.categorical.iter().find(|r| r.group == "business" && r.value == "retail").unwrap();
    /// assert_eq!((row.count, row.base_count), (1, 3));
    /// assert!((row.index - 50.0 / 75.0 * 100.0).abs() < 1e-9);
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules; errors of the segment, lifecycle or
    /// wallet analyses the grouping or attributes need ([`Error::MissingData`] for segments
    /// by margin without margins).
    pub fn segment_profiles(&self, as_of: NaiveDate, config: &ProfileConfig) -> Result<Profiles> {
        self.segment_profiles_with(as_of, config, None, None)
    }

    /// [`Self::segment_profiles`] reusing segments and a wallet already computed (for the
    /// segment, ABC and pyramid groupings and the `share_of_wallet` attribute; each is
    /// computed by the config's rules when `None`). They must be of this base and as-of
    /// date.
    ///
    /// # Errors
    /// As [`Self::segment_profiles`]; [`Error::LengthMismatch`] when a result given has
    /// another number of customers.
    pub fn segment_profiles_with(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        segments: Option<&Segments>,
        wallet: Option<&Wallet>,
    ) -> Result<Profiles> {
        config.validate()?;
        for (name, len) in [("segments", segments.map(|s| s.segment.len())), ("wallet", wallet.map(|w| w.share.len()))]
        {
            if let Some(len) = len
                && len != self.len()
            {
                return Err(Error::LengthMismatch {
                    column: name.into(),
                    reference: "customers".into(),
                    expected: self.len(),
                    actual: len,
                });
            }
        }
        let (names, group) = self.profile_grouping(as_of, config, segments)?;
        self.profiles_of(as_of, config, names, group, wallet)
    }

    /// Profiles of groups the caller gives: a label per customer in customer index order
    /// (`None`: in no group); groups are the distinct labels, sorted. `config.by` is not
    /// used.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when `labels` does not hold one entry per customer; as
    /// [`Self::segment_profiles`] otherwise.
    pub fn segment_profiles_by_labels<S: AsRef<str>>(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        labels: &[Option<S>],
    ) -> Result<Profiles> {
        config.validate()?;
        if labels.len() != self.len() {
            return Err(Error::LengthMismatch {
                column: "labels".into(),
                reference: "customers".into(),
                expected: self.len(),
                actual: labels.len(),
            });
        }
        let mut names: Vec<String> = labels.iter().flatten().map(|s| s.as_ref().to_owned()).collect();
        names.sort_unstable();
        names.dedup();
        let group = labels
            .iter()
            .map(|l| l.as_ref().map(|s| names.binary_search_by(|n| n.as_str().cmp(s.as_ref())).expect("listed") as u32))
            .collect();
        self.profiles_of(as_of, config, names, group, None)
    }

    /// The group names and each customer's group.
    fn profile_grouping(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        given: Option<&Segments>,
    ) -> Result<(Vec<String>, Vec<Option<u32>>)> {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let needs = matches!(config.by, ProfileGrouping::Segment | ProfileGrouping::Abc | ProfileGrouping::Pyramid);
        let computed = if needs && given.is_none() { Some(self.segments(as_of, &config.segments)?) } else { None };
        let segments = || given.or(computed.as_ref()).ok_or_else(|| Error::MissingData("segments".into()));
        Ok(match &config.by {
            ProfileGrouping::Segment => {
                let s = segments()?;
                (owned(&["top", "middle", "bottom"]), s.segment.iter().map(|x| x.map(|x| x as u32)).collect())
            }
            ProfileGrouping::Abc => {
                let s = segments()?;
                (owned(&["A", "B", "C"]), s.abc.iter().map(|x| x.map(|x| x as u32)).collect())
            }
            ProfileGrouping::Pyramid => {
                let s = segments()?;
                (
                    owned(&["top", "large", "medium", "small", "inactive", "prospect"]),
                    s.pyramid.iter().map(|x| Some(*x as u32)).collect(),
                )
            }
            ProfileGrouping::Stage => {
                let l = self.lifecycle(as_of, &config.lifecycle)?;
                (
                    LifecycleStage::ALL.iter().map(|s| s.name().to_owned()).collect(),
                    l.stages.iter().map(|s| Some(*s as u32)).collect(),
                )
            }
            ProfileGrouping::Rfm => {
                let s = self.summary(as_of)?;
                let mut codes: Vec<u16> = (0..s.len()).filter_map(|i| s.rfm_of(i)).map(|r| r.code()).collect();
                codes.sort_unstable();
                codes.dedup();
                let names = codes.iter().map(|c| format!("R{}F{}M{}", c / 100, c / 10 % 10, c % 10)).collect();
                let group = (0..s.len())
                    .map(|i| s.rfm_of(i).map(|r| codes.binary_search(&r.code()).expect("listed") as u32))
                    .collect();
                (names, group)
            }
            ProfileGrouping::Attribute { attribute } => {
                let col = categorical(self, attribute, config.bands.get(attribute).map(Vec::as_slice));
                let group = col.codes.iter().map(|&k| (k != MISSING).then_some(k)).collect();
                (col.labels, group)
            }
            ProfileGrouping::TargetGroup { conditions } => {
                let model = ScoringModel::all_of(conditions, &config.lifecycle, &config.segments, &config.wallet);
                let filter = self.condition_filter(&model, as_of)?;
                let group =
                    (0..self.len() as CustomerIndex).map(|c| filter.all_hold(c, &model.rules).then_some(0)).collect();
                (vec!["target_group".to_owned()], group)
            }
        })
    }

    /// A numeric column: a derived measure or a customer attribute.
    fn numeric_column(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        name: &str,
        summary: &mut Option<crate::Summary>,
        wallet: Option<&Wallet>,
    ) -> Result<Vec<f64>> {
        if name == "share_of_wallet" {
            return Ok(match wallet {
                Some(w) => w.share.clone(),
                None => self.wallet_with(as_of, &config.wallet, None, None)?.share,
            });
        }
        if !DERIVED.contains(&name) {
            return Ok(numeric(self, name));
        }
        if summary.is_none() {
            *summary = Some(self.summary(as_of)?);
        }
        let s = summary.as_ref().expect("computed");
        let n = s.len();
        let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
        Ok(match name {
            "purchases_per_year" => {
                (0..n).map(|i| if s.has_purchase(i) { s.purchases_per_year[i] } else { f64::NAN }).collect()
            }
            "average_purchase" => (0..n).map(|i| opt(s.average_purchase(i))).collect(),
            "tenure_days" => (0..n).map(|i| opt(s.tenure_days(i).map(f64::from))).collect(),
            "recency_days" => (0..n).map(|i| opt(s.recency_days(i).map(f64::from))).collect(),
            "revenue" => s.revenue.clone(),
            _ => (0..n)
                .map(|i| match &s.margin {
                    Some(m) if s.revenue[i] != 0.0 => m[i] / s.revenue[i] * 100.0,
                    _ => f64::NAN,
                })
                .collect(),
        })
    }

    fn profiles_of(
        &self,
        as_of: NaiveDate,
        config: &ProfileConfig,
        names: Vec<String>,
        group: Vec<Option<u32>>,
        wallet: Option<&Wallet>,
    ) -> Result<Profiles> {
        let n = self.len();
        let g = names.len();
        let mut sizes = vec![0usize; g];
        group.iter().flatten().for_each(|&k| sizes[k as usize] += 1);
        let groups: Vec<ProfileGroup> = names
            .iter()
            .zip(&sizes)
            .map(|(name, &size)| ProfileGroup {
                group: name.clone(),
                customers: size,
                base_share: if n > 0 { size as f64 / n as f64 } else { 0.0 },
                below_min_size: size < config.min_group_size,
            })
            .collect();
        let mut notes = Vec::new();
        let small: Vec<String> =
            groups.iter().filter(|x| x.below_min_size).map(|x| format!("{} ({})", x.group, x.customers)).collect();
        if !small.is_empty() {
            notes.push(format!(
                "group(s) below {} customers, shown without significance: {}",
                config.min_group_size,
                small.join(", ")
            ));
        }
        if g == 1 {
            notes.push(format!("the grouping has one group only (`{}`)", names[0]));
        }

        // Categorical attributes.
        let mut rows = Vec::new();
        // Every categorical attribute in one pass over the customer table.
        let specs: Vec<(&str, Option<&[f64]>)> =
            config.categorical.iter().map(|a| (a.as_str(), config.bands.get(a).map(Vec::as_slice))).collect();
        for (attr, col) in config.categorical.iter().zip(categoricals(self, &specs)) {
            let values = col.labels.len();
            let has_missing = col.codes.contains(&MISSING);
            match values {
                0 => notes.push(format!("attribute `{attr}` has no value: every customer lacks it")),
                1 => notes.push(format!("attribute `{attr}` has one value only (`{}`)", col.labels[0])),
                _ => {}
            }
            let width = values + has_missing as usize;
            let slot = |k: u32| if k == MISSING { values } else { k as usize };
            let mut counts = vec![0usize; g * width];
            let mut base = vec![0usize; width];
            for (c, &k) in col.codes.iter().enumerate() {
                base[slot(k)] += 1;
                if let Some(gr) = group[c] {
                    counts[gr as usize * width + slot(k)] += 1;
                }
            }
            for (gi, grp) in groups.iter().enumerate() {
                for v in 0..width {
                    let (count, base_count) = (counts[gi * width + v], base[v]);
                    let share = ratio(count, grp.customers);
                    let base_share = ratio(base_count, n);
                    let (rest_count, rest) = (base_count - count, n - grp.customers);
                    let (z, p_value) = if grp.customers > 0 && rest > 0 {
                        let d = compare_proportions(
                            rest_count as u64,
                            rest as u64,
                            count as u64,
                            grp.customers as u64,
                            0.95,
                        );
                        (d.z, d.p_value)
                    } else {
                        (0.0, 1.0)
                    };
                    rows.push(CategoryRow {
                        group: grp.group.clone(),
                        attribute: attr.clone(),
                        value: if v < values { col.labels[v].clone() } else { "(missing)".to_owned() },
                        count,
                        share,
                        base_count,
                        base_share,
                        index: if base_share > 0.0 { share / base_share * 100.0 } else { 0.0 },
                        z,
                        p_value,
                        significant: !grp.below_min_size && p_value < config.alpha,
                    });
                }
            }
        }

        // Numeric attributes.
        let mut numeric_rows = Vec::new();
        let mut summary = None;
        for attr in &config.numeric {
            let values = self.numeric_column(as_of, config, attr, &mut summary, wallet)?;
            let mut all: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            if all.is_empty() && n > 0 {
                notes.push(format!("numeric attribute `{attr}` has no value for any customer"));
            }
            let base = Stats::of(&mut all);
            // The group's values, bucketed by group.
            let mut offsets = vec![0usize; g + 1];
            for (c, v) in values.iter().enumerate() {
                if let Some(k) = group[c]
                    && !v.is_nan()
                {
                    offsets[k as usize + 1] += 1;
                }
            }
            for k in 0..g {
                offsets[k + 1] += offsets[k];
            }
            let mut bucket = vec![0.0; offsets[g]];
            let mut at = offsets.clone();
            for (c, &v) in values.iter().enumerate() {
                if let Some(k) = group[c]
                    && !v.is_nan()
                {
                    bucket[at[k as usize]] = v;
                    at[k as usize] += 1;
                }
            }
            for (gi, grp) in groups.iter().enumerate() {
                let slice = &mut bucket[offsets[gi]..offsets[gi + 1]];
                let count = slice.len();
                let s = Stats::of(slice);
                numeric_rows.push(NumericRow {
                    group: grp.group.clone(),
                    attribute: attr.clone(),
                    count,
                    missing: grp.customers - count,
                    mean: s.mean,
                    q1: s.q1,
                    median: s.median,
                    q3: s.q3,
                    base_count: all.len(),
                    base_mean: base.mean,
                    base_q1: base.q1,
                    base_median: base.median,
                    base_q3: base.q3,
                });
            }
        }

        // Traits.
        let mut traits = Vec::new();
        for grp in &groups {
            let mut cands: Vec<(usize, &CategoryRow)> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.group == grp.group && r.significant && r.index > 100.0 && r.value != "(missing)")
                .collect();
            // Largest z first; ties by position (attribute order, then value).
            cands.sort_by(|a, b| b.1.z.total_cmp(&a.1.z).then(a.0.cmp(&b.0)));
            for (rank, (_, r)) in cands.into_iter().take(config.traits).enumerate() {
                traits.push(Trait {
                    group: grp.group.clone(),
                    rank: rank + 1,
                    attribute: r.attribute.clone(),
                    value: r.value.clone(),
                    index: r.index,
                    share: r.share,
                    base_share: r.base_share,
                    z: r.z,
                    text: format!(
                        "{}: {} {}, index {:.0}, {:.0} % vs {:.0} %",
                        grp.group,
                        r.attribute,
                        r.value,
                        r.index,
                        r.share * 100.0,
                        r.base_share * 100.0
                    ),
                });
            }
        }

        Ok(Profiles {
            as_of,
            config: config.clone(),
            base_customers: n,
            groups,
            group,
            categorical: rows,
            numeric: numeric_rows,
            traits,
            notes,
        })
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Mean and type-7 quartiles (NaN without values).
struct Stats {
    mean: f64,
    q1: f64,
    median: f64,
    q3: f64,
}

impl Stats {
    fn of(values: &mut [f64]) -> Stats {
        if values.is_empty() {
            return Stats { mean: f64::NAN, q1: f64::NAN, median: f64::NAN, q3: f64::NAN };
        }
        // Values come in customer index order (canonical), so the sum does not depend on
        // the row order; the quartiles are order statistics.
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let [q1, median, q3] = quantiles(values, [0.25, 0.5, 0.75]);
        Stats { mean, q1, median, q3 }
    }
}
