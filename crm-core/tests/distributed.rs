//! A Rust host distributing the summary: the sample's transactions split by a hash of the
//! customer id into 1, 2, 7 and 64 tasks, each task's base summarised on its own, the RFM
//! partials merged (as bytes, in reverse order) and every task rescored: the single-machine
//! summary, customer for customer.

use crm_core::distributed::{RfmPartial, RfmScorer};
use crm_core::sample::{SampleConfig, generate};
use crm_core::{CustomerBase, TransactionColumns};

mod common;
use common::hash_tasks as tasks;

#[test]
fn distributed_summary_equals_the_single_machine_one() {
    let data =
        generate(&SampleConfig { customers: 3_000, profiles: false, interactions: false, ..SampleConfig::default() });
    let (as_of, tx) = (data.end, data.transactions.clone());
    let whole = CustomerBase::from_transactions(tx.clone()).unwrap();
    let single = whole.summary(as_of).unwrap();
    for parts in [1u64, 2, 7, 64] {
        let mut summaries = Vec::new();
        for t in tasks(&tx, parts) {
            if t.amount.is_empty() {
                continue;
            }
            let base = CustomerBase::from_transactions(t).unwrap();
            let s = base.summary(as_of).unwrap();
            summaries.push((base, s));
        }
        let mut merged = RfmPartial::default();
        for (_, s) in summaries.iter().rev() {
            merged.merge(&RfmPartial::from_bytes(&RfmPartial::from_summary(s).to_bytes()).unwrap());
        }
        assert_eq!(merged.buyers(), single.purchases.iter().filter(|&&p| p > 0).count() as u64);
        let scorer = RfmScorer::from_bytes(&merged.finish().to_bytes()).unwrap();
        let mut seen = 0;
        for (base, s) in &mut summaries {
            scorer.rescore(s);
            for i in 0..base.len() {
                let c = whole.index_of(&base.id(i as u32)).unwrap() as usize;
                assert_eq!(s.rfm[i], single.rfm[c], "parts {parts} customer {:?}", base.id(i as u32));
                assert_eq!(s.purchases[i], single.purchases[c]);
                assert_eq!(s.revenue[i], single.revenue[c]);
                seen += 1;
            }
        }
        assert_eq!(seen, single.len(), "parts {parts}");
    }
}

#[test]
fn distributed_model_fits_equal_the_single_machine_ones() {
    use crm_core::distributed::ModelPartial;
    use crm_core::models::{
        BetaGeo, FitOptions, GammaGamma, ModifiedBetaGeo, ParetoNbd, TimeUnit, summary_from_transactions,
    };
    let data =
        generate(&SampleConfig { customers: 600, profiles: false, interactions: false, ..SampleConfig::default() });
    let (end, tx) = (data.end, data.transactions.clone());
    let whole = summary_from_transactions(&CustomerBase::from_transactions(tx.clone()).unwrap(), end, TimeUnit::Weeks);
    let options = FitOptions::default();
    let single = (
        BetaGeo::fit(&whole.data, &options).unwrap().0,
        ModifiedBetaGeo::fit(&whole.data, &options).unwrap().0,
        ParetoNbd::fit(&whole.data, &options).unwrap().0,
    );
    // Gamma-Gamma takes repeat buyers with a positive mean spend (the sample has refunds).
    let repeat: Vec<usize> =
        (0..whole.data.len()).filter(|&i| whole.data.frequency[i] > 0.0 && whole.monetary_value[i] > 0.0).collect();
    let pick = |v: &[f64]| repeat.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let single_gg =
        GammaGamma::fit(&pick(&whole.data.frequency), &pick(&whole.monetary_value), None, &options).unwrap().0;
    for parts in [1u64, 7, 64] {
        let mut merged = ModelPartial::default();
        for t in tasks(&tx, parts).into_iter().rev() {
            if t.amount.is_empty() {
                continue;
            }
            let s = summary_from_transactions(&CustomerBase::from_transactions(t).unwrap(), end, TimeUnit::Weeks);
            merged.merge(&ModelPartial::from_bytes(&ModelPartial::from_summary(&s).unwrap().to_bytes()).unwrap());
        }
        assert_eq!(merged.customers(), whole.data.len() as f64);
        let rows = merged.purchases();
        // Bit for bit: the same distinct rows with the same counts.
        assert_eq!(BetaGeo::fit(rows, &options).unwrap().0, single.0, "parts {parts}");
        assert_eq!(ModifiedBetaGeo::fit(rows, &options).unwrap().0, single.1, "parts {parts}");
        // Pareto/NBD without a penalty (its penalty is per row given, as lifetimes').
        assert_eq!(ParetoNbd::fit(rows, &options).unwrap().0, single.2, "parts {parts}");
        let (x, m, w) = merged.spend();
        assert_eq!(w.iter().sum::<f64>(), repeat.len() as f64);
        assert_eq!(GammaGamma::fit(x, m, Some(w), &options).unwrap().0, single_gg, "parts {parts}");
    }
}

