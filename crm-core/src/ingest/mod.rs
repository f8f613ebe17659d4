//! Import of transactions, customers and interactions from CSV files (and Parquet with
//! the `parquet` feature): real sales exports as they come.
//!
//! - Columns are mapped by name ([`TransactionCsv`], [`CustomerCsv`], [`InteractionCsv`]);
//!   every spec reads from TOML (unknown keys are refused).
//! - The format is found out where not given: the delimiter among `,` `;` tab `|`, the
//!   decimal separator (`100,5` in `;` files, with `1.234,50` thousands), the date shape
//!   (ISO 8601, `M/D/YYYY H:MM`, `D/M/YYYY`, `D.M.YYYY`; the order of `a/b/YYYY` dates is
//!   decided over the whole file). A UTF-8 BOM is skipped; Latin-1 and Windows-1252 files
//!   are read with [`Encoding`]. Only mapped columns are decoded.
//! - Sales lines: amount, or quantity x unit price; an order id groups lines into one
//!   purchase; negative quantities or amounts and orders starting with a cancellation
//!   prefix are returns, loaded with a negative amount; rows without a customer id are
//!   counted as anonymous, not loaded and not errors.
//! - Every bad value is reported with its line (1-based; the header is line 1, counted
//!   from the bytes, so CRLF files and quoted newlines are exact) and column. With
//!   [`OnError::Fail`] (the default) a file with any bad value is refused and the error
//!   lists every problem; with [`OnError::Skip`] the good rows load and the [`CsvReport`]
//!   lists every rejected row. Nothing is dropped without being counted.
//!
//! Large files are read whole, cut at record ends and parsed on all threads; the pieces
//! are joined in file order, so the result is the same for any thread count.

mod builder;
mod customers;
mod dates;
mod interactions;
mod lines;
mod number;
#[cfg(feature = "parquet")]
mod parquet;
mod sales;
mod source;
mod table;

pub(crate) use builder::Origins;
pub use customers::read_customers;
use customers::read_customers_lines;
pub use interactions::read_interactions;
use interactions::read_interactions_lines;
pub use lines::RowLines;
#[cfg(feature = "parquet")]
pub use parquet::read_transactions_parquet;
pub use sales::read_transactions;
use sales::read_transactions_lines;

use crate::error::CsvProblem;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// At most this many problems are kept in an error or in [`CsvReport::problems`]; all are
/// counted.
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
///
/// An integral decimal such as `17850.0` or `17850.00` (as spreadsheets and pandas write
/// integer ids of a column with blanks) is the integer `17850`; as a string id it is
/// written `17850`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// Integers when every id is a plain integer (`42`, not `042`) or an integral decimal,
    /// else strings.
    #[default]
    Auto,
    /// Always integers (a non-integer id is a bad value).
    Int,
    /// Always strings, as written.
    Str,
}

/// The text encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Encoding {
    /// UTF-8, with or without a byte order mark.
    #[default]
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    /// ISO 8859-1: every byte is the character of the same number.
    #[serde(rename = "latin-1", alias = "latin1", alias = "iso-8859-1", alias = "ISO-8859-1")]
    Latin1,
    /// Windows-1252 (Latin-1 with `€` and typographic quotes in 0x80-0x9F).
    #[serde(rename = "windows-1252", alias = "cp1252")]
    Windows1252,
}

impl Encoding {
    /// The name used in options and reports.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Latin1 => "latin-1",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// `bytes` as text: borrowed when it is ASCII or valid UTF-8 in a UTF-8 file, else
    /// decoded into `buf`. `Err` for invalid UTF-8 in a UTF-8 file.
    #[inline]
    pub(crate) fn decode<'a>(self, bytes: &'a [u8], buf: &'a mut String) -> Result<&'a str, ()> {
        if bytes.is_ascii() {
            return std::str::from_utf8(bytes).map_err(|_| ());
        }
        match self {
            Encoding::Utf8 => std::str::from_utf8(bytes).map_err(|_| ()),
            Encoding::Latin1 => {
                buf.clear();
                buf.extend(bytes.iter().map(|&b| b as char));
                Ok(buf.as_str())
            }
            Encoding::Windows1252 => {
                buf.clear();
                let mut decoder = encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling();
                buf.reserve(decoder.max_utf8_buffer_length(bytes.len()).unwrap_or(bytes.len() * 3));
                let _ = decoder.decode_to_string(bytes, buf, true);
                Ok(buf.as_str())
            }
        }
    }
}

