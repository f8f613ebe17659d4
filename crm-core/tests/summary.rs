//! Hand-worked customer summaries and RFM scores.
mod common;
use common::*;
use crm_core::{Customer, CustomerBase, KeyColumn, Rfm, Summary, SummaryConfig};

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
    let a = s.row(idx(&b, "a"));
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
    let bb = s.row(idx(&b, "b"));
    assert_eq!(bb.purchases, 2);
    assert_eq!(bb.tenure_days, Some(10));
    assert_eq!(bb.purchases_per_year, 2.0 * 365.25 / 365.0);
    // Without the floor the rate is purchases / tenure.
    let s1 = b.summary_with(date("2024-12-31"), &SummaryConfig { min_span_days: 1 }).unwrap();
    assert_eq!(s1.purchases_per_year[idx(&b, "b")], 2.0 * 365.25 / 10.0);
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
    let a = s.row(0);
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
    assert_eq!(b.summary(date("2024-12-31")).unwrap().margin, Some(vec![45.0]));
}

#[test]
fn later_transactions_are_left_out_and_counted() {
    let b = base(&[("a", "2024-01-01", 100.0), ("a", "2025-01-01", 60.0), ("b", "2025-02-01", 1.0)]);
    let s = b.summary(date("2024-12-31")).unwrap();
    assert_eq!(s.excluded_after_as_of, 2);
    assert_eq!(s.revenue[0], 100.0);
    let bb = s.row(1);
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
        assert_eq!(s.rfm_of(k), Some(Rfm { r: e, f: e, m: e }), "customer {}", ids[k]);
    }
    assert_eq!(s.rfm[9].code(), 555);
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
    let m: Vec<u8> = s.rfm.iter().map(|x| x.m).collect();
    assert_eq!(m, vec![1, 1, 1, 4, 5]);
    // Everyone is tied on recency and frequency: all score 1.
    assert!(s.rfm.iter().all(|x| x.r == 1 && x.f == 1));
}

#[test]
fn empty_base_gives_empty_results() {
    let b = CustomerBase::from_transactions(Default::default()).unwrap();
    assert!(b.is_empty());
    assert!(b.summary(date("2024-12-31")).unwrap().is_empty());
    assert!(b.lifecycle(date("2024-12-31"), &Default::default()).unwrap().stages.is_empty());
    let seg = b.segments(date("2024-12-31"), &Default::default()).unwrap();
    assert!(seg.segment_table.iter().all(|r| r.customers == 0));
}

#[test]
fn customers_without_purchases_have_placeholders_and_no_optional_fields() {
    // a: refunds only; b: purchases only after the as-of date; c: a zero amount; d: a
    // prospect (no transactions); e: one order, refunded, with order ids; f: a buyer.
    let mut t = tx_margin(&[
        ("a", "2024-01-01", -10.0, -2.0),
        ("b", "2025-01-01", 60.0, 6.0),
        ("c", "2024-01-01", 0.0, 0.0),
        ("e", "2024-02-01", -5.0, -1.0),
        ("f", "2024-03-01", 40.0, 4.0),
        ("f", "2025-03-01", 40.0, 4.0),
    ]);
    t.order = Some(KeyColumn::from(vec!["o1", "o2", "o3", "o4", "o5", "o6"]));
    let customers = ["a", "b", "c", "d", "e", "f"].map(Customer::new);
    let b = CustomerBase::builder().customers(customers).transactions(t).unwrap().build().unwrap();
    let s = b.summary(date("2024-12-31")).unwrap();
    assert_eq!(s.len(), 6);
    assert_eq!(s.excluded_after_as_of, 2);
    for id in ["a", "b", "c", "d", "e"] {
        let i = idx(&b, id);
        assert!(!s.has_purchase(i), "{id}");
        assert_eq!((s.first_purchase[i], s.last_purchase[i]), (Summary::NO_PURCHASE_DAY, Summary::NO_PURCHASE_DAY));
        assert_eq!((s.rfm[i], s.purchases_per_year[i]), (Rfm::NONE, 0.0));
        let row = s.row(i);
        assert_eq!((row.first_purchase, row.last_purchase, row.average_purchase), (None, None, None), "{id}");
        assert_eq!((row.recency_days, row.tenure_days, row.rfm), (None, None, None), "{id}");
        assert_eq!((s.recency_days(i), s.tenure_days(i), s.average_purchase(i), s.rfm_of(i)), (None, None, None, None));
    }
    assert_eq!(s.row(idx(&b, "a")).margin, Some(-2.0));
    assert_eq!(s.revenue[idx(&b, "b")], 0.0);
    let f = s.row(idx(&b, "f"));
    assert_eq!((f.purchases, f.first_purchase, f.recency_days), (1, Some(date("2024-03-01")), Some(305)));
    assert_eq!(f.rfm, Some(Rfm { r: 1, f: 1, m: 1 }));
    assert_eq!(s.rows().map(|r| r.customer).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4, 5]);
}

#[test]
fn summary_serializes_as_rows_and_reads_back() {
    let b = base(&[("a", "2024-01-01", 100.0), ("a", "2024-06-01", 50.0), ("b", "2024-03-01", -20.0)]);
    let s = b.summary(date("2024-12-31")).unwrap();
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["customers"][0]["first_purchase"], "2024-01-01");
    assert_eq!(json["customers"][1]["first_purchase"], serde_json::Value::Null);
    assert_eq!(json["customers"][1]["revenue"], -20.0);
    let back: Summary = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}
