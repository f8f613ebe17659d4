//! Benchmark of share of wallet and segment profiles on generated data: wallet estimates
//! (industry x employee band, then industry, then the base), shares and growth potential,
//! then the profiles of the three value segments over 6 attributes (industry, category,
//! acquisition channel; employees, acquisition cost, share of wallet), the segments
//! computed once and shared. Then, for comparison, `wallet()` alone with all its tables
//! (segments and lifecycle stages computed inside) and the profiles with purchases per
//! year and average purchase (the customer summary computed inside).
//!
//! The base is built from the generated customer table and transactions three times (the
//! build timed apart from the generation), and the first run on each fresh base is timed:
//! the first analysis that asks for customer attributes makes the base's attribute columns
//! ready, later runs and analyses reuse them. The best total is over the runs after the
//! first on the last base. Fingerprints of the wallet and profile tables (a hash of their
//! debug text, which prints every float exactly) show that a change keeps the results.
//!
//! ```sh
//! cargo run --profile bench -p crm-core --example bench_wallet -- [customers]
//! ```
//! Default 1,000,000 customers (with their customer table).

use crm_core::CustomerBase;
use crm_core::profiles::{ProfileConfig, ProfileGrouping};
use crm_core::sample::{SampleConfig, generate};
use crm_core::wallet::WalletConfig;
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hasher};
use std::time::Instant;

/// Hashes what is written to it (debug text, without building the string).
struct Fingerprint(DefaultHasher);

impl std::fmt::Write for Fingerprint {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

fn fingerprint(value: &impl std::fmt::Debug) -> u64 {
    let mut f = Fingerprint(DefaultHasher::new());
    write!(f, "{value:?}").expect("hashing does not fail");
    f.0.finish()
}

fn main() -> Result<(), crm_core::Error> {
    let customers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let t = Instant::now();
    let data = generate(&SampleConfig { customers, profiles: true, interactions: false, ..Default::default() });
    let as_of = data.end;
    println!(
        "generated {customers} customers, {} transactions in {:.2} s ({} threads)",
        data.transactions.len(),
        t.elapsed().as_secs_f64(),
        crm_core::threads()
    );
    let wallet_config = WalletConfig {
        levels: vec![vec!["industry".into(), "employees".into()], vec!["industry".into()]],
        bands: [("employees".to_owned(), vec![10.0, 50.0, 250.0])].into(),
        ..WalletConfig::default()
    };
    let profile_config = ProfileConfig {
        by: ProfileGrouping::Segment,
        categorical: vec!["industry".into(), "category".into(), "acquisition_channel".into()],
        numeric: vec!["employees".into(), "acquisition_cost".into(), "share_of_wallet".into()],
        ..ProfileConfig::default()
    };
    let (mut builds, mut firsts) = (Vec::new(), Vec::new());
    // The first base of the process also pays for the process's first use of fresh memory.
    let mut fingerprints = None;
    let mut base = None;
    for _ in 0..3 {
        let copy = data.clone();
        drop(base.take());
        let t = Instant::now();
        let mut builder = CustomerBase::builder().customers(copy.customers).transactions(copy.transactions)?;
        builder.add_interactions(copy.interactions)?;
        let (fresh, phases) = builder.build_with_phases()?;
        let build = t.elapsed().as_secs_f64();
        let columns = phases.iter().filter(|(name, _)| name.contains("attributes")).fold(0.0, |t, (_, s)| t + s);
        let t = Instant::now();
        let segments = fresh.segments(as_of, &wallet_config.segments)?;
        let t_segments = t.elapsed().as_secs_f64();
        let w = fresh.wallet_with(as_of, &wallet_config, Some(&segments.segment), None)?;
        let t_wallet = t.elapsed().as_secs_f64();
        let p = fresh.segment_profiles_with(as_of, &profile_config, Some(&segments), Some(&w))?;
        let first = t.elapsed().as_secs_f64();
        let prints = (fingerprint(&w), fingerprint(&p));
        assert!(fingerprints.is_none_or(|f| f == prints), "results differ between bases");
        fingerprints = Some(prints);
        println!(
            "built the base with its customer table in {build:.3} s (attribute columns {columns:.3} s); first run on \
             it {first:.3} s (segments {t_segments:.3} s, wallet {:.3} s, profiles {:.3} s)",
            t_wallet - t_segments,
            first - t_wallet
        );
        builds.push(build);
        firsts.push(first);
        base = Some(fresh);
    }
    let base = base.expect("built");
    let range = |v: &[f64]| {
        let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        format!("{lo:.3}-{hi:.3} s")
    };
    let (fw, fp) = fingerprints.expect("run");
    println!("fingerprints: wallet {fw:016x}, profiles {fp:016x}");
    let mut best = f64::INFINITY;
    for run in 1..6 {
        let t = Instant::now();
        let segments = base.segments(as_of, &wallet_config.segments)?;
        let t_segments = t.elapsed().as_secs_f64();
        let w = base.wallet_with(as_of, &wallet_config, Some(&segments.segment), None)?;
        let t_wallet = t.elapsed().as_secs_f64();
        let p = base.segment_profiles_with(as_of, &profile_config, Some(&segments), Some(&w))?;
        let total = t.elapsed().as_secs_f64();
        best = best.min(total);
        println!(
            "run {run}: segments {:.3} s, wallet {:.3} s, profiles {:.3} s, total {:.3} s ({} peer groups, {} traits)",
            t_segments,
            t_wallet - t_segments,
            total - t_wallet,
            total,
            w.groups.len(),
            p.traits.len(),
        );
    }
    println!("base build with the customer table: {}", range(&builds));
    println!("first run on a fresh base: {}", range(&firsts));
    println!("best total (segments + wallet + profiles of 3 segments x 6 attributes): {best:.3} s");
    let t = Instant::now();
    let _ = base.wallet(as_of, &wallet_config)?;
    println!("wallet() with the segment and stage tables: {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let regression = WalletConfig { regression: vec!["employees".into(), "acquisition_cost".into()], ..wallet_config };
    let w = base.wallet_with(as_of, &regression, None, None)?;
    println!(
        "wallet_with() by quantile regression on employees and acquisition cost: {:.3} s ({} peers fitted)",
        t.elapsed().as_secs_f64(),
        w.regression.as_ref().map_or(0, |r| r.peers)
    );
    let t = Instant::now();
    let c = ProfileConfig {
        numeric: vec!["employees".into(), "purchases_per_year".into(), "average_purchase".into()],
        ..profile_config
    };
    let _ = base.segment_profiles(as_of, &c)?;
    println!("segment_profiles() with summary measures: {:.3} s", t.elapsed().as_secs_f64());
    Ok(())
}
