//! Share of wallet (`CustomerBase.wallet`) and segment profiles (`CustomerBase.profiles`):
//! per-customer tables with the group tables, traits and notes beside them.

use crate::analytics::core;
use crate::errors::{Failure, Fallible, detached};
use crate::processes::definition;
use crate::table::{Table, TableBuilder};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch};
use chrono::NaiveDate;
use crm_core::profiles::{
    CategoryRow, ChiSquareRow, NumericRow, ProfileConfig, ProfileGrouping, Profiles as CoreProfiles,
};
use crm_core::wallet::{Wallet as CoreWallet, WalletConfig, WalletRegression, WalletRow};
use crm_core::{KeyColumn, StrColumn};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::collections::BTreeMap;
use std::sync::Arc;

/// NaN as null.
fn nullable(values: &[f64]) -> ArrayRef {
    Arc::new(values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect::<Float64Array>())
}

/// Share of wallet and growth potential as of a date: one row per customer
/// (`customer_id`, `spend` (per year), `wallet`, `share`, `over_wallet`,
/// `growth_potential`, `rank` (1 = largest growth potential), `source` (attribute, group,
/// coarser_group, base, none, regression), `group` (the peer group that gave an estimate),
/// `attribute_problem` (missing, negative, not_a_number)), and the tables `groups`,
/// `by_segment`, `by_stage`, `by_group`, `work_list`.
#[pyclass(module = "crm", extends = Table, frozen)]
#[derive(Debug)]
pub struct Wallet {
    /// The as-of date.
    #[pyo3(get)]
    as_of: NaiveDate,
    /// level, key, customers, peers, wallet, below_min_peers, used_by.
    #[pyo3(get)]
    groups: Py<Table>,
    /// group, customers, spend, wallet, growth_potential, share, mean_share, over_wallet.
    #[pyo3(get)]
    by_segment: Py<Table>,
    /// As `by_segment`, per lifecycle stage.
    #[pyo3(get)]
    by_stage: Py<Table>,
    /// As `by_segment`, per group of the finest level.
    #[pyo3(get)]
    by_group: Py<Table>,
    /// customer_id, spend, wallet, share, growth_potential, source: active customers by
    /// growth potential.
    #[pyo3(get)]
    work_list: Py<Table>,
    /// What the caller should know (attribute problems, one-value attributes, small groups).
    #[pyo3(get)]
    notes: Vec<String>,
    counts: crm_core::wallet::WalletCounts,
    regression: Option<WalletRegression>,
}

/// The batches of a wallet result.
#[derive(Debug)]
pub(crate) struct WalletBatches {
    customers: RecordBatch,
    groups: RecordBatch,
    by_segment: RecordBatch,
    by_stage: RecordBatch,
    by_group: RecordBatch,
    work_list: RecordBatch,
    as_of: NaiveDate,
    notes: Vec<String>,
    counts: crm_core::wallet::WalletCounts,
    regression: Option<WalletRegression>,
}

fn wallet_rows(rows: &[WalletRow]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("group", rows.iter().map(|r| r.group.as_str()));
    b.i64("customers", rows.iter().map(|r| r.customers as i64).collect());
    b.f64("spend", rows.iter().map(|r| r.spend).collect());
    b.f64("wallet", rows.iter().map(|r| r.wallet).collect());
    b.f64("growth_potential", rows.iter().map(|r| r.growth_potential).collect());
    b.f64("share", rows.iter().map(|r| r.share).collect());
    b.f64("mean_share", rows.iter().map(|r| r.mean_share).collect());
    b.i64("over_wallet", rows.iter().map(|r| r.over_wallet as i64).collect());
    b.finish()
}

