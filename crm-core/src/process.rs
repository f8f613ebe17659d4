//! Process definitions and the dialogs that come due (DOMAIN.md section 5, the Volvo Cars
//! process specifications).
//!
//! A process is data (JSON or TOML): an id (`P:1`), a name, a kind, an objective, KPIs
//! with targets, a target group and dialogs. A dialog has a trigger (an event, a response
//! to an earlier dialog, a stage change, a date attribute, a calendar date), a timing
//! (immediately, N days after, N days before), a channel, who is responsible and who does
//! it, optional conditions (branches on responses) and an optional reminder.
//!
//! # Logging convention
//!
//! A dialog carried out is an interaction of kind `"<process id>/<dialog id>"` (e.g.
//! `P:1/D:2`); a customer's response to it is an interaction of the same kind with an
//! outcome (`yes`, `no`, `cannot_come`, ...); a reminder sent is logged as
//! `"<process id>/<dialog id>/reminder"`. A dialog is done for a trigger when it was logged
//! at or after the trigger, so the same trigger never gives two actions.

use crate::base::CustomerBase;
use crate::customer::{Channel, CustomerIndex};
use crate::error::{Error, Result};
use crate::funnel::EventMatch;
use crate::interaction::NO_OUTCOME;
use crate::lifecycle::{LifecycleConfig, LifecycleStage, stage_of};
use crate::scoring::Condition;
use crate::segments::{SegmentConfig, ValueSegment};
use crate::stats::{Proportion, wilson};
use crate::time::{Day, SECONDS_PER_DAY, date_to_day, day_of, day_to_date};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a process is for (deck 001) and what kind of process it is (deck 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessKind {
    /// Acquire customers.
    Acquire,
    /// Retain customers.
    Retain,
    /// Develop customers (cross- and up-sell).
    Develop,
    /// Reactivate dormant customers.
    Reactivate,
    /// Win back lost customers.
    WinBack,
    /// Production (cost focus).
    Production,
    /// Customer service (reactive).
    Service,
    /// Revenue (proactive sales).
    Revenue,
    /// Customer care (proactive relationship).
    Care,
}

/// When a dialog is triggered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// An interaction of a kind (e.g. `web_registration`), optionally with given outcomes.
    Event {
        /// Interaction kind.
        kind: String,
        /// Accepted outcomes (empty: any).
        #[serde(default)]
        outcomes: Vec<String>,
    },
    /// A response to an earlier dialog of the same process (e.g. answered `yes`).
    Response {
        /// The dialog id.
        dialog: String,
        /// Accepted outcomes.
        outcomes: Vec<String>,
    },
    /// The customer entered a lifecycle stage within the last `lookback_days`.
    StageChange {
        /// The stage entered.
        to: LifecycleStage,
        /// How far back a change is looked for. Default 7.
        #[serde(default = "default_lookback")]
        lookback_days: u32,
    },
    /// A date attribute of the customer (e.g. `lease_end`).
    DateAttribute {
        /// Attribute name.
        attribute: String,
    },
    /// A calendar date (e.g. the event day).
    Calendar {
        /// The date.
        date: NaiveDate,
    },
}

fn default_lookback() -> u32 {
    7
}

/// When, relative to its trigger, a dialog is due.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
pub enum Timing {
    /// On the trigger day.
    Immediately,
    /// N days after the trigger.
    DaysAfter {
        /// Days.
        days: u32,
    },
    /// N days before the trigger date (date attributes and calendar dates).
    DaysBefore {
        /// Days.
        days: u32,
    },
}

/// A branch condition of a dialog, on the customer's history up to the as-of date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
pub enum DialogCondition {
    /// Responded to a dialog of this process with one of the outcomes.
    Responded {
        /// Dialog id.
        dialog: String,
        /// Outcomes.
        outcomes: Vec<String>,
    },
    /// Has not responded (with any outcome) to a dialog of this process.
    NotResponded {
        /// Dialog id.
        dialog: String,
    },
    /// Had an interaction of a kind (e.g. `event_attended`).
    HadEvent {
        /// Kind.
        kind: String,
    },
    /// Had no interaction of a kind.
    NoEvent {
        /// Kind.
        kind: String,
    },
    /// At least one of the conditions holds.
    AnyOf {
        /// The alternatives.
        conditions: Vec<DialogCondition>,
    },
}