#[test]
fn distributed_flows_equal_the_single_machine_ones() {
    use chrono::NaiveDate;
    use crm_core::distributed::FlowsPartial;
    use crm_core::flows::{FlowConfig, Period, period_bounds};
    let data =
        generate(&SampleConfig { customers: 1_500, profiles: false, interactions: false, ..SampleConfig::default() });
    let tx = data.transactions.clone();
    let whole = CustomerBase::from_transactions(tx.clone()).unwrap();
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    let bounds = period_bounds(start, Period::Quarter, 6).unwrap();
    let config = FlowConfig { by_segment: false, ..FlowConfig::default() };
    let single = whole.flow_periods(&bounds, &config).unwrap();
    assert!(single.iter().all(|r| r.lost > 0 && r.new > 0), "the sample's flows are not trivial");
    for parts in [1u64, 2, 7, 64] {
        let mut merged = FlowsPartial::empty(&bounds).unwrap();
        for t in tasks(&tx, parts) {
            if t.amount.is_empty() {
                continue;
            }
            let p = FlowsPartial::of(&CustomerBase::from_transactions(t).unwrap(), &bounds, &config).unwrap();
            merged.merge(&FlowsPartial::from_bytes(&p.to_bytes()).unwrap()).unwrap();
        }
        let got = merged.finish(&config);
        for (g, s) in got.iter().zip(&single) {
            // Counts exactly; money within 1e-9 (sums in another order).
            let counts = |r: &crm_core::flows::FlowReport| {
                (r.base_at_start, r.new, r.new_active, r.won_back, r.lost, r.base_at_end, r.new_and_lost, r.churn_rate)
            };
            assert_eq!(counts(g), counts(s), "parts {parts}");
            assert_eq!(g.duration_years, s.duration_years);
            for (a, b) in [(g.new_value, s.new_value), (g.lost_value, s.lost_value), (g.stayed_value, s.stayed_value)] {
                assert!((a.revenue - b.revenue).abs() <= 1e-9 * b.revenue.abs(), "parts {parts}");
                assert!((a.margin - b.margin).abs() <= 1e-9 * b.margin.abs(), "parts {parts}");
            }
        }
    }
    let segmented = FlowConfig::default();
    assert!(FlowsPartial::of(&whole, &bounds, &segmented).unwrap_err().to_string().contains("by_segment"));
    let other = FlowsPartial::empty(&bounds[..3]).unwrap();
    assert!(FlowsPartial::empty(&bounds).unwrap().merge(&other).is_err());
}

