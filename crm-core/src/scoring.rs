//! Scoring: who is worth a visit now (DOMAIN.md section 6, the BT Industries case).
//! Weighted rules over attributes and history, date-relative criteria, optional decay with
//! age, and a ranked, explainable work list; comparison with a manual plan; back-testing.

use crate::base::CustomerBase;
use crate::customer::{AttributeValue, Customer, CustomerIndex};
use crate::error::{Error, Result};
use crate::funnel::EventMatch;
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::segments::{SegmentConfig, ValueSegment};
use crate::stats::{Proportion, wilson};
use crate::time::{Day, date_to_day, day_of};
use crate::wallet::WalletConfig;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A condition on a customer as of a date. Every `days` lies in 1..=36 500
/// ([`crate::time::MAX_DAYS`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
pub enum Condition {
    /// Attribute equals a value (compared as text: numbers without trailing `.0`,
    /// booleans `true`/`false`, dates ISO).
    Equals {
        /// Attribute name (free attribute, or `industry`, `category`, `acquisition_channel`).
        attribute: String,
        /// The value.
        value: String,
    },
    /// Attribute is one of the values.
    In {
        /// Attribute name.
        attribute: String,
        /// Accepted values.
        values: Vec<String>,
    },
    /// Numeric attribute within `[min, max]` (either bound optional).
    Range {
        /// Attribute name.
        attribute: String,
        /// Lower bound.
        #[serde(default)]
        min: Option<f64>,
        /// Upper bound.
        #[serde(default)]
        max: Option<f64>,
    },
    /// Date attribute within the next N days (e.g. a lease contract about to expire).
    DateWithinNext {
        /// Attribute name.
        attribute: String,
        /// Days ahead (the as-of date included).
        days: u32,
    },
    /// An interaction of a kind within the last N days (e.g. visited a trade fair).
    EventWithin {
        /// Interaction kind.
        kind: String,
        /// Days back (the as-of date included).
        days: u32,
    },
    /// At least `min` interactions of a kind within the last N days (e.g. much service).
    EventCount {
        /// Interaction kind.
        kind: String,
        /// Days back.
        days: u32,
        /// Least count.
        min: u32,
    },
    /// A purchase within the last N days.
    PurchaseWithin {
        /// Days back.
        days: u32,
    },
    /// In one of the lifecycle stages.
    Stage {
        /// Stages.
        stages: Vec<LifecycleStage>,
    },
    /// In one of the value segments.
    Segment {
        /// Segments.
        segments: Vec<ValueSegment>,
    },
    /// Share of wallet below a share (e.g. 0.3), by the model's wallet rules; customers
    /// without a wallet never match.
    ShareOfWalletBelow {
        /// The share, in [0, 1].
        share: f64,
    },
    /// Growth potential (wallet - spend per year) above an amount, by the model's wallet
    /// rules; customers without a wallet never match.
    GrowthPotentialAbove {
        /// The amount.
        amount: f64,
    },
}

/// A weighted rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRule {
    /// Rule name, shown in the work list.
    pub name: String,
    /// Points when the condition holds.
    pub weight: f64,
    /// The condition.
    pub condition: Condition,
    /// For event and purchase conditions: halve the points every this many days of the
    /// latest matching event's age.
    #[serde(default)]
    pub half_life_days: Option<f64>,
}

/// A set of rules.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringModel {
    /// The rules.
    pub rules: Vec<ScoringRule>,
    /// Lifecycle rules for `Stage` conditions.
    #[serde(default)]
    pub lifecycle: LifecycleConfig,
    /// Segment rules for `Segment` conditions.
    #[serde(default)]
    pub segments: SegmentConfig,
    /// Wallet rules for `ShareOfWalletBelow` and `GrowthPotentialAbove` conditions.
    #[serde(default)]
    pub wallet: WalletConfig,
}

impl ScoringModel {
    /// A model whose rules are `conditions`, one point each: the form in which a target
    /// group's conditions are evaluated (a customer is in the group when they all hold).
    pub(crate) fn all_of(
        conditions: &[Condition],
        lifecycle: &LifecycleConfig,
        segments: &SegmentConfig,
        wallet: &WalletConfig,
    ) -> ScoringModel {
        ScoringModel {
            rules: conditions
                .iter()
                .map(|c| ScoringRule { name: String::new(), weight: 1.0, condition: c.clone(), half_life_days: None })
                .collect(),
            lifecycle: lifecycle.clone(),
            segments: segments.clone(),
            wallet: wallet.clone(),
        }
    }
}

/// One customer on the work list, with each rule's contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredCustomer {
    /// The customer.
    pub customer: CustomerIndex,
    /// External id.
    pub id: String,
    /// Total score.
    pub score: f64,
    /// (rule, points) for every rule that contributed.
    pub contributions: Vec<(String, f64)>,
}

