//! CSV import of transactions, customers and interactions.
//!
//! Column names and date formats are configurable. Every bad value is reported with its
//! line (1-based; the header is line 1) and column; no row is dropped silently. With
//! [`OnError::Fail`] (the default) a file with any bad value is refused and the error lists
//! every problem; with [`OnError::Skip`] the good rows load and the [`CsvReport`] lists the
//! rejected ones.

use crate::customer::{AttributeValue, Channel, Customer, Permission};
use crate::error::{CsvProblem, Error, Result};
use crate::id::{KeyColumn, StrColumn};
use crate::interaction::{Direction, InteractionColumns};
use crate::time::{parse_date, parse_timestamp};
use crate::transaction::TransactionColumns;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// At most this many problems are kept in an error or report; all are counted.
pub const MAX_REPORTED_PROBLEMS: usize = 100;

/// What to do with a row that has a bad value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Refuse the file, listing every problem.
    #[default]
    Fail,
    /// Load the good rows; list the rejected rows in the report.
    Skip,
}

/// How ids in the file are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// Integers when every id is a plain integer (`42`, not `042`), else strings.
    #[default]
    Auto,
    /// Always integers (a non-integer id is a bad value).
    Int,
    /// Always strings.
    Str,
}

/// Options shared by all CSV readers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvOptions {
    /// Field delimiter. Default `,`.
    pub delimiter: char,
    /// `strftime` formats tried in order for dates and timestamps; empty for ISO 8601.
    pub date_formats: Vec<String>,
    /// How customer ids are read.
    pub id_kind: IdKind,
    /// What to do with bad rows.
    pub on_error: OnError,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { delimiter: ',', date_formats: Vec::new(), id_kind: IdKind::Auto, on_error: OnError::Fail }
    }
}

/// Column names of a transactions file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransactionCsv {
    /// Customer id column. Default `customer_id`.
    pub customer: String,
    /// Date or date-time column. Default `date`.
    pub timestamp: String,
    /// Amount column. Default `amount`.
    pub amount: String,
    /// Margin column, if any.
    pub margin: Option<String>,
    /// Cost-of-goods column, if any.
    pub cost_of_goods: Option<String>,
    /// Product column, if any.
    pub product: Option<String>,
    /// Order id column, if any.
    pub order: Option<String>,
    /// Shared options.
    pub options: CsvOptions,
}

impl Default for TransactionCsv {
    fn default() -> Self {
        TransactionCsv {
            customer: "customer_id".into(),
            timestamp: "date".into(),
            amount: "amount".into(),
            margin: None,
            cost_of_goods: None,
            product: None,
            order: None,
            options: CsvOptions::default(),
        }
    }
}

/// Column names of an interactions file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InteractionCsv {
    /// Customer id column. Default `customer_id`.
    pub customer: String,
    /// Date or date-time column. Default `date`.
    pub timestamp: String,
    /// Channel column. Default `channel`.
    pub channel: String,
    /// Direction column (inbound / outbound). Default `direction`.
    pub direction: String,
    /// Kind column. Default `kind`.
    pub kind: String,
    /// Outcome column, if any. Default `outcome` when present in the file.
    pub outcome: Option<String>,
    /// Cost column, if any. Default `cost` when present in the file.
    pub cost: Option<String>,
    /// Shared options.
    pub options: CsvOptions,
}

impl Default for InteractionCsv {
    fn default() -> Self {
        InteractionCsv {
            customer: "customer_id".into(),
            timestamp: "date".into(),
            channel: "channel".into(),
            direction: "direction".into(),
            kind: "kind".into(),
            outcome: Some("outcome".into()),
            cost: Some("cost".into()),
            options: CsvOptions::default(),
        }
    }
}

/// Type of a free attribute column in a customers file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeType {
    /// Text (the default for undeclared columns).
    Text,
    /// A finite number.
    Number,
    /// A date.
    Date,
    /// true/false, yes/no, 1/0.
    Bool,
}

/// Reading a customers file. Known columns: `id`, `name`, `email`, `phone`, `address`,
/// `industry`, `category`, `acquisition_date`, `acquisition_channel`, `acquisition_cost`;
/// `permission_<channel>` columns hold yes/no or the date a permission was granted; any
/// other column is a free attribute, text unless declared in `attribute_types`. An empty
/// cell is an absent value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerCsv {
    /// Customer id column. Default `id`.
    pub id: String,
    /// Types of attribute columns.
    pub attribute_types: BTreeMap<String, AttributeType>,
    /// Shared options.
    pub options: CsvOptions,
}

