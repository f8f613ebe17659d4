//! Sales lines to transaction columns: amount or quantity x unit price, orders, returns
//! (negative amounts or quantities, cancelled orders) and anonymous rows.

use super::dates::{DateParser, DateScan, is_pending, resolve};
use super::lines::RowLines;
use super::source::{Header, Source, problem};
use super::table::{
    Cells, Ids, Log, concat, concat_str, decimal_option, detected, each_record, in_parts, sniff_decimal,
};
use super::{Anonymous, CsvReport, Detected, IdKind, ReturnCounts, TransactionCsv};
use crate::error::{Error, Result};
use crate::id::{KeyColumn, StrColumn};
use crate::time::{SECONDS_PER_DAY, day_to_date};
use crate::transaction::TransactionColumns;
use std::path::Path;

/// Where the amount of a row comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AmountFrom {
    Column(usize),
    QuantityTimesPrice(usize, usize),
}

/// Column indices of a transactions file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SalesMap {
    pub customer: usize,
    pub timestamp: usize,
    pub amount: AmountFrom,
    pub margin: Option<usize>,
    pub cost_of_goods: Option<usize>,
    /// The product column, or the category column when no product is named.
    pub product: Option<usize>,
    pub order: Option<usize>,
}

/// Checks the parts of a spec that do not depend on the file.
pub(crate) fn check_spec(spec: &TransactionCsv) -> Result<()> {
    if spec.quantity.is_some() != spec.unit_price.is_some() {
        return Err(Error::config(
            "quantity",
            "give both quantity and unit_price (amount = quantity x unit price), or neither",
        ));
    }
    if spec.product.is_some() && spec.category.is_some() {
        return Err(Error::config("category", "give product or category, not both (the engine keeps one of them)"));
    }
    if spec.margin.is_some() && spec.cost_of_goods.is_some() {
        return Err(Error::config("margin", "give margin or cost_of_goods, not both"));
    }
    if spec.cancellation_prefix.as_deref().is_some_and(str::is_empty) {
        return Err(Error::config("cancellation_prefix", "is empty"));
    }
    if spec.cancellation_prefix.is_some() && spec.order.is_none() {
        return Err(Error::config("cancellation_prefix", "needs the order column (`order`)"));
    }
    Ok(())
}

/// One part of the file, parsed.
pub(crate) struct Part {
    ids: Ids,
    time: Vec<i64>,
    amount: Vec<f64>,
    margin: Option<Vec<f64>>,
    cogs: Option<Vec<f64>>,
    product: Option<StrColumn>,
    order: Option<StrColumn>,
    anonymous_lines: Vec<u64>,
    /// The line of each loaded row (part-relative).
    lines: RowLines,
    anonymous_amount: Vec<f64>,
    /// Return rows of customers and of anonymous rows.
    return_rows: [usize; 2],
    /// Their order ids (for distinct counts).
    return_orders: [StrColumn; 2],
    pub log: Log,
    pub scan: DateScan,
    kind: IdKind,
}

/// One good row of sales, as read by any format.
pub(crate) struct SalesRow<'a> {
    /// The customer id.
    pub id: RowId<'a>,
    pub time: i64,
    pub amount: f64,
    pub negative_quantity: bool,
    pub margin: Option<f64>,
    pub cogs: Option<f64>,
    pub product: Option<&'a str>,
    pub order: Option<&'a str>,
}

/// A row's customer id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowId<'a> {
    /// No id: an anonymous row.
    Anonymous,
    /// Text, trimmed and not empty.
    Text(&'a str),
    /// An integer from a typed column (Parquet).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Int(i64),
}

impl Part {
    pub fn new(map: &SalesMap, spec: &TransactionCsv, estimate: usize) -> Part {
        let kind = spec.options.id_kind;
        let mut ids = Ids::new(kind);
        if let Ids::Int(v) = &mut ids {
            v.reserve(estimate);
        }
        Part {
            ids,
            time: Vec::with_capacity(estimate),
            amount: Vec::with_capacity(estimate),
            margin: map.margin.map(|_| Vec::with_capacity(estimate)),
            cogs: map.cost_of_goods.map(|_| Vec::with_capacity(estimate)),
            product: map.product.map(|_| StrColumn::with_capacity(estimate, estimate * 6)),
            order: map.order.map(|_| StrColumn::with_capacity(estimate, estimate * 7)),
            anonymous_lines: Vec::new(),
            lines: RowLines::default(),
            anonymous_amount: Vec::new(),
            return_rows: [0; 2],
            return_orders: [StrColumn::new(), StrColumn::new()],
            log: Log::new(spec.options.on_error),
            scan: DateScan::default(),
            kind,
        }
    }

