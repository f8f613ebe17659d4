//! The customer-development report over all tasks, in two passes over the customers.
//!
//! 1. Each task scans its customers ([`ReportScan`]): the RFM value distributions, the
//!    value distributions of the segmentations a year ago and at the as-of date, its first
//!    transaction and its flows of the last twelve months. The driver merges the scans into
//!    a [`ReportContext`]: the RFM quintiles, the segment, pyramid and ABC cuts of the whole
//!    base, the history's start (what is measurable) and the CLV duration.
//!    When a cut falls inside a group of tied values, the tasks send the group's smallest
//!    ids first ([`ReportContext::tie_ids`], [`ReportContext::resolve`]).
//! 2. Each task computes its share of every figure with the context ([`ReportPartial`]):
//!    counts and sums add up, flows and migration are the cluster's flow and migration
//!    partials, the Pareto curves and the CLV histogram merge exact value distributions,
//!    the top customers keep the best of each task. The merged partial finishes into the
//!    [`Report`] through the same assembly as [`CustomerBase::report`]: the same figures,
//!    caveats and rendering.
//!
//! Share of wallet: without customer tables every wallet is the whole base's quantile of
//! yearly spend, exact from the scans' spend distributions, and the wallet tables and work
//! list add up over the tasks, as on one machine. With customer tables (peer groups,
//! profiles) the wallet and the segment profiles are left out, and the report says so:
//! their peer-group quantiles and tests need each group's customers together.
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::distributed::{ReportPartial, ReportScan};
//! use crm_core::report::ReportConfig;
//! use crm_core::sample::{generate, SampleConfig};
//! use crm_core::{CustomerBase, TransactionColumns};
//!
//! let data = generate(&SampleConfig { customers: 400, ..Default::default() });
//! let as_of = data.end;
//! let whole = data.into_base()?;
//! // Two tasks, each with whole customers (odd and even customer numbers).
//! let tx = whole.transactions();
//! let task = |odd: usize| {
//!     let (mut ids, mut time, mut amount) = (Vec::new(), Vec::new(), Vec::new());
//!     for c in (odd..whole.len()).step_by(2) {
//!         let t = tx.of(c as u32);
//!         ids.extend(std::iter::repeat_n(whole.ids().display(c), t.time.len()));
//!         time.extend(t.time.iter());
//!         amount.extend(t.amount.iter());
//!     }
//!     CustomerBase::from_transactions(TransactionColumns::new(ids.into(), time, amount))
//! };
//! let tasks = [task(0)?, task(1)?];
//! let config = ReportConfig::default();
//! let mut scan = ReportScan::empty(as_of, &config)?;
//! for t in &tasks {
//!     scan.merge(&ReportScan::from_bytes(&ReportScan::of(t, as_of, &config)?.to_bytes())?)?;
//! }
//! let context = scan.finish(&config)?;
//! assert!(!context.needs_ids());
//! let mut merged = ReportPartial::empty(&context)?;
//! for t in &tasks {
//!     merged.merge(&ReportPartial::of(t, &context)?)?;
//! }
//! let report = merged.finish(&context)?;
//! let single = whole.report(as_of, &config)?;
//! assert_eq!(report.overview.buyers, single.overview.buyers);
//! assert_eq!(report.segments[0].customers, single.segments[0].customers);
//! # Ok::<(), crm_core::Error>(())
//! ```

use super::wire::{Reader, Writer};
use super::{
    FlowsPartial, Membership, MembershipPartial, MigrationPartial, RfmPartial, RfmScorer, SegmentRows,
    SegmentTablesPartial, Standing, TieIds, ValueDistribution,
};
use crate::CustomerBase;
use crate::attribute_columns::AttributeTable;
use crate::clv::ClvSums;
use crate::error::{Error, Result};
use crate::flows::{FlowConfig, Period, period_bounds};
use crate::report::{
    Basis, Caveat, ClvFigures, CohortCounts, DurationSource, Figures, OverviewSums, ParetoCurve, Report, ReportConfig,
    SegmentView, TopCandidates, UndesiredSums, WalletSums, assemble, clv_duration, clv_rules, report_flow_rules, top_n,
    wallet_rules,
};
use crate::segments::{AbcClass, PyramidLevel, UNRANKED, ValueSegment};
use crate::wallet::{BaseQuantile, wallet_attributes, yearly_spend};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The dates of a report as of `as_of`: a year before, the flows' periods.
struct Dates {
    year_ago: NaiveDate,
    /// The twelve months up to the as-of date: [year_ago + 1 day, as_of + 1 day].
    year: [NaiveDate; 2],
}