impl Default for CustomerCsv {
    fn default() -> Self {
        CustomerCsv { id: "id".into(), attribute_types: BTreeMap::new(), options: CsvOptions::default() }
    }
}

/// What a CSV read did: rows read, rows loaded, rows rejected (with [`OnError::Skip`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CsvReport {
    /// Data rows in the file.
    pub rows_read: usize,
    /// Rows loaded.
    pub rows_loaded: usize,
    /// Rows rejected.
    pub rows_rejected: usize,
    /// The problems (at most [`MAX_REPORTED_PROBLEMS`]).
    pub problems: Vec<CsvProblem>,
    /// All problems counted.
    pub problems_total: usize,
}

/// An open CSV file with its header resolved.
struct Table {
    path: String,
    reader: csv::Reader<std::fs::File>,
    header: Vec<String>,
    report: CsvReport,
    on_error: OnError,
}

impl Table {
    fn open(path: &Path, options: &CsvOptions) -> Result<Table> {
        let shown = path.display().to_string();
        if !options.delimiter.is_ascii() {
            return Err(Error::config("delimiter", format!("`{}` is not an ASCII character", options.delimiter)));
        }
        let file = std::fs::File::open(path).map_err(|e| Error::Io {
            path: shown.clone(),
            message: e.to_string(),
            not_found: e.kind() == std::io::ErrorKind::NotFound,
        })?;
        let mut reader = csv::ReaderBuilder::new().delimiter(options.delimiter as u8).from_reader(file);
        let header = reader
            .headers()
            .map_err(|e| csv_error(&shown, 1, "", &e.to_string()))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        Ok(Table { path: shown, reader, header, report: CsvReport::default(), on_error: options.on_error })
    }

    /// Index of a required column.
    fn column(&self, name: &str) -> Result<usize> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            csv_error(&self.path, 1, name, &format!("no column `{name}` in the header {:?}", self.header))
        })
    }

    /// Index of an optional column that, when named explicitly, must exist.
    fn optional(&self, name: &Option<String>, must_exist: bool) -> Result<Option<usize>> {
        match name {
            None => Ok(None),
            Some(n) => match self.header.iter().position(|h| h == n) {
                Some(i) => Ok(Some(i)),
                None if must_exist => Err(self.column(n).unwrap_err()),
                None => Ok(None),
            },
        }
    }

    /// Calls `row` for every record with its line; a row returning problems is rejected.
    /// `row` must push its values only after all of them parsed (all-or-nothing per row).
    fn for_each(&mut self, mut row: impl FnMut(&csv::StringRecord, u64, &mut Vec<CsvProblem>)) -> Result<()> {
        let mut record = csv::StringRecord::new();
        let mut problems = Vec::new();
        let mut line = 1u64;
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    line = record.position().map_or(line + 1, |p| p.line());
                    self.report.rows_read += 1;
                    problems.clear();
                    row(&record, line, &mut problems);
                    if problems.is_empty() {
                        self.report.rows_loaded += 1;
                    } else {
                        self.report.rows_rejected += 1;
                        self.note(&problems);
                    }
                }
                Err(e) => {
                    line = e.position().map_or(line + 1, |p| p.line());
                    self.report.rows_read += 1;
                    self.report.rows_rejected += 1;
                    let p = CsvProblem { line, column: String::new(), message: e.to_string() };
                    self.note(std::slice::from_ref(&p));
                    if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    fn note(&mut self, problems: &[CsvProblem]) {
        for p in problems {
            self.report.problems_total += 1;
            if self.report.problems.len() < MAX_REPORTED_PROBLEMS {
                self.report.problems.push(p.clone());
            }
        }
    }

    fn finish(self) -> Result<CsvReport> {
        if self.report.problems_total > 0 && self.on_error == OnError::Fail {
            return Err(Error::Csv {
                path: self.path,
                problems: self.report.problems,
                total: self.report.problems_total,
            });
        }
        Ok(self.report)
    }
}

fn csv_error(path: &str, line: u64, column: &str, message: &str) -> Error {
    Error::Csv {
        path: path.to_owned(),
        problems: vec![CsvProblem { line, column: column.to_owned(), message: message.to_owned() }],
        total: 1,
    }
}