impl std::str::FromStr for Encoding {
    type Err = String;

    /// Parses `utf-8`, `latin-1` (`iso-8859-1`) or `windows-1252` (`cp1252`), any case.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "latin-1" | "latin1" | "iso-8859-1" => Ok(Encoding::Latin1),
            "windows-1252" | "cp1252" => Ok(Encoding::Windows1252),
            _ => Err(format!("`{s}` is not a supported encoding (utf-8, latin-1, windows-1252)")),
        }
    }
}

/// Options shared by all readers.
///
/// In TOML (all keys optional):
///
/// ```
/// let o: crm_core::ingest::CsvOptions = toml::from_str(r#"
///     delimiter = ";"
///     decimal = ","
///     encoding = "latin-1"
///     day_first = true
///     on_error = "skip"
/// "#).unwrap();
/// assert_eq!(o.delimiter, Some(';'));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Field delimiter; `None` (the default) finds it among `,` `;` tab `|` from the first
    /// lines.
    pub delimiter: Option<char>,
    /// Decimal separator of numbers, `.` or `,`; `None` (the default) finds it from the
    /// mapped numeric columns (`.` when nothing tells). With `,` a `.` may group thousands
    /// (`1.234,50`), and the other way round.
    pub decimal: Option<char>,
    /// Text encoding. Default UTF-8 (a BOM is skipped).
    pub encoding: Encoding,
    /// Whether `a/b/YYYY` dates are day first. `None` (the default): decided from the
    /// file (a first field over 12 means day first, a second field over 12 month first);
    /// when no date tells, the read fails and asks for this option.
    pub day_first: Option<bool>,
    /// `strftime` formats tried in order for dates and timestamps; empty (the default) for
    /// the built-in shapes (ISO 8601, `M/D/YYYY H:MM`, `D/M/YYYY`, `D.M.YYYY [H:MM]`).
    pub date_formats: Vec<String>,
    /// How customer ids are read.
    pub id_kind: IdKind,
    /// What to do with bad rows.
    pub on_error: OnError,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            decimal: None,
            encoding: Encoding::Utf8,
            day_first: None,
            date_formats: Vec::new(),
            id_kind: IdKind::Auto,
            on_error: OnError::Fail,
        }
    }
}

/// Column mapping of a transactions (sales lines) file.
///
/// The amount of a row is the `amount` column, or `quantity` x `unit_price` when both of
/// those are named (then `amount` is not read). A row is a return when its amount or
/// quantity is negative or its order id starts with `cancellation_prefix`; a return is
/// loaded with amount -|amount| (and margin or cost of goods -|value|), so it nets out of
/// revenue and is never counted as a purchase. A row with a blank customer id is anonymous:
/// counted in the report, not loaded.
///
/// In TOML (the CLI's config file), e.g. for the "Online Retail" export:
///
/// ```
/// let spec: crm_core::ingest::TransactionCsv = toml::from_str(r#"
///     customer = "CustomerID"
///     timestamp = "InvoiceDate"
///     quantity = "Quantity"
///     unit_price = "UnitPrice"
///     order = "InvoiceNo"
///     product = "StockCode"
///     cancellation_prefix = "C"
///     [options]
///     encoding = "latin-1"
/// "#).unwrap();
/// assert_eq!(spec.amount, "amount"); // not read: quantity x unit price
/// assert_eq!(spec.options.encoding, crm_core::ingest::Encoding::Latin1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransactionCsv {
    /// Customer id column. Default `customer_id`.
    pub customer: String,
    /// Date or date-time column. Default `date`.
    pub timestamp: String,
    /// Amount column, read unless `quantity` and `unit_price` are given. Default `amount`.
    pub amount: String,
    /// Quantity column (with `unit_price`: amount = quantity x unit price).
    pub quantity: Option<String>,
    /// Unit price column (with `quantity`).
    pub unit_price: Option<String>,
    /// Margin column, if any.
    pub margin: Option<String>,
    /// Cost-of-goods column, if any.
    pub cost_of_goods: Option<String>,
    /// Product column, if any.
    pub product: Option<String>,
    /// Product category column, if any. It fills the product column of the result when
    /// `product` is not named (the engine keeps one product-or-category column); naming
    /// both is an error.
    pub category: Option<String>,
    /// Order (invoice) id column, if any: rows of one order are one purchase.
    pub order: Option<String>,
    /// Order ids starting with this text are cancellations (returns), e.g. `C` in the
    /// "Online Retail" export. Needs `order`.
    pub cancellation_prefix: Option<String>,
    /// Shared options.
    pub options: CsvOptions,
}