/// "N days later if no follow-up": a reminder when the dialog got no response.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reminder {
    /// Days after the dialog was carried out.
    pub after_days: u32,
}

/// One dialog of a process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dialog {
    /// Dialog id (e.g. `D:1`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Objective.
    #[serde(default)]
    pub objective: String,
    /// Measurable target, as text.
    #[serde(default)]
    pub target: String,
    /// The trigger.
    pub trigger: Trigger,
    /// The timing.
    pub timing: Timing,
    /// The channel.
    pub channel: Channel,
    /// Who is responsible.
    #[serde(default)]
    pub responsible: String,
    /// Who does it.
    #[serde(default)]
    pub done_by: String,
    /// Branch conditions (all must hold).
    #[serde(default)]
    pub conditions: Vec<DialogCondition>,
    /// Reminder when there is no response.
    #[serde(default)]
    pub reminder: Option<Reminder>,
    /// Needs the customer's marketing permission for the channel. Default true.
    #[serde(default = "yes")]
    pub requires_permission: bool,
    /// Links to other processes (`P:5 Sales process`).
    #[serde(default)]
    pub links: Vec<String>,
}

fn yes() -> bool {
    true
}

/// A key performance indicator with its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "snake_case")]
pub enum Kpi {
    /// Share of triggers of a dialog carried out within N days ("all prospects contacted
    /// by the local dealer within 5 days").
    DoneWithin {
        /// Dialog id.
        dialog: String,
        /// Days.
        days: u32,
        /// Least share.
        at_least: f64,
    },
    /// Share of dialogs carried out that got a response with one of the outcomes
    /// (">= 20 % respond").
    ResponseRate {
        /// Dialog id.
        dialog: String,
        /// Outcomes that count (empty: any).
        #[serde(default)]
        outcomes: Vec<String>,
        /// Least share.
        at_least: f64,
    },
    /// Share of customers who answered yes to a dialog but had no `attended` event by the
    /// as-of date (the no-show rate).
    NoShowRate {
        /// The invitation dialog id.
        dialog: String,
        /// Outcomes meaning "will come".
        outcomes: Vec<String>,
        /// The attendance interaction kind.
        attended: String,
        /// Largest share.
        at_most: f64,
    },
}

/// Who a process is for: all conditions must hold (empty: everyone).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TargetGroup {
    /// Lifecycle stages (empty: any).
    pub stages: Vec<LifecycleStage>,
    /// Value segments (empty: any).
    pub segments: Vec<ValueSegment>,
    /// Further conditions (attributes, events).
    pub conditions: Vec<Condition>,
}

/// A process definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// Process id (e.g. `P:1`, `K:1`).
    pub id: String,
    /// Name.
    pub name: String,
    /// What it is for.
    pub kind: ProcessKind,
    /// Kind of process (production, service, revenue, care), when given.
    #[serde(default)]
    pub process_type: Option<ProcessKind>,
    /// Objective.
    #[serde(default)]
    pub objective: String,
    /// KPIs.
    #[serde(default)]
    pub kpis: Vec<Kpi>,
    /// Target group.
    #[serde(default)]
    pub target_group: TargetGroup,
    /// Dialogs.
    pub dialogs: Vec<Dialog>,
    /// Links to other processes.
    #[serde(default)]
    pub links: Vec<String>,
}

impl Process {
    /// Reads a process from TOML.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] with the parser's message (line and column) or a
    /// validation error.
    pub fn from_toml(text: &str) -> Result<Process> {
        let p: Process = crate::definition::from_toml(text, "process")?;
        p.validate()?;
        Ok(p)
    }

