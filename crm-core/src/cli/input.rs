//! Reading the files of a run through the library's ingest (the same code as every face).

use super::Failure;
use super::config::Plan;
use super::progress::Progress;
use crate::base::CustomerBaseBuilder;
use crate::ingest::{CsvOptions, CsvReport, CustomerCsv, Encoding, InteractionCsv, TransactionCsv};
use crate::report::InputSummary;
use crate::transaction::TransactionColumns;
use std::path::Path;

/// The files of a run, read.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The rows of every file, with the files and lines they came from.
    pub builder: CustomerBaseBuilder,
    /// What the sales export gave: rows, anonymous rows, returns, rejected rows, format.
    pub sales: CsvReport,
}

fn options(plan: &Plan) -> Result<CsvOptions, Failure> {
    let encoding = match &plan.encoding {
        None => Encoding::Utf8,
        Some(e) => e.parse::<Encoding>().map_err(|m| Failure::from(format!("--encoding: {m}")))?,
    };
    Ok(CsvOptions {
        delimiter: plan.delimiter,
        decimal: plan.decimal,
        encoding,
        day_first: plan.day_first,
        date_formats: plan.date_formats.clone(),
        on_error: plan.on_error,
        ..Default::default()
    })
}

/// The transactions mapping of a run.
fn transaction_spec(plan: &Plan) -> Result<TransactionCsv, Failure> {
    let c = &plan.columns;
    let d = TransactionCsv::default();
    Ok(TransactionCsv {
        customer: c.customer.clone().unwrap_or(d.customer),
        timestamp: c.date.clone().unwrap_or(d.timestamp),
        amount: c.amount.clone().unwrap_or(d.amount),
        quantity: c.quantity.clone(),
        unit_price: c.unit_price.clone(),
        margin: c.margin.clone(),
        cost_of_goods: c.cost_of_goods.clone(),
        product: c.product.clone(),
        category: c.category.clone(),
        order: c.order.clone(),
        cancellation_prefix: c.cancellation_prefix.clone(),
        options: options(plan)?,
    })
}

fn is_parquet(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
}

/// Reads the sales export (CSV or Parquet) and the optional customers and interactions files.
pub(crate) fn load(plan: &Plan, progress: &Progress) -> Result<Loaded, Failure> {
    progress.step(&format!("reading {}", plan.transactions.display()));
    let spec = transaction_spec(plan)?;
    let mut builder = CustomerBaseBuilder::default();
    let read = if is_parquet(&plan.transactions) {
        read_parquet(&plan.transactions, &spec).and_then(|(columns, report)| {
            builder.add_transactions(columns)?;
            Ok(report)
        })
    } else {
        builder.add_transactions_csv(&plan.transactions, &spec)
    };
    let sales = read.map_err(|e| Failure::core(&plan.transactions, e))?;
    if let Some(path) = &plan.customers {
        progress.step(&format!("reading {}", path.display()));
        let spec = CustomerCsv {
            id: plan.customer_file.id.clone().unwrap_or_else(|| CustomerCsv::default().id),
            attribute_types: plan.customer_file.attribute_types.clone(),
            options: options(plan)?,
        };
        builder.add_customers_csv(path, &spec).map_err(|e| Failure::core(path, e))?;
    }
    if let Some(path) = &plan.interactions {
        progress.step(&format!("reading {}", path.display()));
        let m = &plan.interaction_file;
        let d = InteractionCsv::default();
        let or = |v: &Option<String>, d: String| v.clone().unwrap_or(d);
        let spec = InteractionCsv {
            customer: or(&m.customer, d.customer),
            timestamp: or(&m.date, d.timestamp),
            channel: or(&m.channel, d.channel),
            direction: or(&m.direction, d.direction),
            kind: or(&m.kind, d.kind),
            outcome: m.outcome.clone().or(d.outcome),
            cost: m.cost.clone().or(d.cost),
            options: options(plan)?,
        };
        builder.add_interactions_csv(path, &spec).map_err(|e| Failure::core(path, e))?;
    }
    Ok(Loaded { builder, sales })
}

#[cfg(feature = "parquet")]
fn read_parquet(path: &Path, spec: &TransactionCsv) -> crate::Result<(TransactionColumns, CsvReport)> {
    crate::ingest::read_transactions_parquet(path, spec)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(path: &Path, _: &TransactionCsv) -> crate::Result<(TransactionColumns, CsvReport)> {
    Err(crate::Error::Io {
        path: path.display().to_string(),
        message: "this build of crm reads no Parquet (cargo feature `parquet`)".into(),
        not_found: false,
    })
}

/// What the report's input section shows.
pub(crate) fn summary(plan: &Plan, sales: &CsvReport) -> InputSummary {
    let d = &sales.detected;
    let mut notes = vec![format!(
        "format: {} encoding, delimiter `{}`, decimal `{}`, dates {}{}",
        d.encoding,
        if d.delimiter == '\t' { "tab".to_owned() } else { d.delimiter.to_string() },
        d.decimal,
        if d.date_format.is_empty() { "ISO 8601" } else { d.date_format.as_str() },
        match d.day_first {
            Some(true) => " (day first)",
            Some(false) => " (month first)",
            None => "",
        }
    )];
    if sales.returns.anonymous.rows > 0 {
        notes.push(format!(
            "{} of the anonymous rows are returns ({:.2})",
            sales.returns.anonymous.rows, sales.returns.anonymous.value
        ));
    }
    InputSummary {
        source: plan.source.clone(),
        rows_read: sales.rows_read as u64,
        rows_loaded: sales.rows_loaded as u64,
        rows_rejected: sales.rows_rejected as u64,
        anonymous_rows: sales.anonymous.rows as u64,
        anonymous_revenue: sales.anonymous.revenue,
        returns_rows: sales.returns.customers.rows as u64,
        returns_value: sales.returns.customers.value,
        notes,
    }
}

/// The rows that were not loaded, in file order, as CSV: the file, its line (the row for
/// Parquet), why, the column and the detail.
pub(crate) fn rejected_rows_csv(plan: &Plan, sales: &CsvReport) -> Vec<u8> {
    let mut rows: Vec<(u64, &str, &str, &str)> =
        sales.anonymous.lines.iter().map(|&l| (l, "no customer id (anonymous sale)", "", "")).collect();
    rows.extend(sales.rejected.iter().map(|p| (p.line, "bad value", p.column.as_str(), p.message.as_str())));
    rows.sort_by_key(|r| r.0);
    let mut w = csv::Writer::from_writer(Vec::new());
    let file = plan.source.as_str();
    let unit = if is_parquet(&plan.transactions) { "row" } else { "line" };
    let _ = w.write_record(["file", unit, "reason", "column", "detail"]);
    for (line, reason, column, detail) in rows {
        let _ = w.write_record([file, &line.to_string(), reason, column, detail]);
    }
    w.into_inner().unwrap_or_default()
}

/// Rows set aside (anonymous or rejected): a rejected-rows file is written when any.
pub(crate) fn set_aside(sales: &CsvReport) -> usize {
    sales.anonymous.rows + sales.rows_rejected
}
