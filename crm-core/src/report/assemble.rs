//! The report's figures over the whole base, and the one assembly of the report from them:
//! one machine computes the figures directly, a cluster merges them from its tasks'
//! partials ([`crate::distributed::ReportPartial`]); the rules of what is printed, withheld
//! or marked thin are here once for both.

use super::{
    Basis, Caveat, ClvSection, DurationSource, Histogram, Overview, ParetoCurve, Report, ReportConfig,
    RetentionCohorts, Returns, StageCount, THIN_LOST, TopCustomer, UndesiredFlow, WalletSection,
};
use super::{ProfileSection, cohorts};
use crate::clv::{ClvSums, retention_sensitivity};
use crate::error::Result;
use crate::flows::FlowReport;
use crate::id::Key;
use crate::lifecycle::LifecycleStage;
use crate::migration::MigrationMatrix;
use crate::segments::{SegmentRow, ValueSegment};
use crate::{CustomerBase, Summary};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The overview's sums; they add up over any split of the customers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct OverviewSums {
    customers: u64,
    buyers: u64,
    purchases: u64,
    transactions: u64,
    excluded_after_as_of: u64,
    revenue: f64,
    margin: Option<f64>,
    purchases_per_year: f64,
    /// First transaction day (any amount) up to the as-of date.
    first_day: Option<i64>,
    returns: Returns,
    /// Customers per stage, in the order of [`LifecycleStage::ALL`].
    stages: Vec<u64>,
    /// Buyers per RFM recency x frequency score.
    rf: [[u64; 5]; 5],
}

impl OverviewSums {
    /// The sums of a base's customers; `summary` scored with the RFM quintiles of the whole
    /// base.
    pub(crate) fn of(base: &CustomerBase, summary: &Summary, stages: &[LifecycleStage]) -> Self {
        let n = base.len();
        let buyers = || (0..n).filter(|&c| summary.has_purchase(c));
        let (first_day, returns) = history_and_returns(base, crate::time::date_to_day(summary.as_of));
        let mut rf = [[0u64; 5]; 5];
        for r in (0..n).filter_map(|c| summary.rfm_of(c)) {
            rf[r.r as usize - 1][r.f as usize - 1] += 1;
        }
        OverviewSums {
            customers: n as u64,
            buyers: buyers().count() as u64,
            purchases: summary.purchases.iter().map(|&p| p as u64).sum(),
            transactions: (base.transactions().len() - summary.excluded_after_as_of) as u64,
            excluded_after_as_of: summary.excluded_after_as_of as u64,
            revenue: summary.revenue.iter().sum(),
            margin: summary.margin.as_ref().map(|m| m.iter().sum()),
            purchases_per_year: buyers().map(|c| summary.purchases_per_year[c]).sum(),
            first_day,
            returns,
            stages: LifecycleStage::ALL.iter().map(|&s| stages.iter().filter(|&&x| x == s).count() as u64).collect(),
            rf,
        }
    }

    /// Adds another split's sums.
    pub(crate) fn merge(&mut self, o: &OverviewSums) {
        self.customers += o.customers;
        self.buyers += o.buyers;
        self.purchases += o.purchases;
        self.transactions += o.transactions;
        self.excluded_after_as_of += o.excluded_after_as_of;
        self.revenue += o.revenue;
        self.margin = match (self.margin, o.margin) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.purchases_per_year += o.purchases_per_year;
        self.first_day = match (self.first_day, o.first_day) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.returns.transactions += o.returns.transactions;
        self.returns.value += o.returns.value;
        self.returns.gross_revenue += o.returns.gross_revenue;
        if self.stages.is_empty() {
            self.stages = vec![0; o.stages.len()];
        }
        self.stages.iter_mut().zip(&o.stages).for_each(|(a, b)| *a += b);
        for (a, b) in self.rf.iter_mut().flatten().zip(o.rf.iter().flatten()) {
            *a += b;
        }
    }

