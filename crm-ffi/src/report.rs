//! `crm_report`: the customer-development report as of a date (overview, lifecycle stages,
//! segment tables, RFM, flows, migration, CLV, undesired flows), as Markdown for people and
//! JSON for machines, with accessors for the headline figures.

use crate::base::{base_ref, crm_base};
use crate::clv::{clv_config, crm_clv_config, crm_clv_group};
use crate::date::{CRM_NO_DATE, date_of, day_of};
use crate::enums::{
    CRM_LIFECYCLE_STAGES, clv_table, crm_clv_table, crm_lifecycle_stage, crm_segment_table, segment_table,
};
use crate::error::{Failure, crm_result};
use crate::flows::{crm_flow_report, flow_report};
use crate::ptr::{arg_opt, arg_ref, fill, index, out, out_slice};
use crate::results::lifecycle::crm_lifecycle_config;
use crate::results::segments::{crm_segment_row, crm_segments_config, engine_config, names, segment_row};
use crate::results::{c_name, or_nan, write_text};
use crm_core::clv::ClvGroup;
use crm_core::profiles::ProfileConfig;
use crm_core::wallet::WalletConfig;
use crm_core::{Error, LifecycleConfig, Report, ReportConfig, SegmentRow};
use std::ffi::{CString, c_char};

/// What the report uses. Start from `crm_report_config_default()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_report_config {
    /// Lifecycle rules (the inactivity window also drives the flows).
    pub lifecycle: crm_lifecycle_config,
    /// Segment rules.
    pub segments: crm_segments_config,
    /// How many top customers to list (default 10; 0 also lists 10).
    pub top_customers: usize,
    /// CLV rules. When no duration is given and none can be estimated from the flows, the
    /// report uses 1 / (1 - retention) or leaves CLV out (`crm_report_has_clv`).
    pub clv: crm_clv_config,
    /// Share-of-wallet rules: `wallet_len` bytes of UTF-8 JSON, the rules of
    /// `crm_wallet_new` (e.g. `{"quantile": 0.8, "levels": [["industry"]]}`); NULL with
    /// length 0 for the defaults. Its segment and lifecycle rules are the report's.
    pub wallet_json: *const c_char,
    /// Length of `wallet_json` in bytes.
    pub wallet_len: usize,
    /// Segment-profile rules: `profiles_len` bytes of UTF-8 JSON, the rules of
    /// `crm_profiles_new` (the report's profiles are always by value segment); NULL with
    /// length 0 for the defaults.
    pub profiles_json: *const c_char,
    /// Length of `profiles_json` in bytes.
    pub profiles_len: usize,
}

/// The C rules of `c` with the default wallet and profile rules (NULL JSON).
impl From<&ReportConfig> for crm_report_config {
    fn from(c: &ReportConfig) -> Self {
        crm_report_config {
            lifecycle: c.lifecycle.clone().into(),
            segments: (&c.segments).into(),
            top_customers: c.top_customers,
            clv: (&c.clv).into(),
            wallet_json: std::ptr::null(),
            wallet_len: 0,
            profiles_json: std::ptr::null(),
            profiles_len: 0,
        }
    }
}

impl crate::panic::PanicDefault for crm_report_config {
    fn panicked() -> Self {
        (&ReportConfig::default()).into()
    }
}

/// The engine's rules of `c`, its wallet and profile JSON read and checked.
///
/// `c` comes from the caller, whose header contract makes `wallet_json` and
/// `profiles_json` NULL (with length 0) or `*_len` readable bytes.
pub(crate) fn report_config(c: &crm_report_config) -> Result<ReportConfig, Failure> {
    // SAFETY: NULL with length 0 or `*_len` readable bytes (the caller's contract).
    let (wallet, profiles): (WalletConfig, ProfileConfig) = unsafe {
        (
            crate::json::parse_or_default(c.wallet_json, c.wallet_len, "wallet_json", "wallet")?,
            crate::json::parse_or_default(c.profiles_json, c.profiles_len, "profiles_json", "profiles")?,
        )
    };
    wallet.validate()?;
    profiles.validate()?;
    Ok(ReportConfig {
        lifecycle: LifecycleConfig::from(&c.lifecycle),
        segments: engine_config(&c.segments)?,
        top_customers: c.top_customers,
        clv: clv_config(&c.clv)?,
        wallet,
        profiles,
    })
}

/// The base at a glance. `margin` is NaN when the base has no margins.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_report_overview {
    /// The as-of day.
    pub as_of: i32,
    /// Customers in the base (prospects included).
    pub customers: usize,
    /// Customers with at least one purchase up to the as-of date.
    pub buyers: usize,
    /// Transactions up to the as-of date.
    pub transactions: usize,
    /// Transactions after the as-of date (left out).
    pub excluded_after_as_of: usize,
    /// Net revenue up to the as-of date.
    pub revenue: f64,
    /// Net margin.
    pub margin: f64,
    /// Mean purchases per year of buyers.
    pub purchases_per_year: f64,
    /// Mean purchase (revenue / purchases).
    pub average_purchase: f64,
}

