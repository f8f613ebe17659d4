//! The report on a small hand-worked base.
mod common;
use common::*;
use crm_core::{LifecycleStage, ReportConfig};

#[test]
fn report_overview_stages_and_top_customers() {
    // a: 3 purchases (100, 200, 300), active; b: one purchase 50 (starter);
    // c: one purchase 2022 (lost); one transaction after the as-of date.
    let b = base(&[
        ("a", "2024-02-01", 100.0),
        ("a", "2024-06-01", 200.0),
        ("a", "2024-11-01", 300.0),
        ("b", "2024-05-01", 50.0),
        ("c", "2022-05-01", 80.0),
        ("c", "2025-01-02", 10.0),
    ]);
    let r = b.report(date("2024-12-31"), &ReportConfig::default()).unwrap();
    let o = &r.overview;
    assert_eq!((o.customers, o.buyers, o.transactions, o.excluded_after_as_of), (3, 3, 5, 1));
    assert_eq!(o.revenue, 730.0);
    assert_eq!(o.average_purchase, 730.0 / 5.0);
    let count = |s: LifecycleStage| r.lifecycle.iter().find(|c| c.stage == s).unwrap().customers;
    assert_eq!((count(LifecycleStage::Active), count(LifecycleStage::Starter), count(LifecycleStage::Lost)), (1, 1, 1));
    // Ranked in the 365-day window: a (600), b (50); c is inactive.
    let top: Vec<(&str, f64)> = r.top_customers.iter().map(|t| (t.customer.as_str(), t.value)).collect();
    assert_eq!(top, vec![("a", 600.0), ("b", 50.0)]);
    // RFM grid counts every buyer once.
    assert_eq!(r.rfm_recency_frequency.iter().flatten().sum::<usize>(), 3);
    // The report's flows are the flows of the twelve months up to the as-of date.
    let f = b.flows(date("2024-01-01"), date("2025-01-01"), &Default::default()).unwrap();
    assert_eq!(r.flows.as_ref(), Some(&f));
    assert_eq!((f.base_at_start, f.new, f.lost, f.base_at_end), (0, 2, 0, 2));
    assert_eq!(r.quarterly_flows.len(), 4);
    assert_eq!(r.migration.as_ref().unwrap().counts.iter().flatten().sum::<u64>(), 3);
    // No loss in the year and a retention of 1 (empty base at start): no CLV duration.
    assert!(r.clv.is_none());
    // The starter b (50) is an undesired flow.
    assert!(
        r.undesired_flows
            .iter()
            .any(|u| u.flow.starts_with("still a starter") && u.customers == 1 && u.revenue == 50.0)
    );
    let md = r.to_markdown();
    assert!(md.contains("| buyers | 3 |"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["overview"]["revenue"], 730.0);
}

/// Six customers as of 2024-12-31 (the segment window is 2024-01-02 .. 2024-12-31):
/// - a: 2022-06-01 100; in the window 400, a return of -50 and 150 -> 500
/// - b: 2024-02-05 200, 2024-03-05 50 -> 250 (first purchase February, again in March)
/// - c: 2024-02-20 150 -> 150
/// - d: 2024-05-10 60 -> 60
/// - e: 2023-12-20 30 (before the window), 2024-06-01 40 -> 40
/// - f: 2022-07-01 80, never again (lost since 2023-07)
fn six() -> crm_core::CustomerBase {
    base(&[
        ("a", "2022-06-01", 100.0),
        ("a", "2024-03-10", 400.0),
        ("a", "2024-03-20", -50.0),
        ("a", "2024-04-15", 150.0),
        ("b", "2024-02-05", 200.0),
        ("b", "2024-03-05", 50.0),
        ("c", "2024-02-20", 150.0),
        ("d", "2024-05-10", 60.0),
        ("e", "2023-12-20", 30.0),
        ("e", "2024-06-01", 40.0),
        ("f", "2022-07-01", 80.0),
    ])
}

#[test]
fn pareto_returns_and_cohorts_by_hand() {
    let r = six().report(date("2024-12-31"), &ReportConfig::default()).unwrap();
    // Ranked in the window: a 500, b 250, c 150, d 60, e 40; total 1000. Cumulative:
    // 0, 500, 750, 900, 960, 1000 -> shares 0, .5, .75, .9, .96, 1 at 0, 1/5, ..., 5/5.
    let p = r.pareto_revenue.as_ref().unwrap();
    assert_eq!((p.customers, p.total), (5, 1000.0));
    let pts: Vec<(f64, f64)> = p.points.iter().map(|q| (q.customer_share, q.value_share)).collect();
    assert_eq!(pts, vec![(0.0, 0.0), (0.2, 0.5), (0.4, 0.75), (0.6, 0.9), (0.8, 0.96), (1.0, 1.0)]);
    // 900 is the first cumulative value >= 800: 3 of 5 customers give 80 %.
    assert_eq!(p.customer_share_for_80_percent, Some(0.6));
    assert!(r.pareto_profit.is_none(), "no margins, no profit curve");
    // Returns: one of -50. Net revenue 600 + 250 + 150 + 60 + 70 + 80 = 1210, gross 1260.
    assert_eq!((r.returns.transactions, r.returns.value, r.returns.gross_revenue), (1, 50.0, 1260.0));
    assert_eq!(r.returns.share_of_gross_revenue, Some(50.0 / 1260.0));
    // Cohorts from 2023-01 (24 months up to 2024-12); a and f started earlier.
    // 2023-12: e, bought again in 2024-06 (month 6); 13 months observable up to 2024-12.
    // 2024-02: b and c; b again in 2024-03 (month 1: 1 of 2); 11 months observable.
    // 2024-05: d; 8 months observable.
    let k = &r.cohorts;
    let rows: Vec<(String, u64, usize)> =
        k.cohorts.iter().map(|c| (c.month.to_string(), c.customers, c.shares.len())).collect();
    assert_eq!(rows, vec![("2023-12-01".into(), 1, 13), ("2024-02-01".into(), 2, 11), ("2024-05-01".into(), 1, 8)]);
    assert_eq!(k.months, 13);
    let mut e = vec![0.0; 13];
    (e[0], e[6]) = (1.0, 1.0);
    assert_eq!(k.cohorts[0].shares, e);
    assert_eq!(&k.cohorts[1].shares[..3], &[1.0, 0.5, 0.0]);
    assert_eq!(k.cohorts[2].shares.iter().sum::<f64>(), 1.0);
}

#[test]
fn measurable_history_but_nobody_lost_withholds_duration_and_clv() {
    let r = six().report(date("2024-12-31"), &ReportConfig::default()).unwrap();
    // History from 2022-06-01: the flows of 2024 need it from 2023-01-01 (2024-01-01 - 365
    // days), migration from 2023-01-01 (2023-12-31 - 364), lost needs 365 days. All there.
    let b = &r.basis;
    assert_eq!(b.history_starts, Some(date("2022-06-01")));
    assert_eq!((b.flows_start, b.flows_need_history_from), (date("2024-01-01"), date("2023-01-01")));
    assert_eq!(b.migration_needs_history_from, date("2023-01-01"));
    assert!(b.flows_measurable() && b.migration_measurable() && b.lost_measurable());
    // In the base at 2024-01-01: e (bought 2023-12-20). New in 2024: b, c, d; won back: a
    // (last bought 2022). Nobody lapsed in 2024.
    let f = r.flows.as_ref().unwrap();
    assert_eq!((f.base_at_start, f.new, f.won_back, f.lost, f.base_at_end), (1, 3, 1, 0, 5));
    assert_eq!(r.monthly_flows.len(), 12);
    assert_eq!(r.monthly_flows.iter().map(|m| m.new).sum::<u64>(), 3);
    assert!(r.migration.is_some());
    // Nobody lost: no duration, so no CLV, and both say why.
    assert!(f.duration_years.is_none() && r.clv.is_none());
    let withheld: Vec<&str> = r.caveats.iter().filter(|c| c.withheld).map(|c| c.figure.as_str()).collect();
    assert_eq!(withheld, vec!["average duration", "customer lifetime value (per customer, per segment, portfolio)"]);
    assert!(r.caveats[1].reason.contains("nobody was lost"), "{:?}", r.caveats);
    let md = r.to_markdown();
    assert!(md.contains("**Not yet measurable**") && md.contains("average duration not measurable"), "{md}");
    assert!(md.contains("| won back |"), "stage labels in words: {md}");
}

/// One customer a month from 2024-01-01 to 2024-12-01, most buying twice, some lost
/// before; `years` of history before 2024 (0: the history starts 2024-01-01).
fn history(years: i32) -> crm_core::CustomerBase {
    let mut rows: Vec<(String, String, f64)> = Vec::new();
    for y in (2024 - years)..=2024 {
        for m in 1..=12 {
            let id = format!("c{y}-{m}");
            rows.push((id.clone(), format!("{y}-{m:02}-01"), 100.0));
            if m % 3 != 0 {
                rows.push((id, format!("{y}-{m:02}-15"), 50.0));
            }
        }
    }
    let r: Vec<(&str, &str, f64)> = rows.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), *c)).collect();
    base(&r)
}