/// Scores of every customer and the ranked work list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Score per customer (index order).
    pub scores: Vec<f64>,
    /// Customers with a positive score, highest first; ties by ascending id.
    pub work_list: Vec<ScoredCustomer>,
}

/// The text of an attribute of a customer (built-in fields included).
pub fn attribute_text(c: &Customer, attribute: &str) -> Option<String> {
    let field = |v: &Option<String>| v.clone();
    match attribute {
        "name" => field(&c.name),
        "industry" => field(&c.industry),
        "category" => field(&c.category),
        "acquisition_channel" => field(&c.acquisition_channel),
        "acquisition_date" => c.acquisition_date.map(|d| d.to_string()),
        _ => c.attributes.get(attribute).map(|v| match v {
            AttributeValue::Text(s) => s.clone(),
            AttributeValue::Number(x) => x.to_string(),
            AttributeValue::Bool(b) => b.to_string(),
            AttributeValue::Date(d) => d.to_string(),
        }),
    }
}

fn attribute_number(c: &Customer, attribute: &str) -> Option<f64> {
    match attribute {
        "acquisition_cost" => c.acquisition_cost,
        _ => match c.attributes.get(attribute)? {
            AttributeValue::Number(x) => Some(*x),
            _ => None,
        },
    }
}

fn attribute_date(c: &Customer, attribute: &str) -> Option<NaiveDate> {
    match attribute {
        "acquisition_date" => c.acquisition_date,
        _ => match c.attributes.get(attribute)? {
            AttributeValue::Date(d) => Some(*d),
            _ => None,
        },
    }
}

/// Context shared by all rules of one evaluation.
struct Context<'a> {
    base: &'a CustomerBase,
    today: Day,
    stages: Option<Vec<LifecycleStage>>,
    segments: Option<Vec<Option<ValueSegment>>>,
    /// Share of wallet and growth potential per customer (NaN without a wallet).
    wallet: Option<(Vec<f64>, Vec<f64>)>,
}

impl Context<'_> {
    /// Whether the condition holds and, for event conditions, the age in days of the
    /// latest matching event.
    fn eval(&self, c: CustomerIndex, cond: &Condition) -> Option<Option<f64>> {
        let profile = self.base.profile(c);
        let today = self.today;
        let hit = |b: bool| b.then_some(None);
        match cond {
            Condition::Equals { attribute, value } => {
                hit(profile.and_then(|p| attribute_text(p, attribute)).as_deref() == Some(value))
            }
            Condition::In { attribute, values } => {
                hit(profile.and_then(|p| attribute_text(p, attribute)).is_some_and(|v| values.contains(&v)))
            }
            Condition::Range { attribute, min, max } => hit(profile
                .and_then(|p| attribute_number(p, attribute))
                .is_some_and(|x| min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m))),
            Condition::DateWithinNext { attribute, days } => hit(profile
                .and_then(|p| attribute_date(p, attribute))
                .is_some_and(|d| (today..=today + *days as Day).contains(&date_to_day(d)))),
            Condition::EventWithin { kind, days } | Condition::EventCount { kind, days, .. } => {
                let min = if let Condition::EventCount { min, .. } = cond { *min } else { 1 };
                let ix = self.base.interactions();
                let code = ix.kind_code(kind)?;
                let i = ix.of(c);
                let from = today - *days as Day + 1;
                let (mut count, mut latest) = (0u32, None);
                for k in 0..i.time.len() {
                    let d = day_of(i.time[k]);
                    if i.kind[k] == code && (from..=today).contains(&d) {
                        count += 1;
                        latest = Some(d);
                    }
                }
                (count >= min.max(1)).then(|| latest.map(|d| (today - d) as f64))
            }
            Condition::PurchaseWithin { days } => {
                let t = self.base.transactions().of(c).until(today);
                let from = today - *days as Day + 1;
                let latest = (0..t.len()).rev().find(|&k| t.amount.get(k) > 0.0).map(|k| day_of(t.time.get(k)));
                latest.filter(|&d| d >= from).map(|d| Some((today - d) as f64))
            }
            Condition::Stage { stages } => hit(self.stages.as_ref().is_some_and(|s| stages.contains(&s[c as usize]))),
            Condition::Segment { segments } => {
                hit(self.segments.as_ref().and_then(|s| s[c as usize]).is_some_and(|s| segments.contains(&s)))
            }
            Condition::ShareOfWalletBelow { share } => {
                hit(self.wallet.as_ref().is_some_and(|w| w.0[c as usize] < *share))
            }
            Condition::GrowthPotentialAbove { amount } => {
                hit(self.wallet.as_ref().is_some_and(|w| w.1[c as usize] > *amount))
            }
        }
    }
}

