//! The customer-development report as of a date: the base at a glance, lifecycle stages,
//! the value segment table (shares of customers, revenue and profit), ABC classes, the
//! customer pyramid, RFM and the most valuable customers. Markdown for people, JSON (serde)
//! for machines.

use crate::base::CustomerBase;
use crate::clv::{ClvConfig, ClvGroup, RetentionSensitivity, Scenario, retention_sensitivity};
use crate::error::Result;
use crate::flows::{FlowConfig, FlowReport, Period};
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::migration::MigrationMatrix;
use crate::segments::{SegmentConfig, SegmentRow};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

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
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            lifecycle: LifecycleConfig::default(),
            segments: SegmentConfig::default(),
            top_customers: 10,
            clv: ClvConfig::default(),
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

/// CLV in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvSection {
    /// Duration used, in years.
    pub duration_years: f64,
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
    /// Flows of the last twelve months.
    pub flows: FlowReport,
    /// Flows of the last four quarters.
    pub quarterly_flows: Vec<FlowReport>,
    /// Migration between value segments from a year before the as-of date.
    pub migration: MigrationMatrix,
    /// CLV and NPV (`None` when no duration could be found).
    pub clv: Option<ClvSection>,
    /// The biggest undesired flows, largest revenue first.
    pub undesired_flows: Vec<UndesiredFlow>,
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
        let stages = LifecycleStage::ALL
            .iter()
            .map(|&stage| StageCount {
                stage,
                customers: lifecycle.count(stage),
                share: if n == 0 { 0.0 } else { lifecycle.count(stage) as f64 / n as f64 },
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
        let flows = self.flows(year_ago + chrono::Days::new(1), next_day, &flow_cfg)?;
        let quarterly_flows = self.flow_series(
            year_ago + chrono::Days::new(1),
            Period::Quarter,
            4,
            &FlowConfig { by_segment: false, ..flow_cfg.clone() },
        )?;
        let migration = self.segment_migration(year_ago, as_of, &config.segments)?;
        let clv = self.clv_section(as_of, config, &flows)?;
        let undesired_flows = self.undesired(year_ago, config, &flows, &lifecycle.stages, &segments)?;
        Ok(Report {
            as_of,
            config: config.clone(),
            flows,
            quarterly_flows,
            migration,
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

impl CustomerBase {
    fn clv_section(&self, as_of: NaiveDate, config: &ReportConfig, flows: &FlowReport) -> Result<Option<ClvSection>> {
        let mut cfg = config.clv.clone();
        cfg.flows.inactivity_days = config.lifecycle.inactivity_days;
        cfg.segments = config.segments.clone();
        if cfg.duration_years.is_none() && flows.duration_years.is_none() {
            match flows.retention_rate {
                Some(r) if r < 1.0 => cfg.duration_years = Some(1.0 / (1.0 - r)),
                _ => return Ok(None),
            }
        }
        let c = self.clv(as_of, &cfg)?;
        let n = c.portfolio.customers as f64;
        let yearly: f64 =
            c.customers.iter().filter(|x| x.in_base).map(|x| x.yearly_margin.unwrap_or(x.yearly_revenue)).sum();
        let sensitivity = c
            .retention_rate
            .filter(|_| n > 0.0)
            .map(|r| retention_sensitivity(yearly / n, r, c.discount_rate, 0.05, true));
        Ok(Some(ClvSection {
            duration_years: c.duration_years,
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
        flows: &FlowReport,
        stages: &[LifecycleStage],
        now: &crate::Segments,
    ) -> Result<Vec<UndesiredFlow>> {
        let before = self.segments(year_ago, &config.segments)?;
        let mut out = vec![UndesiredFlow {
            flow: "lost (no purchase in the inactivity window)".into(),
            customers: flows.lost,
            revenue: flows.lost_value.revenue,
        }];
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
            if let (Some(a), Some(b)) = (before.segment[c], now.segment[c]) {
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

fn mean(values: impl Iterator<Item = f64>, n: usize) -> f64 {
    if n == 0 { 0.0 } else { values.sum::<f64>() / n as f64 }
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn money(x: f64) -> String {
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    if x < 0.0 && s != "0" { format!("-{out}") } else { out }
}

fn table(out: &mut String, rows: &[SegmentRow]) {
    out.push_str("| segment | customers | share of customers | revenue | share of revenue | profit | share of profit | negative-profit customers |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.segment,
            r.customers,
            pct(r.customer_share),
            money(r.revenue),
            pct(r.revenue_share),
            r.profit.map_or("n/a".into(), money),
            r.profit_share.map_or("n/a".into(), pct),
            r.negative_profit_customers
        );
    }
}

impl Report {
    fn flows_markdown(&self, out: &mut String) {
        let f = &self.flows;
        let _ = writeln!(out, "\n## Customer flows, last twelve months\n");
        out.push_str("| flow | customers | revenue |\n|---|---:|---:|\n");
        let _ = writeln!(out, "| base at start | {} | |", f.base_at_start);
        let _ = writeln!(out, "| + new | {} | {} |", f.new, money(f.new_value.revenue));
        let _ = writeln!(out, "| &nbsp;&nbsp;of which bought again (active) | {} | |", f.new_active);
        let _ = writeln!(out, "| &nbsp;&nbsp;of which starters | {} | |", f.new_starters);
        let _ = writeln!(out, "| + won back | {} | {} |", f.won_back, money(f.won_back_value.revenue));
        let _ = writeln!(out, "| - lost (revenue in their last year) | {} | {} |", f.lost, money(f.lost_value.revenue));
        let _ = writeln!(out, "| = base at end | {} | |", f.base_at_end);
        let _ =
            writeln!(out, "| lapsed and came back inside the period (not counted above) | {} | |", f.lost_and_won_back);
        let rate = |r: Option<f64>| r.map_or("n/a".into(), pct);
        let _ = writeln!(
            out,
            "\nChurn rate {}, retention rate {}, average duration {} years (base / customers lost per year).",
            rate(f.churn_rate),
            rate(f.retention_rate),
            f.duration_years.map_or("n/a".into(), |d| format!("{d:.1}"))
        );
        out.push_str("\n| quarter from | base at start | new | won back | lost | base at end |\n|---|---:|---:|---:|---:|---:|\n");
        for q in &self.quarterly_flows {
            let start = q.start.map_or(String::new(), |d| d.to_string());
            let _ = writeln!(
                out,
                "| {start} | {} | {} | {} | {} | {} |",
                q.base_at_start, q.new, q.won_back, q.lost, q.base_at_end
            );
        }
        out.push_str("\n| value segment | base at start | lost | churn | base at end | new | won back |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for s in &f.by_segment {
            let churn = if s.base_at_start == 0 { "n/a".into() } else { pct(s.lost as f64 / s.base_at_start as f64) };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {churn} | {} | {} | {} |",
                s.segment, s.base_at_start, s.lost, s.base_at_end, s.new, s.won_back
            );
        }
        let m = &self.migration;
        let _ = writeln!(out, "\n## Migration between value segments, {} -> {}\n", m.from, m.to);
        out.push_str("| from \\ to |");
        for s in &m.states {
            let _ = write!(out, " {s} |");
        }
        out.push_str("\n|---|");
        out.push_str(&"---:|".repeat(m.states.len()));
        out.push('\n');
        for (i, row) in m.counts.iter().enumerate() {
            let _ = write!(out, "| {} |", m.states[i]);
            for (j, c) in row.iter().enumerate() {
                let _ = write!(out, " {c} ({}) |", pct(m.rates[i][j]));
            }
            out.push('\n');
        }
        if let Some(c) = &self.clv {
            let _ = writeln!(
                out,
                "\n## Customer lifetime value\n\nDuration {:.1} years, discount rate {}. Portfolio: {} customers, {:.1} purchases a year, average purchase {}, lifetime revenue {} ({} per customer).\n",
                c.duration_years,
                pct(c.discount_rate),
                c.portfolio.customers,
                c.scenario.purchases_per_year,
                money(c.scenario.average_purchase),
                money(c.portfolio.clv),
                money(c.portfolio.mean_clv)
            );
            out.push_str("| group | customers | lifetime revenue | per customer | discounted margin | mean NPV (known acquisition cost) |\n|---|---:|---:|---:|---:|---:|\n");
            for g in c.by_segment.iter().chain(&c.by_channel).chain(std::iter::once(&c.portfolio)) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    g.group,
                    g.customers,
                    money(g.clv),
                    money(g.mean_clv),
                    money(g.discounted_margin),
                    g.mean_npv.map_or("n/a".into(), money)
                );
            }
            if let Some(r) = &c.retention_plus_5_percent {
                let _ = writeln!(
                    out,
                    "\nRetention {} -> {} (+5 %) raises the retention-based CLV by {}.",
                    pct(r.retention),
                    pct(r.retention_after),
                    pct(r.change)
                );
            }
        }
        out.push_str("\n## Biggest undesired flows\n\n| flow | customers | revenue at stake |\n|---|---:|---:|\n");
        for u in &self.undesired_flows {
            let _ = writeln!(out, "| {} | {} | {} |", u.flow, u.customers, money(u.revenue));
        }
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serialises")
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let o = &self.overview;
        let _ = writeln!(out, "# Customer development report as of {}\n", self.as_of);
        out.push_str("## The base\n\n| measure | value |\n|---|---:|\n");
        let _ = writeln!(out, "| customers (prospects included) | {} |", o.customers);
        let _ = writeln!(out, "| buyers | {} |", o.buyers);
        let _ = writeln!(out, "| transactions | {} |", o.transactions);
        let _ = writeln!(out, "| transactions after the as-of date (left out) | {} |", o.excluded_after_as_of);
        let _ = writeln!(out, "| revenue | {} |", money(o.revenue));
        let _ = writeln!(out, "| margin | {} |", o.margin.map_or("n/a".into(), money));
        let _ = writeln!(out, "| purchases per year (mean of buyers) | {:.2} |", o.purchases_per_year);
        let _ = writeln!(out, "| average purchase | {} |", money(o.average_purchase));
        out.push_str("\n## Lifecycle stages\n\n| stage | customers | share |\n|---|---:|---:|\n");
        for s in &self.lifecycle {
            let _ = writeln!(out, "| {} | {} | {} |", s.stage.name(), s.customers, pct(s.share));
        }
        let w = self.config.segments.window_days.map_or("all history".into(), |d| format!("the last {d} days"));
        let _ = writeln!(
            out,
            "\n## Value segments\n\nRanked by {} over {w}; shares {:?}.\n",
            self.config.segments.measure.name(),
            self.config.segments.shares
        );
        table(&mut out, &self.segments);
        out.push_str("\n## ABC analysis\n\n");
        table(&mut out, &self.abc);
        out.push_str("\n## Customer pyramid\n\n");
        table(&mut out, &self.pyramid);
        out.push_str("\n## RFM: buyers by recency (rows) and frequency (columns) score\n\n| R \\ F | 1 | 2 | 3 | 4 | 5 |\n|---|---:|---:|---:|---:|---:|\n");
        for (r, row) in self.rfm_recency_frequency.iter().enumerate().rev() {
            let _ = writeln!(out, "| {} | {} | {} | {} | {} | {} |", r + 1, row[0], row[1], row[2], row[3], row[4]);
        }
        self.flows_markdown(&mut out);
        out.push_str("\n## Most valuable customers\n\n| customer | value | stage | RFM |\n|---|---:|---|---:|\n");
        for c in &self.top_customers {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                c.customer,
                money(c.value),
                c.stage.name(),
                c.rfm.map_or(String::new(), |r| r.to_string())
            );
        }
        out
    }
}
