//! `crm sample`: the bundled sample data written as the files a real user has: a sales
//! export with one row per invoice line (quantity x unit price, cancellations as `C`
//! invoices, guest checkouts without a customer id), a customers file, an interactions
//! file, and the `crm.toml` that maps them.

use crate::customer::{AttributeValue, Customer};
use crate::id::KeyColumn;
use crate::interaction::Direction;
use crate::sample::{Rng, SampleConfig, SampleData, generate};
use crate::time::SECONDS_PER_DAY;
use chrono::DateTime;
use std::path::Path;

/// Products of the sample shop: code, description (with a comma and accents on purpose:
/// real exports have both), category.
const PRODUCTS: [(&str, &str, &str); 8] = [
    ("T100", "Pallet truck, manual", "trucks"),
    ("T200", "Electric stacker", "trucks"),
    ("S010", "Service visit", "service"),
    ("S020", "Battery check", "service"),
    ("P001", "Fork extension, 1.8 m", "parts"),
    ("P002", "Café-grade wheel set", "parts"),
    ("P003", "Crème safety paint", "parts"),
    ("L001", "Lease fee, monthly", "leasing"),
];

/// The mapping of the files below, as a config file.
const CONFIG: &str = r#"# The sample data's mapping: run `crm report --config crm.toml` in this folder.
[input]
transactions = "sales.csv"
customers = "customers.csv"
interactions = "interactions.csv"

[columns]
customer = "customer_id"
date = "invoice_date"
quantity = "quantity"
unit_price = "unit_price"
order = "invoice_no"
cost_of_goods = "cost"
product = "product"
cancellation_prefix = "C"

[customers]
id = "id"
attribute_types = { employees = "number", lease_end = "date" }

[output]
out = "report"
"#;

/// Writes the sample files into `dir` (created if needed); returns the config file's path.
pub(crate) fn write(dir: &Path, customers: u32, seed: u64) -> Result<std::path::PathBuf, String> {
    let data = generate(&SampleConfig { customers: customers as usize, seed, ..Default::default() });
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let io = |e: csv::Error, f: &str| format!("{}: {e}", dir.join(f).display());
    write_sales(&data, &dir.join("sales.csv"), seed).map_err(|e| io(e, "sales.csv"))?;
    write_customers(&data.customers, &dir.join("customers.csv")).map_err(|e| io(e, "customers.csv"))?;
    write_interactions(&data, &dir.join("interactions.csv")).map_err(|e| io(e, "interactions.csv"))?;
    let config = dir.join("crm.toml");
    std::fs::write(&config, CONFIG).map_err(|e| format!("{}: {e}", config.display()))?;
    Ok(config)
}