#[test]
fn distributed_lifecycle_migration_equals_the_single_machine_one() {
    use chrono::NaiveDate;
    use crm_core::distributed::MigrationPartial;
    use crm_core::lifecycle::LifecycleConfig;
    let data =
        generate(&SampleConfig { customers: 1_500, profiles: false, interactions: false, ..SampleConfig::default() });
    let tx = data.transactions.clone();
    let whole = CustomerBase::from_transactions(tx.clone()).unwrap();
    let (from, to) = (NaiveDate::from_ymd_opt(2023, 6, 30).unwrap(), NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
    let config = LifecycleConfig::default();
    let single = whole.lifecycle_migration(from, to, &config).unwrap();
    let moved: u64 = (0..single.states.len())
        .flat_map(|i| (0..single.states.len()).map(move |j| (i, j)))
        .filter(|(i, j)| i != j)
        .map(|(i, j)| single.counts[i][j])
        .sum();
    assert!(moved > 100, "customers change stage in the sample");
    for parts in [1u64, 7, 64] {
        let mut merged: Option<MigrationPartial> = None;
        for t in tasks(&tx, parts) {
            if t.amount.is_empty() {
                continue;
            }
            let p =
                MigrationPartial::lifecycle(&CustomerBase::from_transactions(t).unwrap(), from, to, &config).unwrap();
            let p = MigrationPartial::from_bytes(&p.to_bytes()).unwrap();
            match &mut merged {
                Some(m) => m.merge(&p).unwrap(),
                None => merged = Some(p),
            }
        }
        assert_eq!(merged.unwrap().finish(), single, "parts {parts}");
    }
}

/// The host's side of distributed segments, simulated: each task's rows, the merged
/// partial, one global sort by (rank key, id) standing for the cluster's range sort, then
/// each row classified by its position and the tables summed per task.
/// The segment and pyramid level and the value of every customer of `whole` (by its
/// index) over the tasks, checked against the single machine.
fn distributed_segments(
    whole: &CustomerBase,
    tx: &TransactionColumns,
    parts: u64,
    as_of: chrono::NaiveDate,
    config: &crm_core::SegmentConfig,
) -> Vec<(Option<crm_core::ValueSegment>, crm_core::PyramidLevel, f64)> {
    let mut classes = vec![None; whole.len()];
    use crm_core::distributed::{SegmentRows, SegmentTablesPartial, SegmentsPartial, Standing, rank_key};
    let single = whole.segments(as_of, config).unwrap();
    let tasks: Vec<(CustomerBase, SegmentRows)> = tasks(tx, parts)
        .into_iter()
        .filter(|t| !t.amount.is_empty())
        .map(|t| {
            let base = CustomerBase::from_transactions(t).unwrap();
            let rows = SegmentRows::of(&base, as_of, config).unwrap();
            (base, rows)
        })
        .collect();
    let mut merged = SegmentsPartial::default();
    for (_, rows) in tasks.iter().rev() {
        merged.merge(&SegmentsPartial::from_bytes(&rows.partial().to_bytes()).unwrap());
    }
    let ranker =
        crm_core::distributed::SegmentRanker::from_bytes(&merged.finish(config, parts as u32).unwrap().to_bytes())
            .unwrap();
    assert_eq!(ranker.ranked(), single.rank.iter().flatten().count() as u64);
    assert!(ranker.buckets() <= parts as u32);
    // The cluster's shuffle: ranked rows by bucket into `parts` tasks (a hash), each task
    // sorted by (rank key, id) and numbered by the ranker.
    let mut shuffled: Vec<Vec<(i64, i64, usize, usize)>> = vec![Vec::new(); parts as usize];
    for (t, (base, rows)) in tasks.iter().enumerate() {
        for i in 0..base.len() {
            if rows.standing[i] == Standing::Ranked {
                let crm_core::Key::Int(id) = base.id(i as u32) else { panic!("integer ids") };
                let to = (ranker.bucket(rows.value[i]) as u64).wrapping_mul(0x9E37_79B9) % parts;
                shuffled[to as usize].push((rank_key(rows.value[i]), id, t, i));
            }
        }
    }
    let mut rank_of: Vec<Vec<Option<u64>>> = tasks.iter().map(|(b, _)| vec![None; b.len()]).collect();
    for mut rows in shuffled {
        rows.sort_unstable();
        let values: Vec<f64> = rows.iter().map(|&(_, _, t, i)| tasks[t].1.value[i]).collect();
        for (&(_, _, t, i), rank) in rows.iter().zip(ranker.ranks(&values).unwrap()) {
            rank_of[t][i] = Some(rank);
        }
    }
    let mut tables = SegmentTablesPartial::empty(single.profit.is_some());
    for (t, (base, rows)) in tasks.iter().enumerate() {
        let (mut segment, mut abc, mut pyramid) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..base.len() {
            let c = whole.index_of(&base.id(i as u32)).unwrap() as usize;
            let (s, a, p) = match rank_of[t][i] {
                Some(r) => {
                    let (s, a, p) = ranker.classify(r).unwrap();
                    (Some(s), Some(a), p)
                }
                None => (None, None, rows.standing[i].unranked_level().unwrap()),
            };
            let who = format!("parts {parts} customer {:?} config {config:?}", base.id(i as u32));
            assert_eq!(rank_of[t][i], single.rank[c].map(u64::from), "{who}");
            assert_eq!((s, a, p), (single.segment[c], single.abc[c], single.pyramid[c]), "{who}");
            assert_eq!(rows.value[i].to_bits(), single.value[c].to_bits(), "{who}");
            assert_eq!(rows.revenue[i].to_bits(), single.revenue[c].to_bits(), "{who}");
            assert_eq!(rows.profit.as_ref().map(|p| p[i]), single.profit.as_ref().map(|p| p[c]), "{who}");
            segment.push(s);
            abc.push(a);
            pyramid.push(p);
            classes[c] = Some((s, p, rows.value[i]));
        }
        let share = SegmentTablesPartial::of(rows, &segment, &abc, &pyramid).unwrap();
        tables.merge(&SegmentTablesPartial::from_bytes(&share.to_bytes()).unwrap());
    }
    let got = tables.finish();
    let want = [&single.segment_table, &single.abc_table, &single.pyramid_table];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.len(), w.len());
        for (g, w) in g.iter().zip(w) {
            assert_eq!(
                (&g.segment, g.customers, g.negative_profit_customers),
                (&w.segment, w.customers, w.negative_profit_customers)
            );
            assert!(close(g.revenue, w.revenue) && close(g.revenue_share, w.revenue_share), "{g:?} {w:?}");
            assert!(close(g.cost_to_serve, w.cost_to_serve) && close(g.customer_share, w.customer_share));
            for (a, b) in [(g.margin, w.margin), (g.profit, w.profit), (g.profit_share, w.profit_share)] {
                assert_eq!(a.is_some(), b.is_some());
                assert!(close(a.unwrap_or(0.0), b.unwrap_or(0.0)), "{g:?} {w:?}");
            }
        }
    }
    classes.into_iter().map(|c| c.expect("every customer in a task")).collect()
}

