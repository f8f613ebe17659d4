//! The Rust side of the C bulk-load benchmark (`tests/c/bench_load.c`, run both with
//! `bash tests/c/bench.sh`): builds a base of 10,000,000 transactions (1,000,000 customers,
//! integer ids, Unix seconds, amounts and margins) straight through crm-core, with the same
//! generated data as the C program, and prints the best of 3 load times.
//!
//! `cargo run --release -p crm-ffi --example bench_load [rows]`

use crm_core::{CustomerBase, KeyColumn, TransactionColumns};
use std::time::Instant;

/// SplitMix64, as in bench_load.c.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn main() {
    let rows: usize = std::env::args().nth(1).map_or(10_000_000, |a| a.parse().expect("rows is a number"));
    let start_2020 = 1_577_836_800_i64;
    let span = 5 * 365 * 86_400_u64;
    let ids: Vec<i64> = (0..rows as u64).map(|i| (mix(3 * i) % 1_000_000) as i64 + 1).collect();
    let times: Vec<i64> = (0..rows as u64).map(|i| start_2020 + (mix(3 * i + 1) % span) as i64).collect();
    let amounts: Vec<f64> = (0..rows as u64).map(|i| (mix(3 * i + 2) % 100_000) as f64 / 100.0).collect();
    let margins: Vec<f64> = amounts.iter().map(|a| a * 0.3).collect();

    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let (ids, times, amounts, margins) = (ids.clone(), times.clone(), amounts.clone(), margins.clone());
        let t = Instant::now();
        let mut columns = TransactionColumns::new(KeyColumn::Int(ids), times, amounts);
        columns.margin = Some(margins);
        let mut builder = CustomerBase::builder();
        builder.add_transactions(columns).expect("valid data");
        let base = builder.build().expect("valid data");
        let secs = t.elapsed().as_secs_f64();
        best = best.min(secs);
        assert_eq!(base.transactions().len(), rows);
        println!("rust load: {} customers, {} transactions in {secs:.3} s", base.len(), rows);
    }
    println!("rust best: {best:.3} s");
}