    /// The first transaction time (any amount) of a base's customers up to `as_of_day`.
    pub(crate) fn first_day(base: &CustomerBase, as_of_day: crate::time::Day) -> Option<i64> {
        history_and_returns(base, as_of_day).0
    }

    /// The first transaction day (any amount) up to the as-of date.
    pub(crate) fn history_starts(&self) -> Option<NaiveDate> {
        self.first_day.map(|d| crate::time::day_to_date(crate::time::day_of(d)))
    }
}

/// The first transaction time (any amount) and the returns up to `as_of_day`; the returns'
/// gross revenue holds the net revenue plus returns.
fn history_and_returns(base: &CustomerBase, as_of_day: crate::time::Day) -> (Option<i64>, Returns) {
    let tx = base.transactions();
    let (mut first, mut r, mut net) = (i64::MAX, Returns::default(), 0.0);
    for c in 0..base.len() as u32 {
        let t = tx.of(c).until(as_of_day);
        if let Some(s) = t.time.first() {
            first = first.min(s);
        }
        for a in t.amount.iter() {
            net += a;
            if a < 0.0 {
                r.transactions += 1;
                r.value -= a;
            }
        }
    }
    r.gross_revenue = net + r.value;
    ((first != i64::MAX).then_some(first), r)
}

/// The sums behind the undesired flows (starters, declining, migrated down); they add up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct UndesiredSums {
    starters: u64,
    starter_revenue: f64,
    declining: u64,
    decline: f64,
    /// top -> middle, top -> bottom, middle -> bottom: customers and value lost.
    down: [(u64, f64); 3],
}

/// A value segmentation's columns as the undesired flows read them.
pub(crate) struct SegmentView<'a> {
    pub(crate) segment: &'a [Option<ValueSegment>],
    pub(crate) revenue: &'a [f64],
    pub(crate) value: &'a [f64],
}

impl<'a> SegmentView<'a> {
    /// The view of a segmentation of a whole base.
    pub(crate) fn of(s: &'a crate::Segments) -> Self {
        SegmentView { segment: &s.segment, revenue: &s.revenue, value: &s.value }
    }
}

impl UndesiredSums {
    /// The sums of a base's customers from their stages and segmentations a year ago and
    /// now (of the whole base); migrations count only when `migration_measurable`.
    pub(crate) fn of(
        base: &CustomerBase,
        stages: &[LifecycleStage],
        before: &SegmentView<'_>,
        now: &SegmentView<'_>,
        migration_measurable: bool,
    ) -> Self {
        let mut s = UndesiredSums::default();
        for (c, stage) in stages.iter().enumerate() {
            match stage {
                LifecycleStage::Starter => {
                    s.starters += 1;
                    s.starter_revenue += base.transactions().of(c as u32).amount.iter().sum::<f64>();
                }
                LifecycleStage::Declining => {
                    s.declining += 1;
                    s.decline += (before.revenue[c] - now.revenue[c]).max(0.0);
                }
                _ => {}
            }
            // Down a value segment (still ranked): top -> middle, top -> bottom, middle -> bottom.
            if let (true, Some(a), Some(b)) = (migration_measurable, before.segment[c], now.segment[c]) {
                let k = match (a as u8, b as u8) {
                    (0, 1) => Some(0),
                    (0, 2) => Some(1),
                    (1, 2) => Some(2),
                    _ => None,
                };
                if let Some(k) = k {
                    s.down[k].0 += 1;
                    s.down[k].1 += (before.value[c] - now.value[c]).max(0.0);
                }
            }
        }
        s
    }

