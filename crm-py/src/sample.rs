//! `crm.sample(...)`: crm-core's deterministic generator, as tables; and a timing helper
//! that runs the same work inside Rust, to measure what the Python face adds.

use crate::base::{CustomerBase, to_date};
use crate::errors::{Failure, Fallible, Names, detached};
use crate::table::{Table, TableBuilder};
use arrow_array::RecordBatch;
use chrono::NaiveDate;
use crm_core::sample::{SampleConfig, SampleData, generate};
use crm_core::{AttributeValue, Channel, Customer, KeyColumn, SegmentConfig};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::BTreeMap;
use std::time::Instant;

/// Generated data: `transactions`, `customers` and `interactions` tables, and `end`, the
/// last day of the history (a natural as-of date). The column names are the defaults of
/// `CustomerBase.from_transactions`, so `sample.base()` and
/// `CustomerBase.from_transactions(s.transactions, margin_col="margin",
/// customers=s.customers, interactions=s.interactions)` give the same base.
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct Sample {
    /// customer_id, date (timestamp), amount, margin.
    #[pyo3(get)]
    transactions: Py<Table>,
    /// customer_id, name, email, industry, category, acquisition_*, permission_*, attributes.
    #[pyo3(get)]
    customers: Py<Table>,
    /// customer_id, date, channel, direction, kind, outcome, cost.
    #[pyo3(get)]
    interactions: Py<Table>,
    /// The last day of the history.
    #[pyo3(get)]
    end: NaiveDate,
    config: SampleConfig,
}

struct Batches {
    transactions: RecordBatch,
    customers: RecordBatch,
    interactions: RecordBatch,
    end: NaiveDate,
}

fn batches(d: &SampleData) -> Batches {
    let t = &d.transactions;
    let mut b = TableBuilder::new();
    b.keys("customer_id", &t.customer);
    b.timestamps("date", t.timestamp.clone());
    b.f64("amount", t.amount.clone());
    if let Some(m) = &t.margin {
        b.f64("margin", m.clone());
    }
    let transactions = b.finish();

    let ix = &d.interactions;
    let mut b = TableBuilder::new();
    b.keys("customer_id", &ix.customer);
    b.timestamps("date", ix.timestamp.clone());
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.name()).collect();
    b.labels("channel", &channels, ix.channel.iter().map(|c| Some(*c as usize)));
    b.labels("direction", &["inbound", "outbound"], ix.direction.iter().map(|d| Some(*d as usize)));
    b.strs("kind", ix.kind.iter());
    let outcomes: Vec<Option<&str>> = match &ix.outcome {
        Some(o) => o.iter().map(|s| Some(s).filter(|s| !s.is_empty())).collect(),
        None => vec![None; ix.len()],
    };
    b.opt_strs("outcome", outcomes);
    b.f64("cost", ix.cost.clone().unwrap_or_else(|| vec![0.0; ix.len()]));
    let interactions = b.finish();

    Batches { transactions, customers: customer_table(&d.customers), interactions, end: d.end }
}

