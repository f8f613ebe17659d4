//! What every reader shares: cells parsed from bytes with problems noted by line and
//! column, the per-part log of rows and problems, ids gathered without a per-row
//! allocation, and parts of the file parsed on all threads and joined in file order.

use super::dates::{DateParser, DateScan};
use super::number::{decimal_evidence, parse_number};
use super::source::{Header, Record, Records, Source, not_utf8_message, trim};
use super::{CsvReport, Detected, Encoding, IdKind, MAX_REPORTED_PROBLEMS, OnError};
use crate::error::{CsvProblem, Error, Result};
use crate::id::{KeyColumn, StrColumn};
use std::ops::Range;

/// Rows and problems of one part of a file. Lines are relative to the part until
/// [`Log::append`] shifts them.
#[derive(Debug, Default)]
pub(crate) struct Log {
    pub rows_read: usize,
    pub rows_rejected: usize,
    pub problems: Vec<CsvProblem>,
    pub problems_total: usize,
    pub rejected: Vec<CsvProblem>,
    keep_rejected: bool,
    row_problems: usize,
    row_first: Option<CsvProblem>,
}

impl Log {
    pub fn new(on_error: OnError) -> Self {
        Log { keep_rejected: on_error == OnError::Skip, ..Default::default() }
    }

    /// Notes a bad value of the current row.
    #[cold]
    pub fn bad(&mut self, line: u64, column: &str, message: String) {
        let p = CsvProblem { line, column: column.to_owned(), message };
        self.problems_total += 1;
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(p.clone());
        }
        self.row_problems += 1;
        if self.row_first.is_none() {
            self.row_first = Some(p);
        }
    }

    /// Ends a row: true when it had no problem.
    #[inline]
    pub fn end_row(&mut self) -> bool {
        self.rows_read += 1;
        if self.row_problems == 0 {
            return true;
        }
        self.rows_rejected += 1;
        if let Some(mut first) = self.row_first.take()
            && self.keep_rejected
        {
            if self.row_problems > 1 {
                first.message.push_str(&format!(" (and {} more problem(s) in this row)", self.row_problems - 1));
            }
            self.rejected.push(first);
        }
        self.row_problems = 0;
        false
    }

    /// Adds a later part's log, its lines shifted by `offset`.
    pub fn append(&mut self, mut later: Log, offset: u64) {
        self.rows_read += later.rows_read;
        self.rows_rejected += later.rows_rejected;
        self.problems_total += later.problems_total;
        for mut p in later.problems.drain(..) {
            if self.problems.len() < MAX_REPORTED_PROBLEMS {
                p.line += offset;
                self.problems.push(p);
            }
        }
        self.rejected.extend(later.rejected.into_iter().map(|mut p| {
            p.line += offset;
            p
        }));
    }

    /// The report so far, or the error listing every problem with [`OnError::Fail`].
    pub fn finish(self, path: &str, on_error: OnError) -> Result<CsvReport> {
        if self.problems_total > 0 && on_error == OnError::Fail {
            return Err(Error::Csv { path: path.to_owned(), problems: self.problems, total: self.problems_total });
        }
        Ok(CsvReport {
            path: path.to_owned(),
            rows_read: self.rows_read,
            rows_rejected: self.rows_rejected,
            rows_loaded: self.rows_read - self.rows_rejected,
            rejected: self.rejected,
            problems: self.problems,
            problems_total: self.problems_total,
            ..Default::default()
        })
    }
}

/// How cells of a file are read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cells<'a> {
    pub names: &'a [String],
    pub encoding: Encoding,
    pub decimal: u8,
    pub dates: DateParser<'a>,
}

