//! Share of wallet, growth potential and segment profiles on a 12-customer base whose
//! figures are worked out by hand (the same base as tests/python/test_wallet_profiles.py
//! and tests/c/test_wallet.c).
//!
//! | id | industry      | size  | employees | potential | spend 2024 |
//! |----|---------------|-------|-----------|-----------|------------|
//! | 1  | manufacturing | large | 500       |           | 100        |
//! | 2  | manufacturing | large | 800       |           | 200        |
//! | 3  | manufacturing | large | 1200      |           | 300        |
//! | 4  | manufacturing | large | 2000      |           | 400        |
//! | 5  | manufacturing | small | 20        | "n/a"     | 50         |
//! | 6  | manufacturing | small | 10        |           | 0 (80 in 2023) |
//! | 7  | retail        | small | 5         |           | 20         |
//! | 8  | retail        | small | 8         |           | 40         |
//! | 9  | retail        | small | 12        |           | 60         |
//! | 10 | retail        | large | 900       | 1000      | 500        |
//! | 11 | retail        | large | 600       | -5        | 80         |
//! | 12 | (none)        | large | 700       |           | 150        |
//!
//! As of 2024-12-31, window 365 days, levels industry x size then industry, at least 3
//! peers, quantile 0.9 (type 7: h = (n - 1) x 0.9):
//! - manufacturing x large: peers 100, 200, 300, 400: h = 2.7, 300 + 0.7 x 100 = 370.
//! - manufacturing x small: 1 peer (50) < 3: falls back to manufacturing: 50, 100, 200,
//!   300, 400: h = 3.6, 300 + 0.6 x 100 = 360 (customers 5 and 6).
//! - retail x small: 20, 40, 60: h = 1.8, 40 + 0.8 x 20 = 56; customer 9 spends 60 > 56:
//!   share capped at 1, flagged, growth 0.
//! - retail x large: 2 peers (80, 500; quantile 80 + 0.9 x 420 = 458, not used); customer 10
//!   has its attribute (1000: share 0.5, growth 500); customer 11's is negative: falls back
//!   to retail: 20, 40, 60, 80, 500: h = 3.6, 80 + 0.6 x 420 = 332.
//! - customer 12 has no industry: the whole base, 11 peers: h = 9, the 10th smallest = 400.

// The hand-worked figures are tables of tuples.
#![allow(clippy::type_complexity)]

use chrono::NaiveDate;
use crm_core::profiles::{ProfileConfig, ProfileGrouping};
use crm_core::wallet::{WalletConfig, WalletProblem, WalletSource};
use crm_core::{AttributeValue, Customer, CustomerBase, TransactionColumns};
use proptest::prelude::*;

