//! CSV import into a builder: transactions, customers and interactions files.

use crate::builder::crm_base_builder;
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_mut, arg_opt, crm_str, optional_out, put, str_arg, utf8};
use crm_core::Error;
use crm_core::ingest::{CsvOptions, CsvReport, CustomerCsv, Encoding, IdKind, InteractionCsv, OnError, TransactionCsv};
use std::ffi::c_char;

/// Options shared by the CSV readers. Start from `crm_csv_options_default()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_csv_options {
    /// Field delimiter (ASCII); 0 (the default) finds it among ',' ';' tab '|'.
    pub delimiter: c_char,
    /// A `strftime` format for dates and timestamps (e.g. "%d.%m.%Y"); empty for ISO 8601
    /// (`2024-03-01`, `2024-03-01T10:00:00`, RFC 3339). Default empty.
    pub date_format: crm_str,
    /// How ids are read, a `crm_id_kind`. Default `CRM_ID_KIND_AUTO`.
    pub id_kind: u8,
    /// Text encoding: 0 UTF-8 (default, a BOM is skipped), 1 Latin-1, 2 Windows-1252.
    pub encoding: u8,
    /// Decimal separator: 0 finds it from the file (default), or '.' or ','.
    pub decimal: c_char,
    /// Order of a/b/YYYY dates: 0 decided from the file (default), 1 day first, 2 month
    /// first.
    pub day_first: u8,
    /// What to do with a row with a bad value, a `crm_on_error`. Default
    /// `CRM_ON_ERROR_FAIL`.
    pub on_error: u8,
}

/// Column names of a transactions file (UTF-8 `crm_str`s, compared with the trimmed
/// header). Start from `crm_transaction_csv_default()`, which names the required columns
/// `customer_id`, `date`, `amount` and no optional ones. An empty name means the default
/// for a required column and "no such column" for an optional one.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_transaction_csv {
    /// Customer id column.
    pub customer_column: crm_str,
    /// Date or date-time column.
    pub date_column: crm_str,
    /// Amount column.
    pub amount_column: crm_str,
    /// Optional margin column.
    pub margin_column: crm_str,
    /// Optional cost-of-goods column (margin = amount - cost of goods).
    pub cost_of_goods_column: crm_str,
    /// Optional product column.
    pub product_column: crm_str,
    /// Optional order id column (rows of one order count as one purchase).
    pub order_column: crm_str,
    /// Optional quantity column; with `unit_price_column`, amount = quantity x unit price
    /// and `amount_column` is not read.
    pub quantity_column: crm_str,
    /// Optional unit price column (with `quantity_column`).
    pub unit_price_column: crm_str,
    /// Optional product category column (used as the product when no product column).
    pub category_column: crm_str,
    /// Order ids starting with this text are cancellations (returns); empty for none.
    pub cancellation_prefix: crm_str,
    /// Shared options.
    pub options: crm_csv_options,
}

/// What a CSV read did. With `CRM_ON_ERROR_SKIP`, `rows_rejected` rows were left out.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct crm_csv_report {
    /// Data rows in the file.
    pub rows_read: usize,
    /// Rows loaded.
    pub rows_loaded: usize,
    /// Rows rejected.
    pub rows_rejected: usize,
    /// Bad values found (a rejected row may have several).
    pub problems_total: usize,
    /// Rows without a customer id (counted, not loaded).
    pub anonymous_rows: usize,
    /// Their net revenue.
    pub anonymous_revenue: f64,
    /// Return rows of customers (loaded with negative amounts).
    pub return_rows: usize,
    /// Distinct return orders of customers.
    pub return_orders: usize,
    /// Value of customers' returns (positive).
    pub return_value: f64,
    /// Return rows among anonymous rows.
    pub anonymous_return_rows: usize,
    /// Last day with a positive sale, days since 1970-01-01 (0 when none: see
    /// `has_last_sale`).
    pub last_sale_day: i32,
    /// 1 when `last_sale_day` is set.
    pub has_last_sale: u8,
}

impl From<&CsvReport> for crm_csv_report {
    fn from(r: &CsvReport) -> Self {
        crm_csv_report {
            rows_read: r.rows_read,
            rows_loaded: r.rows_loaded,
            rows_rejected: r.rows_rejected,
            problems_total: r.problems_total,
            anonymous_rows: r.anonymous.rows,
            anonymous_revenue: r.anonymous.revenue,
            return_rows: r.returns.customers.rows,
            return_orders: r.returns.customers.orders,
            return_value: r.returns.customers.value,
            anonymous_return_rows: r.returns.anonymous.rows,
            last_sale_day: r.last_sale.map_or(0, crm_core::time::date_to_day),
            has_last_sale: u8::from(r.last_sale.is_some()),
        }
    }
}