    /// Adds another split's sums.
    pub(crate) fn merge(&mut self, o: &UndesiredSums) {
        self.starters += o.starters;
        self.starter_revenue += o.starter_revenue;
        self.declining += o.declining;
        self.decline += o.decline;
        for (a, b) in self.down.iter_mut().zip(&o.down) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    /// The flows with customers, largest revenue first (the lost from the year's flows).
    fn finish(&self, flows: Option<&FlowReport>) -> Vec<UndesiredFlow> {
        let lost = flows.map(|f| ("lost (no purchase in the inactivity window)", f.lost, f.lost_value.revenue));
        let rows = [
            ("still a starter (one purchase, no repeat)", self.starters, self.starter_revenue),
            ("declining (buys less than the year before)", self.declining, self.decline),
            ("migrated down: top -> middle", self.down[0].0, self.down[0].1),
            ("migrated down: top -> bottom", self.down[1].0, self.down[1].1),
            ("migrated down: middle -> bottom", self.down[2].0, self.down[2].1),
        ];
        let mut out: Vec<UndesiredFlow> = lost
            .into_iter()
            .chain(rows)
            .filter(|r| r.1 > 0)
            .map(|(flow, customers, revenue)| UndesiredFlow { flow: flow.into(), customers, revenue })
            .collect();
        out.sort_by(|a, b| b.revenue.total_cmp(&a.revenue).then(b.customers.cmp(&a.customers)));
        out
    }
}

/// The most valuable customers of some customers, best first with their order key (rank
/// key, then id: the segments' order, value descending and id ascending), at most `n`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TopCandidates {
    n: usize,
    rows: Vec<(i64, Key, TopCustomer)>,
}

impl TopCandidates {
    /// The best `n` of the ranked customers (`ranked[c]`) by `value`.
    pub(crate) fn of(
        base: &CustomerBase,
        n: usize,
        value: &[f64],
        ranked: impl Fn(usize) -> bool,
        stages: &[LifecycleStage],
        summary: &Summary,
    ) -> Self {
        let key = |c: usize| (crate::distributed::rank_key(value[c]), c);
        let mut best: Vec<(i64, usize)> = (0..value.len()).filter(|&c| ranked(c)).map(key).collect();
        if best.len() > n {
            best.select_nth_unstable(n);
            best.truncate(n);
        }
        best.sort_unstable();
        let rows = best
            .into_iter()
            .map(|(k, c)| {
                let row = TopCustomer {
                    customer: base.ids().display(c),
                    value: value[c],
                    stage: stages[c],
                    rfm: summary.rfm_of(c).map(|r| r.code()),
                };
                (k, base.id(c as u32), row)
            })
            .collect();
        TopCandidates { n, rows }
    }

    /// Keeps the best `n` of both.
    pub(crate) fn merge(&mut self, o: &TopCandidates) {
        self.n = self.n.max(o.n);
        self.rows.extend(o.rows.iter().cloned());
        self.rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        self.rows.truncate(self.n);
    }

    fn finish(&self) -> Vec<TopCustomer> {
        self.rows.iter().map(|r| r.2.clone()).collect()
    }
}

/// How many top customers the rules ask for (0 is read as 10).
pub(crate) fn top_n(config: &ReportConfig) -> usize {
    if config.top_customers == 0 { 10 } else { config.top_customers }
}

/// The CLV section's figures, by a duration already chosen ([`clv_duration`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClvFigures {
    pub(crate) duration_years: f64,
    pub(crate) source: DurationSource,
    pub(crate) retention_rate: Option<f64>,
    pub(crate) sums: ClvSums,
    /// Sum over the base of the yearly margin (revenue without margins).
    pub(crate) yearly: f64,
    /// In-base customers' CLVs, lowest first, as (value, customers) runs.
    pub(crate) clv_runs: Vec<(f64, u64)>,
}

impl ClvFigures {
    /// The figures of some buyers' CLV rows and sums.
    pub(crate) fn new(
        duration_years: f64,
        source: DurationSource,
        retention_rate: Option<f64>,
        sums: ClvSums,
        rows: &[crate::clv::CustomerClv],
    ) -> Self {
        let in_base = || rows.iter().filter(|x| x.in_base);
        let mut clvs: Vec<f64> = in_base().map(|x| x.clv).collect();
        clvs.sort_by(f64::total_cmp);
        ClvFigures {
            duration_years,
            source,
            retention_rate,
            sums,
            yearly: in_base().map(|x| x.yearly_margin.unwrap_or(x.yearly_revenue)).sum(),
            clv_runs: clvs.into_iter().map(|v| (v, 1)).collect(),
        }
    }
}