/// Parses one cell, recording a problem on failure.
struct Cells<'a> {
    record: &'a csv::StringRecord,
    header: &'a [String],
    line: u64,
    problems: &'a mut Vec<CsvProblem>,
}

impl Cells<'_> {
    fn text(&self, i: usize) -> &str {
        self.record.get(i).unwrap_or("").trim()
    }

    fn bad(&mut self, i: usize, message: String) {
        self.problems.push(CsvProblem { line: self.line, column: self.header[i].clone(), message });
    }

    fn required(&mut self, i: usize) -> Option<&str> {
        if self.text(i).is_empty() {
            self.bad(i, "empty value".into());
            return None;
        }
        Some(self.record.get(i).unwrap_or("").trim())
    }

    fn number(&mut self, i: usize) -> Option<f64> {
        let t = self.required(i)?.to_owned();
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            Ok(v) => {
                self.bad(i, format!("`{t}` is {v}, not a finite number"));
                None
            }
            Err(_) => {
                self.bad(i, format!("`{t}` is not a number"));
                None
            }
        }
    }

    fn optional_number(&mut self, i: usize) -> Option<Option<f64>> {
        if self.text(i).is_empty() { Some(None) } else { self.number(i).map(Some) }
    }

    fn timestamp(&mut self, i: usize, formats: &[String]) -> Option<i64> {
        let t = self.required(i)?.to_owned();
        let v = parse_timestamp(&t, formats);
        if v.is_none() {
            self.bad(i, format!("`{t}` is not a date in the expected format{}", describe(formats)));
        }
        v
    }
}

fn describe(formats: &[String]) -> String {
    if formats.is_empty() { " (ISO 8601, e.g. 2024-03-01)".into() } else { format!(" ({})", formats.join(" or ")) }
}

/// Turns the ids read as text into a key column of the requested kind.
fn finish_ids(ids: StrColumn, lines: &[u64], kind: IdKind, path: &str, column: &str) -> Result<KeyColumn> {
    let canonical = |s: &str| s.parse::<i64>().ok().filter(|v| v.to_string() == s);
    match kind {
        IdKind::Str => Ok(KeyColumn::Str(ids)),
        IdKind::Auto if !ids.iter().all(|s| canonical(s).is_some()) => Ok(KeyColumn::Str(ids)),
        _ => {
            let mut out = Vec::with_capacity(ids.len());
            let mut problems = Vec::new();
            for (k, s) in ids.iter().enumerate() {
                match s.parse::<i64>() {
                    Ok(v) => out.push(v),
                    Err(_) => problems.push(CsvProblem {
                        line: lines[k],
                        column: column.to_owned(),
                        message: format!("`{s}` is not an integer id"),
                    }),
                }
            }
            if problems.is_empty() {
                Ok(KeyColumn::Int(out))
            } else {
                let total = problems.len();
                problems.truncate(MAX_REPORTED_PROBLEMS);
                Err(Error::Csv { path: path.to_owned(), problems, total })
            }
        }
    }
}