/// A customer table as columns: the known fields, one column per permission channel seen,
/// one per attribute (typed by its first value).
pub(crate) fn customer_table(customers: &[Customer]) -> RecordBatch {
    let mut b = TableBuilder::new();
    let ids: Vec<crm_core::Key> = customers.iter().filter_map(|c| c.id.clone()).collect();
    let ids = KeyColumn::from_keys(ids.iter(), "id").unwrap_or_default();
    b.keys("customer_id", &ids);
    let text = |f: fn(&Customer) -> &Option<String>| customers.iter().map(move |c| f(c).as_deref()).collect::<Vec<_>>();
    b.opt_strs("name", text(|c| &c.name));
    b.opt_strs("email", text(|c| &c.email));
    b.opt_strs("phone", text(|c| &c.phone));
    b.opt_strs("address", text(|c| &c.address));
    b.opt_strs("industry", text(|c| &c.industry));
    b.opt_strs("category", text(|c| &c.category));
    b.opt_date("acquisition_date", customers.iter().map(|c| c.acquisition_date).collect());
    b.opt_strs("acquisition_channel", text(|c| &c.acquisition_channel));
    b.opt_f64("acquisition_cost", customers.iter().map(|c| c.acquisition_cost).collect());
    for channel in Channel::ALL {
        if customers.iter().any(|c| c.permissions.iter().any(|p| p.channel == channel)) {
            let granted = customers
                .iter()
                .map(|c| c.permissions.iter().rev().find(|p| p.channel == channel).map(|p| p.granted))
                .collect();
            b.opt_bool(&format!("permission_{}", channel.name()), granted);
        }
    }
    let mut kinds: BTreeMap<&str, &AttributeValue> = BTreeMap::new();
    for c in customers {
        for (k, v) in &c.attributes {
            kinds.entry(k.as_str()).or_insert(v);
        }
    }
    for (name, first) in kinds {
        match first {
            AttributeValue::Number(_) => b.opt_f64(
                name,
                customers
                    .iter()
                    .map(|c| if let Some(AttributeValue::Number(x)) = attribute(c, name) { Some(*x) } else { None })
                    .collect(),
            ),
            AttributeValue::Bool(_) => b.opt_bool(
                name,
                customers
                    .iter()
                    .map(|c| if let Some(AttributeValue::Bool(x)) = attribute(c, name) { Some(*x) } else { None })
                    .collect(),
            ),
            AttributeValue::Date(_) => b.opt_date(
                name,
                customers
                    .iter()
                    .map(|c| if let Some(AttributeValue::Date(x)) = attribute(c, name) { Some(*x) } else { None })
                    .collect(),
            ),
            AttributeValue::Text(_) => {
                b.opt_strs(
                    name,
                    customers
                        .iter()
                        .map(|c| {
                            if let Some(AttributeValue::Text(x)) = attribute(c, name) { Some(x.as_str()) } else { None }
                        })
                        .collect::<Vec<_>>(),
                )
            }
        }
    }
    b.finish()
}

fn attribute<'a>(c: &'a Customer, name: &str) -> Option<&'a AttributeValue> {
    c.attributes.get(name)
}

/// Generates a realistic customer base with crm-core's seeded generator: the same
/// arguments give the same data, bit for bit. `start` (default 2022-01-01) and `days` set
/// the history; customers are acquired over its first 90 %; some stay prospects
/// (`prospect_share`), some buy once (`starter_share`), the rest buy repeatedly (some
/// declining, some lost and won back); `profiles` adds a customer table, `interactions`
/// campaigns, service calls and complaints with costs.
#[pyfunction]
#[pyo3(signature = (
    customers=5000, seed=42, *, start=None, days=3 * 365 + 1, purchases_per_year=5.0, lifetime_years=2.5,
    prospect_share=0.08, starter_share=0.3, profiles=true, interactions=true
), text_signature = "(customers=5000, seed=42, *, start=None, days=1096, purchases_per_year=5.0, \
    lifetime_years=2.5, prospect_share=0.08, starter_share=0.3, profiles=True, interactions=True)")]
#[allow(clippy::too_many_arguments)]
pub fn sample(
    py: Python<'_>,
    customers: i128,
    seed: i128,
    start: Option<&Bound<'_, PyAny>>,
    days: i128,
    purchases_per_year: f64,
    lifetime_years: f64,
    prospect_share: f64,
    starter_share: f64,
    profiles: bool,
    interactions: bool,
) -> Fallible<Sample> {
    // Any Python int comes in (128 bits), so that one out of range is a ConfigError
    // naming it, not an OverflowError; the config checks the rest of each range.
    let seed = u64::try_from(seed).map_err(|_| Failure::config("seed", format!("{seed} is not a seed in 0..2^64")))?;
    let customers = usize::try_from(customers)
        .map_err(|_| Failure::config("customers", format!("{customers} is not a number of customers >= 0")))?;
    let days = u32::try_from(days)
        .map_err(|_| Failure::config("days", format!("{days} is not a whole number of days >= 1")))?;
    let mut config = SampleConfig {
        seed,
        customers,
        days,
        purchases_per_year,
        lifetime_years,
        prospect_share,
        starter_share,
        profiles,
        interactions,
        ..SampleConfig::default()
    };
    if let Some(s) = start.filter(|s| !s.is_none()) {
        config.start = to_date(s, "start")?;
    }
    config.validate().map_err(|e| Failure::Core(e, Default::default()))?;
    let cfg = config.clone();
    let b = detached(py, move || Ok(batches(&generate(&cfg))))?;
    Ok(Sample {
        transactions: Py::new(py, Table::new(b.transactions))?,
        customers: Py::new(py, Table::new(b.customers))?,
        interactions: Py::new(py, Table::new(b.interactions))?,
        end: b.end,
        config,
    })
}

