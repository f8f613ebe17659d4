//! A Rust host distributing the summary: the sample's transactions split by a hash of the
//! customer id into 1, 2, 7 and 64 tasks, each task's base summarised on its own, the RFM
//! partials merged (as bytes, in reverse order) and every task rescored: the single-machine
//! summary, customer for customer.

use crm_core::distributed::{RfmPartial, RfmScorer};
use crm_core::sample::{SampleConfig, generate};
use crm_core::{CustomerBase, KeyColumn, TransactionColumns};

fn tasks(tx: &TransactionColumns, parts: u64) -> Vec<TransactionColumns> {
    let KeyColumn::Int(ids) = &tx.customer else { panic!("the sample has integer ids") };
    (0..parts)
        .map(|p| {
            let rows: Vec<usize> = (0..ids.len())
                .filter(|&r| ((ids[r] as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % parts == p)
                .collect();
            let mut t = TransactionColumns::new(
                KeyColumn::Int(rows.iter().map(|&r| ids[r]).collect()),
                rows.iter().map(|&r| tx.timestamp[r]).collect(),
                rows.iter().map(|&r| tx.amount[r]).collect(),
            );
            t.margin = tx.margin.as_ref().map(|m| rows.iter().map(|&r| m[r]).collect());
            t
        })
        .collect()
}

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
