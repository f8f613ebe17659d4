//! Process funnels (DOMAIN.md section 5): an ordered list of steps, each an event (an
//! interaction of a kind, optionally with given outcomes or channel, or a purchase) that
//! must follow the previous step within the step's window.
//!
//! # Counting
//!
//! A customer *enters* the funnel with its first step-1 event whose day lies in
//! `[entry_from, entry_to)` and not after the as-of date. It reaches step k+1 with the
//! first matching event at or after its step-k event and within step k+1's window that
//! no earlier step used: each step takes a distinct event, so "second purchase" after
//! "first purchase" needs a second purchase (an event at the same second as the previous
//! step's counts when it is another event, e.g. a purchase logged with its interaction). A
//! customer at step k that has not reached step k+1 is *in progress* while the window is
//! still open on the as-of date (not counted as dropped), else *dropped*; a step without a
//! window has no deadline, so it drops only customers the as-of date leaves unconverted.
//! Conversion rates count decided customers: `rate_from_previous = entered_k /
//! (entered_{k-1} - in_progress_{k-1})`.

use crate::base::CustomerBase;
use crate::customer::Channel;
use crate::error::{Error, Result};
use crate::interaction::NO_OUTCOME;
use crate::parallel::map_ranges;
use crate::stats::{Difference, Proportion, compare_proportions, wilson};
use crate::time::{Day, SECONDS_PER_DAY, date_to_day, day_of};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a step waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
pub enum EventMatch {
    /// An interaction of a kind; with `outcomes`, only those outcomes count (the branch
    /// taken); with `channel`, only that channel.
    Interaction {
        /// Interaction kind.
        kind: String,
        /// Accepted outcomes (empty: any).
        #[serde(default)]
        outcomes: Vec<String>,
        /// Required channel.
        #[serde(default)]
        channel: Option<Channel>,
    },
    /// A purchase (a transaction with a positive amount of at least `min_amount`).
    Purchase {
        /// Smallest amount that counts.
        #[serde(default)]
        min_amount: Option<f64>,
    },
}

/// One step of a funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunnelStep {
    /// Step name.
    pub name: String,
    /// The event.
    pub event: EventMatch,
    /// Days after the previous step within which the event must happen (ignored for the
    /// first step), 1..=36 500 ([`crate::time::MAX_DAYS`]); `None` for no deadline.
    #[serde(default)]
    pub window_days: Option<u32>,
}

/// A funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funnel {
    /// Funnel name.
    pub name: String,
    /// Steps, in order.
    pub steps: Vec<FunnelStep>,
}

impl Funnel {
    /// Checks the steps.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a funnel without steps or with more than
    /// [`MAX_STEPS`], or a `window_days` outside 1..=[`crate::time::MAX_DAYS`].
    pub fn validate(&self) -> Result<()> {
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(Error::config(
                "steps",
                format!("a funnel needs 1 to {MAX_STEPS} steps, not {}", self.steps.len()),
            ));
        }
        for s in &self.steps {
            if let Some(w) = s.window_days {
                crate::time::check_days("window_days", w, 1)?;
            }
        }
        Ok(())
    }
}

/// Time from the previous step to this one, in days, for the customers who converted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToConvert {
    /// Median (linear interpolation between order statistics).
    pub median: f64,
    /// First quartile.
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
    /// Counts per bucket of [`TIME_BUCKETS`].
    pub histogram: Vec<u64>,
}

/// Histogram buckets of [`TimeToConvert`], as (label, last day included).
pub const TIME_BUCKETS: [(&str, i32); 9] = [
    ("0", 0),
    ("1", 1),
    ("2-3", 3),
    ("4-7", 7),
    ("8-14", 14),
    ("15-30", 30),
    ("31-60", 60),
    ("61-90", 90),
    (">90", i32::MAX),
];

/// One step's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// Step name.
    pub name: String,
    /// Customers who reached the step.
    pub entered: u64,
    /// Of those, reached the next step (0 for the last step).
    pub converted: u64,
    /// Did not reach the next step and its window has closed.
    pub dropped: u64,
    /// Did not reach the next step yet, window still open.
    pub in_progress: u64,
    /// entered / decided customers of the previous step, with its Wilson interval
    /// (`None` for the first step).
    pub rate_from_previous: Option<Proportion>,
    /// entered / entered at the first step.
    pub rate_from_first: f64,
    /// The branches: for every customer of the previous step, the outcome of its first
    /// interaction of this step's kind in the window (`none` when it had none or no
    /// outcome); the counts sum to the previous step's `entered`. Empty for purchase steps.
    pub outcomes: BTreeMap<String, u64>,
    /// Time from the previous step (`None` for the first step or without converters).
    pub time_to_convert: Option<TimeToConvert>,
}