#[pymethods]
impl Sample {
    /// The base of this sample (customers, transactions with margins, interactions), built
    /// directly in Rust.
    fn base(&self, py: Python<'_>) -> Fallible<CustomerBase> {
        let cfg = self.config.clone();
        detached(py, move || {
            let base = generate(&cfg).into_base().map_err(|e| Failure::Core(e, Names::default()))?;
            Ok(CustomerBase::new(base, Vec::new()))
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Sample(customers={}, transactions={}, interactions={}, end={}, seed={})",
            self.customers.get().batch.num_rows(),
            self.transactions.get().batch.num_rows(),
            self.interactions.get().batch.num_rows(),
            self.end,
            self.config.seed
        )
    }
}

/// Times, inside Rust, the work `CustomerBase.from_transactions(sample.transactions,
/// margin_col=...)` + `summary` + `segments` does on the same data, without the Python
/// face: building the base from the transaction columns, the summary and the segments.
/// Returns seconds per step (the best of `repeat` runs): `build`, `summary`, `segments`,
/// `total`. Used by the benchmark to measure the Python-side overhead.
#[pyfunction]
#[pyo3(signature = (sample, as_of=None, *, margin=false, repeat=1, in_time_order=false))]
pub fn time_native<'py>(
    py: Python<'py>,
    sample: &Sample,
    as_of: Option<&Bound<'py, PyAny>>,
    margin: bool,
    repeat: usize,
    in_time_order: bool,
) -> Fallible<Bound<'py, PyDict>> {
    let as_of = match as_of.filter(|a| !a.is_none()) {
        Some(a) => to_date(a, "as_of")?,
        None => sample.end,
    };
    let cfg = SampleConfig { profiles: false, interactions: false, ..sample.config.clone() };
    let best = detached(py, move || {
        let mut tx = generate(&cfg).transactions;
        if !margin {
            tx.margin = None;
        }
        if in_time_order {
            tx = by_day(tx);
        }
        let mut best = [f64::INFINITY; 3];
        for _ in 0..repeat.max(1) {
            let columns = tx.clone();
            let t0 = Instant::now();
            let base =
                crm_core::CustomerBase::from_transactions(columns).map_err(|e| Failure::Core(e, Names::default()))?;
            let t1 = Instant::now();
            let s = base.summary(as_of).map_err(|e| Failure::Core(e, Names::default()))?;
            let t2 = Instant::now();
            let g = base.segments(as_of, &SegmentConfig::default()).map_err(|e| Failure::Core(e, Names::default()))?;
            let t3 = Instant::now();
            drop((s, g, base));
            for (b, d) in best.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2]) {
                *b = b.min(d.as_secs_f64());
            }
        }
        Ok(best)
    })?;
    let d = PyDict::new(py);
    d.set_item("build", best[0])?;
    d.set_item("summary", best[1])?;
    d.set_item("segments", best[2])?;
    d.set_item("total", best.iter().sum::<f64>())?;
    Ok(d)
}

/// The rows sorted by day, stable (the order of a sales export, as the benchmark's
/// `df.sort("date", maintain_order=True)` gives).
fn by_day(t: crm_core::TransactionColumns) -> crm_core::TransactionColumns {
    let mut rows: Vec<usize> = (0..t.len()).collect();
    rows.sort_by_key(|&r| t.timestamp[r].div_euclid(crm_core::time::SECONDS_PER_DAY));
    let pick = |v: &Vec<f64>| rows.iter().map(|&r| v[r]).collect::<Vec<f64>>();
    let customer = match &t.customer {
        crm_core::KeyColumn::Int(ids) => crm_core::KeyColumn::Int(rows.iter().map(|&r| ids[r]).collect()),
        crm_core::KeyColumn::Str(ids) => crm_core::KeyColumn::Str(rows.iter().map(|&r| ids.get(r)).collect()),
    };
    crm_core::TransactionColumns {
        customer,
        timestamp: rows.iter().map(|&r| t.timestamp[r]).collect(),
        amount: pick(&t.amount),
        margin: t.margin.as_ref().map(pick),
        cost_of_goods: t.cost_of_goods.as_ref().map(pick),
        product: None,
        order: None,
    }
}