/// One of the most valuable customers. `customer` is the customer's id as text,
/// NUL-terminated, owned by the report (valid while it lives; do not free).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_top_customer {
    /// External id.
    pub customer: *const c_char,
    /// Value (the segment measure over the window).
    pub value: f64,
    /// Lifecycle stage.
    pub stage: crm_lifecycle_stage,
    /// RFM code (e.g. 545); 0 without purchases.
    pub rfm: u16,
}

/// An undesired flow: how many customers, and the revenue at stake. `flow` describes it
/// ("lost (no purchase in the inactivity window)", "still a starter ...", "migrated down:
/// top -> middle", ...), NUL-terminated, owned by the report.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_undesired_flow {
    /// What happened.
    pub flow: *const c_char,
    /// Customers in the flow.
    pub customers: u64,
    /// Revenue at stake.
    pub revenue: f64,
}

/// The customer-development report of a base as of a date.
///
/// Ownership: made by `crm_report_new`, freed by `crm_report_free`; it does not refer to
/// the base. Thread safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_report {
    inner: Report,
    /// Segment names of the value, ABC and pyramid tables.
    tables: [Vec<CString>; 3],
    /// Group names of the CLV tables (segment, channel, portfolio), when there is CLV.
    clv: [Vec<CString>; 3],
    top_ids: Vec<CString>,
    undesired: Vec<CString>,
    /// Figure and reason of each caveat.
    caveats: Vec<(CString, CString)>,
}

impl crm_report {
    pub(crate) fn new(inner: Report) -> Self {
        let group_names = |g: &[ClvGroup]| g.iter().map(|x| c_name(&x.group)).collect::<Vec<_>>();
        let clv = match &inner.clv {
            Some(c) => [
                group_names(&c.by_segment),
                group_names(&c.by_channel),
                group_names(std::slice::from_ref(&c.portfolio)),
            ],
            None => Default::default(),
        };
        crm_report {
            tables: [names(&inner.segments), names(&inner.abc), names(&inner.pyramid)],
            clv,
            top_ids: inner.top_customers.iter().map(|t| c_name(&t.customer)).collect(),
            undesired: inner.undesired_flows.iter().map(|u| c_name(&u.flow)).collect(),
            caveats: inner.caveats.iter().map(|c| (c_name(&c.figure), c_name(&c.reason))).collect(),
            inner,
        }
    }

    fn table(&self, t: crm_segment_table) -> &[SegmentRow] {
        match t {
            crm_segment_table::Value => &self.inner.segments,
            crm_segment_table::Abc => &self.inner.abc,
            crm_segment_table::Pyramid => &self.inner.pyramid,
        }
    }

    fn clv_groups(&self, t: crm_clv_table) -> Option<&[ClvGroup]> {
        self.inner.clv.as_ref().map(|c| match t {
            crm_clv_table::Segment => c.by_segment.as_slice(),
            crm_clv_table::Channel => c.by_channel.as_slice(),
            crm_clv_table::Portfolio => std::slice::from_ref(&c.portfolio),
        })
    }
}

fn report_ref<'a>(report: *const crm_report) -> Result<&'a crm_report, Failure> {
    // SAFETY: `report` is NULL or a live handle (header contract).
    unsafe { arg_ref(report, "report") }
}

/// The default report rules: default lifecycle, segment and CLV rules, 10 top customers.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_config_default() -> crm_report_config {
    ffi_boundary! { (&ReportConfig::default()).into() }
}

/// Computes the report of `base` as of day `as_of`. `config` may be NULL for the defaults.
/// `CRM_RESULT_INVALID_CONFIG` names a bad rule; `CRM_RESULT_MISSING_DATA` for margin-based
/// segments without margins. Free the result with `crm_report_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_new(
    base: *const crm_base,
    as_of: i32,
    config: *const crm_report_config,
    out_report: *mut *mut crm_report,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_report` is NULL or writable, `config` NULL or valid (header contract).
        let (slot, config) = unsafe { (out(out_report, "out_report")?, arg_opt(config)) };
        let config = config.map_or_else(|| Ok(ReportConfig::default()), report_config)?;
        let inner = base.inner.report(date_of(as_of, "as_of")?, &config)?;
        slot.write(Box::into_raw(Box::new(crm_report::new(inner))));
        Ok(())
    }
}

/// Frees a report. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_free(report: *mut crm_report) {
    ffi_boundary! {
        if !report.is_null() {
            // SAFETY: made by `crm_report_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(report) });
        }
    }
}