impl Dates {
    fn of(as_of: NaiveDate) -> Result<Self> {
        let bad = || Error::config("as_of", format!("{as_of} has no year before or day after"));
        let year_ago = as_of.checked_sub_months(Months::new(12)).ok_or_else(bad)?;
        let next = as_of.checked_add_days(Days::new(1)).ok_or_else(bad)?;
        Ok(Dates { year_ago, year: [year_ago + Days::new(1), next] })
    }

    /// The segmentations' dates: a year before and the as-of date (the days before the
    /// year's flow boundaries, so the flows per segment use the same membership).
    fn segment_dates(&self) -> [NaiveDate; 2] {
        [self.year_ago, self.year[1] - Days::new(1)]
    }
}

/// A task's first pass: what the driver needs before the figures (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportScan {
    as_of: NaiveDate,
    rfm: RfmPartial,
    membership: MembershipPartial,
    flows: FlowsPartial,
    first_day: Option<i64>,
    /// The positive yearly spends of the wallet's window (its whole-base quantile).
    spend: ValueDistribution,
    /// Some task has a customer table (attributes: peer groups, profiles).
    customer_table: bool,
}

impl ReportScan {
    /// No customers (the identity of [`Self::merge`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an as-of date without a year before it.
    pub fn empty(as_of: NaiveDate, config: &ReportConfig) -> Result<Self> {
        config.segments.validate()?;
        let dates = Dates::of(as_of)?;
        Ok(ReportScan {
            as_of,
            rfm: RfmPartial::default(),
            membership: MembershipPartial::empty(&dates.segment_dates()),
            flows: FlowsPartial::empty(&dates.year)?,
            first_day: None,
            spend: ValueDistribution::default(),
            customer_table: false,
        })
    }

    /// A task's scan of its customers.
    ///
    /// # Errors
    /// As [`CustomerBase::report`] (invalid rules).
    pub fn of(base: &CustomerBase, as_of: NaiveDate, config: &ReportConfig) -> Result<Self> {
        let dates = Dates::of(as_of)?;
        let summary = base.summary(as_of)?;
        let flows = FlowConfig { by_segment: false, ..report_flow_rules(config) };
        Ok(ReportScan {
            as_of,
            rfm: RfmPartial::from_summary(&summary),
            membership: MembershipPartial::of(base, &dates.segment_dates(), &config.segments)?,
            flows: FlowsPartial::of(base, &dates.year, &flows)?,
            first_day: OverviewSums::first_day(base, crate::time::date_to_day(as_of)),
            spend: ValueDistribution::from_values(
                yearly_spend(base, crate::time::date_to_day(as_of), config.wallet.window_days)
                    .into_iter()
                    .filter(|&s| s > 0.0),
            ),
            customer_table: base.profiles().is_some(),
        })
    }

    /// Adds another task's scan.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the scans are of different dates.
    pub fn merge(&mut self, other: &ReportScan) -> Result<()> {
        if self.as_of != other.as_of {
            return Err(Error::config("report scan", "the scans are of different as-of dates"));
        }
        self.rfm.merge(&other.rfm);
        self.membership.merge(&other.membership)?;
        self.flows.merge(&other.flows)?;
        self.first_day = match (self.first_day, other.first_day) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.spend.merge(&other.spend);
        self.customer_table |= other.customer_table;
        Ok(())
    }