    /// Loads a row whose values all parsed: a return is made negative, an anonymous row
    /// counted. `prefix` is the cancellation prefix (empty for none).
    #[inline]
    pub fn load(&mut self, row: SalesRow<'_>, line: u64, prefix: &[u8]) {
        let cancelled = !prefix.is_empty() && row.order.is_some_and(|o| o.as_bytes().starts_with(prefix));
        let is_return = row.amount < 0.0 || row.negative_quantity || cancelled;
        let signed = |v: f64| if is_return { -v.abs() } else { v };
        let who = usize::from(matches!(row.id, RowId::Anonymous));
        if is_return {
            self.return_rows[who] += 1;
            if let Some(o) = row.order {
                self.return_orders[who].push(o);
            }
        }
        match row.id {
            RowId::Anonymous => {
                self.anonymous_lines.push(line);
                self.anonymous_amount.push(signed(row.amount));
                return;
            }
            RowId::Text(id) => self.ids.push(self.kind, id),
            RowId::Int(id) if self.kind == IdKind::Str => self.ids.push(self.kind, &id.to_string()),
            RowId::Int(id) => self.ids.push_int(id),
        }
        self.lines.push(line);
        self.time.push(row.time);
        self.amount.push(signed(row.amount));
        if let (Some(col), Some(v)) = (&mut self.margin, row.margin) {
            col.push(signed(v));
        }
        if let (Some(col), Some(v)) = (&mut self.cogs, row.cogs) {
            col.push(signed(v));
        }
        if let (Some(col), Some(v)) = (&mut self.product, row.product) {
            col.push(v);
        }
        if let (Some(col), Some(v)) = (&mut self.order, row.order) {
            col.push(v);
        }
    }
}

/// Per-part scratch for decoding text cells.
#[derive(Default)]
struct Buffers {
    id: String,
    product: String,
    order: String,
}

/// Parses the rows of `data` (a part of the file starting at a record start).
fn parse_part(
    data: &[u8],
    delimiter: u8,
    cells: &Cells<'_>,
    map: &SalesMap,
    spec: &TransactionCsv,
    estimate: usize,
) -> (Part, u64) {
    let kind = spec.options.id_kind;
    let prefix = spec.cancellation_prefix.as_deref().unwrap_or("").as_bytes();
    let mut p = Part::new(map, spec, estimate);
    let mut b = Buffers::default();
    let names = cells.names;
    let mut log = std::mem::take(&mut p.log);
    let mut scan = std::mem::take(&mut p.scan);
    let lines = each_record(data, delimiter, names, &mut log, |rec, line, log| {
        let id = cells.text(rec, map.customer, &mut b.id, line, log);
        if let Some(id) = id
            && !id.is_empty()
            && let Err(m) = Ids::check(kind, id)
        {
            log.bad(line, &names[map.customer], m);
        }
        let time = cells.timestamp(rec, map.timestamp, line, log, &mut scan);
        let (amount, negative_quantity) = match map.amount {
            AmountFrom::Column(i) => (cells.number(rec, i, line, log), false),
            AmountFrom::QuantityTimesPrice(q, u) => {
                let (q, u) = (cells.number(rec, q, line, log), cells.number(rec, u, line, log));
                (q.zip(u).map(|(q, u)| q * u), q.is_some_and(|q| q < 0.0))
            }
        };
        let margin = map.margin.map(|i| cells.number(rec, i, line, log));
        let cogs = map.cost_of_goods.map(|i| cells.number(rec, i, line, log));
        let product = map.product.map(|i| cells.required(rec, i, &mut b.product, line, log));
        let order = map.order.map(|i| cells.required(rec, i, &mut b.order, line, log));
        if !log.end_row() {
            return;
        }
        let (Some(id), Some(time), Some(amount)) = (id, time, amount) else { return };
        let row = SalesRow {
            id: if id.is_empty() { RowId::Anonymous } else { RowId::Text(id) },
            time,
            amount,
            negative_quantity,
            margin: margin.flatten(),
            cogs: cogs.flatten(),
            product: product.flatten(),
            order: order.flatten(),
        };
        p.load(row, line, prefix);
    });
    p.log = log;
    p.scan = scan;
    (p, lines)
}

