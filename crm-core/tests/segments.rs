//! Hand-worked value segments, ABC classes, pyramid and segment tables.
mod common;
use common::*;
use crm_core::{
    AbcClass, Channel, CustomerBase, Direction, InteractionColumns, KeyColumn, PyramidLevel, SegmentConfig,
    ValueMeasure, ValueSegment,
};

const AS_OF: &str = "2024-12-31";

#[test]
fn ten_customers_split_2_5_3_with_revenue_shares() {
    // Customer k has revenue 100 k; total 5500. Top = {10, 9}: 1900 / 5500.
    let ids: Vec<String> = (1..=10).map(|k| format!("c{k:02}")).collect();
    let rows: Vec<(&str, &str, f64)> =
        (0..10).map(|k| (ids[k].as_str(), "2024-06-01", (k + 1) as f64 * 100.0)).collect();
    let b = base(&rows);
    let s = b.segments(date(AS_OF), &SegmentConfig::default()).unwrap();
    let counts: Vec<usize> = s.segment_table.iter().map(|r| r.customers).collect();
    assert_eq!(counts, vec![2, 5, 3]);
    let t = &s.segment_table;
    assert_eq!((t[0].revenue, t[1].revenue, t[2].revenue), (1900.0, 3000.0, 600.0));
    assert!((t[0].revenue_share - 1900.0 / 5500.0).abs() < 1e-15);
    assert!((t.iter().map(|r| r.customer_share).sum::<f64>() - 1.0).abs() < 1e-15);
    assert_eq!(s.segment[9], Some(ValueSegment::Top));
    assert_eq!(s.segment[7], Some(ValueSegment::Middle));
    assert_eq!(s.segment[2], Some(ValueSegment::Bottom));
    assert_eq!(s.rank[9], Some(0));
    assert_eq!(t[0].profit, None);
}

#[test]
fn abc_classes_by_cumulative_share() {
    // Values 50, 30, 10, 5, 5 (total 100): cumulative before each 0, 50, 80, 90, 95 ->
    // A, A, B (80 % reached), B, C (95 % reached).
    let b = base(&[
        ("a", "2024-06-01", 50.0),
        ("b", "2024-06-01", 30.0),
        ("c", "2024-06-01", 10.0),
        ("d", "2024-06-01", 5.0),
        ("e", "2024-06-01", 5.0),
    ]);
    let s = b.segments(date(AS_OF), &SegmentConfig::default()).unwrap();
    use AbcClass::*;
    assert_eq!(s.abc, vec![Some(A), Some(A), Some(B), Some(B), Some(C)]);
    let counts: Vec<usize> = s.abc_table.iter().map(|r| r.customers).collect();
    assert_eq!(counts, vec![2, 2, 1]);
    assert_eq!(s.abc_table[0].revenue_share, 0.8);

    // The same in hundredths, and a customer whose refunds exceed its purchases (ranked
    // last, class C, left out of the positive total): values below 1 count as any other.
    let b = base(&[
        ("a", "2024-06-01", 0.5),
        ("b", "2024-06-01", 0.3),
        ("c", "2024-06-01", 0.1),
        ("d", "2024-06-01", 0.05),
        ("e", "2024-06-01", 0.05),
        ("f", "2024-06-01", -0.25),
    ]);
    let s = b.segments(date(AS_OF), &SegmentConfig::default()).unwrap();
    assert_eq!(s.abc, vec![Some(A), Some(A), Some(B), Some(B), Some(C), Some(C)]);
    assert_eq!(s.rank[5], Some(5));
}

#[test]
fn ties_are_broken_by_ascending_id() {
    // n = 5: boundaries 1.0 -> 1 and 3.5 -> 4 (half up): 1 / 3 / 1. Ids 3, 4, 5 tie at 100:
    // id 3 (smallest) is top.
    let b = base(&[
        ("1", "2024-06-01", 50.0),
        ("2", "2024-06-01", 50.0),
        ("3", "2024-06-01", 100.0),
        ("4", "2024-06-01", 100.0),
        ("5", "2024-06-01", 100.0),
    ]);
    let s = b.segments(date(AS_OF), &SegmentConfig::default()).unwrap();
    use ValueSegment::*;
    assert_eq!(s.segment, vec![Some(Middle), Some(Bottom), Some(Top), Some(Middle), Some(Middle)]);
    assert_eq!(s.rank, vec![Some(3), Some(4), Some(0), Some(1), Some(2)]);
}