#[test]
fn distributed_segments_equal_the_single_machine_ones() {
    use crm_core::{SegmentConfig, ValueMeasure};
    let data =
        generate(&SampleConfig { customers: 2_000, profiles: false, interactions: false, ..SampleConfig::default() });
    let mut tx = data.transactions.clone();
    // Coarse amounts: many customers tie on value, across tasks, and refunds stay.
    tx.amount.iter_mut().for_each(|a| *a = (*a / 50.0).round() * 50.0);
    let whole = CustomerBase::from_transactions(tx.clone()).unwrap();
    let configs = [
        SegmentConfig::default(),
        SegmentConfig { measure: ValueMeasure::Margin, window_days: None, ..SegmentConfig::default() },
        SegmentConfig {
            shares: [0.1, 0.1, 0.8],
            window_days: Some(90),
            abc_shares: [0.5, 0.3, 0.2],
            pyramid_shares: [0.25, 0.25, 0.25, 0.25],
            ..SegmentConfig::default()
        },
    ];
    for config in &configs {
        for parts in [1u64, 2, 7, 64] {
            distributed_segments(&whole, &tx, parts, data.end, config);
        }
    }
}

#[test]
fn distributed_segments_with_equal_values_cut_abc_as_one_machine() {
    // 40 customers who all spent 25: the ABC limits fall on running sums whose rounding
    // decides the class of the customer at the limit.
    let n = 40i64;
    let ids: Vec<i64> = (1..=n).collect();
    let tx = TransactionColumns::new(ids.clone().into(), vec![0; n as usize], vec![25.0; n as usize]);
    let whole = CustomerBase::from_transactions(tx.clone()).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(1970, 3, 1).unwrap();
    let single = whole.segments(as_of, &crm_core::SegmentConfig::default()).unwrap();
    // By hand: 80 % of 1000 is reached after 32 customers, 95 % after 38.
    let classes: Vec<usize> = single.abc_table.iter().map(|r| r.customers).collect();
    assert_eq!(classes, vec![32, 6, 2]);
    for parts in [1u64, 2, 7, 64] {
        distributed_segments(&whole, &tx, parts, as_of, &crm_core::SegmentConfig::default());
    }
}