/// The CLV duration the report uses and where it comes from, from the rules and the
/// flows of the last twelve months (`None` when not measurable); `None` with the caveat
/// saying why when there is none.
pub(crate) fn clv_duration(
    config: &ReportConfig,
    flows: Option<&FlowReport>,
    basis: &Basis,
) -> std::result::Result<(f64, DurationSource), Caveat> {
    match (config.clv.duration_years, flows) {
        (Some(d), _) => Ok((d, DurationSource::Configured)),
        (None, Some(f)) if f.duration_years.is_some() => Ok((f.duration_years.expect("some"), DurationSource::Flows)),
        (None, Some(f)) if f.retention_rate.is_some_and(|r| r < 1.0) => {
            Ok((1.0 / (1.0 - f.retention_rate.expect("some")), DurationSource::Retention))
        }
        (None, _) => {
            let why = if flows.is_none() {
                basis.short_history(basis.flows_need_history_from, "the duration (base / customers lost per year)")
            } else {
                "nobody was lost in the last twelve months, so no duration can be estimated".into()
            };
            Err(Caveat::withheld(
                "customer lifetime value (per customer, per segment, portfolio)",
                format!("CLV = yearly revenue x duration; {why}. Set clv.duration_years to assume a duration"),
            ))
        }
    }
}

/// The CLV rules of the report: its lifecycle and segment rules, and the duration chosen.
pub(crate) fn clv_rules(config: &ReportConfig, duration: f64) -> crate::clv::ClvConfig {
    let mut cfg = config.clv.clone();
    cfg.flows.inactivity_days = config.lifecycle.inactivity_days;
    cfg.segments = config.segments.clone();
    cfg.duration_years = Some(duration);
    cfg
}

/// Everything the report shows, over the whole base.
pub(crate) struct Figures {
    pub(crate) overview: OverviewSums,
    pub(crate) top: TopCandidates,
    pub(crate) tables: [Vec<SegmentRow>; 3],
    pub(crate) pareto_revenue: Option<ParetoCurve>,
    pub(crate) pareto_profit: Option<ParetoCurve>,
    /// Twelve months, by quarter, by month (`None` when not measurable).
    pub(crate) flows: Option<(FlowReport, Vec<FlowReport>, Vec<FlowReport>)>,
    pub(crate) migration: Option<MigrationMatrix>,
    pub(crate) cohorts: RetentionCohorts,
    pub(crate) clv: Option<ClvFigures>,
    pub(crate) undesired: UndesiredSums,
    pub(crate) wallet: Option<WalletSection>,
    pub(crate) profiles: Option<ProfileSection>,
    /// Notes of the host (e.g. what a cluster leaves out).
    pub(crate) caveats: Vec<Caveat>,
}