#[test]
fn pyramid_of_a_hundred_customers_plus_inactive_and_prospects() {
    let mut rows: Vec<(String, &str, f64)> = (1..=100).map(|k| (format!("c{k:03}"), "2024-06-01", k as f64)).collect();
    rows.push(("old".into(), "2023-01-01", 1000.0)); // bought, but not in the 365-day window
    let rows_ref: Vec<(&str, &str, f64)> = rows.iter().map(|r| (r.0.as_str(), r.1, r.2)).collect();
    let b = CustomerBase::builder()
        .customers(rows.iter().map(|r| crm_core::Customer::new(r.0.as_str())).chain([crm_core::Customer::new("lead")]))
        .transactions(tx(&rows_ref))
        .unwrap()
        .build()
        .unwrap();
    let s = b.segments(date(AS_OF), &SegmentConfig::default()).unwrap();
    let counts: Vec<usize> = s.pyramid_table.iter().map(|r| r.customers).collect();
    assert_eq!(counts, vec![1, 4, 15, 80, 1, 1]);
    assert_eq!(s.pyramid[idx(&b, "c100")], PyramidLevel::Top);
    assert_eq!(s.pyramid[idx(&b, "old")], PyramidLevel::Inactive);
    assert_eq!(s.pyramid[idx(&b, "lead")], PyramidLevel::Prospect);
    assert_eq!(s.segment[idx(&b, "old")], None);
    assert!((s.pyramid_table[0].customer_share - 1.0 / 102.0).abs() < 1e-15);
    // Inactive customers' revenue in the window is 0.
    assert_eq!(s.pyramid_table[4].revenue, 0.0);
}

#[test]
fn profit_is_margin_minus_cost_to_serve_and_negative_profit_is_counted() {
    // a: margin 50, no contacts -> 50. b: margin 10, two service calls of 15 -> -20.
    // c: margin 30, one call in the window (5) and one before it (100, ignored) -> 25.
    let t = tx_margin(&[
        ("a", "2024-06-01", 200.0, 50.0),
        ("b", "2024-06-01", 100.0, 10.0),
        ("c", "2024-06-01", 150.0, 30.0),
    ]);
    let ix = InteractionColumns {
        customer: KeyColumn::from(vec!["b", "b", "c", "c"]),
        timestamp: vec![secs("2024-07-01"), secs("2024-08-01"), secs("2024-09-01"), secs("2023-01-01")],
        channel: vec![Channel::CallCentre; 4],
        direction: vec![Direction::Inbound; 4],
        kind: ["service", "service", "service", "service"].into_iter().collect(),
        outcome: None,
        cost: Some(vec![15.0, 15.0, 5.0, 100.0]),
    };
    let b = CustomerBase::builder().transactions(t).unwrap().interactions(ix).unwrap().build().unwrap();
    let cfg = SegmentConfig {
        shares: [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0],
        measure: ValueMeasure::Profit,
        ..Default::default()
    };
    let s = b.segments(date(AS_OF), &cfg).unwrap();
    assert_eq!(s.profit, Some(vec![50.0, -20.0, 25.0]));
    assert_eq!(s.value, vec![50.0, -20.0, 25.0]);
    assert_eq!(s.segment, vec![Some(ValueSegment::Top), Some(ValueSegment::Bottom), Some(ValueSegment::Middle)]);
    let bottom = &s.segment_table[2];
    assert_eq!((bottom.profit, bottom.cost_to_serve, bottom.negative_profit_customers), (Some(-20.0), 30.0, 1));
    // Total profit 55: the top third brings 50 / 55, the bottom -20 / 55.
    assert!((s.segment_table[0].profit_share.unwrap() - 50.0 / 55.0).abs() < 1e-15);
    assert!((bottom.profit_share.unwrap() + 20.0 / 55.0).abs() < 1e-15);
    // Ranked by revenue instead, the order is a, c, b.
    let r = b.segments(date(AS_OF), &SegmentConfig { measure: ValueMeasure::Revenue, ..cfg.clone() }).unwrap();
    assert_eq!(r.rank, vec![Some(0), Some(2), Some(1)]);
}

#[test]
fn window_limits_the_value() {
    let b = base(&[("a", "2023-12-31", 1000.0), ("a", "2024-06-01", 10.0), ("b", "2024-06-01", 20.0)]);
    let s = b.segments(date(AS_OF), &SegmentConfig::default()).unwrap();
    assert_eq!(s.value, vec![10.0, 20.0]);
    let all = b.segments(date(AS_OF), &SegmentConfig { window_days: None, ..Default::default() }).unwrap();
    assert_eq!(all.value, vec![1010.0, 20.0]);
}

#[test]
fn margin_measure_needs_margins_and_shares_must_sum_to_one() {
    let b = base(&[("a", "2024-06-01", 10.0)]);
    let m = b.segments(date(AS_OF), &SegmentConfig { measure: ValueMeasure::Margin, ..Default::default() });
    assert!(matches!(m, Err(crm_core::Error::MissingData(_))), "{m:?}");
    let bad = b.segments(date(AS_OF), &SegmentConfig { shares: [0.2, 0.5, 0.2], ..Default::default() });
    match bad {
        Err(crm_core::Error::InvalidConfig { field, message }) => {
            assert_eq!(field, "shares");
            assert!(message.contains("sum to"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let neg = b.segments(date(AS_OF), &SegmentConfig { shares: [-0.2, 0.9, 0.3], ..Default::default() });
    assert!(matches!(neg, Err(crm_core::Error::InvalidConfig { .. })));
    let zero = b.segments(date(AS_OF), &SegmentConfig { window_days: Some(0), ..Default::default() });
    assert!(matches!(zero, Err(crm_core::Error::InvalidConfig { field, .. }) if field == "window_days"));
}