    /// The context of the second pass, from the scans of every task.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for invalid rules (segments, a negative duration or
    /// discount rate).
    pub fn finish(&self, config: &ReportConfig) -> Result<ReportContext> {
        let as_of = self.as_of;
        let first = self.first_day.map(|d| crate::time::day_to_date(crate::time::day_of(d)));
        let basis = Basis::new(first, as_of, config.lifecycle.inactivity_days, config.segments.window_days);
        let year = basis.flows_measurable().then(|| self.flows.finish(&report_flow_rules(config)).remove(0));
        let duration = clv_duration(config, year.as_ref(), &basis).ok();
        if let Some((d, _)) = duration {
            clv_rules(config, d).check()?;
        }
        // Wallets from the whole base's quantile alone: without attributes (peer groups, a
        // wallet figure, the regression) every customer's wallet is that quantile.
        let w = &config.wallet;
        let base_only = !self.customer_table && w.attribute.is_none() && w.regression.is_empty();
        Ok(ReportContext {
            as_of,
            config: config.clone(),
            scorer: self.rfm.finish(),
            membership: self.membership.finish_with_classes(&config.segments)?,
            first_day: self.first_day,
            duration,
            retention_rate: year.and_then(|y| y.retention_rate),
            wallet: base_only.then(|| BaseQuantile {
                value: quantile_of_runs(&self.spend.runs(), w.quantile),
                peers: self.spend.len() as usize,
            }),
        })
    }

    /// The byte form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMS");
        w.blob(self.as_of.to_string().as_bytes());
        w.u64s(&[self.first_day.is_some() as u64, self.first_day.unwrap_or(0) as u64, self.customer_table as u64]);
        w.blob(&self.rfm.to_bytes());
        w.blob(&self.membership.to_bytes());
        w.blob(&self.flows.to_bytes());
        self.spend.write(&mut w);
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `report scan`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMS", "report scan")?;
        let as_of = std::str::from_utf8(r.blob()?).ok().and_then(|d| d.parse::<NaiveDate>().ok());
        let head = r.u64s()?;
        let (rfm, membership, flows) = (r.blob()?, r.blob()?, r.blob()?);
        let spend = ValueDistribution::read(&mut r)?;
        r.end()?;
        let (Some(as_of), &[has_first @ 0..=1, first, customer_table @ 0..=1]) = (as_of, &head[..]) else {
            return Err(Error::config("report scan", "the as-of date or first day is unreadable"));
        };
        Ok(ReportScan {
            as_of,
            rfm: RfmPartial::from_bytes(rfm)?,
            membership: MembershipPartial::from_bytes(membership)?,
            flows: FlowsPartial::from_bytes(flows)?,
            first_day: (has_first == 1).then_some(first as i64),
            spend,
            customer_table: customer_table == 1,
        })
    }
}

/// What every task needs for its share of the figures: the rules, the RFM quintiles and
/// segment cuts of the whole base, the history's start and the CLV duration.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportContext {
    as_of: NaiveDate,
    config: ReportConfig,
    scorer: RfmScorer,
    membership: Membership,
    first_day: Option<i64>,
    duration: Option<(f64, DurationSource)>,
    retention_rate: Option<f64>,
    /// The whole base's wallet quantile (`None`: wallets need attributes, left out).
    wallet: Option<BaseQuantile>,
}

#[derive(Serialize, Deserialize)]
struct ContextWire {
    as_of: NaiveDate,
    config: ReportConfig,
    scorer: Vec<u8>,
    membership: Vec<u8>,
    first_day: Option<i64>,
    duration: Option<(f64, DurationSource)>,
    retention_rate: Option<f64>,
    wallet: Option<BaseQuantile>,
}

impl ReportContext {
    /// The as-of date.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// True when a segment, pyramid or ABC cut falls inside a group of tied values and
    /// needs the tasks' ids of that group first.
    pub fn needs_ids(&self) -> bool {
        self.membership.needs_ids()
    }

    /// A task's smallest ids of the tied groups the cuts fall in.
    ///
    /// # Errors
    /// As [`Membership::tie_ids`].
    pub fn tie_ids(&self, base: &CustomerBase) -> Result<TieIds> {
        self.membership.tie_ids(base, &self.config.segments)
    }

