//! Times the ingest of an "Online Retail"-shaped export: CSV and (with `--features
//! parquet`) Parquet of the same rows.
//!
//! ```text
//! cargo run --profile bench -p crm-core --features parquet --example bench_ingest -- --lines 10000000 [--keep PATH]
//! ```
//! The CSV is written to a temporary file (or `--keep PATH`, which
//! `tests/python/bench/ingest_compare.py` reads with DuckDB); the Parquet file is written
//! next to it by `--parquet PATH` given by the Python script (pyarrow), when present.

use crm_core::ingest::{TransactionCsv, read_transactions};
use std::io::Write;
use std::time::Instant;

/// A small seeded generator (xorshift), so the file is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let lines: u64 = arg("--lines").map_or(1_000_000, |v| v.parse().expect("--lines N"));
    let path = arg("--keep").map_or_else(|| std::env::temp_dir().join("crm_bench_ingest.csv"), Into::into);
    if !path.exists() || arg("--keep").is_none() {
        write_export(&path, lines);
    }
    let spec = TransactionCsv {
        customer: "CustomerID".into(),
        timestamp: "InvoiceDate".into(),
        quantity: Some("Quantity".into()),
        unit_price: Some("UnitPrice".into()),
        order: Some("InvoiceNo".into()),
        product: Some("StockCode".into()),
        cancellation_prefix: Some("C".into()),
        ..Default::default()
    };
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    for run in 0..3 {
        let t = Instant::now();
        let (cols, report) = read_transactions(&path, &spec).expect("read");
        println!(
            "csv run {run}: {:.3} s ({} MB, {} rows loaded, {} anonymous, {} returns)",
            t.elapsed().as_secs_f64(),
            bytes >> 20,
            cols.len(),
            report.anonymous.rows,
            report.returns.customers.rows + report.returns.anonymous.rows
        );
    }
    #[cfg(feature = "parquet")]
    if let Some(pq) = arg("--parquet") {
        for run in 0..3 {
            let t = Instant::now();
            let (cols, _) = crm_core::ingest::read_transactions_parquet(&pq, &spec).expect("parquet");
            println!("parquet run {run}: {:.3} s ({} rows loaded)", t.elapsed().as_secs_f64(), cols.len());
        }
    }
}

/// Writes `lines` invoice lines: ~4 lines per invoice, 4,000 customers, a quarter of the
/// lines without a customer, 2 % cancellations, M/D/YYYY H:MM dates over a year.
fn write_export(path: &std::path::Path, lines: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(out, "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country").unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut invoice = 536_365u64;
    let mut k = 0;
    while k < lines {
        invoice += 1;
        let cancelled = rng.next() % 50 == 0;
        let customer = rng.next() % 4_000;
        let anonymous = customer % 4 == 0;
        let (month, day, hour, minute) =
            (1 + rng.next() % 12, 1 + rng.next() % 28, 8 + rng.next() % 10, rng.next() % 60);
        for _ in 0..(1 + rng.next() % 7).min(lines - k) {
            let stock = 10_000 + rng.next() % 4_000;
            let qty = (1 + rng.next() % 24) as i64 * if cancelled { -1 } else { 1 };
            let price = (rng.next() % 2_000) as f64 / 100.0 + 0.1;
            let desc = if stock % 17 == 0 { "\"SET OF 3, ASSORTED\"" } else { "WHITE HANGING HEART T-LIGHT HOLDER" };
            let id = if anonymous { String::new() } else { format!("{}.0", 12_346 + customer) };
            writeln!(
                out,
                "{}{invoice},{stock},{desc},{qty},{month}/{day}/2011 {hour}:{minute:02},{price:.2},{id},United Kingdom",
                if cancelled { "C" } else { "" }
            )
            .unwrap();
            k += 1;
        }
    }
}
