//! Lifecycle stages (DOMAIN.md section 3): prospect -> new -> starter or active ->
//! declining -> lost -> reactivated or won back.
//!
//! # Rules and precedence
//!
//! As of day `A`, with purchases as defined in the summary (positive transactions; one per
//! order), a customer is in exactly one stage, the first that applies:
//!
//! 1. [`Prospect`](LifecycleStage::Prospect): no purchase up to `A` (known from the
//!    customer table or from interactions only).
//! 2. [`Lost`](LifecycleStage::Lost) (inactive): no purchase in the last
//!    `inactivity_days` (the decks: "has not bought in the last 12 months"), i.e.
//!    `A - last purchase >= inactivity_days`.
//! 3. [`New`](LifecycleStage::New): first purchase less than `new_days` ago.
//! 4. [`WonBack`](LifecycleStage::WonBack): a purchase less than `return_days` ago ended a
//!    gap of at least `inactivity_days` (the customer had been lost and came back).
//! 5. [`Reactivated`](LifecycleStage::Reactivated): as won back, for a gap of at least
//!    `dormant_days` (dormant, not yet lost).
//! 6. [`Starter`](LifecycleStage::Starter): exactly one purchase (and no repeat).
//! 7. [`Declining`](LifecycleStage::Declining): revenue in the last `trend_days` is below
//!    `decline_ratio` x the revenue in the `trend_days` before (and that was positive).
//! 8. [`Active`](LifecycleStage::Active): a repeat buyer, none of the above.

use crate::base::CustomerBase;
use crate::error::{Error, Result};
use crate::history::{scan, value_between};
use crate::parallel::map_ranges;
use crate::time::{Day, date_to_day, day_of};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A lifecycle stage. Codes are stable (used by the C face).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum LifecycleStage {
    /// Known, has not bought yet.
    Prospect = 0,
    /// First purchase recently.
    New = 1,
    /// One purchase, no repeat.
    Starter = 2,
    /// Repeat buyer.
    Active = 3,
    /// Repeat buyer who buys less than before.
    Declining = 4,
    /// Inactive / lost: no purchase within the inactivity window.
    Lost = 5,
    /// Came back after a dormant spell shorter than the inactivity window.
    Reactivated = 6,
    /// Came back after having been lost.
    WonBack = 7,
}

impl LifecycleStage {
    /// All stages in code order.
    pub const ALL: [LifecycleStage; 8] = [
        LifecycleStage::Prospect,
        LifecycleStage::New,
        LifecycleStage::Starter,
        LifecycleStage::Active,
        LifecycleStage::Declining,
        LifecycleStage::Lost,
        LifecycleStage::Reactivated,
        LifecycleStage::WonBack,
    ];

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        ["prospect", "new", "starter", "active", "declining", "lost", "reactivated", "won_back"][self as usize]
    }

    /// The stage in words, for people ("won back").
    ///
    /// ```
    /// assert_eq!(crm_core::LifecycleStage::WonBack.label(), "won back");
    /// ```
    pub fn label(self) -> &'static str {
        ["prospect", "new", "starter", "active", "declining", "lost", "reactivated", "won back"][self as usize]
    }
}

/// The stage rules. Defaults follow the source documents where they give a value (the
/// 12-month inactivity window) and common CRM practice where they do not.
///
/// Every `*_days` field lies in 1..=36 500 ([`crate::time::MAX_DAYS`], 100 years).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifecycleConfig {
    /// Lost after this many days without a purchase. Default 365 (the decks' 12 months).
    pub inactivity_days: u32,
    /// New for this many days after the first purchase. Default 90.
    pub new_days: u32,
    /// A gap of at least this many days before a purchase makes a return "reactivated".
    /// Default 180.
    pub dormant_days: u32,
    /// Reactivated / won back for this many days after the return. Default 90.
    pub return_days: u32,
    /// Length of the two windows compared for "declining". Default 365.
    pub trend_days: u32,
    /// Declining when recent revenue < `decline_ratio` x the previous window's. Default 0.5.
    pub decline_ratio: f64,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            inactivity_days: 365,
            new_days: 90,
            dormant_days: 180,
            return_days: 90,
            trend_days: 365,
            decline_ratio: 0.5,
        }
    }
}