impl Wallet {
    pub(crate) fn batches(ids: ArrayRef, keys: &KeyColumn, w: CoreWallet) -> WalletBatches {
        let mut b = TableBuilder::new();
        b.array("customer_id", ids);
        b.f64("spend", w.spend.clone());
        b.array("wallet", nullable(&w.wallet));
        b.array("share", nullable(&w.share));
        b.array("over_wallet", Arc::new(BooleanArray::from(w.over_wallet.clone())));
        b.array("growth_potential", nullable(&w.growth_potential));
        b.array("rank", Arc::new(w.rank.iter().map(|r| r.map(|r| r as i64 + 1)).collect::<Int64Array>()));
        b.opt_strs("source", w.source.iter().map(|s| Some(s.name())));
        b.opt_strs("group", w.group.iter().map(|g| g.map(|g| w.groups[g as usize].key.as_str())));
        b.opt_strs("attribute_problem", w.attribute_problem.iter().map(|p| p.map(|p| p.name())));
        let customers = b.finish();

        let mut g = TableBuilder::new();
        g.i64("level", w.groups.iter().map(|r| r.level as i64).collect());
        g.strs("key", w.groups.iter().map(|r| r.key.as_str()));
        g.i64("customers", w.groups.iter().map(|r| r.customers as i64).collect());
        g.i64("peers", w.groups.iter().map(|r| r.peers as i64).collect());
        g.opt_f64("wallet", w.groups.iter().map(|r| r.wallet).collect());
        g.opt_bool("below_min_peers", w.groups.iter().map(|r| Some(r.below_min_peers)).collect());
        g.i64("used_by", w.groups.iter().map(|r| r.used_by as i64).collect());
        let groups = g.finish();

        let mut l = TableBuilder::new();
        let picked: Vec<u32> = w.work_list.iter().map(|e| e.customer).collect();
        l.array("customer_id", picked_ids(keys, &picked));
        l.f64("spend", w.work_list.iter().map(|e| e.spend).collect());
        l.f64("wallet", w.work_list.iter().map(|e| e.wallet).collect());
        l.f64("share", w.work_list.iter().map(|e| e.share).collect());
        l.f64("growth_potential", w.work_list.iter().map(|e| e.growth_potential).collect());
        l.opt_strs("source", w.work_list.iter().map(|e| Some(e.source.name())));
        WalletBatches {
            customers,
            groups,
            by_segment: wallet_rows(&w.by_segment),
            by_stage: wallet_rows(&w.by_stage),
            by_group: wallet_rows(&w.by_group),
            work_list: l.finish(),
            as_of: w.as_of,
            notes: w.notes,
            counts: w.counts,
            regression: w.regression,
        }
    }

    pub(crate) fn create(py: Python<'_>, b: WalletBatches) -> PyResult<Py<Self>> {
        let init = PyClassInitializer::from(Table::new(b.customers)).add_subclass(Wallet {
            as_of: b.as_of,
            groups: Py::new(py, Table::new(b.groups))?,
            by_segment: Py::new(py, Table::new(b.by_segment))?,
            by_stage: Py::new(py, Table::new(b.by_stage))?,
            by_group: Py::new(py, Table::new(b.by_group))?,
            work_list: Py::new(py, Table::new(b.work_list))?,
            notes: b.notes,
            counts: b.counts,
            regression: b.regression,
        });
        Py::new(py, init)
    }
}

/// The ids of some customers as an Arrow array (int64 or string, as the base's).
fn picked_ids(keys: &KeyColumn, rows: &[u32]) -> ArrayRef {
    let picked = match keys {
        KeyColumn::Int(v) => KeyColumn::Int(rows.iter().map(|&r| v[r as usize]).collect()),
        KeyColumn::Str(v) => {
            let mut s = StrColumn::new();
            rows.iter().for_each(|&r| s.push(v.get(r as usize)));
            KeyColumn::Str(s)
        }
    };
    crate::table::key_array(&picked)
}