/// A funnel's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelResult {
    /// Funnel name.
    pub funnel: String,
    /// Group (breakdowns), or `all`.
    pub group: String,
    /// Per step.
    pub steps: Vec<StepResult>,
}

/// When customers enter and the as-of date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunnelPeriod {
    /// First day a customer can enter.
    pub entry_from: NaiveDate,
    /// First day after the entry period.
    pub entry_to: NaiveDate,
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Confidence of the intervals. Default 0.95.
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

fn default_confidence() -> f64 {
    0.95
}

impl FunnelPeriod {
    /// A period with 95 % intervals.
    pub fn new(entry_from: NaiveDate, entry_to: NaiveDate, as_of: NaiveDate) -> Self {
        FunnelPeriod { entry_from, entry_to, as_of, confidence: 0.95 }
    }
}

/// How far one customer got.
#[derive(Debug, Clone, Copy)]
struct Journey {
    /// Steps reached (0 = did not enter).
    reached: u8,
    /// Still inside the window of the next step.
    in_progress: bool,
    /// Days from each step to the next, for the steps reached (index k: k-1 -> k).
    gaps: [i32; MAX_STEPS],
    /// Outcome code of the first kind-matching interaction at each step (NO_OUTCOME if none).
    outcome: [u32; MAX_STEPS],
}

/// Most steps a funnel may have.
pub const MAX_STEPS: usize = 16;

/// A step with its kind and outcome codes resolved.
struct Resolved {
    kind: Option<u32>,
    outcomes: Vec<u32>,
    channel: Option<Channel>,
    purchase: Option<f64>,
    window: Option<i32>,
}

impl CustomerBase {
    /// The funnel over all customers.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an invalid funnel ([`Funnel::validate`]) or an entry
    /// period that is empty.
    pub fn funnel(&self, funnel: &Funnel, period: &FunnelPeriod) -> Result<FunnelResult> {
        let journeys = self.journeys(funnel, period)?;
        Ok(aggregate(self, funnel, period, "all", journeys.iter()))
    }

    /// The funnel per group: `group_of` gives each customer's group (`None`: left out).
    /// Groups are listed in ascending name order.
    ///
    /// # Errors
    /// As [`Self::funnel`].
    pub fn funnel_by(
        &self,
        funnel: &Funnel,
        period: &FunnelPeriod,
        group_of: impl Fn(crate::CustomerIndex) -> Option<String>,
    ) -> Result<Vec<FunnelResult>> {
        let journeys = self.journeys(funnel, period)?;
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (c, j) in journeys.iter().enumerate() {
            if j.reached > 0
                && let Some(g) = group_of(c as u32)
            {
                groups.entry(g).or_default().push(c);
            }
        }
        Ok(groups
            .into_iter()
            .map(|(g, cs)| aggregate(self, funnel, period, &g, cs.iter().map(|&c| &journeys[c])))
            .collect())
    }

    /// The funnel per value of a customer attribute (text, number, bool or date), or of
    /// the acquisition channel (`acquisition_channel`), industry or category.
    ///
    /// # Errors
    /// As [`Self::funnel`]; [`Error::MissingData`] without a customer table.
    pub fn funnel_by_attribute(
        &self,
        funnel: &Funnel,
        period: &FunnelPeriod,
        attribute: &str,
    ) -> Result<Vec<FunnelResult>> {
        let profiles = self
            .profiles()
            .ok_or_else(|| Error::MissingData("a breakdown by attribute needs a customer table".into()))?;
        self.funnel_by(funnel, period, |c| crate::scoring::attribute_text(&profiles[c as usize], attribute))
    }