impl Default for TransactionCsv {
    fn default() -> Self {
        TransactionCsv {
            customer: "customer_id".into(),
            timestamp: "date".into(),
            amount: "amount".into(),
            quantity: None,
            unit_price: None,
            margin: None,
            cost_of_goods: None,
            product: None,
            category: None,
            order: None,
            cancellation_prefix: None,
            options: CsvOptions::default(),
        }
    }
}

/// Column mapping of an interactions file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
#[serde(default, deny_unknown_fields)]
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

/// Rows without a customer id: counted, not loaded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Anonymous {
    /// How many.
    pub rows: usize,
    /// Their net revenue (returns subtracted).
    pub revenue: f64,
    /// Their lines (CSV, 1-based with the header on line 1) or rows (Parquet, 1-based), all
    /// of them, in file order.
    pub lines: Vec<u64>,
}

/// Returns (cancellations) of one kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ReturnCounts {
    /// Return rows.
    pub rows: usize,
    /// Distinct return orders (0 when no order column is mapped).
    pub orders: usize,
    /// Their value, a positive number (the sum of |amount|).
    pub value: f64,
}

/// Returns loaded for customers and those among anonymous rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Returns {
    /// Returns of customers (loaded with negative amounts).
    pub customers: ReturnCounts,
    /// Returns among anonymous rows (counted in [`Anonymous`] too).
    pub anonymous: ReturnCounts,
}

/// What was found out about a file's format (given options are reported as they were).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Detected {
    /// Field delimiter (`,` for Parquet).
    pub delimiter: char,
    /// Decimal separator of numbers.
    pub decimal: char,
    /// Text encoding name (`utf-8`, `utf-8 with BOM`, `latin-1`, `windows-1252`, `parquet`).
    pub encoding: String,
    /// The date shapes seen, e.g. `M/D/YYYY H:MM` or `YYYY-MM-DD`.
    pub date_format: String,
    /// The order of `a/b/YYYY` dates, when the file has such dates.
    pub day_first: Option<bool>,
}

/// What a read did. `rows_read = rows_loaded + rows_rejected + anonymous.rows`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CsvReport {
    /// The file.
    pub path: String,
    /// Data rows in the file (blank lines are not rows).
    pub rows_read: usize,
    /// Rows loaded into the columns.
    pub rows_loaded: usize,
    /// Rows rejected for a bad value (only with [`OnError::Skip`]; with
    /// [`OnError::Fail`] the read fails instead).
    pub rows_rejected: usize,
    /// Every rejected row: its line, its first bad column and why (uncapped, in file
    /// order; the message says when the row had more problems).
    pub rejected: Vec<CsvProblem>,
    /// The problems (at most [`MAX_REPORTED_PROBLEMS`]), in file order.
    pub problems: Vec<CsvProblem>,
    /// All problems counted (a rejected row may have several).
    pub problems_total: usize,
    /// Rows without a customer id (transactions only).
    pub anonymous: Anonymous,
    /// Returns and cancellations (transactions only).
    pub returns: Returns,
    /// The last day with a positive-amount row among loaded rows: the natural as-of date.
    /// Returns never move it.
    pub last_sale: Option<NaiveDate>,
    /// The first day of a loaded row.
    pub first_day: Option<NaiveDate>,
    /// The format found.
    pub detected: Detected,
}

impl crate::CustomerBase {
    /// A base from a transactions CSV file (customers implied by their ids).
    ///
    /// # Errors
    /// See [`read_transactions`] and [`crate::CustomerBaseBuilder::build`].
    pub fn from_csv(path: impl AsRef<Path>, spec: &TransactionCsv) -> crate::Result<(Self, CsvReport)> {
        let (cols, report) = read_transactions(path, spec)?;
        Ok((Self::from_transactions(cols)?, report))
    }
}
