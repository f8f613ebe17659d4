//! Hand-worked customer summaries and RFM scores.
mod common;
use common::*;
use crm_core::{CustomerBase, KeyColumn, Rfm, SummaryConfig};

#[test]
fn summary_fields_by_hand() {
    // Customer a: 4 purchases, one refund, first purchase 730 days before the as-of date.
    let b = base(&[
        ("a", "2023-01-01", 100.0),
        ("a", "2023-07-01", 200.0),
        ("a", "2024-02-01", 300.0),
        ("a", "2024-02-05", -50.0),
        ("a", "2024-12-01", 400.0),
        ("b", "2024-12-21", 80.0),
        ("b", "2024-12-26", 20.0),
    ]);
    let s = b.summary(date("2024-12-31")).unwrap();
    let a = &s.customers[idx(&b, "a")];
    assert_eq!(a.first_purchase, Some(date("2023-01-01")));
    assert_eq!(a.last_purchase, Some(date("2024-12-01")));
    assert_eq!(a.purchases, 4);
    assert_eq!(a.revenue, 950.0);
    assert_eq!(a.average_purchase, Some(950.0 / 4.0));
    assert_eq!(a.tenure_days, Some(730));
    assert_eq!(a.recency_days, Some(30));
    assert_eq!(a.purchases_per_year, 4.0 * 365.25 / 730.0);
    assert_eq!(a.margin, None);
    // b: tenure 10 days, annualised over the one-year minimum span: 2 a year, not 73.
    let bb = &s.customers[idx(&b, "b")];
    assert_eq!(bb.purchases, 2);
    assert_eq!(bb.tenure_days, Some(10));
    assert_eq!(bb.purchases_per_year, 2.0 * 365.25 / 365.0);
    // Without the floor the rate is purchases / tenure.
    let s1 = b.summary_with(date("2024-12-31"), &SummaryConfig { min_span_days: 1 }).unwrap();
    assert_eq!(s1.customers[idx(&b, "b")].purchases_per_year, 2.0 * 365.25 / 10.0);
}

#[test]
fn order_ids_make_one_purchase_per_order_and_margins_sum() {
    let mut t = tx_margin(&[
        ("a", "2024-01-01", 100.0, 30.0),
        ("a", "2024-01-01", 50.0, 10.0),
        ("a", "2024-03-01", 70.0, 20.0),
        ("a", "2024-03-04", -70.0, -20.0),
    ]);
    t.order = Some(KeyColumn::from(vec!["o1", "o1", "o2", "o2"]));
    let b = CustomerBase::from_transactions(t).unwrap();
    let s = b.summary(date("2024-12-31")).unwrap();
    let a = &s.customers[0];
    assert_eq!(a.purchases, 2);
    assert_eq!(a.revenue, 150.0);
    assert_eq!(a.margin, Some(40.0));
    assert_eq!(a.average_purchase, Some(75.0));
}

#[test]
fn cost_of_goods_gives_the_margin() {
    let mut t = tx(&[("a", "2024-01-01", 100.0), ("a", "2024-02-01", 60.0)]);
    t.cost_of_goods = Some(vec![70.0, 45.0]);
    let b = CustomerBase::from_transactions(t).unwrap();
    assert_eq!(b.summary(date("2024-12-31")).unwrap().customers[0].margin, Some(45.0));
}

#[test]
fn later_transactions_are_left_out_and_counted() {
    let b = base(&[("a", "2024-01-01", 100.0), ("a", "2025-01-01", 60.0), ("b", "2025-02-01", 1.0)]);
    let s = b.summary(date("2024-12-31")).unwrap();
    assert_eq!(s.excluded_after_as_of, 2);
    assert_eq!(s.customers[0].revenue, 100.0);
    let bb = &s.customers[1];
    assert_eq!((bb.purchases, bb.first_purchase, bb.rfm, bb.average_purchase), (0, None, None, None));
}

#[test]
fn rfm_quintiles_on_ten_distinct_customers() {
    // Customer k (1..=10) bought k times, the last time 11-k days before the as-of date,
    // k x 10 each time: every measure ranks customers 1..10, so scores are 1,1,2,2,..,5,5.
    let mut rows = Vec::new();
    let ids: Vec<String> = (1..=10).map(|k| format!("c{k:02}")).collect();
    let days: Vec<String> = (1..=10).map(|k| format!("2024-12-{:02}", 20 + k)).collect();
    for k in 1..=10usize {
        for _ in 0..k {
            rows.push((ids[k - 1].as_str(), days[k - 1].as_str(), k as f64 * 10.0));
        }
    }
    let b = base(&rows);
    let s = b.summary(date("2024-12-31")).unwrap();
    let expected = [1u8, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    for k in 0..10 {
        let e = expected[k];
        assert_eq!(s.customers[k].rfm, Some(Rfm { r: e, f: e, m: e }), "customer {}", ids[k]);
    }
    assert_eq!(s.customers[9].rfm.unwrap().code(), 555);
}

#[test]
fn rfm_ties_share_the_lower_score() {
    // Five customers, one purchase each; revenues 10, 10, 10, 20, 30 -> M = 1, 1, 1, 4, 5.
    let b = base(&[
        ("a", "2024-12-01", 10.0),
        ("b", "2024-12-01", 10.0),
        ("c", "2024-12-01", 10.0),
        ("d", "2024-12-01", 20.0),
        ("e", "2024-12-01", 30.0),
    ]);
    let s = b.summary(date("2024-12-31")).unwrap();
    let m: Vec<u8> = s.customers.iter().map(|c| c.rfm.unwrap().m).collect();
    assert_eq!(m, vec![1, 1, 1, 4, 5]);
    // Everyone is tied on recency and frequency: all score 1.
    assert!(s.customers.iter().all(|c| c.rfm.unwrap().r == 1 && c.rfm.unwrap().f == 1));
}

#[test]
fn empty_base_gives_empty_results() {
    let b = CustomerBase::from_transactions(Default::default()).unwrap();
    assert!(b.is_empty());
    assert!(b.summary(date("2024-12-31")).unwrap().customers.is_empty());
    assert!(b.lifecycle(date("2024-12-31"), &Default::default()).unwrap().stages.is_empty());
    let seg = b.segments(date("2024-12-31"), &Default::default()).unwrap();
    assert!(seg.segment_table.iter().all(|r| r.customers == 0));
}