    /// The same funnel for two entry periods, step by step: rate_from_previous in each,
    /// the difference (second - first) with its Newcombe interval and test.
    ///
    /// # Errors
    /// As [`Self::funnel`].
    pub fn compare_funnel_periods(
        &self,
        funnel: &Funnel,
        first: &FunnelPeriod,
        second: &FunnelPeriod,
    ) -> Result<Vec<Option<Difference>>> {
        let (a, b) = (self.funnel(funnel, first)?, self.funnel(funnel, second)?);
        Ok(a.steps
            .iter()
            .zip(&b.steps)
            .map(|(x, y)| match (x.rate_from_previous, y.rate_from_previous) {
                (Some(p), Some(q)) => {
                    Some(compare_proportions(p.successes, p.trials, q.successes, q.trials, first.confidence))
                }
                _ => None,
            })
            .collect())
    }

    fn journeys(&self, funnel: &Funnel, period: &FunnelPeriod) -> Result<Vec<Journey>> {
        funnel.validate()?;
        if period.entry_to <= period.entry_from {
            return Err(Error::config("entry_to", format!("{} is not after {}", period.entry_to, period.entry_from)));
        }
        if !(period.confidence > 0.0 && period.confidence < 1.0) {
            return Err(Error::config("confidence", format!("{} is not in (0, 1)", period.confidence)));
        }
        let ix = self.interactions();
        let outcome_code = |o: &str| crate::id::lookup(&crate::KeyColumn::Str(ix.outcomes().clone()), &o.into());
        let steps: Vec<Resolved> = funnel
            .steps
            .iter()
            .map(|s| match &s.event {
                EventMatch::Interaction { kind, outcomes, channel } => Resolved {
                    kind: Some(ix.kind_code(kind).unwrap_or(u32::MAX - 1)),
                    outcomes: outcomes.iter().map(|o| outcome_code(o).unwrap_or(u32::MAX - 1)).collect(),
                    channel: *channel,
                    purchase: None,
                    window: s.window_days.map(|w| w as i32),
                },
                EventMatch::Purchase { min_amount } => Resolved {
                    kind: None,
                    outcomes: Vec::new(),
                    channel: None,
                    purchase: Some(min_amount.unwrap_or(f64::MIN_POSITIVE)),
                    window: s.window_days.map(|w| w as i32),
                },
            })
            .collect();
        let (from, to, today) =
            (date_to_day(period.entry_from), date_to_day(period.entry_to), date_to_day(period.as_of));
        let tx = self.transactions();
        Ok(map_ranges(self.len(), |range| {
            range
                .map(|c| {
                    let (t, i) = (tx.of(c), ix.of(c));
                    let mut j = Journey {
                        reached: 0,
                        in_progress: false,
                        gaps: [0; MAX_STEPS],
                        outcome: [NO_OUTCOME; MAX_STEPS],
                    };
                    // The first transaction and interaction no step has used yet.
                    let mut unused = [0, 0];
                    // Entry: the first matching event in the entry period.
                    let entry = (from, (to - 1).min(today));
                    let Some(mut at) = next_event(&steps[0], &t, &i, i64::MIN, entry, &mut unused, &mut j.outcome[0])
                    else {
                        return j;
                    };
                    j.reached = 1;
                    for (k, step) in steps.iter().enumerate().skip(1) {
                        let day = day_of(at);
                        let deadline = step.window.map_or(today, |w| (day + w).min(today));
                        match next_event(step, &t, &i, at, (day, deadline), &mut unused, &mut j.outcome[k]) {
                            Some(next) => {
                                j.gaps[k] = day_of(next) - day;
                                j.reached += 1;
                                at = next;
                            }
                            None => {
                                j.in_progress = step.window.is_some_and(|w| today < day + w);
                                break;
                            }
                        }
                    }
                    j
                })
                .collect()
        }))
    }
}

