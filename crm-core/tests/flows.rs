//! Hand-worked flows, migration and CLV on one small base, period 2024 (inactivity 365).
mod common;
use common::*;
use crm_core::clv::{ClvConfig, Scenario, compare, discounted_clv, retention_clv, retention_sensitivity};
use crm_core::flows::{FlowConfig, Period, average_duration};
use crm_core::{Customer, CustomerBase, LifecycleConfig, SegmentConfig};

fn fixture() -> CustomerBase {
    base(&[
        ("stay", "2023-06-01", 10.0),
        ("stay", "2024-03-01", 20.0),
        ("lost", "2023-03-01", 30.0),
        ("new_a", "2024-02-01", 40.0),
        ("new_a", "2024-05-01", 50.0),
        ("new_s", "2024-09-01", 60.0),
        ("wb", "2022-01-01", 5.0),
        ("wb", "2024-06-01", 80.0),
        ("lapse", "2023-01-15", 7.0),
        ("lapse", "2024-06-01", 70.0),
        ("gone", "2021-01-01", 3.0),
    ])
}

#[test]
fn every_flow_by_hand() {
    let b = fixture();
    let f = b.flows(date("2024-01-01"), date("2025-01-01"), &FlowConfig::default()).unwrap();
    // In at the start: stay, lost, lapse. In at the end: stay, new_a, new_s, wb, lapse.
    assert_eq!((f.base_at_start, f.new, f.won_back, f.lost, f.base_at_end), (3, 2, 1, 1, 5));
    assert!(f.balances());
    assert_eq!((f.new_active, f.new_starters), (1, 1));
    // lapse: last bought 2023-01-15, lost on 2024-01-15, back on 2024-06-01.
    assert_eq!((f.lost_and_won_back, f.new_and_lost, f.won_back_and_lost), (1, 0, 0));
    assert_eq!(f.churn_rate, Some(1.0 / 3.0));
    assert_eq!(f.retention_rate, Some(2.0 / 3.0));
    // Average base (3 + 5) / 2 = 4; one loss in 366 days.
    assert_eq!(f.duration_years, Some(4.0 / (365.25 / 366.0)));
    assert_eq!(f.new_value.revenue, 150.0);
    assert_eq!(f.won_back_value.revenue, 80.0);
    assert_eq!(f.lost_value.revenue, 30.0);
    assert_eq!(f.stayed_value.revenue, 90.0);
    // Segments at the start (2023 revenue): lost 30 top, stay 10 middle, lapse 7 bottom.
    let s = &f.by_segment;
    assert_eq!((s[0].base_at_start, s[0].lost, s[1].base_at_start, s[1].lost, s[2].base_at_start), (1, 1, 1, 0, 1));
    // Segments at the end (2024 revenue, 1 / 3 / 1): new_a 90 top; wb 80, lapse 70, new_s 60
    // middle; stay 20 bottom.
    assert_eq!((s[0].base_at_end, s[0].new), (1, 1));
    assert_eq!((s[1].base_at_end, s[1].new, s[1].won_back), (3, 1, 1));
    assert_eq!((s[2].base_at_end, s[2].new, s[2].won_back), (1, 0, 0));
}

#[test]
fn churned_and_returned_inside_a_long_period_are_shown_apart() {
    let b = base(&[("wbl", "2021-01-01", 1.0), ("wbl", "2023-02-01", 1.0), ("nl", "2023-03-01", 1.0)]);
    let f = b.flows(date("2023-01-01"), date("2025-01-01"), &FlowConfig::default()).unwrap();
    assert_eq!((f.base_at_start, f.new, f.won_back, f.lost, f.base_at_end), (0, 0, 0, 0, 0));
    assert_eq!((f.new_and_lost, f.won_back_and_lost), (1, 1));
}

#[test]
fn deck_example_duration() {
    // Deck 001: base 2200, 700 lost a year -> 3.1 years.
    let d = average_duration(2200.0, 700.0, 365.25).unwrap();
    assert_eq!(format!("{d:.1}"), "3.1");
    assert_eq!(average_duration(100.0, 0.0, 365.0), None);
}

#[test]
fn a_monthly_series_chains_and_balances() {
    let b = fixture();
    let cfg = FlowConfig { by_segment: false, ..Default::default() };
    let months = b.flow_series(date("2024-01-01"), Period::Month, 12, &cfg).unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[1].start, Some(date("2024-02-01")));
    for w in months.windows(2) {
        assert_eq!(w[0].base_at_end, w[1].base_at_start);
    }
    assert!(months.iter().all(|m| m.balances()));
    let year = b.flows(date("2024-01-01"), date("2025-01-01"), &cfg).unwrap();
    assert_eq!(months[0].base_at_start, year.base_at_start);
    assert_eq!(months[11].base_at_end, year.base_at_end);
    // lapse is lost in January and won back in June: two flows by month, none by year.
    assert_eq!(months.iter().map(|m| m.lost).sum::<u64>(), 2);
    assert_eq!(months.iter().map(|m| m.won_back).sum::<u64>(), 2);
    assert!(b.flows(date("2024-01-01"), date("2024-01-01"), &cfg).is_err());
}

