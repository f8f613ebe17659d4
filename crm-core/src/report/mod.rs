//! The customer-development report as of a date: the base at a glance, lifecycle stages,
//! the value segment table (shares of customers, revenue and profit), ABC classes, the
//! customer pyramid, RFM, the Pareto curves, flows (twelve months, by quarter and by
//! month), migration, retention cohorts, CLV (with its distribution), returns and the most
//! valuable customers. Markdown and a self-contained HTML page for people, JSON (serde) for
//! machines.
//!
//! Every figure states its basis; a figure the history cannot support is withheld with a
//! [`Caveat`] saying why (see [`Basis`] for the rules).

mod basis;
mod cohorts;
mod distribution;
mod html;
mod markdown;
mod svg;
mod wallet;

pub use basis::{Basis, Caveat, THIN_LOST};
pub use cohorts::{Cohort, MAX_COHORTS, RetentionCohorts};
pub use distribution::{Bin, Histogram, PARETO_STEPS, ParetoCurve, ParetoPoint};
pub use html::CHART_NAMES;
pub use wallet::{ProfileSection, WalletSection};

use crate::base::CustomerBase;
use crate::clv::{ClvConfig, ClvGroup, RetentionSensitivity, Scenario, retention_sensitivity};
use crate::error::Result;
use crate::flows::{FlowConfig, FlowReport, Period};
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::migration::MigrationMatrix;
use crate::profiles::ProfileConfig;
use crate::segments::{SegmentConfig, SegmentRow};
use crate::wallet::WalletConfig;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the report uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportConfig {
    /// Lifecycle rules.
    pub lifecycle: LifecycleConfig,
    /// Segment rules.
    pub segments: SegmentConfig,
    /// How many top customers to list. Default 10 (0 is read as 10).
    pub top_customers: usize,
    /// CLV rules (duration, discount rate). When no duration is given and none can be
    /// estimated from the flows, the report uses 1 / (1 - retention) or leaves CLV out.
    pub clv: ClvConfig,
    /// Share-of-wallet rules (its segment and lifecycle rules are the report's).
    pub wallet: WalletConfig,
    /// Segment-profile rules (attributes profiled; grouped by value segment).
    pub profiles: ProfileConfig,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            lifecycle: LifecycleConfig::default(),
            segments: SegmentConfig::default(),
            top_customers: 10,
            clv: ClvConfig::default(),
            wallet: WalletConfig::default(),
            profiles: ProfileConfig::default(),
        }
    }
}

/// An undesired flow (DOMAIN.md section 2): how many customers, and the revenue at stake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndesiredFlow {
    /// What happened.
    pub flow: String,
    /// Customers in the flow.
    pub customers: u64,
    /// Revenue at stake: the lost customers' last-year revenue, the drop in yearly revenue
    /// of declining and down-migrating customers, the revenue of starters.
    pub revenue: f64,
}

/// Where the CLV duration comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationSource {
    /// Given in the rules ([`ClvConfig::duration_years`]).
    Configured,
    /// Estimated from the flows of the last twelve months: base / customers lost per year.
    Flows,
    /// Estimated from the retention rate: 1 / (1 - retention).
    Retention,
}

impl DurationSource {
    /// In words, for people.
    ///
    /// ```
    /// use crm_core::report::DurationSource;
    /// assert_eq!(DurationSource::Configured.label(), "configured");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            DurationSource::Configured => "configured",
            DurationSource::Flows => "estimated from the flows: base / customers lost per year",
            DurationSource::Retention => "estimated from the retention rate: 1 / (1 - retention)",
        }
    }
}

