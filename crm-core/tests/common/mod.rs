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

/// The transactions split into `parts` tasks by a hash of the (integer) customer id, as a
/// cluster partitions them: every task holds whole customers, rows in their input order.
pub fn hash_tasks(tx: &TransactionColumns, parts: u64) -> Vec<TransactionColumns> {
    let KeyColumn::Int(ids) = &tx.customer else { panic!("integer ids") };
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
