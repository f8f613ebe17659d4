//! The config file (`crm report --config crm.toml`, the nightly-batch way) and how it is
//! merged with the command line: an option given on the command line wins.

use super::args::{MeasureArg, OnErrorArg, ReportArgs};
use crate::ingest::{AttributeType, OnError};
use crate::report::ReportConfig;
use crate::segments::ValueMeasure;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The whole file. Every table and key is optional; unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ConfigFile {
    pub input: InputSection,
    pub columns: ColumnsSection,
    pub customers: CustomersSection,
    pub interactions: InteractionsSection,
    pub output: OutputSection,
    /// Lifecycle, segment and CLV rules (the report's `ReportConfig`).
    pub rules: Option<ReportConfig>,
}

/// The files and how they are written. Relative paths are relative to the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct InputSection {
    pub transactions: Option<PathBuf>,
    pub customers: Option<PathBuf>,
    pub interactions: Option<PathBuf>,
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
    pub decimal: Option<char>,
    pub day_first: Option<bool>,
    pub date_formats: Vec<String>,
    pub on_error: Option<OnError>,
}

/// The column mapping of the sales export (names as in the file's header).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ColumnsSection {
    pub customer: Option<String>,
    pub date: Option<String>,
    pub amount: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub order: Option<String>,
    pub margin: Option<String>,
    pub cost_of_goods: Option<String>,
    pub product: Option<String>,
    pub category: Option<String>,
    pub cancellation_prefix: Option<String>,
}

/// The customers file: its id column and the types of its free attribute columns.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct CustomersSection {
    pub id: Option<String>,
    pub attribute_types: BTreeMap<String, AttributeType>,
}

/// The interactions file's columns (defaults: customer_id, date, channel, direction, kind,
/// outcome, cost).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct InteractionsSection {
    pub customer: Option<String>,
    pub date: Option<String>,
    pub channel: Option<String>,
    pub direction: Option<String>,
    pub kind: Option<String>,
    pub outcome: Option<String>,
    pub cost: Option<String>,
}

/// Where the report goes and its date.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct OutputSection {
    pub out: Option<PathBuf>,
    pub as_of: Option<NaiveDate>,
}

/// Everything a report run needs, resolved.
#[derive(Debug)]
pub(crate) struct Plan {
    pub transactions: PathBuf,
    /// How the sales export is named in messages and in the report.
    pub source: String,
    pub customers: Option<PathBuf>,
    pub interactions: Option<PathBuf>,
    pub columns: ColumnsSection,
    pub customer_file: CustomersSection,
    pub interaction_file: InteractionsSection,
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
    pub decimal: Option<char>,
    pub day_first: Option<bool>,
    pub date_formats: Vec<String>,
    pub on_error: OnError,
    pub out: PathBuf,
    pub as_of: Option<NaiveDate>,
    pub rules: ReportConfig,
    pub quiet: bool,
}

impl ConfigFile {
    /// Reads and checks a config file; paths in it become relative to its folder.
    pub fn load(path: &Path) -> Result<ConfigFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut cfg: ConfigFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new(""));
        for p in
            [&mut cfg.input.transactions, &mut cfg.input.customers, &mut cfg.input.interactions, &mut cfg.output.out]
                .into_iter()
                .flatten()
        {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
        Ok(cfg)
    }
}

/// Merges the config file (if any) with the command line.
pub(crate) fn plan(args: &ReportArgs, file: ConfigFile) -> Result<Plan, String> {
    let c = &args.columns;
    let m = file.columns;
    let pick = |cli: &Option<String>, cfg: Option<String>| cli.clone().or(cfg);
    let columns = ColumnsSection {
        customer: pick(&c.customer_col, m.customer),
        date: pick(&c.date_col, m.date),
        amount: pick(&c.amount_col, m.amount),
        quantity: pick(&c.quantity_col, m.quantity),
        unit_price: pick(&c.unit_price_col, m.unit_price),
        order: pick(&c.order_col, m.order),
        margin: pick(&c.margin_col, m.margin),
        cost_of_goods: pick(&c.cost_col, m.cost_of_goods),
        product: pick(&c.product_col, m.product),
        category: pick(&c.category_col, m.category),
        cancellation_prefix: pick(&c.cancellation_prefix, m.cancellation_prefix),
    };
    if columns.quantity.is_some() != columns.unit_price.is_some() {
        return Err("give both a quantity and a unit price column, or an amount column".into());
    }
    if columns.amount.is_some() && columns.quantity.is_some() {
        return Err("give an amount column or quantity and unit price columns, not both".into());
    }
    if columns.margin.is_some() && columns.cost_of_goods.is_some() {
        return Err("give a margin column or a cost-of-goods column, not both".into());
    }
    let transactions = args
        .transactions
        .clone()
        .or(file.input.transactions)
        .ok_or("no sales export: give --transactions FILE, a config with [input] transactions, or --sample")?;
    let f = &args.format;
    let day_first = if f.day_first {
        Some(true)
    } else if f.month_first {
        Some(false)
    } else {
        file.input.day_first
    };
    let mut rules = file.rules.unwrap_or_default();
    let r = &args.rules;
    if let Some(d) = r.inactivity_days {
        rules.lifecycle.inactivity_days = d;
    }
    if let Some(m) = r.segment_by {
        rules.segments.measure = match m {
            MeasureArg::Revenue => ValueMeasure::Revenue,
            MeasureArg::Margin => ValueMeasure::Margin,
            MeasureArg::Profit => ValueMeasure::Profit,
        };
    }
    if let Some(y) = r.duration_years {
        rules.clv.duration_years = Some(y);
    }
    if let Some(d) = r.discount_rate {
        rules.clv.discount_rate = d;
    }
    Ok(Plan {
        source: transactions.display().to_string(),
        transactions,
        customers: args.customers.clone().or(file.input.customers),
        interactions: args.interactions.clone().or(file.input.interactions),
        columns,
        customer_file: file.customers,
        interaction_file: file.interactions,
        encoding: f.encoding.clone().or(file.input.encoding),
        delimiter: f.delimiter.or(file.input.delimiter),
        decimal: f.decimal.or(file.input.decimal),
        day_first,
        date_formats: if f.date_format.is_empty() { file.input.date_formats } else { f.date_format.clone() },
        on_error: match args.on_error {
            Some(OnErrorArg::Fail) => OnError::Fail,
            Some(OnErrorArg::Skip) => OnError::Skip,
            None => file.input.on_error.unwrap_or_default(),
        },
        out: args.out.clone().or(file.output.out).unwrap_or_else(|| "report".into()),
        as_of: args.as_of.or(file.output.as_of),
        rules,
        quiet: args.quiet,
    })
}