    /// Reads a process from JSON.
    ///
    /// # Errors
    /// As [`Self::from_toml`].
    pub fn from_json(text: &str) -> Result<Process> {
        let p: Process = crate::definition::from_json(text, "process")?;
        p.validate()?;
        Ok(p)
    }

    /// Checks ids, references and day counts: `lookback_days`, `after_days` and KPI `days`
    /// lie in 1..=36 500 ([`crate::time::MAX_DAYS`]), timing `days` in 0..=36 500.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an empty or duplicate dialog id, a reference to a
    /// dialog the process does not have, or a day count out of range (naming the field).
    pub fn validate(&self) -> Result<()> {
        if self.id.is_empty() || self.dialogs.is_empty() {
            return Err(Error::config("process", format!("`{}` needs an id and at least one dialog", self.name)));
        }
        self.check_days()?;
        let ids: Vec<&str> = self.dialogs.iter().map(|d| d.id.as_str()).collect();
        for (k, id) in ids.iter().enumerate() {
            if id.is_empty() || ids[..k].contains(id) {
                return Err(Error::config(
                    "dialogs",
                    format!("process {}: dialog id `{id}` is empty or repeated", self.id),
                ));
            }
        }
        let known = |d: &String| ids.contains(&d.as_str());
        for d in &self.dialogs {
            fn refs<'a>(c: &'a DialogCondition, out: &mut Vec<&'a String>) {
                match c {
                    DialogCondition::Responded { dialog, .. } | DialogCondition::NotResponded { dialog } => {
                        out.push(dialog)
                    }
                    DialogCondition::AnyOf { conditions } => conditions.iter().for_each(|x| refs(x, out)),
                    _ => {}
                }
            }
            let mut named = Vec::new();
            d.conditions.iter().for_each(|c| refs(c, &mut named));
            let refs = named.into_iter();
            let trig = match &d.trigger {
                Trigger::Response { dialog, .. } => Some(dialog),
                _ => None,
            };
            if let Some(bad) = refs.chain(trig).find(|r| !known(r)) {
                return Err(Error::config(
                    "dialogs",
                    format!("process {} dialog {}: no dialog `{bad}`", self.id, d.id),
                ));
            }
            if matches!(d.timing, Timing::DaysBefore { .. })
                && !matches!(d.trigger, Trigger::DateAttribute { .. } | Trigger::Calendar { .. })
            {
                return Err(Error::config(
                    "timing",
                    format!("process {} dialog {}: `days_before` needs a date trigger", self.id, d.id),
                ));
            }
        }
        for k in &self.kpis {
            let (Kpi::DoneWithin { dialog, .. } | Kpi::ResponseRate { dialog, .. } | Kpi::NoShowRate { dialog, .. }) =
                k;
            if !known(dialog) {
                return Err(Error::config("kpis", format!("process {}: KPI names no dialog `{dialog}`", self.id)));
            }
        }
        Ok(())
    }

    fn check_days(&self) -> Result<()> {
        use crate::time::check_days;
        for c in &self.target_group.conditions {
            c.validate()?;
        }
        for k in &self.kpis {
            if let Kpi::DoneWithin { days, .. } = k {
                check_days("days", *days, 1)?;
            }
        }
        for d in &self.dialogs {
            if let Trigger::StageChange { lookback_days, .. } = d.trigger {
                check_days("lookback_days", lookback_days, 1)?;
            }
            if let Timing::DaysAfter { days } | Timing::DaysBefore { days } = d.timing {
                check_days("days", days, 0)?;
            }
            if let Some(r) = d.reminder {
                check_days("after_days", r.after_days, 1)?;
            }
        }
        Ok(())
    }

    /// The interaction kind that logs a dialog of this process.
    pub fn log_kind(&self, dialog: &str) -> String {
        format!("{}/{}", self.id, dialog)
    }
}