/// The as-of day; `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_as_of(report: *const crm_report) -> i32 {
    ffi_boundary! { report_ref(report).map_or(CRM_NO_DATE, |r| day_of(r.inner.as_of)) }
}

/// The report as Markdown (sections: not-yet-measurable figures, the base, lifecycle
/// stages, value segments, concentration, ABC, pyramid, RFM, flows, migration, retention
/// cohorts, CLV, undesired flows, data quality, most valuable customers) in a new
/// NUL-terminated string `*out_text` of `*out_len` bytes (`out_len` may be NULL). Free it
/// with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_to_markdown(
    report: *const crm_report,
    out_text: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = report_ref(report)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_text(r.inner.to_markdown(), out_text, out_len, "out_text") }
    }
}

/// The report as one self-contained HTML page (inline CSS and SVG charts, no script, no
/// network access; figures that are not measurable are replaced by a note) in a new
/// NUL-terminated UTF-8 string `*out_html` of `*out_len` bytes (`out_len` may be NULL).
/// Free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_to_html(
    report: *const crm_report,
    out_html: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = report_ref(report)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_text(r.inner.to_html(), out_html, out_len, "out_html") }
    }
}

/// The report as pretty-printed JSON (crm-core's field names; missing and withheld values
/// null, `caveats` saying why; also the Pareto curves, monthly flows, retention cohorts,
/// CLV distribution, returns and input summary) in a new
/// NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_to_json(
    report: *const crm_report,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = report_ref(report)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_text(r.inner.to_json(), out_json, out_len, "out_json") }
    }
}

/// The base at a glance.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_get_overview(
    report: *const crm_report,
    out_overview: *mut crm_report_overview,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = &report_ref(report)?.inner;
        // SAFETY: `out_overview` is NULL or writable (header contract).
        let slot = unsafe { out(out_overview, "out_overview") }?;
        let o = &r.overview;
        slot.write(crm_report_overview {
            as_of: day_of(r.as_of),
            customers: o.customers,
            buyers: o.buyers,
            transactions: o.transactions,
            excluded_after_as_of: o.excluded_after_as_of,
            revenue: o.revenue,
            margin: or_nan(o.margin),
            purchases_per_year: o.purchases_per_year,
            average_purchase: o.average_purchase,
        });
        Ok(())
    }
}

/// Copies the customers per lifecycle stage, indexed by stage code, into `out`; `len`
/// must be `CRM_LIFECYCLE_STAGES` (8).
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_copy_stage_counts(report: *const crm_report, out: *mut usize, len: usize) -> crm_result {
    ffi_boundary! { fallible:
        let r = &report_ref(report)?.inner;
        // SAFETY: `out` has room for `len` values (header contract).
        let target = unsafe { out_slice(out, len, CRM_LIFECYCLE_STAGES, "out") }?;
        fill(target, r.lifecycle.iter().map(|s| s.customers));
        Ok(())
    }
}

/// The flows of the twelve months up to the as-of date. `CRM_RESULT_MISSING_DATA` when
/// they are not measurable (the history is shorter than the period plus the inactivity
/// window; the report's caveats say why).
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_get_flows(report: *const crm_report, out_report: *mut crm_flow_report) -> crm_result {
    ffi_boundary! { fallible:
        let r = &report_ref(report)?.inner;
        // SAFETY: `out_report` is NULL or writable (header contract).
        let slot = unsafe { out(out_report, "out_report") }?;
        let flows = r.flows.as_ref().ok_or_else(|| {
            Failure::from(Error::MissingData(
                "the report's flows are not measurable: the history is too short (see the caveats)".into(),
            ))
        })?;
        slot.write(flow_report(flows));
        Ok(())
    }
}

/// A caveat of the report: a figure that is not yet measurable (`withheld`, not printed)
/// or rests on a thin basis. `figure` and `reason` are NUL-terminated and owned by the
/// report (valid while it lives; do not free).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_report_caveat {
    /// The figure concerned (e.g. "average duration").
    pub figure: *const c_char,
    /// Why, in words.
    pub reason: *const c_char,
    /// True when the figure is withheld; false when printed on a thin basis.
    pub withheld: bool,
}

/// Number of caveats of the report; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_caveat_count(report: *const crm_report) -> usize {
    ffi_boundary! { report_ref(report).map_or(0, |r| r.inner.caveats.len()) }
}