impl LifecycleConfig {
    /// Checks the rules.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field: windows outside 1..=[`crate::time::MAX_DAYS`], `dormant_days` not below
    /// `inactivity_days`, `decline_ratio` outside (0, 1].
    pub fn validate(&self) -> Result<()> {
        for (field, v) in [
            ("inactivity_days", self.inactivity_days),
            ("new_days", self.new_days),
            ("dormant_days", self.dormant_days),
            ("return_days", self.return_days),
            ("trend_days", self.trend_days),
        ] {
            crate::time::check_days(field, v, 1)?;
        }
        if self.dormant_days >= self.inactivity_days {
            return Err(Error::config(
                "dormant_days",
                format!("{} must be below inactivity_days ({})", self.dormant_days, self.inactivity_days),
            ));
        }
        if !(self.decline_ratio > 0.0 && self.decline_ratio <= 1.0) {
            return Err(Error::config("decline_ratio", format!("{} is not in (0, 1]", self.decline_ratio)));
        }
        Ok(())
    }
}

/// The stage of every customer, in customer index order, and the counts per stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Stage per customer.
    pub stages: Vec<LifecycleStage>,
    /// Customers per stage, indexed by stage code.
    pub counts: [usize; 8],
}

impl Lifecycle {
    /// Customers in a stage.
    pub fn count(&self, stage: LifecycleStage) -> usize {
        self.counts[stage as usize]
    }
}

impl CustomerBase {
    /// Lifecycle stages as of a date, with the given rules.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::{CustomerBase, LifecycleConfig, LifecycleStage, TransactionColumns, time::date_to_seconds};
    /// let d = |y, m, dd| date_to_seconds(NaiveDate::from_ymd_opt(y, m, dd).unwrap());
    /// let base = CustomerBase::from_transactions(TransactionColumns::new(
    ///     vec![1_i64, 2, 2].into(),
    ///     vec![d(2023, 1, 1), d(2024, 1, 1), d(2024, 11, 1)],
    ///     vec![10.0, 10.0, 10.0],
    /// ))?;
    /// let l = base.lifecycle(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(), &LifecycleConfig::default())?;
    /// assert_eq!(l.stages, vec![LifecycleStage::Lost, LifecycleStage::Reactivated]);
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules.
    pub fn lifecycle(&self, as_of: NaiveDate, config: &LifecycleConfig) -> Result<Lifecycle> {
        config.validate()?;
        let today = date_to_day(as_of);
        let tx = self.transactions();
        let stages = map_ranges(self.len(), |range| {
            let mut scratch = Vec::new();
            range.map(|c| stage_of(&tx.of(c).until(today), today, config, &mut scratch)).collect()
        });
        let mut counts = [0usize; 8];
        for s in &stages {
            counts[*s as usize] += 1;
        }
        Ok(Lifecycle { as_of, stages, counts })
    }
}

/// The stage of one customer (transactions already cut at `today`).
pub(crate) fn stage_of(
    tx: &crate::transaction::CustomerTransactions<'_>,
    today: Day,
    cfg: &LifecycleConfig,
    scratch: &mut Vec<u32>,
) -> LifecycleStage {
    let h = scan(tx, scratch);
    let (Some(first), Some(last)) = (h.first_day, h.last_day) else {
        return LifecycleStage::Prospect;
    };
    if today - last >= cfg.inactivity_days as Day {
        return LifecycleStage::Lost;
    }
    if today - first < cfg.new_days as Day {
        return LifecycleStage::New;
    }
    // The longest gap ended by a purchase in the return window.
    let mut gap = 0;
    let mut prev: Option<Day> = None;
    for (i, a) in tx.amount.iter().enumerate() {
        if a <= 0.0 {
            continue;
        }
        let d = day_of(tx.time.get(i));
        if let Some(p) = prev
            && today - d < cfg.return_days as Day
        {
            gap = gap.max(d - p);
        }
        prev = Some(d);
    }
    if gap >= cfg.inactivity_days as Day {
        return LifecycleStage::WonBack;
    }
    if gap >= cfg.dormant_days as Day {
        return LifecycleStage::Reactivated;
    }
    if h.purchases == 1 {
        return LifecycleStage::Starter;
    }
    let t = cfg.trend_days as Day;
    let recent = value_between(tx, tx.amount, today - t + 1, today);
    let before = value_between(tx, tx.amount, today - 2 * t + 1, today - t);
    if before > 0.0 && recent < cfg.decline_ratio * before {
        return LifecycleStage::Declining;
    }
    LifecycleStage::Active
}
