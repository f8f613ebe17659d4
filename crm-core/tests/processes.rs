//! Funnels, variant tests, scoring, NPS and the two example processes on hand-built histories.
mod common;
use common::*;
use crm_core::funnel::{EventMatch, Funnel, FunnelPeriod, FunnelStep};
use crm_core::process::{EvaluationConfig, examples};
use crm_core::scoring::{Condition, ScoringModel, ScoringRule, compare_plans};
use crm_core::variants::{Economics, VariantCounts, compare_variants};
use crm_core::{
    AttributeValue, Channel, Customer, CustomerBase, Direction, InteractionColumns, KeyColumn, Permission,
    TransactionColumns,
};

/// Interactions from (customer, date, kind, outcome) rows.
fn ix(rows: &[(&str, &str, &str, &str)]) -> InteractionColumns {
    InteractionColumns {
        customer: KeyColumn::from(rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        timestamp: rows.iter().map(|r| secs(r.1) + 12 * 3600).collect(),
        channel: vec![Channel::Other; rows.len()],
        direction: vec![Direction::Outbound; rows.len()],
        kind: rows.iter().map(|r| r.2).collect(),
        outcome: Some(rows.iter().map(|r| r.3).collect()),
        cost: None,
    }
}

/// Customers, (customer, date, kind) events and (customer, date) purchases.
type History = (Vec<Customer>, Vec<(String, &'static str, &'static str)>, Vec<(String, &'static str)>);

/// Deck 000: credit granted -> welcome letter -> card used in the first month. `users` of
/// `n` customers use the card; ids are prefixed so two groups can share a base.
fn credit_history(prefix: &str, n: usize, users: usize, variant: &str) -> History {
    let mut customers = Vec::new();
    let (mut events, mut purchases) = (Vec::new(), Vec::new());
    for k in 0..n {
        let id = format!("{prefix}{k:04}");
        let mut c = Customer::new(id.as_str());
        c.attributes.insert("variant".into(), AttributeValue::Text(variant.into()));
        customers.push(c);
        events.push((id.clone(), "2025-01-10", "credit_granted"));
        events.push((id.clone(), "2025-01-11", "welcome_letter"));
        if k < users {
            purchases.push((id, "2025-01-20"));
        }
    }
    (customers, events, purchases)
}

fn credit_base(groups: &[(&str, usize, usize, &str)]) -> CustomerBase {
    let (mut customers, mut events, mut purchases) = (Vec::new(), Vec::new(), Vec::new());
    for g in groups {
        let (c, e, p) = credit_history(g.0, g.1, g.2, g.3);
        customers.extend(c);
        events.extend(e);
        purchases.extend(p);
    }
    let e: Vec<(&str, &str, &str, &str)> = events.iter().map(|(c, d, k)| (c.as_str(), *d, *k, "")).collect();
    let t = TransactionColumns::new(
        KeyColumn::from(purchases.iter().map(|p| p.0.as_str()).collect::<Vec<_>>()),
        purchases.iter().map(|p| secs(p.1)).collect(),
        vec![250.0; purchases.len()],
    );
    CustomerBase::builder().customers(customers).transactions(t).unwrap().interactions(ix(&e)).unwrap().build().unwrap()
}

fn credit_funnel() -> Funnel {
    let step = |name: &str, kind: &str, w: Option<u32>| FunnelStep {
        name: name.into(),
        event: EventMatch::Interaction { kind: kind.into(), outcomes: vec![], channel: None },
        window_days: w,
    };
    Funnel {
        name: "new card".into(),
        steps: vec![
            step("credit granted", "credit_granted", None),
            step("welcome letter", "welcome_letter", Some(7)),
            FunnelStep {
                name: "card used in the first month".into(),
                event: EventMatch::Purchase { min_amount: None },
                window_days: Some(30),
            },
        ],
    }
}

#[test]
fn deck_funnel_55_percent_use_the_card_in_the_first_month() {
    let b = credit_base(&[("a", 1000, 550, "letter")]);
    let period = FunnelPeriod::new(date("2025-01-01"), date("2025-02-01"), date("2025-03-31"));
    let f = b.funnel(&credit_funnel(), &period).unwrap();
    let s = &f.steps;
    assert_eq!((s[0].entered, s[1].entered, s[2].entered), (1000, 1000, 550));
    assert_eq!((s[1].converted, s[1].dropped, s[1].in_progress), (550, 450, 0));
    let p = s[2].rate_from_previous.unwrap();
    assert_eq!(p.rate, 0.55);
    // Wilson 95 % for 550 / 1000, worked out from the formula.
    let (n, ph, z) = (1000.0f64, 0.55f64, 1.959963984540054f64);
    let centre = (ph + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (ph * (1.0 - ph) / n + z * z / (4.0 * n * n)).sqrt();
    assert!((p.low - (centre - half)).abs() < 1e-12 && (p.high - (centre + half)).abs() < 1e-12);
    assert_eq!(s[2].rate_from_first, 0.55);
    let t = s[2].time_to_convert.as_ref().unwrap();
    assert_eq!((t.median, t.q1, t.q3), (9.0, 9.0, 9.0));
    assert_eq!(t.histogram[4], 550); // 8-14 days
    // Twenty days in, the 450 are still inside the 30-day window: in progress, not dropped.
    let early = b
        .funnel(&credit_funnel(), &FunnelPeriod::new(date("2025-01-01"), date("2025-02-01"), date("2025-01-30")))
        .unwrap();
    assert_eq!((early.steps[1].dropped, early.steps[1].in_progress), (0, 450));
    assert_eq!(early.steps[2].rate_from_previous.unwrap().rate, 1.0);
}

#[test]
fn deck_cheque_test_55_to_70_percent_with_economics() {
    let b = credit_base(&[("a", 1000, 550, "letter"), ("b", 1000, 700, "letter + cheque")]);
    let period = FunnelPeriod::new(date("2025-01-01"), date("2025-02-01"), date("2025-03-31"));
    let groups = b.funnel_by_attribute(&credit_funnel(), &period, "variant").unwrap();
    let counts: Vec<VariantCounts> = groups
        .iter()
        .map(|g| VariantCounts {
            name: g.group.clone(),
            customers: g.steps[0].entered,
            conversions: g.steps[2].entered,
        })
        .collect();
    assert_eq!(counts[0].name, "letter");
    assert_eq!((counts[1].customers, counts[1].conversions), (1000, 700));
    // The cheque costs 100 kr when used; a card in use is worth 1000 kr.
    let e = Economics { value_per_conversion: 1000.0, cost_per_customer: 0.0, cost_per_conversion: 100.0 };
    let r = compare_variants(&counts, 0, 0.95, &e).unwrap();
    let v = &r[1];
    let d = v.versus_control.unwrap();
    assert!((d.difference - 0.15).abs() < 1e-12);
    assert!((d.lift.unwrap() - (0.70 / 0.55 - 1.0)).abs() < 1e-12);
    assert!(d.p_value < 1e-10 && d.low > 0.10 && d.high < 0.20);
    assert!((v.incremental_conversions - 150.0).abs() < 1e-9);
    assert!((v.net_effect - (150.0 * 1000.0 - 700.0 * 100.0)).abs() < 1e-6);
    assert!((v.roi.unwrap() - 80_000.0 / 70_000.0).abs() < 1e-12);
    // Break-even: u x 1000 = (0.55 + u) x 100 -> u = 55 / 900.
    assert!((v.break_even_uplift.unwrap() - 55.0 / 900.0).abs() < 1e-12);
    assert_eq!(v.sample_size_needed, Some(163));
    // Comparing two entry periods: the same funnel, step by step.
    let cmp = b.compare_funnel_periods(&credit_funnel(), &period, &period).unwrap();
    assert_eq!(cmp[2].unwrap().difference, 0.0);
}

/// Two entry periods of a lead -> purchase funnel: January 1 of 4 leads buy, February 3 of
/// 4 (a fifth February lead is still inside its window on the as-of date).
fn two_period_base() -> CustomerBase {
    let mut rows = Vec::new();
    for c in ["a1", "a2", "a3", "a4"] {
        rows.push((c, "2025-01-05", "lead", ""));
    }
    for c in ["b1", "b2", "b3", "b4"] {
        rows.push((c, "2025-02-05", "lead", ""));
    }
    rows.push(("b5", "2025-02-25", "lead", ""));
    let buyers = [("a1", "2025-01-10"), ("b1", "2025-02-10"), ("b2", "2025-02-10"), ("b3", "2025-02-10")];
    let t = TransactionColumns::new(
        KeyColumn::from(buyers.iter().map(|b| b.0).collect::<Vec<_>>()),
        buyers.iter().map(|b| secs(b.1)).collect(),
        vec![100.0; buyers.len()],
    );
    CustomerBase::builder().transactions(t).unwrap().interactions(ix(&rows)).unwrap().build().unwrap()
}

fn lead_funnel() -> Funnel {
    Funnel {
        name: "lead to purchase".into(),
        steps: vec![
            FunnelStep {
                name: "lead".into(),
                event: EventMatch::Interaction { kind: "lead".into(), outcomes: vec![], channel: None },
                window_days: None,
            },
            FunnelStep {
                name: "purchase".into(),
                event: EventMatch::Purchase { min_amount: None },
                window_days: Some(30),
            },
        ],
    }
}

#[test]
fn funnel_periods_compared_by_hand() {
    let b = two_period_base();
    let as_of = date("2025-03-10");
    let jan = FunnelPeriod::new(date("2025-01-01"), date("2025-02-01"), as_of);
    let feb = FunnelPeriod::new(date("2025-02-01"), date("2025-03-01"), as_of);
    let f = b.funnel(&lead_funnel(), &feb).unwrap();
    // b5's window (to 2025-03-27) is open: in progress, out of the denominator.
    assert_eq!((f.steps[0].entered, f.steps[0].in_progress, f.steps[1].entered), (5, 1, 3));
    let cmp = b.compare_funnel_periods(&lead_funnel(), &jan, &feb).unwrap();
    assert_eq!(cmp.len(), 2);
    assert!(cmp[0].is_none());
    let d = cmp[1].unwrap();
    assert_eq!((d.a.successes, d.a.trials, d.b.successes, d.b.trials), (1, 4, 3, 4));
    assert_eq!(d.difference, 0.5);
    // Pooled 4/8: se = sqrt(0.5 x 0.5 x (1/4 + 1/4)) = sqrt(1/8), z = 0.5 / se = sqrt(2),
    // two-sided p = erfc(sqrt(2) / sqrt(2)) = erfc(1).
    assert!((d.z - std::f64::consts::SQRT_2).abs() < 1e-12);
    assert!((d.p_value - 0.157_299_207_050_285_13).abs() < 1e-12);
    assert!((d.lift.unwrap() - 2.0).abs() < 1e-12);
    // Newcombe: Wilson 95 % of 1/4 is [l, u]; that of 3/4 is [1 - u, 1 - l], so the
    // interval is 0.5 -+ sqrt(2) x (u - 0.25) and 0.5 + sqrt(2) x (0.25 - l).
    let (n, p, z) = (4.0f64, 0.25f64, 1.959963984540054f64);
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let (l, u) = (centre - half, centre + half);
    assert!((d.low - (0.5 - std::f64::consts::SQRT_2 * (u - 0.25))).abs() < 1e-12);
    assert!((d.high - (0.5 + std::f64::consts::SQRT_2 * (0.25 - l))).abs() < 1e-12);
    assert!((d.low - -0.135_488_400_582_951_5).abs() < 1e-12 && (d.high - 0.789_083_268_084_755_7).abs() < 1e-12);
}

#[test]
fn outcome_branches_and_invalid_funnels() {
    let b = CustomerBase::builder()
        .interactions(ix(&[
            ("a", "2025-01-01", "invite", ""),
            ("a", "2025-01-03", "answer", "yes"),
            ("b", "2025-01-01", "invite", ""),
            ("b", "2025-01-02", "answer", "no"),
            ("c", "2025-01-01", "invite", ""),
            ("c", "2025-01-05", "answer", "cannot_come"),
            ("d", "2025-01-01", "invite", ""),
        ]))
        .unwrap()
        .build()
        .unwrap();
    let f = Funnel {
        name: "event".into(),
        steps: vec![
            FunnelStep {
                name: "invited".into(),
                event: EventMatch::Interaction { kind: "invite".into(), outcomes: vec![], channel: None },
                window_days: None,
            },
            FunnelStep {
                name: "said yes".into(),
                event: EventMatch::Interaction { kind: "answer".into(), outcomes: vec!["yes".into()], channel: None },
                window_days: Some(14),
            },
        ],
    };
    let r = b.funnel(&f, &FunnelPeriod::new(date("2025-01-01"), date("2025-01-02"), date("2025-02-01"))).unwrap();
    let o: Vec<(&str, u64)> = r.steps[1].outcomes.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(o, vec![("cannot_come", 1), ("no", 1), ("none", 1), ("yes", 1)]);
    assert_eq!((r.steps[1].entered, r.steps[0].dropped), (1, 3));
    let empty = Funnel { name: "x".into(), steps: vec![] };
    assert!(matches!(
        b.funnel(&empty, &FunnelPeriod::new(date("2025-01-01"), date("2025-01-02"), date("2025-02-01"))),
        Err(crm_core::Error::InvalidConfig { .. })
    ));
    assert!(b.funnel(&f, &FunnelPeriod::new(date("2025-01-02"), date("2025-01-01"), date("2025-02-01"))).is_err());
}

#[test]
fn scoring_work_list_with_contributions_decay_and_plan_comparison() {
    let mut customers = Vec::new();
    for (id, lease_end) in
        [("a", Some("2025-03-20")), ("b", Some("2025-09-01")), ("c", None), ("d", Some("2025-03-10"))]
    {
        let mut c = Customer::new(id);
        if let Some(d) = lease_end {
            c.attributes.insert("lease_end".into(), AttributeValue::Date(date(d)));
        }
        customers.push(c);
    }
    let history = ix(&[
        ("b", "2025-02-01", "service", ""),
        ("b", "2025-02-10", "service", ""),
        ("b", "2025-02-20", "service", ""),
        ("c", "2025-02-28", "trade_fair", ""), // 2 days before the as-of date
        ("d", "2025-01-30", "trade_fair", ""), // 31 days before
    ]);
    let b = CustomerBase::builder().customers(customers).interactions(history).unwrap().build().unwrap();
    let model = ScoringModel {
        rules: vec![
            ScoringRule {
                name: "lease ends within 30 days".into(),
                weight: 3.0,
                condition: Condition::DateWithinNext { attribute: "lease_end".into(), days: 30 },
                half_life_days: None,
            },
            ScoringRule {
                name: "much service".into(),
                weight: 2.0,
                condition: Condition::EventCount { kind: "service".into(), days: 90, min: 3 },
                half_life_days: None,
            },
            ScoringRule {
                name: "visited a fair".into(),
                weight: 1.0,
                condition: Condition::EventWithin { kind: "trade_fair".into(), days: 60 },
                half_life_days: Some(31.0),
            },
        ],
        ..Default::default()
    };
    let s = b.score(&model, date("2025-03-02")).unwrap();
    // a: lease 18 days ahead -> 3. b: 3 service calls -> 2. c: fair 2 days ago -> 0.5^(2/31).
    // d: lease 8 days ahead -> 3, fair 31 days ago -> 0.5.
    assert_eq!(s.scores[0], 3.0);
    assert_eq!(s.scores[1], 2.0);
    assert!((s.scores[2] - 0.5f64.powf(2.0 / 31.0)).abs() < 1e-12);
    assert_eq!(s.scores[3], 3.5);
    let order: Vec<&str> = s.work_list.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(order, vec!["d", "a", "b", "c"]);
    assert_eq!(
        s.work_list[0].contributions,
        vec![("lease ends within 30 days".to_string(), 3.0), ("visited a fair".to_string(), 0.5)]
    );
    // System: d, a, b (3.5, 3, 2; median 3); manual plan: b, c (2, 0.956; median 1.478).
    // All three system customers score above the manual median; no manual one above 3.
    let cmp = compare_plans(&s, &[3, 0, 1], &[1, 2]).unwrap();
    assert_eq!((cmp.overlap, cmp.system_median), (1, 3.0));
    assert!((cmp.manual_median - (2.0 + 0.5f64.powf(2.0 / 31.0)) / 2.0).abs() < 1e-12);
    assert_eq!((cmp.system_above_manual_median, cmp.manual_above_system_median), (3, 0));
    assert!(compare_plans(&s, &[9], &[]).is_err());
    // Back-test: who had a service call in the next 30 days? nobody: win rates 0.
    let bt = b
        .backtest(
            &model,
            date("2025-03-02"),
            &EventMatch::Interaction { kind: "service".into(), outcomes: vec![], channel: None },
            30,
        )
        .unwrap();
    assert_eq!((bt[0].hits, bt[0].wins), (2, 0));
}

#[test]
fn nps_by_group_and_change() {
    let mut rows = Vec::new();
    let ids: Vec<String> = (0..20).map(|k| format!("c{k:02}")).collect();
    // Ten in each half; first half answers 10,10,10,10,10,8,8,5,5,5 (NPS 20), second 9 x 10.
    let first = ["10", "10", "10", "10", "10", "8", "8", "5", "5", "5"];
    for k in 0..20 {
        let score = if k < 10 { first[k] } else { "9" };
        rows.push((ids[k].as_str(), "2025-02-01", "nps", score));
    }
    let b = CustomerBase::builder().interactions(ix(&rows)).unwrap().build().unwrap();
    let by = b
        .nps_by("nps", date("2025-01-01"), date("2025-03-01"), 0.95, |c| {
            Some(if c < 10 { "first".into() } else { "second".into() })
        })
        .unwrap();
    let f = by["first"];
    assert_eq!((f.promoters, f.passives, f.detractors, f.score), (5, 2, 3, 20.0));
    // variance (0.5 + 0.3 - 0.04) / 10 -> half-width 1.96 x sqrt(0.076) x 100
    assert!((f.high - 20.0 - 1.959963984540054 * 0.076f64.sqrt() * 100.0).abs() < 1e-9);
    assert_eq!(by["second"].score, 100.0);
    let ch = crm_core::nps::nps_change(&f, &by["second"], 0.95);
    assert_eq!(ch.change, 80.0);
    let bad =
        CustomerBase::builder().interactions(ix(&[("x", "2025-02-01", "nps", "eleven")])).unwrap().build().unwrap();
    let e = bad.nps_by("nps", date("2025-01-01"), date("2025-03-01"), 0.95, |_| Some("all".into())).unwrap_err();
    assert!(e.to_string().contains("customer `x`"), "{e}");
}

fn with_permissions(id: &str, channels: &[Channel]) -> Customer {
    let mut c = Customer::new(id);
    for &channel in channels {
        c.permissions.push(Permission { channel, granted: true, date: None });
    }
    c
}

#[test]
fn web_prospect_process_due_actions_blocked_and_kpis() {
    let p1 = examples().remove(0);
    let all = [Channel::Email, Channel::Letter, Channel::Phone];
    let customers = vec![
        with_permissions("A", &all),
        with_permissions("B", &all),
        with_permissions("C", &all),
        with_permissions("D", &[]),
    ];
    let history = ix(&[
        ("A", "2025-03-01", "web_registration", ""),
        ("B", "2025-02-20", "web_registration", ""),
        ("B", "2025-02-21", "P:1/D:1", ""),
        ("B", "2025-02-21", "P:1/D:2", ""),
        ("B", "2025-02-21", "P:1/D:3", ""),
        ("C", "2025-02-20", "web_registration", ""),
        ("C", "2025-02-21", "P:1/D:1", ""),
        ("C", "2025-02-21", "P:1/D:2", ""),
        ("C", "2025-02-22", "P:1/D:3", "interested"),
        ("D", "2025-03-01", "web_registration", ""),
    ]);
    let b = CustomerBase::builder().customers(customers).interactions(history).unwrap().build().unwrap();
    let r = b.due_actions(std::slice::from_ref(&p1), date("2025-03-03"), &EvaluationConfig::default()).unwrap();
    // Ordered by due date, process, dialog, then customer (A, B, C, D).
    let due: Vec<String> = r.due.iter().map(|a| format!("{} {} {}", a.due_date, a.dialog, a.customer_id)).collect();
    assert_eq!(
        due,
        vec![
            "2025-02-27 D:4 B", // the dealer gave no feedback within 7 days: remind
            "2025-03-01 D:1 A",
            "2025-03-01 D:2 A",
            "2025-03-01 D:2 D",
            "2025-03-01 D:3 A",
            "2025-03-01 D:3 D",
        ]
    );
    // D has no e-mail permission: the confirmation is blocked, not due.
    let blocked: Vec<(&str, &str)> = r.blocked.iter().map(|a| (a.customer_id.as_str(), a.dialog.as_str())).collect();
    assert_eq!(blocked, vec![("D", "D:1")]);
    assert_eq!(r.due[0].responsible, "Marketing support");
    // KPIs for February's registrations, as of 2025-03-03: B and C were
    // contacted within 5 days (2 of 2); one of the two contacted responded.
    let k = b.evaluate_kpis(&p1, date("2025-02-01"), date("2025-03-01"), date("2025-03-03")).unwrap();
    assert_eq!((k[0].actual.successes, k[0].actual.trials, k[0].met), (2, 2, true));
    assert_eq!((k[1].actual.successes, k[1].actual.trials, k[1].met), (1, 2, true));
}

#[test]
fn event_invitation_process_branches() {
    let p2 = examples().remove(1);
    let all = [Channel::Email, Channel::Letter, Channel::Phone];
    let mut customers: Vec<Customer> =
        ["E1", "E2", "E3", "E4", "E5"].iter().map(|id| with_permissions(id, &all)).collect();
    customers.push(with_permissions("E6", &[]));
    let mut rows = Vec::new();
    for id in ["E1", "E2", "E3", "E4", "E5"] {
        rows.push((id, "2025-03-06", "P:2/D:1", ""));
    }
    rows.extend([
        ("E1", "2025-03-08", "P:2/D:1", "yes"),
        ("E1", "2025-03-08", "P:2/D:2", ""),
        ("E2", "2025-03-08", "P:2/D:1", "no"),
        ("E3", "2025-03-10", "P:2/D:1", "cannot_come"),
        ("E4", "2025-03-09", "P:2/D:1", "yes"),
        ("E4", "2025-03-09", "P:2/D:2", ""),
        ("E5", "2025-03-09", "P:2/D:1", "yes"),
        ("E5", "2025-03-09", "P:2/D:2", ""),
        ("E5", "2025-03-20", "event_attended", ""),
    ]);
    let b = CustomerBase::builder().customers(customers).interactions(ix(&rows)).unwrap().build().unwrap();
    let at = |d: &str| {
        let r = b.due_actions(std::slice::from_ref(&p2), date(d), &EvaluationConfig::default()).unwrap();
        let due: Vec<String> = r.due.iter().map(|a| format!("{} {}", a.customer_id, a.dialog)).collect();
        let blocked: Vec<String> = r.blocked.iter().map(|a| format!("{} {}", a.customer_id, a.dialog)).collect();
        (due, blocked)
    };
    // Two weeks before: only E6 is not invited yet, and has no letter permission.
    assert_eq!(at("2025-03-06"), (vec![], vec!["E6 D:1".to_string()]));
    // The day before: the reminder to those who said yes (E1, E4, E5).
    let (due, _) = at("2025-03-19");
    assert_eq!(due, vec!["E1 D:3", "E4 D:3", "E5 D:3"]);
    // On the day: questionnaire to the attendee E5 and to E3, who could not come.
    let (due, _) = at("2025-03-20");
    assert!(due.contains(&"E5 D:4".to_string()) && due.contains(&"E3 D:4".to_string()), "{due:?}");
    // The day after: follow up E1 and E4, who said yes and did not attend.
    let (due, _) = at("2025-03-21");
    let d5: Vec<&String> = due.iter().filter(|d| d.ends_with("D:5")).collect();
    assert_eq!(d5, vec!["E1 D:5", "E4 D:5"]);
    // KPIs: all five invited responded; 2 of the 3 yes stayed away (no-show 67 % > 20 %).
    let k = b.evaluate_kpis(&p2, date("2025-03-01"), date("2025-04-01"), date("2025-03-31")).unwrap();
    assert_eq!((k[0].actual.successes, k[0].actual.trials, k[0].met), (5, 5, true));
    assert_eq!((k[1].actual.successes, k[1].actual.trials, k[1].met), (2, 3, false));
}

#[test]
fn process_definitions_round_trip_and_bad_ones_are_refused() {
    for p in examples() {
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(crm_core::process::Process::from_json(&json).unwrap(), p);
    }
    let bad = r#"id = "P:9"
name = "x"
kind = "retain"
[[dialogs]]
id = "D:1"
name = "a"
trigger = { type = "response", dialog = "D:7", outcomes = ["yes"] }
timing = { type = "immediately" }
channel = "email"
"#;
    let e = crm_core::process::Process::from_toml(bad).unwrap_err();
    assert!(e.to_string().contains("no dialog `D:7`"), "{e}");
    let e = crm_core::process::Process::from_toml("id = 3").unwrap_err();
    assert!(matches!(e, crm_core::Error::InvalidConfig { .. }), "{e}");
}