#[pymethods]
impl Wallet {
    /// Customers per wallet source (attribute, group, coarser_group, base, none,
    /// regression), per attribute problem (missing, negative, not_a_number), over_wallet and
    /// peers.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let sources = ["attribute", "group", "coarser_group", "base", "none", "regression"];
        for (name, v) in sources.iter().zip(self.counts.by_source) {
            d.set_item(*name, v)?;
        }
        for (name, v) in ["missing", "negative", "not_a_number"].iter().zip(self.counts.problems) {
            d.set_item(*name, v)?;
        }
        d.set_item("over_wallet", self.counts.over_wallet)?;
        d.set_item("peers", self.counts.peers)?;
        Ok(d)
    }

    /// The quantile regression (`attributes`, `coefficients` (intercept first), `quantile`,
    /// `peers` fitted, `used_by`), or None when not configured or not fitted (see `notes`).
    #[getter]
    fn regression<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(r) = &self.regression else { return Ok(None) };
        let d = PyDict::new(py);
        d.set_item("attributes", r.attributes.clone())?;
        d.set_item("coefficients", r.coefficients.clone())?;
        d.set_item("quantile", r.quantile)?;
        d.set_item("peers", r.peers)?;
        d.set_item("used_by", r.used_by)?;
        Ok(Some(d))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let w = slf.get();
        slf.as_super().get().describe(&format!("crm.Wallet(as_of={}, notes={})", w.as_of, w.notes.len()))
    }
}

/// Segment profiles as of a date: one row per customer (`customer_id`, `group`), and the
/// tables `groups` (group, customers, base_share, below_min_size), `categorical` (group,
/// attribute, value, count, share, base_count, base_share, index, z, p_value,
/// significant), `chi_square` (attribute, group, statistic, df, p_value, low_expected,
/// significant), `numeric` (group, attribute, count, missing, mean, q1, median, q3,
/// base_count, base_mean, base_q1, base_median, base_q3) and `traits` (group, rank,
/// attribute, value, index, share, base_share, z, text).
#[pyclass(module = "crm", extends = Table, frozen)]
#[derive(Debug)]
pub struct Profiles {
    /// The as-of date.
    #[pyo3(get)]
    as_of: NaiveDate,
    /// Customers in the base.
    #[pyo3(get)]
    base_customers: usize,
    /// The groups.
    #[pyo3(get)]
    groups: Py<Table>,
    /// Share of each value per group and attribute, against the base, with the index.
    #[pyo3(get)]
    categorical: Py<Table>,
    /// Chi-square test per categorical attribute and group against the rest of the base.
    #[pyo3(get)]
    chi_square: Py<Table>,
    /// Mean and quartiles per group and numeric attribute, against the base.
    #[pyo3(get)]
    numeric: Py<Table>,
    /// The distinguishing traits per group, ranked, in words.
    #[pyo3(get)]
    traits: Py<Table>,
    /// What the caller should know (small groups, one-value attributes).
    #[pyo3(get)]
    notes: Vec<String>,
}

/// The batches of a profile result.
#[derive(Debug)]
pub(crate) struct ProfileBatches {
    customers: RecordBatch,
    groups: RecordBatch,
    categorical: RecordBatch,
    chi_square: RecordBatch,
    numeric: RecordBatch,
    traits: RecordBatch,
    as_of: NaiveDate,
    base_customers: usize,
    notes: Vec<String>,
}

fn categorical_rows(rows: &[CategoryRow]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("group", rows.iter().map(|r| r.group.as_str()));
    b.strs("attribute", rows.iter().map(|r| r.attribute.as_str()));
    b.strs("value", rows.iter().map(|r| r.value.as_str()));
    b.i64("count", rows.iter().map(|r| r.count as i64).collect());
    b.f64("share", rows.iter().map(|r| r.share).collect());
    b.i64("base_count", rows.iter().map(|r| r.base_count as i64).collect());
    b.f64("base_share", rows.iter().map(|r| r.base_share).collect());
    b.f64("index", rows.iter().map(|r| r.index).collect());
    b.f64("z", rows.iter().map(|r| r.z).collect());
    b.f64("p_value", rows.iter().map(|r| r.p_value).collect());
    b.opt_bool("significant", rows.iter().map(|r| Some(r.significant)).collect());
    b.finish()
}

fn chi_square_rows(rows: &[ChiSquareRow]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("attribute", rows.iter().map(|r| r.attribute.as_str()));
    b.strs("group", rows.iter().map(|r| r.group.as_str()));
    b.f64("statistic", rows.iter().map(|r| r.statistic).collect());
    b.i64("df", rows.iter().map(|r| r.df as i64).collect());
    b.f64("p_value", rows.iter().map(|r| r.p_value).collect());
    b.opt_bool("low_expected", rows.iter().map(|r| Some(r.low_expected)).collect());
    b.opt_bool("significant", rows.iter().map(|r| Some(r.significant)).collect());
    b.finish()
}