/// CLV in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvSection {
    /// Duration used, in years.
    pub duration_years: f64,
    /// Where the duration comes from.
    pub duration_source: DurationSource,
    /// Discount rate.
    pub discount_rate: f64,
    /// Per value segment.
    pub by_segment: Vec<ClvGroup>,
    /// Per acquisition channel (with NPV where acquisition costs are known).
    pub by_channel: Vec<ClvGroup>,
    /// The portfolio.
    pub portfolio: ClvGroup,
    /// The portfolio's levers.
    pub scenario: Scenario,
    /// Effect of +5 % retention (relative) on the retention-based CLV of the mean yearly
    /// margin (or revenue without margins).
    pub retention_plus_5_percent: Option<RetentionSensitivity>,
    /// Distribution of the lifetime revenue of the customers in the base (20 bins).
    pub distribution: Option<Histogram>,
}

/// Returns up to the as-of date: transactions with a negative amount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Returns {
    /// Return transactions.
    pub transactions: u64,
    /// Their value, as a positive number.
    pub value: f64,
    /// Gross revenue: net revenue + returns.
    pub gross_revenue: f64,
    /// Returns / gross revenue (`None` without gross revenue).
    pub share_of_gross_revenue: Option<f64>,
}

/// What the host read before the base was built (e.g. from a CSV file): filled by the
/// caller, shown in the report's "data quality / input" section.
///
/// ```
/// use crm_core::report::InputSummary;
/// let input = InputSummary { source: "tx.csv".into(), rows_read: 10, rows_loaded: 9, rows_rejected: 1, ..Default::default() };
/// assert_eq!(input.rows_read, input.rows_loaded + input.rows_rejected);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InputSummary {
    /// Where the data came from (a file name, a table).
    pub source: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows loaded into the base.
    pub rows_loaded: u64,
    /// Rows rejected (unreadable or invalid).
    pub rows_rejected: u64,
    /// Rows without a customer id (left out of the base).
    pub anonymous_rows: u64,
    /// Revenue of the rows without a customer id.
    pub anonymous_revenue: f64,
    /// Rows with a negative amount (returns) read.
    pub returns_rows: u64,
    /// Value of those returns, as a positive number.
    pub returns_value: f64,
    /// Free-form notes from the host (e.g. "dates in day-first format").
    pub notes: Vec<String>,
}

/// The base at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Customers in the base (prospects included).
    pub customers: usize,
    /// Customers with at least one purchase up to the as-of date.
    pub buyers: usize,
    /// Transactions up to the as-of date.
    pub transactions: usize,
    /// Transactions after the as-of date (left out).
    pub excluded_after_as_of: usize,
    /// Net revenue up to the as-of date.
    pub revenue: f64,
    /// Net margin (when known).
    pub margin: Option<f64>,
    /// Mean purchases per year of buyers.
    pub purchases_per_year: f64,
    /// Mean purchase (revenue / purchases).
    pub average_purchase: f64,
}

/// Customers in one lifecycle stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageCount {
    /// The stage.
    pub stage: LifecycleStage,
    /// Customers in it.
    pub customers: usize,
    /// Share of all customers.
    pub share: f64,
    /// False when the history is too short to tell this stage (lost, won back): the count
    /// is then not printed.
    pub measurable: bool,
}