#[test]
fn one_year_of_history_withholds_flows_churn_duration_and_clv() {
    let b = history(0);
    let r = b.report(date("2024-12-31"), &ReportConfig::default()).unwrap();
    // The flows of 2024 need history from 2023-01-01; it starts 2024-01-01.
    assert!(!r.basis.flows_measurable());
    assert!(r.flows.is_none() && r.quarterly_flows.is_empty() && r.monthly_flows.is_empty());
    assert!(r.migration.is_none() && r.clv.is_none());
    let flows = r.caveats.iter().find(|c| c.figure.starts_with("customer flows")).unwrap();
    assert!(flows.withheld && flows.reason.contains("the history starts 2024-01-01"), "{flows:?}");
    assert!(flows.reason.contains("2023-01-01"), "{flows:?}");
    let clv = r.caveats.iter().find(|c| c.figure.starts_with("customer lifetime value")).unwrap();
    assert!(clv.reason.contains("clv.duration_years"), "{clv:?}");
    let md = r.to_markdown();
    assert!(!md.contains("Churn rate") && !md.contains("Duration "), "{md}");
    assert!(md.contains("not yet measurable: customer flows"), "{md}");
    // A configured duration makes CLV printable again, and says so.
    let mut cfg = ReportConfig::default();
    cfg.clv.duration_years = Some(3.0);
    let r = b.report(date("2024-12-31"), &cfg).unwrap();
    let c = r.clv.as_ref().unwrap();
    assert_eq!((c.duration_years, c.duration_source), (3.0, crm_core::report::DurationSource::Configured));
    assert!(r.caveats.iter().all(|c| !c.figure.starts_with("customer lifetime value")));
    // Half a year of history: not even "lost" can be told.
    let r = b.report(date("2024-06-30"), &ReportConfig::default()).unwrap();
    let lost = r.lifecycle.iter().find(|s| s.stage == LifecycleStage::Lost).unwrap();
    assert!(!lost.measurable);
    assert!(r.to_markdown().contains("| lost | not yet measurable | |"));
}