impl<'a> Cells<'a> {
    /// A mapped text cell, trimmed; a problem when it is not valid in the encoding.
    #[inline]
    pub fn text<'b>(
        &self,
        rec: &'b Record<'_>,
        i: usize,
        buf: &'b mut String,
        line: u64,
        log: &mut Log,
    ) -> Option<&'b str> {
        match self.encoding.decode(trim(rec.field(i)), buf) {
            Ok(s) => Some(s),
            Err(()) => {
                log.bad(line, &self.names[i], not_utf8_message());
                None
            }
        }
    }

    /// A required text cell: a problem when empty.
    #[inline]
    pub fn required<'b>(
        &self,
        rec: &'b Record<'_>,
        i: usize,
        buf: &'b mut String,
        line: u64,
        log: &mut Log,
    ) -> Option<&'b str> {
        let names = self.names;
        let s = self.text(rec, i, buf, line, log)?;
        if s.is_empty() {
            log.bad(line, &names[i], "empty value".into());
            return None;
        }
        Some(s)
    }

    /// A required finite number.
    #[inline]
    pub fn number(&self, rec: &Record<'_>, i: usize, line: u64, log: &mut Log) -> Option<f64> {
        let raw = trim(rec.field(i));
        if let Some(v) = parse_number(raw, self.decimal) {
            return Some(v);
        }
        self.bad_number(raw, i, line, log);
        None
    }

    /// An optional number: `Some(None)` when empty.
    #[inline]
    pub fn optional_number(&self, rec: &Record<'_>, i: usize, line: u64, log: &mut Log) -> Option<Option<f64>> {
        if trim(rec.field(i)).is_empty() { Some(None) } else { self.number(rec, i, line, log).map(Some) }
    }

    #[cold]
    fn bad_number(&self, raw: &[u8], i: usize, line: u64, log: &mut Log) {
        let shown = String::from_utf8_lossy(raw);
        let message = if raw.is_empty() {
            "empty value".to_owned()
        } else if matches!(&*shown.to_ascii_lowercase(), "nan" | "inf" | "-inf" | "+inf" | "infinity") {
            format!("`{shown}` is not a finite number")
        } else {
            let other = if self.decimal == b'.' { ',' } else { '.' };
            format!(
                "`{shown}` is not a number (decimal separator `{}`; give decimal = \"{other}\" if the file uses `{other}`)",
                self.decimal as char
            )
        };
        log.bad(line, &self.names[i], message);
    }

    /// A required date or date-time (Unix seconds, or pending; see [`super::dates`]).
    #[inline]
    pub fn timestamp(&self, rec: &Record<'_>, i: usize, line: u64, log: &mut Log, scan: &mut DateScan) -> Option<i64> {
        let raw = trim(rec.field(i));
        if let Some(t) = self.dates.parse(raw, line, scan) {
            return Some(t);
        }
        self.bad_date(raw, i, line, log);
        None
    }

    #[cold]
    fn bad_date(&self, raw: &[u8], i: usize, line: u64, log: &mut Log) {
        let message = if raw.is_empty() {
            "empty value".to_owned()
        } else if self.dates.formats.is_empty() {
            format!(
                "`{}` is not a date (ISO 8601 like 2024-03-01 [10:00], M/D/YYYY or D/M/YYYY [H:MM], D.M.YYYY [H:MM])",
                String::from_utf8_lossy(raw)
            )
        } else {
            format!(
                "`{}` is not a date in the format {}",
                String::from_utf8_lossy(raw),
                self.dates.formats.join(" or ")
            )
        };
        log.bad(line, &self.names[i], message);
    }
}

/// Ids of one part: integers while every id is one, strings after the first that is not.
#[derive(Debug)]
pub(crate) enum Ids {
    Int(Vec<i64>),
    Str(StrColumn),
}

/// An id that is a plain integer (`42`, `-7`; not `042`, `+1`, `-0`) or such an integer
/// followed by a fraction of zeros (`17850.0`): its value and the length of its integer
/// part.
#[inline]
pub(crate) fn canonical_int(s: &str) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let int_len = memchr::memchr(b'.', b).unwrap_or(b.len());
    let (int, frac) = (&b[..int_len], &b[int_len..]);
    if !frac.is_empty() && (frac.len() < 2 || !frac[1..].iter().all(|&c| c == b'0')) {
        return None;
    }
    let digits = int.strip_prefix(b"-").unwrap_or(int);
    let canonical = match digits {
        [] => false,
        [b'0'] => digits.len() == int.len(),
        [first, ..] => *first != b'0' && digits.iter().all(u8::is_ascii_digit),
    };
    if !canonical {
        return None;
    }
    s[..int_len].parse::<i64>().ok().map(|v| (v, int_len))
}