/// One of the most valuable customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopCustomer {
    /// External id.
    pub customer: String,
    /// Value (the segment measure over the window).
    pub value: f64,
    /// Lifecycle stage.
    pub stage: LifecycleStage,
    /// RFM code (e.g. 545).
    pub rfm: Option<u16>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The rules used.
    pub config: ReportConfig,
    /// The history the figures rest on.
    pub basis: Basis,
    /// Figures withheld (not yet measurable) or on a thin basis, with the reason.
    pub caveats: Vec<Caveat>,
    /// What the host read (set with [`Report::with_input`]).
    pub input: Option<InputSummary>,
    /// Returns up to the as-of date.
    pub returns: Returns,
    /// The base at a glance.
    pub overview: Overview,
    /// Customers per lifecycle stage.
    pub lifecycle: Vec<StageCount>,
    /// Top / middle / bottom.
    pub segments: Vec<SegmentRow>,
    /// A / B / C.
    pub abc: Vec<SegmentRow>,
    /// The customer pyramid.
    pub pyramid: Vec<SegmentRow>,
    /// Buyers per RFM recency (rows, 1..5) x frequency (columns, 1..5) score.
    pub rfm_recency_frequency: [[usize; 5]; 5],
    /// The most valuable customers.
    pub top_customers: Vec<TopCustomer>,
    /// Pareto curve of revenue by customer (ranked customers, segment window).
    pub pareto_revenue: Option<ParetoCurve>,
    /// Pareto curve of profit by customer (margin - cost to serve; needs margins).
    pub pareto_profit: Option<ParetoCurve>,
    /// Flows of the last twelve months (`None`: not measurable, see `caveats`).
    pub flows: Option<FlowReport>,
    /// Flows of the last four quarters (empty when not measurable).
    pub quarterly_flows: Vec<FlowReport>,
    /// Flows of the last twelve months, month by month (empty when not measurable).
    pub monthly_flows: Vec<FlowReport>,
    /// Migration between value segments from a year before the as-of date (`None`: not
    /// measurable).
    pub migration: Option<MigrationMatrix>,
    /// Retention by first-purchase month.
    pub cohorts: RetentionCohorts,
    /// CLV and NPV (`None` when no duration was given and none is measurable).
    pub clv: Option<ClvSection>,
    /// The biggest undesired flows, largest revenue first.
    pub undesired_flows: Vec<UndesiredFlow>,
    /// Share of wallet and growth potential per value segment and stage, with the biggest
    /// untapped wallets.
    pub wallet: Option<WalletSection>,
    /// The value segments' profiles against the base (`None` without a customer table).
    pub profiles: Option<ProfileSection>,
}