#[test]
fn segment_migration_by_hand() {
    let b = fixture();
    let m = b.segment_migration(date("2023-12-31"), date("2024-12-31"), &SegmentConfig::default()).unwrap();
    assert_eq!(m.states, vec!["not_yet_customer", "top", "middle", "bottom", "lost"]);
    let expected: Vec<Vec<u64>> = vec![
        vec![0, 1, 1, 0, 0], // new_a -> top, new_s -> middle
        vec![0, 0, 0, 0, 1], // lost
        vec![0, 0, 0, 1, 0], // stay: middle -> bottom
        vec![0, 0, 1, 0, 0], // lapse: bottom -> middle
        vec![0, 0, 1, 0, 1], // wb -> middle, gone stays lost
    ];
    assert_eq!(m.counts, expected);
    assert_eq!(m.rates[0], vec![0.0, 0.5, 0.5, 0.0, 0.0]);
    assert_eq!(m.rates[4][4], 0.5);
    assert_eq!(m.state_value, vec![0.0, 90.0, 70.0, 20.0, 0.0]);
    // Projection preserves the total.
    let start: Vec<f64> = m.at_to().iter().map(|&c| c as f64).collect();
    let p = m.project(&start, 3).unwrap();
    for v in &p {
        assert!((v.iter().sum::<f64>() - 7.0).abs() < 1e-12);
    }
    let l = b.lifecycle_migration(date("2023-12-31"), date("2024-12-31"), &LifecycleConfig::default()).unwrap();
    assert_eq!(l.counts.iter().flatten().sum::<u64>(), 7);
    for row in &l.rates {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn clv_formulas_by_hand() {
    assert!((discounted_clv(100.0, 3.0, 0.1).unwrap() - (100.0 / 1.1 + 100.0 / 1.21 + 100.0 / 1.331)).abs() < 1e-9);
    assert_eq!(discounted_clv(100.0, 2.5, 0.0).unwrap(), 250.0);
    assert!((retention_clv(100.0, 0.5, 0.0).unwrap() - 100.0).abs() < 1e-12);
    // +5 % retention (relative) from 0.8 at d = 0.1: 0.84 / 0.26 vs 0.8 / 0.3.
    let s = retention_sensitivity(100.0, 0.8, 0.1, 0.05, true);
    assert!((s.retention_after - 0.84).abs() < 1e-12);
    assert!((s.change - ((0.84 / 0.26) / (0.8 / 0.3) - 1.0)).abs() < 1e-12);
}

#[test]
fn deck_scenario_gives_plus_56_percent() {
    let before = Scenario { customers: 830.0, purchases_per_year: 5.0, average_purchase: 1000.0, duration_years: 2.5 };
    let after = Scenario { customers: 810.0, purchases_per_year: 5.9, average_purchase: 1168.0, duration_years: 2.9 };
    let c = compare(&before, &after);
    // 810 x 5.9 x 1168 x 2.9 / (830 x 5 x 1000 x 2.5) = 16,187,428.8 / 10,375,000
    assert!((c.change - (16_187_428.8 / 10_375_000.0 - 1.0)).abs() < 1e-12);
    assert_eq!(format!("{:.0}", c.change * 100.0), "56");
    assert!((c.factors[2] - 1.168).abs() < 1e-12);
}

#[test]
fn clv_per_customer_segment_channel_and_npv() {
    // x: 2 purchases of 100 (margin 40) in the last year, acquisition cost 50 via "web".
    // y: 1 purchase of 300 (margin 90), cost unknown, "fair". z: lost.
    let mut x = Customer::new("x");
    x.acquisition_cost = Some(50.0);
    x.acquisition_channel = Some("web".into());
    let mut y = Customer::new("y");
    y.acquisition_channel = Some("fair".into());
    let t = tx_margin(&[
        ("x", "2024-06-01", 100.0, 40.0),
        ("x", "2024-12-01", 100.0, 40.0),
        ("y", "2024-10-01", 300.0, 90.0),
        ("z", "2022-01-01", 10.0, 1.0),
    ]);
    let b = CustomerBase::builder().customers([x, y, Customer::new("z")]).transactions(t).unwrap().build().unwrap();
    let cfg = ClvConfig { duration_years: Some(2.0), discount_rate: 0.1, ..Default::default() };
    let r = b.clv(date("2024-12-31"), &cfg).unwrap();
    let ppy_x = 2.0 * 365.25 / 365.0; // tenure 213 days, floored at a year
    let cx = &r.customers[0];
    assert_eq!(cx.purchases_per_year, ppy_x);
    assert_eq!(cx.clv, ppy_x * 100.0 * 2.0);
    let dm = discounted_clv(ppy_x * 40.0, 2.0, 0.1).unwrap();
    assert!((cx.discounted_margin.unwrap() - dm).abs() < 1e-9);
    assert!((cx.npv.unwrap() - (dm - 50.0)).abs() < 1e-9);
    assert_eq!(r.customers[1].npv, None);
    assert!(!r.customers[2].in_base);
    assert_eq!(r.portfolio.customers, 2);
    assert_eq!(r.portfolio.with_npv, 1);
    let web = r.by_channel.iter().find(|g| g.group == "web").unwrap();
    assert!((web.mean_npv.unwrap() - (dm - 50.0)).abs() < 1e-9);
    // Segments (2 ranked, 20 / 50 / 30 -> 0 / 1 / 1 by round half up of 0.4 and 1.4):
    // y (300) middle, x (200) bottom.
    assert_eq!((r.by_segment[0].customers, r.by_segment[1].customers, r.by_segment[2].customers), (0, 1, 1));
    // Without a duration and without losses in the last year: a clear error.
    let e = b.clv(date("2024-12-31"), &ClvConfig::default());
    assert!(matches!(e, Err(crm_core::Error::MissingData(_))), "{e:?}");
}