/// Reads a transactions file into columns.
///
/// # Examples
///
/// ```
/// use crm_core::ingest::{read_transactions, TransactionCsv};
/// let path = std::env::temp_dir().join("crm_doc_tx.csv");
/// std::fs::write(&path, "customer_id,date,amount\n1,2024-01-05,100\n2,2024-02-01,-5.5\n").unwrap();
/// let (cols, report) = read_transactions(&path, &TransactionCsv::default())?;
/// assert_eq!(cols.amount, vec![100.0, -5.5]);
/// assert_eq!(report.rows_loaded, 2);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened; [`Error::Csv`] listing every bad value
/// (with [`OnError::Fail`]) or a missing column.
pub fn read_transactions(path: impl AsRef<Path>, spec: &TransactionCsv) -> Result<(TransactionColumns, CsvReport)> {
    let opts = &spec.options;
    let mut t = Table::open(path.as_ref(), opts)?;
    let (ci, ti, ai) = (t.column(&spec.customer)?, t.column(&spec.timestamp)?, t.column(&spec.amount)?);
    let mi = t.optional(&spec.margin, true)?;
    let gi = t.optional(&spec.cost_of_goods, true)?;
    let pi = t.optional(&spec.product, true)?;
    let oi = t.optional(&spec.order, true)?;
    let header = t.header.clone();
    let (mut ids, mut lines) = (StrColumn::new(), Vec::new());
    let (mut time, mut amount) = (Vec::new(), Vec::new());
    let (mut margin, mut cogs) = (mi.map(|_| Vec::new()), gi.map(|_| Vec::new()));
    let (mut product, mut order) = (pi.map(|_| StrColumn::new()), oi.map(|_| StrColumn::new()));
    t.for_each(|record, line, problems| {
        let mut c = Cells { record, header: &header, line, problems };
        let id = c.required(ci).map(str::to_owned);
        let ts = c.timestamp(ti, &opts.date_formats);
        let a = c.number(ai);
        let m = mi.map(|i| c.number(i));
        let g = gi.map(|i| c.number(i));
        let p = pi.map(|i| c.required(i).map(str::to_owned));
        let o = oi.map(|i| c.required(i).map(str::to_owned));
        if !c.problems.is_empty() {
            return;
        }
        ids.push(&id.expect("parsed"));
        lines.push(line);
        time.push(ts.expect("parsed"));
        amount.push(a.expect("parsed"));
        if let (Some(col), Some(v)) = (&mut margin, m) {
            col.push(v.expect("parsed"));
        }
        if let (Some(col), Some(v)) = (&mut cogs, g) {
            col.push(v.expect("parsed"));
        }
        if let (Some(col), Some(v)) = (&mut product, p) {
            col.push(&v.expect("parsed"));
        }
        if let (Some(col), Some(v)) = (&mut order, o) {
            col.push(&v.expect("parsed"));
        }
    })?;
    let path = t.path.clone();
    let report = t.finish()?;
    let customer = finish_ids(ids, &lines, opts.id_kind, &path, &spec.customer)?;
    let cols = TransactionColumns {
        customer,
        timestamp: time,
        amount,
        margin,
        cost_of_goods: cogs,
        product: product.map(KeyColumn::Str),
        order: order.map(KeyColumn::Str),
    };
    Ok((cols, report))
}

/// Reads an interactions file into columns.
///
/// # Errors
/// As [`read_transactions`]; unknown channels and directions are bad values.
pub fn read_interactions(path: impl AsRef<Path>, spec: &InteractionCsv) -> Result<(InteractionColumns, CsvReport)> {
    let opts = &spec.options;
    let mut t = Table::open(path.as_ref(), opts)?;
    let (ci, ti) = (t.column(&spec.customer)?, t.column(&spec.timestamp)?);
    let (chi, di, ki) = (t.column(&spec.channel)?, t.column(&spec.direction)?, t.column(&spec.kind)?);
    let defaults = InteractionCsv::default();
    let oi = t.optional(&spec.outcome, spec.outcome != defaults.outcome)?;
    let xi = t.optional(&spec.cost, spec.cost != defaults.cost)?;
    let header = t.header.clone();
    let (mut ids, mut lines) = (StrColumn::new(), Vec::new());
    let mut cols = InteractionColumns {
        outcome: oi.map(|_| StrColumn::new()),
        cost: xi.map(|_| Vec::new()),
        ..Default::default()
    };
    t.for_each(|record, line, problems| {
        let mut c = Cells { record, header: &header, line, problems };
        let id = c.required(ci).map(str::to_owned);
        let ts = c.timestamp(ti, &opts.date_formats);
        let ch = c.required(chi).map(str::to_owned).and_then(|s| match s.parse::<Channel>() {
            Ok(ch) => Some(ch),
            Err(m) => {
                c.bad(chi, m);
                None
            }
        });
        let dir = c.required(di).map(str::to_owned).and_then(|s| match s.parse::<Direction>() {
            Ok(d) => Some(d),
            Err(m) => {
                c.bad(di, m);
                None
            }
        });
        let kind = c.required(ki).map(str::to_owned);
        let outcome = oi.map(|i| c.text(i).to_owned());
        let cost = xi.map(|i| c.optional_number(i));
        if !c.problems.is_empty() {
            return;
        }
        ids.push(&id.expect("parsed"));
        lines.push(line);
        cols.timestamp.push(ts.expect("parsed"));
        cols.channel.push(ch.expect("parsed"));
        cols.direction.push(dir.expect("parsed"));
        cols.kind.push(&kind.expect("parsed"));
        if let (Some(col), Some(v)) = (&mut cols.outcome, outcome) {
            col.push(&v);
        }
        if let (Some(col), Some(v)) = (&mut cols.cost, cost) {
            col.push(v.expect("parsed").unwrap_or(0.0));
        }
    })?;
    let path = t.path.clone();
    let report = t.finish()?;
    cols.customer = finish_ids(ids, &lines, opts.id_kind, &path, &spec.customer)?;
    Ok((cols, report))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "ja" => Some(true),
        "false" | "no" | "n" | "0" | "nej" => Some(false),
        _ => None,
    }
}