impl CustomerBase {
    /// The customer-development report as of a date.
    ///
    /// ```
    /// use crm_core::sample::{generate, SampleConfig};
    /// let data = generate(&SampleConfig { customers: 300, ..Default::default() });
    /// let as_of = data.end;
    /// let report = data.into_base()?.report(as_of, &Default::default())?;
    /// assert_eq!(report.overview.customers, 300);
    /// assert!(report.to_markdown().contains("| top |"));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Invalid lifecycle or segment rules ([`crate::Error::InvalidConfig`]); margin-based
    /// segments without margins ([`crate::Error::MissingData`]).
    pub fn report(&self, as_of: NaiveDate, config: &ReportConfig) -> Result<Report> {
        let summary = self.summary(as_of)?;
        let lifecycle = self.lifecycle(as_of, &config.lifecycle)?;
        let segments = self.segments(as_of, &config.segments)?;
        let n = self.len();

        let buyers = summary.purchases.iter().filter(|&&p| p > 0).count();
        let purchases: u64 = summary.purchases.iter().map(|&p| p as u64).sum();
        let revenue: f64 = summary.revenue.iter().sum();
        let overview = Overview {
            customers: n,
            buyers,
            transactions: self.transactions().len() - summary.excluded_after_as_of,
            excluded_after_as_of: summary.excluded_after_as_of,
            revenue,
            margin: summary.margin.as_ref().map(|m| m.iter().sum()),
            purchases_per_year: mean(
                (0..n).filter(|&c| summary.has_purchase(c)).map(|c| summary.purchases_per_year[c]),
                buyers,
            ),
            average_purchase: if purchases == 0 { 0.0 } else { revenue / purchases as f64 },
        };
        let as_of_day = crate::time::date_to_day(as_of);
        let (history_starts, returns) = self.history_and_returns(as_of_day);
        let basis = Basis::new(history_starts, as_of, config.lifecycle.inactivity_days, config.segments.window_days);
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
        let stages = LifecycleStage::ALL
            .iter()
            .map(|&stage| StageCount {
                stage,
                customers: lifecycle.count(stage),
                share: if n == 0 { 0.0 } else { lifecycle.count(stage) as f64 / n as f64 },
                measurable: lost_ok || !matches!(stage, LifecycleStage::Lost | LifecycleStage::WonBack),
            })
            .collect();
        let mut rf = [[0usize; 5]; 5];
        for r in (0..n).filter_map(|c| summary.rfm_of(c)) {
            rf[r.r as usize - 1][r.f as usize - 1] += 1;
        }
        let top_n = if config.top_customers == 0 { 10 } else { config.top_customers };
        let mut by_rank: Vec<(u32, usize)> = segments
            .rank
            .iter()
            .enumerate()
            .filter_map(|(c, r)| r.map(|r| (r, c)))
            .filter(|(r, _)| (*r as usize) < top_n)
            .collect();
        by_rank.sort_unstable();
        let top_customers = by_rank
            .into_iter()
            .map(|(_, c)| TopCustomer {
                customer: self.ids().display(c),
                value: segments.value[c],
                stage: lifecycle.stages[c],
                rfm: summary.rfm_of(c).map(|r| r.code()),
            })
            .collect();
        let year_ago = as_of - chrono::Months::new(12);
        let next_day = as_of + chrono::Days::new(1);
        let flow_cfg = FlowConfig {
            inactivity_days: config.lifecycle.inactivity_days,
            segments: config.segments.clone(),
            ..Default::default()
        };
        let (flows, quarterly_flows, monthly_flows) = if basis.flows_measurable() {
            let series = FlowConfig { by_segment: false, ..flow_cfg.clone() };
            let start = basis.flows_start;
            (
                Some(self.flows(start, next_day, &flow_cfg)?),
                self.flow_series(start, Period::Quarter, 4, &series)?,
                self.flow_series(start, Period::Month, 12, &series)?,
            )
        } else {
            caveats.push(Caveat::withheld(
                "customer flows of the last twelve months (new, won back, lost, churn, retention, average duration)",
                format!(
                    "{}: before it every customer would look new and nobody could have been lost",
                    basis.short_history(basis.flows_need_history_from, "telling new from returning customers")
                ),
            ));
            (None, Vec::new(), Vec::new())
        };
        if let Some(f) = &flows {
            duration_caveat(f, &mut caveats);
        }
        let migration = if basis.migration_measurable() {
            Some(self.segment_migration(year_ago, as_of, &config.segments)?)
        } else {
            caveats.push(Caveat::withheld(
                "migration between value segments",
                basis.short_history(basis.migration_needs_history_from, "the segment window before the year-ago date"),
            ));
            None
        };
        let clv = self.clv_section(as_of, config, flows.as_ref(), &basis, &mut caveats)?;
        let undesired_flows =
            self.undesired(year_ago, config, flows.as_ref(), migration.is_some(), &lifecycle.stages, &segments)?;
        let ranked: Vec<usize> = (0..n).filter(|&c| segments.rank[c].is_some()).collect();
        let pareto_revenue =
            ParetoCurve::new("revenue", &ranked.iter().map(|&c| segments.revenue[c]).collect::<Vec<_>>());
        let pareto_profit = segments
            .profit
            .as_ref()
            .and_then(|p| ParetoCurve::new("profit", &ranked.iter().map(|&c| p[c]).collect::<Vec<_>>()));
        let wallet_rules = WalletConfig {
            segments: config.segments.clone(),
            lifecycle: config.lifecycle.clone(),
            ..config.wallet.clone()
        };
        let profile_rules = ProfileConfig {
            segments: config.segments.clone(),
            lifecycle: config.lifecycle.clone(),
            ..config.profiles.clone()
        };
        let (wallet, profiles) =
            self.wallet_sections(as_of, &wallet_rules, &profile_rules, &segments, &lifecycle.stages)?;
        Ok(Report {
            as_of,
            config: config.clone(),
            wallet: Some(wallet),
            profiles,
            basis,
            caveats,
            input: None,
            returns,
            pareto_revenue,
            pareto_profit,
            flows,
            quarterly_flows,
            monthly_flows,
            migration,
            cohorts: cohorts::retention_cohorts(self, as_of),
            clv,
            undesired_flows,
            overview,
            lifecycle: stages,
            segments: segments.segment_table,
            abc: segments.abc_table,
            pyramid: segments.pyramid_table,
            rfm_recency_frequency: rf,
            top_customers,
        })
    }
}