const DEFAULT_OPTIONS: crm_csv_options = crm_csv_options {
    delimiter: 0,
    date_format: crm_str::empty(),
    id_kind: 0,
    encoding: 0,
    decimal: 0,
    day_first: 0,
    on_error: 0,
};

/// The default CSV options: delimiter, decimal separator and date order found from the file, UTF-8, ISO 8601 and the common dates, automatic id kind, fail on the
/// first bad file.
#[unsafe(no_mangle)]
pub extern "C" fn crm_csv_options_default() -> crm_csv_options {
    ffi_boundary! { DEFAULT_OPTIONS }
}

/// The default transactions file: columns `customer_id`, `date`, `amount`; default options.
#[unsafe(no_mangle)]
pub extern "C" fn crm_transaction_csv_default() -> crm_transaction_csv {
    ffi_boundary! {
        crm_transaction_csv {
            customer_column: crm_str::from_static("customer_id"),
            date_column: crm_str::from_static("date"),
            amount_column: crm_str::from_static("amount"),
            margin_column: crm_str::empty(),
            cost_of_goods_column: crm_str::empty(),
            product_column: crm_str::empty(),
            order_column: crm_str::empty(),
            quantity_column: crm_str::empty(),
            unit_price_column: crm_str::empty(),
            category_column: crm_str::empty(),
            cancellation_prefix: crm_str::empty(),
            options: DEFAULT_OPTIONS,
        }
    }
}

impl crate::panic::PanicDefault for crm_csv_options {
    fn panicked() -> Self {
        DEFAULT_OPTIONS
    }
}

impl crate::panic::PanicDefault for crm_transaction_csv {
    fn panicked() -> Self {
        crm_transaction_csv_default()
    }
}

fn config(field: &str, message: String) -> Failure {
    Error::InvalidConfig { field: field.to_owned(), message }.into()
}

/// Engine options from C options.
///
/// # Safety
/// `date_format` points to its `len` bytes.
unsafe fn options(o: &crm_csv_options) -> Result<CsvOptions, Failure> {
    // SAFETY: per the contract.
    let format = unsafe { str_arg(&o.date_format, "date_format") }?;
    Ok(CsvOptions {
        delimiter: (o.delimiter != 0).then(|| char::from(o.delimiter as u8)),
        date_formats: if format.is_empty() { Vec::new() } else { vec![format.to_owned()] },
        id_kind: match o.id_kind {
            0 => IdKind::Auto,
            1 => IdKind::Int,
            2 => IdKind::Str,
            k => return Err(config("id_kind", format!("{k} is not a crm_id_kind code"))),
        },
        on_error: match o.on_error {
            0 => OnError::Fail,
            1 => OnError::Skip,
            k => return Err(config("on_error", format!("{k} is not a crm_on_error code"))),
        },
        encoding: match o.encoding {
            0 => Encoding::Utf8,
            1 => Encoding::Latin1,
            2 => Encoding::Windows1252,
            k => return Err(config("encoding", format!("{k} is not 0 (UTF-8), 1 (Latin-1) or 2 (Windows-1252)"))),
        },
        decimal: (o.decimal != 0).then(|| char::from(o.decimal as u8)),
        day_first: match o.day_first {
            0 => None,
            1 => Some(true),
            2 => Some(false),
            k => return Err(config("day_first", format!("{k} is not 0 (from the file), 1 or 2"))),
        },
    })
}

/// A column name: the default when empty.
///
/// # Safety
/// `s` points to its `len` bytes.
unsafe fn name(s: &crm_str, field: &str, default: &str) -> Result<String, Failure> {
    // SAFETY: per the contract.
    let n = unsafe { str_arg(s, field) }?;
    Ok(if n.is_empty() { default.to_owned() } else { n.to_owned() })
}

/// An optional column name: `None` when empty.
///
/// # Safety
/// `s` points to its `len` bytes.
unsafe fn optional_name(s: &crm_str, field: &str) -> Result<Option<String>, Failure> {
    // SAFETY: per the contract.
    let n = unsafe { str_arg(s, field) }?;
    Ok((!n.is_empty()).then(|| n.to_owned()))
}

/// Engine spec from a C transactions file description.
///
/// # Safety
/// Every `crm_str` of `c` points to its `len` bytes.
unsafe fn transaction_spec(c: &crm_transaction_csv) -> Result<TransactionCsv, Failure> {
    let d = TransactionCsv::default();
    // SAFETY: per the contract.
    unsafe {
        Ok(TransactionCsv {
            customer: name(&c.customer_column, "customer_column", &d.customer)?,
            timestamp: name(&c.date_column, "date_column", &d.timestamp)?,
            amount: name(&c.amount_column, "amount_column", &d.amount)?,
            margin: optional_name(&c.margin_column, "margin_column")?,
            cost_of_goods: optional_name(&c.cost_of_goods_column, "cost_of_goods_column")?,
            product: optional_name(&c.product_column, "product_column")?,
            order: optional_name(&c.order_column, "order_column")?,
            quantity: optional_name(&c.quantity_column, "quantity_column")?,
            unit_price: optional_name(&c.unit_price_column, "unit_price_column")?,
            category: optional_name(&c.category_column, "category_column")?,
            cancellation_prefix: optional_name(&c.cancellation_prefix, "cancellation_prefix")?,
            options: options(&c.options)?,
        })
    }
}

