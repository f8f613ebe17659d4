//! Reading the files of a run through the library's ingest (the same code as every face).

use super::Failure;
use super::config::Plan;
use super::progress::Progress;
use crate::customer::Customer;
use crate::ingest::{
    CsvOptions, CustomerCsv, InteractionCsv, TransactionCsv, read_customers, read_interactions, read_transactions,
};
use crate::interaction::InteractionColumns;
use crate::report::InputSummary;
use crate::time::{day_of, day_to_date};
use crate::transaction::TransactionColumns;
use chrono::NaiveDate;

/// What the sales export gave.
#[derive(Debug, Default)]
pub(crate) struct SalesInfo {
    pub rows_read: usize,
    pub rows_loaded: usize,
    pub rows_rejected: usize,
    pub anonymous_rows: usize,
    pub last_sale: Option<NaiveDate>,
    /// Rows not loaded: line, reason, column, message.
    pub set_aside: Vec<(u64, &'static str, String, String)>,
}

/// The files of a run, read.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub transactions: TransactionColumns,
    pub customers: Option<Vec<Customer>>,
    pub interactions: Option<InteractionColumns>,
    pub sales: SalesInfo,
}

fn options(plan: &Plan) -> CsvOptions {
    CsvOptions {
        delimiter: plan.delimiter.unwrap_or(','),
        date_formats: plan.date_formats.clone(),
        on_error: plan.on_error,
        ..Default::default()
    }
}

/// Reads the sales export and the optional customers and interactions files.
pub(crate) fn load(plan: &Plan, progress: &Progress) -> Result<Loaded, Failure> {
    let c = &plan.columns;
    progress.step(&format!("reading {}", plan.transactions.display()));
    let d = TransactionCsv::default();
    let spec = TransactionCsv {
        customer: c.customer.clone().unwrap_or(d.customer),
        timestamp: c.date.clone().unwrap_or(d.timestamp),
        amount: c.amount.clone().unwrap_or(d.amount),
        margin: c.margin.clone(),
        cost_of_goods: c.cost_of_goods.clone(),
        product: c.product.clone(),
        order: c.order.clone(),
        options: options(plan),
    };
    let (transactions, report) =
        read_transactions(&plan.transactions, &spec).map_err(|e| Failure::core(&plan.transactions, e))?;
    let last_sale = transactions
        .timestamp
        .iter()
        .zip(&transactions.amount)
        .filter(|(_, a)| **a > 0.0)
        .map(|(t, _)| *t)
        .max()
        .map(|t| day_to_date(day_of(t)));
    let sales = SalesInfo {
        rows_read: report.rows_read,
        rows_loaded: report.rows_loaded,
        rows_rejected: report.rows_rejected,
        anonymous_rows: 0,
        last_sale,
        set_aside: report.problems.iter().map(|p| (p.line, "bad value", p.column.clone(), p.message.clone())).collect(),
    };
    let customers = match &plan.customers {
        None => None,
        Some(path) => {
            progress.step(&format!("reading {}", path.display()));
            let spec = CustomerCsv {
                id: plan.customer_file.id.clone().unwrap_or_else(|| CustomerCsv::default().id),
                attribute_types: plan.customer_file.attribute_types.clone(),
                options: options(plan),
            };
            Some(read_customers(path, &spec).map_err(|e| Failure::core(path, e))?.0)
        }
    };
    let interactions = match &plan.interactions {
        None => None,
        Some(path) => {
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
                options: options(plan),
            };
            Some(read_interactions(path, &spec).map_err(|e| Failure::core(path, e))?.0)
        }
    };
    Ok(Loaded { transactions, customers, interactions, sales })
}

/// What the report's input section shows.
pub(crate) fn summary(plan: &Plan, sales: &SalesInfo) -> InputSummary {
    InputSummary {
        source: plan.transactions.display().to_string(),
        rows_read: sales.rows_read as u64,
        rows_loaded: sales.rows_loaded as u64,
        rows_rejected: sales.rows_rejected as u64,
        anonymous_rows: sales.anonymous_rows as u64,
        ..Default::default()
    }
}

/// The rows that were not loaded, as CSV: the file, its line, why, the column and detail.
pub(crate) fn rejected_rows_csv(plan: &Plan, sales: &SalesInfo) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let file = plan.transactions.display().to_string();
    let _ = w.write_record(["file", "line", "reason", "column", "detail"]);
    for (line, reason, column, message) in &sales.set_aside {
        let _ = w.write_record([file.as_str(), &line.to_string(), reason, column, message]);
    }
    w.into_inner().unwrap_or_default()
}