    /// Places the cuts inside tied values with the merged ids of every task.
    ///
    /// # Errors
    /// As [`Membership::resolve`].
    pub fn resolve(&mut self, ids: &TieIds) -> Result<()> {
        self.membership.resolve(ids)
    }

    fn basis(&self) -> Basis {
        let first = self.first_day.map(|d| crate::time::day_to_date(crate::time::day_of(d)));
        Basis::new(first, self.as_of, self.config.lifecycle.inactivity_days, self.config.segments.window_days)
    }

    /// The byte form (JSON after a tag).
    pub fn to_bytes(&self) -> Vec<u8> {
        let wire = ContextWire {
            as_of: self.as_of,
            config: self.config.clone(),
            scorer: self.scorer.to_bytes(),
            membership: self.membership.to_bytes(),
            first_day: self.first_day,
            duration: self.duration,
            retention_rate: self.retention_rate,
            wallet: self.wallet,
        };
        let mut out = b"CRMX\x01".to_vec();
        serde_json::to_writer(&mut out, &wire).expect("a context serialises");
        out
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `report context`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let body = bytes
            .strip_prefix(b"CRMX\x01".as_slice())
            .ok_or_else(|| Error::config("report context", "the bytes are not one (wrong tag or version)"))?;
        let w: ContextWire =
            serde_json::from_slice(body).map_err(|e| Error::config("report context", format!("unreadable: {e}")))?;
        Ok(ReportContext {
            as_of: w.as_of,
            config: w.config,
            scorer: RfmScorer::from_bytes(&w.scorer)?,
            membership: Membership::from_bytes(&w.membership)?,
            first_day: w.first_day,
            duration: w.duration,
            retention_rate: w.retention_rate,
            wallet: w.wallet,
        })
    }
}

/// The small figures of a partial, carried as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Sums {
    overview: OverviewSums,
    top: TopCandidates,
    cohorts: CohortCounts,
    undesired: UndesiredSums,
    /// CLV sums and the yearly margin (revenue) sum; `None` without a duration.
    clv: Option<(ClvSums, f64)>,
    /// `None` when the context leaves the wallet out.
    wallet: Option<WalletSums>,
}

/// A task's share of every figure of the report (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPartial {
    sums: Sums,
    tables: SegmentTablesPartial,
    pareto_revenue: ValueDistribution,
    pareto_profit: Option<ValueDistribution>,
    /// Twelve months (per segment), four quarters, twelve months one by one.
    flows: Option<[FlowsPartial; 3]>,
    migration: Option<MigrationPartial>,
    clv_values: ValueDistribution,
}

impl ReportPartial {
    /// No customers (the identity of [`Self::merge`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an as-of date without a year before it.
    pub fn empty(context: &ReportContext) -> Result<Self> {
        let dates = Dates::of(context.as_of)?;
        let basis = context.basis();
        let flows = if basis.flows_measurable() {
            let [q, m] = series_bounds(&basis)?;
            Some([FlowsPartial::empty(&dates.year)?, FlowsPartial::empty(&q)?, FlowsPartial::empty(&m)?])
        } else {
            None
        };
        Ok(ReportPartial {
            sums: Sums {
                overview: OverviewSums::default(),
                top: TopCandidates::default(),
                cohorts: CohortCounts::empty(),
                undesired: UndesiredSums::default(),
                clv: context.duration.map(|_| (ClvSums::default(), 0.0)),
                wallet: None,
            },
            tables: SegmentTablesPartial::empty(false),
            pareto_revenue: ValueDistribution::default(),
            pareto_profit: None,
            flows,
            migration: basis
                .migration_measurable()
                .then(|| MigrationPartial::empty_segments(dates.year_ago, context.as_of))
                .transpose()?,
            clv_values: ValueDistribution::default(),
        })
    }

