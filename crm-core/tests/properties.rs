//! Invariants for any data: segments partition the ranked customers, shares sum to one,
//! every customer has exactly one stage, and results do not depend on input row order.
use chrono::NaiveDate;
use crm_core::rank::split_counts;
use crm_core::{CustomerBase, LifecycleConfig, SegmentConfig, TransactionColumns, ValueMeasure};
use proptest::prelude::*;

const DAY: i64 = 86_400;

fn rows() -> impl Strategy<Value = Vec<(i64, i64, f64, f64)>> {
    // customer 0..40, day 0..1500, amount -50..500 in whole units (so sums are exact), margin
    prop::collection::vec((0i64..40, 0i64..1500, -50i32..500, -20i32..200), 0..300)
        .prop_map(|v| v.into_iter().map(|(c, d, a, m)| (c, d, a as f64, m as f64)).collect())
}

fn base_of(rows: &[(i64, i64, f64, f64)]) -> CustomerBase {
    let mut t = TransactionColumns::new(
        rows.iter().map(|r| r.0).collect::<Vec<_>>().into(),
        rows.iter().map(|r| r.1 * DAY + 3600).collect(),
        rows.iter().map(|r| r.2).collect(),
    );
    t.margin = Some(rows.iter().map(|r| r.3).collect());
    CustomerBase::from_transactions(t).unwrap()
}