/// The first event matching `step` at or after `after` (seconds) with its day in
/// `[from, to]`, among the transactions and interactions from `unused` on (the first of
/// each no earlier step took), which it then moves past the event; records the outcome of
/// the first kind-matching interaction.
fn next_event(
    step: &Resolved,
    t: &crate::transaction::CustomerTransactions<'_>,
    i: &crate::interaction::CustomerInteractions<'_>,
    after: i64,
    (from, to): (Day, Day),
    unused: &mut [usize; 2],
    first_outcome: &mut u32,
) -> Option<i64> {
    // Days as seconds: day_of(s) in [from, to] <=> s in [from x 86400, (to + 1) x 86400).
    // Times are sorted, so the search starts at the first time at or after both bounds.
    let lo = after.max(from as i64 * SECONDS_PER_DAY);
    let end = (to as i64 + 1) * SECONDS_PER_DAY;
    if let Some(min) = step.purchase {
        let start = t.time.partition_point(|s| s < lo).max(unused[0]);
        let k = (start..t.len()).take_while(|&k| t.time.get(k) < end).find(|&k| t.amount.get(k) >= min)?;
        unused[0] = k + 1;
        return Some(t.time.get(k));
    }
    let kind = step.kind.expect("interaction step");
    let start = i.time.partition_point(|&s| s < lo).max(unused[1]);
    let mut seen = false;
    for k in start..i.time.len() {
        let s = i.time[k];
        if s >= end {
            break;
        }
        if i.kind[k] != kind || step.channel.is_some_and(|ch| ch != i.channel[k]) {
            continue;
        }
        if !seen {
            *first_outcome = i.outcome[k];
            seen = true;
        }
        if step.outcomes.is_empty() || step.outcomes.contains(&i.outcome[k]) {
            unused[1] = k + 1;
            return Some(s);
        }
    }
    None
}

fn quantile(sorted: &[i32], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] as f64 + (sorted[hi] - sorted[lo]) as f64 * (pos - lo as f64)
}

fn aggregate<'a>(
    base: &CustomerBase,
    funnel: &Funnel,
    period: &FunnelPeriod,
    group: &str,
    journeys: impl Iterator<Item = &'a Journey>,
) -> FunnelResult {
    let n = funnel.steps.len();
    let (mut entered, mut in_progress) = (vec![0u64; n], vec![0u64; n]);
    let mut gaps: Vec<Vec<i32>> = vec![Vec::new(); n];
    let mut outcomes: Vec<BTreeMap<u32, u64>> = vec![BTreeMap::new(); n];
    for j in journeys.filter(|j| j.reached > 0) {
        let r = j.reached as usize;
        for k in 0..r {
            entered[k] += 1;
            if k > 0 {
                gaps[k].push(j.gaps[k]);
            }
        }
        if j.in_progress {
            in_progress[r - 1] += 1;
        }
        // Every customer who reached step k-1 was searched for step k: count the outcome
        // of the first interaction of the step's kind it had, or `none`.
        for (k, o) in outcomes.iter_mut().enumerate().take(r + 1).skip(1) {
            *o.entry(j.outcome[k]).or_default() += 1;
        }
    }
    let names = base.interactions().outcomes();
    let steps = (0..n)
        .map(|k| {
            let converted = if k + 1 < n { entered[k + 1] } else { 0 };
            let dropped = if k + 1 < n { entered[k] - converted - in_progress[k] } else { 0 };
            let rate_from_previous =
                (k > 0).then(|| wilson(entered[k], entered[k - 1] - in_progress[k - 1], period.confidence));
            let mut g = std::mem::take(&mut gaps[k]);
            g.sort_unstable();
            let time_to_convert = (!g.is_empty()).then(|| TimeToConvert {
                median: quantile(&g, 0.5),
                q1: quantile(&g, 0.25),
                q3: quantile(&g, 0.75),
                histogram: TIME_BUCKETS
                    .iter()
                    .enumerate()
                    .map(|(b, &(_, hi))| {
                        let lo = if b == 0 { i32::MIN } else { TIME_BUCKETS[b - 1].1 };
                        g.iter().filter(|&&d| d > lo && d <= hi).count() as u64
                    })
                    .collect(),
            });
            let outcomes = if matches!(funnel.steps[k].event, EventMatch::Purchase { .. }) {
                BTreeMap::new()
            } else {
                outcomes[k]
                    .iter()
                    .map(|(&o, &c)| {
                        (if o == NO_OUTCOME { "none".to_owned() } else { names.get(o as usize).to_owned() }, c)
                    })
                    .collect()
            };
            StepResult {
                name: funnel.steps[k].name.clone(),
                entered: entered[k],
                converted,
                dropped,
                in_progress: in_progress[k],
                rate_from_previous,
                rate_from_first: if entered[0] == 0 { 0.0 } else { entered[k] as f64 / entered[0] as f64 },
                outcomes,
                time_to_convert,
            }
        })
        .collect();
    FunnelResult { funnel: funnel.name.clone(), group: group.to_owned(), steps }
}
