//! `crm.CustomerBase`: built once from tables or CSV files, then analysed.

use crate::analytics::{self, Clv, FlowSeries, Flows, Migration, Report};
use crate::errors::{Failure, Fallible, Names, detached, guarded};
use crate::input::{InTable, Values, import_table, keys, numbers, seconds};
use crate::processes;
use crate::results::{CsvReport, Lifecycle, Segments, Summary, side_by_side};
use crate::table::Table;
use chrono::NaiveDate;
use crm_core::flows::{DurationBase, FlowConfig, Period};
use crm_core::ingest::{
    AttributeType, CsvOptions, CustomerCsv, Encoding, IdKind, InteractionCsv, OnError, TransactionCsv,
};
use crm_core::profiles::ProfileConfig;
use crm_core::time::{day_of, day_to_date, parse_date};
use crm_core::wallet::WalletConfig;
use crm_core::{
    AttributeValue, Channel, ClvConfig, Customer, CustomerBaseBuilder, Direction, InteractionColumns, LifecycleConfig,
    Permission, ReportConfig, SegmentConfig, StrColumn, SummaryConfig, TransactionColumns, ValueMeasure,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// A customer table to add to a base, with its column names.
///
/// `data` is a table (for `CustomerBase.from_transactions`) or a CSV path (for
/// `CustomerBase.from_csv`). The id column defaults to the transactions' `customer_id_col`.
/// Known columns: `name`, `email`, `phone`, `address`, `industry`, `category`,
/// `acquisition_date`, `acquisition_channel`, `acquisition_cost`; `permission_<channel>`
/// columns hold booleans, yes/no or the date a permission was granted; every other column
/// is a free attribute (typed by its Arrow type; in CSV, text unless named in
/// `attribute_types` as "number", "date" or "bool").
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct Customers {
    #[pyo3(get)]
    data: Py<PyAny>,
    #[pyo3(get)]
    id_col: Option<String>,
    #[pyo3(get)]
    attribute_types: Option<HashMap<String, String>>,
}

#[pymethods]
impl Customers {
    #[new]
    #[pyo3(signature = (data, *, id_col=None, attribute_types=None))]
    fn new(data: Py<PyAny>, id_col: Option<String>, attribute_types: Option<HashMap<String, String>>) -> Self {
        Customers { data, id_col, attribute_types }
    }

    fn __repr__(&self) -> String {
        format!("Customers(id_col={:?})", self.id_col)
    }
}

/// An interactions table to add to a base, with its column names.
///
/// `data` is a table (for `from_transactions`) or a CSV path (for `from_csv`). Channels are
/// names such as email, letter, phone, web, meeting, call_centre, retail, field, agent,
/// event, other (common spellings accepted); directions are inbound or outbound. The
/// outcome and cost columns are used when the table has them (a name given explicitly
/// must exist); `None` leaves them out.
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct Interactions {
    #[pyo3(get)]
    data: Py<PyAny>,
    #[pyo3(get)]
    customer_id_col: Option<String>,
    #[pyo3(get)]
    date_col: String,
    #[pyo3(get)]
    channel_col: String,
    #[pyo3(get)]
    direction_col: String,
    #[pyo3(get)]
    kind_col: String,
    #[pyo3(get)]
    outcome_col: Option<String>,
    #[pyo3(get)]
    cost_col: Option<String>,
}

#[pymethods]
impl Interactions {
    #[new]
    #[pyo3(signature = (
        data, *, customer_id_col=None, date_col="date".to_owned(), channel_col="channel".to_owned(),
        direction_col="direction".to_owned(), kind_col="kind".to_owned(), outcome_col=Some("outcome".to_owned()),
        cost_col=Some("cost".to_owned())
    ), text_signature = "(data, *, customer_id_col=None, date_col='date', channel_col='channel', \
        direction_col='direction', kind_col='kind', outcome_col='outcome', cost_col='cost')")]
    #[allow(clippy::too_many_arguments)]
    fn new(
        data: Py<PyAny>,
        customer_id_col: Option<String>,
        date_col: String,
        channel_col: String,
        direction_col: String,
        kind_col: String,
        outcome_col: Option<String>,
        cost_col: Option<String>,
    ) -> Self {
        Interactions { data, customer_id_col, date_col, channel_col, direction_col, kind_col, outcome_col, cost_col }
    }

    fn __repr__(&self) -> String {
        format!(
            "Interactions(customer_id_col={:?}, date_col={:?}, channel_col={:?}, direction_col={:?}, kind_col={:?}, \
             outcome_col={:?}, cost_col={:?})",
            self.customer_id_col,
            self.date_col,
            self.channel_col,
            self.direction_col,
            self.kind_col,
            self.outcome_col,
            self.cost_col
        )
    }
}

/// The column names of the transactions, as the caller gave them.
#[derive(Debug, Clone)]
struct TxCols {
    customer: String,
    date: String,
    amount: String,
    margin: Option<String>,
    cost_of_goods: Option<String>,
    product: Option<String>,
    order: Option<String>,
}

impl TxCols {
    fn check(&self) -> Fallible<()> {
        if self.margin.is_some() && self.cost_of_goods.is_some() {
            return Err(Failure::config("margin_col", "give margin_col or cost_of_goods_col, not both"));
        }
        Ok(())
    }

    /// Every column name given, required ones first.
    fn all(&self) -> impl Iterator<Item = &String> {
        [Some(&self.customer), Some(&self.date), Some(&self.amount)]
            .into_iter()
            .chain([&self.margin, &self.cost_of_goods, &self.product, &self.order].map(Option::as_ref))
            .flatten()
    }

    fn names(&self, names: &mut Names) {
        names.add("customer", "transactions", &self.customer);
        names.add("customer (transactions)", "transactions", &self.customer);
        names.add("timestamp", "transactions", &self.date);
        names.add("amount", "transactions", &self.amount);
        for (core, user) in [
            ("margin", &self.margin),
            ("cost_of_goods", &self.cost_of_goods),
            ("product", &self.product),
            ("order", &self.order),
        ] {
            if let Some(u) = user {
                names.add(core, "transactions", u);
            }
        }
    }
}

/// Interaction column names, resolved.
#[derive(Debug, Clone)]
struct IxCols {
    customer: String,
    date: String,
    channel: String,
    direction: String,
    kind: String,
    outcome: Option<String>,
    cost: Option<String>,
}

impl IxCols {
    fn from_spec(spec: Option<&Interactions>, default_customer: &str) -> Self {
        match spec {
            Some(s) => IxCols {
                customer: s.customer_id_col.clone().unwrap_or_else(|| default_customer.to_owned()),
                date: s.date_col.clone(),
                channel: s.channel_col.clone(),
                direction: s.direction_col.clone(),
                kind: s.kind_col.clone(),
                outcome: s.outcome_col.clone(),
                cost: s.cost_col.clone(),
            },
            None => IxCols {
                customer: default_customer.to_owned(),
                date: "date".into(),
                channel: "channel".into(),
                direction: "direction".into(),
                kind: "kind".into(),
                outcome: Some("outcome".into()),
                cost: Some("cost".into()),
            },
        }
    }

    fn names(&self, names: &mut Names) {
        names.add("customer (interactions)", "interactions", &self.customer);
        names.add("timestamp (interactions)", "interactions", &self.date);
        names.add("channel", "interactions", &self.channel);
        names.add("direction", "interactions", &self.direction);
        names.add("kind", "interactions", &self.kind);
        if let Some(c) = &self.cost {
            names.add("cost", "interactions", c);
        }
    }
}