fn as_of(day: i64) -> NaiveDate {
    crm_core::time::day_to_date(day as i32)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn segments_partition_the_ranked_customers(rows in rows(), day in 0i64..1600, s1 in 0.0f64..0.6, s2 in 0.0f64..0.4) {
        let base = base_of(&rows);
        let shares = [s1, s2, 1.0 - s1 - s2];
        let cfg = SegmentConfig { shares, measure: ValueMeasure::Margin, ..Default::default() };
        let seg = base.segments(as_of(day), &cfg).unwrap();
        let ranked = seg.rank.iter().filter(|r| r.is_some()).count();
        prop_assert_eq!(seg.segment.iter().filter(|s| s.is_some()).count(), ranked);
        prop_assert_eq!(seg.segment_table.iter().map(|r| r.customers).sum::<usize>(), ranked);
        prop_assert_eq!(seg.abc_table.iter().map(|r| r.customers).sum::<usize>(), ranked);
        prop_assert_eq!(seg.pyramid_table.iter().map(|r| r.customers).sum::<usize>(), base.len());
        if ranked > 0 {
            let share: f64 = seg.segment_table.iter().map(|r| r.customer_share).sum();
            prop_assert!((share - 1.0).abs() < 1e-12);
            let rev: f64 = seg.segment_table.iter().map(|r| r.revenue).sum();
            let total: f64 = seg.revenue.iter().sum();
            prop_assert!((rev - total).abs() < 1e-6);
        }
        // Ranks are a permutation of 0..ranked, ordered by value.
        let mut ranks: Vec<u32> = seg.rank.iter().flatten().copied().collect();
        ranks.sort_unstable();
        prop_assert_eq!(ranks, (0..ranked as u32).collect::<Vec<_>>());
        for a in 0..base.len() {
            for b in 0..base.len() {
                if let (Some(ra), Some(rb)) = (seg.rank[a], seg.rank[b]) && ra < rb {
                    prop_assert!(seg.value[a] >= seg.value[b]);
                }
            }
        }
    }

    #[test]
    fn every_customer_has_exactly_one_stage(rows in rows(), day in 0i64..1600) {
        let base = base_of(&rows);
        let l = base.lifecycle(as_of(day), &LifecycleConfig::default()).unwrap();
        prop_assert_eq!(l.stages.len(), base.len());
        prop_assert_eq!(l.counts.iter().sum::<usize>(), base.len());
    }

    #[test]
    fn results_do_not_depend_on_row_order(rows in rows(), day in 0i64..1600, seed in any::<u64>()) {
        let mut shuffled = rows.clone();
        let mut rng = crm_core::sample::Rng::new(seed);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let (a, b) = (base_of(&rows), base_of(&shuffled));
        let d = as_of(day);
        prop_assert_eq!(a.summary(d).unwrap(), b.summary(d).unwrap());
        prop_assert_eq!(a.lifecycle(d, &LifecycleConfig::default()).unwrap(), b.lifecycle(d, &LifecycleConfig::default()).unwrap());
        let cfg = SegmentConfig { measure: ValueMeasure::Profit, window_days: None, ..Default::default() };
        let (sa, sb) = (a.segments(d, &cfg).unwrap(), b.segments(d, &cfg).unwrap());
        // Bit-for-bit equality, floats included.
        prop_assert_eq!(serde_json::to_string(&sa).unwrap(), serde_json::to_string(&sb).unwrap());
    }

    #[test]
    fn split_counts_sum_to_n(n in 0usize..10_000, s1 in 0.0f64..1.0, s2 in 0.0f64..1.0) {
        let s2 = s2 * (1.0 - s1);
        let counts = split_counts(n, &[s1, s2, 1.0 - s1 - s2]);
        prop_assert_eq!(counts.iter().sum::<usize>(), n);
        // Each boundary is within one of its exact share.
        prop_assert!((counts[0] as f64 - n as f64 * s1).abs() <= 0.5 + 1e-6);
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // 120,000 customers exceed the one-thread threshold, so the chunked path runs; the
    // result must equal a plain sequential computation of the same rows.
    let data = crm_core::sample::generate(&crm_core::sample::SampleConfig {
        customers: 120_000,
        profiles: false,
        interactions: false,
        ..Default::default()
    });
    let end = data.end;
    let base = data.into_base().unwrap();
    let l = base.lifecycle(end, &LifecycleConfig::default()).unwrap();
    let s = base.summary(end).unwrap();
    // Recompute a sample of customers on a one-customer base each: same stage, same
    // revenue. (Without a customer table every customer has transactions.)
    for c in (0..base.len() as u32).step_by(997) {
        let t = base.transactions().of(c);
        let mut cols = TransactionColumns::new(vec![0_i64; t.len()].into(), t.time.to_vec(), t.amount.to_vec());
        cols.margin = t.margin.map(<[f64]>::to_vec);
        let one = CustomerBase::from_transactions(cols).unwrap();
        assert_eq!(one.lifecycle(end, &LifecycleConfig::default()).unwrap().stages[0], l.stages[c as usize]);
        // RFM scores are relative to the base; every other field is the customer's own.
        let mut alone = one.summary(end).unwrap().row(0);
        alone.rfm = s.rfm_of(c as usize);
        alone.customer = c;
        assert_eq!(alone, s.row(c as usize));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn flow_books_balance_for_any_data_and_period(rows in rows(), a in 0i64..1600, len in 1i64..900) {
        let base = base_of(&rows);
        let cfg = crm_core::FlowConfig::default();
        let f = base.flows(as_of(a), as_of(a + len), &cfg).unwrap();
        prop_assert!(f.balances(), "{:?}", f);
        prop_assert_eq!(f.new, f.new_active + f.new_starters);
        let seg_start: u64 = f.by_segment.iter().map(|s| s.base_at_start).sum();
        prop_assert_eq!(seg_start, f.base_at_start);
        let seg_lost: u64 = f.by_segment.iter().map(|s| s.lost).sum();
        prop_assert_eq!(seg_lost, f.lost);
    }

    #[test]
    fn migration_rows_sum_to_one_and_projection_keeps_the_total(rows in rows(), a in 0i64..1500, len in 1i64..400) {
        let base = base_of(&rows);
        let m = base.segment_migration(as_of(a), as_of(a + len), &SegmentConfig::default()).unwrap();
        prop_assert_eq!(m.counts.iter().flatten().sum::<u64>() as usize, base.len());
        for row in &m.rates {
            prop_assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let start: Vec<f64> = m.at_to().iter().map(|&c| c as f64).collect();
        for v in m.project(&start, 5).unwrap() {
            prop_assert!((v.iter().sum::<f64>() - base.len() as f64).abs() < 1e-9);
        }
    }

    #[test]
    fn flows_do_not_depend_on_row_order(rows in rows(), a in 0i64..1500, seed in any::<u64>()) {
        let mut shuffled = rows.clone();
        let mut rng = crm_core::sample::Rng::new(seed);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let cfg = crm_core::FlowConfig::default();
        let fa = base_of(&rows).flow_series(as_of(a), crm_core::Period::Quarter, 4, &cfg).unwrap();
        let fb = base_of(&shuffled).flow_series(as_of(a), crm_core::Period::Quarter, 4, &cfg).unwrap();
        prop_assert_eq!(serde_json::to_string(&fa).unwrap(), serde_json::to_string(&fb).unwrap());
    }
}