/// The report from its figures: the basis, what is withheld or thin and why, the tables.
pub(crate) fn assemble(as_of: NaiveDate, config: &ReportConfig, f: Figures) -> Result<Report> {
    let o = &f.overview;
    let basis = Basis::new(o.history_starts(), as_of, config.lifecycle.inactivity_days, config.segments.window_days);
    let mut caveats = Vec::new();
    let lost_ok = basis.lost_measurable();
    if !lost_ok {
        caveats.push(Caveat::withheld(
            "lifecycle stages lost and won back",
            format!(
                "the history covers {} days up to {}{}; a customer is lost after {} days without a purchase",
                basis.history_days,
                basis.as_of,
                basis.history_starts.map_or(String::new(), |s| format!(" (it starts {s})")),
                basis.inactivity_days
            ),
        ));
    }
    let n = o.customers as usize;
    let stages = LifecycleStage::ALL
        .iter()
        .zip(&o.stages)
        .map(|(&stage, &count)| StageCount {
            stage,
            customers: count as usize,
            share: if n == 0 { 0.0 } else { count as f64 / n as f64 },
            measurable: lost_ok || !matches!(stage, LifecycleStage::Lost | LifecycleStage::WonBack),
        })
        .collect();
    let (flows, quarterly_flows, monthly_flows) = match f.flows {
        Some((year, quarters, months)) => (Some(year), quarters, months),
        None => {
            caveats.push(Caveat::withheld(
                "customer flows of the last twelve months (new, won back, lost, churn, retention, average duration)",
                format!(
                    "{}: before it every customer would look new and nobody could have been lost",
                    basis.short_history(basis.flows_need_history_from, "telling new from returning customers")
                ),
            ));
            (None, Vec::new(), Vec::new())
        }
    };
    if let Some(fl) = &flows {
        duration_caveat(fl, &mut caveats);
    }
    if f.migration.is_none() {
        caveats.push(Caveat::withheld(
            "migration between value segments",
            basis.short_history(basis.migration_needs_history_from, "the segment window before the year-ago date"),
        ));
    }
    let clv = match f.clv {
        Some(c) => Some(clv_section(config, c)),
        None => {
            caveats.push(clv_duration(config, flows.as_ref(), &basis).expect_err("no CLV figures without a duration"));
            None
        }
    };
    caveats.extend(f.caveats);
    let mut returns = o.returns.clone();
    returns.share_of_gross_revenue = (returns.gross_revenue > 0.0).then(|| returns.value / returns.gross_revenue);
    let [segments, abc, pyramid] = f.tables;
    Ok(Report {
        as_of,
        config: config.clone(),
        wallet: f.wallet,
        profiles: f.profiles,
        basis,
        caveats,
        input: None,
        returns,
        pareto_revenue: f.pareto_revenue,
        pareto_profit: f.pareto_profit,
        undesired_flows: f.undesired.finish(flows.as_ref()),
        flows,
        quarterly_flows,
        monthly_flows,
        migration: f.migration,
        cohorts: f.cohorts,
        clv,
        overview: Overview {
            customers: n,
            buyers: o.buyers as usize,
            transactions: o.transactions as usize,
            excluded_after_as_of: o.excluded_after_as_of as usize,
            revenue: o.revenue,
            margin: o.margin,
            purchases_per_year: if o.buyers == 0 { 0.0 } else { o.purchases_per_year / o.buyers as f64 },
            average_purchase: if o.purchases == 0 { 0.0 } else { o.revenue / o.purchases as f64 },
        },
        lifecycle: stages,
        segments,
        abc,
        pyramid,
        rfm_recency_frequency: o.rf.map(|row| row.map(|x| x as usize)),
        top_customers: f.top.finish(),
    })
}

fn clv_section(config: &ReportConfig, c: ClvFigures) -> ClvSection {
    let (by_segment, by_channel, portfolio, scenario) = c.sums.finish(c.duration_years);
    let n = portfolio.customers as f64;
    let discount = config.clv.discount_rate;
    let sensitivity =
        c.retention_rate.filter(|_| n > 0.0).map(|r| retention_sensitivity(c.yearly / n, r, discount, 0.05, true));
    ClvSection {
        duration_years: c.duration_years,
        duration_source: c.source,
        distribution: Histogram::of_ascending(&c.clv_runs, 20),
        discount_rate: discount,
        by_segment,
        by_channel,
        portfolio,
        scenario,
        retention_plus_5_percent: sensitivity,
    }
}

/// Notes on the average duration of measurable flows: none without lost customers, thin
/// with few.
fn duration_caveat(f: &FlowReport, caveats: &mut Vec<Caveat>) {
    if f.lost == 0 {
        caveats.push(Caveat::withheld(
            "average duration",
            "nobody was lost in the last twelve months: base / customers lost per year has no value",
        ));
    } else if f.lost < THIN_LOST {
        caveats
            .push(Caveat::thin("average duration and churn", format!("they rest on only {} lost customer(s)", f.lost)));
    }
}

/// The cohort counts of a base (re-exported for the cluster's partial).
pub(crate) use cohorts::CohortCounts;