/// Reads a transactions (sales lines) file into columns.
///
/// See [`TransactionCsv`] for the mapping and the module documentation for formats. Rows
/// without a customer id are counted in [`CsvReport::anonymous`], returns in
/// [`CsvReport::returns`].
///
/// # Examples
///
/// ```
/// use crm_core::ingest::{read_transactions, TransactionCsv};
/// let path = std::env::temp_dir().join("crm_doc_tx.csv");
/// std::fs::write(&path, "customer_id,date,amount\r\n1,2024-01-05,100\r\n2,2024-02-01,-5.5\r\n,2024-02-02,7\r\n").unwrap();
/// let (cols, report) = read_transactions(&path, &TransactionCsv::default())?;
/// assert_eq!(cols.amount, vec![100.0, -5.5]);
/// assert_eq!((report.rows_loaded, report.anonymous.rows, report.returns.customers.rows), (2, 1, 1));
/// assert_eq!(report.last_sale, chrono::NaiveDate::from_ymd_opt(2024, 1, 5));
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::InvalidConfig`] for an
/// inconsistent spec; [`Error::Csv`] for a missing or doubled column, dates whose day/month
/// order cannot be decided, or (with [`OnError::Fail`](super::OnError::Fail)) listing every bad value.
pub fn read_transactions(path: impl AsRef<Path>, spec: &TransactionCsv) -> Result<(TransactionColumns, CsvReport)> {
    read_transactions_lines(path.as_ref(), spec).map(|(cols, report, _)| (cols, report))
}

/// [`read_transactions`], with the file line of each loaded row.
pub(crate) fn read_transactions_lines(
    path: &Path,
    spec: &TransactionCsv,
) -> Result<(TransactionColumns, CsvReport, RowLines)> {
    check_spec(spec)?;
    let opts = &spec.options;
    let src = Source::open(path, opts.delimiter, opts.encoding)?;
    let header = src.header()?;
    let col = |name: &str| header.column(&src.path, name);
    let map = SalesMap {
        customer: col(&spec.customer)?,
        timestamp: col(&spec.timestamp)?,
        amount: match (&spec.quantity, &spec.unit_price) {
            (Some(q), Some(u)) => AmountFrom::QuantityTimesPrice(col(q)?, col(u)?),
            _ => AmountFrom::Column(col(&spec.amount)?),
        },
        margin: header.optional(&src.path, &spec.margin)?,
        cost_of_goods: header.optional(&src.path, &spec.cost_of_goods)?,
        product: header.optional(&src.path, &spec.product.clone().or_else(|| spec.category.clone()))?,
        order: header.optional(&src.path, &spec.order)?,
    };
    let numeric: Vec<usize> = match map.amount {
        AmountFrom::Column(i) => vec![i],
        AmountFrom::QuantityTimesPrice(q, u) => vec![q, u],
    }
    .into_iter()
    .chain(map.margin)
    .chain(map.cost_of_goods)
    .collect();
    let decimal = match decimal_option(opts.decimal)? {
        Some(d) => d,
        None => sniff_decimal(&src, &header, &numeric),
    };
    let cells = Cells {
        names: &header.names,
        encoding: opts.encoding,
        decimal,
        dates: DateParser { day_first: opts.day_first, formats: &opts.date_formats },
    };
    // Rows per byte from the first lines, to size each part's columns once.
    let bytes_per_row = estimate_row_bytes(&src, &header);
    let parts = in_parts(&src, &header, |data| {
        parse_part(data, src.delimiter, &cells, &map, spec, data.len() / bytes_per_row + 16)
    });
    let mut found = detected(&src, decimal);
    join(parts, spec, &src.path, header.first_line, &mut found).map(|(cols, mut report, lines)| {
        report.detected = found;
        (cols, report, lines)
    })
}

fn estimate_row_bytes(src: &Source, header: &Header) -> usize {
    let data = &src.bytes[header.data.clone()];
    let sample = &data[..data.len().min(64 << 10)];
    let lines = memchr::memchr_iter(b'\n', sample).count().max(1);
    (sample.len() / lines).max(8)
}

/// Joins the parts in file order, decides the date order, and makes the report.
pub(crate) fn join(
    parts: Vec<(Part, u64)>,
    spec: &TransactionCsv,
    path: &str,
    header_line: u64,
    detected: &mut Detected,
) -> Result<(TransactionColumns, CsvReport, RowLines)> {
    let mut log = Log::new(spec.options.on_error);
    let mut lines = RowLines::default();
    let mut scan = DateScan::default();
    let mut anonymous_lines = Vec::new();
    let mut anonymous_amount = Vec::new();
    let mut return_rows = [0usize; 2];
    let mut return_orders = [StrColumn::new(), StrColumn::new()];
    let mut ids = Vec::with_capacity(parts.len());
    let (mut time, mut amount, mut margin, mut cogs, mut product, mut order) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (p, first_line) in parts {
        // Part lines are 0-based from the part's first line.
        log.append(p.log, first_line);
        scan.merge(&p.scan, first_line);
        anonymous_lines.extend(p.anonymous_lines.iter().map(|l| l + first_line));
        lines.append(&p.lines, first_line);
        anonymous_amount.push(p.anonymous_amount);
        for k in 0..2 {
            return_rows[k] += p.return_rows[k];
            return_orders[k].extend_from(&p.return_orders[k]);
        }
        ids.push(p.ids);
        time.push(p.time);
        amount.push(p.amount);
        margin.extend(p.margin);
        cogs.extend(p.cogs);
        product.extend(p.product);
        order.extend(p.order);
    }
    let day_first =
        scan.day_first(spec.options.day_first).map_err(|m| problem(path, header_line, &spec.timestamp, &m))?;
    detected.day_first = day_first;
    detected.date_format = scan.describe(day_first);
    let mut report = log.finish(path, spec.options.on_error)?;
    let customer = Ids::join(ids);
    let mut time = concat(time);
    let amount = concat(amount);
    // Pending a/b/YYYY dates resolved; first day and last sale found in the same pass.
    let order_known = day_first.unwrap_or(false);
    let (mut first, mut last_sale) = (i64::MAX, i64::MIN);
    for (t, &a) in time.iter_mut().zip(&amount) {
        if is_pending(*t) {
            *t = resolve(*t, order_known);
        }
        first = first.min(*t);
        if a > 0.0 {
            last_sale = last_sale.max(*t);
        }
    }
    let day = |t: i64| day_to_date(t.div_euclid(SECONDS_PER_DAY) as i32);
    report.first_day = (first != i64::MAX).then(|| day(first));
    report.last_sale = (last_sale != i64::MIN).then(|| day(last_sale));
    let anonymous_amount = concat(anonymous_amount);
    report.anonymous =
        Anonymous { rows: anonymous_lines.len(), revenue: anonymous_amount.iter().sum(), lines: anonymous_lines };
    // Returns are exactly the negative amounts (a return is loaded as -|amount|).
    let value = |amounts: &[f64]| amounts.iter().filter(|&&a| a < 0.0).map(|a| -a).sum::<f64>();
    let orders = |c: &StrColumn| {
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::with_capacity(c.len());
        c.iter().filter(|o| seen.insert(o)).count()
    };
    report.returns.customers =
        ReturnCounts { rows: return_rows[0], orders: orders(&return_orders[0]), value: value(&amount) };
    report.returns.anonymous =
        ReturnCounts { rows: return_rows[1], orders: orders(&return_orders[1]), value: value(&anonymous_amount) };
    report.rows_loaded = amount.len();
    let some = |v: Vec<Vec<f64>>| (!v.is_empty()).then(|| concat(v));
    let some_str = |v: Vec<StrColumn>| (!v.is_empty()).then(|| KeyColumn::Str(concat_str(v)));
    let cols = TransactionColumns {
        customer,
        timestamp: time,
        amount,
        margin: some(margin),
        cost_of_goods: some(cogs),
        product: some_str(product),
        order: some_str(order),
    };
    Ok((cols, report, lines))
}
