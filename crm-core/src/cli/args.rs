//! The command line: subcommands, options and their help.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "crm",
    version,
    about = "Customer analytics on your sales export: lifecycle stages, value segments, customer flows, CLV",
    long_about = None,
    propagate_version = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Writes the customer-development report (HTML, Markdown, JSON) for a sales export.
    #[command(after_long_help = REPORT_EXAMPLES, after_help = REPORT_EXAMPLES)]
    Report(Box<ReportArgs>),
    /// Writes the bundled sample data as files (sales export, customers, interactions and a
    /// crm.toml that maps them), to show the shape `crm report` expects.
    Sample(SampleArgs),
}

const REPORT_EXAMPLES: &str = "\
Examples:
  # The bundled sample data, no files needed:
  crm report --sample --out report

  # An export in the shape of the public \"Online Retail\" data set: one row per invoice line,
  # amount = Quantity x UnitPrice, cancelled invoices start with C, dates like 12/1/2010 8:26:
  crm report --transactions online_retail.csv --customer-col CustomerID --date-col InvoiceDate \\
      --quantity-col Quantity --unit-price-col UnitPrice --order-col InvoiceNo \\
      --product-col StockCode --cancellation-prefix C --encoding windows-1252 --on-error skip

  # The nightly batch: everything in a config file (see `crm sample` for one):
  crm report --config crm.toml --quiet";

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// A TOML config with the files, the column mapping and the rules; options given on the
    /// command line override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run on the bundled sample data instead of a file.
    #[arg(long, conflicts_with_all = ["transactions", "config"])]
    pub sample: bool,
    /// Customers in the sample data (with --sample).
    #[arg(long, value_name = "N", default_value_t = 5_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub sample_customers: u32,
    /// The sales export: CSV (any delimiter, UTF-8 or --encoding) or Parquet.
    #[arg(long, short = 't', value_name = "FILE")]
    pub transactions: Option<PathBuf>,
    /// A customers file (id, name, industry, acquisition channel and cost, permissions, ...).
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    /// An interactions file (customer_id, date, channel, direction, kind, outcome, cost).
    #[arg(long, value_name = "FILE")]
    pub interactions: Option<PathBuf>,
    /// Output folder (written whole, or not at all). Default: report
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The report's date (YYYY-MM-DD). Default: the last day with a sale (returns do not count).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<chrono::NaiveDate>,
    /// What to do with a row that has a bad value: fail (list every bad value, write
    /// nothing) or skip (report it in rejected-rows.csv). Default: fail
    #[arg(long, value_enum, value_name = "WHAT")]
    pub on_error: Option<OnErrorArg>,
    /// No progress on stderr (the final line is still printed).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print each step's wall time on stderr at the end (for benchmarks).
    #[arg(long)]
    pub timings: bool,
    #[command(flatten)]
    pub columns: ColumnArgs,
    #[command(flatten)]
    pub format: FormatArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// The column mapping of the sales export.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Columns of the sales export")]
pub(crate) struct ColumnArgs {
    /// Customer id column (blank ids are anonymous sales). Default: customer_id
    #[arg(long, value_name = "NAME")]
    pub customer_col: Option<String>,
    /// Date or date-time column. Default: date
    #[arg(long, value_name = "NAME")]
    pub date_col: Option<String>,
    /// Amount column (or give quantity and unit price). Default: amount
    #[arg(long, value_name = "NAME")]
    pub amount_col: Option<String>,
    /// Quantity column: amount = quantity x unit price.
    #[arg(long, value_name = "NAME", requires = "unit_price_col")]
    pub quantity_col: Option<String>,
    /// Unit price column.
    #[arg(long, value_name = "NAME", requires = "quantity_col")]
    pub unit_price_col: Option<String>,
    /// Order or invoice id column: the lines of one order are one purchase.
    #[arg(long, value_name = "NAME")]
    pub order_col: Option<String>,
    /// Margin (gross profit) column.
    #[arg(long, value_name = "NAME", conflicts_with = "cost_col")]
    pub margin_col: Option<String>,
    /// Cost-of-goods column (margin = amount - cost).
    #[arg(long, value_name = "NAME")]
    pub cost_col: Option<String>,
    /// Product column.
    #[arg(long, value_name = "NAME")]
    pub product_col: Option<String>,
    /// Product category column.
    #[arg(long, value_name = "NAME")]
    pub category_col: Option<String>,
    /// Orders whose id starts with this are cancellations (returns), e.g. C.
    #[arg(long, value_name = "PREFIX")]
    pub cancellation_prefix: Option<String>,
}

/// How the files are written.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "File format (sniffed when not given)")]
pub(crate) struct FormatArgs {
    /// Field delimiter: , ; | or tab. Default: sniffed from the header
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<char>,
    /// Decimal separator: . or , (European exports). Default: sniffed
    #[arg(long, value_name = "CHAR", value_parser = parse_decimal)]
    pub decimal: Option<char>,
    /// Text encoding: utf-8, latin-1 or windows-1252. Default: utf-8 (a BOM is skipped)
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Dates like 3/4/2024 are day first (3 April).
    #[arg(long, conflicts_with = "month_first")]
    pub day_first: bool,
    /// Dates like 3/4/2024 are month first (March 4).
    #[arg(long)]
    pub month_first: bool,
    /// A strftime date format, e.g. %d.%m.%Y %H:%M (repeat to try several).
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Vec<String>,
}

/// The analysis rules that are most often changed.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Rules")]
pub(crate) struct RuleArgs {
    /// A customer is lost after this many days without a purchase. Default: 365
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub inactivity_days: Option<u32>,
    /// Rank value segments by revenue, margin or profit. Default: revenue
    #[arg(long, value_enum, value_name = "MEASURE")]
    pub segment_by: Option<MeasureArg>,
    /// Customer lifetime in years for CLV (default: measured from the flows).
    #[arg(long, value_name = "YEARS")]
    pub duration_years: Option<f64>,
    /// Yearly discount rate for CLV, e.g. 0.08.
    #[arg(long, value_name = "RATE")]
    pub discount_rate: Option<f64>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum OnErrorArg {
    Fail,
    Skip,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum MeasureArg {
    Revenue,
    Margin,
    Profit,
}

#[derive(Debug, Args)]
pub(crate) struct SampleArgs {
    /// Folder to write the files into. Default: crm-sample
    #[arg(long, short = 'o', value_name = "DIR", default_value = "crm-sample")]
    pub out: PathBuf,
    /// Customers to generate.
    #[arg(long, value_name = "N", default_value_t = 5_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub customers: u32,
    /// Random seed (the same seed gives the same files).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

fn parse_delimiter(s: &str) -> Result<char, String> {
    match s {
        "," | ";" | "|" => Ok(s.chars().next().expect("one char")),
        "tab" | "\\t" | "\t" => Ok('\t'),
        _ => Err(format!("`{s}` is not one of , ; | tab")),
    }
}

fn parse_decimal(s: &str) -> Result<char, String> {
    match s {
        "." | "," => Ok(s.chars().next().expect("one char")),
        _ => Err(format!("`{s}` is not . or ,")),
    }
}