impl Ids {
    pub fn new(kind: IdKind) -> Self {
        match kind {
            IdKind::Str => Ids::Str(StrColumn::new()),
            _ => Ids::Int(Vec::new()),
        }
    }

    /// Whether `s` can be an id of `kind` (only integers can fail).
    #[inline]
    pub fn check(kind: IdKind, s: &str) -> Result<(), String> {
        if kind == IdKind::Int && lenient_int(s).is_none() {
            return Err(format!("`{s}` is not an integer id"));
        }
        Ok(())
    }

    /// Adds a checked id.
    #[inline]
    pub fn push(&mut self, kind: IdKind, s: &str) {
        match self {
            Ids::Int(v) => match canonical_int(s) {
                Some((x, _)) => v.push(x),
                None if kind == IdKind::Int => v.push(lenient_int(s).unwrap_or_default()),
                None => {
                    self.make_strings();
                    self.push(kind, s);
                }
            },
            Ids::Str(c) => match (kind, canonical_int(s)) {
                (IdKind::Auto, Some((_, int_len))) => c.push(&s[..int_len]),
                _ => c.push(s),
            },
        }
    }

    /// Adds an integer id (from a typed column).
    #[inline]
    pub fn push_int(&mut self, v: i64) {
        match self {
            Ids::Int(c) => c.push(v),
            Ids::Str(c) => c.push(&v.to_string()),
        }
    }

    fn make_strings(&mut self) {
        if let Ids::Int(v) = self {
            let mut c = StrColumn::with_capacity(v.len(), v.len() * 8);
            for x in v.iter() {
                c.push(&x.to_string());
            }
            *self = Ids::Str(c);
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Ids::Int(v) => v.len(),
            Ids::Str(c) => c.len(),
        }
    }

    /// The ids of all parts, in order, as one column.
    pub fn join(mut parts: Vec<Ids>) -> KeyColumn {
        if parts.iter().any(|p| matches!(p, Ids::Str(_))) {
            parts.iter_mut().for_each(Ids::make_strings);
            let n = parts.iter().map(Ids::len).sum();
            let bytes = parts.iter().map(|p| if let Ids::Str(c) = p { c.data_len() } else { 0 }).sum();
            let mut out = StrColumn::with_capacity(n, bytes);
            for p in parts {
                if let Ids::Str(c) = p {
                    out.extend_from(&c);
                }
            }
            KeyColumn::Str(out)
        } else {
            KeyColumn::Int(concat(parts.into_iter().map(|p| if let Ids::Int(v) = p { v } else { Vec::new() })))
        }
    }
}

/// An integer id read leniently (`007`, `+7`, `17850.0`).
fn lenient_int(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().or_else(|| {
        let (int, frac) = s.split_once('.')?;
        (!frac.is_empty() && frac.bytes().all(|c| c == b'0')).then(|| int.parse::<i64>().ok()).flatten()
    })
}

/// Vectors joined in order, each freed once copied.
pub(crate) fn concat<T>(parts: impl IntoIterator<Item = Vec<T>>) -> Vec<T> {
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    for p in parts {
        out.extend(p);
    }
    out
}

/// String columns joined in order.
pub(crate) fn concat_str(parts: impl IntoIterator<Item = StrColumn>) -> StrColumn {
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    for p in parts {
        out.extend_from(&p);
    }
    out
}

/// Below this many bytes a file is parsed on one thread.
const MIN_PARALLEL_BYTES: usize = 4 << 20;

/// Parses the data rows of a file in parts on all threads. `work` gets a part's bytes and
/// returns its result and the lines the part spans; the results come back in file order
/// with the file line of each part's first byte.
pub(crate) fn in_parts<T: Send>(
    src: &Source,
    header: &Header,
    work: impl Fn(&[u8]) -> (T, u64) + Sync,
) -> Vec<(T, u64)> {
    let data = &src.bytes[header.data.clone()];
    let threads = crate::parallel::threads();
    let n = if data.len() < MIN_PARALLEL_BYTES || threads == 1 { 1 } else { threads * 4 };
    let parts: Vec<Range<usize>> = super::source::cut(data, n);
    let results: Vec<(T, u64)> =
        if parts.len() == 1 { vec![work(data)] } else { crate::parallel::run_each(parts, |r| work(&data[r])) };
    let mut line = header.first_line;
    results
        .into_iter()
        .map(|(t, lines)| {
            let first = line;
            line += lines;
            (t, first)
        })
        .collect()
}

