//! The CSV readers with the options a selector byte picks.

use crm_core::CustomerBase;
use crm_core::ingest::{
    CsvOptions, CustomerCsv, InteractionCsv, OnError, TransactionCsv, read_customers, read_interactions,
    read_transactions,
};
use std::path::Path;

/// Reads `path` with the reader and options `selector` picks: bits 0-1 the reader, 2-3 the
/// delimiter, 4 skip bad rows, 5 a margin column, 6 an order column.
pub fn csv_read(selector: u8, path: &Path) {
    let options = CsvOptions {
        delimiter: [',', ';', '\t', '|'][(selector >> 2 & 3) as usize],
        on_error: if selector & 0x10 != 0 { OnError::Skip } else { OnError::Fail },
        ..Default::default()
    };
    match selector % 4 {
        1 => {
            let _ = read_customers(path, &CustomerCsv { options, ..Default::default() });
        }
        2 => {
            let _ = read_interactions(path, &InteractionCsv { options, ..Default::default() });
        }
        _ => {
            let spec = TransactionCsv {
                margin: (selector & 0x20 != 0).then(|| "margin".into()),
                order: (selector & 0x40 != 0).then(|| "order".into()),
                options,
                ..Default::default()
            };
            if let Ok((cols, report)) = read_transactions(path, &spec) {
                assert_eq!(report.rows_read, report.rows_loaded + report.rows_rejected, "every row loaded or reported");
                let last = cols.timestamp.iter().max().copied();
                if let (Ok(base), Some(last)) = (CustomerBase::from_transactions(cols), last) {
                    let day = crm_core::time::day_to_date(crm_core::time::day_of(last));
                    let _ = base.summary(day);
                }
            }
        }
    }
}