#[test]
fn a_long_enough_history_prints_churn_duration_and_clv() {
    let r = history(2).report(date("2024-12-31"), &ReportConfig::default()).unwrap();
    assert!(r.basis.flows_measurable() && r.basis.migration_measurable());
    let f = r.flows.as_ref().unwrap();
    // Customers of 2023 who bought once lapse in 2024: 4 of them (months 3, 6, 9, 12).
    assert!(f.lost > 0 && f.churn_rate.is_some() && f.duration_years.is_some());
    let c = r.clv.as_ref().unwrap();
    assert_eq!(c.duration_source, crm_core::report::DurationSource::Flows);
    assert!(c.distribution.as_ref().is_some_and(|h| h.customers == c.portfolio.customers));
    assert!(r.caveats.iter().all(|c| !c.withheld), "{:?}", r.caveats);
    let md = r.to_markdown();
    assert!(md.contains("Churn rate") && md.contains("## Customer lifetime value\n\nDuration"), "{md}");
}

#[test]
fn html_has_every_chart_and_escapes_user_text() {
    use crm_core::report::{CHART_NAMES, InputSummary};
    let data = crm_core::sample::generate(&crm_core::sample::SampleConfig { customers: 400, ..Default::default() });
    let as_of = data.end;
    let r = data.into_base().unwrap().report(as_of, &ReportConfig::default()).unwrap();
    let html = r.to_html();
    for name in CHART_NAMES {
        let tag = format!(r#"<svg class="chart" id="chart-{name}" role="img""#);
        assert!(html.contains(&tag), "{name} missing");
    }
    assert_eq!(html.matches("<svg class=\"chart\"").count(), CHART_NAMES.len());
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    assert_eq!(html, r.to_html(), "deterministic");
    // User text: a customer id and a source name with markup.
    let b = base(&[("<script>alert(1)</script>", "2024-03-01", 100.0), ("b&b", "2024-02-01", 50.0)]);
    let r = b.report(date("2024-12-31"), &ReportConfig::default()).unwrap().with_input(InputSummary {
        source: "<img src=x onerror=alert(2)>".into(),
        rows_read: 2,
        rows_loaded: 2,
        ..Default::default()
    });
    let html = r.to_html();
    assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && html.contains("b&amp;b"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    // Short history: the flow charts are replaced by the note.
    assert!(!html.contains("chart-waterfall") && !html.contains("chart-monthly-flows"));
    assert!(html.contains("Not yet measurable"));
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert!(json["flows"].is_null() && json["caveats"].as_array().is_some_and(|c| !c.is_empty()));
    assert_eq!(json["input"]["rows_read"], 2);
}