fn numeric_rows(rows: &[NumericRow]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("group", rows.iter().map(|r| r.group.as_str()));
    b.strs("attribute", rows.iter().map(|r| r.attribute.as_str()));
    b.i64("count", rows.iter().map(|r| r.count as i64).collect());
    b.i64("missing", rows.iter().map(|r| r.missing as i64).collect());
    let col = |f: fn(&NumericRow) -> f64| nullable(&rows.iter().map(f).collect::<Vec<_>>());
    b.array("mean", col(|r| r.mean));
    b.array("q1", col(|r| r.q1));
    b.array("median", col(|r| r.median));
    b.array("q3", col(|r| r.q3));
    b.i64("base_count", rows.iter().map(|r| r.base_count as i64).collect());
    b.array("base_mean", col(|r| r.base_mean));
    b.array("base_q1", col(|r| r.base_q1));
    b.array("base_median", col(|r| r.base_median));
    b.array("base_q3", col(|r| r.base_q3));
    b.finish()
}

impl Profiles {
    pub(crate) fn batches(ids: ArrayRef, p: CoreProfiles) -> ProfileBatches {
        let mut b = TableBuilder::new();
        b.array("customer_id", ids);
        b.opt_strs("group", p.group.iter().map(|g| g.map(|g| p.groups[g as usize].group.as_str())));
        let customers = b.finish();
        let mut g = TableBuilder::new();
        g.strs("group", p.groups.iter().map(|r| r.group.as_str()));
        g.i64("customers", p.groups.iter().map(|r| r.customers as i64).collect());
        g.f64("base_share", p.groups.iter().map(|r| r.base_share).collect());
        g.opt_bool("below_min_size", p.groups.iter().map(|r| Some(r.below_min_size)).collect());
        let mut t = TableBuilder::new();
        t.strs("group", p.traits.iter().map(|r| r.group.as_str()));
        t.i64("rank", p.traits.iter().map(|r| r.rank as i64).collect());
        t.strs("attribute", p.traits.iter().map(|r| r.attribute.as_str()));
        t.strs("value", p.traits.iter().map(|r| r.value.as_str()));
        t.f64("index", p.traits.iter().map(|r| r.index).collect());
        t.f64("share", p.traits.iter().map(|r| r.share).collect());
        t.f64("base_share", p.traits.iter().map(|r| r.base_share).collect());
        t.f64("z", p.traits.iter().map(|r| r.z).collect());
        t.strs("text", p.traits.iter().map(|r| r.text.as_str()));
        ProfileBatches {
            customers,
            groups: g.finish(),
            categorical: categorical_rows(&p.categorical),
            chi_square: chi_square_rows(&p.chi_square),
            numeric: numeric_rows(&p.numeric),
            traits: t.finish(),
            as_of: p.as_of,
            base_customers: p.base_customers,
            notes: p.notes,
        }
    }

    pub(crate) fn create(py: Python<'_>, b: ProfileBatches) -> PyResult<Py<Self>> {
        let init = PyClassInitializer::from(Table::new(b.customers)).add_subclass(Profiles {
            as_of: b.as_of,
            base_customers: b.base_customers,
            groups: Py::new(py, Table::new(b.groups))?,
            categorical: Py::new(py, Table::new(b.categorical))?,
            chi_square: Py::new(py, Table::new(b.chi_square))?,
            numeric: Py::new(py, Table::new(b.numeric))?,
            traits: Py::new(py, Table::new(b.traits))?,
            notes: b.notes,
        });
        Py::new(py, init)
    }
}

#[pymethods]
impl Profiles {
    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let p = slf.get();
        let mut text = slf.as_super().get().describe(&format!("crm.Profiles(as_of={})", p.as_of));
        text.push_str("\ngroups:\n");
        text.push_str(&p.groups.get().describe("crm.Table"));
        text
    }
}