#[test]
fn distributed_segment_migration_equals_the_single_machine_one() {
    use chrono::NaiveDate;
    use crm_core::SegmentConfig;
    use crm_core::distributed::MigrationPartial;
    let data =
        generate(&SampleConfig { customers: 1_500, profiles: false, interactions: false, ..SampleConfig::default() });
    let mut tx = data.transactions.clone();
    tx.amount.iter_mut().for_each(|a| *a = (*a / 50.0).round() * 50.0);
    let whole = CustomerBase::from_transactions(tx.clone()).unwrap();
    let (from, to) = (NaiveDate::from_ymd_opt(2023, 6, 30).unwrap(), data.end);
    let config = SegmentConfig::default();
    let single = whole.segment_migration(from, to, &config).unwrap();
    for parts in [1u64, 2, 7, 64] {
        let (a, b) = (
            distributed_segments(&whole, &tx, parts, from, &config),
            distributed_segments(&whole, &tx, parts, to, &config),
        );
        // The join by customer, then a partial per task of the joined rows.
        let mut merged = MigrationPartial::empty_segments(from, to).unwrap();
        for task in 0..parts as usize {
            let rows: Vec<usize> = (0..whole.len()).filter(|c| c % parts as usize == task).collect();
            let pick = |v: &[(Option<crm_core::ValueSegment>, crm_core::PyramidLevel, f64)]| {
                (rows.iter().map(|&c| v[c].0).collect::<Vec<_>>(), rows.iter().map(|&c| v[c].1).collect::<Vec<_>>())
            };
            let ((sa, pa), (sb, pb)) = (pick(&a), pick(&b));
            let value: Vec<f64> = rows.iter().map(|&c| b[c].2).collect();
            let share = MigrationPartial::segments(from, to, (&sa, &pa), (&sb, &pb), &value).unwrap();
            merged.merge(&MigrationPartial::from_bytes(&share.to_bytes()).unwrap()).unwrap();
        }
        let got = merged.finish();
        assert_eq!((&got.states, &got.counts, &got.rates), (&single.states, &single.counts, &single.rates), "{parts}");
        for (g, w) in got.state_value.iter().zip(&single.state_value) {
            assert!((g - w).abs() <= 1e-9 * w.abs().max(1.0), "parts {parts}: {g} vs {w}");
        }
    }
}

#[test]
fn distributed_flows_per_segment_equal_the_single_machine_ones() {
    use chrono::NaiveDate;
    use crm_core::distributed::{FlowsPartial, MembershipPartial, TieIds};
    use crm_core::flows::{FlowConfig, Period, period_bounds};
    let data =
        generate(&SampleConfig { customers: 1_500, profiles: false, interactions: false, ..SampleConfig::default() });
    let mut tx = data.transactions.clone();
    // Coarse amounts: segment cuts fall inside groups of customers tied on value.
    tx.amount.iter_mut().for_each(|a| *a = (*a / 100.0).round() * 100.0);
    let whole = CustomerBase::from_transactions(tx.clone()).unwrap();
    let bounds = period_bounds(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(), Period::Quarter, 6).unwrap();
    let config = FlowConfig::default();
    let single = whole.flow_periods(&bounds, &config).unwrap();
    let dates = FlowsPartial::segment_dates(&bounds).unwrap();
    let mut tied_cuts = false;
    for parts in [1u64, 2, 7, 64] {
        let bases: Vec<CustomerBase> = tasks(&tx, parts)
            .into_iter()
            .filter(|t| !t.amount.is_empty())
            .map(|t| CustomerBase::from_transactions(t).unwrap())
            .collect();
        // Pass 1: the value distributions at every date.
        let mut values = MembershipPartial::empty(&dates);
        for b in bases.iter().rev() {
            let p = MembershipPartial::of(b, &dates, &config.segments).unwrap();
            values.merge(&MembershipPartial::from_bytes(&p.to_bytes()).unwrap()).unwrap();
        }
        let mut membership = values.finish(&config.segments).unwrap();
        // Pass 2, only when a cut falls inside tied values: the smallest ids there.
        if membership.needs_ids() {
            tied_cuts = true;
            let mut ids = TieIds::default();
            for b in &bases {
                let t = membership.tie_ids(b, &config.segments).unwrap();
                ids.merge(&TieIds::from_bytes(&t.to_bytes()).unwrap()).unwrap();
            }
            membership.resolve(&ids).unwrap();
        }
        let membership = crm_core::distributed::Membership::from_bytes(&membership.to_bytes()).unwrap();
        // Pass 3: every task's flows with the whole base's segments.
        let mut merged = FlowsPartial::empty(&bounds).unwrap();
        for b in &bases {
            let p = FlowsPartial::with_segments(b, &bounds, &config, &membership).unwrap();
            merged.merge(&FlowsPartial::from_bytes(&p.to_bytes()).unwrap()).unwrap();
        }
        let got = merged.finish(&config);
        for (g, w) in got.iter().zip(&single) {
            assert_eq!(g.by_segment, w.by_segment, "parts {parts} period {:?}", w.start);
            assert_eq!(
                (g.base_at_start, g.new, g.lost, g.base_at_end),
                (w.base_at_start, w.new, w.lost, w.base_at_end)
            );
        }
    }
    assert!(tied_cuts, "the data should put some cut inside tied values");
    assert!(single.iter().all(|r| r.by_segment.iter().map(|s| s.lost + s.new).sum::<u64>() > 0));
}