/// Caveat `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_caveat_at(
    report: *const crm_report,
    index: usize,
    out_caveat: *mut crm_report_caveat,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = report_ref(report)?;
        // SAFETY: `out_caveat` is NULL or writable (header contract).
        let slot = unsafe { out(out_caveat, "out_caveat") }?;
        let i = crate::ptr::index(index, r.inner.caveats.len(), "report's caveat count")?;
        let (figure, reason) = &r.caveats[i];
        slot.write(crm_report_caveat {
            figure: figure.as_ptr(),
            reason: reason.as_ptr(),
            withheld: r.inner.caveats[i].withheld,
        });
        Ok(())
    }
}

/// Number of rows of a segment table (a `crm_segment_table`); 0 for NULL or an unknown
/// table.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_segment_len(report: *const crm_report, table: u8) -> usize {
    ffi_boundary! {
        match (report_ref(report), segment_table(table)) {
            (Ok(r), Ok(t)) => r.table(t).len(),
            _ => 0,
        }
    }
}

/// Row `row` of a segment table (a `crm_segment_table`); the name belongs to the report.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_segment_row(
    report: *const crm_report,
    table: u8,
    row: usize,
    out_row: *mut crm_segment_row,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = report_ref(report)?;
        // SAFETY: `out_row` is NULL or writable (header contract).
        let slot = unsafe { out(out_row, "out_row") }?;
        let t = segment_table(table)?;
        let rows = r.table(t);
        let i = index(row, rows.len(), "table's row count")?;
        slot.write(segment_row(&rows[i], &r.tables[t as usize][i]));
        Ok(())
    }
}

/// Number of top customers listed; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_top_customer_count(report: *const crm_report) -> usize {
    ffi_boundary! { report_ref(report).map_or(0, |r| r.inner.top_customers.len()) }
}

/// Top customer `index` (0 = most valuable).
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_top_customer_at(
    report: *const crm_report,
    index: usize,
    out_customer: *mut crm_top_customer,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = report_ref(report)?;
        // SAFETY: `out_customer` is NULL or writable (header contract).
        let slot = unsafe { out(out_customer, "out_customer") }?;
        let i = crate::ptr::index(index, r.inner.top_customers.len(), "report's top customer count")?;
        let t = &r.inner.top_customers[i];
        slot.write(crm_top_customer {
            customer: r.top_ids[i].as_ptr(),
            value: t.value,
            stage: t.stage.into(),
            rfm: t.rfm.unwrap_or(0),
        });
        Ok(())
    }
}

/// True when the report has a CLV section (a duration was given or could be estimated);
/// false for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_has_clv(report: *const crm_report) -> bool {
    ffi_boundary! { report_ref(report).is_ok_and(|r| r.inner.clv.is_some()) }
}

/// Number of rows of a CLV group table (a `crm_clv_table`); 0 for NULL, an unknown table
/// or a report without CLV.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_clv_group_count(report: *const crm_report, table: u8) -> usize {
    ffi_boundary! {
        match (report_ref(report), clv_table(table)) {
            (Ok(r), Ok(t)) => r.clv_groups(t).map_or(0, <[_]>::len),
            _ => 0,
        }
    }
}

/// Row `row` of a CLV group table (a `crm_clv_table`). `CRM_RESULT_MISSING_DATA` when the
/// report has no CLV section.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_clv_group_row(
    report: *const crm_report,
    table: u8,
    row: usize,
    out_group: *mut crm_clv_group,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = report_ref(report)?;
        // SAFETY: `out_group` is NULL or writable (header contract).
        let slot = unsafe { out(out_group, "out_group") }?;
        let t = clv_table(table)?;
        let groups = r.clv_groups(t).ok_or_else(|| {
            Failure::from(Error::MissingData(
                "the report has no CLV section: no duration was given and none could be estimated".into(),
            ))
        })?;
        let i = index(row, groups.len(), "table's row count")?;
        slot.write(crate::clv::clv_group(&groups[i], &r.clv[t as usize][i]));
        Ok(())
    }
}

/// Number of undesired flows listed (largest revenue at stake first); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_undesired_flow_count(report: *const crm_report) -> usize {
    ffi_boundary! { report_ref(report).map_or(0, |r| r.inner.undesired_flows.len()) }
}

/// Undesired flow `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_undesired_flow_at(
    report: *const crm_report,
    index: usize,
    out_flow: *mut crm_undesired_flow,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = report_ref(report)?;
        // SAFETY: `out_flow` is NULL or writable (header contract).
        let slot = unsafe { out(out_flow, "out_flow") }?;
        let i = crate::ptr::index(index, r.inner.undesired_flows.len(), "report's undesired flow count")?;
        let u = &r.inner.undesired_flows[i];
        slot.write(crm_undesired_flow { flow: r.undesired[i].as_ptr(), customers: u.customers, revenue: u.revenue });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_round_trips() {
        let c = crm_report_config_default();
        assert_eq!(report_config(&c).unwrap(), ReportConfig::default());
    }
}
