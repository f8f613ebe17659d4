//! Benchmark on generated data: build a base from columns, then summary, lifecycle and
//! segments, then flows for 12 monthly periods and a year's segment migration. Prints each time and the peak memory of the process.
//!
//! ```sh
//! cargo run --release -p crm-core --example bench_foundation -- [customers] [purchases_per_year] [order] [rounds]
//! ```
//! Defaults: 1,000,000 customers, 14 purchases a year (about 10.4 million transactions),
//! rows in time order as in a sales export (`order` = `customer` keeps the generator's
//! customer-by-customer order), one build. With `rounds` > 1 the base is built that many
//! times from copies of the columns and the fastest build is reported (the copy raises
//! the peak memory). The build's phases are printed, and fingerprints of the grouped store
//! and of every result, so that a faster version can be checked to give the same bits.

use crm_core::sample::{SampleConfig, generate};
use crm_core::{LifecycleConfig, SegmentConfig};
use std::time::Instant;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// The rows sorted by timestamp (stable): the order of a sales export. Column by column,
/// so that only one extra column is alive at a time (the peak memory is the analysis').
fn in_time_order(mut t: crm_core::TransactionColumns) -> crm_core::TransactionColumns {
    assert!(t.product.is_none() && t.order.is_none(), "the generator gives no products or orders");
    let mut perm: Vec<u32> = (0..t.len() as u32).collect();
    perm.sort_by_key(|&r| t.timestamp[r as usize]);
    fn pick<T: Copy>(v: &[T], perm: &[u32]) -> Vec<T> {
        perm.iter().map(|&r| v[r as usize]).collect()
    }
    if let crm_core::KeyColumn::Int(ids) = &t.customer {
        t.customer = crm_core::KeyColumn::Int(pick(ids, &perm));
    }
    t.timestamp = pick(&t.timestamp, &perm);
    t.amount = pick(&t.amount, &perm);
    t.margin = t.margin.as_deref().map(|m| pick(m, &perm));
    t.cost_of_goods = t.cost_of_goods.as_deref().map(|m| pick(m, &perm));
    t
}

fn main() -> Result<(), crm_core::Error> {
    let mut args = std::env::args().skip(1);
    let customers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let ppy: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(14.0);
    let by_customer = args.next().is_some_and(|a| a == "customer");
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1).max(1);
    let t = Instant::now();
    let mut data = generate(&SampleConfig {
        customers,
        purchases_per_year: ppy,
        profiles: false,
        interactions: false,
        ..Default::default()
    });
    if !by_customer {
        data.transactions = in_time_order(data.transactions);
    }
    let as_of = data.end;
    let n_tx = data.transactions.len();
    println!("generated {customers} customers, {n_tx} transactions in {:.2} s", t.elapsed().as_secs_f64());
    println!("peak memory after generating: {:.0} MiB", peak_rss_mib());

    let mut best: Option<(f64, Vec<(&'static str, f64)>)> = None;
    let mut base = None;
    for round in 0..rounds {
        let columns =
            if round + 1 < rounds { data.transactions.clone() } else { std::mem::take(&mut data.transactions) };
        let t = Instant::now();
        let builder = crm_core::CustomerBase::builder().transactions(columns)?;
        let validate = t.elapsed().as_secs_f64();
        let (built, mut phases) = builder.build_with_phases()?;
        let total = t.elapsed().as_secs_f64();
        phases.insert(0, ("validate columns", validate));
        if best.as_ref().is_none_or(|b| total < b.0) {
            best = Some((total, phases));
        }
        base = Some(built);
    }
    let (build, phases) = best.expect("one round at least");
    let base = base.expect("one round at least");
    println!("| build phase (fastest of {rounds} builds) | seconds |");
    println!("|---|---|");
    for (name, secs) in &phases {
        println!("| {name} | {secs:.3} |");
    }

    let t = Instant::now();
    let summary = base.summary(as_of)?;
    let t_summary = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let lifecycle = base.lifecycle(as_of, &LifecycleConfig::default())?;
    let t_lifecycle = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let segments = base.segments(as_of, &SegmentConfig::default())?;
    let t_segments = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let year_start = as_of - chrono::Months::new(12) + chrono::Days::new(1);
    let flow_cfg = crm_core::FlowConfig { by_segment: false, ..Default::default() };
    let months = base.flow_series(year_start, crm_core::Period::Month, 12, &flow_cfg)?;
    let t_flows = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let months_seg = base.flow_series(year_start, crm_core::Period::Month, 12, &crm_core::FlowConfig::default())?;
    let t_flows_seg = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let migration = base.segment_migration(as_of - chrono::Months::new(12), as_of, &SegmentConfig::default())?;
    let t_migration = t.elapsed().as_secs_f64();

    println!("threads: {}", crm_core::threads());
    println!("| step | seconds |");
    println!("|---|---|");
    println!("| build base from columns | {build:.3} |");
    println!("| summary (with RFM) | {t_summary:.3} |");
    println!("| lifecycle | {t_lifecycle:.3} |");
    println!("| segments (top/middle/bottom, ABC, pyramid) | {t_segments:.3} |");
    println!("| analytics total (summary + lifecycle + segments) | {:.3} |", t_summary + t_lifecycle + t_segments);
    println!("| flows, 12 monthly periods | {t_flows:.3} |");
    println!("| flows, 12 monthly periods, per value segment | {t_flows_seg:.3} |");
    println!("| segment migration, one year | {t_migration:.3} |");
    println!("| flows (12 months) + migration | {:.3} |", t_flows + t_migration);
    println!("peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
    // Fingerprints of the grouped store and of the results, to check that a faster
    // version gives the same bits.
    let fingerprint = |json: String| {
        let mut h = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&json, &mut h);
        std::hash::Hasher::finish(&h)
    };
    let mut h = std::hash::DefaultHasher::new();
    for c in 0..base.len() as u32 {
        let tx = base.transactions().of(c);
        std::hash::Hash::hash(&(base.id(c), tx.time), &mut h);
        tx.amount.iter().for_each(|a| std::hash::Hash::hash(&a.to_bits(), &mut h));
    }
    let json = |v: serde_json::Result<String>| v.expect("results serialize");
    println!(
        "fingerprints: store {:016x}, summary {:016x}, segments {:016x}, flows {:016x}, migration {:016x}",
        std::hash::Hasher::finish(&h),
        fingerprint(json(serde_json::to_string(&summary))),
        fingerprint(json(serde_json::to_string(&segments))),
        fingerprint(json(serde_json::to_string(&(&months, &months_seg)))),
        fingerprint(json(serde_json::to_string(&migration))),
    );
    // Keep the results alive until here so their memory counts.
    assert_eq!(summary.len(), lifecycle.stages.len());
    assert_eq!(segments.value.len(), base.len());
    assert!(months.iter().chain(&months_seg).all(|m| m.balances()));
    assert_eq!(migration.counts.iter().flatten().sum::<u64>() as usize, base.len());
    Ok(())
}
