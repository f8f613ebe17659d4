"""crm: a customer-analytics engine (customer summary with RFM, lifecycle stages, value
segments, ABC classes, the customer pyramid), written in Rust.

Quick tour::

    import crm, polars as pl

    base = crm.CustomerBase.from_transactions(
        df, customer_id_col="customer_id", date_col="date", amount_col="amount"
    )
    summary = base.summary("2024-12-31")        # one row per customer, with R, F, M
    stages = base.lifecycle("2024-12-31")       # stage per customer; stages.counts
    segments = base.segments("2024-12-31")      # top 20 % / middle 50 % / bottom 30 %
    flows = base.flows("2024-01-01", "2025-01-01")  # new, won back, lost; churn, duration
    clv = base.clv("2024-12-31")                # lifetime value per customer and segment
    steps = base.funnel(funnel, "2025-01-01", "2025-02-01", "2025-03-31")  # funnel steps
    todo = base.due_actions(crm.process_examples(), "2025-03-03").due     # process dialogs
    print(base.report("2024-12-31").to_markdown())
    pl.DataFrame(segments.segment_table)        # any Arrow consumer reads results

Inputs are any Arrow-compatible table (pyarrow, polars, pandas >= 2.2, duckdb, ...), a
polars LazyFrame (collected), a pyarrow Dataset (read), the path of a Parquet file or a dict
of numpy arrays; results are tables that export ``__arrow_c_stream__`` (and iterate as rows,
so ``pandas.DataFrame(result)`` works on pandas 2 and 3).
"""

import crm._crm
from crm import _guard

_guard.install(crm._crm)  # no panic reaches Python as anything but crm.InternalError

from crm._crm import (  # noqa: E402
    Difference,
    DueActions,
    FunnelTable,
    Nps,
    NpsChange,
    PlanComparison,
    Process,
    Proportion,
    Scores,
    compare_plans,
    compare_proportions,
    compare_variants,
    nps,
    nps_change,
    process_examples,
    sample_size,
    wilson,
    Clv,
    ClvGroup,
    FlowSeries,
    Flows,
    FlowValue,
    Migration,
    Report,
    RetentionSensitivity,
    Scenario,
    ScenarioComparison,
    compare_scenarios,
    discounted_clv,
    retention_clv,
    retention_sensitivity,
    simple_clv,
    CsvProblem,
    CsvReport,
    CustomerBase,
    Customers,
    Interactions,
    Lifecycle,
    Sample,
    Profiles,
    Segments,
    Summary,
    Table,
    Wallet,
    __version__,
    sample,
    threads,
)
from crm.contractual import ShiftedBetaGeo  # noqa: E402
from crm.exceptions import (  # noqa: E402
    ColumnNotFoundError,
    ConfigError,
    CrmError,
    CsvColumnNotFoundError,
    CsvError,
    DuplicateCustomerError,
    FitError,
    IdKindMismatchError,
    InputError,
    InternalError,
    LengthMismatchError,
    MissingDataError,
    UnknownCustomerError,
)

__all__ = [
    "__version__",
    "ShiftedBetaGeo",
    "CustomerBase",
    "Customers",
    "Interactions",
    "Table",
    "Summary",
    "Lifecycle",
    "Segments",
    "Wallet",
    "Profiles",
    "CsvReport",
    "CsvProblem",
    "Flows",
    "FlowValue",
    "FlowSeries",
    "Migration",
    "Clv",
    "ClvGroup",
    "Scenario",
    "ScenarioComparison",
    "RetentionSensitivity",
    "Report",
    "simple_clv",
    "discounted_clv",
    "retention_clv",
    "retention_sensitivity",
    "compare_scenarios",
    "FunnelTable",
    "Proportion",
    "Difference",
    "wilson",
    "compare_proportions",
    "sample_size",
    "compare_variants",
    "Process",
    "process_examples",
    "DueActions",
    "Scores",
    "PlanComparison",
    "compare_plans",
    "Nps",
    "NpsChange",
    "nps",
    "nps_change",
    "Sample",
    "sample",
    "threads",
    "CrmError",
    "InputError",
    "LengthMismatchError",
    "IdKindMismatchError",
    "ColumnNotFoundError",
    "UnknownCustomerError",
    "DuplicateCustomerError",
    "CsvError",
    "CsvColumnNotFoundError",
    "ConfigError",
    "MissingDataError",
    "FitError",
    "InternalError",
]


def __getattr__(name: str):  # PEP 562: `crm.plotting` without importing matplotlib up front
    if name == "plotting":
        import importlib

        return importlib.import_module("crm.plotting")
    raise AttributeError(f"module 'crm' has no attribute {name!r}")