/// The two example processes of the source documents (deck 001, Volvo Cars): `P:1` Get
/// prospects via www, and `P:2` Invitation to events with its five dialogs.
///
/// ```
/// let ps = crm_core::process::examples();
/// assert_eq!(ps[1].dialogs.len(), 5);
/// ```
pub fn examples() -> Vec<Process> {
    [include_str!("../processes/web_prospect.toml"), include_str!("../processes/event_invitation.toml")]
        .iter()
        .map(|t| Process::from_toml(t).expect("shipped definitions are valid"))
        .collect()
}

/// A dialog that is due for a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueAction {
    /// The customer.
    pub customer: CustomerIndex,
    /// External id.
    pub customer_id: String,
    /// Process id.
    pub process: String,
    /// Dialog id.
    pub dialog: String,
    /// Dialog name.
    pub name: String,
    /// When the trigger happened (or the trigger date).
    pub trigger_date: NaiveDate,
    /// When the dialog is due.
    pub due_date: NaiveDate,
    /// Channel.
    pub channel: Channel,
    /// Who is responsible.
    pub responsible: String,
    /// Who does it.
    pub done_by: String,
    /// A reminder of a dialog that got no response.
    pub reminder: bool,
}

/// Due actions, and the ones blocked for want of a marketing permission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueActions {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Actions to carry out, by due date, process, dialog and customer.
    pub due: Vec<DueAction>,
    /// Actions not allowed: the customer has no permission for the channel.
    pub blocked: Vec<DueAction>,
}

/// How far back triggers are looked for, and the rules for stage and segment filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvaluationConfig {
    /// Triggers older than this many days are not looked at: 1..=36 500
    /// ([`crate::time::MAX_DAYS`]). Default 90.
    pub lookback_days: u32,
    /// Lifecycle rules (stage filters and stage-change triggers).
    pub lifecycle: LifecycleConfig,
    /// Segment rules (segment filters).
    pub segments: SegmentConfig,
    /// Wallet rules (share-of-wallet and growth-potential conditions of target groups).
    pub wallet: crate::wallet::WalletConfig,
}

impl Default for EvaluationConfig {
    fn default() -> Self {
        EvaluationConfig {
            lookback_days: 90,
            lifecycle: LifecycleConfig::default(),
            segments: SegmentConfig::default(),
            wallet: crate::wallet::WalletConfig::default(),
        }
    }
}

/// An interaction filter with its kind and outcome codes resolved once per process:
/// interactions of `kind` with an outcome in `outcomes` (any outcome when `None`;
/// `Some(empty)` = any non-empty outcome). A kind no interaction has matches nothing.
#[derive(Debug, Clone)]
struct Matcher {
    kind: Option<u32>,
    outcomes: Option<Vec<u32>>,
}

impl Matcher {
    fn hit(&self, kind: u32, outcome: u32) -> bool {
        Some(kind) == self.kind
            && match &self.outcomes {
                None => true,
                Some(o) if o.is_empty() => outcome != NO_OUTCOME,
                Some(o) => o.contains(&outcome),
            }
    }
}

/// One customer's interactions up to the as-of day (the slice is cut once, so no day
/// number is computed per comparison).
#[derive(Clone, Copy)]
struct Upto<'a> {
    time: &'a [i64],
    kind: &'a [u32],
    outcome: &'a [u32],
}

impl<'a> Upto<'a> {
    fn new(i: &crate::interaction::CustomerInteractions<'a>, today: Day) -> Self {
        // day_of(t) <= today  <=>  t < (today + 1) * SECONDS_PER_DAY
        let n = i.time.partition_point(|&t| t < (today as i64 + 1) * SECONDS_PER_DAY);
        Upto { time: &i.time[..n], kind: &i.kind[..n], outcome: &i.outcome[..n] }
    }

    /// Times of the matching interactions, in time order.
    fn times<'m>(&self, m: &'m Matcher) -> impl Iterator<Item = i64> + use<'a, 'm> {
        let s = *self;
        let n = if m.kind.is_some() { s.time.len() } else { 0 };
        (0..n).filter(move |&k| m.hit(s.kind[k], s.outcome[k])).map(move |k| s.time[k])
    }

    fn any(&self, m: &Matcher) -> bool {
        self.times(m).next().is_some()
    }
}

