//! Criterion benchmarks of the foundation: building a base and the three analyses on
//! 1,000,000 customers / ~10.5 million transactions (set CRM_BENCH_CUSTOMERS to change).

use criterion::{Criterion, criterion_group, criterion_main};
use crm_core::sample::{SampleConfig, generate};
use crm_core::{CustomerBase, LifecycleConfig, SegmentConfig};
use std::hint::black_box;
use std::time::Duration;

fn foundation(c: &mut Criterion) {
    let customers = std::env::var("CRM_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let data = generate(&SampleConfig {
        customers,
        purchases_per_year: 14.0,
        profiles: false,
        interactions: false,
        ..Default::default()
    });
    let as_of = data.end;
    let mut g = c.benchmark_group(format!("foundation_{customers}_customers_{}_tx", data.transactions.len()));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("build_base", |b| {
        b.iter(|| CustomerBase::from_transactions(black_box(data.transactions.clone())).unwrap())
    });
    let base = CustomerBase::from_transactions(data.transactions.clone()).unwrap();
    g.bench_function("summary", |b| b.iter(|| base.summary(black_box(as_of)).unwrap()));
    g.bench_function("lifecycle", |b| {
        b.iter(|| base.lifecycle(black_box(as_of), &LifecycleConfig::default()).unwrap())
    });
    g.bench_function("segments", |b| b.iter(|| base.segments(black_box(as_of), &SegmentConfig::default()).unwrap()));
    g.bench_function("summary_lifecycle_segments", |b| {
        b.iter(|| {
            let s = base.summary(as_of).unwrap();
            let l = base.lifecycle(as_of, &LifecycleConfig::default()).unwrap();
            let g = base.segments(as_of, &SegmentConfig::default()).unwrap();
            (s.len(), l.stages.len(), g.value.len())
        })
    });
    g.finish();
}

criterion_group!(benches, foundation);
criterion_main!(benches);