/// A customer base: customers, their transactions and interactions, grouped by customer
/// once. Build it with `CustomerBase.from_transactions` (tables) or `CustomerBase.from_csv`
/// (files); it is immutable, and every analysis releases the GIL.
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct CustomerBase {
    pub(crate) inner: Arc<crm_core::CustomerBase>,
    /// The customer ids as an Arrow array, made once and shared by every result table.
    ids_array: std::sync::OnceLock<arrow_array::ArrayRef>,
    reports: Vec<(&'static str, CsvReport)>,
}

impl CustomerBase {
    pub(crate) fn new(inner: crm_core::CustomerBase, reports: Vec<(&'static str, CsvReport)>) -> Self {
        CustomerBase { inner: Arc::new(inner), ids_array: std::sync::OnceLock::new(), reports }
    }

    /// The `customer_id` column of the per-customer results (an `Arc` clone: no copy).
    pub(crate) fn ids_array(&self) -> arrow_array::ArrayRef {
        self.ids_array.get_or_init(|| crate::table::key_array(self.inner.ids())).clone()
    }

    /// First and last day with a transaction.
    fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let (first, last) = self.inner.transaction_span()?;
        Some((day_to_date(day_of(first)), day_to_date(day_of(last))))
    }

    fn as_of(&self, as_of: Option<&Bound<'_, PyAny>>) -> Fallible<NaiveDate> {
        match as_of {
            Some(obj) if !obj.is_none() => to_date(obj, "as_of"),
            _ => self.span().map(|(_, last)| last).ok_or_else(|| {
                Failure::config("as_of", "the base has no transactions, so there is no default as-of date; give one")
            }),
        }
    }
}

/// A date from a `datetime.date` / `datetime.datetime` / ISO string / `numpy.datetime64`.
pub(crate) fn to_date(obj: &Bound<'_, PyAny>, field: &str) -> Fallible<NaiveDate> {
    if let Ok(d) = obj.extract::<NaiveDate>() {
        return Ok(d);
    }
    let text: String = if let Ok(s) = obj.cast::<PyString>() {
        s.to_string()
    } else if obj.hasattr("astype")? && obj.hasattr("dtype")? {
        obj.call_method1("astype", ("datetime64[D]",))?.str()?.to_string()
    } else {
        let t = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(Failure::Type(format!("{field} must be a date, a datetime or an ISO 8601 string, not {t}")));
    };
    parse_date(&text, &[]).ok_or_else(|| Failure::config(field, format!("`{text}` is not an ISO 8601 date")))
}

/// The segmentation rules of `segments()`' keywords.
pub(crate) fn full_segment_config(
    shares: Vec<f64>,
    by: &str,
    window_days: Option<i64>,
    abc_shares: Vec<f64>,
    pyramid_shares: Vec<f64>,
) -> Fallible<SegmentConfig> {
    Ok(SegmentConfig {
        abc_shares: self::shares("abc_shares", abc_shares)?,
        pyramid_shares: self::shares("pyramid_shares", pyramid_shares)?,
        ..segment_config(shares, by, window_days)?
    })
}

pub(crate) fn segment_config(shares: Vec<f64>, by: &str, window_days: Option<i64>) -> Fallible<SegmentConfig> {
    Ok(SegmentConfig {
        shares: self::shares("shares", shares)?,
        measure: measure(by)?,
        window_days: window_days.map(|w| u32_arg("window_days", w)).transpose()?,
        ..SegmentConfig::default()
    })
}

/// The lifecycle and segment rules of scoring conditions and process target groups, from
/// the keywords of `lifecycle()` and `segments()`.
#[allow(clippy::too_many_arguments)]
fn rules(
    inactivity_days: i64,
    new_days: i64,
    dormant_days: i64,
    return_days: i64,
    trend_days: i64,
    decline_ratio: f64,
    shares: Vec<f64>,
    by: &str,
    window_days: Option<i64>,
) -> Fallible<processes::Rules> {
    Ok(processes::Rules {
        lifecycle: LifecycleConfig {
            inactivity_days: u32_arg("inactivity_days", inactivity_days)?,
            new_days: u32_arg("new_days", new_days)?,
            dormant_days: u32_arg("dormant_days", dormant_days)?,
            return_days: u32_arg("return_days", return_days)?,
            trend_days: u32_arg("trend_days", trend_days)?,
            decline_ratio,
        },
        segments: segment_config(shares, by, window_days)?,
    })
}

fn measure(by: &str) -> Fallible<ValueMeasure> {
    match by {
        "revenue" => Ok(ValueMeasure::Revenue),
        "margin" => Ok(ValueMeasure::Margin),
        "profit" => Ok(ValueMeasure::Profit),
        other => Err(Failure::config("by", format!("{other:?} is not \"revenue\", \"margin\" or \"profit\""))),
    }
}

pub(crate) fn flow_config(
    inactivity_days: i64,
    duration_base: &str,
    by_segment: bool,
    shares: Vec<f64>,
    by: &str,
    window_days: Option<i64>,
) -> Fallible<FlowConfig> {
    Ok(FlowConfig {
        inactivity_days: u32_arg("inactivity_days", inactivity_days)?,
        duration_base: match duration_base {
            "start" => DurationBase::Start,
            "end" => DurationBase::End,
            "average" => DurationBase::Average,
            other => {
                return Err(Failure::config(
                    "duration_base",
                    format!("{other:?} is not \"start\", \"end\" or \"average\""),
                ));
            }
        },
        by_segment,
        segments: segment_config(shares, by, window_days)?,
    })
}

fn clv_config(
    duration_years: Option<f64>,
    discount_rate: f64,
    inactivity_days: i64,
    duration_base: &str,
    shares: Vec<f64>,
    by: &str,
    window_days: Option<i64>,
) -> Fallible<ClvConfig> {
    let segments = segment_config(shares.clone(), by, window_days)?;
    Ok(ClvConfig {
        duration_years,
        discount_rate,
        flows: flow_config(inactivity_days, duration_base, false, shares, by, window_days)?,
        segments,
    })
}

/// A flow series' period keyword.
pub(crate) fn period_of(period: &str) -> Fallible<Period> {
    match period {
        "month" => Ok(Period::Month),
        "quarter" => Ok(Period::Quarter),
        "year" => Ok(Period::Year),
        other => Err(Failure::config("period", format!("{other:?} is not \"month\", \"quarter\" or \"year\""))),
    }
}

/// A flow series' period count (its upper bound is the core's).
pub(crate) fn count_of(count: i64) -> Fallible<usize> {
    usize::try_from(count).map_err(|_| Failure::config("count", format!("{count} is negative")))
}

pub(crate) fn u32_arg(field: &str, v: i64) -> Fallible<u32> {
    u32::try_from(v).map_err(|_| Failure::config(field, format!("{v} is not a whole number of days >= 0")))
}

fn shares<const N: usize>(field: &str, v: Vec<f64>) -> Fallible<[f64; N]> {
    let n = v.len();
    v.try_into().map_err(|_| Failure::config(field, format!("needs {N} shares, got {n}")))
}

fn formats(date_format: Option<&Bound<'_, PyAny>>) -> Fallible<Vec<String>> {
    match date_format {
        None => Ok(Vec::new()),
        Some(f) if f.is_none() => Ok(Vec::new()),
        Some(f) => {
            if let Ok(s) = f.extract::<String>() {
                Ok(vec![s])
            } else {
                f.extract::<Vec<String>>()
                    .map_err(|_| Failure::Type("date_format must be a strftime format or a list of them".into()))
            }
        }
    }
}

/// Reads transaction columns from a table.
fn transaction_columns(t: &InTable, c: &TxCols, formats: &[String]) -> Fallible<TransactionColumns> {
    let what = t.what;
    let optional_numbers = |name: &Option<String>| -> Fallible<Option<Vec<f64>>> {
        name.as_ref().map(|n| numbers(t.column(n)?, what)).transpose()
    };
    let optional_keys = |name: &Option<String>, thing: &str| -> Fallible<Option<crm_core::KeyColumn>> {
        name.as_ref().map(|n| keys(t.column(n)?, what, thing)).transpose()
    };
    // Look every column up before reading any, so a wrong name fails fast.
    for name in c.all() {
        t.column(name)?;
    }
    // Three tasks of about one column each (ids; amounts and margins; dates, a conversion,
    // and the optional key columns) on the engine's threads: with two threads, the copies
    // and their page faults take one and a half columns' time instead of two.
    let (customer, ((amount, margin, cost_of_goods), (timestamp, product, order))) = join(
        || keys(t.column(&c.customer)?, what, "customer id"),
        || {
            join(
                || -> Fallible<_> {
                    Ok((
                        numbers(t.column(&c.amount)?, what)?,
                        optional_numbers(&c.margin)?,
                        optional_numbers(&c.cost_of_goods)?,
                    ))
                },
                || -> Fallible<_> {
                    Ok((
                        seconds(t.column(&c.date)?, what, formats)?,
                        optional_keys(&c.product, "product")?,
                        optional_keys(&c.order, "order id")?,
                    ))
                },
            )
        },
    )?;
    Ok(TransactionColumns { customer, timestamp, amount, margin, cost_of_goods, product, order })
}

/// The transaction columns a base can keep as the table holds them ([`crate::input::shared`]):
/// only the three required ones, of a table whose buffers do not change.
fn shared_columns(t: &InTable, c: &TxCols) -> Option<crm_core::shared::SharedTransactions> {
    let only_three = c.margin.is_none() && c.cost_of_goods.is_none() && c.product.is_none() && c.order.is_none();
    if !(t.shareable && only_three) {
        return None;
    }
    let (ids, date, amount) = (t.find(&c.customer).ok()??, t.find(&c.date).ok()??, t.find(&c.amount).ok()??);
    crate::input::shared(ids, date, amount)
}

/// [`side_by_side`] for fallible work; the first failure (of `a`, then `b`) wins.
fn join<A: Send, B: Send>(
    a: impl FnOnce() -> Fallible<A> + Send,
    b: impl FnOnce() -> Fallible<B> + Send,
) -> Fallible<(A, B)> {
    let (ra, rb) = side_by_side(a, b);
    Ok((ra?, rb?))
}

/// Reads interaction columns from a table.
fn interaction_columns(t: &InTable, c: &IxCols, formats: &[String]) -> Fallible<InteractionColumns> {
    let what = t.what;
    let optional = |name: &Option<String>, default: &str| -> Fallible<Option<&crate::input::InColumn>> {
        match name {
            None => Ok(None),
            Some(n) if n == default => t.find(n),
            Some(n) => t.column(n).map(Some),
        }
    };
    let (outcome_col, cost_col) = (optional(&c.outcome, "outcome")?, optional(&c.cost, "cost")?);
    for name in [&c.customer, &c.date, &c.channel, &c.direction, &c.kind] {
        t.column(name)?;
    }
    let texts = |col: &crate::input::InColumn| -> Fallible<Vec<Option<String>>> {
        match crate::input::values(col, what, &[])? {
            Values::Text(v) => Ok(v),
            _ => Err(Failure::input(what, None, &col.name, format!("must hold strings, not {}", col.data_type))),
        }
    };
    let parse = |col: &crate::input::InColumn, row: usize, v: &Option<String>| -> Fallible<String> {
        v.clone().ok_or_else(|| Failure::input(what, Some(row), &col.name, "missing value (null)"))
    };
    let channel_col = t.column(&c.channel)?;
    let mut channel = Vec::with_capacity(t.rows);
    for (row, v) in texts(channel_col)?.iter().enumerate() {
        let v = parse(channel_col, row, v)?;
        channel.push(v.parse::<Channel>().map_err(|m| Failure::input(what, Some(row), &channel_col.name, m))?);
    }
    let direction_col = t.column(&c.direction)?;
    let mut direction = Vec::with_capacity(t.rows);
    for (row, v) in texts(direction_col)?.iter().enumerate() {
        let v = parse(direction_col, row, v)?;
        direction.push(v.parse::<Direction>().map_err(|m| Failure::input(what, Some(row), &direction_col.name, m))?);
    }
    let kind_col = t.column(&c.kind)?;
    let mut kind = StrColumn::with_capacity(t.rows, 0);
    for (row, v) in texts(kind_col)?.iter().enumerate() {
        kind.push(&parse(kind_col, row, v)?);
    }
    let outcome = outcome_col
        .map(|col| -> Fallible<StrColumn> { Ok(texts(col)?.iter().map(|v| v.as_deref().unwrap_or("")).collect()) })
        .transpose()?;
    let cost = cost_col
        .map(|col| -> Fallible<Vec<f64>> {
            Ok(crate::input::optional_numbers(col, what)?.into_iter().map(|v| v.unwrap_or(0.0)).collect())
        })
        .transpose()?;
    Ok(InteractionColumns {
        customer: keys(t.column(&c.customer)?, what, "customer id")?,
        timestamp: seconds(t.column(&c.date)?, what, formats)?,
        channel,
        direction,
        kind,
        outcome,
        cost,
    })
}

/// Reads a customer table.
fn customer_rows(t: &InTable, id_col: &str, formats: &[String]) -> Fallible<Vec<Customer>> {
    let what = t.what;
    let ids = keys(t.column(id_col)?, what, "customer id")?;
    let mut customers: Vec<Customer> =
        (0..ids.len()).map(|i| Customer { id: Some(ids.get(i)), ..Default::default() }).collect();
    for col in t.columns.iter().filter(|c| c.name != id_col) {
        let values = crate::input::values(col, what, formats)?;
        let name = col.name.as_str();
        let bad = |row: usize, m: String| Failure::input(what, Some(row), name, m);
        match name {
            "name" | "email" | "phone" | "address" | "industry" | "category" | "acquisition_channel" => {
                let Values::Text(v) = values else {
                    return Err(Failure::input(what, None, name, format!("must hold strings, not {}", col.data_type)));
                };
                for (c, v) in customers.iter_mut().zip(v) {
                    let slot = match name {
                        "name" => &mut c.name,
                        "email" => &mut c.email,
                        "phone" => &mut c.phone,
                        "address" => &mut c.address,
                        "industry" => &mut c.industry,
                        "category" => &mut c.category,
                        _ => &mut c.acquisition_channel,
                    };
                    *slot = v;
                }
            }
            "acquisition_date" => {
                let dates = as_dates(values, formats).map_err(|(row, m)| match row {
                    Some(r) => bad(r, m),
                    None => Failure::input(what, None, name, m),
                })?;
                for (c, d) in customers.iter_mut().zip(dates) {
                    c.acquisition_date = d;
                }
            }
            "acquisition_cost" => {
                let Values::Number(v) = values else {
                    return Err(Failure::input(what, None, name, format!("must be numeric, not {}", col.data_type)));
                };
                for (c, x) in customers.iter_mut().zip(v) {
                    c.acquisition_cost = x;
                }
            }
            _ if name.starts_with("permission_") => {
                let channel: Channel = name["permission_".len()..]
                    .parse()
                    .map_err(|_| Failure::input(what, None, name, format!("`{name}` names no known channel")))?;
                for (row, (c, p)) in customers.iter_mut().zip(permissions(values, formats)).enumerate() {
                    match p {
                        Ok(Some((granted, date))) => c.permissions.push(Permission { channel, granted, date }),
                        Ok(None) => {}
                        Err(m) => return Err(bad(row, m)),
                    }
                }
            }
            _ => {
                let attrs: Vec<Option<AttributeValue>> = match values {
                    Values::Text(v) => v.into_iter().map(|x| x.map(AttributeValue::Text)).collect(),
                    Values::Bool(v) => v.into_iter().map(|x| x.map(AttributeValue::Bool)).collect(),
                    Values::Number(v) => v.into_iter().map(|x| x.map(AttributeValue::Number)).collect(),
                    Values::Date(v) => v.into_iter().map(|x| x.map(AttributeValue::Date)).collect(),
                };
                for (c, a) in customers.iter_mut().zip(attrs) {
                    if let Some(a) = a {
                        c.attributes.insert(name.to_owned(), a);
                    }
                }
            }
        }
    }
    Ok(customers)
}

fn as_dates(values: Values, formats: &[String]) -> Result<Vec<Option<NaiveDate>>, (Option<usize>, String)> {
    match values {
        Values::Date(v) => Ok(v),
        Values::Text(v) => v
            .into_iter()
            .enumerate()
            .map(|(row, s)| match s {
                None => Ok(None),
                Some(s) if s.trim().is_empty() => Ok(None),
                Some(s) => parse_date(&s, formats).map(Some).ok_or((Some(row), format!("`{s}` is not a date"))),
            })
            .collect(),
        _ => Err((None, "must hold dates or ISO 8601 strings".into())),
    }
}

type PermissionCell = Result<Option<(bool, Option<NaiveDate>)>, String>;

fn permissions(values: Values, formats: &[String]) -> Vec<PermissionCell> {
    match values {
        Values::Bool(v) => v.into_iter().map(|b| Ok(b.map(|g| (g, None)))).collect(),
        Values::Date(v) => v.into_iter().map(|d| Ok(d.map(|d| (true, Some(d))))).collect(),
        Values::Number(v) => v.into_iter().map(|x| Ok(x.map(|x| (x != 0.0, None)))).collect(),
        Values::Text(v) => v
            .into_iter()
            .map(|s| match s.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(s) => match s.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "y" | "1" | "ja" => Ok(Some((true, None))),
                    "false" | "no" | "n" | "0" | "nej" => Ok(Some((false, None))),
                    _ => parse_date(s, formats)
                        .map(|d| Some((true, Some(d))))
                        .ok_or_else(|| format!("`{s}` is neither yes/no nor a date")),
                },
            })
            .collect(),
    }
}