/// The wallet rules from keyword arguments.
#[allow(clippy::too_many_arguments)]
pub(crate) fn wallet_config(
    attribute: Option<String>,
    quantile: f64,
    min_peers: i64,
    levels: Option<Vec<Vec<String>>>,
    bands: Option<BTreeMap<String, Vec<f64>>>,
    window_days: i64,
    work_list_size: i64,
    regression: Option<Vec<String>>,
) -> Fallible<WalletConfig> {
    let d = WalletConfig::default();
    let count = |field: &str, v: i64| -> Fallible<usize> {
        usize::try_from(v).map_err(|_| Failure::config(field, format!("{v} is not a whole number >= 0")))
    };
    let c = WalletConfig {
        attribute,
        quantile,
        min_peers: count("min_peers", min_peers)?,
        levels: levels.unwrap_or(d.levels),
        bands: bands.unwrap_or_default(),
        window_days: u32::try_from(window_days)
            .map_err(|_| Failure::config("window_days", format!("{window_days} is not in 1..=36600")))?,
        work_list_size: count("work_list_size", work_list_size)?,
        regression: regression.unwrap_or_default(),
        ..WalletConfig::default()
    };
    c.validate().map_err(core)?;
    Ok(c)
}

/// Computes the wallet result without the GIL.
pub(crate) fn wallet(
    py: Python<'_>,
    base: &crm_core::CustomerBase,
    ids: ArrayRef,
    as_of: NaiveDate,
    config: WalletConfig,
) -> Fallible<Py<Wallet>> {
    let batches = detached(py, || Ok(Wallet::batches(ids, base.ids(), base.wallet(as_of, &config).map_err(core)?)))?;
    Ok(Wallet::create(py, batches)?)
}

/// The grouping of `by`: a name (segment, abc, pyramid, stage, rfm), any other string for
/// a customer attribute, or a dict (`{"type": "target_group", "conditions": [...]}`).
fn grouping(by: &Bound<'_, PyAny>) -> Fallible<ProfileGrouping> {
    if let Ok(s) = by.cast::<PyString>() {
        let s = s.to_string();
        return Ok(match s.as_str() {
            "segment" => ProfileGrouping::Segment,
            "abc" => ProfileGrouping::Abc,
            "pyramid" => ProfileGrouping::Pyramid,
            "stage" => ProfileGrouping::Stage,
            "rfm" => ProfileGrouping::Rfm,
            _ => ProfileGrouping::Attribute { attribute: s },
        });
    }
    definition(by, "by")
}

/// Computes profiles without the GIL; `labels` (one per customer, base order) group the
/// customers instead of `by`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn profiles(
    py: Python<'_>,
    base: &crm_core::CustomerBase,
    ids: ArrayRef,
    as_of: NaiveDate,
    by: &Bound<'_, PyAny>,
    labels: Option<Vec<Option<String>>>,
    categorical: Option<Vec<String>>,
    numeric: Option<Vec<String>>,
    bands: Option<BTreeMap<String, Vec<f64>>>,
    min_group_size: i64,
    alpha: f64,
    traits: i64,
    wallet: Option<&Bound<'_, PyAny>>,
) -> Fallible<Py<Profiles>> {
    let d = ProfileConfig::default();
    let config = ProfileConfig {
        by: grouping(by)?,
        categorical: categorical.unwrap_or(d.categorical),
        numeric: numeric.unwrap_or(d.numeric),
        bands: bands.unwrap_or_default(),
        min_group_size: usize::try_from(min_group_size)
            .map_err(|_| Failure::config("min_group_size", format!("{min_group_size} is not in 1..=1000000")))?,
        alpha,
        traits: usize::try_from(traits)
            .map_err(|_| Failure::config("traits", format!("{traits} is not in 0..=100")))?,
        wallet: match wallet {
            Some(w) if !w.is_none() => definition(w, "wallet")?,
            _ => WalletConfig::default(),
        },
        ..ProfileConfig::default()
    };
    let batches = detached(py, || {
        let p = match &labels {
            Some(l) => base.segment_profiles_by_labels(as_of, &config, l),
            None => base.segment_profiles(as_of, &config),
        }
        .map_err(core)?;
        Ok(Profiles::batches(ids, p))
    })?;
    Ok(Profiles::create(py, batches)?)
}
