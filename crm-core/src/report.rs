//! The customer-development report as of a date: the base at a glance, lifecycle stages,
//! the value segment table (shares of customers, revenue and profit), ABC classes, the
//! customer pyramid, RFM and the most valuable customers. Markdown for people, JSON (serde)
//! for machines.

use crate::base::CustomerBase;
use crate::error::Result;
use crate::lifecycle::{LifecycleConfig, LifecycleStage};
use crate::segments::{SegmentConfig, SegmentRow};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// What the report uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportConfig {
    /// Lifecycle rules.
    pub lifecycle: LifecycleConfig,
    /// Segment rules.
    pub segments: SegmentConfig,
    /// How many top customers to list. Default 10 (0 is read as 10).
    pub top_customers: usize,
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

        let buyers = summary.customers.iter().filter(|c| c.purchases > 0).count();
        let purchases: u64 = summary.customers.iter().map(|c| c.purchases as u64).sum();
        let revenue: f64 = summary.customers.iter().map(|c| c.revenue).sum();
        let overview = Overview {
            customers: n,
            buyers,
            transactions: self.transactions().len() - summary.excluded_after_as_of,
            excluded_after_as_of: summary.excluded_after_as_of,
            revenue,
            margin: self.transactions().has_margin().then(|| summary.customers.iter().filter_map(|c| c.margin).sum()),
            purchases_per_year: mean(
                summary.customers.iter().filter(|c| c.purchases > 0).map(|c| c.purchases_per_year),
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
        for r in summary.customers.iter().filter_map(|c| c.rfm) {
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
                rfm: summary.customers[c].rfm.map(|r| r.code()),
            })
            .collect();
        Ok(Report {
            as_of,
            config: config.clone(),
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