fn day(y: i32, m: u32, d: u32) -> i64 {
    crm_core::time::date_to_seconds(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()
}

const ROWS: [(i64, Option<&str>, &str, f64, Option<AttributeValue>, f64); 12] = [
    (1, Some("manufacturing"), "large", 500.0, None, 100.0),
    (2, Some("manufacturing"), "large", 800.0, None, 200.0),
    (3, Some("manufacturing"), "large", 1200.0, None, 300.0),
    (4, Some("manufacturing"), "large", 2000.0, None, 400.0),
    (5, Some("manufacturing"), "small", 20.0, None, 50.0),
    (6, Some("manufacturing"), "small", 10.0, None, 0.0),
    (7, Some("retail"), "small", 5.0, None, 20.0),
    (8, Some("retail"), "small", 8.0, None, 40.0),
    (9, Some("retail"), "small", 12.0, None, 60.0),
    (10, Some("retail"), "large", 900.0, Some(AttributeValue::Number(1000.0)), 500.0),
    (11, Some("retail"), "large", 600.0, Some(AttributeValue::Number(-5.0)), 80.0),
    (12, None, "large", 700.0, None, 150.0),
];

fn customers() -> Vec<Customer> {
    ROWS.iter()
        .map(|(id, industry, size, employees, potential, _)| {
            let mut c = Customer::new(*id);
            c.industry = industry.map(str::to_owned);
            c.attributes.insert("size".into(), AttributeValue::Text((*size).into()));
            c.attributes.insert("employees".into(), AttributeValue::Number(*employees));
            if let Some(p) = potential {
                c.attributes.insert("potential".into(), p.clone());
            }
            if *id == 5 {
                c.attributes.insert("potential".into(), AttributeValue::Text("n/a".into()));
            }
            c
        })
        .collect()
}

/// (customer, timestamp, amount): one purchase in 2024 per customer, customer 6 in 2023.
fn transactions() -> Vec<(i64, i64, f64)> {
    ROWS.iter()
        .map(|&(id, .., spend)| if id == 6 { (6, day(2023, 6, 1), 80.0) } else { (id, day(2024, 6, 1), spend) })
        .collect()
}

fn build(customers: Vec<Customer>, tx: Vec<(i64, i64, f64)>) -> CustomerBase {
    let (ids, (times, amounts)): (Vec<i64>, (Vec<i64>, Vec<f64>)) = tx.into_iter().map(|(c, t, a)| (c, (t, a))).unzip();
    CustomerBase::builder()
        .customers(customers)
        .transactions(TransactionColumns::new(ids.into(), times, amounts))
        .unwrap()
        .build()
        .unwrap()
}

fn base() -> CustomerBase {
    build(customers(), transactions())
}

fn config() -> WalletConfig {
    WalletConfig {
        attribute: Some("potential".into()),
        min_peers: 3,
        levels: vec![vec!["industry".into(), "size".into()], vec!["industry".into()]],
        ..WalletConfig::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn wallets_shares_and_growth_potential_by_hand() {
    let w = base().wallet(as_of(), &config()).unwrap();
    use WalletSource::*;
    let expected: [(f64, f64, WalletSource, f64, bool, f64); 12] = [
        (100.0, 370.0, Group, 100.0 / 370.0, false, 270.0),
        (200.0, 370.0, Group, 200.0 / 370.0, false, 170.0),
        (300.0, 370.0, Group, 300.0 / 370.0, false, 70.0),
        (400.0, 370.0, Group, 1.0, true, 0.0),
        (50.0, 360.0, CoarserGroup, 50.0 / 360.0, false, 310.0),
        (0.0, 360.0, CoarserGroup, 0.0, false, 360.0),
        (20.0, 56.0, Group, 20.0 / 56.0, false, 36.0),
        (40.0, 56.0, Group, 40.0 / 56.0, false, 16.0),
        (60.0, 56.0, Group, 1.0, true, 0.0),
        (500.0, 1000.0, Attribute, 0.5, false, 500.0),
        (80.0, 332.0, CoarserGroup, 80.0 / 332.0, false, 252.0),
        (150.0, 400.0, Base, 0.375, false, 250.0),
    ];
    for (c, (spend, wallet, source, share, over, growth)) in expected.into_iter().enumerate() {
        assert!(close(w.spend[c], spend), "spend of {}: {}", c + 1, w.spend[c]);
        assert!(close(w.wallet[c], wallet), "wallet of {}: {}", c + 1, w.wallet[c]);
        assert_eq!(w.source[c], source, "source of {}", c + 1);
        assert!(close(w.share[c], share), "share of {}: {}", c + 1, w.share[c]);
        assert_eq!(w.over_wallet[c], over, "over of {}", c + 1);
        assert!(close(w.growth_potential[c], growth), "growth of {}: {}", c + 1, w.growth_potential[c]);
    }
    // Rank by growth: 10, 6, 5, 1, 11, 12, 2, 3, 7, 8, then 4 and 9 (both 0, by id).
    let order = [10, 6, 5, 1, 11, 12, 2, 3, 7, 8, 4, 9];
    for (pos, id) in order.iter().enumerate() {
        assert_eq!(w.rank[id - 1], Some(pos as u32), "rank of {id}");
    }
    // The work list leaves out customer 6 (no spend in the window).
    let ids: Vec<&str> = w.work_list.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["10", "5", "1", "11", "12", "2", "3", "7", "8", "4", "9"]);
    // Attribute problems: 9 missing, 1 negative (11), 1 not a number (5).
    assert_eq!(w.counts.problems, [9, 1, 1]);
    assert_eq!(w.attribute_problem[10], Some(WalletProblem::Negative));
    assert_eq!(w.attribute_problem[4], Some(WalletProblem::NotANumber));
    assert_eq!(w.attribute_problem[9], Option::None);
    assert_eq!(w.counts.by_source, [1, 7, 3, 1, 0, 0]);
    assert_eq!(w.counts.over_wallet, 2);
    assert_eq!(w.counts.peers, 11);
    assert!(w.notes.iter().any(|n| n.contains("11 customer(s) fell back")), "{:?}", w.notes);
    assert!(w.notes.iter().any(|n| n.contains("2 of 4 group(s) below 3 peers")), "{:?}", w.notes);
}

/// The quantile regression option on the same base, customer 12 without `employees`.
///
/// The fit rows are the 10 peers with employees (customer 6 spent nothing in the window):
/// (500, 100), (800, 200), (1200, 300), (2000, 400), (20, 50), (5, 20), (8, 40), (12, 60),
/// (900, 500), (600, 80). The 0.9-quantile line passes through (12, 60) (customer 9) and
/// (900, 500) (customer 10): slope 440 / 888 = 55 / 111, intercept 60 - 12 x 55 / 111 =
/// 6000 / 111; the other 8 points lie below it, loss 0.1 x their distances = 178.581081...
/// It is optimal: no edge from that vertex descends. Rotating the line about customer 9 by
/// e per employee moves customer 10 by 888 e and the 8 others by (x - 12) e (sum 5037 e):
/// upwards the loss grows by 0.1 x (888 + 5037) e = 592.5 e; downwards customer 10 rises
/// above (0.9 x 888) while the others come closer (0.1 x 5037): +295.5 e. About customer 10
/// (others by (x - 900) e, sum -2067 e) the same figures come out: +592.5 e and +295.5 e.
/// Enumerating every line through two of the points gives the same optimum (178.5811, then
/// 187.98 through customers 5 and 10), and statsmodels 0.15.0 `QuantReg(y, [1, x]).fit(q=0.9)`
/// gives 54.0540538 and 0.4954955 (an interior-point approximation of 6000 / 111 =
/// 54.0540540... and 55 / 111 = 0.4954954...).
#[test]
fn quantile_regression_wallets_by_hand() {
    let mut customers = customers();
    customers[11].attributes.remove("employees");
    let base = build(customers, transactions());
    let config = WalletConfig { regression: vec!["employees".into()], ..config() };
    let w = base.wallet(as_of(), &config).unwrap();
    let r = w.regression.as_ref().expect("fitted");
    assert_eq!((r.peers, r.used_by, r.quantile), (10, 10, 0.9));
    assert!(close(r.coefficients[0], 6000.0 / 111.0) && close(r.coefficients[1], 55.0 / 111.0), "{r:?}");
    let fit = |employees: f64| (6000.0 + 55.0 * employees) / 111.0;
    use WalletSource::*;
    for (c, &(id, _, _, employees, ..)) in ROWS.iter().enumerate() {
        let (wallet, source) = match id {
            10 => (1000.0, Attribute), // its own figure comes first
            12 => (400.0, Base),       // no employees: falls back (no industry either)
            _ => (fit(employees), Regression),
        };
        assert!(close(w.wallet[c], wallet), "wallet of {id}: {} vs {wallet}", w.wallet[c]);
        assert_eq!(w.source[c], source, "source of {id}");
        assert_eq!(w.group[c].is_some(), id == 12, "group of {id}");
    }
    // Customer 1: 100 of 33500 / 111 = 301.80...; customer 9 is on the line: share 1 (to
    // rounding, which may flag it over the wallet).
    assert!(close(w.share[0], 100.0 * 111.0 / 33500.0));
    assert!(close(w.share[8], 1.0));
    assert_eq!(w.counts.by_source, [1, 0, 0, 1, 0, 10]);
    assert!(w.notes.iter().any(|n| n.contains("1 customer(s) lack an attribute")), "{:?}", w.notes);
    // Too few rows for the coefficients: a note, every customer on the peer groups.
    let two = WalletConfig { regression: vec!["employees".into(), "potential".into()], ..config.clone() };
    let w = base.wallet(as_of(), &two).unwrap();
    assert!(w.regression.is_none());
    assert!(w.notes.iter().any(|n| n.contains("not fitted")), "{:?}", w.notes);
    assert_eq!(w.counts.by_source[5], 0);
    // Bad rules name the field.
    for bad in [
        WalletConfig { regression: vec!["employees".into(), "employees".into()], ..config.clone() },
        WalletConfig { regression: vec![" ".into()], ..config.clone() },
        WalletConfig { quantile: 1.0, ..config.clone() },
    ] {
        let e = base.wallet(as_of(), &bad).unwrap_err();
        assert!(e.to_string().contains("regression"), "{e}");
    }
}

#[test]
fn peer_groups_by_hand() {
    let w = base().wallet(as_of(), &config()).unwrap();
    let rows: Vec<(usize, &str, usize, usize, Option<f64>, bool, usize)> = w
        .groups
        .iter()
        .map(|g| (g.level, g.key.as_str(), g.customers, g.peers, g.wallet, g.below_min_peers, g.used_by))
        .collect();
    let expected = [
        (0, "industry=manufacturing, size=large", 4, 4, Some(370.0), false, 4),
        (0, "industry=manufacturing, size=small", 2, 1, Some(50.0), true, 0),
        (0, "industry=retail, size=large", 2, 2, Some(458.0), true, 0),
        (0, "industry=retail, size=small", 3, 3, Some(56.0), false, 3),
        (1, "industry=manufacturing", 6, 5, Some(360.0), false, 2),
        (1, "industry=retail", 5, 5, Some(332.0), false, 1),
        (2, "all", 12, 11, Some(400.0), false, 1),
    ];
    assert_eq!(rows.len(), expected.len());
    for (r, e) in rows.iter().zip(expected) {
        assert_eq!((r.0, r.1, r.2, r.3, r.5, r.6), (e.0, e.1, e.2, e.3, e.5, e.6));
        assert!(close(r.4.unwrap(), e.4.unwrap()), "{r:?}");
    }
    // The customers' group rows: 1 -> row 0, 5 -> row 4, 12 -> the base, 10 -> none.
    assert_eq!((w.group[0], w.group[4], w.group[11], w.group[9]), (Some(0), Some(4), Some(6), None));
}

#[test]
fn tables_per_segment_stage_and_group_by_hand() {
    let w = base().wallet(as_of(), &config()).unwrap();
    // Ranked: 11 customers: top 2 (10, 4), middle 6 (3, 2, 12, 1, 11, 9), bottom 3 (5, 8, 7);
    // 6 is unranked.
    let top = &w.by_segment[0];
    assert_eq!((top.group.as_str(), top.customers, top.over_wallet), ("top", 2, 1));
    assert!(close(top.spend, 900.0) && close(top.wallet, 1370.0) && close(top.growth_potential, 500.0));
    // Customer 4 spends 30 above its wallet: the share counts its spend up to the wallet,
    // so that what we get and the growth potential make up the wallets (870 + 500 = 1370).
    assert!(close(top.share, 870.0 / 1370.0) && close(top.mean_share, 0.75));
    assert!(close(top.share * top.wallet + top.growth_potential, top.wallet));
    let middle = &w.by_segment[1];
    assert_eq!(middle.customers, 6);
    assert!(close(middle.wallet, 370.0 + 370.0 + 400.0 + 370.0 + 332.0 + 56.0));
    assert!(close(middle.growth_potential, 70.0 + 170.0 + 250.0 + 270.0 + 252.0));
    let unranked = &w.by_segment[3];
    assert_eq!((unranked.group.as_str(), unranked.customers), ("unranked", 1));
    assert!(close(unranked.share, 0.0) && close(unranked.growth_potential, 360.0));
    // Stages: one purchase in June (starters), customer 6 lost.
    let starter = w.by_stage.iter().find(|r| r.group == "starter").unwrap();
    let lost = w.by_stage.iter().find(|r| r.group == "lost").unwrap();
    assert_eq!((starter.customers, lost.customers), (11, 1));
    // Groups of the finest level, then (missing) for customer 12.
    let names: Vec<&str> = w.by_group.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(
        names,
        [
            "industry=manufacturing, size=large",
            "industry=manufacturing, size=small",
            "industry=retail, size=large",
            "industry=retail, size=small",
            "(missing)"
        ]
    );
    let ml = &w.by_group[0];
    assert!(close(ml.spend, 1000.0) && close(ml.wallet, 1480.0) && close(ml.growth_potential, 510.0));
    assert!(close(ml.share, 970.0 / 1480.0));
    assert!(close(ml.mean_share, (100.0 / 370.0 + 200.0 / 370.0 + 300.0 / 370.0 + 1.0) / 4.0));
}

#[test]
fn without_attribute_and_levels_every_wallet_is_the_base_quantile() {
    let c = WalletConfig { levels: vec![], ..WalletConfig::default() };
    let w = base().wallet(as_of(), &c).unwrap();
    assert!(w.wallet.iter().all(|x| close(*x, 400.0)));
    assert_eq!(w.counts.by_source, [0, 0, 0, 12, 0, 0]);
    assert!(w.by_group.is_empty());
    // 11 peers < 20: stated.
    assert!(w.notes.iter().any(|n| n.contains("fewer than min_peers")), "{:?}", w.notes);
}

#[test]
fn a_grouping_attribute_with_one_value_is_stated() {
    let c = WalletConfig { levels: vec![vec!["region".into()]], ..config() };
    let mut cs = customers();
    cs.iter_mut().for_each(|c| {
        c.attributes.insert("region".into(), AttributeValue::Text("north".into()));
    });
    let w = build(cs, transactions()).wallet(as_of(), &c).unwrap();
    assert!(w.notes.iter().any(|n| n.contains("`region` has one value only")), "{:?}", w.notes);
}

#[test]
fn bad_wallet_configs_name_the_field() {
    let bad = |c: WalletConfig, field: &str| match base().wallet(as_of(), &c) {
        Err(crm_core::Error::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
        other => panic!("{field}: {other:?}"),
    };
    bad(WalletConfig { window_days: 0, ..config() }, "window_days");
    bad(WalletConfig { quantile: 0.2, ..config() }, "quantile");
    bad(WalletConfig { quantile: f64::NAN, ..config() }, "quantile");
    bad(WalletConfig { min_peers: 0, ..config() }, "min_peers");
    bad(WalletConfig { levels: vec![vec![]], ..config() }, "levels");
    bad(WalletConfig { bands: [("employees".to_owned(), vec![50.0, 10.0])].into(), ..config() }, "bands");
}

#[test]
fn employee_bands_group_numeric_attributes() {
    let c = WalletConfig {
        attribute: None,
        levels: vec![vec!["employees".into()]],
        bands: [("employees".to_owned(), vec![100.0])].into(),
        ..config()
    };
    let w = base().wallet(as_of(), &c).unwrap();
    let keys: Vec<&str> = w.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["employees=<100", "employees=>=100", "all"]);
    // <100: 5, 6, 7, 8, 9 -> peers 50, 20, 40, 60: h = 2.7, 50 + 0.7 x 10 = 57.
    assert!(close(w.groups[0].wallet.unwrap(), 57.0));
}

fn profile_config(by: ProfileGrouping) -> ProfileConfig {
    ProfileConfig {
        by,
        categorical: vec!["industry".into(), "size".into()],
        numeric: vec!["employees".into()],
        min_group_size: 1,
        ..ProfileConfig::default()
    }
}

#[test]
fn profile_by_industry_by_hand() {
    let p = base()
        .segment_profiles(as_of(), &profile_config(ProfileGrouping::Attribute { attribute: "industry".into() }))
        .unwrap();
    let groups: Vec<(&str, usize)> = p.groups.iter().map(|g| (g.group.as_str(), g.customers)).collect();
    assert_eq!(groups, [("manufacturing", 6), ("retail", 5)]);
    assert_eq!(p.group[11], None);
    let row = |g: &str, a: &str, v: &str| {
        p.categorical.iter().find(|r| r.group == g && r.attribute == a && r.value == v).unwrap().clone()
    };
    // Manufacturing: industry manufacturing 6 of 6 against 6 of 12: index 200; the rest of
    // the base (6) has none: pooled 0.5, se = sqrt(0.25 x (1/6 + 1/6)), z = 2 sqrt(3).
    let m = row("manufacturing", "industry", "manufacturing");
    assert_eq!((m.count, m.base_count), (6, 6));
    assert!(close(m.share, 1.0) && close(m.base_share, 0.5) && close(m.index, 200.0));
    assert!(close(m.z, 2.0 * 3f64.sqrt()));
    assert!((m.p_value - 5.32e-4).abs() < 1e-6, "{}", m.p_value);
    assert!(m.significant);
    let missing = row("manufacturing", "industry", "(missing)");
    assert_eq!((missing.count, missing.base_count), (0, 1));
    // Size large: 4 of 6 against 7 of 12: index 114.29, not significant.
    let large = row("manufacturing", "size", "large");
    assert!(close(large.index, (4.0 / 6.0) / (7.0 / 12.0) * 100.0));
    assert!(!large.significant);
    let small = row("manufacturing", "size", "small");
    assert!(close(small.index, (2.0 / 6.0) / (5.0 / 12.0) * 100.0));
    // Retail: 5 of 5 against 5 of 12: index 240.
    assert!(close(row("retail", "industry", "retail").index, 240.0));
    // Traits: only the significant over-represented values.
    let traits: Vec<&str> = p.traits.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        traits,
        [
            "manufacturing: industry manufacturing, index 200, 100 % vs 50 %",
            "retail: industry retail, index 240, 100 % vs 42 %"
        ]
    );
    // Employees, manufacturing: 10, 20, 500, 800, 1200, 2000: mean 755, quartiles (type 7)
    // 140, 650, 1100; base: mean 6755 / 12, quartiles 11.5, 550, 825.
    let e = p.numeric.iter().find(|r| r.group == "manufacturing").unwrap();
    assert_eq!((e.count, e.missing, e.base_count), (6, 0, 12));
    assert!(close(e.mean, 755.0) && close(e.q1, 140.0) && close(e.median, 650.0) && close(e.q3, 1100.0));
    assert!(close(e.base_mean, 6755.0 / 12.0) && close(e.base_q1, 11.5));
    assert!(close(e.base_median, 550.0) && close(e.base_q3, 825.0));
}

/// The chi-square test per group and attribute on the profile by industry (figures by hand;
/// scipy 1.17.1 `chi2_contingency(table, correction=False)` gives the same statistics and
/// p-values 0.0024787522, 0.5581846494 and 0.2762784158).
#[test]
fn chi_square_per_attribute_by_hand() {
    let p = base()
        .segment_profiles(as_of(), &profile_config(ProfileGrouping::Attribute { attribute: "industry".into() }))
        .unwrap();
    let test = |g: &str, a: &str| p.chi_square.iter().find(|r| r.group == g && r.attribute == a).unwrap().clone();
    let order: Vec<(&str, &str)> = p.chi_square.iter().map(|r| (r.attribute.as_str(), r.group.as_str())).collect();
    assert_eq!(
        order,
        [("industry", "manufacturing"), ("industry", "retail"), ("size", "manufacturing"), ("size", "retail")]
    );
    // Manufacturing x industry: (6, 0, 0) against the rest (0, 5, 1); expected 3, 2.5, 0.5
    // in both rows: statistic 2 x (9/3 + 6.25/2.5 + 0.25/0.5) = 12, df 2, p = exp(-6).
    let t = test("manufacturing", "industry");
    assert!(close(t.statistic, 12.0) && t.df == 2 && close(t.p_value, (-6.0f64).exp()));
    assert!(t.low_expected && t.significant);
    // Manufacturing x size: large / small (4, 2) against (3, 3); expected 3.5, 2.5:
    // 2 x (0.25 / 3.5 + 0.25 / 2.5) = 12 / 35, df 1.
    let t = test("manufacturing", "size");
    assert!(close(t.statistic, 12.0 / 35.0) && t.df == 1 && (t.p_value - 0.5581846494).abs() < 1e-9);
    assert!(t.low_expected && !t.significant);
    // Retail x size: (2, 3) against (5, 2); every cell 11/12 from its expected count:
    // (121 / 144) x (12/35 + 12/25 + 12/49 + 12/35) = 1.18530612...
    let t = test("retail", "size");
    let by_hand = 121.0 / 144.0 * (12.0 / 35.0 + 12.0 / 25.0 + 12.0 / 49.0 + 12.0 / 35.0);
    assert!(close(t.statistic, by_hand) && (t.p_value - 0.2762784158).abs() < 1e-9, "{t:?}");
}

#[test]
fn profile_of_the_value_segments_by_hand() {
    let c = ProfileConfig { min_group_size: 30, ..profile_config(ProfileGrouping::Segment) };
    let p = base().segment_profiles(as_of(), &c).unwrap();
    let sizes: Vec<usize> = p.groups.iter().map(|g| g.customers).collect();
    assert_eq!(sizes, [2, 6, 3]);
    // Top (10, 4): both large, 2 of 2 against 7 of 12: index 171.43; pooled 7/12,
    // se = sqrt(7/12 x 5/12 x (1/2 + 1/10)), z = 0.5 / se = 1.3093.
    let large = p.categorical.iter().find(|r| r.group == "top" && r.value == "large").unwrap();
    assert!(close(large.index, 1.0 / (7.0 / 12.0) * 100.0));
    assert!((large.z - 0.5 / (7.0 / 12.0 * 5.0 / 12.0 * 0.6f64).sqrt()).abs() < 1e-9);
    assert!(!large.significant);
    let e = p.numeric.iter().find(|r| r.group == "top").unwrap();
    assert!(close(e.mean, 1450.0) && close(e.q1, 1175.0) && close(e.median, 1450.0) && close(e.q3, 1725.0));
    // All three groups are below 30 customers: stated, no significance, no traits.
    assert!(p.groups.iter().all(|g| g.below_min_size));
    assert!(p.notes.iter().any(|n| n.contains("top (2), middle (6), bottom (3)")), "{:?}", p.notes);
    assert!(p.traits.is_empty());
}

#[test]
fn profile_by_labels_and_share_of_wallet() {
    let labels: Vec<Option<&str>> = (1..=12)
        .map(|i| {
            if i <= 4 {
                Some("big")
            } else if i == 12 {
                None
            } else {
                Some("rest")
            }
        })
        .collect();
    let c = ProfileConfig {
        numeric: vec!["share_of_wallet".into()],
        wallet: config(),
        ..profile_config(ProfileGrouping::Segment)
    };
    let p = base().segment_profiles_by_labels(as_of(), &c, &labels).unwrap();
    let big = p.numeric.iter().find(|r| r.group == "big").unwrap();
    assert!(close(big.mean, (100.0 / 370.0 + 200.0 / 370.0 + 300.0 / 370.0 + 1.0) / 4.0));
    assert!(base().segment_profiles_by_labels(as_of(), &c, &labels[..3]).is_err());
}

#[test]
fn profile_of_a_target_group() {
    let c = profile_config(ProfileGrouping::TargetGroup {
        conditions: vec![crm_core::scoring::Condition::Equals { attribute: "size".into(), value: "small".into() }],
    });
    let p = base().segment_profiles(as_of(), &c).unwrap();
    assert_eq!(p.groups[0].customers, 5);
    assert_eq!(p.notes, ["the grouping has one group only (`target_group`)"]);
}

#[test]
fn bad_profile_configs_name_the_field() {
    let bad = |c: ProfileConfig, field: &str| match base().segment_profiles(as_of(), &c) {
        Err(crm_core::Error::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
        other => panic!("{field}: {other:?}"),
    };
    let ok = profile_config(ProfileGrouping::Segment);
    bad(ProfileConfig { min_group_size: 0, ..ok.clone() }, "min_group_size");
    bad(ProfileConfig { alpha: 0.0, ..ok.clone() }, "alpha");
    bad(ProfileConfig { traits: 1000, ..ok.clone() }, "traits");
    bad(ProfileConfig { categorical: vec!["a".into(), "a".into()], ..ok.clone() }, "categorical");
    bad(ProfileConfig { by: ProfileGrouping::TargetGroup { conditions: vec![] }, ..ok }, "by");
}

/// A random base: customers with one of three industries (or none), a size, a potential
/// (sometimes negative or missing), and purchases.
fn random_base() -> impl Strategy<Value = (Vec<Customer>, Vec<(i64, i64, f64)>)> {
    let customer = (0u8..4, 0u8..2, prop::option::of(-100.0f64..2000.0), 0.0f64..5000.0);
    (prop::collection::vec(customer, 1..40), prop::collection::vec((0usize..40, 0i64..800, -50.0f64..900.0), 0..120))
        .prop_map(|(cs, tx)| {
            let n = cs.len();
            let customers = cs
                .into_iter()
                .enumerate()
                .map(|(i, (ind, size, pot, emp))| {
                    let mut c = Customer::new(i as i64 + 1);
                    c.industry = ["a", "b", "c"].get(ind as usize).map(|s| (*s).to_owned());
                    c.attributes.insert("size".into(), AttributeValue::Text(["s", "l"][size as usize].into()));
                    c.attributes.insert("employees".into(), AttributeValue::Number(emp.round()));
                    if let Some(p) = pot {
                        c.attributes.insert("potential".into(), AttributeValue::Number(p));
                    }
                    c
                })
                .collect();
            let tx = tx
                .into_iter()
                .map(|(c, d, a)| ((c % n) as i64 + 1, day(2023, 1, 1) + d * 86_400, (a * 100.0).round() / 100.0))
                .collect();
            (customers, tx)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shares_sum_to_one_and_growth_is_never_negative((customers, tx) in random_base(), min_peers in 1usize..6) {
        let base = build(customers, tx);
        let w = base.wallet(as_of(), &WalletConfig { min_peers, ..config() }).unwrap();
        for c in 0..base.len() {
            if !w.wallet[c].is_nan() {
                prop_assert!(w.growth_potential[c] >= 0.0);
                prop_assert!((0.0..=1.0).contains(&w.share[c]));
            }
        }
        // Table rows: at most 100 %, and what we get plus the growth potential is the wallet.
        for r in w.by_segment.iter().chain(&w.by_stage).chain(&w.by_group) {
            prop_assert!((0.0..=1.0 + 1e-12).contains(&r.share), "{r:?}");
            prop_assert!((r.share * r.wallet + r.growth_potential - r.wallet).abs() <= 1e-9 * r.wallet.max(1.0), "{r:?}");
        }
        for by in [ProfileGrouping::Segment, ProfileGrouping::Stage, ProfileGrouping::Attribute { attribute: "size".into() }] {
            let p = base.segment_profiles(as_of(), &profile_config(by)).unwrap();
            for g in p.groups.iter().filter(|g| g.customers > 0) {
                for a in ["industry", "size"] {
                    let sum: f64 = p.categorical.iter().filter(|r| r.group == g.group && r.attribute == a).map(|r| r.share).sum();
                    prop_assert!((sum - 1.0).abs() < 1e-9, "{} {} {}", g.group, a, sum);
                }
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_row_order((customers, tx) in random_base(), seed in any::<u64>()) {
        let mut state = seed;
        let mut shuffle = |n: usize| {
            let mut idx: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                idx.swap(i, (state >> 33) as usize % (i + 1));
            }
            idx
        };
        let (ci, ti) = (shuffle(customers.len()), shuffle(tx.len()));
        let shuffled = build(ci.iter().map(|&i| customers[i].clone()).collect(), ti.iter().map(|&i| tx[i]).collect());
        let base = build(customers, tx);
        let c = WalletConfig { min_peers: 2, ..config() };
        let (a, b) = (base.wallet(as_of(), &c).unwrap(), shuffled.wallet(as_of(), &c).unwrap());
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        let pc = profile_config(ProfileGrouping::Segment);
        let (a, b) = (base.segment_profiles(as_of(), &pc).unwrap(), shuffled.segment_profiles(as_of(), &pc).unwrap());
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }
}

#[test]
fn wallet_conditions_in_scoring_and_process_target_groups() {
    use crm_core::scoring::{Condition, ScoringModel, ScoringRule};
    let rule = |name: &str, condition| ScoringRule { name: name.into(), weight: 1.0, condition, half_life_days: None };
    let model = ScoringModel {
        rules: vec![
            rule("share below 30 %", Condition::ShareOfWalletBelow { share: 0.3 }),
            rule("growth above 300", Condition::GrowthPotentialAbove { amount: 300.0 }),
        ],
        wallet: config(),
        ..Default::default()
    };
    let s = base().score(&model, as_of()).unwrap();
    // Shares below 0.3: 1 (0.27), 5 (0.14), 6 (0), 11 (0.24); growth above 300: 10 (500),
    // 6 (360), 5 (310).
    let expected = [1.0, 0.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0];
    assert_eq!(s.scores, expected);
    let bad =
        ScoringModel { rules: vec![rule("x", Condition::ShareOfWalletBelow { share: 1.5 })], ..Default::default() };
    assert!(
        matches!(base().score(&bad, as_of()), Err(crm_core::Error::InvalidConfig { field, .. }) if field == "share")
    );
    // The same condition as a JSON process target group.
    let c: Condition = serde_json::from_str(r#"{"type": "share_of_wallet_below", "share": 0.3}"#).unwrap();
    assert_eq!(c, Condition::ShareOfWalletBelow { share: 0.3 });
}

#[test]
fn share_of_wallet_as_a_process_target_group() {
    use crm_core::process::{EvaluationConfig, examples};
    use crm_core::{Channel, Direction, InteractionColumns, KeyColumn, Permission};
    let mut p = examples().remove(0);
    p.target_group.conditions = vec![crm_core::scoring::Condition::ShareOfWalletBelow { share: 0.3 }];
    let mut cs = customers();
    for c in &mut cs {
        for channel in [Channel::Email, Channel::Letter, Channel::Phone] {
            c.permissions.push(Permission { channel, granted: true, date: None });
        }
    }
    // Everyone registers on the web the day before the as-of date.
    let ids: Vec<i64> = (1..=12).collect();
    let history = InteractionColumns {
        customer: KeyColumn::Int(ids),
        timestamp: vec![day(2024, 12, 30) + 12 * 3600; 12],
        channel: vec![Channel::Other; 12],
        direction: vec![Direction::Inbound; 12],
        kind: (0..12).map(|_| "web_registration").collect(),
        outcome: None,
        cost: None,
    };
    let (tx_ids, (times, amounts)): (Vec<i64>, (Vec<i64>, Vec<f64>)) =
        transactions().into_iter().map(|(c, t, a)| (c, (t, a))).unzip();
    let b = CustomerBase::builder()
        .customers(cs)
        .transactions(TransactionColumns::new(tx_ids.into(), times, amounts))
        .unwrap()
        .interactions(history)
        .unwrap()
        .build()
        .unwrap();
    let config = EvaluationConfig { wallet: config(), ..EvaluationConfig::default() };
    let r = b.due_actions(std::slice::from_ref(&p), as_of(), &config).unwrap();
    let mut who: Vec<String> = r.due.iter().chain(&r.blocked).map(|a| a.customer_id.clone()).collect();
    who.sort_by_key(|s| s.parse::<i64>().unwrap());
    who.dedup();
    // Shares below 30 %: customers 1 (27 %), 5 (14 %), 6 (0 %) and 11 (24 %).
    assert_eq!(who, ["1", "5", "6", "11"]);
}

/// The report's wallet and profile rules as every face writes them (JSON; TOML in the
/// CLI's `[rules.wallet]`): its wallet table per value segment adds up the wallets of
/// `wallets_shares_and_growth_potential_by_hand` (top = customers 10 and 4: 1000 + 370;
/// middle = 3, 2, 12, 1, 11, 9: 1898; bottom = 5, 8, 7: 472; customer 6, without spend in
/// the year: 360). A misspelt rule is an error, not a default.
#[test]
fn report_rules_carry_the_wallet_and_profile_rules() {
    let rules = r#"{"wallet": {"attribute": "potential", "min_peers": 3,
        "levels": [["industry", "size"], ["industry"]]},
        "profiles": {"categorical": ["size"], "numeric": []}}"#;
    let config: crm_core::ReportConfig = crm_core::definition::from_json(rules, "rules").unwrap();
    let report = base().report(as_of(), &config).unwrap();
    let wallet = report.wallet.as_ref().unwrap();
    let by: Vec<(&str, f64)> = wallet.by_segment.iter().map(|r| (r.group.as_str(), r.wallet)).collect();
    assert_eq!(by, [("top", 1370.0), ("middle", 1898.0), ("bottom", 472.0), ("unranked", 360.0)]);
    let profiles = report.profiles.as_ref().unwrap();
    assert!(profiles.categorical.iter().all(|c| c.attribute == "size") && profiles.numeric.is_empty());
    for typo in [r#"{"wallet": {"quantil": 0.8}}"#, r#"{"profiles": {"min_group": 3}}"#, r#"{"walet": {}}"#] {
        let e = crm_core::definition::from_json::<crm_core::ReportConfig>(typo, "rules").unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{typo}: {e}");
    }
}