/// Tests conditions on one customer at a time, sharing the stages and segments.
pub(crate) struct ConditionFilter<'a>(Context<'a>);

impl ConditionFilter<'_> {
    /// Whether every rule's condition holds for customer `c` (the customer would score
    /// one point per rule with unit weights and no decay).
    pub(crate) fn all_hold(&self, c: CustomerIndex, rules: &[ScoringRule]) -> bool {
        rules.iter().all(|r| self.0.eval(c, &r.condition).is_some())
    }
}

impl Condition {
    /// Checks the day counts (1..=[`crate::time::MAX_DAYS`]).
    pub(crate) fn validate(&self) -> Result<()> {
        match self {
            Condition::DateWithinNext { days, .. }
            | Condition::EventWithin { days, .. }
            | Condition::EventCount { days, .. }
            | Condition::PurchaseWithin { days } => crate::time::check_days("days", *days, 1),
            _ => Ok(()),
        }
    }
}

impl ScoringModel {
    fn validate(&self) -> Result<()> {
        for r in &self.rules {
            r.condition.validate()?;
            if !r.weight.is_finite() {
                return Err(Error::config("weight", format!("rule `{}`: {} is not finite", r.name, r.weight)));
            }
            if r.half_life_days.is_some_and(|h| !(h > 0.0 && h.is_finite())) {
                return Err(Error::config("half_life_days", format!("rule `{}`: must be > 0", r.name)));
            }
            match r.condition {
                Condition::ShareOfWalletBelow { share } if !(0.0..=1.0).contains(&share) => {
                    return Err(Error::config("share", format!("rule `{}`: {share} is not in [0, 1]", r.name)));
                }
                Condition::GrowthPotentialAbove { amount } if !amount.is_finite() => {
                    return Err(Error::config("amount", format!("rule `{}`: {amount} is not finite", r.name)));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl CustomerBase {
    fn context(&self, model: &ScoringModel, as_of: NaiveDate) -> Result<Context<'_>> {
        let needs_stage = model.rules.iter().any(|r| matches!(r.condition, Condition::Stage { .. }));
        let needs_segment = model.rules.iter().any(|r| matches!(r.condition, Condition::Segment { .. }));
        let needs_wallet = model.rules.iter().any(|r| {
            matches!(r.condition, Condition::ShareOfWalletBelow { .. } | Condition::GrowthPotentialAbove { .. })
        });
        Ok(Context {
            base: self,
            today: date_to_day(as_of),
            stages: if needs_stage { Some(self.lifecycle(as_of, &model.lifecycle)?.stages) } else { None },
            segments: if needs_segment { Some(self.segments(as_of, &model.segments)?.segment) } else { None },
            wallet: if needs_wallet {
                let w = self.wallet_with(as_of, &model.wallet, None, None)?;
                Some((w.share, w.growth_potential))
            } else {
                None
            },
        })
    }

    /// A test of a model's conditions on single customers (process target groups).
    pub(crate) fn condition_filter(&self, model: &ScoringModel, as_of: NaiveDate) -> Result<ConditionFilter<'_>> {
        model.validate()?;
        Ok(ConditionFilter(self.context(model, as_of)?))
    }

    /// Scores every customer as of a date and ranks the work list.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a non-finite weight or half-life; errors of the
    /// lifecycle or segment rules when conditions use them.
    pub fn score(&self, model: &ScoringModel, as_of: NaiveDate) -> Result<Scores> {
        model.validate()?;
        let ctx = self.context(model, as_of)?;
        let mut scores = Vec::with_capacity(self.len());
        let mut work_list = Vec::new();
        for c in 0..self.len() as u32 {
            let mut total = 0.0;
            let mut contributions = Vec::new();
            for r in &model.rules {
                if let Some(age) = ctx.eval(c, &r.condition) {
                    let decay = match (r.half_life_days, age) {
                        (Some(h), Some(a)) => 0.5f64.powf(a / h),
                        _ => 1.0,
                    };
                    let points = r.weight * decay;
                    total += points;
                    contributions.push((r.name.clone(), points));
                }
            }
            scores.push(total);
            if total > 0.0 {
                work_list.push(ScoredCustomer {
                    customer: c,
                    id: self.ids().display(c as usize),
                    score: total,
                    contributions,
                });
            }
        }
        work_list.sort_by(|a, b| crate::rank::descending(a.score, b.score).then(a.customer.cmp(&b.customer)));
        Ok(Scores { as_of, scores, work_list })
    }

    /// Back-tests each rule: of the customers the rule hit as of `as_of`, how many had the
    /// `outcome` event within the next `horizon_days` (the win rate, with its interval),
    /// against the rate among all customers.
    ///
    /// # Errors
    /// As [`Self::score`]; [`Error::InvalidConfig`] for `horizon_days` outside
    /// 1..=[`crate::time::MAX_DAYS`].
    pub fn backtest(
        &self,
        model: &ScoringModel,
        as_of: NaiveDate,
        outcome: &EventMatch,
        horizon_days: u32,
    ) -> Result<Vec<RuleBacktest>> {
        model.validate()?;
        crate::time::check_days("horizon_days", horizon_days, 1)?;
        let ctx = self.context(model, as_of)?;
        let today = date_to_day(as_of);
        let wins: Vec<bool> = (0..self.len() as u32)
            .map(|c| self.has_event(c, outcome, today + 1, today + horizon_days as Day))
            .collect();
        let all_wins = wins.iter().filter(|w| **w).count() as u64;
        let base_rate = wilson(all_wins, self.len() as u64, 0.95);
        Ok(model
            .rules
            .iter()
            .map(|r| {
                let hits: Vec<usize> =
                    (0..self.len()).filter(|&c| ctx.eval(c as u32, &r.condition).is_some()).collect();
                let won = hits.iter().filter(|&&c| wins[c]).count() as u64;
                RuleBacktest {
                    rule: r.name.clone(),
                    hits: hits.len() as u64,
                    wins: won,
                    win_rate: wilson(won, hits.len() as u64, 0.95),
                    base_rate,
                }
            })
            .collect())
    }

    /// Whether the customer has an event matching `m` on a day in `[from, to]`.
    pub(crate) fn has_event(&self, c: CustomerIndex, m: &EventMatch, from: Day, to: Day) -> bool {
        match m {
            EventMatch::Purchase { min_amount } => {
                let t = self.transactions().of(c);
                let min = min_amount.unwrap_or(f64::MIN_POSITIVE);
                (t.first_on_or_after(from)..t.first_on_or_after(to + 1)).any(|k| t.amount.get(k) >= min)
            }
            EventMatch::Interaction { kind, outcomes, channel } => {
                let ix = self.interactions();
                let Some(code) = ix.kind_code(kind) else { return false };
                let i = ix.of(c);
                (0..i.time.len()).any(|k| {
                    let d = day_of(i.time[k]);
                    (from..=to).contains(&d)
                        && i.kind[k] == code
                        && channel.is_none_or(|ch| ch == i.channel[k])
                        && (outcomes.is_empty()
                            || (i.outcome[k] != crate::interaction::NO_OUTCOME
                                && outcomes.iter().any(|o| o == ix.outcomes().get(i.outcome[k] as usize))))
                })
            }
        }
    }
}

/// A rule's back-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleBacktest {
    /// Rule name.
    pub rule: String,
    /// Customers the rule hit.
    pub hits: u64,
    /// Of those, with the outcome in the horizon.
    pub wins: u64,
    /// wins / hits with its Wilson interval.
    pub win_rate: Proportion,
    /// The outcome rate among all customers.
    pub base_rate: Proportion,
}

/// A system work list compared with a manual plan (the BT case: 23 proposed, 19 planned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanComparison {
    /// Customers on the system list.
    pub system: usize,
    /// Customers on the manual plan.
    pub manual: usize,
    /// On both.
    pub overlap: usize,
    /// Median score of the system list.
    pub system_median: f64,
    /// Median score of the manual plan.
    pub manual_median: f64,
    /// System customers scoring above the manual plan's median.
    pub system_above_manual_median: usize,
    /// Manual customers scoring above the system list's median.
    pub manual_above_system_median: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// Compares a system list with a manual plan by the scores of all customers.
///
/// # Errors
/// [`Error::InvalidConfig`] when a list names a customer index outside the scores.
pub fn compare_plans(scores: &Scores, system: &[CustomerIndex], manual: &[CustomerIndex]) -> Result<PlanComparison> {
    let score = |c: CustomerIndex| {
        scores
            .scores
            .get(c as usize)
            .copied()
            .ok_or_else(|| Error::config("plan", format!("customer index {c} is not in the base")))
    };
    let s: Vec<f64> = system.iter().map(|&c| score(c)).collect::<Result<_>>()?;
    let m: Vec<f64> = manual.iter().map(|&c| score(c)).collect::<Result<_>>()?;
    let (sm, mm) = (median(s.clone()), median(m.clone()));
    Ok(PlanComparison {
        system: system.len(),
        manual: manual.len(),
        overlap: system.iter().filter(|c| manual.contains(c)).count(),
        system_median: sm,
        manual_median: mm,
        system_above_manual_median: s.iter().filter(|&&x| x > mm).count(),
        manual_above_system_median: m.iter().filter(|&&x| x > sm).count(),
    })
}