/// Reads a file with `read` and adds what it read to the builder; writes the report.
fn load(
    builder: *mut crm_base_builder,
    path: *const c_char,
    path_len: usize,
    out_report: *mut crm_csv_report,
    read: impl FnOnce(&str, &mut crm_base_builder) -> Result<CsvReport, Failure>,
) -> Result<(), Failure> {
    // SAFETY: `builder` is NULL or a live handle, `path` holds `path_len` bytes, `out_report`
    // is NULL or writable (header contract).
    let (builder, path, report_slot) = unsafe {
        (arg_mut(builder, "builder")?, utf8(path, path_len, "path")?, optional_out(out_report, "out_report")?)
    };
    if path.is_empty() {
        return Err(Failure::new(crm_result::EmptyInput, "argument `path` is empty"));
    }
    let report = read(path, builder)?;
    put(report_slot, (&report).into());
    Ok(())
}

/// Reads a transactions file (`path`: `path_len` bytes of UTF-8) and adds its rows to the
/// builder. `spec` may be NULL for the defaults; `out_report` may be NULL.
///
/// Errors: `CRM_RESULT_FILE_NOT_FOUND`, `CRM_RESULT_IO`, `CRM_RESULT_CSV` (a missing column,
/// or with `CRM_ON_ERROR_FAIL` any bad value: the detail lists each problem as "line L,
/// column `C`: why", lines 1-based with the header on line 1), `CRM_RESULT_INVALID_CONFIG`.
/// Rows read from a file keep their lines: an unknown customer (or, for customers files, a
/// duplicate id) found later by `crm_base_builder_build` names the file and line in the
/// detail ("path, line L, ..."), not the row's index among loaded rows.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_transactions_csv(
    builder: *mut crm_base_builder,
    path: *const c_char,
    path_len: usize,
    spec: *const crm_transaction_csv,
    out_report: *mut crm_csv_report,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `spec` is NULL or a valid description (header contract).
        let spec = match unsafe { arg_opt(spec) } {
            Some(s) => unsafe { transaction_spec(s) }?,
            None => TransactionCsv::default(),
        };
        load(builder, path, path_len, out_report, |path, b| {
            Ok(b.inner_mut().add_transactions_csv(path, &spec)?)
        })
    }
}

/// Reads a customers file and adds its customers to the customer table. Columns: `id`
/// (required), `name`, `email`, `phone`, `address`, `industry`, `category`,
/// `acquisition_date`, `acquisition_channel`, `acquisition_cost`, `permission_<channel>`
/// (yes/no or the date granted); any other column is a text attribute. An empty cell is an
/// absent value. `options` may be NULL for the defaults. Errors as
/// `crm_base_builder_add_transactions_csv`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_customers_csv(
    builder: *mut crm_base_builder,
    path: *const c_char,
    path_len: usize,
    options: *const crm_csv_options,
    out_report: *mut crm_csv_report,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `options` is NULL or valid (header contract).
        let options = unsafe { self::options(arg_opt(options).unwrap_or(&DEFAULT_OPTIONS)) }?;
        let spec = CustomerCsv { options, ..CustomerCsv::default() };
        load(builder, path, path_len, out_report, |path, b| {
            Ok(b.inner_mut().add_customers_csv(path, &spec)?)
        })
    }
}

/// Reads an interactions file and adds its rows. Columns: `customer_id`, `date`, `channel`
/// (a channel name such as `email`, `call centre`), `direction` (`inbound` / `outbound`),
/// `kind`, and optional `outcome` and `cost`. `options` may be NULL for the defaults.
/// Errors as `crm_base_builder_add_transactions_csv`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_base_builder_add_interactions_csv(
    builder: *mut crm_base_builder,
    path: *const c_char,
    path_len: usize,
    options: *const crm_csv_options,
    out_report: *mut crm_csv_report,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `options` is NULL or valid (header contract).
        let options = unsafe { self::options(arg_opt(options).unwrap_or(&DEFAULT_OPTIONS)) }?;
        let spec = InteractionCsv { options, ..InteractionCsv::default() };
        load(builder, path, path_len, out_report, |path, b| {
            Ok(b.inner_mut().add_interactions_csv(path, &spec)?)
        })
    }
}
