//! The CSV readers with the options a selector byte picks.

use crm_core::CustomerBase;
use crm_core::ingest::{
    CsvOptions, CustomerCsv, Encoding, InteractionCsv, OnError, TransactionCsv, read_customers, read_interactions,
    read_transactions,
};
use std::path::Path;

/// Reads `path` with the reader and options `selector` picks: bits 0-1 the reader (the
/// transactions reader twice: plain columns and an invoice-line export), 2-3 the delimiter
/// (or sniffed), 4 skip bad rows, 5 Latin-1, 6 day first, 7 decimal comma.
pub fn csv_read(selector: u8, path: &Path) {
    let options = CsvOptions {
        delimiter: [None, Some(','), Some(';'), Some('\t')][(selector >> 2 & 3) as usize],
        on_error: if selector & 0x10 != 0 { OnError::Skip } else { OnError::Fail },
        encoding: if selector & 0x20 != 0 { Encoding::Latin1 } else { Encoding::Utf8 },
        day_first: (selector & 0x40 != 0).then_some(true),
        decimal: (selector & 0x80 != 0).then_some(','),
        ..Default::default()
    };
    match selector % 4 {
        1 => {
            let _ = read_customers(path, &CustomerCsv { options, ..Default::default() });
        }
        2 => {
            let _ = read_interactions(path, &InteractionCsv { options, ..Default::default() });
        }
        k => {
            let spec = if k == 0 {
                TransactionCsv { margin: Some("margin".into()), order: Some("order".into()), options, ..Default::default() }
            } else {
                TransactionCsv {
                    customer: "CustomerID".into(),
                    timestamp: "InvoiceDate".into(),
                    quantity: Some("Quantity".into()),
                    unit_price: Some("UnitPrice".into()),
                    order: Some("InvoiceNo".into()),
                    cancellation_prefix: Some("C".into()),
                    options,
                    ..Default::default()
                }
            };
            if let Ok((cols, report)) = read_transactions(path, &spec) {
                assert_eq!(
                    report.rows_read,
                    report.rows_loaded + report.rows_rejected + report.anonymous.rows,
                    "every row loaded, rejected or counted as anonymous"
                );
                assert_eq!(cols.len(), report.rows_loaded);
                if let (Ok(base), Some(day)) = (CustomerBase::from_transactions(cols), report.last_sale) {
                    let _ = base.summary(day);
                }
            }
        }
    }
}