fn tx_cols(
    customer_id_col: String,
    date_col: String,
    amount_col: String,
    margin_col: Option<String>,
    cost_of_goods_col: Option<String>,
    product_col: Option<String>,
    order_col: Option<String>,
) -> TxCols {
    TxCols {
        customer: customer_id_col,
        date: date_col,
        amount: amount_col,
        margin: margin_col,
        cost_of_goods: cost_of_goods_col,
        product: product_col,
        order: order_col,
    }
}

/// `customers=` as (data, id column, attribute types).
type CustomersArg<'py> = (Bound<'py, PyAny>, String, Option<HashMap<String, String>>);

fn customers_arg<'py>(obj: Option<&Bound<'py, PyAny>>, default_id: &str) -> Option<CustomersArg<'py>> {
    let obj = obj.filter(|o| !o.is_none())?;
    Some(match obj.cast::<Customers>() {
        Ok(spec) => {
            let s = spec.get();
            (
                s.data.bind(obj.py()).clone(),
                s.id_col.clone().unwrap_or_else(|| default_id.to_owned()),
                s.attribute_types.clone(),
            )
        }
        Err(_) => (obj.clone(), default_id.to_owned(), None),
    })
}

/// `interactions=` as (data, column names).
fn interactions_arg<'py>(obj: Option<&Bound<'py, PyAny>>, default_id: &str) -> Option<(Bound<'py, PyAny>, IxCols)> {
    let obj = obj.filter(|o| !o.is_none())?;
    Some(match obj.cast::<Interactions>() {
        Ok(spec) => {
            let s = spec.get();
            (s.data.bind(obj.py()).clone(), IxCols::from_spec(Some(s), default_id))
        }
        Err(_) => (obj.clone(), IxCols::from_spec(None, default_id)),
    })
}