/// A branch condition with its codes resolved.
#[derive(Debug, Clone)]
enum Cond {
    /// Some matching interaction (responded, had event).
    Any(Matcher),
    /// No matching interaction (not responded, no event).
    None(Matcher),
    /// At least one alternative holds.
    AnyOf(Vec<Cond>),
}

impl Cond {
    fn holds(&self, h: &Upto<'_>) -> bool {
        match self {
            Cond::Any(m) => h.any(m),
            Cond::None(m) => !h.any(m),
            Cond::AnyOf(cs) => cs.iter().any(|c| c.holds(h)),
        }
    }
}

/// A trigger with its codes resolved.
#[derive(Debug, Clone)]
enum Trig<'p> {
    /// Every matching interaction (events and responses).
    Times(Matcher),
    /// A lifecycle stage entered within the lookback.
    Stage(LifecycleStage, u32),
    /// A date attribute.
    Date(&'p str),
    /// A calendar day.
    Fixed(Day),
}

/// A dialog with everything that does not depend on the customer resolved.
struct Compiled<'p> {
    dialog: &'p Dialog,
    conditions: Vec<Cond>,
    trigger: Trig<'p>,
    /// Its log entries (any outcome), its responses (a non-empty outcome), its reminders.
    log: Matcher,
    responses: Matcher,
    reminders: Matcher,
}

impl CustomerBase {
    fn outcome_codes(&self, outcomes: &[String]) -> Vec<u32> {
        outcomes.iter().filter_map(|o| self.interactions().outcome_code(o)).collect()
    }

