//! Interactions files (contacts, campaigns, complaints) to interaction columns.

use super::dates::{DateParser, DateScan, is_pending, resolve};
use super::lines::RowLines;
use super::source::{Source, problem};
use super::table::{Cells, Ids, Log, decimal_option, detected, each_record, in_parts, sniff_decimal};
use super::{CsvReport, Detected, InteractionCsv};
use crate::customer::Channel;
use crate::error::Result;
use crate::id::StrColumn;
use crate::interaction::{Direction, InteractionColumns};
use std::path::Path;

/// One part of the file, parsed.
struct Part {
    ids: Ids,
    cols: InteractionColumns,
    /// The line of each loaded row (part-relative).
    lines: RowLines,
    log: Log,
    scan: DateScan,
}

/// Reads an interactions file into columns (same formats as [`super::read_transactions`]).
///
/// # Examples
///
/// ```
/// use crm_core::ingest::{read_interactions, InteractionCsv};
/// let path = std::env::temp_dir().join("crm_doc_ix.csv");
/// std::fs::write(&path, "customer_id;date;channel;direction;kind\n7;13/1/2024;e-mail;outbound;campaign\n").unwrap();
/// let (cols, report) = read_interactions(&path, &InteractionCsv::default())?;
/// assert_eq!((cols.timestamp.len(), report.detected.delimiter, report.detected.day_first), (1, ';', Some(true)));
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// As [`super::read_transactions`]; unknown channels and directions are bad values. A blank
/// customer id is a bad value here.
pub fn read_interactions(path: impl AsRef<Path>, spec: &InteractionCsv) -> Result<(InteractionColumns, CsvReport)> {
    read_interactions_lines(path.as_ref(), spec).map(|(cols, report, _)| (cols, report))
}

/// [`read_interactions`], with the file line of each loaded row.
pub(crate) fn read_interactions_lines(
    path: &Path,
    spec: &InteractionCsv,
) -> Result<(InteractionColumns, CsvReport, RowLines)> {
    let opts = &spec.options;
    let src = Source::open(path, opts.delimiter, opts.encoding)?;
    let header = src.header()?;
    let col = |name: &str| header.column(&src.path, name);
    let (ci, ti) = (col(&spec.customer)?, col(&spec.timestamp)?);
    let (chi, di, ki) = (col(&spec.channel)?, col(&spec.direction)?, col(&spec.kind)?);
    // The default optional columns are read when the file has them.
    let defaults = InteractionCsv::default();
    let optional = |name: &Option<String>, default: &Option<String>| match name {
        Some(n) if name == default && !header.names.contains(n) => Ok(None),
        _ => header.optional(&src.path, name),
    };
    let oi = optional(&spec.outcome, &defaults.outcome)?;
    let xi = optional(&spec.cost, &defaults.cost)?;
    let decimal = match decimal_option(opts.decimal)? {
        Some(d) => d,
        None => sniff_decimal(&src, &header, &xi.into_iter().collect::<Vec<_>>()),
    };
    let cells = Cells {
        names: &header.names,
        encoding: opts.encoding,
        decimal,
        dates: DateParser { day_first: opts.day_first, formats: &opts.date_formats },
    };
    let kind = opts.id_kind;
    let parts = in_parts(&src, &header, |data| {
        let mut p = Part {
            ids: Ids::new(kind),
            cols: InteractionColumns {
                outcome: oi.map(|_| StrColumn::new()),
                cost: xi.map(|_| Vec::new()),
                ..Default::default()
            },
            lines: RowLines::default(),
            log: Log::new(opts.on_error),
            scan: DateScan::default(),
        };
        let (mut id_buf, mut text_buf, mut kind_buf, mut outcome_buf) =
            (String::new(), String::new(), String::new(), String::new());
        let mut log = std::mem::take(&mut p.log);
        let lines = each_record(data, src.delimiter, &header.names, &mut log, |rec, line, log| {
            let id = cells.required(rec, ci, &mut id_buf, line, log);
            if let Some(Err(m)) = id.map(|id| Ids::check(kind, id)) {
                log.bad(line, &header.names[ci], m);
            }
            let ts = cells.timestamp(rec, ti, line, log, &mut p.scan);
            let ch = cells.required(rec, chi, &mut text_buf, line, log).and_then(|s| match s.parse::<Channel>() {
                Ok(ch) => Some(ch),
                Err(m) => {
                    log.bad(line, &header.names[chi], m);
                    None
                }
            });
            let dir = cells.required(rec, di, &mut text_buf, line, log).and_then(|s| match s.parse::<Direction>() {
                Ok(d) => Some(d),
                Err(m) => {
                    log.bad(line, &header.names[di], m);
                    None
                }
            });
            let kind_text = cells.required(rec, ki, &mut kind_buf, line, log);
            let outcome = oi.map(|i| cells.text(rec, i, &mut outcome_buf, line, log));
            let cost = xi.map(|i| cells.optional_number(rec, i, line, log));
            if !log.end_row() {
                return;
            }
            let (Some(id), Some(ts), Some(ch), Some(dir), Some(k)) = (id, ts, ch, dir, kind_text) else { return };
            p.ids.push(kind, id);
            p.lines.push(line);
            p.cols.timestamp.push(ts);
            p.cols.channel.push(ch);
            p.cols.direction.push(dir);
            p.cols.kind.push(k);
            if let (Some(col), Some(Some(v))) = (&mut p.cols.outcome, outcome) {
                col.push(v);
            }
            if let (Some(col), Some(Some(v))) = (&mut p.cols.cost, cost) {
                col.push(v.unwrap_or(0.0));
            }
        });
        p.log = log;
        (p, lines)
    });
    let mut log = Log::new(opts.on_error);
    let mut scan = DateScan::default();
    let mut ids = Vec::new();
    let mut lines = RowLines::default();
    let mut cols = InteractionColumns {
        outcome: oi.map(|_| StrColumn::new()),
        cost: xi.map(|_| Vec::new()),
        ..Default::default()
    };
    for (p, first_line) in parts {
        log.append(p.log, first_line);
        scan.merge(&p.scan, first_line);
        ids.push(p.ids);
        lines.append(&p.lines, first_line);
        cols.timestamp.extend(p.cols.timestamp);
        cols.channel.extend(p.cols.channel);
        cols.direction.extend(p.cols.direction);
        cols.kind.extend_from(&p.cols.kind);
        if let (Some(a), Some(b)) = (&mut cols.outcome, &p.cols.outcome) {
            a.extend_from(b);
        }
        if let (Some(a), Some(b)) = (&mut cols.cost, p.cols.cost) {
            a.extend(b);
        }
    }
    let day_first =
        scan.day_first(opts.day_first).map_err(|m| problem(&src.path, header.first_line, &spec.timestamp, &m))?;
    let mut report = log.finish(&src.path, opts.on_error)?;
    for t in &mut cols.timestamp {
        if is_pending(*t) {
            *t = resolve(*t, day_first.unwrap_or(false));
        }
    }
    cols.customer = Ids::join(ids);
    report.detected = Detected { date_format: scan.describe(day_first), day_first, ..detected(&src, decimal) };
    Ok((cols, report, lines))
}
