//! The report as one self-contained HTML page: inline CSS, inline SVG charts, no script,
//! no network access. Every chart is `<svg class="chart" id="chart-NAME" role="img">`.

use super::svg::{Anchor, Chart, Scale, esc, ramp, short, tick_step};
use super::{Report, money_html as money, pct, period, words};
use crate::flows::FlowReport;
use crate::segments::SegmentRow;
use std::fmt::Write;

/// The ids of every chart the HTML report can hold (each prefixed with `chart-`).
pub const CHART_NAMES: [&str; 11] = [
    "pareto",
    "segments",
    "lifecycle",
    "waterfall",
    "monthly-flows",
    "migration",
    "cohorts",
    "clv-distribution",
    "clv-segments",
    "undesired-flows",
    "wallet",
];

const BLUE: &str = "#2b6cb0";
const GREEN: &str = "#2f855a";
const RED: &str = "#c53030";
const AMBER: &str = "#d69e2e";
const GREY: &str = "#a0aec0";
const PURPLE: &str = "#6b46c1";

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1a202c; background: #f7fafc; margin: 0; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-top: 8px; border-top: 1px solid #e2e8f0; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p.basis { color: #4a5568; margin: 4px 0 12px; font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; margin: 16px 0; }
.card { border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 14px; background: #fbfdff; }
.card .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .k { color: #4a5568; font-size: 13px; }
.note { border-left: 4px solid #dd6b20; background: #fffaf0; padding: 8px 12px; margin: 10px 0; font-size: 14px; }
.note.thin { border-left-color: #d69e2e; background: #fffff0; }
.note b { color: #9c4221; }
table { border-collapse: collapse; margin: 10px 0; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e2e8f0; }
th { text-align: left; background: #f7fafc; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.neg { color: #c53030; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 4px; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #2d3748; }
svg.chart text.axis { fill: #4a5568; font-size: 11px; }
svg.chart text.title { font-size: 13px; font-weight: 600; }
svg.chart text.value { font-size: 11px; }
svg.chart text.light { fill: #fff; font-size: 10px; }
svg.chart text.dark { fill: #1a202c; font-size: 10px; }
svg.chart line.grid { stroke: #e2e8f0; stroke-width: 1; }
svg.chart line.axis { stroke: #718096; stroke-width: 1; }
svg.chart line.ref { stroke: #a0aec0; stroke-width: 1; stroke-dasharray: 4 3; }
footer { color: #718096; font-size: 12px; margin-top: 40px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  svg.chart, table, .cards { break-inside: avoid; }
}
"#;

/// Margins of a plot area inside a chart.
const LEFT: f64 = 64.0;
const TOP: f64 = 36.0;

fn note(out: &mut String, report: &Report, prefix: &str) {
    for c in report.caveats.iter().filter(|c| c.figure.starts_with(prefix)) {
        let (class, lead) = if c.withheld { ("note", "Not yet measurable") } else { ("note thin", "Read with care") };
        let _ = writeln!(out, r#"<p class="{class}"><b>{lead}: {}.</b> {}.</p>"#, esc(&c.figure), esc(&c.reason));
    }
}

fn basis(out: &mut String, text: &str) {
    let _ = writeln!(out, r#"<p class="basis">{}</p>"#, esc(text));
}

fn card(out: &mut String, value: &str, key: &str) {
    let _ = write!(out, r#"<div class="card"><div class="v">{value}</div><div class="k">{}</div></div>"#, esc(key));
}

/// Horizontal axis gridlines and labels of a value scale `[0, max]` drawn upwards.
fn y_grid(c: &mut Chart, y: Scale, max: f64, x0: f64, x1: f64, fmt: &dyn Fn(f64) -> String) {
    let step = tick_step(max, 5);
    let mut v = 0.0;
    while v <= max * 1.0001 {
        c.line(x0, y.at(v), x1, y.at(v), "grid");
        c.text(x0 - 6.0, y.at(v) + 4.0, Anchor::End, "axis", &fmt(v));
        v += step;
    }
}

/// Vertical gridlines and labels of a value scale `[0, max]` drawn rightwards, for
/// horizontal bars between `top` and `bottom`.
pub(super) fn x_grid(c: &mut Chart, x: Scale, max: f64, top: f64, bottom: f64) {
    let step = tick_step(max, 5);
    let mut v = 0.0;
    while v <= max * 1.0001 {
        c.line(x.at(v), top - 4.0, x.at(v), bottom, "grid");
        c.text(x.at(v), bottom + 14.0, Anchor::Middle, "axis", &short(v));
        v += step;
    }
}

/// Horizontal bars, one per labelled value (values >= 0).
fn hbars(name: &str, label: &str, rows: &[(String, f64, String, &str)], axis: &str) -> String {
    let (width, row_h, left) = (760.0, 26.0, 230.0);
    let height = TOP + rows.len() as f64 * row_h + 40.0;
    let mut c = Chart::new(name, label, width, height);
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1e-9);
    let x = Scale::new(0.0, max, left, width - 210.0);
    c.text(left, 20.0, Anchor::Start, "title", label);
    let bottom = TOP + rows.len() as f64 * row_h;
    x_grid(&mut c, x, max, TOP, bottom);
    for (i, (name, value, shown, fill)) in rows.iter().enumerate() {
        let y = TOP + i as f64 * row_h;
        c.text(left - 8.0, y + 16.0, Anchor::End, "", name);
        c.rect(left, y + 4.0, x.at(*value) - left, row_h - 8.0, fill, &format!("{name}: {shown}"));
        c.text(x.at(*value) + 6.0, y + 16.0, Anchor::Start, "value", shown);
    }
    c.line(left, TOP - 4.0, left, bottom, "axis");
    c.text((left + width - 210.0) / 2.0, height - 6.0, Anchor::Middle, "axis", axis);
    c.finish()
}

impl Report {
    fn html_overview(&self, out: &mut String) {
        let o = &self.overview;
        out.push_str("<h2>The base at a glance</h2>\n");
        basis(
            out,
            &format!(
                "All history up to {} ({}). {} customers, of whom {} bought.",
                self.as_of,
                self.basis.history_starts.map_or("no transactions".into(), |d| format!("it starts {d}")),
                o.customers,
                o.buyers
            ),
        );
        out.push_str(r#"<div class="cards">"#);
        card(out, &o.customers.to_string(), "customers (prospects included)");
        card(out, &o.buyers.to_string(), "buyers");
        card(out, &money(o.revenue), "net revenue");
        if let Some(m) = o.margin {
            card(out, &money(m), "net margin");
        }
        card(out, &format!("{:.2}", o.purchases_per_year), "purchases per year (mean of buyers)");
        card(out, &money(o.average_purchase), "average purchase");
        if let Some(f) = &self.flows {
            card(out, &f.churn_rate.map_or("–".into(), pct), "churn, last twelve months");
            card(out, &f.duration_years.map_or("–".into(), |d| format!("{d:.1} years")), "average duration");
        }
        if let Some(c) = &self.clv {
            card(out, &money(c.portfolio.mean_clv), "lifetime revenue per customer");
        }
        if let Some(p) = &self.pareto_revenue {
            card(out, &p.customer_share_for_80_percent.map_or("–".into(), pct), "of customers give 80 % of revenue");
        }
        out.push_str("</div>\n");
    }

    fn html_pareto(&self, out: &mut String) {
        out.push_str("<h2>Concentration: who brings the revenue and the profit</h2>\n");
        let w = self.window_words();
        let Some(rev) = &self.pareto_revenue else {
            let _ =
                writeln!(out, r#"<p class="note"><b>Not measurable.</b> No positive revenue over {}.</p>"#, esc(&w));
            return;
        };
        let mut text = format!(
            "{} ranked customers (a purchase over {w}), most valuable first. {} of them give 80 % of the revenue",
            rev.customers,
            rev.customer_share_for_80_percent.map_or("–".into(), pct)
        );
        if let Some(p) = &self.pareto_profit {
            let _ =
                write!(text, "; {} give 80 % of the profit", p.customer_share_for_80_percent.map_or("–".into(), pct));
        }
        text.push('.');
        basis(out, &text);
        let curves: Vec<(&super::ParetoCurve, &str)> = [(Some(rev), BLUE), (self.pareto_profit.as_ref(), GREEN)]
            .into_iter()
            .filter_map(|(p, c)| p.map(|p| (p, c)))
            .collect();
        let top = curves.iter().flat_map(|(p, _)| p.points.iter().map(|q| q.value_share)).fold(1.0, f64::max);
        let low = curves.iter().flat_map(|(p, _)| p.points.iter().map(|q| q.value_share)).fold(0.0, f64::min);
        let (width, height) = (760.0, 380.0);
        let mut c = Chart::new(
            "pareto",
            "Pareto curve: cumulative share of revenue and profit by share of customers",
            width,
            height,
        );
        c.text(LEFT, 20.0, Anchor::Start, "title", "Cumulative share of value, customers ranked by value");
        let (x0, x1, y0, y1) = (LEFT, width - 24.0, height - 48.0, TOP);
        let x = Scale::new(0.0, 1.0, x0, x1);
        let y = Scale::new(low, top, y0, y1);
        let step = tick_step(top - low, 6);
        let mut v = (low / step).ceil() * step;
        while v <= top + 1e-9 {
            c.line(x0, y.at(v), x1, y.at(v), "grid");
            c.text(x0 - 6.0, y.at(v) + 4.0, Anchor::End, "axis", &format!("{:.0} %", v * 100.0));
            v += step;
        }
        for i in 0..=10 {
            let t = i as f64 / 10.0;
            c.text(x.at(t), y0 + 16.0, Anchor::Middle, "axis", &format!("{:.0} %", t * 100.0));
        }
        c.line(x.at(0.0), y.at(0.0), x.at(1.0), y.at(1.0), "ref");
        c.line(x0, y.at(0.8), x1, y.at(0.8), "ref");
        c.text(x1, y.at(0.8) - 4.0, Anchor::End, "axis", "80 %");
        c.line(x0, y0, x1, y0, "axis");
        c.line(x0, y0, x0, y1, "axis");
        for (p, colour) in &curves {
            let pts: Vec<(f64, f64)> = p.points.iter().map(|q| (x.at(q.customer_share), y.at(q.value_share))).collect();
            c.polyline(&pts, colour, &format!("{} (total {})", p.measure, money(p.total)));
            if let Some(s) = p.customer_share_for_80_percent {
                c.dot(x.at(s), y.at(0.8), colour, &format!("{} of customers give 80 % of the {}", pct(s), p.measure));
            }
        }
        c.text((x0 + x1) / 2.0, height - 10.0, Anchor::Middle, "axis", "share of customers, most valuable first");
        c.vertical_text(16.0, (y0 + y1) / 2.0, "axis", "cumulative share of value");
        let mut lx = x0 + 20.0;
        for (p, colour) in &curves {
            c.legend(lx, TOP + 6.0, colour, &p.measure);
            lx += 90.0;
        }
        out.push_str(&c.finish());
        out.push('\n');
    }

    fn html_segments(&self, out: &mut String) {
        let cfg = &self.config.segments;
        let _ = writeln!(
            out,
            "<h2>Value segments {}</h2>",
            esc(&cfg.shares.iter().map(|s| format!("{:.0}", s * 100.0)).collect::<Vec<_>>().join(" / "))
        );
        basis(
            out,
            &format!(
                "Customers with a purchase over {} ranked by {}; {} customers ranked.",
                self.window_words(),
                cfg.measure.name(),
                self.segments.iter().map(|r| r.customers).sum::<usize>()
            ),
        );
        segment_table(out, &self.segments);
        let has_profit = self.segments.iter().any(|r| r.profit_share.is_some());
        let (width, group_h) = (760.0, 70.0);
        let height = TOP + self.segments.len() as f64 * group_h + 40.0;
        let mut c = Chart::new("segments", "Value segments: share of customers, revenue and profit", width, height);
        c.text(LEFT, 20.0, Anchor::Start, "title", "Share of customers, revenue and profit per segment");
        let left = 120.0;
        let shares =
            self.segments.iter().flat_map(|r| [r.customer_share, r.revenue_share, r.profit_share.unwrap_or(0.0)]);
        let max = shares.clone().fold(1.0, f64::max);
        let min = shares.fold(0.0, f64::min);
        let x = Scale::new(min, max, left, width - 80.0);
        let bottom = TOP + self.segments.len() as f64 * group_h;
        let mut v = 0.0;
        while v <= max + 1e-9 {
            c.line(x.at(v), TOP - 4.0, x.at(v), bottom, "grid");
            c.text(x.at(v), bottom + 14.0, Anchor::Middle, "axis", &format!("{:.0} %", v * 100.0));
            v += 0.2;
        }
        for (i, r) in self.segments.iter().enumerate() {
            let y = TOP + i as f64 * group_h;
            c.text(left - 8.0, y + group_h / 2.0, Anchor::End, "", &words(&r.segment));
            let mut bars = vec![("customers", r.customer_share, GREY), ("revenue", r.revenue_share, BLUE)];
            if let Some(p) = r.profit_share {
                bars.push(("profit", p, if p < 0.0 { RED } else { GREEN }));
            }
            for (k, (what, s, fill)) in bars.iter().enumerate() {
                let by = y + 6.0 + k as f64 * 19.0;
                c.rect(
                    x.at(0.0),
                    by,
                    x.at(*s) - x.at(0.0),
                    15.0,
                    fill,
                    &format!("{}: {} of {what}", words(&r.segment), pct(*s)),
                );
                c.text(x.at(s.max(0.0)) + 5.0, by + 12.0, Anchor::Start, "value", &format!("{} {what}", pct(*s)));
            }
        }
        c.line(x.at(0.0), TOP - 4.0, x.at(0.0), bottom, "axis");
        c.legend(width - 250.0, 20.0, GREY, "customers");
        c.legend(width - 160.0, 20.0, BLUE, "revenue");
        if has_profit {
            c.legend(width - 85.0, 20.0, GREEN, "profit");
        }
        c.text(
            (left + width - 80.0) / 2.0,
            height - 6.0,
            Anchor::Middle,
            "axis",
            "share of all ranked customers / of the total",
        );
        out.push_str(&c.finish());
        out.push('\n');
        let negative: usize = self.segments.iter().map(|r| r.negative_profit_customers).sum();
        if has_profit {
            basis(out, &format!("{negative} ranked customers have a negative profit (margin - cost to serve)."));
        } else {
            basis(out, "No margins in the data: profit shares are not available.");
        }
    }

    fn html_lifecycle(&self, out: &mut String) {
        out.push_str("<h2>Lifecycle stages</h2>\n");
        basis(out, &format!("All {} customers as of {}.", self.overview.customers, self.as_of));
        note(out, self, "lifecycle");
        let rows: Vec<(String, f64, String, &str)> = self
            .lifecycle
            .iter()
            .map(|s| {
                if s.measurable {
                    (
                        s.stage.label().to_string(),
                        s.customers as f64,
                        format!("{} ({})", s.customers, pct(s.share)),
                        BLUE,
                    )
                } else {
                    (s.stage.label().to_string(), 0.0, "not yet measurable".into(), GREY)
                }
            })
            .collect();
        out.push_str(&hbars("lifecycle", "Customers per lifecycle stage", &rows, "customers"));
        out.push('\n');
    }

    fn html_flows(&self, out: &mut String) {
        out.push_str("<h2>Customer flows, last twelve months</h2>\n");
        let b = &self.basis;
        basis(
            out,
            &format!(
                "Period {}; a customer is lost after {} days without a purchase.",
                period(b.flows_start, self.as_of + chrono::Days::new(1)),
                b.inactivity_days
            ),
        );
        note(out, self, "customer flows");
        note(out, self, "average duration");
        let Some(f) = &self.flows else { return };
        let _ = writeln!(
            out,
            r#"<div class="cards">{}</div>"#,
            [
                (f.churn_rate.map_or("–".into(), pct), format!("churn ({} in the base at start)", f.base_at_start)),
                (f.retention_rate.map_or("–".into(), pct), "retention".into()),
                (
                    f.duration_years.map_or("–".into(), |d| format!("{d:.1} years")),
                    format!("average duration ({} lost)", f.lost)
                ),
                (money(f.new_value.revenue), format!("revenue of the {} new customers", f.new)),
                (money(f.lost_value.revenue), format!("last-year revenue of the {} lost", f.lost)),
            ]
            .iter()
            .map(|(v, k)| format!(r#"<div class="card"><div class="v">{v}</div><div class="k">{}</div></div>"#, esc(k)))
            .collect::<String>()
        );
        out.push_str(&waterfall(f));
        out.push('\n');
        basis(
            out,
            &format!(
                "Of the {} new customers {} bought again and {} are still starters; {} lapsed and came back inside the period (not counted above).",
                f.new, f.new_active, f.new_starters, f.lost_and_won_back
            ),
        );
        out.push_str("<h3>Month by month</h3>\n");
        out.push_str(&monthly(&self.monthly_flows));
        out.push('\n');
    }

    fn html_migration(&self, out: &mut String) {
        let _ =
            writeln!(out, "<h2>Migration between value segments, {} → {}</h2>", self.basis.migration_from, self.as_of);
        note(out, self, "migration");
        let Some(m) = &self.migration else { return };
        basis(
            out,
            &format!(
                "{} customers (prospects included); rows: segment on {}, columns: segment on {}; cells: customers and share of the row. Segments by {} over {} before each date.",
                m.counts.iter().flatten().sum::<u64>(),
                self.basis.migration_from,
                self.as_of,
                self.config.segments.measure.name(),
                self.window_words()
            ),
        );
        let k = m.states.len();
        let (cell_w, cell_h, left) = (120.0, 40.0, 170.0);
        let (width, height) = (left + k as f64 * cell_w + 20.0, TOP + 30.0 + k as f64 * cell_h + 30.0);
        let mut c = Chart::new(
            "migration",
            "Migration heat map: value segment a year ago (rows) to now (columns)",
            width,
            height,
        );
        c.text(left, 20.0, Anchor::Start, "title", "From (rows) → to (columns)");
        for (j, s) in m.states.iter().enumerate() {
            c.text(left + (j as f64 + 0.5) * cell_w, TOP + 16.0, Anchor::Middle, "axis", &words(s));
        }
        for (i, row) in m.counts.iter().enumerate() {
            let y = TOP + 26.0 + i as f64 * cell_h;
            c.text(left - 8.0, y + cell_h / 2.0 + 4.0, Anchor::End, "", &words(&m.states[i]));
            for (j, &count) in row.iter().enumerate() {
                let rate = m.rates[i][j];
                let (fill, light) = ramp(rate);
                let x = left + j as f64 * cell_w;
                let tip = format!("{} → {}: {count} ({})", words(&m.states[i]), words(&m.states[j]), pct(rate));
                c.rect(x + 1.0, y + 1.0, cell_w - 2.0, cell_h - 2.0, &fill, &tip);
                let class = if light { "light" } else { "dark" };
                c.text(
                    x + cell_w / 2.0,
                    y + cell_h / 2.0 + 4.0,
                    Anchor::Middle,
                    class,
                    &format!("{count} ({})", pct(rate)),
                );
            }
        }
        c.text(left + k as f64 * cell_w / 2.0, height - 8.0, Anchor::Middle, "axis", "segment now");
        out.push_str(&c.finish());
        out.push('\n');
    }

    fn html_cohorts(&self, out: &mut String) {
        out.push_str("<h2>Retention by first-purchase month</h2>\n");
        let k = &self.cohorts;
        if k.cohorts.is_empty() {
            out.push_str(r#"<p class="note"><b>Not measurable.</b> No first purchases in the last 24 months.</p>"#);
            return;
        }
        basis(
            out,
            &format!(
                "{} customers whose first purchase fell in the last {} months, by first-purchase month (rows, cohort size at the left); cell: share of the cohort that bought k months later (month 0 is the first purchase). The month of {} counts up to that day.",
                k.cohorts.iter().map(|c| c.customers).sum::<u64>(),
                k.cohorts.len(),
                self.as_of
            ),
        );
        let (cell_w, cell_h, left) = (34.0, 20.0, 130.0);
        let width = left + k.months as f64 * cell_w + 20.0;
        let height = TOP + 24.0 + k.cohorts.len() as f64 * cell_h + 30.0;
        let mut c = Chart::new(
            "cohorts",
            "Retention cohort heat map: share of each first-purchase cohort buying k months later",
            width,
            height,
        );
        c.text(left, 18.0, Anchor::Start, "title", "Months since the first purchase →");
        for m in 0..k.months {
            c.text(left + (m as f64 + 0.5) * cell_w, TOP + 14.0, Anchor::Middle, "axis", &m.to_string());
        }
        // Month 0 is always 100 %: the colour scale spans the later months.
        let max = k.cohorts.iter().flat_map(|c| c.shares.iter().skip(1).copied()).fold(0.05, f64::max);
        for (i, row) in k.cohorts.iter().enumerate() {
            let y = TOP + 22.0 + i as f64 * cell_h;
            c.text(
                left - 8.0,
                y + 14.0,
                Anchor::End,
                "axis",
                &format!("{} ({})", row.month.format("%Y-%m"), row.customers),
            );
            for (m, &s) in row.shares.iter().enumerate() {
                let (fill, light) = if m == 0 { ("#cbd5e0".to_string(), false) } else { ramp(s / max) };
                let x = left + m as f64 * cell_w;
                let tip = format!("{}: {} of {} bought in month {m}", row.month.format("%Y-%m"), pct(s), row.customers);
                c.rect(x + 0.5, y + 0.5, cell_w - 1.0, cell_h - 1.0, &fill, &tip);
                c.text(
                    x + cell_w / 2.0,
                    y + 14.0,
                    Anchor::Middle,
                    if light { "light" } else { "dark" },
                    &format!("{:.0}", s * 100.0),
                );
            }
        }
        c.text(left, height - 8.0, Anchor::Start, "axis", "cells in % of the cohort");
        out.push_str(&c.finish());
        out.push('\n');
    }

    fn html_clv(&self, out: &mut String) {
        out.push_str("<h2>Customer lifetime value</h2>\n");
        note(out, self, "customer lifetime value");
        let Some(v) = &self.clv else { return };
        basis(
            out,
            &format!(
                "Lifetime revenue = purchases per year × average purchase × duration. Duration {:.1} years ({}); discount rate {}; {} customers in the base (bought, not lost) as of {}.",
                v.duration_years,
                v.duration_source.label(),
                pct(v.discount_rate),
                v.portfolio.customers,
                self.as_of
            ),
        );
        out.push_str(r#"<div class="cards">"#);
        card(out, &money(v.portfolio.mean_clv), "lifetime revenue per customer");
        card(out, &money(v.portfolio.clv), "portfolio lifetime revenue");
        card(out, &format!("{:.1}", v.scenario.purchases_per_year), "purchases a year");
        card(out, &money(v.scenario.average_purchase), "average purchase");
        if let Some(r) = &v.retention_plus_5_percent {
            card(out, &format!("+{}", pct(r.change)), "retention-based CLV if retention rises 5 %");
        }
        out.push_str("</div>\n");
        if let Some(h) = &v.distribution {
            basis(
                out,
                &format!(
                    "Median {}, mean {}. The chart spans the 1st to the 99th percentile; {} customers below and {} above are not drawn.",
                    money(h.median),
                    money(h.mean),
                    h.below,
                    h.above
                ),
            );
            let (width, height) = (760.0, 300.0);
            let mut c = Chart::new("clv-distribution", "Distribution of lifetime revenue per customer", width, height);
            c.text(LEFT, 20.0, Anchor::Start, "title", "Customers by lifetime revenue");
            let (x0, x1, y0) = (LEFT, width - 24.0, height - 50.0);
            let max = h.bins.iter().map(|b| b.customers).max().unwrap_or(0).max(1) as f64;
            let y = Scale::new(0.0, max, y0, TOP);
            y_grid(&mut c, y, max, x0, x1, &short);
            let x = Scale::new(h.lower, h.upper, x0, x1);
            for b in &h.bins {
                let tip = format!("{} to {}: {} customers", money(b.from), money(b.to), b.customers);
                c.rect(
                    x.at(b.from) + 1.0,
                    y.at(b.customers as f64),
                    x.at(b.to) - x.at(b.from) - 2.0,
                    y0 - y.at(b.customers as f64),
                    PURPLE,
                    &tip,
                );
            }
            for (i, b) in h.bins.iter().enumerate().step_by(4) {
                let _ = i;
                c.text(x.at(b.from), y0 + 16.0, Anchor::Middle, "axis", &short(b.from));
            }
            c.text(x1, y0 + 16.0, Anchor::Middle, "axis", &short(h.upper));
            c.line(x0, y0, x1, y0, "axis");
            c.text((x0 + x1) / 2.0, height - 10.0, Anchor::Middle, "axis", "lifetime revenue per customer");
            c.vertical_text(16.0, (y0 + TOP) / 2.0, "axis", "customers");
            out.push_str(&c.finish());
            out.push('\n');
        }
        let rows: Vec<(String, f64, String, &str)> = v
            .by_segment
            .iter()
            .map(|g| {
                (
                    words(&g.group),
                    g.mean_clv.max(0.0),
                    format!("{} ({} customers)", money(g.mean_clv), g.customers),
                    BLUE,
                )
            })
            .collect();
        out.push_str(&hbars(
            "clv-segments",
            "Lifetime revenue per customer by value segment",
            &rows,
            "lifetime revenue per customer",
        ));
        out.push('\n');
        out.push_str(r#"<table><tr><th>group</th><th class="n">customers</th><th class="n">lifetime revenue</th><th class="n">per customer</th><th class="n">discounted margin</th><th class="n">mean NPV</th></tr>"#);
        for g in v.by_segment.iter().chain(&v.by_channel).chain(std::iter::once(&v.portfolio)) {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                esc(&words(&g.group)),
                g.customers,
                money(g.clv),
                money(g.mean_clv),
                money(g.discounted_margin),
                g.mean_npv.map_or("n/a".into(), money)
            );
        }
        out.push_str("</table>\n");
    }

    fn html_undesired(&self, out: &mut String) {
        out.push_str("<h2>The biggest undesired flows</h2>\n");
        basis(
            out,
            "Revenue at stake: the lost customers' last-year revenue, the drop in yearly revenue of declining and down-migrating customers, the revenue of starters.",
        );
        if self.undesired_flows.is_empty() {
            basis(out, "None.");
            return;
        }
        let rows: Vec<(String, f64, String, &str)> = self
            .undesired_flows
            .iter()
            .map(|u| {
                (
                    short_flow(&u.flow),
                    u.revenue.max(0.0),
                    format!("{} ({} customers)", money(u.revenue), u.customers),
                    RED,
                )
            })
            .collect();
        out.push_str(&hbars(
            "undesired-flows",
            "The biggest undesired flows by revenue at stake",
            &rows,
            "revenue at stake",
        ));
        out.push('\n');
    }

    fn html_input(&self, out: &mut String) {
        out.push_str("<h2>Data quality and input</h2>\n");
        let r = &self.returns;
        out.push_str(r#"<table><tr><th>measure</th><th class="n">value</th></tr>"#);
        let mut row = |k: &str, v: String| {
            let _ = write!(out, r#"<tr><td>{}</td><td class="n">{}</td></tr>"#, esc(k), v);
        };
        if let Some(i) = self.input.as_ref().filter(|i| i.rows_read > 0 || i.rows_loaded > 0) {
            row("source", esc(&i.source));
            row("rows read", i.rows_read.to_string());
            row("rows loaded", i.rows_loaded.to_string());
            row("rows rejected", i.rows_rejected.to_string());
            row("rows without a customer id (left out)", i.anonymous_rows.to_string());
            row("revenue without a customer id", money(i.anonymous_revenue));
            row("return rows read", i.returns_rows.to_string());
            row("returns read (value)", money(i.returns_value));
        }
        if let Some(i) = self.input.as_ref().filter(|i| i.rows_read == 0 && i.rows_loaded == 0) {
            row("source", esc(&i.source));
        }
        row("history starts", self.basis.history_starts.map_or("no transactions".into(), |d| d.to_string()));
        row("returns up to the as-of date (transactions)", r.transactions.to_string());
        row("returns up to the as-of date (value)", money(r.value));
        row("gross revenue (net + returns)", money(r.gross_revenue));
        row("returns, share of gross revenue", r.share_of_gross_revenue.map_or("n/a".into(), pct));
        out.push_str("</table>\n");
        if let Some(i) = &self.input {
            for n in &i.notes {
                basis(out, n);
            }
        }
    }

    fn html_top(&self, out: &mut String) {
        out.push_str("<h2>Most valuable customers</h2>\n");
        basis(out, &format!("By {} over {}.", self.config.segments.measure.name(), self.window_words()));
        out.push_str(
            r#"<table><tr><th>customer</th><th class="n">value</th><th>stage</th><th class="n">RFM</th></tr>"#,
        );
        for c in &self.top_customers {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="n">{}</td><td>{}</td><td class="n">{}</td></tr>"#,
                esc(&c.customer),
                money(c.value),
                c.stage.label(),
                c.rfm.map_or(String::new(), |r| r.to_string())
            );
        }
        out.push_str("</table>\n");
    }

    /// The report as one self-contained HTML page (inline CSS and SVG, no script, no
    /// network access). Charts are `<svg class="chart" id="chart-NAME">` for the names in
    /// [`CHART_NAMES`]; a chart whose figure is not measurable is replaced by a note.
    ///
    /// ```
    /// use crm_core::sample::{generate, SampleConfig};
    /// let data = generate(&SampleConfig { customers: 300, ..Default::default() });
    /// let as_of = data.end;
    /// let html = data.into_base()?.report(as_of, &Default::default())?.to_html();
    /// assert!(html.starts_with("<!DOCTYPE html>"));
    /// assert!(html.contains(r#"id="chart-pareto""#) && !html.contains("<script"));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Customer development report as of {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>Customer development report</h1>\n",
            self.as_of
        );
        basis(&mut out, &format!("As of {}.", self.as_of));
        let withheld: Vec<_> = self.caveats.iter().filter(|c| c.withheld).collect();
        if !withheld.is_empty() {
            out.push_str(r#"<div class="note"><b>Not yet measurable</b> (left out rather than misleading):<ul>"#);
            for c in withheld {
                let _ = write!(out, "<li>{}: {}</li>", esc(&c.figure), esc(&c.reason));
            }
            out.push_str("</ul></div>\n");
        }
        self.html_overview(&mut out);
        self.html_pareto(&mut out);
        self.html_segments(&mut out);
        self.html_lifecycle(&mut out);
        self.html_flows(&mut out);
        self.html_migration(&mut out);
        self.html_cohorts(&mut out);
        self.html_clv(&mut out);
        self.html_wallet(&mut out);
        self.html_undesired(&mut out);
        self.html_input(&mut out);
        self.html_top(&mut out);
        let _ = write!(
            out,
            "<footer>crm {} · generated from the data up to {}.</footer>\n</main>\n</body>\n</html>\n",
            crate::VERSION,
            self.as_of
        );
        out
    }
}

/// The undesired flow's name without its explanation in brackets.
fn short_flow(flow: &str) -> String {
    flow.split(" (").next().unwrap_or(flow).to_string()
}

fn segment_table(out: &mut String, rows: &[SegmentRow]) {
    out.push_str(r#"<table><tr><th>segment</th><th class="n">customers</th><th class="n">share</th><th class="n">revenue</th><th class="n">share of revenue</th><th class="n">profit</th><th class="n">share of profit</th><th class="n">negative-profit customers</th></tr>"#);
    for r in rows {
        let neg = |v: Option<f64>| if v.is_some_and(|v| v < 0.0) { " neg" } else { "" };
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n{}">{}</td><td class="n{}">{}</td><td class="n">{}</td></tr>"#,
            esc(&words(&r.segment)),
            r.customers,
            pct(r.customer_share),
            money(r.revenue),
            pct(r.revenue_share),
            neg(r.profit),
            r.profit.map_or("n/a".into(), money),
            neg(r.profit_share),
            r.profit_share.map_or("n/a".into(), pct),
            r.negative_profit_customers
        );
    }
    out.push_str("</table>\n");
}

/// Base at start, + new, + won back, - lost, = base at end.
fn waterfall(f: &FlowReport) -> String {
    let steps = [
        ("base at start", 0.0, f.base_at_start as f64, GREY),
        ("+ new", f.base_at_start as f64, (f.base_at_start + f.new) as f64, BLUE),
        ("+ won back", (f.base_at_start + f.new) as f64, (f.base_at_start + f.new + f.won_back) as f64, AMBER),
        (
            "- lost",
            (f.base_at_start + f.new + f.won_back) as f64,
            (f.base_at_start + f.new + f.won_back) as f64 - f.lost as f64,
            RED,
        ),
        ("= base at end", 0.0, f.base_at_end as f64, GREY),
    ];
    let (width, height) = (760.0, 320.0);
    let mut c =
        Chart::new("waterfall", "Flow waterfall: base at start, new, won back, lost, base at end", width, height);
    c.text(LEFT, 20.0, Anchor::Start, "title", "From the base at start to the base at end (customers)");
    let top = steps.iter().map(|s| s.1.max(s.2)).fold(1.0, f64::max);
    let step = tick_step(top, 5);
    let max = ((top * 1.08) / step).ceil() * step;
    let (x0, x1, y0) = (LEFT, width - 24.0, height - 40.0);
    let y = Scale::new(0.0, max, y0, TOP);
    y_grid(&mut c, y, max, x0, x1, &short);
    let slot = (x1 - x0) / steps.len() as f64;
    for (i, (name, from, to, fill)) in steps.iter().enumerate() {
        let x = x0 + i as f64 * slot + slot * 0.2;
        let value = (to - from).abs();
        c.rect(x, y.at(*from), slot * 0.6, y.at(*to) - y.at(*from), fill, &format!("{name}: {value}"));
        let sign = match i {
            1 | 2 => "+",
            3 => "−",
            _ => "",
        };
        c.text(x + slot * 0.3, y.at(from.max(*to)) - 6.0, Anchor::Middle, "value", &format!("{sign}{value}"));
        c.text(x + slot * 0.3, y0 + 16.0, Anchor::Middle, "", name);
    }
    c.line(x0, y0, x1, y0, "axis");
    c.vertical_text(16.0, (y0 + TOP) / 2.0, "axis", "customers");
    c.finish()
}

/// Bars for new, won back and lost per month, a line for the base at the month's end.
fn monthly(series: &[FlowReport]) -> String {
    let (width, height) = (760.0, 340.0);
    let mut c = Chart::new(
        "monthly-flows",
        "Monthly flows: new, won back and lost customers (bars) and the base (line)",
        width,
        height,
    );
    c.text(LEFT, 20.0, Anchor::Start, "title", "Customers per month: new, won back, lost; the base at month end");
    let (x0, x1, y0) = (LEFT, width - 70.0, height - 56.0);
    let max = series.iter().map(|f| f.new.max(f.won_back).max(f.lost)).max().unwrap_or(0).max(1) as f64;
    let base_max = series.iter().map(|f| f.base_at_end).max().unwrap_or(0).max(1) as f64;
    let y = Scale::new(0.0, max, y0, TOP + 10.0);
    let yb = Scale::new(0.0, base_max, y0, TOP + 10.0);
    y_grid(&mut c, y, max, x0, x1, &short);
    let step = tick_step(base_max, 5);
    let mut v = 0.0;
    while v <= base_max * 1.0001 {
        c.text(x1 + 6.0, yb.at(v) + 4.0, Anchor::Start, "axis", &short(v));
        v += step;
    }
    let slot = (x1 - x0) / series.len().max(1) as f64;
    let bw = slot * 0.26;
    let mut line = Vec::new();
    for (i, f) in series.iter().enumerate() {
        let x = x0 + i as f64 * slot + slot * 0.11;
        let month = f.start.map_or(String::new(), |d| d.format("%b %Y").to_string());
        for (k, (what, count, fill)) in
            [("new", f.new, BLUE), ("won back", f.won_back, AMBER), ("lost", f.lost, RED)].iter().enumerate()
        {
            let bx = x + k as f64 * bw;
            c.rect(
                bx,
                y.at(*count as f64),
                bw - 1.0,
                y0 - y.at(*count as f64),
                fill,
                &format!("{month}: {count} {what}"),
            );
        }
        let label = f.start.map_or(String::new(), |d| d.format("%b").to_string());
        c.text(x0 + (i as f64 + 0.5) * slot, y0 + 15.0, Anchor::Middle, "axis", &label);
        if i == 0 || f.start.is_some_and(|d| d.format("%m").to_string() == "01") {
            c.text(
                x0 + (i as f64 + 0.5) * slot,
                y0 + 28.0,
                Anchor::Middle,
                "axis",
                &f.start.map_or(String::new(), |d| d.format("%Y").to_string()),
            );
        }
        line.push((
            x0 + (i as f64 + 0.5) * slot,
            yb.at(f.base_at_end as f64),
            format!("{month}: base at end {}", f.base_at_end),
        ));
    }
    let pts: Vec<(f64, f64)> = line.iter().map(|p| (p.0, p.1)).collect();
    c.polyline(&pts, "#1a202c", "customers in the base at month end");
    for (x, y, tip) in &line {
        c.dot(*x, *y, "#1a202c", tip);
    }
    c.line(x0, y0, x1, y0, "axis");
    c.vertical_text(16.0, (y0 + TOP) / 2.0, "axis", "customers per month");
    c.vertical_text(width - 12.0, (y0 + TOP) / 2.0, "axis", "base at month end");
    c.legend(x0 + 10.0, height - 10.0, BLUE, "new");
    c.legend(x0 + 80.0, height - 10.0, AMBER, "won back");
    c.legend(x0 + 180.0, height - 10.0, RED, "lost");
    c.legend(x0 + 250.0, height - 10.0, "#1a202c", "base at month end (right axis)");
    c.finish()
}
