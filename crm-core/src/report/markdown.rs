//! The report as Markdown.

use super::{Report, money, pct, period, words};
use crate::segments::SegmentRow;
use std::fmt::Write;

fn table(out: &mut String, rows: &[SegmentRow]) {
    out.push_str("| segment | customers | share of customers | revenue | share of revenue | profit | share of profit | negative-profit customers |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            words(&r.segment),
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

/// Markdown table cells must not break the table: pipes escaped, newlines dropped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

impl Report {
    /// The notes for figures whose name starts with `prefix`, as Markdown quotes.
    fn caveats_markdown(&self, out: &mut String, prefix: &str) {
        for c in self.caveats.iter().filter(|c| c.figure.starts_with(prefix)) {
            let _ = writeln!(out, "\n> **{}**", cell(&c.to_string()));
        }
    }

    pub(crate) fn window_words(&self) -> String {
        self.config.segments.window_days.map_or("all history".into(), |d| format!("the last {d} days"))
    }

    fn flows_markdown(&self, out: &mut String) {
        let b = &self.basis;
        let _ = writeln!(out, "\n## Customer flows, last twelve months\n");
        let _ = writeln!(
            out,
            "Period {} (inactivity window {} days).",
            period(b.flows_start, self.as_of + chrono::Days::new(1)),
            b.inactivity_days
        );
        self.caveats_markdown(out, "customer flows");
        self.caveats_markdown(out, "average duration");
        let Some(f) = &self.flows else { return };
        out.push_str("\n| flow | customers | revenue |\n|---|---:|---:|\n");
        let _ = writeln!(out, "| base at start | {} | |", f.base_at_start);
        let _ = writeln!(out, "| + new | {} | {} |", f.new, money(f.new_value.revenue));
        let _ = writeln!(out, "| &nbsp;&nbsp;of which bought again (active) | {} | |", f.new_active);
        let _ = writeln!(out, "| &nbsp;&nbsp;of which starters | {} | |", f.new_starters);
        let _ = writeln!(out, "| + won back | {} | {} |", f.won_back, money(f.won_back_value.revenue));
        let _ = writeln!(out, "| - lost (revenue in their last year) | {} | {} |", f.lost, money(f.lost_value.revenue));
        let _ = writeln!(out, "| = base at end | {} | |", f.base_at_end);
        let _ =
            writeln!(out, "| lapsed and came back inside the period (not counted above) | {} | |", f.lost_and_won_back);
        let rate = |r: Option<f64>| r.map_or("not measurable".into(), pct);
        let _ = writeln!(
            out,
            "\nChurn rate {}, retention rate {} (of the {} customers in the base at start); average duration {} (base / customers lost per year, {} lost).",
            rate(f.churn_rate),
            rate(f.retention_rate),
            f.base_at_start,
            f.duration_years.map_or("not measurable".into(), |d| format!("{d:.1} years")),
            f.lost
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
        out.push_str(
            "\n| month from | base at start | new | won back | lost | base at end |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for q in &self.monthly_flows {
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
                words(&s.segment),
                s.base_at_start,
                s.lost,
                s.base_at_end,
                s.new,
                s.won_back
            );
        }
    }

    fn migration_markdown(&self, out: &mut String) {
        let _ =
            writeln!(out, "\n## Migration between value segments, {} -> {}\n", self.basis.migration_from, self.as_of);
        self.caveats_markdown(out, "migration");
        let Some(m) = &self.migration else { return };
        let _ = writeln!(out, "Customers counted: {} (prospects included).\n", m.counts.iter().flatten().sum::<u64>());
        out.push_str("| from \\ to |");
        for s in &m.states {
            let _ = write!(out, " {} |", words(s));
        }
        out.push_str("\n|---|");
        out.push_str(&"---:|".repeat(m.states.len()));
        out.push('\n');
        for (i, row) in m.counts.iter().enumerate() {
            let _ = write!(out, "| {} |", words(&m.states[i]));
            for (j, c) in row.iter().enumerate() {
                let _ = write!(out, " {c} ({}) |", pct(m.rates[i][j]));
            }
            out.push('\n');
        }
    }

    fn cohorts_markdown(&self, out: &mut String) {
        let k = &self.cohorts;
        out.push_str("\n## Retention by first-purchase month\n\n");
        if k.cohorts.is_empty() {
            out.push_str("No first purchases in the last 24 months.\n");
            return;
        }
        out.push_str("Share of each cohort (customers by the month of their first purchase) that bought again k months later; month 0 is the first-purchase month.\n\n| cohort | customers |");
        for m in 0..k.months {
            let _ = write!(out, " {m} |");
        }
        out.push_str("\n|---|---:|");
        out.push_str(&"---:|".repeat(k.months));
        out.push('\n');
        for c in &k.cohorts {
            let _ = write!(out, "| {} | {} |", c.month.format("%Y-%m"), c.customers);
            for m in 0..k.months {
                match c.shares.get(m) {
                    Some(s) => {
                        let _ = write!(out, " {:.0} % |", s * 100.0);
                    }
                    None => out.push_str(" |"),
                }
            }
            out.push('\n');
        }
    }

    fn clv_markdown(&self, out: &mut String) {
        out.push_str("\n## Customer lifetime value\n");
        self.caveats_markdown(out, "customer lifetime value");
        let Some(c) = &self.clv else { return };
        let _ = writeln!(
            out,
            "\nDuration {:.1} years ({}), discount rate {}. Portfolio: {} customers in the base, {:.1} purchases a year, average purchase {}, lifetime revenue {} ({} per customer).\n",
            c.duration_years,
            c.duration_source.label(),
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
                cell(&words(&g.group)),
                g.customers,
                money(g.clv),
                money(g.mean_clv),
                money(g.discounted_margin),
                g.mean_npv.map_or("n/a".into(), money)
            );
        }
        if let Some(h) = &c.distribution {
            let _ = writeln!(
                out,
                "\nLifetime revenue per customer: median {}, mean {}; {} of {} customers between {} and {} (1st to 99th percentile).",
                money(h.median),
                money(h.mean),
                h.customers - h.below - h.above,
                h.customers,
                money(h.lower),
                money(h.upper)
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

    fn input_markdown(&self, out: &mut String) {
        out.push_str("\n## Data quality and input\n\n| measure | value |\n|---|---:|\n");
        if let Some(i) = &self.input {
            let _ = writeln!(out, "| source | {} |", cell(&i.source));
        }
        if let Some(i) = self.input.as_ref().filter(|i| i.rows_read > 0 || i.rows_loaded > 0) {
            let _ = writeln!(out, "| rows read | {} |", i.rows_read);
            let _ = writeln!(out, "| rows loaded | {} |", i.rows_loaded);
            let _ = writeln!(out, "| rows rejected | {} |", i.rows_rejected);
            let _ = writeln!(out, "| rows without a customer id (left out) | {} |", i.anonymous_rows);
            let _ = writeln!(out, "| revenue without a customer id | {} |", money(i.anonymous_revenue));
            let _ = writeln!(out, "| return rows read | {} |", i.returns_rows);
            let _ = writeln!(out, "| returns read (value) | {} |", money(i.returns_value));
        }
        let r = &self.returns;
        let _ = writeln!(
            out,
            "| history starts | {} |",
            self.basis.history_starts.map_or("no transactions".into(), |d| d.to_string())
        );
        let _ = writeln!(out, "| returns up to the as-of date (transactions) | {} |", r.transactions);
        let _ = writeln!(out, "| returns up to the as-of date (value) | {} |", money(r.value));
        let _ = writeln!(
            out,
            "| returns, share of gross revenue | {} |",
            r.share_of_gross_revenue.map_or("n/a".into(), pct)
        );
        if let Some(i) = &self.input {
            for n in &i.notes {
                let _ = writeln!(out, "\n- {}", cell(n));
            }
        }
    }

    /// The report as Markdown.
    ///
    /// ```
    /// use crm_core::sample::{generate, SampleConfig};
    /// let data = generate(&SampleConfig { customers: 100, ..Default::default() });
    /// let as_of = data.end;
    /// let md = data.into_base()?.report(as_of, &Default::default())?.to_markdown();
    /// assert!(md.starts_with("# Customer development report"));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let o = &self.overview;
        let _ = writeln!(out, "# Customer development report as of {}\n", self.as_of);
        let withheld: Vec<_> = self.caveats.iter().filter(|c| c.withheld).collect();
        if !withheld.is_empty() {
            out.push_str("**Not yet measurable** (the figures are left out rather than misleading):\n\n");
            for c in &withheld {
                let _ = writeln!(out, "- {}: {}", cell(&c.figure), cell(&c.reason));
            }
            out.push('\n');
        }
        out.push_str("## The base\n\n| measure | value |\n|---|---:|\n");
        let _ = writeln!(out, "| customers (prospects included) | {} |", o.customers);
        let _ = writeln!(out, "| buyers | {} |", o.buyers);
        let _ = writeln!(out, "| transactions | {} |", o.transactions);
        let _ = writeln!(out, "| transactions after the as-of date (left out) | {} |", o.excluded_after_as_of);
        let _ = writeln!(out, "| revenue | {} |", money(o.revenue));
        let _ = writeln!(out, "| margin | {} |", o.margin.map_or("n/a".into(), money));
        let _ = writeln!(out, "| purchases per year (mean of buyers) | {:.2} |", o.purchases_per_year);
        let _ = writeln!(out, "| average purchase | {} |", money(o.average_purchase));
        let _ = writeln!(out, "\nAll history up to {} counted.", self.as_of);
        out.push_str("\n## Lifecycle stages\n\n| stage | customers | share |\n|---|---:|---:|\n");
        for s in &self.lifecycle {
            if s.measurable {
                let _ = writeln!(out, "| {} | {} | {} |", s.stage.label(), s.customers, pct(s.share));
            } else {
                let _ = writeln!(out, "| {} | not yet measurable | |", s.stage.label());
            }
        }
        self.caveats_markdown(&mut out, "lifecycle");
        let w = self.window_words();
        let _ = writeln!(
            out,
            "\n## Value segments\n\nRanked by {} over {w} (customers with a purchase in it); shares {:?}.\n",
            self.config.segments.measure.name(),
            self.config.segments.shares
        );
        table(&mut out, &self.segments);
        out.push_str("\n## Concentration (Pareto)\n\n");
        for p in [&self.pareto_revenue, &self.pareto_profit].into_iter().flatten() {
            let _ = writeln!(
                out,
                "- {}: {} of the {} ranked customers give 80 % of the {} over {w}.",
                p.measure,
                p.customer_share_for_80_percent.map_or("n/a".into(), pct),
                p.customers,
                p.measure
            );
        }
        if self.pareto_revenue.is_none() {
            out.push_str("- no positive revenue in the segment window.\n");
        }
        out.push_str("\n## ABC analysis\n\n");
        table(&mut out, &self.abc);
        out.push_str("\n## Customer pyramid\n\n");
        table(&mut out, &self.pyramid);
        out.push_str("\n## RFM: buyers by recency (rows) and frequency (columns) score\n\n| R \\ F | 1 | 2 | 3 | 4 | 5 |\n|---|---:|---:|---:|---:|---:|\n");
        for (r, row) in self.rfm_recency_frequency.iter().enumerate().rev() {
            let _ = writeln!(out, "| {} | {} | {} | {} | {} | {} |", r + 1, row[0], row[1], row[2], row[3], row[4]);
        }
        self.flows_markdown(&mut out);
        self.migration_markdown(&mut out);
        self.cohorts_markdown(&mut out);
        self.clv_markdown(&mut out);
        self.markdown_wallet(&mut out);
        out.push_str("\n## Biggest undesired flows\n\n| flow | customers | revenue at stake |\n|---|---:|---:|\n");
        for u in &self.undesired_flows {
            let _ = writeln!(out, "| {} | {} | {} |", u.flow, u.customers, money(u.revenue));
        }
        self.input_markdown(&mut out);
        out.push_str("\n## Most valuable customers\n\n| customer | value | stage | RFM |\n|---|---:|---|---:|\n");
        for c in &self.top_customers {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&c.customer),
                money(c.value),
                c.stage.label(),
                c.rfm.map_or(String::new(), |r| r.to_string())
            );
        }
        out
    }

    /// The report as JSON (withheld figures are `null`; `caveats` says why).
    ///
    /// ```
    /// use crm_core::sample::{generate, SampleConfig};
    /// let data = generate(&SampleConfig { customers: 100, ..Default::default() });
    /// let as_of = data.end;
    /// let json = data.into_base()?.report(as_of, &Default::default())?.to_json();
    /// assert!(json.contains("\"caveats\""));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serialises")
    }
}
