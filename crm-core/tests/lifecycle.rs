//! One hand-worked fixture per lifecycle rule, as of 2024-12-31 with the default rules
//! (inactivity 365, new 90, dormant 180, return 90, trend 365 days, decline ratio 0.5).
mod common;
use common::*;
use crm_core::{Customer, CustomerBase, LifecycleConfig, LifecycleStage as S};

const AS_OF: &str = "2024-12-31";

fn stage_of(rows: &[(&str, &str, f64)]) -> S {
    let b = base(rows);
    let l = b.lifecycle(date(AS_OF), &LifecycleConfig::default()).unwrap();
    l.stages[0]
}

#[test]
fn prospect_without_purchases() {
    let b = CustomerBase::builder()
        .customers([Customer::new("p"), Customer::new("c")])
        .transactions(tx(&[("c", "2024-12-01", 10.0)]))
        .unwrap()
        .build()
        .unwrap();
    let l = b.lifecycle(date(AS_OF), &LifecycleConfig::default()).unwrap();
    assert_eq!(l.stages, vec![S::New, S::Prospect]); // ids sorted: c, p
}

#[test]
fn lost_after_365_days_without_purchase() {
    // 2024-01-01 .. 2024-12-31 is 365 days (2024 is a leap year): lost.
    assert_eq!(stage_of(&[("a", "2023-06-01", 10.0), ("a", "2024-01-01", 10.0)]), S::Lost);
    // 364 days: still in the base (a repeat buyer with nothing else: active).
    assert_eq!(stage_of(&[("a", "2023-06-01", 10.0), ("a", "2024-01-02", 10.0)]), S::Active);
}

#[test]
fn new_within_90_days_of_first_purchase() {
    // 2024-10-03 is 89 days before the as-of date.
    assert_eq!(stage_of(&[("a", "2024-10-03", 10.0)]), S::New);
    assert_eq!(stage_of(&[("a", "2024-10-03", 10.0), ("a", "2024-12-01", 10.0)]), S::New);
    // 90 days: no longer new; one purchase only: a starter.
    assert_eq!(stage_of(&[("a", "2024-10-02", 10.0)]), S::Starter);
}

#[test]
fn won_back_after_a_gap_of_a_year_or_more() {
    // Gap 2022-06-01 -> 2024-11-15 (898 days), return 46 days ago.
    assert_eq!(stage_of(&[("a", "2022-06-01", 10.0), ("a", "2024-11-15", 10.0)]), S::WonBack);
    // Same gap, but the return was 214 days ago: no longer won back; two purchases,
    // recent window 10 vs 0 before: active.
    assert_eq!(stage_of(&[("a", "2022-06-01", 10.0), ("a", "2024-06-01", 10.0)]), S::Active);
}

#[test]
fn reactivated_after_a_dormant_gap() {
    // Gap 2024-01-10 -> 2024-11-01 = 296 days (>= 180, < 365), return 60 days ago.
    assert_eq!(stage_of(&[("a", "2024-01-10", 10.0), ("a", "2024-11-01", 10.0)]), S::Reactivated);
    // Gap of 179 days (2024-05-06 -> 2024-11-01) is not dormant: active.
    assert_eq!(stage_of(&[("a", "2024-05-06", 10.0), ("a", "2024-11-01", 10.0)]), S::Active);
}

#[test]
fn starter_has_one_purchase_and_no_repeat() {
    assert_eq!(stage_of(&[("a", "2024-05-01", 10.0)]), S::Starter);
    // A refund is not a repeat purchase.
    assert_eq!(stage_of(&[("a", "2024-05-01", 100.0), ("a", "2024-05-04", -30.0)]), S::Starter);
}

#[test]
fn declining_when_recent_revenue_is_below_half_of_the_year_before() {
    // Recent window 2024-01-01..2024-12-31: 100; the year before: 300 -> 100 < 150.
    let rows = [
        ("a", "2023-03-01", 100.0),
        ("a", "2023-06-01", 100.0),
        ("a", "2023-09-01", 100.0),
        ("a", "2024-03-01", 100.0),
    ];
    assert_eq!(stage_of(&rows), S::Declining);
    // Exactly half (150 vs 300) is not below half: active.
    let rows = [
        ("a", "2023-03-01", 100.0),
        ("a", "2023-06-01", 100.0),
        ("a", "2023-09-01", 100.0),
        ("a", "2024-03-01", 150.0),
    ];
    assert_eq!(stage_of(&rows), S::Active);
}

#[test]
fn active_repeat_buyer() {
    // Gaps 274, 184, 91 days; the only return in the last 90 days ended a 91-day gap.
    let rows = [
        ("a", "2023-06-01", 100.0),
        ("a", "2024-03-01", 100.0),
        ("a", "2024-09-01", 100.0),
        ("a", "2024-12-01", 100.0),
    ];
    assert_eq!(stage_of(&rows), S::Active);
}

#[test]
fn precedence_lost_before_everything_and_new_before_starter() {
    // A won-back customer who then lapsed again is lost.
    assert_eq!(stage_of(&[("a", "2021-01-01", 10.0), ("a", "2022-06-01", 10.0)]), S::Lost);
    let l = base(&[("a", "2024-12-30", 10.0)]).lifecycle(date(AS_OF), &LifecycleConfig::default()).unwrap();
    assert_eq!(l.stages, vec![S::New]);
    assert_eq!(l.count(S::New), 1);
    assert_eq!(l.counts.iter().sum::<usize>(), 1);
}

#[test]
fn transactions_after_the_as_of_date_are_ignored() {
    // The 2025 purchase is after the as-of date: the customer is still a starter.
    assert_eq!(stage_of(&[("a", "2024-05-01", 10.0), ("a", "2025-01-05", 10.0)]), S::Starter);
}

#[test]
fn custom_windows() {
    let b = base(&[("a", "2024-06-01", 10.0)]);
    let cfg = LifecycleConfig { inactivity_days: 180, dormant_days: 90, ..Default::default() };
    assert_eq!(b.lifecycle(date(AS_OF), &cfg).unwrap().stages, vec![S::Lost]);
}

#[test]
fn invalid_rules_name_the_field() {
    let b = base(&[("a", "2024-06-01", 10.0)]);
    for (cfg, field) in [
        (LifecycleConfig { inactivity_days: 0, ..Default::default() }, "inactivity_days"),
        (LifecycleConfig { dormant_days: 400, ..Default::default() }, "dormant_days"),
        (LifecycleConfig { decline_ratio: f64::NAN, ..Default::default() }, "decline_ratio"),
        (LifecycleConfig { decline_ratio: 1.5, ..Default::default() }, "decline_ratio"),
    ] {
        match b.lifecycle(date(AS_OF), &cfg) {
            Err(crm_core::Error::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected invalid config for {field}, got {other:?}"),
        }
    }
}