    /// Times (seconds) of interactions of `kind` for customer `c`, with an outcome in
    /// `outcomes` (any outcome when `None`; `Some(&[])` = any non-empty outcome).
    fn times_of<'a>(
        &'a self,
        c: CustomerIndex,
        kind: Option<u32>,
        outcomes: Option<&'a [u32]>,
        until: Day,
    ) -> impl Iterator<Item = i64> + 'a {
        let i = self.interactions().of(c);
        (0..i.time.len()).filter_map(move |k| {
            let ok = Some(i.kind[k]) == kind
                && day_of(i.time[k]) <= until
                && match outcomes {
                    None => true,
                    Some([]) => i.outcome[k] != NO_OUTCOME,
                    Some(o) => o.contains(&i.outcome[k]),
                };
            ok.then_some(i.time[k])
        })
    }

    /// Resolves the codes of a process's dialogs.
    fn compile<'p>(&self, p: &'p Process) -> Vec<Compiled<'p>> {
        let ix = self.interactions();
        let log_code = |id: &str| ix.kind_code(&p.log_kind(id));
        let matcher = |kind: Option<u32>, outcomes: Option<Vec<u32>>| Matcher { kind, outcomes };
        fn cond(base: &CustomerBase, c: &DialogCondition, log_code: &dyn Fn(&str) -> Option<u32>) -> Cond {
            let ix = base.interactions();
            match c {
                DialogCondition::Responded { dialog, outcomes } => {
                    Cond::Any(Matcher { kind: log_code(dialog), outcomes: Some(base.outcome_codes(outcomes)) })
                }
                DialogCondition::NotResponded { dialog } => {
                    Cond::None(Matcher { kind: log_code(dialog), outcomes: Some(Vec::new()) })
                }
                DialogCondition::HadEvent { kind } => Cond::Any(Matcher { kind: ix.kind_code(kind), outcomes: None }),
                DialogCondition::NoEvent { kind } => Cond::None(Matcher { kind: ix.kind_code(kind), outcomes: None }),
                DialogCondition::AnyOf { conditions } => {
                    Cond::AnyOf(conditions.iter().map(|x| cond(base, x, log_code)).collect())
                }
            }
        }
        p.dialogs
            .iter()
            .map(|d| {
                let log = log_code(&d.id);
                let trigger = match &d.trigger {
                    Trigger::Event { kind, outcomes } => Trig::Times(matcher(
                        ix.kind_code(kind),
                        (!outcomes.is_empty()).then(|| self.outcome_codes(outcomes)),
                    )),
                    Trigger::Response { dialog, outcomes } => {
                        Trig::Times(matcher(log_code(dialog), Some(self.outcome_codes(outcomes))))
                    }
                    Trigger::StageChange { to, lookback_days } => Trig::Stage(*to, *lookback_days),
                    Trigger::DateAttribute { attribute } => Trig::Date(attribute),
                    Trigger::Calendar { date } => Trig::Fixed(date_to_day(*date)),
                };
                Compiled {
                    dialog: d,
                    conditions: d.conditions.iter().map(|c| cond(self, c, &log_code)).collect(),
                    trigger,
                    log: matcher(log, None),
                    responses: matcher(log, Some(Vec::new())),
                    reminders: matcher(ix.kind_code(&format!("{}/reminder", p.log_kind(&d.id))), None),
                }
            })
            .collect()
    }

    /// The dialogs of `processes` due as of a date.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an invalid process or config (`lookback_days` outside
    /// 1..=[`crate::time::MAX_DAYS`]).
    pub fn due_actions(
        &self,
        processes: &[Process],
        as_of: NaiveDate,
        config: &EvaluationConfig,
    ) -> Result<DueActions> {
        crate::time::check_days("lookback_days", config.lookback_days, 1)?;
        let today = date_to_day(as_of);
        let mut due = Vec::new();
        let mut blocked = Vec::new();
        let needs_stage = processes.iter().any(|p| !p.target_group.stages.is_empty());
        let needs_segment = processes.iter().any(|p| !p.target_group.segments.is_empty());
        let stages = if needs_stage { Some(self.lifecycle(as_of, &config.lifecycle)?.stages) } else { None };
        let segments = if needs_segment { Some(self.segments(as_of, &config.segments)?.segment) } else { None };
        for p in processes {
            p.validate()?;
            let dialogs = self.compile(p);
            // The target group's conditions must all hold (a score of one point per rule).
            let model = crate::scoring::ScoringModel::all_of(
                &p.target_group.conditions,
                &config.lifecycle,
                &config.segments,
                &config.wallet,
            );
            let filter = (!model.rules.is_empty()).then(|| self.condition_filter(&model, as_of)).transpose()?;
            // Customers are independent: evaluate them on all threads, joined in order.
            let parts = crate::parallel::map_ranges(self.len(), |range| {
                let (mut d_due, mut d_blocked) = (Vec::new(), Vec::new());
                let mut scratch = Vec::new();
                for c in range {
                    let cu = c as usize;
                    let out = stages.as_ref().is_some_and(|s| !p.target_group.stages.contains(&s[cu]))
                        || segments.as_ref().is_some_and(|s| {
                            !p.target_group.segments.is_empty()
                                && s[cu].is_none_or(|x| !p.target_group.segments.contains(&x))
                        })
                        || filter.as_ref().is_some_and(|f| !f.all_hold(c, &model.rules));
                    if out {
                        continue;
                    }
                    let h = Upto::new(&self.interactions().of(c), today);
                    for d in &dialogs {
                        self.dialog_actions(p, d, &h, c, today, config, &mut scratch, &mut d_due, &mut d_blocked);
                    }
                }
                vec![(d_due, d_blocked)]
            });
            for (d, b) in parts {
                due.extend(d);
                blocked.extend(b);
            }
        }
        let order = |a: &DueAction, b: &DueAction| {
            (a.due_date, &a.process, &a.dialog, a.customer, a.reminder)
                .cmp(&(b.due_date, &b.process, &b.dialog, b.customer, b.reminder))
        };
        due.sort_by(order);
        blocked.sort_by(order);
        Ok(DueActions { as_of, due, blocked })
    }

    #[allow(clippy::too_many_arguments)]
    fn dialog_actions(
        &self,
        p: &Process,
        cd: &Compiled<'_>,
        h: &Upto<'_>,
        c: CustomerIndex,
        today: Day,
        cfg: &EvaluationConfig,
        occurrences: &mut Vec<(Day, Day, i64)>,
        due: &mut Vec<DueAction>,
        blocked: &mut Vec<DueAction>,
    ) {
        let d = cd.dialog;
        if !cd.conditions.iter().all(|cond| cond.holds(h)) {
            return;
        }
        let from = today - cfg.lookback_days as Day;
        // Trigger occurrences as (trigger day, due day, trigger time in seconds).
        occurrences.clear();
        let after = |day: Day| match d.timing {
            Timing::Immediately => day,
            Timing::DaysAfter { days } => day + days as Day,
            Timing::DaysBefore { days } => day - days as Day,
        };
        match &cd.trigger {
            Trig::Times(m) => {
                for t in h.times(m) {
                    occurrences.push((day_of(t), after(day_of(t)), t));
                }
            }
            Trig::Stage(to, lookback_days) => {
                let tx = self.transactions();
                let mut scratch = Vec::new();
                let at =
                    |day: Day, scratch: &mut Vec<u32>| stage_of(&tx.of(c).until(day), day, &cfg.lifecycle, scratch);
                if at(today, &mut scratch) == *to {
                    // The first day of the current spell in the stage, within the lookback.
                    let mut day = today;
                    while day > today - *lookback_days as Day && at(day - 1, &mut scratch) == *to {
                        day -= 1;
                    }
                    if day > today - *lookback_days as Day {
                        occurrences.push((day, after(day), day as i64 * SECONDS_PER_DAY));
                    }
                }
            }
            Trig::Date(attribute) => {
                let date = self.profile(c).and_then(|pr| match pr.attributes.get(*attribute) {
                    Some(crate::AttributeValue::Date(x)) => Some(*x),
                    _ => None,
                });
                if let Some(x) = date {
                    let day = date_to_day(x);
                    occurrences.push((day, after(day), after(day) as i64 * SECONDS_PER_DAY));
                }
            }
            Trig::Fixed(day) => {
                occurrences.push((*day, after(*day), after(*day) as i64 * SECONDS_PER_DAY));
            }
        }
        let permitted = || !d.requires_permission || self.profile(c).is_some_and(|pr| pr.permits(d.channel));
        for &(trigger_day, due_day, since) in occurrences.iter() {
            // Before-date dialogs are due from their day until the date itself.
            let live = match d.timing {
                Timing::DaysBefore { .. } => due_day <= today && today <= trigger_day,
                _ => due_day <= today && due_day >= from,
            };
            let done = h.times(&cd.log).find(|&t| t >= since);
            let action = |reminder: bool, due_day: Day| DueAction {
                customer: c,
                customer_id: self.ids().display(c as usize),
                process: p.id.clone(),
                dialog: d.id.clone(),
                name: d.name.clone(),
                trigger_date: day_to_date(trigger_day),
                due_date: day_to_date(due_day),
                channel: d.channel,
                responsible: d.responsible.clone(),
                done_by: d.done_by.clone(),
                reminder,
            };
            match done {
                None if live => {
                    if permitted() {
                        due.push(action(false, due_day))
                    } else {
                        blocked.push(action(false, due_day))
                    }
                }
                Some(t) => {
                    // Reminder when no response came within `after_days` of the dialog.
                    if let Some(r) = d.reminder {
                        let remind_day = day_of(t) + r.after_days as Day;
                        if remind_day <= today
                            && remind_day >= from
                            && !h.times(&cd.responses).any(|x| x >= t)
                            && !h.times(&cd.reminders).any(|x| x >= t)
                        {
                            if permitted() {
                                due.push(action(true, remind_day))
                            } else {
                                blocked.push(action(true, remind_day))
                            }
                        }
                    }
                }
                None => {}
            }
        }
    }

    /// KPI actual vs target for each KPI of a process, over triggers and dialogs dated in
    /// `[from, to)`, as of `as_of`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an invalid process.
    pub fn evaluate_kpis(
        &self,
        process: &Process,
        from: NaiveDate,
        to: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<Vec<KpiResult>> {
        process.validate()?;
        let (a, b, today) = (date_to_day(from), date_to_day(to), date_to_day(as_of));
        let ix = self.interactions();
        let log = |dialog: &str| ix.kind_code(&process.log_kind(dialog));
        let in_period = |t: i64| (a..b).contains(&day_of(t));
        let mut out = Vec::new();
        for kpi in &process.kpis {
            let (mut hits, mut total) = (0u64, 0u64);
            match kpi {
                Kpi::DoneWithin { dialog, days, .. } => {
                    let d = process.dialogs.iter().find(|x| &x.id == dialog).expect("validated");
                    let done_log = log(dialog);
                    let trig = match &d.trigger {
                        Trigger::Event { kind, outcomes } => Some((ix.kind_code(kind), outcomes.clone())),
                        Trigger::Response { dialog, outcomes } => Some((log(dialog), outcomes.clone())),
                        _ => None,
                    };
                    if let Some((kind, outcomes)) = trig {
                        let o = self.outcome_codes(&outcomes);
                        let filter = (!outcomes.is_empty()).then_some(o.as_slice());
                        for c in 0..self.len() as u32 {
                            for t in self.times_of(c, kind, filter, today).filter(|&t| in_period(t)) {
                                total += 1;
                                let limit = t + *days as i64 * SECONDS_PER_DAY;
                                hits += self.times_of(c, done_log, None, today).any(|x| x >= t && x <= limit) as u64;
                            }
                        }
                    }
                }
                Kpi::ResponseRate { dialog, outcomes, .. } => {
                    let o = self.outcome_codes(outcomes);
                    let sent_log = log(dialog);
                    for c in 0..self.len() as u32 {
                        if let Some(first) = self.times_of(c, sent_log, None, today).find(|&t| in_period(t)) {
                            total += 1;
                            let filter: &[u32] = if outcomes.is_empty() { &[] } else { &o };
                            hits += self.times_of(c, sent_log, Some(filter), today).any(|x| x >= first) as u64;
                        }
                    }
                }
                Kpi::NoShowRate { dialog, outcomes, attended, .. } => {
                    let o = self.outcome_codes(outcomes);
                    let att = ix.kind_code(attended);
                    let invited = log(dialog);
                    for c in 0..self.len() as u32 {
                        if self.times_of(c, invited, Some(&o), today).any(in_period) {
                            total += 1;
                            hits += self.times_of(c, att, None, today).next().is_none() as u64;
                        }
                    }
                }
            }
            let actual = wilson(hits, total, 0.95);
            let (target, at_least) = match kpi {
                Kpi::DoneWithin { at_least, .. } | Kpi::ResponseRate { at_least, .. } => (*at_least, true),
                Kpi::NoShowRate { at_most, .. } => (*at_most, false),
            };
            let met = total > 0 && if at_least { actual.rate >= target } else { actual.rate <= target };
            out.push(KpiResult { kpi: kpi.clone(), actual, target, met });
        }
        Ok(out)
    }

    /// Whether a customer had an event (used by process tests and back-tests).
    pub fn had_event(&self, c: CustomerIndex, event: &EventMatch, from: NaiveDate, to: NaiveDate) -> bool {
        self.has_event(c, event, date_to_day(from), date_to_day(to))
    }
}

/// A KPI's actual value against its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiResult {
    /// The KPI.
    pub kpi: Kpi,
    /// The actual share, with its Wilson interval.
    pub actual: Proportion,
    /// The target share.
    pub target: f64,
    /// Whether the target is met (never with no observations).
    pub met: bool,
}
