//! The customer-development report the way a cluster computes it: the transactions dealt
//! by a hash of the customer id over 1, 2, 7 and 64 tasks (rows reversed in every task),
//! a scan per task, the context on the "driver", the tied cuts' ids when needed, a partial
//! per task, all through bytes and merged in reverse order. The result is the single
//! machine's report, figure for figure: counts and texts exactly, money to 1e-9 relative.
//! Share of wallet comes from the whole base's quantile, as on one machine without a
//! customer table; with customer tables (peer groups, profiles) the cluster leaves wallet
//! and profiles out, with a caveat saying so.

mod common;

use chrono::NaiveDate;
use common::hash_tasks;
use crm_core::distributed::{ReportContext, ReportPartial, ReportScan, TieIds};
use crm_core::report::{Report, ReportConfig};
use crm_core::sample::{SampleConfig, generate};
use crm_core::{CustomerBase, KeyColumn, SegmentConfig, TransactionColumns, ValueMeasure};
use serde_json::Value;

fn reversed(t: TransactionColumns) -> TransactionColumns {
    let KeyColumn::Int(ids) = &t.customer else { panic!("integer ids") };
    let rev = |v: &[f64]| v.iter().rev().copied().collect::<Vec<_>>();
    let mut out = TransactionColumns::new(
        KeyColumn::Int(ids.iter().rev().copied().collect()),
        t.timestamp.iter().rev().copied().collect(),
        rev(&t.amount),
    );
    out.margin = t.margin.as_deref().map(rev);
    out
}

/// The report over `parts` tasks; also whether a cut needed the tasks' tied ids.
fn distributed(tx: &TransactionColumns, parts: u64, as_of: NaiveDate, config: &ReportConfig) -> (Report, bool) {
    let bases: Vec<CustomerBase> = hash_tasks(tx, parts)
        .into_iter()
        .filter(|t| !t.amount.is_empty())
        .map(|t| CustomerBase::from_transactions(reversed(t)).unwrap())
        .collect();
    let mut scan = ReportScan::empty(as_of, config).unwrap();
    for b in bases.iter().rev() {
        scan.merge(&ReportScan::from_bytes(&ReportScan::of(b, as_of, config).unwrap().to_bytes()).unwrap()).unwrap();
    }
    let mut context = ReportContext::from_bytes(&scan.finish(config).unwrap().to_bytes()).unwrap();
    let tied = context.needs_ids();
    if tied {
        assert!(ReportPartial::of(&bases[0], &context).is_err(), "a partial before the ids are in");
        let mut ids = TieIds::default();
        for b in &bases {
            ids.merge(&TieIds::from_bytes(&context.tie_ids(b).unwrap().to_bytes()).unwrap()).unwrap();
        }
        context.resolve(&ids).unwrap();
    }
    let mut merged = ReportPartial::empty(&context).unwrap();
    for b in bases.iter().rev() {
        let p = ReportPartial::of(b, &context).unwrap();
        merged.merge(&ReportPartial::from_bytes(&p.to_bytes()).unwrap()).unwrap();
    }
    (merged.finish(&context).unwrap(), tied)
}

/// Every field equal: integers and texts exactly, other numbers to 1e-9 relative.
fn assert_same(got: &Value, want: &Value, path: &str) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(g), keys(w), "{path}");
            for (k, v) in w {
                assert_same(&g[k], v, &format!("{path}.{k}"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}: lengths");
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                assert_same(a, b, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(g), Value::Number(w)) if w.is_u64() || w.is_i64() => assert_eq!(g, w, "{path}"),
        (Value::Number(g), Value::Number(w)) => {
            let (a, b) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0), "{path}: {a} vs {b}");
        }
        _ => assert_eq!(got, want, "{path}"),
    }
}

fn check(tx: &TransactionColumns, as_of: NaiveDate, config: &ReportConfig) -> bool {
    let single = CustomerBase::from_transactions(tx.clone()).unwrap().report(as_of, config).unwrap();
    assert!(single.wallet.is_some() && single.profiles.is_none(), "no customer table: wallets, no profiles");
    let want = serde_json::to_value(&single).unwrap();
    let mut tied = false;
    for parts in [1u64, 2, 7, 64] {
        let (report, t) = distributed(tx, parts, as_of, config);
        tied |= t;
        let got = serde_json::to_value(&report).unwrap();
        assert_same(&got, &want, &format!("parts {parts}"));
        // Rendered the same way.
        assert!(report.to_markdown().contains("| top |"));
    }
    tied
}

#[test]
fn the_report_over_tasks_is_the_single_machine_report() {
    let data = generate(&SampleConfig { customers: 1_500, profiles: false, interactions: false, ..Default::default() });
    let single =
        CustomerBase::from_transactions(data.transactions.clone()).unwrap().report(data.end, &Default::default());
    let single = single.unwrap();
    // The sample's history supports every section.
    assert!(single.flows.is_some() && single.migration.is_some() && single.clv.is_some());
    assert!(single.returns.transactions > 0, "refunds in the sample");
    check(&data.transactions, data.end, &ReportConfig::default());
}

