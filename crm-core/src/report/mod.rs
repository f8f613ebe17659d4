//! The customer-development report as of a date: the base at a glance, lifecycle stages,
//! the value segment table (shares of customers, revenue and profit), ABC classes, the
//! customer pyramid, RFM, the Pareto curves, flows (twelve months, by quarter and by
//! month), migration, retention cohorts, CLV (with its distribution), returns and the most
//! valuable customers. Markdown and a self-contained HTML page for people, JSON (serde) for
//! machines.
//!
//! Every figure states its basis; a figure the history cannot support is withheld with a
//! [`Caveat`] saying why (see [`Basis`] for the rules).

mod assemble;
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
pub(crate) use wallet::WalletSums;
pub use wallet::{ProfileSection, WalletSection, WorkListEntry};

use crate::base::CustomerBase;
use crate::clv::{ClvConfig, ClvGroup, RetentionSensitivity, Scenario};
use crate::error::Result;
use crate::flows::{FlowConfig, FlowReport, Period};
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::migration::MigrationMatrix;
use crate::profiles::ProfileConfig;
use crate::segments::{SegmentConfig, SegmentRow};
use crate::wallet::WalletConfig;
pub(crate) use assemble::{
    ClvFigures, CohortCounts, Figures, OverviewSums, SegmentView, TopCandidates, UndesiredSums, assemble, clv_duration,
    clv_rules, top_n,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the report uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
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
        let overview = OverviewSums::of(self, &summary, &lifecycle.stages);
        let basis =
            Basis::new(overview.history_starts(), as_of, config.lifecycle.inactivity_days, config.segments.window_days);
        let top = TopCandidates::of(
            self,
            top_n(config),
            &segments.value,
            |c| segments.rank[c].is_some(),
            &lifecycle.stages,
            &summary,
        );
        let year_ago = as_of - chrono::Months::new(12);
        let flow_cfg = report_flow_rules(config);
        let flows = if basis.flows_measurable() {
            let series = FlowConfig { by_segment: false, ..flow_cfg.clone() };
            let start = basis.flows_start;
            Some((
                self.flows(start, as_of + chrono::Days::new(1), &flow_cfg)?,
                self.flow_series(start, Period::Quarter, 4, &series)?,
                self.flow_series(start, Period::Month, 12, &series)?,
            ))
        } else {
            None
        };
        let migration = if basis.migration_measurable() {
            Some(self.segment_migration(year_ago, as_of, &config.segments)?)
        } else {
            None
        };
        let clv = match clv_duration(config, flows.as_ref().map(|f| &f.0), &basis) {
            Ok((duration, source)) => {
                let rules = clv_rules(config, duration);
                rules.check()?;
                let (rows, sums) = self.clv_rows(&summary, &segments.segment, duration, &rules);
                Some(ClvFigures::new(duration, source, flows.as_ref().and_then(|f| f.0.retention_rate), sums, &rows))
            }
            Err(_) => None,
        };
        let before = self.segments(year_ago, &config.segments)?;
        let (before, now) = (SegmentView::of(&before), SegmentView::of(&segments));
        let undesired = UndesiredSums::of(self, &lifecycle.stages, &before, &now, migration.is_some());
        let ranked: Vec<usize> = (0..self.len()).filter(|&c| segments.rank[c].is_some()).collect();
        let pareto_revenue =
            ParetoCurve::new("revenue", &ranked.iter().map(|&c| segments.revenue[c]).collect::<Vec<_>>());
        let pareto_profit = segments
            .profit
            .as_ref()
            .and_then(|p| ParetoCurve::new("profit", &ranked.iter().map(|&c| p[c]).collect::<Vec<_>>()));
        let wallet_rules = wallet_rules(config);
        let profile_rules = ProfileConfig {
            segments: config.segments.clone(),
            lifecycle: config.lifecycle.clone(),
            ..config.profiles.clone()
        };
        let (wallet, profiles) =
            self.wallet_sections(as_of, &wallet_rules, &profile_rules, &segments, &lifecycle.stages)?;
        assemble(
            as_of,
            config,
            Figures {
                overview,
                top,
                tables: [segments.segment_table, segments.abc_table, segments.pyramid_table],
                pareto_revenue,
                pareto_profit,
                flows,
                migration,
                cohorts: cohorts::retention_cohorts(self, as_of),
                clv,
                undesired,
                wallet: Some(wallet),
                profiles,
                caveats: Vec::new(),
            },
        )
    }
}

/// The wallet rules of the report: its lifecycle and segment rules, and a work list long
/// enough for the section's ten with the ties at its cut.
pub(crate) fn wallet_rules(config: &ReportConfig) -> WalletConfig {
    WalletConfig {
        segments: config.segments.clone(),
        lifecycle: config.lifecycle.clone(),
        work_list_size: 100,
        ..config.wallet.clone()
    }
}

/// The flow rules of the report: its lifecycle and segment rules.
pub(crate) fn report_flow_rules(config: &ReportConfig) -> FlowConfig {
    FlowConfig {
        inactivity_days: config.lifecycle.inactivity_days,
        segments: config.segments.clone(),
        ..Default::default()
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