/// Calls `row(record, line)` for every non-blank record of `data`, `line` relative to the
/// start of `data`; a record with a field count other than the header's is a problem of
/// its own line. Returns the lines `data` spans.
pub(crate) fn each_record<'a>(
    data: &'a [u8],
    delimiter: u8,
    names: &[String],
    log: &mut Log,
    mut row: impl FnMut(&Record<'a>, u64, &mut Log),
) -> u64 {
    let mut records = Records::new(data, delimiter);
    let mut rec = Record::default();
    while let Some(line) = records.next(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        if rec.len() != names.len() {
            log.bad(line, "", format!("the line has {} fields but the header has {}", rec.len(), names.len()));
            log.end_row();
            continue;
        }
        row(&rec, line, log);
    }
    records.line
}

/// The decimal separator from up to 1000 rows of the given numeric columns: `,` when some
/// value only reads with a decimal comma and none only with a decimal point, else `.`.
pub(crate) fn sniff_decimal(src: &Source, header: &Header, columns: &[usize]) -> u8 {
    if columns.is_empty() {
        return b'.';
    }
    let data = &src.bytes[header.data.clone()];
    let mut records = Records::new(data, src.delimiter);
    let mut rec = Record::default();
    let (mut comma, mut point, mut rows) = (0, 0, 0);
    while records.next(&mut rec).is_some() {
        for &i in columns {
            match decimal_evidence(trim(rec.field(i))) {
                Some(b',') => comma += 1,
                Some(_) => point += 1,
                None => {}
            }
        }
        rows += 1;
        if rows == 1000 {
            break;
        }
    }
    if comma > 0 && point == 0 { b',' } else { b'.' }
}

/// The decimal separator option as a byte.
pub(crate) fn decimal_option(decimal: Option<char>) -> Result<Option<u8>> {
    match decimal {
        None => Ok(None),
        Some(c @ ('.' | ',')) => Ok(Some(c as u8)),
        Some(c) => Err(Error::config("decimal", format!("`{c}` is not a decimal separator (`.` or `,`)"))),
    }
}

/// The encoding as reported.
/// What a CSV read found out about the file's format; the date fields are the reader's
/// to fill once its dates are resolved.
pub(crate) fn detected(src: &Source, decimal: u8) -> Detected {
    Detected {
        delimiter: src.delimiter as char,
        decimal: decimal as char,
        encoding: if src.start > 0 { "utf-8 with BOM".to_owned() } else { src.encoding.name().to_owned() },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ids() {
        assert_eq!(canonical_int("17850"), Some((17850, 5)));
        assert_eq!(canonical_int("17850.0"), Some((17850, 5)));
        assert_eq!(canonical_int("17850.00"), Some((17850, 5)));
        assert_eq!(canonical_int("-3"), Some((-3, 2)));
        assert_eq!(canonical_int("0"), Some((0, 1)));
        for s in ["007", "-0", "+1", "1.5", "1.", "", "x", "1e3", "99999999999999999999"] {
            assert_eq!(canonical_int(s), None, "{s}");
        }
        assert_eq!(lenient_int("007"), Some(7));
        assert_eq!(lenient_int("7.00"), Some(7));
        assert_eq!(lenient_int("7.5"), None);
    }

    #[test]
    fn ids_switch_make_strings_and_join_in_order() {
        let mut a = Ids::new(IdKind::Auto);
        a.push(IdKind::Auto, "17850.0");
        a.push(IdKind::Auto, "12");
        let mut b = Ids::new(IdKind::Auto);
        b.push(IdKind::Auto, "3.0");
        b.push(IdKind::Auto, "A-1");
        assert_eq!(Ids::join(vec![a, b]), KeyColumn::from(vec!["17850", "12", "3", "A-1"]));
        let mut c = Ids::new(IdKind::Auto);
        c.push(IdKind::Auto, "17850.0");
        assert_eq!(Ids::join(vec![c, Ids::new(IdKind::Auto)]), KeyColumn::Int(vec![17850]));
    }
}
