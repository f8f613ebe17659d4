//! The native module `crm._crm`. The pure-Python package `crm` (in `python/crm`) re-exports
//! it and adds the exception classes and the plotting helpers.
//!
//! Tables come in through the Arrow PyCapsule interface ([`input`]) and go out the same way
//! ([`table`]); failures become Python exceptions in one place ([`errors`]); heavy work runs
//! without the GIL and behind a panic guard.

mod allocator;
mod analytics;
mod arrays;
mod base;
mod cli;
mod distributed;
mod errors;
mod input;
mod intervals;
mod models;
mod processes;
mod profiles;
mod results;
mod sample;
mod sources;
mod table;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _crm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    allocator::configure();
    m.add("__version__", crm_core::VERSION)?;
    m.add_class::<base::CustomerBase>()?;
    m.add_class::<base::Customers>()?;
    m.add_class::<base::Interactions>()?;
    m.add_class::<table::Table>()?;
    m.add_class::<results::Summary>()?;
    m.add_class::<results::Lifecycle>()?;
    m.add_class::<results::Segments>()?;
    m.add_class::<profiles::Wallet>()?;
    m.add_class::<profiles::Profiles>()?;
    m.add_class::<results::CsvReport>()?;
    m.add_class::<results::CsvProblem>()?;
    m.add_class::<sample::Sample>()?;
    m.add_class::<analytics::Flows>()?;
    m.add_class::<analytics::FlowValue>()?;
    m.add_class::<analytics::FlowSeries>()?;
    m.add_class::<analytics::Migration>()?;
    m.add_class::<analytics::Clv>()?;
    m.add_class::<analytics::ClvGroup>()?;
    m.add_class::<analytics::Scenario>()?;
    m.add_class::<analytics::ScenarioComparison>()?;
    m.add_class::<analytics::RetentionSensitivity>()?;
    m.add_class::<analytics::Report>()?;
    m.add_function(wrap_pyfunction!(errors::error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_rfm_partial, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_rfm_merge, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_rfm_scorer, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_rfm_score, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_model_partial, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_model_merge, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_flows_partial, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segment_rows, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_membership_partial, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_membership_finish, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_membership_tie_ids, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_membership_resolve, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segments_partial, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segments_ranker, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segments_bucket, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segment_migration_partial, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segment_migration_finish, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segments_classify, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segment_tables_partial, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_segment_tables, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_flows_finish, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_period_bounds, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_migration_partial, m)?)?;
    m.add_function(wrap_pyfunction!(distributed::_migration_finish, m)?)?;
    for f in [
        wrap_pyfunction!(distributed::_report_rules, m)?,
        wrap_pyfunction!(distributed::_report_scan, m)?,
        wrap_pyfunction!(distributed::_report_context, m)?,
        wrap_pyfunction!(distributed::_report_tie_ids, m)?,
        wrap_pyfunction!(distributed::_report_resolve, m)?,
        wrap_pyfunction!(distributed::_report_partial, m)?,
        wrap_pyfunction!(distributed::_report_finish, m)?,
    ] {
        m.add_function(f)?;
    }
    m.add_function(wrap_pyfunction!(analytics::simple_clv, m)?)?;
    m.add_function(wrap_pyfunction!(analytics::discounted_clv, m)?)?;
    m.add_function(wrap_pyfunction!(analytics::retention_clv, m)?)?;
    m.add_function(wrap_pyfunction!(analytics::retention_sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(analytics::compare_scenarios, m)?)?;
    m.add_class::<processes::Proportion>()?;
    m.add_class::<processes::Difference>()?;
    m.add_class::<processes::FunnelTable>()?;
    m.add_class::<processes::Process>()?;
    m.add_class::<processes::DueActions>()?;
    m.add_class::<processes::Scores>()?;
    m.add_class::<processes::PlanComparison>()?;
    m.add_class::<processes::Nps>()?;
    m.add_class::<processes::NpsChange>()?;
    m.add_function(wrap_pyfunction!(processes::wilson, m)?)?;
    m.add_function(wrap_pyfunction!(processes::compare_proportions, m)?)?;
    m.add_function(wrap_pyfunction!(processes::sample_size, m)?)?;
    m.add_function(wrap_pyfunction!(processes::compare_variants, m)?)?;
    m.add_function(wrap_pyfunction!(processes::process_examples, m)?)?;
    m.add_function(wrap_pyfunction!(processes::compare_plans, m)?)?;
    m.add_function(wrap_pyfunction!(processes::nps, m)?)?;
    m.add_function(wrap_pyfunction!(processes::nps_change, m)?)?;
    m.add_function(wrap_pyfunction!(sample::sample, m)?)?;
    m.add_function(wrap_pyfunction!(cli::run_cli, m)?)?;
    m.add_function(wrap_pyfunction!(sample::time_native, m)?)?;
    m.add_function(wrap_pyfunction!(models::_fit_model, m)?)?;
    m.add_function(wrap_pyfunction!(models::_check_summary, m)?)?;
    m.add_function(wrap_pyfunction!(models::_predict, m)?)?;
    m.add_function(wrap_pyfunction!(models::_customer_lifetime_value, m)?)?;
    m.add_function(wrap_pyfunction!(models::_rfm_summary, m)?)?;
    m.add_function(wrap_pyfunction!(models::_rfm_summary_of_transactions, m)?)?;
    m.add_function(wrap_pyfunction!(intervals::_parameter_covariance, m)?)?;
    m.add_function(wrap_pyfunction!(intervals::_predict_interval, m)?)?;
    m.add_function(wrap_pyfunction!(intervals::_clv_interval, m)?)?;
    m.add_function(wrap_pyfunction!(models::_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(threads, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_unguarded_for_tests, m)?)?;
    Ok(())
}

/// Number of worker threads the engine uses for per-customer work.
#[pyfunction]
fn threads() -> usize {
    crm_core::threads()
}

/// Panics inside the engine's panic guard, to test that a panic becomes
/// `crm.InternalError` and never crashes the interpreter. Not part of the API.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: String) -> PyResult<()> {
    errors::detached(py, move || -> errors::Fallible<()> { panic!("{message}") })?;
    Ok(())
}

/// Panics outside the engine's panic guard (as an unguarded getter would), to test that
/// the Python package still raises `crm.InternalError`. Not part of the API.
#[pyfunction]
fn _panic_unguarded_for_tests(message: String) {
    panic!("{message}")
}
