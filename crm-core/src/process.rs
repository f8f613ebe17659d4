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
#[serde(tag = "type", rename_all = "snake_case")]
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
#[serde(tag = "type", rename_all = "snake_case")]
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
#[serde(tag = "type", rename_all = "snake_case")]
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
pub struct Reminder {
    /// Days after the dialog was carried out.
    pub after_days: u32,
}

/// One dialog of a process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[serde(tag = "type", rename_all = "snake_case")]
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
#[serde(default)]
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
        let p: Process = toml::from_str(text).map_err(|e| Error::config("process", e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Reads a process from JSON.
    ///
    /// # Errors
    /// As [`Self::from_toml`].
    pub fn from_json(text: &str) -> Result<Process> {
        let p: Process = serde_json::from_str(text).map_err(|e| Error::config("process", e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Checks ids and references.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an empty or duplicate dialog id, or a reference to a
    /// dialog the process does not have.
    pub fn validate(&self) -> Result<()> {
        if self.id.is_empty() || self.dialogs.is_empty() {
            return Err(Error::config("process", format!("`{}` needs an id and at least one dialog", self.name)));
        }
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
#[serde(default)]
pub struct EvaluationConfig {
    /// Triggers older than this many days are not looked at. Default 90.
    pub lookback_days: u32,
    /// Lifecycle rules (stage filters and stage-change triggers).
    pub lifecycle: LifecycleConfig,
    /// Segment rules (segment filters).
    pub segments: SegmentConfig,
}

impl Default for EvaluationConfig {
    fn default() -> Self {
        EvaluationConfig {
            lookback_days: 90,
            lifecycle: LifecycleConfig::default(),
            segments: SegmentConfig::default(),
        }
    }
}

/// Interaction codes a process needs, resolved once.
struct Codes {
    /// Per dialog: the log kind code, the reminder log kind code.
    log: Vec<(Option<u32>, Option<u32>)>,
}

impl CustomerBase {
    fn outcome_codes(&self, outcomes: &[String]) -> Vec<u32> {
        outcomes.iter().filter_map(|o| self.interactions().outcome_code(o)).collect()
    }

    /// Times (seconds) of interactions of `kind` for customer `c`, with an outcome in
    /// `outcomes` (any outcome when `None`; `Some(&[])` = any non-empty outcome).
    fn times_of(
        &self,
        c: CustomerIndex,
        kind: Option<u32>,
        outcomes: Option<&[u32]>,
        until: Day,
    ) -> impl Iterator<Item = i64> + '_ {
        let i = self.interactions().of(c);
        let outcomes = outcomes.map(<[u32]>::to_vec);
        (0..i.time.len()).filter_map(move |k| {
            let ok = Some(i.kind[k]) == kind
                && day_of(i.time[k]) <= until
                && match &outcomes {
                    None => true,
                    Some(o) if o.is_empty() => i.outcome[k] != NO_OUTCOME,
                    Some(o) => o.contains(&i.outcome[k]),
                };
            ok.then_some(i.time[k])
        })
    }

    /// Whether a branch condition holds for customer `c` up to `today`.
    fn holds(
        &self,
        cond: &DialogCondition,
        c: CustomerIndex,
        today: Day,
        dialog_log: &dyn Fn(&str) -> Option<u32>,
    ) -> bool {
        let kind = |k: &str| self.interactions().kind_code(k);
        match cond {
            DialogCondition::Responded { dialog, outcomes } => {
                let o = self.outcome_codes(outcomes);
                self.times_of(c, dialog_log(dialog), Some(&o), today).next().is_some()
            }
            DialogCondition::NotResponded { dialog } => {
                self.times_of(c, dialog_log(dialog), Some(&[]), today).next().is_none()
            }
            DialogCondition::HadEvent { kind: k } => self.times_of(c, kind(k), None, today).next().is_some(),
            DialogCondition::NoEvent { kind: k } => self.times_of(c, kind(k), None, today).next().is_none(),
            DialogCondition::AnyOf { conditions } => conditions.iter().any(|x| self.holds(x, c, today, dialog_log)),
        }
    }

    /// The dialogs of `processes` due as of a date.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an invalid process or config.
    pub fn due_actions(
        &self,
        processes: &[Process],
        as_of: NaiveDate,
        config: &EvaluationConfig,
    ) -> Result<DueActions> {
        let today = date_to_day(as_of);
        let mut due = Vec::new();
        let mut blocked = Vec::new();
        let needs_stage = processes.iter().any(|p| !p.target_group.stages.is_empty());
        let needs_segment = processes.iter().any(|p| !p.target_group.segments.is_empty());
        let stages = if needs_stage { Some(self.lifecycle(as_of, &config.lifecycle)?.stages) } else { None };
        let segments = if needs_segment { Some(self.segments(as_of, &config.segments)?.segment) } else { None };
        let scoring = crate::scoring::ScoringModel {
            rules: Vec::new(),
            lifecycle: config.lifecycle.clone(),
            segments: config.segments.clone(),
        };
        for p in processes {
            p.validate()?;
            let ix = self.interactions();
            let codes = Codes {
                log: p
                    .dialogs
                    .iter()
                    .map(|d| {
                        (ix.kind_code(&p.log_kind(&d.id)), ix.kind_code(&format!("{}/reminder", p.log_kind(&d.id))))
                    })
                    .collect(),
            };
            let conditions: Vec<crate::scoring::ScoringRule> = p
                .target_group
                .conditions
                .iter()
                .map(|c| crate::scoring::ScoringRule {
                    name: String::new(),
                    weight: 1.0,
                    condition: c.clone(),
                    half_life_days: None,
                })
                .collect();
            let filter_scores = if conditions.is_empty() {
                None
            } else {
                let model = crate::scoring::ScoringModel { rules: conditions.clone(), ..scoring.clone() };
                Some(self.score(&model, as_of)?.scores)
            };
            // Customers are independent: evaluate them on all threads, joined in order.
            let per_customer = crate::parallel::map_ranges(self.len(), |range| {
                range
                    .map(|c| {
                        let cu = c as usize;
                        let (mut d_due, mut d_blocked) = (Vec::new(), Vec::new());
                        let out = stages.as_ref().is_some_and(|s| !p.target_group.stages.contains(&s[cu]))
                            || segments.as_ref().is_some_and(|s| {
                                !p.target_group.segments.is_empty()
                                    && s[cu].is_none_or(|x| !p.target_group.segments.contains(&x))
                            })
                            || filter_scores.as_ref().is_some_and(|s| s[cu] < conditions.len() as f64);
                        if !out {
                            for (k, d) in p.dialogs.iter().enumerate() {
                                self.dialog_actions(p, d, &codes.log, k, c, today, config, &mut d_due, &mut d_blocked);
                            }
                        }
                        (d_due, d_blocked)
                    })
                    .collect()
            });
            for (d, b) in per_customer {
                due.extend(d);
                blocked.extend(b);
            }
        }
        let key = |a: &DueAction| (a.due_date, a.process.clone(), a.dialog.clone(), a.customer, a.reminder);
        due.sort_by_key(key);
        blocked.sort_by_key(key);
        Ok(DueActions { as_of, due, blocked })
    }

    #[allow(clippy::too_many_arguments)]
    fn dialog_actions(
        &self,
        p: &Process,
        d: &Dialog,
        logs: &[(Option<u32>, Option<u32>)],
        k: usize,
        c: CustomerIndex,
        today: Day,
        cfg: &EvaluationConfig,
        due: &mut Vec<DueAction>,
        blocked: &mut Vec<DueAction>,
    ) {
        let dialog_log = |id: &str| p.dialogs.iter().position(|x| x.id == id).and_then(|j| logs[j].0);
        if !d.conditions.iter().all(|cond| self.holds(cond, c, today, &dialog_log)) {
            return;
        }
        let from = today - cfg.lookback_days as Day;
        // Trigger occurrences as (trigger day, due day, trigger time in seconds).
        let mut occurrences: Vec<(Day, Day, i64)> = Vec::new();
        let after = |day: Day| match d.timing {
            Timing::Immediately => day,
            Timing::DaysAfter { days } => day + days as Day,
            Timing::DaysBefore { days } => day - days as Day,
        };
        match &d.trigger {
            Trigger::Event { kind, outcomes } => {
                let o = self.outcome_codes(outcomes);
                let filter = (!outcomes.is_empty()).then_some(o.as_slice());
                for t in self.times_of(c, self.interactions().kind_code(kind), filter, today) {
                    occurrences.push((day_of(t), after(day_of(t)), t));
                }
            }
            Trigger::Response { dialog, outcomes } => {
                let o = self.outcome_codes(outcomes);
                for t in self.times_of(c, dialog_log(dialog), Some(&o), today) {
                    occurrences.push((day_of(t), after(day_of(t)), t));
                }
            }
            Trigger::StageChange { to, lookback_days } => {
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
            Trigger::DateAttribute { attribute } => {
                let date = self.profile(c).and_then(|pr| match pr.attributes.get(attribute) {
                    Some(crate::AttributeValue::Date(x)) => Some(*x),
                    _ => None,
                });
                if let Some(x) = date {
                    let day = date_to_day(x);
                    occurrences.push((day, after(day), after(day) as i64 * SECONDS_PER_DAY));
                }
            }
            Trigger::Calendar { date } => {
                let day = date_to_day(*date);
                occurrences.push((day, after(day), after(day) as i64 * SECONDS_PER_DAY));
            }
        }
        let (log, reminder_log) = logs[k];
        let permitted = !d.requires_permission || self.profile(c).is_some_and(|pr| pr.permits(d.channel));
        for (trigger_day, due_day, since) in occurrences {
            // Before-date dialogs are due from their day until the date itself.
            let live = match d.timing {
                Timing::DaysBefore { .. } => due_day <= today && today <= trigger_day,
                _ => due_day <= today && due_day >= from,
            };
            let done = self.times_of(c, log, None, today).find(|&t| t >= since);
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
                    if permitted {
                        due.push(action(false, due_day))
                    } else {
                        blocked.push(action(false, due_day))
                    }
                }
                Some(t) => {
                    // Reminder when no response came within `after_days` of the dialog.
                    if let Some(r) = d.reminder {
                        let remind_day = day_of(t) + r.after_days as Day;
                        let responded = self.times_of(c, log, Some(&[]), today).any(|x| x >= t);
                        let reminded = self.times_of(c, reminder_log, None, today).any(|x| x >= t);
                        if !responded && !reminded && remind_day <= today && remind_day >= from {
                            if permitted {
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
                                hits += self.times_of(c, log(dialog), None, today).any(|x| x >= t && x <= limit) as u64;
                            }
                        }
                    }
                }
                Kpi::ResponseRate { dialog, outcomes, .. } => {
                    let o = self.outcome_codes(outcomes);
                    for c in 0..self.len() as u32 {
                        let sent: Vec<i64> =
                            self.times_of(c, log(dialog), None, today).filter(|&t| in_period(t)).collect();
                        if let Some(&first) = sent.first() {
                            total += 1;
                            let filter: &[u32] = if outcomes.is_empty() { &[] } else { &o };
                            hits += self.times_of(c, log(dialog), Some(filter), today).any(|x| x >= first) as u64;
                        }
                    }
                }
                Kpi::NoShowRate { dialog, outcomes, attended, .. } => {
                    let o = self.outcome_codes(outcomes);
                    let att = ix.kind_code(attended);
                    for c in 0..self.len() as u32 {
                        if self.times_of(c, log(dialog), Some(&o), today).any(in_period) {
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