impl Report {
    /// The report with what the host read (shown in the "data quality / input" section).
    ///
    /// ```
    /// use crm_core::report::InputSummary;
    /// use crm_core::sample::{generate, SampleConfig};
    /// let data = generate(&SampleConfig { customers: 50, ..Default::default() });
    /// let as_of = data.end;
    /// let report = data.into_base()?.report(as_of, &Default::default())?
    ///     .with_input(InputSummary { source: "sample".into(), ..Default::default() });
    /// assert!(report.to_markdown().contains("Data quality"));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    pub fn with_input(mut self, input: InputSummary) -> Self {
        self.input = Some(input);
        self
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

impl CustomerBase {
    /// The first transaction day (any amount) and the returns up to `as_of_day`.
    fn history_and_returns(&self, as_of_day: crate::time::Day) -> (Option<NaiveDate>, Returns) {
        let tx = self.transactions();
        let (mut first, mut r, mut net) = (i64::MAX, Returns::default(), 0.0);
        for c in 0..self.len() as u32 {
            let t = tx.of(c).until(as_of_day);
            if let Some(&s) = t.time.first() {
                first = first.min(s);
            }
            for &a in t.amount {
                net += a;
                if a < 0.0 {
                    r.transactions += 1;
                    r.value -= a;
                }
            }
        }
        r.gross_revenue = net + r.value;
        r.share_of_gross_revenue = (r.gross_revenue > 0.0).then(|| r.value / r.gross_revenue);
        let start = (first != i64::MAX).then(|| crate::time::day_to_date(crate::time::day_of(first)));
        (start, r)
    }

    fn clv_section(
        &self,
        as_of: NaiveDate,
        config: &ReportConfig,
        flows: Option<&FlowReport>,
        basis: &Basis,
        caveats: &mut Vec<Caveat>,
    ) -> Result<Option<ClvSection>> {
        let mut cfg = config.clv.clone();
        cfg.flows.inactivity_days = config.lifecycle.inactivity_days;
        cfg.segments = config.segments.clone();
        let source = match (cfg.duration_years, flows) {
            (Some(_), _) => DurationSource::Configured,
            (None, Some(f)) if f.duration_years.is_some() => {
                cfg.duration_years = f.duration_years;
                DurationSource::Flows
            }
            (None, Some(f)) if f.retention_rate.is_some_and(|r| r < 1.0) => {
                cfg.duration_years = f.retention_rate.map(|r| 1.0 / (1.0 - r));
                DurationSource::Retention
            }
            (None, _) => {
                let why = if flows.is_none() {
                    basis.short_history(basis.flows_need_history_from, "the duration (base / customers lost per year)")
                } else {
                    "nobody was lost in the last twelve months, so no duration can be estimated".into()
                };
                caveats.push(Caveat::withheld(
                    "customer lifetime value (per customer, per segment, portfolio)",
                    format!("CLV = yearly revenue x duration; {why}. Set clv.duration_years to assume a duration"),
                ));
                return Ok(None);
            }
        };
        let c = self.clv(as_of, &cfg)?;
        let n = c.portfolio.customers as f64;
        let yearly: f64 =
            c.customers.iter().filter(|x| x.in_base).map(|x| x.yearly_margin.unwrap_or(x.yearly_revenue)).sum();
        let sensitivity = c
            .retention_rate
            .filter(|_| n > 0.0)
            .map(|r| retention_sensitivity(yearly / n, r, c.discount_rate, 0.05, true));
        let in_base: Vec<f64> = c.customers.iter().filter(|x| x.in_base).map(|x| x.clv).collect();
        Ok(Some(ClvSection {
            duration_years: c.duration_years,
            duration_source: source,
            distribution: Histogram::new(&in_base, 20),
            discount_rate: c.discount_rate,
            by_segment: c.by_segment,
            by_channel: c.by_channel,
            portfolio: c.portfolio,
            scenario: c.scenario,
            retention_plus_5_percent: sensitivity,
        }))
    }