fn stamp(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

fn cents(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// One invoice: who, when, net amount and cost of goods in cents.
struct Invoice {
    customer: Option<i64>,
    time: i64,
    amount: i64,
    cost: i64,
}

fn write_sales(data: &SampleData, path: &Path, seed: u64) -> Result<(), csv::Error> {
    let tx = &data.transactions;
    let ids = match &tx.customer {
        KeyColumn::Int(v) => v.clone(),
        KeyColumn::Str(_) => unreachable!("the generator makes integer ids"),
    };
    let margin = tx.margin.as_deref().unwrap_or(&[]);
    let mut invoices: Vec<Invoice> = (0..tx.len())
        .map(|i| {
            let amount = (tx.amount[i] * 100.0).round() as i64;
            let m = margin.get(i).map_or(0, |m| (m * 100.0).round() as i64);
            Invoice { customer: Some(ids[i]), time: tx.timestamp[i], amount, cost: amount - m }
        })
        .collect();
    // Guest checkouts: about one invoice in thirty has no customer id.
    let mut rng = Rng::new(seed ^ 0x5eed);
    let (first, last) =
        (tx.timestamp.iter().min().copied().unwrap_or(0), tx.timestamp.iter().max().copied().unwrap_or(0));
    for _ in 0..invoices.len() / 30 {
        let time = first + rng.below(((last - first) / SECONDS_PER_DAY + 1) as u64) as i64 * SECONDS_PER_DAY;
        let amount = ((4.0 + 0.5 * rng.normal()).exp() * 100.0).round() as i64;
        invoices.push(Invoice { customer: None, time, amount, cost: amount * 6 / 10 });
    }
    // An export lists invoices in time order; ties keep the generator's order.
    invoices.sort_by_key(|v| v.time);
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "invoice_no",
        "invoice_date",
        "customer_id",
        "product",
        "description",
        "category",
        "quantity",
        "unit_price",
        "cost",
    ])?;
    for (n, v) in invoices.iter().enumerate() {
        let customer = v.customer.map_or(String::new(), |c| c.to_string());
        let no = format!("{}{}", if v.amount < 0 { "C" } else { "" }, 500_001 + n);
        for line in split_lines(v, &mut rng) {
            let (code, description, category) = PRODUCTS[line.product];
            w.write_record([
                no.as_str(),
                &stamp(v.time),
                &customer,
                code,
                description,
                category,
                &line.quantity.to_string(),
                &cents(line.unit_price),
                &cents(line.cost),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

struct Line {
    product: usize,
    quantity: i64,
    unit_price: i64,
    cost: i64,
}

/// Splits an invoice into one to three lines whose quantity x unit price add up to the
/// invoice amount to the cent (the last line takes the remainder at quantity 1).
fn split_lines(v: &Invoice, rng: &mut Rng) -> Vec<Line> {
    let sign = v.amount.signum().max(-1);
    let (total, cost) = (v.amount.abs(), v.cost * sign);
    let lines = if v.amount < 0 || total < 300 { 1 } else { 1 + rng.below(3) as usize };
    let mut out = Vec::with_capacity(lines);
    let (mut left, mut cost_left) = (total, cost);
    for k in 0..lines {
        let product = rng.below(PRODUCTS.len() as u64) as usize;
        if k + 1 == lines {
            out.push(Line { product, quantity: sign, unit_price: left, cost: cost_left * sign });
            break;
        }
        let quantity = 1 + rng.below(4) as i64;
        let unit_price = (left / (lines - k) as i64 / quantity).max(1);
        let amount = quantity * unit_price;
        let line_cost = cost * amount / total;
        out.push(Line { product, quantity, unit_price, cost: line_cost });
        left -= amount;
        cost_left -= line_cost;
    }
    out
}

fn write_customers(customers: &[Customer], path: &Path) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "id",
        "name",
        "email",
        "industry",
        "category",
        "acquisition_date",
        "acquisition_channel",
        "acquisition_cost",
        "permission_email",
        "permission_letter",
        "permission_phone",
        "employees",
        "lease_end",
    ])?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    for c in customers {
        let permission = |name: &str| {
            c.permissions.iter().find(|p| p.channel.name() == name).map_or(String::new(), |p| {
                match (p.granted, p.date) {
                    (true, Some(d)) => d.to_string(),
                    (true, None) => "yes".into(),
                    (false, _) => "no".into(),
                }
            })
        };
        let attribute = |name: &str| match c.attributes.get(name) {
            Some(AttributeValue::Number(x)) => x.to_string(),
            Some(AttributeValue::Date(d)) => d.to_string(),
            Some(AttributeValue::Text(t)) => t.clone(),
            Some(AttributeValue::Bool(b)) => b.to_string(),
            None => String::new(),
        };
        w.write_record([
            c.id.as_ref().map(|k| k.to_string()).unwrap_or_default(),
            text(&c.name),
            text(&c.email),
            text(&c.industry),
            text(&c.category),
            c.acquisition_date.map(|d| d.to_string()).unwrap_or_default(),
            text(&c.acquisition_channel),
            c.acquisition_cost.map(|x| x.to_string()).unwrap_or_default(),
            permission("email"),
            permission("letter"),
            permission("phone"),
            attribute("employees"),
            attribute("lease_end"),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_interactions(data: &SampleData, path: &Path) -> Result<(), csv::Error> {
    let ix = &data.interactions;
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["customer_id", "date", "channel", "direction", "kind", "outcome", "cost"])?;
    for i in 0..ix.timestamp.len() {
        w.write_record([
            ix.customer.get(i).to_string(),
            stamp(ix.timestamp[i]),
            ix.channel[i].name().to_owned(),
            match ix.direction[i] {
                Direction::Inbound => "inbound",
                Direction::Outbound => "outbound",
            }
            .to_owned(),
            ix.kind.get(i).to_owned(),
            ix.outcome.as_ref().map_or(String::new(), |o| o.get(i).to_owned()),
            ix.cost.as_ref().map_or(String::new(), |c| c[i].to_string()),
        ])?;
    }
    w.flush()?;
    Ok(())
}