    /// A task's share of the figures, with the context of every task's scan.
    ///
    /// # Errors
    /// As [`CustomerBase::report`]; [`Error::InvalidConfig`] when a cut still needs ids
    /// ([`ReportContext::needs_ids`]).
    pub fn of(base: &CustomerBase, context: &ReportContext) -> Result<Self> {
        let (as_of, config) = (context.as_of, &context.config);
        let dates = Dates::of(as_of)?;
        let basis = context.basis();
        let mut summary = base.summary(as_of)?;
        context.scorer.rescore(&mut summary);
        let stages = base.lifecycle(as_of, &config.lifecycle)?.stages;
        let now = SegmentRows::of(base, as_of, &config.segments)?;
        let before = SegmentRows::of(base, dates.year_ago, &config.segments)?;
        let segment_before: Vec<Option<ValueSegment>> = context.membership.codes(base, &config.segments)?[0]
            .iter()
            .map(|&c| (c != UNRANKED).then(|| ValueSegment::ALL[c as usize]))
            .collect();
        let classes = context.membership.classes(base, &config.segments)?;
        let segment_now: Vec<Option<ValueSegment>> = classes.iter().map(|c| c.map(|c| c.0)).collect();
        let abc: Vec<Option<AbcClass>> = classes.iter().map(|c| c.map(|c| c.1)).collect();
        // Unranked customers' levels (inactive, prospect) are their own; ranked ones' by rank.
        let level = |class: Option<(ValueSegment, AbcClass, PyramidLevel)>, standing: Standing| {
            class.map(|c| c.2).or(standing.unranked_level()).expect("a ranked customer has a class")
        };
        let pyramid: Vec<PyramidLevel> = classes.iter().zip(&now.standing).map(|(&c, &s)| level(c, s)).collect();
        // A year ago only the unranked levels count (lost or not yet a customer).
        let pyramid_before: Vec<PyramidLevel> =
            before.standing.iter().map(|s| s.unranked_level().unwrap_or(PyramidLevel::Top)).collect();
        let ranked = |rows: &SegmentRows, c: usize| rows.standing[c] == Standing::Ranked;
        let ranked_of = |rows: &SegmentRows, column: &[f64]| {
            ValueDistribution::from_values((0..column.len()).filter(|&c| ranked(rows, c)).map(|c| column[c]))
        };

        let flows = if basis.flows_measurable() {
            let rules = report_flow_rules(config);
            let series = FlowConfig { by_segment: false, ..rules.clone() };
            let [q, m] = series_bounds(&basis)?;
            Some([
                FlowsPartial::with_segments(base, &dates.year, &rules, &context.membership)?,
                FlowsPartial::of(base, &q, &series)?,
                FlowsPartial::of(base, &m, &series)?,
            ])
        } else {
            None
        };
        let migration = basis
            .migration_measurable()
            .then(|| {
                MigrationPartial::segments(
                    dates.year_ago,
                    as_of,
                    (&segment_before, &pyramid_before),
                    (&segment_now, &pyramid),
                    &now.value,
                )
            })
            .transpose()?;
        let (clv, clv_values) = match context.duration {
            Some((duration, source)) => {
                let rules = clv_rules(config, duration);
                let (rows, sums) = base.clv_rows(&summary, &segment_now, duration, &rules);
                let f = ClvFigures::new(duration, source, None, sums, &rows);
                let values = ValueDistribution::from_values(f.clv_runs.iter().map(|r| r.0));
                (Some((f.sums, f.yearly)), values)
            }
            None => (None, ValueDistribution::default()),
        };
        let wallet = match context.wallet {
            Some(quantile) => {
                let rules = wallet_rules(config);
                let table = AttributeTable::read(base, wallet_attributes(&rules));
                let w = base.wallet_in(&table, as_of, &rules, Some(&segment_now), Some(&stages), Some(quantile))?;
                Some(WalletSums::of(base, &w, &segment_now, &stages))
            }
            None => None,
        };
        let view_before = SegmentView { segment: &segment_before, revenue: &before.revenue, value: &before.value };
        let view_now = SegmentView { segment: &segment_now, revenue: &now.revenue, value: &now.value };
        Ok(ReportPartial {
            sums: Sums {
                overview: OverviewSums::of(base, &summary, &stages),
                top: TopCandidates::of(base, top_n(config), &now.value, |c| ranked(&now, c), &stages, &summary),
                cohorts: CohortCounts::of(base, as_of),
                undesired: UndesiredSums::of(base, &stages, &view_before, &view_now, basis.migration_measurable()),
                clv,
                wallet,
            },
            tables: SegmentTablesPartial::of(&now, &segment_now, &abc, &pyramid)?,
            pareto_revenue: ranked_of(&now, &now.revenue),
            pareto_profit: now.profit.as_ref().map(|p| ranked_of(&now, p)),
            flows,
            migration,
            clv_values,
        })
    }