fn path_arg(obj: &Bound<'_, PyAny>, what: &str) -> Fallible<PathBuf> {
    obj.extract::<PathBuf>()
        .map_err(|_| Failure::Type(format!("{what}: expected a path (str or os.PathLike) for from_csv")))
}

/// A pandas DataFrame whose requested transaction columns are all plain numpy integers,
/// floats, naive datetimes, objects or text, as a dict of those columns: numpy arrays read
/// as they are and text as its Arrow array, without pandas' Arrow export, which converts
/// every column of the frame first (about 0.08 s for 11 million rows). `None` for anything
/// else (the Arrow route reads it).
fn pandas_numpy_columns<'py>(table: &Bound<'py, PyAny>, cols: &TxCols) -> PyResult<Option<Bound<'py, PyDict>>> {
    let py = table.py();
    let module: String = table.get_type().getattr("__module__")?.extract().unwrap_or_default();
    if !module.starts_with("pandas") || !table.hasattr("dtypes")? {
        return Ok(None);
    }
    let np_dtype = py.import("numpy")?.getattr("dtype")?;
    let out = PyDict::new(py);
    for name in cols.all() {
        // A missing column, a duplicate name or a non-numpy dtype: the Arrow route decides.
        let Ok(column) = table.get_item(name) else { return Ok(None) };
        let Ok(dtype) = column.getattr("dtype") else { return Ok(None) };
        let kind: String = dtype.getattr("kind")?.extract()?;
        if dtype.is_instance(&np_dtype)? && "iufMO".contains(kind.as_str()) {
            out.set_item(name, column.call_method0("to_numpy")?)?;
        } else if "OU".contains(kind.as_str()) && column.getattr("array")?.hasattr("__arrow_array__")? {
            // Text with Arrow storage (pandas 3's str, string[pyarrow]): the Series itself.
            out.set_item(name, column)?;
        } else {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

/// `CustomerBase.from_transactions` after the arguments are read.
fn from_tables(
    py: Python<'_>,
    cols: TxCols,
    transactions: Option<&Bound<'_, PyAny>>,
    date_format: Option<&Bound<'_, PyAny>>,
    customers: Option<&Bound<'_, PyAny>>,
    interactions: Option<&Bound<'_, PyAny>>,
) -> Fallible<CustomerBase> {
    cols.check()?;
    let formats = formats(date_format)?;
    let mut names = Names::default();
    cols.names(&mut names);
    let tx = transactions.filter(|t| !t.is_none()).map(|t| transactions_table(t, &cols)).transpose()?;
    let cu = customers_arg(customers, &cols.customer)
        .map(|(data, id, _)| -> Fallible<_> { Ok((import_table(&data, "customers")?, id)) })
        .transpose()?;
    let ix = interactions_arg(interactions, &cols.customer)
        .map(|(data, ic)| -> Fallible<_> { Ok((import_table(&data, "interactions")?, ic)) })
        .transpose()?;
    if tx.is_none() && cu.is_none() && ix.is_none() {
        return Err(Failure::Type("from_transactions needs a transactions table (or customers / interactions)".into()));
    }
    if let Some((table, id)) = &cu {
        names.add("id", "customers", id);
        names.add_customer_columns(table.columns.iter().map(|c| c.name.as_str()));
    }
    if let Some((_, ic)) = &ix {
        ic.names(&mut names);
    }
    let base = detached(py, move || {
        let mut builder = CustomerBaseBuilder::default();
        if let Some((table, id)) = &cu {
            builder.add_customers(customer_rows(table, id, &formats)?);
        }
        if let Some(t) = &tx {
            // The three columns of an immutable table as they are, without a copy; on any
            // refusal the conversion below reads them again and names the bad value.
            let kept = shared_columns(t, &cols).is_some_and(|s| builder.add_shared_transactions(s).is_ok());
            if !kept {
                let columns = transaction_columns(t, &cols, &formats)?;
                builder.add_transactions(columns).map_err(|e| Failure::Core(e, names.clone()))?;
            }
        }
        if let Some((table, ic)) = &ix {
            let columns = interaction_columns(table, ic, &formats)?;
            builder.add_interactions(columns).map_err(|e| Failure::Core(e, names.clone()))?;
        }
        let base = builder.build().map_err(|e| Failure::Core(e, names))?;
        Ok(CustomerBase::new(base, Vec::new()))
    })?;
    Ok(base)
}

/// A transactions table with the three required columns (customer id, date, amount), read
/// as `from_transactions` reads it, before its columns are converted.
pub(crate) fn transactions_table_of(
    transactions: &Bound<'_, PyAny>,
    customer_id_col: &str,
    date_col: &str,
    amount_col: &str,
) -> Fallible<InTable> {
    let cols = tx_cols(customer_id_col.into(), date_col.into(), amount_col.into(), None, None, None, None);
    transactions_table(transactions, &cols)
}

/// The transaction columns of such a table ([`transactions_table_of`]), and the names for
/// its errors.
pub(crate) fn transactions_of(
    table: &InTable,
    customer_id_col: String,
    date_col: String,
    amount_col: String,
) -> Fallible<(TransactionColumns, Names)> {
    let cols = tx_cols(customer_id_col, date_col, amount_col, None, None, None, None);
    let mut names = Names::default();
    cols.names(&mut names);
    Ok((transaction_columns(table, &cols, &[])?, names))
}

/// A transactions table read as `from_transactions` does: a pandas frame's numpy columns
/// directly, anything else through its Arrow stream.
fn transactions_table(transactions: &Bound<'_, PyAny>, cols: &TxCols) -> Fallible<InTable> {
    match pandas_numpy_columns(transactions, cols)? {
        Some(columns) => import_table(&columns, "transactions"),
        None => import_table(transactions, "transactions"),
    }
}

#[pymethods]
impl CustomerBase {
    /// A base from a transactions table, optionally with a customer table and an
    /// interactions table.
    ///
    /// Tables are anything with `__arrow_c_stream__` (pyarrow, polars, pandas >= 2.2,
    /// duckdb, ...) or a dict of numpy arrays / lists. Column names are parameters:
    ///
    /// - `customer_id_col`: integer or string ids (int64 or string in the results).
    /// - `date_col`: Arrow dates, timestamps of any unit (a zoned timestamp counts in UTC,
    ///   as Python datetimes and ISO 8601 text with an offset do) or ISO 8601 strings
    ///   (`date_format`: strftime format(s) for other text).
    /// - `amount_col`: numbers; negative amounts are refunds (they net out, they are not
    ///   purchases).
    /// - `margin_col` or `cost_of_goods_col` (margin = amount - cost of goods): needed for
    ///   segments by margin or profit.
    /// - `order_col`: rows of one order count as one purchase; `product_col`: a product or
    ///   category per row.
    /// - `customers`: a customer table (or `crm.Customers(table, id_col=...)`); with it,
    ///   every transaction and interaction must name one of its customers, and customers
    ///   without transactions are prospects.
    /// - `interactions`: an interactions table (or `crm.Interactions(table, ...)`) with
    ///   customer id, date, channel, direction, kind and optional outcome and cost (cost to
    ///   serve, deducted in profit).
    ///
    /// `transactions` may be None when customers or interactions are given. Raises
    /// `InputError` (with `.table`, `.row`, `.column`), `ColumnNotFoundError`,
    /// `UnknownCustomerError`, `DuplicateCustomerError`, `ConfigError`, or `TypeError` for
    /// an input that is not a table. The work runs without the GIL.
    #[classmethod]
    #[pyo3(signature = (
        transactions=None, *, customer_id_col="customer_id".to_owned(), date_col="date".to_owned(),
        amount_col="amount".to_owned(), margin_col=None, cost_of_goods_col=None, product_col=None, order_col=None,
        date_format=None, customers=None, interactions=None
    ), text_signature = "(transactions=None, *, customer_id_col='customer_id', date_col='date', amount_col='amount', \
        margin_col=None, cost_of_goods_col=None, product_col=None, order_col=None, date_format=None, customers=None, \
        interactions=None)")]
    #[allow(clippy::too_many_arguments)]
    fn from_transactions(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        transactions: Option<&Bound<'_, PyAny>>,
        customer_id_col: String,
        date_col: String,
        amount_col: String,
        margin_col: Option<String>,
        cost_of_goods_col: Option<String>,
        product_col: Option<String>,
        order_col: Option<String>,
        date_format: Option<&Bound<'_, PyAny>>,
        customers: Option<&Bound<'_, PyAny>>,
        interactions: Option<&Bound<'_, PyAny>>,
    ) -> Fallible<Self> {
        guarded(|| {
            let cols =
                tx_cols(customer_id_col, date_col, amount_col, margin_col, cost_of_goods_col, product_col, order_col);
            from_tables(py, cols, transactions, date_format, customers, interactions)
        })
    }

    /// A base from a transactions CSV file, optionally with a customers file and an
    /// interactions file (paths, or `crm.Customers(path, ...)` / `crm.Interactions(path,
    /// ...)`). Column names as in `from_transactions`.
    ///
    /// - `delimiter`: one ASCII character.
    /// - `date_format`: strftime format(s) tried in order; default ISO 8601.
    /// - `id_kind`: "auto" (integers when every id is a plain integer), "int" or "str".
    /// - `on_error`: "raise" refuses a file with any bad value (`CsvError` lists every one
    ///   with its line and column); "skip" loads the good rows and lists the rejected ones
    ///   in `base.csv_reports`.
    ///
    /// A missing file raises `FileNotFoundError`.
    #[classmethod]
    #[pyo3(signature = (
        path, *, customer_id_col="customer_id".to_owned(), date_col="date".to_owned(),
        amount_col="amount".to_owned(), margin_col=None, cost_of_goods_col=None, product_col=None, order_col=None,
        date_format=None, delimiter=None, id_kind="auto".to_owned(), on_error="raise".to_owned(),
        customers=None, interactions=None, quantity_col=None, unit_price_col=None, category_col=None,
        cancellation_prefix=None, encoding="utf-8".to_owned(), decimal=None, day_first=None
    ), text_signature = "(path, *, customer_id_col='customer_id', date_col='date', amount_col='amount', \
        margin_col=None, cost_of_goods_col=None, product_col=None, order_col=None, date_format=None, delimiter=None, \
        id_kind='auto', on_error='raise', customers=None, interactions=None, quantity_col=None, unit_price_col=None, \
        category_col=None, cancellation_prefix=None, encoding='utf-8', decimal=None, day_first=None)")]
    #[allow(clippy::too_many_arguments)]
    fn from_csv(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        customer_id_col: String,
        date_col: String,
        amount_col: String,
        margin_col: Option<String>,
        cost_of_goods_col: Option<String>,
        product_col: Option<String>,
        order_col: Option<String>,
        date_format: Option<&Bound<'_, PyAny>>,
        delimiter: Option<String>,
        id_kind: String,
        on_error: String,
        customers: Option<&Bound<'_, PyAny>>,
        interactions: Option<&Bound<'_, PyAny>>,
        quantity_col: Option<String>,
        unit_price_col: Option<String>,
        category_col: Option<String>,
        cancellation_prefix: Option<String>,
        encoding: String,
        decimal: Option<String>,
        day_first: Option<bool>,
    ) -> Fallible<Self> {
        let cols =
            tx_cols(customer_id_col, date_col, amount_col, margin_col, cost_of_goods_col, product_col, order_col);
        cols.check()?;
        let one_char = |field: &str, v: Option<String>| -> Fallible<Option<char>> {
            let Some(v) = v else { return Ok(None) };
            let mut chars = v.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii() => Ok(Some(c)),
                _ => Err(Failure::config(field, format!("{v:?} is not one ASCII character"))),
            }
        };
        let options = CsvOptions {
            delimiter: one_char("delimiter", delimiter)?,
            decimal: one_char("decimal", decimal)?,
            encoding: encoding.parse::<Encoding>().map_err(|m| Failure::config("encoding", m))?,
            day_first,
            date_formats: formats(date_format)?,
            id_kind: match id_kind.as_str() {
                "auto" => IdKind::Auto,
                "int" => IdKind::Int,
                "str" => IdKind::Str,
                other => {
                    return Err(Failure::config("id_kind", format!("{other:?} is not \"auto\", \"int\" or \"str\"")));
                }
            },
            on_error: match on_error.as_str() {
                "raise" => OnError::Fail,
                "skip" => OnError::Skip,
                other => return Err(Failure::config("on_error", format!("{other:?} is not \"raise\" or \"skip\""))),
            },
        };
        let tx_path = path_arg(path, "path")?;
        let tx_spec = TransactionCsv {
            customer: cols.customer.clone(),
            timestamp: cols.date.clone(),
            amount: cols.amount.clone(),
            margin: cols.margin.clone(),
            cost_of_goods: cols.cost_of_goods.clone(),
            product: cols.product.clone(),
            order: cols.order.clone(),
            quantity: quantity_col,
            unit_price: unit_price_col,
            category: category_col,
            cancellation_prefix,
            options: options.clone(),
        };
        let cu = match customers_arg(customers, &cols.customer) {
            None => None,
            Some((data, id, types)) => {
                let mut attribute_types = BTreeMap::new();
                for (name, t) in types.unwrap_or_default() {
                    let t = match t.as_str() {
                        "text" => AttributeType::Text,
                        "number" => AttributeType::Number,
                        "date" => AttributeType::Date,
                        "bool" => AttributeType::Bool,
                        other => {
                            return Err(Failure::config(
                                "attribute_types",
                                format!("{name}: {other:?} is not \"text\", \"number\", \"date\" or \"bool\""),
                            ));
                        }
                    };
                    attribute_types.insert(name, t);
                }
                let spec = CustomerCsv { id, attribute_types, options: options.clone() };
                Some((path_arg(&data, "customers")?, spec))
            }
        };
        let ix = match interactions_arg(interactions, &cols.customer) {
            None => None,
            Some((data, ic)) => {
                let spec = InteractionCsv {
                    customer: ic.customer,
                    timestamp: ic.date,
                    channel: ic.channel,
                    direction: ic.direction,
                    kind: ic.kind,
                    outcome: ic.outcome,
                    cost: ic.cost,
                    options: options.clone(),
                };
                Some((path_arg(&data, "interactions")?, spec))
            }
        };
        let mut names = Names::default();
        cols.names(&mut names);
        if let Some((_, spec)) = &cu {
            names.add("id", "customers", &spec.id);
            // In a CSV file only the attributes typed as numbers or dates can be invalid.
            names.add_customer_columns(spec.attribute_types.keys().map(String::as_str));
        }
        if let Some((_, spec)) = &ix {
            names.add("customer (interactions)", "interactions", &spec.customer);
            names.add("timestamp (interactions)", "interactions", &spec.timestamp);
        }
        detached(py, move || {
            let core = |e| Failure::Core(e, names.clone());
            let mut builder = CustomerBaseBuilder::default();
            let mut reports = Vec::new();
            if let Some((path, spec)) = &cu {
                let report = builder.add_customers_csv(path, spec).map_err(core)?;
                reports.push(("customers", CsvReport::new(path.display().to_string(), report)));
            }
            let report = builder.add_transactions_csv(&tx_path, &tx_spec).map_err(core)?;
            reports.push(("transactions", CsvReport::new(tx_path.display().to_string(), report)));
            if let Some((path, spec)) = &ix {
                let report = builder.add_interactions_csv(path, spec).map_err(core)?;
                reports.push(("interactions", CsvReport::new(path.display().to_string(), report)));
            }
            let base = builder.build().map_err(core)?;
            Ok(CustomerBase::new(base, reports))
        })
    }

    /// The customer summary as of a date: one row per customer with first and last
    /// purchase, purchases, purchases per year (over max(tenure, `min_span_days`)), average
    /// purchase, revenue, margin, recency and tenure in days, and R, F, M quintile scores
    /// 1-5 (ties share the lower score; null without a purchase).
    ///
    /// `as_of` is a date, datetime, ISO string or numpy.datetime64 (default: the last day
    /// with a transaction); transactions after it are left out and counted in
    /// `excluded_after_as_of`.
    #[pyo3(signature = (as_of=None, *, min_span_days=365))]
    fn summary(&self, py: Python<'_>, as_of: Option<&Bound<'_, PyAny>>, min_span_days: i64) -> Fallible<Py<Summary>> {
        let as_of = self.as_of(as_of)?;
        let config = SummaryConfig { min_span_days: u32_arg("min_span_days", min_span_days)? };
        let base = &self.inner;
        let (batch, excluded) = detached(py, || {
            let s = base.summary_with(as_of, &config).map_err(|e| Failure::Core(e, Names::default()))?;
            let excluded = s.excluded_after_as_of;
            Ok((Summary::batch(self.ids_array(), s), excluded))
        })?;
        Ok(Summary::create(py, batch, as_of, excluded)?)
    }

    /// Lifecycle stages as of a date (default: the last day with a transaction): prospect,
    /// new, starter, active, declining, lost, reactivated, won_back, the first rule that
    /// applies, in this order: no purchase (prospect); none in `inactivity_days` (lost);
    /// first purchase within `new_days` (new); a purchase within `return_days` ending a gap
    /// of `inactivity_days` (won_back) or `dormant_days` (reactivated); one purchase
    /// (starter); revenue of the last `trend_days` below `decline_ratio` x the `trend_days`
    /// before (declining); otherwise active.
    #[pyo3(signature = (
        as_of=None, *, inactivity_days=365, new_days=90, dormant_days=180, return_days=90, trend_days=365,
        decline_ratio=0.5
    ))]
    #[allow(clippy::too_many_arguments)]
    fn lifecycle(
        &self,
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        inactivity_days: i64,
        new_days: i64,
        dormant_days: i64,
        return_days: i64,
        trend_days: i64,
        decline_ratio: f64,
    ) -> Fallible<Py<Lifecycle>> {
        let as_of = self.as_of(as_of)?;
        let config = LifecycleConfig {
            inactivity_days: u32_arg("inactivity_days", inactivity_days)?,
            new_days: u32_arg("new_days", new_days)?,
            dormant_days: u32_arg("dormant_days", dormant_days)?,
            return_days: u32_arg("return_days", return_days)?,
            trend_days: u32_arg("trend_days", trend_days)?,
            decline_ratio,
        };
        let base = &self.inner;
        let (batch, l) = detached(py, || {
            let l = base.lifecycle(as_of, &config).map_err(|e| Failure::Core(e, Names::default()))?;
            Ok((Lifecycle::batch(self.ids_array(), &l), l))
        })?;
        Ok(Lifecycle::create(py, batch, &l)?)
    }

    /// Value segments, ABC classes and the customer pyramid as of a date (default: the last
    /// day with a transaction).
    ///
    /// Customers with a transaction in the last `window_days` (None: all history) are
    /// ranked by `by` ("revenue", "margin" or "profit" = margin - cost to serve), highest
    /// first, ties by ascending id, and split by `shares` (top / middle / bottom; segment
    /// sizes are cumulative share x n rounded half up, so 10 customers split 2 / 5 / 3).
    /// ABC classes cut the cumulative value at `abc_shares`; the pyramid splits ranked
    /// customers by `pyramid_shares` (top / large / medium / small), the others are
    /// inactive (bought before) or prospect.
    #[pyo3(signature = (
        as_of=None, *, shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(), window_days=Some(365),
        abc_shares=vec![0.8, 0.15, 0.05], pyramid_shares=vec![0.01, 0.04, 0.15, 0.8]
    ), text_signature = "($self, as_of=None, *, shares=(0.2, 0.5, 0.3), by='revenue', window_days=365, \
        abc_shares=(0.8, 0.15, 0.05), pyramid_shares=(0.01, 0.04, 0.15, 0.8))")]
    #[allow(clippy::too_many_arguments)]
    fn segments(
        &self,
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
        abc_shares: Vec<f64>,
        pyramid_shares: Vec<f64>,
    ) -> Fallible<Py<Segments>> {
        let as_of = self.as_of(as_of)?;
        let config = full_segment_config(shares, &by, window_days, abc_shares, pyramid_shares)?;
        let base = &self.inner;
        let batches = detached(py, || {
            let s = base.segments(as_of, &config).map_err(|e| Failure::Core(e, Names::default()))?;
            Ok(Segments::batches(self.ids_array(), s))
        })?;
        Ok(Segments::create(py, batches)?)
    }

    /// Share of wallet and growth potential as of a date (default: the last transaction
    /// day). The wallet comes from the customer attribute `attribute` (per year) where it
    /// is a number >= 0, else from the `quantile` (type 7) of yearly spend among peers of
    /// the same group at the first of `levels` (lists of attributes, finest first; default
    /// industry x category, then industry) with at least `min_peers` peers, else the whole
    /// base. `bands` cuts numeric grouping attributes (`{"employees": [10, 50, 250]}`).
    /// `regression` (numeric attribute names) fits the linear `quantile`-regression of
    /// yearly spend on them (exact LP optimum) on the peers with every attribute: it gives
    /// the wallet (never below 0) of every customer with every attribute and no usable
    /// `attribute`; the others fall back to the groups (`source` says which).
    #[pyo3(signature = (
        as_of=None, *, attribute=None, quantile=0.9, min_peers=20, levels=None, bands=None, window_days=365,
        work_list_size=100, regression=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn wallet(
        &self,
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        attribute: Option<String>,
        quantile: f64,
        min_peers: i64,
        levels: Option<Vec<Vec<String>>>,
        bands: Option<BTreeMap<String, Vec<f64>>>,
        window_days: i64,
        work_list_size: i64,
        regression: Option<Vec<String>>,
    ) -> Fallible<Py<crate::profiles::Wallet>> {
        let as_of = self.as_of(as_of)?;
        let config = crate::profiles::wallet_config(
            attribute,
            quantile,
            min_peers,
            levels,
            bands,
            window_days,
            work_list_size,
            regression,
        )?;
        crate::profiles::wallet(py, &self.inner, self.ids_array(), as_of, config)
    }

    /// Profiles of groups of customers against the whole base as of a date: `by` is
    /// "segment", "abc", "pyramid", "stage", "rfm", any other string for a customer
    /// attribute (a label column), or a dict such as `{"type": "target_group",
    /// "conditions": [...]}`; `labels` (one label or None per customer, in the base's
    /// customer order) groups the customers instead. Categorical attributes get shares,
    /// indices and a two-proportion test (significant when p < `alpha` in groups of at
    /// least `min_group_size`); numeric ones mean and quartiles; `traits` per group are
    /// ranked. `wallet` (a dict of wallet rules) serves the `share_of_wallet` attribute.
    #[pyo3(signature = (
        as_of=None, *, by=None, labels=None, categorical=None, numeric=None, bands=None, min_group_size=30, alpha=0.05,
        traits=5, wallet=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn profiles(
        &self,
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        by: Option<&Bound<'_, PyAny>>,
        labels: Option<Vec<Option<String>>>,
        categorical: Option<Vec<String>>,
        numeric: Option<Vec<String>>,
        bands: Option<BTreeMap<String, Vec<f64>>>,
        min_group_size: i64,
        alpha: f64,
        traits: i64,
        wallet: Option<&Bound<'_, PyAny>>,
    ) -> Fallible<Py<crate::profiles::Profiles>> {
        let as_of = self.as_of(as_of)?;
        let segment = PyString::new(py, "segment").into_any();
        let by = by.filter(|b| !b.is_none()).unwrap_or(&segment);
        crate::profiles::profiles(
            py,
            &self.inner,
            self.ids_array(),
            as_of,
            by,
            labels,
            categorical,
            numeric,
            bands,
            min_group_size,
            alpha,
            traits,
            wallet,
        )
    }

    /// Customer flows of the period `[start, end)`: base at start, new (active and
    /// starters), won back, lost, base at end, churn and retention rates, average duration
    /// in years (base by `duration_base`: "start", "end" or "average", over the losses per
    /// year) and the revenue / margin of each flow; per value segment when `by_segment`
    /// (segments as in `segments()`: `shares`, `by`, `window_days`).
    #[pyo3(signature = (
        start, end, *, inactivity_days=365, duration_base="average".to_owned(), by_segment=true,
        shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(), window_days=Some(365)
    ), text_signature = "($self, start, end, *, inactivity_days=365, duration_base='average', by_segment=True, \
        shares=(0.2, 0.5, 0.3), by='revenue', window_days=365)")]
    #[allow(clippy::too_many_arguments)]
    fn flows(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        inactivity_days: i64,
        duration_base: String,
        by_segment: bool,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
    ) -> Fallible<Py<Flows>> {
        let (start, end) = (to_date(start, "start")?, to_date(end, "end")?);
        let config = flow_config(inactivity_days, &duration_base, by_segment, shares, &by, window_days)?;
        let base = &self.inner;
        let report = detached(py, || base.flows(start, end, &config).map_err(analytics::core))?;
        Ok(Flows::create(py, report)?)
    }

    /// Flows of `count` consecutive calendar periods ("month", "quarter" or "year")
    /// starting on `start`: one row per period, with the `Flows` objects in `.flows`.
    /// Keywords as in `flows()`.
    #[pyo3(signature = (
        start, period="month".to_owned(), count=12, *, inactivity_days=365, duration_base="average".to_owned(),
        by_segment=false, shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(), window_days=Some(365)
    ), text_signature = "($self, start, period='month', count=12, *, inactivity_days=365, \
        duration_base='average', by_segment=False, shares=(0.2, 0.5, 0.3), by='revenue', window_days=365)")]
    #[allow(clippy::too_many_arguments)]
    fn flow_series(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        period: String,
        count: i64,
        inactivity_days: i64,
        duration_base: String,
        by_segment: bool,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
    ) -> Fallible<Py<FlowSeries>> {
        let start = to_date(start, "start")?;
        let (period, count) = (period_of(&period)?, count_of(count)?);
        let config = flow_config(inactivity_days, &duration_base, by_segment, shares, &by, window_days)?;
        let base = &self.inner;
        let (batch, reports) = detached(py, || {
            let reports = base.flow_series(start, period, count, &config).map_err(analytics::core)?;
            Ok((FlowSeries::batch(&reports), reports))
        })?;
        Ok(FlowSeries::create(py, batch, reports)?)
    }

    /// Migration between states from the end of `from_date` to the end of `to_date`:
    /// `states="segments"` (not_yet_customer, top, middle, bottom, lost; segment keywords as
    /// in `segments()`) or `"lifecycle"` (the lifecycle stages with `inactivity_days`).
    #[pyo3(signature = (
        from_date, to_date, *, states="segments".to_owned(), shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(),
        window_days=Some(365), inactivity_days=365
    ), text_signature = "($self, from_date, to_date, *, states='segments', shares=(0.2, 0.5, 0.3), by='revenue', \
        window_days=365, inactivity_days=365)")]
    #[allow(clippy::too_many_arguments)]
    fn migration(
        &self,
        py: Python<'_>,
        from_date: &Bound<'_, PyAny>,
        to_date: &Bound<'_, PyAny>,
        states: String,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
        inactivity_days: i64,
    ) -> Fallible<Migration> {
        let (from, to) = (self::to_date(from_date, "from_date")?, self::to_date(to_date, "to_date")?);
        let base = &self.inner;
        let m = match states.as_str() {
            "segments" => {
                let config = segment_config(shares, &by, window_days)?;
                detached(py, || base.segment_migration(from, to, &config).map_err(analytics::core))?
            }
            "lifecycle" => {
                let config = LifecycleConfig {
                    inactivity_days: u32_arg("inactivity_days", inactivity_days)?,
                    ..LifecycleConfig::default()
                };
                detached(py, || base.lifecycle_migration(from, to, &config).map_err(analytics::core))?
            }
            other => {
                return Err(Failure::config("states", format!("{other:?} is not \"segments\" or \"lifecycle\"")));
            }
        };
        Ok(Migration::new(m))
    }

    /// Customer lifetime value as of a date (default: the last day with a transaction),
    /// per customer with a purchase, by segment, by acquisition channel and for the
    /// portfolio. Lifetime revenue = purchases per year x average purchase x duration;
    /// the duration is `duration_years` or, when None, estimated from the flows of the
    /// last twelve months (`MissingDataError` when nobody was lost). Margins are discounted
    /// at `discount_rate`; NPV subtracts the acquisition cost.
    #[pyo3(signature = (
        as_of=None, *, duration_years=None, discount_rate=0.10, inactivity_days=365,
        duration_base="average".to_owned(), shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(),
        window_days=Some(365)
    ), text_signature = "($self, as_of=None, *, duration_years=None, discount_rate=0.1, inactivity_days=365, \
        duration_base='average', shares=(0.2, 0.5, 0.3), by='revenue', window_days=365)")]
    #[allow(clippy::too_many_arguments)]
    fn clv(
        &self,
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        duration_years: Option<f64>,
        discount_rate: f64,
        inactivity_days: i64,
        duration_base: String,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
    ) -> Fallible<Py<Clv>> {
        let as_of = self.as_of(as_of)?;
        let config =
            clv_config(duration_years, discount_rate, inactivity_days, &duration_base, shares, &by, window_days)?;
        let base = &self.inner;
        let batches = detached(py, || {
            let r = base.clv(as_of, &config).map_err(analytics::core)?;
            Ok(Clv::batches(base.ids(), r))
        })?;
        Ok(Clv::create(py, batches)?)
    }

    /// The customer-base report as of a date (default: the last day with a transaction):
    /// overview, lifecycle, segments, ABC, pyramid, RFM grid, top customers, flows of the
    /// last twelve months and by quarter, segment migration, CLV, undesired flows, share of
    /// wallet and (with a customer table) segment profiles. `wallet` and `profiles` are
    /// dicts (or JSON text) of the rules of `wallet()` and `profiles()` (e.g.
    /// `{"quantile": 0.8, "levels": [["industry"]]}`); their segment and lifecycle rules
    /// are the report's, and profiles are always by value segment.
    #[pyo3(signature = (
        as_of=None, *, top_customers=10, duration_years=None, discount_rate=0.10, inactivity_days=365,
        shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(), window_days=Some(365), wallet=None, profiles=None
    ), text_signature = "($self, as_of=None, *, top_customers=10, duration_years=None, discount_rate=0.1, \
        inactivity_days=365, shares=(0.2, 0.5, 0.3), by='revenue', window_days=365, wallet=None, profiles=None)")]
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        top_customers: usize,
        duration_years: Option<f64>,
        discount_rate: f64,
        inactivity_days: i64,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
        wallet: Option<&Bound<'_, PyAny>>,
        profiles: Option<&Bound<'_, PyAny>>,
    ) -> Fallible<Report> {
        let as_of = self.as_of(as_of)?;
        let config = report_config(
            top_customers,
            duration_years,
            discount_rate,
            inactivity_days,
            shares,
            &by,
            window_days,
            ReportExtras { wallet, profiles },
        )?;
        let base = &self.inner;
        let r = detached(py, || base.report(as_of, &config).map_err(analytics::core))?;
        Ok(Report::new(r))
    }

    /// A funnel over the customers entering it in `[entry_from, entry_to)`, counted as of
    /// `as_of`: one row per step (see `FunnelTable`); `by` = an attribute (a free
    /// attribute, `industry`, `category` or `acquisition_channel`) for one block of steps
    /// per value, with a `group` column. `funnel` is a dict or JSON text:
    /// `{"name": ..., "steps": [{"name": ..., "event": {"type": "interaction", "kind": ...,
    /// "outcomes": [...]}, "window_days": 7}, {"name": ..., "event": {"type": "purchase"}}]}`.
    #[pyo3(signature = (funnel, entry_from, entry_to, as_of=None, *, confidence=0.95, by=None))]
    #[allow(clippy::too_many_arguments)]
    fn funnel(
        &self,
        py: Python<'_>,
        funnel: &Bound<'_, PyAny>,
        entry_from: &Bound<'_, PyAny>,
        entry_to: &Bound<'_, PyAny>,
        as_of: Option<&Bound<'_, PyAny>>,
        confidence: f64,
        by: Option<String>,
    ) -> Fallible<Py<processes::FunnelTable>> {
        let as_of = self.as_of(as_of)?;
        let period = processes::funnel_period(entry_from, entry_to, as_of, confidence)?;
        processes::funnel(py, &self.inner, funnel, period, by)
    }

    /// The same funnel over two entry periods, step by step: a `Difference` per step
    /// (None for the first step) of `rate_from_previous` in `second` minus that in `first`,
    /// with Newcombe's interval, the pooled z test and the lift. Each period is
    /// `(entry_from, entry_to)` counted as of `as_of`, or `(entry_from, entry_to, as_of)`.
    #[pyo3(signature = (funnel, first, second, as_of=None, *, confidence=0.95))]
    fn compare_funnel_periods(
        &self,
        py: Python<'_>,
        funnel: &Bound<'_, PyAny>,
        first: &Bound<'_, PyAny>,
        second: &Bound<'_, PyAny>,
        as_of: Option<&Bound<'_, PyAny>>,
        confidence: f64,
    ) -> Fallible<Vec<Option<processes::Difference>>> {
        let as_of = self.as_of(as_of)?;
        processes::compare_funnel_periods(py, &self.inner, funnel, first, second, as_of, confidence)
    }

    /// The dialogs of `processes` (a `crm.Process`, a dict / JSON definition, or a list of
    /// them) due as of a date: `DueActions` with the `due` and `blocked` tables. Triggers
    /// older than `lookback_days` are not looked at. Target groups by lifecycle stage or
    /// value segment use the lifecycle keywords of `lifecycle()` and the segment keywords
    /// `shares`, `by`, `window_days` of `segments()`.
    #[pyo3(signature = (
        processes, as_of=None, *, lookback_days=90, inactivity_days=365, new_days=90, dormant_days=180, return_days=90, trend_days=365,
        decline_ratio=0.5, shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(), window_days=Some(365)
    ), text_signature = "($self, processes, as_of=None, *, lookback_days=90, inactivity_days=365, new_days=90, dormant_days=180, return_days=90, \
        trend_days=365, decline_ratio=0.5, shares=(0.2, 0.5, 0.3), by='revenue', window_days=365)")]
    #[allow(clippy::too_many_arguments)]
    fn due_actions(
        &self,
        py: Python<'_>,
        processes: &Bound<'_, PyAny>,
        as_of: Option<&Bound<'_, PyAny>>,
        lookback_days: i64,
        inactivity_days: i64,
        new_days: i64,
        dormant_days: i64,
        return_days: i64,
        trend_days: i64,
        decline_ratio: f64,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
    ) -> Fallible<processes::DueActions> {
        let as_of = self.as_of(as_of)?;
        let lookback = u32_arg("lookback_days", lookback_days)?;
        let rules = rules(
            inactivity_days,
            new_days,
            dormant_days,
            return_days,
            trend_days,
            decline_ratio,
            shares,
            &by,
            window_days,
        )?;
        processes::due_actions(py, &self.inner, processes, as_of, lookback, rules)
    }

    /// The KPIs of a process over triggers and dialogs dated in `[start, end)`, as of
    /// `as_of`: kpi, dialog, successes, trials, actual, low, high, target, at_least, met.
    #[pyo3(signature = (process, start, end, as_of=None))]
    fn evaluate_kpis(
        &self,
        py: Python<'_>,
        process: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> Fallible<Table> {
        let p = processes::process_arg(process)?;
        let (start, end, as_of) = (to_date(start, "start")?, to_date(end, "end")?, self.as_of(as_of)?);
        let base = &self.inner;
        let batch = detached(py, || {
            let r = base.evaluate_kpis(&p, start, end, as_of).map_err(analytics::core)?;
            Ok(processes::kpi_table(&r))
        })?;
        Ok(Table::new(batch))
    }

    /// Scores every customer with a scoring model (a dict or JSON text: `{"rules": [{"name":
    /// ..., "weight": 3, "condition": {"type": "date_within_next", "attribute":
    /// "lease_end", "days": 30}, "half_life_days": null}]}`) as of a date: `Scores` with the
    /// per-customer `scores` and the ranked `work_list`. `stage` and `segment` conditions
    /// use the lifecycle keywords of `lifecycle()` and the segment keywords `shares`, `by`,
    /// `window_days` of `segments()` (keywords left at their defaults keep the model's own
    /// `lifecycle` / `segments` entries, if it has any).
    #[pyo3(signature = (
        model, as_of=None, *, inactivity_days=365, new_days=90, dormant_days=180, return_days=90, trend_days=365,
        decline_ratio=0.5, shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(), window_days=Some(365)
    ), text_signature = "($self, model, as_of=None, *, inactivity_days=365, new_days=90, dormant_days=180, return_days=90, \
        trend_days=365, decline_ratio=0.5, shares=(0.2, 0.5, 0.3), by='revenue', window_days=365)")]
    #[allow(clippy::too_many_arguments)]
    fn score(
        &self,
        py: Python<'_>,
        model: &Bound<'_, PyAny>,
        as_of: Option<&Bound<'_, PyAny>>,
        inactivity_days: i64,
        new_days: i64,
        dormant_days: i64,
        return_days: i64,
        trend_days: i64,
        decline_ratio: f64,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
    ) -> Fallible<processes::Scores> {
        let as_of = self.as_of(as_of)?;
        let rules = rules(
            inactivity_days,
            new_days,
            dormant_days,
            return_days,
            trend_days,
            decline_ratio,
            shares,
            &by,
            window_days,
        )?;
        processes::score(py, &self.inner, model, as_of, rules)
    }

    /// Back-tests each rule of a scoring model: of the customers a rule hit as of `as_of`,
    /// how many had the `outcome` event (an interaction kind, "purchase", or an event dict)
    /// within the next `horizon_days`: rule, hits, wins, win_rate, low, high, base_rate.
    /// Lifecycle and segment keywords as in `score()`.
    #[pyo3(signature = (
        model, as_of, outcome, horizon_days, *, inactivity_days=365, new_days=90, dormant_days=180, return_days=90, trend_days=365,
        decline_ratio=0.5, shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(), window_days=Some(365)
    ), text_signature = "($self, model, as_of, outcome, horizon_days, *, inactivity_days=365, new_days=90, dormant_days=180, return_days=90, \
        trend_days=365, decline_ratio=0.5, shares=(0.2, 0.5, 0.3), by='revenue', window_days=365)")]
    #[allow(clippy::too_many_arguments)]
    fn backtest(
        &self,
        py: Python<'_>,
        model: &Bound<'_, PyAny>,
        as_of: &Bound<'_, PyAny>,
        outcome: &Bound<'_, PyAny>,
        horizon_days: i64,
        inactivity_days: i64,
        new_days: i64,
        dormant_days: i64,
        return_days: i64,
        trend_days: i64,
        decline_ratio: f64,
        shares: Vec<f64>,
        by: String,
        window_days: Option<i64>,
    ) -> Fallible<Table> {
        let as_of = to_date(as_of, "as_of")?;
        let horizon = u32_arg("horizon_days", horizon_days)?;
        let rules = rules(
            inactivity_days,
            new_days,
            dormant_days,
            return_days,
            trend_days,
            decline_ratio,
            shares,
            &by,
            window_days,
        )?;
        processes::backtest(py, &self.inner, model, as_of, outcome, horizon, rules)
    }

    /// The NPS of the interactions of `kind` (outcome = the 0-10 score) dated in
    /// `[start, end)`, each customer's latest answer counting: an `Nps`, or with `by` (an
    /// attribute) a dict of group -> `Nps`.
    #[pyo3(signature = (kind, start, end, *, by=None, confidence=0.95))]
    fn nps(
        &self,
        py: Python<'_>,
        kind: &str,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        by: Option<String>,
        confidence: f64,
    ) -> Fallible<Py<PyAny>> {
        let (start, end) = (to_date(start, "start")?, to_date(end, "end")?);
        processes::nps_by(py, &self.inner, kind, start, end, by, confidence)
    }

    /// Number of customers.
    #[getter]
    fn n_customers(&self) -> usize {
        self.inner.len()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Number of transactions.
    #[getter]
    fn n_transactions(&self) -> usize {
        self.inner.transaction_count()
    }

    /// Number of interactions.
    #[getter]
    fn n_interactions(&self) -> usize {
        self.inner.interactions().len()
    }

    /// True when margins are known (a margin or cost-of-goods column was given).
    #[getter]
    fn has_margin(&self) -> bool {
        self.inner.has_margin()
    }

    /// True when a customer table was given.
    #[getter]
    fn has_customer_table(&self) -> bool {
        self.inner.profiles().is_some()
    }

    /// The day of the first transaction (None without transactions).
    #[getter]
    fn first_date(&self) -> Option<NaiveDate> {
        self.span().map(|s| s.0)
    }

    /// The day of the last transaction: the default as-of date (None without transactions).
    #[getter]
    fn last_date(&self) -> Option<NaiveDate> {
        self.span().map(|s| s.1)
    }

    /// The customer ids, in the base's order (ascending), as a numpy array (int64 or object).
    #[getter]
    fn customer_ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let np = crate::table::numpy(py, "CustomerBase.customer_ids")?;
        Ok(match self.inner.ids() {
            crm_core::KeyColumn::Int(v) => numpy::PyArray1::from_slice(py, v).into_any(),
            crm_core::KeyColumn::Str(s) => {
                let items: Vec<&str> = s.iter().collect();
                np.call_method1("array", (items, "object"))?
            }
        })
    }

    /// What reading each CSV file did ("transactions", "customers", "interactions"); empty
    /// for a base built from tables.
    #[getter]
    fn csv_reports<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, r) in &self.reports {
            d.set_item(*k, Py::new(py, r.clone())?)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let span = self.span().map_or("no transactions".to_owned(), |(a, b)| format!("{a} .. {b}"));
        format!(
            "CustomerBase(customers={}, transactions={}, interactions={}, has_margin={}, dates={span})",
            self.inner.len(),
            self.inner.transaction_count(),
            self.inner.interactions().len(),
            if self.inner.has_margin() { "True" } else { "False" }
        )
    }
}

