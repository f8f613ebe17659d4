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
    assert_eq!(r.flows, f);
    assert_eq!((f.base_at_start, f.new, f.lost, f.base_at_end), (0, 2, 0, 2));
    assert_eq!(r.quarterly_flows.len(), 4);
    assert_eq!(r.migration.counts.iter().flatten().sum::<u64>(), 3);
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