/// Reads a customers file.
///
/// # Errors
/// As [`read_transactions`]; bad dates, numbers, booleans and permission values are bad
/// values. Duplicate ids are found when the base is built.
pub fn read_customers(path: impl AsRef<Path>, spec: &CustomerCsv) -> Result<(Vec<Customer>, CsvReport)> {
    let opts = &spec.options;
    let mut t = Table::open(path.as_ref(), opts)?;
    let idi = t.column(&spec.id)?;
    let header = t.header.clone();
    let mut ids = StrColumn::new();
    let mut lines = Vec::new();
    let mut customers = Vec::new();
    t.for_each(|record, line, problems| {
        let mut c = Cells { record, header: &header, line, problems };
        let id = c.required(idi).map(str::to_owned);
        let mut cust = Customer::default();
        for (i, name) in header.iter().enumerate() {
            let v = c.text(i).to_owned();
            if i == idi || v.is_empty() {
                continue;
            }
            match name.as_str() {
                "name" => cust.name = Some(v),
                "email" => cust.email = Some(v),
                "phone" => cust.phone = Some(v),
                "address" => cust.address = Some(v),
                "industry" => cust.industry = Some(v),
                "category" => cust.category = Some(v),
                "acquisition_channel" => cust.acquisition_channel = Some(v),
                "acquisition_date" => match parse_date(&v, &opts.date_formats) {
                    Some(d) => cust.acquisition_date = Some(d),
                    None => c.bad(i, format!("`{v}` is not a date{}", describe(&opts.date_formats))),
                },
                "acquisition_cost" => cust.acquisition_cost = c.number(i),
                _ if name.starts_with("permission_") => {
                    let Ok(channel) = name["permission_".len()..].parse::<Channel>() else {
                        c.bad(i, format!("`{name}` names no known channel"));
                        continue;
                    };
                    if let Some(granted) = parse_bool(&v) {
                        cust.permissions.push(Permission { channel, granted, date: None });
                    } else if let Some(d) = parse_date(&v, &opts.date_formats) {
                        cust.permissions.push(Permission { channel, granted: true, date: Some(d) });
                    } else {
                        c.bad(i, format!("`{v}` is neither yes/no nor a date"));
                    }
                }
                _ => {
                    let value = match spec.attribute_types.get(name).copied().unwrap_or(AttributeType::Text) {
                        AttributeType::Text => Some(AttributeValue::Text(v)),
                        AttributeType::Number => c.number(i).map(AttributeValue::Number),
                        AttributeType::Bool => parse_bool(&v).map(AttributeValue::Bool).or_else(|| {
                            c.bad(i, format!("`{v}` is not true/false"));
                            None
                        }),
                        AttributeType::Date => {
                            parse_date(&v, &opts.date_formats).map(AttributeValue::Date).or_else(|| {
                                c.bad(i, format!("`{v}` is not a date{}", describe(&opts.date_formats)));
                                None
                            })
                        }
                    };
                    if let Some(value) = value {
                        cust.attributes.insert(name.clone(), value);
                    }
                }
            }
        }
        if c.problems.is_empty() {
            ids.push(&id.expect("parsed"));
            lines.push(line);
            customers.push(cust);
        }
    })?;
    let path = t.path.clone();
    let report = t.finish()?;
    let keys = finish_ids(ids, &lines, opts.id_kind, &path, &spec.id)?;
    for (k, c) in customers.iter_mut().enumerate() {
        c.id = Some(keys.get(k));
    }
    Ok((customers, report))
}

impl crate::CustomerBase {
    /// A base from a transactions CSV file (customers implied by their ids).
    ///
    /// # Errors
    /// See [`read_transactions`] and [`crate::CustomerBaseBuilder::build`].
    pub fn from_csv(path: impl AsRef<Path>, spec: &TransactionCsv) -> Result<(Self, CsvReport)> {
        let (cols, report) = read_transactions(path, spec)?;
        Ok((Self::from_transactions(cols)?, report))
    }
}