#[test]
fn ties_margins_other_rules_and_short_histories_too() {
    let data = generate(&SampleConfig { customers: 1_200, profiles: false, interactions: false, ..Default::default() });
    let mut tx = data.transactions.clone();
    // Coarse amounts: segment, pyramid and ABC cuts fall inside groups of tied customers.
    tx.amount.iter_mut().for_each(|a| *a = (*a / 100.0).round() * 100.0);
    assert!(check(&tx, data.end, &ReportConfig::default()), "a cut inside tied values");
    let margin_rules = ReportConfig {
        segments: SegmentConfig {
            measure: ValueMeasure::Margin,
            shares: [0.1, 0.3, 0.6],
            abc_shares: [0.5, 0.3, 0.2],
            ..SegmentConfig::default()
        },
        top_customers: 25,
        ..ReportConfig::default()
    };
    assert!(data.transactions.margin.is_some(), "the sample has margins");
    check(&data.transactions, data.end, &margin_rules);
    let mut configured = ReportConfig::default();
    configured.clv.duration_years = Some(3.5);
    configured.clv.discount_rate = 0.0;
    check(&tx, data.end, &configured);
    // Eight months of history: no flows, no migration, no CLV (withheld, with reasons).
    let first = data.transactions.timestamp.iter().min().unwrap() / 86_400;
    let early = crm_core::time::day_to_date((first + 240) as i32);
    let short = CustomerBase::from_transactions(tx.clone()).unwrap().report(early, &Default::default()).unwrap();
    assert!(short.flows.is_none() && short.migration.is_none() && short.clv.is_none());
    check(&tx, early, &ReportConfig::default());
    // With a configured duration the CLV shows without measurable flows.
    check(&tx, early, &configured);
}

#[test]
fn report_bytes_refuse_other_kinds_and_mixed_reports() {
    let data = generate(&SampleConfig { customers: 200, profiles: false, interactions: false, ..Default::default() });
    let base = CustomerBase::from_transactions(data.transactions.clone()).unwrap();
    let config = ReportConfig::default();
    let scan = ReportScan::of(&base, data.end, &config).unwrap();
    let context = scan.finish(&config).unwrap();
    let partial = ReportPartial::of(&base, &context).unwrap();
    assert!(ReportScan::from_bytes(&partial.to_bytes()).is_err());
    assert!(ReportPartial::from_bytes(&scan.to_bytes()).is_err());
    assert!(ReportContext::from_bytes(b"CRMX\x01{").is_err());
    let bytes = partial.to_bytes();
    assert!(ReportPartial::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    // Scans of another date, partials of a report without flows, do not merge.
    let other = ReportScan::of(&base, data.end - chrono::Days::new(1), &config).unwrap();
    assert!(scan.clone().merge(&other).is_err());
    let first = data.transactions.timestamp.iter().min().unwrap() / 86_400;
    let early = crm_core::time::day_to_date((first + 100) as i32);
    let early_context = ReportScan::of(&base, early, &config).unwrap().finish(&config).unwrap();
    let early_partial = ReportPartial::of(&base, &early_context).unwrap();
    assert!(partial.clone().merge(&early_partial).is_err());
    assert!(early_partial.finish(&context).is_err());
}

#[test]
fn with_customer_tables_the_cluster_leaves_wallet_and_profiles_out_and_says_so() {
    let data = generate(&SampleConfig { customers: 300, interactions: false, ..Default::default() });
    assert!(!data.customers.is_empty());
    let end = data.end;
    let base = data.into_base().unwrap();
    let config = ReportConfig::default();
    let single = base.report(end, &config).unwrap();
    assert!(single.wallet.is_some() && single.profiles.is_some());
    let mut context = ReportScan::of(&base, end, &config).unwrap().finish(&config).unwrap();
    if context.needs_ids() {
        context.resolve(&context.tie_ids(&base).unwrap()).unwrap();
    }
    let report = ReportPartial::of(&base, &context).unwrap().finish(&context).unwrap();
    assert!(report.wallet.is_none() && report.profiles.is_none());
    let note = report.caveats.last().expect("the cluster's caveat");
    assert!(note.figure.contains("share of wallet") && note.reason.contains("customer attributes"), "{note:?}");
    assert_eq!(report.caveats.len(), single.caveats.len() + 1);
}

#[test]
fn the_work_list_breaks_ties_by_id_on_every_split() {
    // Every customer the same: one growth potential, so the list is the ten smallest ids.
    let ids: Vec<i64> = (0..40).rev().collect();
    let ts: Vec<i64> = ids.iter().map(|i| 1_600_000_000 + i * 60).collect();
    let mut tx = TransactionColumns::new(KeyColumn::Int(ids.clone()), ts, vec![100.0; 40]);
    // Five bigger spenders set the 0.9 quantile (the wallet) above the rest's spend.
    tx.amount[..5].iter_mut().for_each(|a| *a = 500.0);
    let as_of = NaiveDate::from_ymd_opt(2020, 10, 1).unwrap();
    check(&tx, as_of, &ReportConfig::default());
    let single = CustomerBase::from_transactions(tx).unwrap().report(as_of, &ReportConfig::default()).unwrap();
    let list: Vec<&str> = single.wallet.as_ref().unwrap().work_list.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(list, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
}