/// The report's share-of-wallet and profile rules: dicts or JSON text, None for the
/// defaults.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReportExtras<'a, 'py> {
    pub wallet: Option<&'a Bound<'py, PyAny>>,
    pub profiles: Option<&'a Bound<'py, PyAny>>,
}

/// The report rules of `CustomerBase.report`'s keywords (also the clusters' report).
#[allow(clippy::too_many_arguments)]
pub(crate) fn report_config(
    top_customers: usize,
    duration_years: Option<f64>,
    discount_rate: f64,
    inactivity_days: i64,
    shares: Vec<f64>,
    by: &str,
    window_days: Option<i64>,
    extras: ReportExtras<'_, '_>,
) -> Fallible<ReportConfig> {
    let wallet: WalletConfig = match extras.wallet.filter(|v| !v.is_none()) {
        Some(w) => processes::definition(w, "wallet")?,
        None => WalletConfig::default(),
    };
    let profiles: ProfileConfig = match extras.profiles.filter(|v| !v.is_none()) {
        Some(p) => processes::definition(p, "profiles")?,
        None => ProfileConfig::default(),
    };
    wallet.validate().map_err(analytics::core)?;
    profiles.validate().map_err(analytics::core)?;
    Ok(ReportConfig {
        wallet,
        profiles,
        lifecycle: LifecycleConfig {
            inactivity_days: u32_arg("inactivity_days", inactivity_days)?,
            ..LifecycleConfig::default()
        },
        segments: segment_config(shares.clone(), by, window_days)?,
        top_customers,
        clv: clv_config(duration_years, discount_rate, inactivity_days, "average", shares, by, window_days)?,
    })
}
