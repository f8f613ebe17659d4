//! The customer-development report: the README's first command.
//!
//! ```sh
//! cargo run --release --example report                       # bundled sample data
//! cargo run --release --example report -- --transactions tx.csv [--customers c.csv]
//!     [--interactions i.csv] [--as-of 2024-12-31] [--out out] [--sample-customers 5000]
//! ```
//! Writes `<out>/report.md`, `<out>/report.json` and `<out>/report.html` (default folder
//! `out`). Transactions
//! need `customer_id`, `date` and `amount` columns; `margin` or `cost_of_goods` are used
//! when present.

use chrono::NaiveDate;
use crm_core::ingest::{
    CustomerCsv, InteractionCsv, TransactionCsv, read_customers, read_interactions, read_transactions,
};
use crm_core::report::InputSummary;
use crm_core::sample::{SampleConfig, generate};
use crm_core::{CustomerBase, ReportConfig};
use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    transactions: Option<PathBuf>,
    customers: Option<PathBuf>,
    interactions: Option<PathBuf>,
    as_of: Option<NaiveDate>,
    out: PathBuf,
    sample_customers: usize,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        transactions: None,
        customers: None,
        interactions: None,
        as_of: None,
        out: "out".into(),
        sample_customers: 5_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--transactions" => a.transactions = Some(value()?.into()),
            "--customers" => a.customers = Some(value()?.into()),
            "--interactions" => a.interactions = Some(value()?.into()),
            "--out" => a.out = value()?.into(),
            "--as-of" => {
                let v = value()?;
                a.as_of = Some(NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|e| format!("--as-of {v}: {e}"))?);
            }
            "--sample-customers" => {
                let v = value()?;
                a.sample_customers = v.parse().map_err(|_| format!("--sample-customers {v}: not a number"))?;
            }
            "-h" | "--help" => return Err("usage: report [--transactions F] [--customers F] [--interactions F] [--as-of YYYY-MM-DD] [--out DIR] [--sample-customers N]".into()),
            other => return Err(format!("unknown option {other} (try --help)")),
        }
    }
    Ok(a)
}

fn run(a: Args) -> Result<(), String> {
    let e = |e: crm_core::Error| e.to_string();
    let (base, as_of, input) = match &a.transactions {
        None => {
            let data = generate(&SampleConfig { customers: a.sample_customers, ..Default::default() });
            let end = data.end;
            (
                data.into_base().map_err(e)?,
                a.as_of.unwrap_or(end),
                InputSummary {
                    source: format!("bundled sample data (seed 42, {} customers)", a.sample_customers),
                    ..Default::default()
                },
            )
        }
        Some(tx) => {
            let mut b = CustomerBase::builder();
            if let Some(c) = &a.customers {
                b.add_customers(read_customers(c, &CustomerCsv::default()).map_err(e)?.0);
            }
            // Margins (or cost of goods) are read when the header has such a column.
            let header = std::fs::read_to_string(tx).map_err(|err| format!("{}: {err}", tx.display()))?;
            let names: Vec<&str> = header.lines().next().unwrap_or("").split(',').map(str::trim).collect();
            let has = |c: &str| names.contains(&c).then(|| c.to_owned());
            let spec =
                TransactionCsv { margin: has("margin"), cost_of_goods: has("cost_of_goods"), ..Default::default() };
            let (cols, read) = read_transactions(tx, &spec).map_err(e)?;
            let returns = cols.amount.iter().filter(|&&x| x < 0.0);
            let input = InputSummary {
                source: tx.display().to_string(),
                rows_read: read.rows_read as u64,
                rows_loaded: read.rows_loaded as u64,
                rows_rejected: read.rows_rejected as u64,
                returns_rows: returns.clone().count() as u64,
                returns_value: -returns.sum::<f64>(),
                ..Default::default()
            };
            let last = cols.timestamp.iter().max().map(|&s| crm_core::time::day_to_date(crm_core::time::day_of(s)));
            b.add_transactions(cols).map_err(e)?;
            if let Some(i) = &a.interactions {
                b.add_interactions(read_interactions(i, &InteractionCsv::default()).map_err(e)?.0).map_err(e)?;
            }
            let as_of = a.as_of.or(last).ok_or("no transactions and no --as-of date")?;
            (b.build().map_err(e)?, as_of, input)
        }
    };
    let source = input.source.clone();
    let report = base.report(as_of, &ReportConfig::default()).map_err(e)?.with_input(input);
    std::fs::create_dir_all(&a.out).map_err(|err| format!("{}: {err}", a.out.display()))?;
    let md = format!("{}\n_Source: {source}._\n", report.to_markdown());
    let html = report.to_html();
    for (name, text) in
        [("report.md", md.as_str()), ("report.json", report.to_json().as_str()), ("report.html", html.as_str())]
    {
        let path = a.out.join(name);
        std::fs::write(&path, text).map_err(|err| format!("{}: {err}", path.display()))?;
    }
    println!("{md}");
    println!(
        "Wrote {}, {} and {}",
        a.out.join("report.md").display(),
        a.out.join("report.json").display(),
        a.out.join("report.html").display()
    );
    Ok(())
}

fn main() -> ExitCode {
    match parse().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("report: {msg}");
            ExitCode::FAILURE
        }
    }
}