    /// Adds another task's partial.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the partials are of different reports.
    pub fn merge(&mut self, other: &ReportPartial) -> Result<()> {
        let shape = |p: &ReportPartial| (p.flows.is_some(), p.migration.is_some(), p.sums.clv.is_some());
        if shape(self) != shape(other) {
            return Err(Error::config("report partial", "the partials are of different reports"));
        }
        let s = &mut self.sums;
        s.overview.merge(&other.sums.overview);
        s.top.merge(&other.sums.top);
        s.cohorts.merge(&other.sums.cohorts);
        s.undesired.merge(&other.sums.undesired);
        if let (Some(a), Some(b)) = (&mut s.clv, &other.sums.clv) {
            a.0.merge(&b.0);
            a.1 += b.1;
        }
        match (&mut s.wallet, &other.sums.wallet) {
            (Some(a), Some(b)) => a.merge(b),
            (a @ None, Some(b)) => *a = Some(b.clone()),
            _ => {}
        }
        self.tables.merge(&other.tables);
        self.pareto_revenue.merge(&other.pareto_revenue);
        match (&mut self.pareto_profit, &other.pareto_profit) {
            (Some(a), Some(b)) => a.merge(b),
            (a @ None, Some(b)) => *a = Some(b.clone()),
            _ => {}
        }
        if let (Some(a), Some(b)) = (&mut self.flows, &other.flows) {
            for (a, b) in a.iter_mut().zip(b) {
                a.merge(b)?;
            }
        }
        if let (Some(a), Some(b)) = (&mut self.migration, &other.migration) {
            a.merge(b)?;
        }
        self.clv_values.merge(&other.clv_values);
        Ok(())
    }

    /// The report from the merged partials of every task.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the partial is not of this context's report.
    pub fn finish(&self, context: &ReportContext) -> Result<Report> {
        let config = &context.config;
        if self.flows.is_some() != context.basis().flows_measurable()
            || self.sums.clv.is_some() != context.duration.is_some()
        {
            return Err(Error::config("report partial", "the partial is not of this context's report"));
        }
        let rules = report_flow_rules(config);
        let series = FlowConfig { by_segment: false, ..rules.clone() };
        let flows = self
            .flows
            .as_ref()
            .map(|[year, q, m]| (year.finish(&rules).remove(0), q.finish(&series), m.finish(&series)));
        let clv = match (context.duration, &self.sums.clv) {
            (Some((duration_years, source)), Some((sums, yearly))) => Some(ClvFigures {
                duration_years,
                source,
                retention_rate: context.retention_rate,
                sums: sums.clone(),
                yearly: *yearly,
                clv_runs: self.clv_values.runs(),
            }),
            _ => None,
        };
        let descending = |d: &ValueDistribution, measure: &str| {
            let runs = d.runs();
            ParetoCurve::of_descending(measure, runs.into_iter().rev())
        };
        assemble(
            context.as_of,
            config,
            Figures {
                overview: self.sums.overview.clone(),
                top: self.sums.top.clone(),
                tables: self.tables.finish(),
                pareto_revenue: descending(&self.pareto_revenue, "revenue"),
                pareto_profit: self.pareto_profit.as_ref().and_then(|d| descending(d, "profit")),
                flows,
                migration: self.migration.as_ref().map(MigrationPartial::finish),
                cohorts: self.sums.cohorts.finish(context.as_of),
                clv,
                undesired: self.sums.undesired.clone(),
                wallet: context.wallet.map(|q| {
                    let sums = self.sums.wallet.clone().unwrap_or_else(WalletSums::empty);
                    sums.finish(&wallet_rules(config), q.peers)
                }),
                profiles: None,
                caveats: match context.wallet {
                    Some(_) => Vec::new(),
                    None => vec![Caveat::withheld(
                        "share of wallet, growth potential and segment profiles",
                        "not computed on a cluster from customer attributes: their peer-group quantiles and tests need each group's customers together",
                    )],
                },
            },
        )
    }