    fn undesired(
        &self,
        year_ago: NaiveDate,
        config: &ReportConfig,
        flows: Option<&FlowReport>,
        migration_measurable: bool,
        stages: &[LifecycleStage],
        now: &crate::Segments,
    ) -> Result<Vec<UndesiredFlow>> {
        let before = self.segments(year_ago, &config.segments)?;
        let mut out: Vec<UndesiredFlow> = flows
            .map(|f| UndesiredFlow {
                flow: "lost (no purchase in the inactivity window)".into(),
                customers: f.lost,
                revenue: f.lost_value.revenue,
            })
            .into_iter()
            .collect();
        let mut add = |flow: &str, customers: u64, revenue: f64| {
            out.push(UndesiredFlow { flow: flow.into(), customers, revenue })
        };
        let (mut starters, mut starter_rev, mut declining, mut decline) = (0u64, 0.0, 0u64, 0.0);
        let mut down = [(0u64, 0.0f64); 3];
        for (c, stage) in stages.iter().enumerate() {
            match stage {
                LifecycleStage::Starter => {
                    starters += 1;
                    starter_rev += self.transactions().of(c as u32).amount.iter().sum::<f64>();
                }
                LifecycleStage::Declining => {
                    declining += 1;
                    decline += (before.revenue[c] - now.revenue[c]).max(0.0);
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
                    down[k].0 += 1;
                    down[k].1 += (before.value[c] - now.value[c]).max(0.0);
                }
            }
        }
        add("still a starter (one purchase, no repeat)", starters, starter_rev);
        add("declining (buys less than the year before)", declining, decline);
        add("migrated down: top -> middle", down[0].0, down[0].1);
        add("migrated down: top -> bottom", down[1].0, down[1].1);
        add("migrated down: middle -> bottom", down[2].0, down[2].1);
        out.retain(|f| f.customers > 0);
        out.sort_by(|a, b| b.revenue.total_cmp(&a.revenue).then(b.customers.cmp(&a.customers)));
        Ok(out)
    }
}

/// A share as a percentage with one decimal ("15.8 %").
pub(crate) fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// Money rounded to whole units with space-separated thousands ("1 234 567").
pub(crate) fn money(x: f64) -> String {
    grouped(x, ' ')
}

/// Money for HTML: thousands separated by a narrow no-break space (a thin space that does
/// not wrap).
pub(crate) fn money_html(x: f64) -> String {
    grouped(x, '\u{202F}')
}

fn grouped(x: f64, separator: char) -> String {
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(ch);
    }
    if x < 0.0 && s != "0" { format!("-{out}") } else { out }
}

/// A state or segment name in words ("not_yet_customer" -> "not yet a customer").
pub(crate) fn words(name: &str) -> String {
    match name {
        "not_yet_customer" => "not yet a customer".into(),
        other => other.replace('_', " "),
    }
}

/// "2024-01-01 to 2024-12-31" for the half-open period `[start, end)`.
pub(crate) fn period(start: NaiveDate, end_exclusive: NaiveDate) -> String {
    format!("{start} to {}", end_exclusive - chrono::Days::new(1))
}

fn mean(values: impl Iterator<Item = f64>, n: usize) -> f64 {
    if n == 0 { 0.0 } else { values.sum::<f64>() / n as f64 }
}
