//! Small builders for hand-worked fixtures.
#![allow(dead_code)]

use chrono::NaiveDate;
use crm_core::time::date_to_seconds;
use crm_core::{CustomerBase, KeyColumn, TransactionColumns};

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date")
}

pub fn secs(s: &str) -> i64 {
    date_to_seconds(date(s))
}

/// Transactions from (customer, date, amount) rows.
pub fn tx(rows: &[(&str, &str, f64)]) -> TransactionColumns {
    TransactionColumns::new(
        KeyColumn::from(rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        rows.iter().map(|r| secs(r.1)).collect(),
        rows.iter().map(|r| r.2).collect(),
    )
}

/// Transactions with margins from (customer, date, amount, margin) rows.
pub fn tx_margin(rows: &[(&str, &str, f64, f64)]) -> TransactionColumns {
    let mut t = tx(&rows.iter().map(|r| (r.0, r.1, r.2)).collect::<Vec<_>>());
    t.margin = Some(rows.iter().map(|r| r.3).collect());
    t
}

pub fn base(rows: &[(&str, &str, f64)]) -> CustomerBase {
    CustomerBase::from_transactions(tx(rows)).expect("valid fixture")
}

/// The index of a string id.
pub fn idx(b: &CustomerBase, id: &str) -> usize {
    b.index_of(&id.into()).expect("customer in base") as usize
}