    /// The byte form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMR");
        w.blob(&serde_json::to_vec(&self.sums).expect("sums serialise"));
        w.blob(&self.tables.to_bytes());
        let distribution = |w: &mut Writer, d: Option<&ValueDistribution>| {
            let mut inner = Writer::new(b"CRMD");
            if let Some(d) = d {
                d.write(&mut inner);
            }
            w.blob(&inner.finish());
        };
        distribution(&mut w, Some(&self.pareto_revenue));
        distribution(&mut w, self.pareto_profit.as_ref());
        distribution(&mut w, Some(&self.clv_values));
        for k in 0..3 {
            w.blob(&self.flows.as_ref().map_or_else(Vec::new, |f| f[k].to_bytes()));
        }
        w.blob(&self.migration.as_ref().map_or_else(Vec::new, MigrationPartial::to_bytes));
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `report partial`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMR", "report partial")?;
        let sums: Sums = serde_json::from_slice(r.blob()?)
            .map_err(|e| Error::config("report partial", format!("unreadable: {e}")))?;
        let tables = SegmentTablesPartial::from_bytes(r.blob()?)?;
        let mut distribution = || -> Result<Option<ValueDistribution>> {
            let mut inner = Reader::new(r.blob()?, b"CRMD", "report partial")?;
            let d = if inner.is_at_end() { None } else { Some(ValueDistribution::read(&mut inner)?) };
            inner.end()?;
            Ok(d)
        };
        let (revenue, profit, clv) = (distribution()?, distribution()?, distribution()?);
        let optional = |b: &[u8], f: &dyn Fn(&[u8]) -> Result<FlowsPartial>| (!b.is_empty()).then(|| f(b)).transpose();
        let mut flows = Vec::new();
        for _ in 0..3 {
            flows.push(optional(r.blob()?, &FlowsPartial::from_bytes)?);
        }
        let migration = r.blob()?;
        let migration = (!migration.is_empty()).then(|| MigrationPartial::from_bytes(migration)).transpose()?;
        r.end()?;
        let flows = match flows.as_slice() {
            [Some(a), Some(b), Some(c)] => Some([a.clone(), b.clone(), c.clone()]),
            [None, None, None] => None,
            _ => return Err(Error::config("report partial", "the flows are incomplete")),
        };
        Ok(ReportPartial {
            sums,
            tables,
            pareto_revenue: revenue.unwrap_or_default(),
            pareto_profit: profit,
            flows,
            migration,
            clv_values: clv.unwrap_or_default(),
        })
    }
}

/// The quarters' and the months' boundaries of the flow series.
fn series_bounds(basis: &Basis) -> Result<[Vec<NaiveDate>; 2]> {
    Ok([period_bounds(basis.flows_start, Period::Quarter, 4)?, period_bounds(basis.flows_start, Period::Month, 12)?])
}

/// The `q` quantile of values given lowest first as (value, count) runs, as
/// [`crate::wallet::quantile`] computes it over the values one by one (linear between the
/// two nearest order statistics).
fn quantile_of_runs(runs: &[(f64, u64)], q: f64) -> f64 {
    let n: u64 = runs.iter().map(|r| r.1).sum();
    if n == 0 {
        return f64::NAN;
    }
    let at = |k: u64| {
        let mut seen = 0;
        runs.iter().find(|r| {
            seen += r.1;
            seen > k
        })
    };
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as u64).min(n - 1);
    let frac = h - lo as f64;
    let x = at(lo).expect("lo < n").0;
    if frac == 0.0 || lo + 1 >= n {
        return x;
    }
    x + frac * (at(lo + 1).expect("lo + 1 < n").0 - x)
}
