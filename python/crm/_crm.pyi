"""Type stubs of the native module ``crm._crm`` (re-exported by ``crm``)."""

import datetime
import os
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union, overload

import numpy as np

__version__: str

# Anything with ``__arrow_c_stream__`` or ``__arrow_c_array__`` (pyarrow.Table,
# polars.DataFrame, pandas.DataFrame >= 2.2, duckdb results, crm.Table), a polars.LazyFrame
# (collected), a pyarrow.dataset.Dataset (read), the path of a Parquet file (str or
# os.PathLike), or a dict of array-likes (numpy arrays, lists, pandas Series) keyed by
# column name.
TableLike = Any
# A datetime.date / datetime.datetime, an ISO 8601 string, or a numpy.datetime64.
DateLike = Union[datetime.date, str, Any]
PathLike = Union[str, "os.PathLike[str]"]
# A definition (funnel, scoring model, process, event): JSON text or plain Python data.
Definition = Union[str, Mapping[str, Any]]

class Table:
    """A result table: Arrow columns behind the Arrow PyCapsule interface.

    ``pyarrow.table(t)``, ``polars.DataFrame(t)`` and ``pandas.DataFrame.from_arrow(t)``
    read it without copying its buffers. ``pandas.DataFrame(t)`` (pandas 2 and 3) reads its
    rows: iterating gives one dict per row, a missing number as NaN.
    """

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    def __arrow_c_schema__(self) -> object: ...
    def __len__(self) -> int: ...
    def __contains__(self, name: str) -> bool: ...
    def __getitem__(self, name: str) -> np.ndarray: ...
    def __iter__(self) -> Iterator[Dict[str, Any]]: ...
    @property
    def num_rows(self) -> int: ...
    @property
    def shape(self) -> Tuple[int, int]: ...
    @property
    def columns(self) -> List[str]: ...
    @property
    def schema(self) -> Dict[str, str]:
        """Column name -> Arrow type name."""
    def column(self, name: str) -> np.ndarray:
        """One column as a numpy array (nulls as NaN / NaT / None; integers with nulls
        as float64; strings as an object array)."""
    def to_pydict(self) -> Dict[str, List[Any]]: ...
    def to_pylist(self) -> List[Dict[str, Any]]: ...
    def to_arrow(self) -> Any:
        """As a ``pyarrow.Table`` (needs pyarrow)."""
    def to_polars(self) -> Any:
        """As a ``polars.DataFrame`` (needs polars)."""
    def to_pandas(self) -> Any:
        """As a ``pandas.DataFrame`` (needs pandas and pyarrow)."""

class Summary(Table):
    """One row per customer: customer_id, first_purchase, last_purchase (date32),
    purchases, purchases_per_year, average_purchase, revenue, margin, recency_days,
    tenure_days, r, f, m (quintile scores 1-5, ties share the lower score; null without a
    purchase)."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def excluded_after_as_of(self) -> int:
        """Transactions dated after the as-of date (left out)."""

class Lifecycle(Table):
    """customer_id, stage (prospect, new, starter, active, declining, lost, reactivated,
    won_back)."""

    stages: List[str]
    @property
    def as_of(self) -> datetime.date: ...
    @property
    def counts(self) -> Dict[str, int]:
        """Customers per stage, every stage in lifecycle order."""

class Segments(Table):
    """customer_id, value, revenue, profit (null without margins), rank (1 = most
    valuable; null when not ranked), segment (top / middle / bottom), abc (A / B / C),
    pyramid (top / large / medium / small / inactive / prospect)."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def by(self) -> str: ...
    @property
    def shares(self) -> Tuple[float, float, float]: ...
    @property
    def window_days(self) -> Optional[int]: ...
    @property
    def segment_table(self) -> Table:
        """segment, customers, customer_share, revenue, revenue_share, margin,
        cost_to_serve, profit, profit_share, negative_profit_customers."""
    @property
    def abc_table(self) -> Table: ...
    @property
    def pyramid_table(self) -> Table: ...

class Wallet(Table):
    """customer_id, spend (per year), wallet, share, over_wallet, growth_potential, rank
    (1 = largest growth potential), source (attribute / group / coarser_group / base /
    none / regression), group (peer group key), attribute_problem (missing / negative /
    not_a_number)."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def groups(self) -> Table:
        """level, key, customers, peers, wallet, below_min_peers, used_by."""
    @property
    def by_segment(self) -> Table:
        """group, customers, spend, wallet, growth_potential, share, mean_share, over_wallet."""
    @property
    def by_stage(self) -> Table: ...
    @property
    def by_group(self) -> Table: ...
    @property
    def work_list(self) -> Table:
        """customer_id, spend, wallet, share, growth_potential, source."""
    @property
    def counts(self) -> Dict[str, int]: ...
    @property
    def regression(self) -> Optional[Dict[str, Any]]:
        """attributes, coefficients (intercept first), quantile, peers, used_by; None when
        not configured or not fitted (see notes)."""
    @property
    def notes(self) -> List[str]: ...

class Profiles(Table):
    """customer_id, group."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def base_customers(self) -> int: ...
    @property
    def groups(self) -> Table:
        """group, customers, base_share, below_min_size."""
    @property
    def categorical(self) -> Table:
        """group, attribute, value, count, share, base_count, base_share, index, z,
        p_value, significant."""
    @property
    def chi_square(self) -> Table:
        """attribute, group, statistic, df, p_value, low_expected (an expected count below
        5), significant: Pearson's chi-square test of each categorical attribute in each
        group against the rest of the base."""
    @property
    def numeric(self) -> Table:
        """group, attribute, count, missing, mean, q1, median, q3, base_count, base_mean,
        base_q1, base_median, base_q3."""
    @property
    def traits(self) -> Table:
        """group, rank, attribute, value, index, share, base_share, z, text."""
    @property
    def notes(self) -> List[str]: ...

class CsvProblem:
    """One bad value in a CSV file."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> Optional[str]: ...
    @property
    def message(self) -> str: ...

class CsvReport:
    """What reading a CSV file did."""

    @property
    def path(self) -> str: ...
    @property
    def rows_read(self) -> int: ...
    @property
    def rows_loaded(self) -> int: ...
    @property
    def rows_rejected(self) -> int: ...
    @property
    def problems(self) -> List[CsvProblem]: ...
    @property
    def problems_total(self) -> int: ...
    @property
    def anonymous_rows(self) -> int: ...
    @property
    def anonymous_revenue(self) -> float: ...
    @property
    def anonymous_lines(self) -> List[int]: ...
    @property
    def return_rows(self) -> int: ...
    @property
    def return_orders(self) -> int: ...
    @property
    def return_value(self) -> float: ...
    @property
    def anonymous_return_rows(self) -> int: ...
    @property
    def last_sale(self) -> Optional[datetime.date]: ...
    @property
    def detected(self) -> Dict[str, str]: ...

class Customers:
    """A customer table (``from_transactions``) or customers CSV path (``from_csv``) with
    its id column (default: the transactions' ``customer_id_col``)."""

    def __init__(
        self,
        data: Union[TableLike, PathLike],
        *,
        id_col: Optional[str] = None,
        attribute_types: Optional[Mapping[str, str]] = None,
    ) -> None: ...
    @property
    def data(self) -> Any: ...
    @property
    def id_col(self) -> Optional[str]: ...
    @property
    def attribute_types(self) -> Optional[Dict[str, str]]: ...

class Interactions:
    """An interactions table (``from_transactions``) or CSV path (``from_csv``) with its
    column names."""

    def __init__(
        self,
        data: Union[TableLike, PathLike],
        *,
        customer_id_col: Optional[str] = None,
        date_col: str = "date",
        channel_col: str = "channel",
        direction_col: str = "direction",
        kind_col: str = "kind",
        outcome_col: Optional[str] = "outcome",
        cost_col: Optional[str] = "cost",
    ) -> None: ...
    @property
    def data(self) -> Any: ...
    @property
    def customer_id_col(self) -> Optional[str]: ...
    @property
    def date_col(self) -> str: ...
    @property
    def channel_col(self) -> str: ...
    @property
    def direction_col(self) -> str: ...
    @property
    def kind_col(self) -> str: ...
    @property
    def outcome_col(self) -> Optional[str]: ...
    @property
    def cost_col(self) -> Optional[str]: ...

class CustomerBase:
    """Customers, their transactions and interactions, grouped by customer once."""

    @classmethod
    def from_transactions(
        cls,
        transactions: Optional[TableLike] = None,
        *,
        customer_id_col: str = "customer_id",
        date_col: str = "date",
        amount_col: str = "amount",
        margin_col: Optional[str] = None,
        cost_of_goods_col: Optional[str] = None,
        product_col: Optional[str] = None,
        order_col: Optional[str] = None,
        date_format: Union[str, Sequence[str], None] = None,
        customers: Union[TableLike, Customers, None] = None,
        interactions: Union[TableLike, Interactions, None] = None,
    ) -> "CustomerBase": ...
    @classmethod
    def from_csv(
        cls,
        path: PathLike,
        *,
        customer_id_col: str = "customer_id",
        date_col: str = "date",
        amount_col: str = "amount",
        margin_col: Optional[str] = None,
        cost_of_goods_col: Optional[str] = None,
        product_col: Optional[str] = None,
        order_col: Optional[str] = None,
        date_format: Union[str, Sequence[str], None] = None,
        delimiter: Optional[str] = None,
        id_kind: str = "auto",
        on_error: str = "raise",
        customers: Union[PathLike, Customers, None] = None,
        interactions: Union[PathLike, Interactions, None] = None,
        quantity_col: Optional[str] = None,
        unit_price_col: Optional[str] = None,
        category_col: Optional[str] = None,
        cancellation_prefix: Optional[str] = None,
        encoding: str = "utf-8",
        decimal: Optional[str] = None,
        day_first: Optional[bool] = None,
    ) -> "CustomerBase": ...
    def summary(self, as_of: Optional[DateLike] = None, *, min_span_days: int = 365) -> Summary: ...
    def lifecycle(
        self,
        as_of: Optional[DateLike] = None,
        *,
        inactivity_days: int = 365,
        new_days: int = 90,
        dormant_days: int = 180,
        return_days: int = 90,
        trend_days: int = 365,
        decline_ratio: float = 0.5,
    ) -> Lifecycle: ...
    def segments(
        self,
        as_of: Optional[DateLike] = None,
        *,
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
        abc_shares: Sequence[float] = (0.8, 0.15, 0.05),
        pyramid_shares: Sequence[float] = (0.01, 0.04, 0.15, 0.8),
    ) -> Segments: ...
    def wallet(
        self,
        as_of: Optional[DateLike] = None,
        *,
        attribute: Optional[str] = None,
        quantile: float = 0.9,
        min_peers: int = 20,
        levels: Optional[Sequence[Sequence[str]]] = None,
        bands: Optional[Mapping[str, Sequence[float]]] = None,
        window_days: int = 365,
        work_list_size: int = 100,
        regression: Optional[Sequence[str]] = None,
    ) -> Wallet:
        """Share of wallet and growth potential per customer. The wallet is the customer
        attribute `attribute` where it is a number >= 0, else the type-7 `quantile` of
        yearly spend among peers (customers spending in the window) of the customer's group
        at the first of `levels` (finest first; default industry x category, then
        industry) with at least `min_peers` peers, else of the whole base. `regression`
        (numeric attributes) fits the linear `quantile`-regression of yearly spend on them
        exactly; it gives the wallet (never below 0) of customers with every attribute, the
        others fall back to the groups."""
    def profiles(
        self,
        as_of: Optional[DateLike] = None,
        *,
        by: Union[str, Mapping[str, Any], None] = None,
        labels: Optional[Sequence[Optional[str]]] = None,
        categorical: Optional[Sequence[str]] = None,
        numeric: Optional[Sequence[str]] = None,
        bands: Optional[Mapping[str, Sequence[float]]] = None,
        min_group_size: int = 30,
        alpha: float = 0.05,
        traits: int = 5,
        wallet: Optional[Mapping[str, Any]] = None,
    ) -> Profiles:
        """Profiles of groups against the whole base. `by`: "segment" (default), "abc",
        "pyramid", "stage", "rfm", any other string for a customer attribute, or a dict
        such as {"type": "target_group", "conditions": [...]}; `labels` (one per customer,
        base order) groups instead. Categorical attributes default to industry, category,
        acquisition_channel; numeric ones to employees, purchases_per_year,
        average_purchase (also tenure_days, recency_days, revenue, margin_pct,
        share_of_wallet, acquisition_cost or any free number)."""
    def flows(
        self,
        start: DateLike,
        end: DateLike,
        *,
        inactivity_days: int = 365,
        duration_base: str = "average",
        by_segment: bool = True,
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
    ) -> "Flows": ...
    def flow_series(
        self,
        start: DateLike,
        period: str = "month",
        count: int = 12,
        *,
        inactivity_days: int = 365,
        duration_base: str = "average",
        by_segment: bool = False,
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
    ) -> "FlowSeries": ...
    def migration(
        self,
        from_date: DateLike,
        to_date: DateLike,
        *,
        states: str = "segments",
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
        inactivity_days: int = 365,
    ) -> "Migration": ...
    def clv(
        self,
        as_of: Optional[DateLike] = None,
        *,
        duration_years: Optional[float] = None,
        discount_rate: float = 0.1,
        inactivity_days: int = 365,
        duration_base: str = "average",
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
    ) -> "Clv": ...
    def report(
        self,
        as_of: Optional[DateLike] = None,
        *,
        top_customers: int = 10,
        duration_years: Optional[float] = None,
        discount_rate: float = 0.1,
        inactivity_days: int = 365,
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
        wallet: Optional[Definition] = None,
        profiles: Optional[Definition] = None,
    ) -> "Report": ...
    def funnel(
        self,
        funnel: Definition,
        entry_from: DateLike,
        entry_to: DateLike,
        as_of: Optional[DateLike] = None,
        *,
        confidence: float = 0.95,
        by: Optional[str] = None,
    ) -> "FunnelTable":
        """A funnel (dict or JSON text) over the customers entering it in
        ``[entry_from, entry_to)``, as of ``as_of``; ``by`` = an attribute for one block of
        steps per value (with a ``group`` column)."""
    def compare_funnel_periods(
        self,
        funnel: Definition,
        first: Sequence[Optional[DateLike]],
        second: Sequence[Optional[DateLike]],
        as_of: Optional[DateLike] = None,
        *,
        confidence: float = 0.95,
    ) -> List[Optional["Difference"]]:
        """The funnel over two entry periods, each ``(entry_from, entry_to)`` counted as of
        ``as_of`` or ``(entry_from, entry_to, as_of)``: per step the ``Difference`` of
        ``rate_from_previous`` (second - first), None for the first step."""
    def due_actions(
        self,
        processes: Union["Process", Definition, Sequence[Union["Process", Definition]]],
        as_of: Optional[DateLike] = None,
        *,
        lookback_days: int = 90,
        inactivity_days: int = 365,
        new_days: int = 90,
        dormant_days: int = 180,
        return_days: int = 90,
        trend_days: int = 365,
        decline_ratio: float = 0.5,
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
    ) -> "DueActions":
        """The dialogs of the processes due as of a date (``due`` and ``blocked``); stage
        and segment target groups use the lifecycle / segment keywords."""
    def evaluate_kpis(
        self,
        process: Union["Process", Definition],
        start: DateLike,
        end: DateLike,
        as_of: Optional[DateLike] = None,
    ) -> Table:
        """KPIs of a process over ``[start, end)``: kpi, dialog, successes, trials, actual,
        low, high, target, at_least, met."""
    def score(
        self,
        model: Definition,
        as_of: Optional[DateLike] = None,
        *,
        inactivity_days: int = 365,
        new_days: int = 90,
        dormant_days: int = 180,
        return_days: int = 90,
        trend_days: int = 365,
        decline_ratio: float = 0.5,
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
    ) -> "Scores":
        """Scores every customer with a scoring model (dict or JSON text); ``stage`` and
        ``segment`` conditions use the lifecycle / segment keywords (left at their defaults,
        the model's own ``lifecycle`` / ``segments`` entries apply)."""
    def backtest(
        self,
        model: Definition,
        as_of: DateLike,
        outcome: Union[str, Definition],
        horizon_days: int,
        *,
        inactivity_days: int = 365,
        new_days: int = 90,
        dormant_days: int = 180,
        return_days: int = 90,
        trend_days: int = 365,
        decline_ratio: float = 0.5,
        shares: Sequence[float] = (0.2, 0.5, 0.3),
        by: str = "revenue",
        window_days: Optional[int] = 365,
    ) -> Table:
        """Per rule: rule, hits, wins, win_rate, low, high, base_rate. ``outcome`` is an
        interaction kind, "purchase", or an event dict / JSON text."""
    @overload
    def nps(
        self, kind: str, start: DateLike, end: DateLike, *, by: None = None, confidence: float = 0.95
    ) -> "Nps": ...
    @overload
    def nps(
        self, kind: str, start: DateLike, end: DateLike, *, by: str, confidence: float = 0.95
    ) -> Dict[str, "Nps"]: ...
    def __len__(self) -> int: ...
    @property
    def n_customers(self) -> int: ...
    @property
    def n_transactions(self) -> int: ...
    @property
    def n_interactions(self) -> int: ...
    @property
    def has_margin(self) -> bool: ...
    @property
    def has_customer_table(self) -> bool: ...
    @property
    def first_date(self) -> Optional[datetime.date]: ...
    @property
    def last_date(self) -> Optional[datetime.date]: ...
    @property
    def customer_ids(self) -> np.ndarray: ...
    @property
    def csv_reports(self) -> Dict[str, CsvReport]: ...

class Sample:
    """Generated data: ``transactions``, ``customers``, ``interactions`` and ``end``."""

    @property
    def transactions(self) -> Table: ...
    @property
    def customers(self) -> Table: ...
    @property
    def interactions(self) -> Table: ...
    @property
    def end(self) -> datetime.date: ...
    def base(self) -> CustomerBase: ...

def run_cli(argv: Sequence[str]) -> int:
    """Runs the ``crm`` program (first argument: the program's name); returns the exit code."""
    ...

def sample(
    customers: int = 5000,
    seed: int = 42,
    *,
    start: Optional[DateLike] = None,
    days: int = 1096,
    purchases_per_year: float = 5.0,
    lifetime_years: float = 2.5,
    prospect_share: float = 0.08,
    starter_share: float = 0.3,
    profiles: bool = True,
    interactions: bool = True,
) -> Sample: ...
def time_native(
    sample: Sample,
    as_of: Optional[DateLike] = None,
    *,
    margin: bool = False,
    repeat: int = 1,
    in_time_order: bool = False,
) -> Dict[str, float]: ...
def threads() -> int: ...

class FlowValue:
    """Revenue and margin brought or lost by a flow."""

    @property
    def revenue(self) -> float: ...
    @property
    def margin(self) -> float: ...

class Flows:
    """Customer flows of a period ``[start, end)``."""

    @property
    def start(self) -> Optional[datetime.date]: ...
    @property
    def end(self) -> Optional[datetime.date]: ...
    @property
    def base_at_start(self) -> int: ...
    @property
    def new(self) -> int: ...
    @property
    def new_active(self) -> int: ...
    @property
    def new_starters(self) -> int: ...
    @property
    def won_back(self) -> int: ...
    @property
    def lost(self) -> int: ...
    @property
    def base_at_end(self) -> int: ...
    @property
    def lost_and_won_back(self) -> int: ...
    @property
    def new_and_lost(self) -> int: ...
    @property
    def won_back_and_lost(self) -> int: ...
    @property
    def churn_rate(self) -> Optional[float]: ...
    @property
    def retention_rate(self) -> Optional[float]: ...
    @property
    def duration_years(self) -> Optional[float]: ...
    @property
    def new_value(self) -> FlowValue: ...
    @property
    def won_back_value(self) -> FlowValue: ...
    @property
    def lost_value(self) -> FlowValue: ...
    @property
    def stayed_value(self) -> FlowValue: ...
    @property
    def by_segment(self) -> Table:
        """segment, base_at_start, lost, new, won_back, base_at_end."""
    def balances(self) -> bool: ...
    def to_dict(self) -> Dict[str, Any]: ...

class FlowSeries(Table):
    """One row per period: start, end, the flow counts, churn_rate, retention_rate,
    duration_years, <flow>_revenue and <flow>_margin."""

    @property
    def flows(self) -> List[Flows]: ...

class Migration:
    """A migration matrix between states from the end of ``from_date`` to the end of
    ``to_date``."""

    @property
    def from_date(self) -> datetime.date: ...
    @property
    def to_date(self) -> datetime.date: ...
    @property
    def states(self) -> List[str]: ...
    @property
    def counts(self) -> np.ndarray:
        """2-D int64: customers from state i (row) to state j (column)."""
    @property
    def rates(self) -> np.ndarray:
        """2-D float64, rows sum to 1."""
    @property
    def state_value(self) -> np.ndarray: ...
    @property
    def at_from(self) -> np.ndarray: ...
    @property
    def at_to(self) -> np.ndarray: ...
    def counts_table(self) -> Table: ...
    def rates_table(self) -> Table: ...
    def project(self, start: Optional[Sequence[float]] = None, periods: int = 1) -> np.ndarray:
        """Rows: the distribution after 0 .. periods steps (default start: ``at_to``)."""
    def customer_value(self, margin: Optional[Sequence[float]] = None, discount: float = 0.1) -> np.ndarray:
        """Pfeifer-Carraway value per starting state (default margin: ``state_value``)."""

class Scenario:
    """A portfolio described by the three CLV levers and the customer count."""

    def __init__(
        self, customers: float, purchases_per_year: float, average_purchase: float, duration_years: float
    ) -> None: ...
    @property
    def customers(self) -> float: ...
    @property
    def purchases_per_year(self) -> float: ...
    @property
    def average_purchase(self) -> float: ...
    @property
    def duration_years(self) -> float: ...
    def clv(self) -> float: ...
    def portfolio_value(self) -> float: ...

class ScenarioComparison:
    @property
    def before(self) -> Scenario: ...
    @property
    def after(self) -> Scenario: ...
    @property
    def factors(self) -> Dict[str, float]: ...
    @property
    def change(self) -> float:
        """Portfolio value change, after / before - 1."""
    @property
    def clv_change(self) -> float: ...

class RetentionSensitivity:
    @property
    def retention(self) -> float: ...
    @property
    def retention_after(self) -> float: ...
    @property
    def clv(self) -> float: ...
    @property
    def clv_after(self) -> float: ...
    @property
    def change(self) -> float: ...

class ClvGroup:
    @property
    def group(self) -> str: ...
    @property
    def customers(self) -> int: ...
    @property
    def clv(self) -> float: ...
    @property
    def mean_clv(self) -> float: ...
    @property
    def discounted_margin(self) -> float: ...
    @property
    def with_npv(self) -> int: ...
    @property
    def npv(self) -> float: ...
    @property
    def mean_npv(self) -> Optional[float]: ...

class Clv(Table):
    """customer_id, in_base, purchases_per_year, average_purchase, yearly_revenue,
    yearly_margin, clv, discounted_margin, acquisition_cost, npv."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def duration_years(self) -> float: ...
    @property
    def retention_rate(self) -> Optional[float]: ...
    @property
    def discount_rate(self) -> float: ...
    @property
    def by_segment(self) -> Table: ...
    @property
    def by_channel(self) -> Table: ...
    @property
    def portfolio(self) -> ClvGroup: ...
    @property
    def scenario(self) -> Scenario: ...

class Report:
    """The customer-base report as of a date."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def customers(self) -> int: ...
    @property
    def buyers(self) -> int: ...
    @property
    def transactions(self) -> int: ...
    @property
    def excluded_after_as_of(self) -> int: ...
    @property
    def revenue(self) -> float: ...
    @property
    def margin(self) -> Optional[float]: ...
    @property
    def purchases_per_year(self) -> float: ...
    @property
    def average_purchase(self) -> float: ...
    @property
    def lifecycle(self) -> Dict[str, int]: ...
    @property
    def flows(self) -> Optional[Flows]: ...
    @property
    def migration(self) -> Optional[Migration]: ...
    @property
    def caveats(self) -> List[Dict[str, Any]]: ...
    @property
    def clv_duration_years(self) -> Optional[float]: ...
    @property
    def mean_clv(self) -> Optional[float]: ...
    def to_markdown(self) -> str: ...
    def to_html(self) -> str: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...

def simple_clv(purchases_per_year: float, average_purchase: float, duration_years: float) -> float: ...
def discounted_clv(yearly_margin: float, duration_years: float, discount_rate: float = 0.1) -> float: ...
def retention_clv(margin: float, retention: float, discount_rate: float = 0.1) -> float: ...
def retention_sensitivity(
    margin: float, retention: float, discount_rate: float = 0.1, delta: float = 0.05, *, relative: bool = True
) -> RetentionSensitivity: ...
def compare_scenarios(before: Scenario, after: Scenario) -> ScenarioComparison: ...

# Private helpers of crm.lifetimes (models: "bgnbd", "mbgnbd", "paretonbd", "bgbb", "gammagamma").
def _fit_model(
    model: str,
    a: np.ndarray,
    b: np.ndarray,
    c: Optional[np.ndarray] = None,
    weights: Optional[np.ndarray] = None,
    initial: Optional[Sequence[float]] = None,
    penalizer: float = 0.0,
    max_iterations: int = 500,
    tolerance: float = 1e-10,
) -> Tuple[List[str], List[float], List[float], float, float, int, bool]: ...
def _predict(
    model: str,
    params: Sequence[float],
    what: str,
    t: np.ndarray,
    x: Optional[np.ndarray] = None,
    tx: Optional[np.ndarray] = None,
    big_t: Optional[np.ndarray] = None,
    n: Optional[np.ndarray] = None,
) -> np.ndarray: ...
def _customer_lifetime_value(
    model: str,
    params: Sequence[float],
    gg_params: Sequence[float],
    x: np.ndarray,
    tx: np.ndarray,
    big_t: np.ndarray,
    monetary_value: np.ndarray,
    months: int,
    discount: float,
    units_per_month: float,
) -> np.ndarray: ...
def _rfm_summary(
    base: CustomerBase, observation_end: Any, days_per_unit: float = 1.0
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
def _simulate(
    model: str, params: Sequence[float], ages: np.ndarray, seed: int
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...

# Prediction intervals (crm.lifetimes ``..._interval`` methods; models as above and "sbg").
def _parameter_covariance(
    model: str,
    params: Sequence[float],
    a: np.ndarray,
    b: Optional[np.ndarray] = None,
    c: Optional[np.ndarray] = None,
    weights: Optional[np.ndarray] = None,
) -> Tuple[List[str], List[List[float]], List[List[float]], List[float]]: ...
def _predict_interval(
    model: str,
    params: Sequence[float],
    what: str,
    a: np.ndarray,
    b: Optional[np.ndarray] = None,
    c: Optional[np.ndarray] = None,
    weights: Optional[np.ndarray] = None,
    x: Optional[np.ndarray] = None,
    tx: Optional[np.ndarray] = None,
    big_t: Optional[np.ndarray] = None,
    monetary_value: Optional[np.ndarray] = None,
    horizon: float = 0.0,
    method: str = "normal",
    draws: int = 500,
    levels: Optional[Sequence[float]] = None,
    seed: int = 0,
    penalizer: float = 0.0,
) -> Tuple[np.ndarray, List[np.ndarray]]: ...
def _clv_interval(
    model: str,
    params: Sequence[float],
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    weights: Optional[np.ndarray],
    gg_params: Sequence[float],
    gg_x: np.ndarray,
    gg_m: np.ndarray,
    gg_weights: Optional[np.ndarray],
    x: np.ndarray,
    tx: np.ndarray,
    big_t: np.ndarray,
    monetary_value: np.ndarray,
    months: int = 12,
    discount: float = 0.01,
    units_per_month: float = 30.0,
    method: str = "normal",
    draws: int = 500,
    levels: Optional[Sequence[float]] = None,
    seed: int = 0,
) -> Tuple[np.ndarray, List[np.ndarray]]: ...

# Funnels, variant tests, scoring, NPS and processes.

class Proportion:
    """A proportion with its Wilson interval."""

    @property
    def successes(self) -> int: ...
    @property
    def trials(self) -> int: ...
    @property
    def rate(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...

class Difference:
    """b - a with its Newcombe interval, z test and lift."""

    @property
    def a(self) -> Proportion: ...
    @property
    def b(self) -> Proportion: ...
    @property
    def difference(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def z(self) -> float: ...
    @property
    def p_value(self) -> float: ...
    @property
    def lift(self) -> Optional[float]: ...

def wilson(successes: int, trials: int, confidence: float = 0.95) -> Proportion: ...
def compare_proportions(
    a_successes: int, a_trials: int, b_successes: int, b_trials: int, confidence: float = 0.95
) -> Difference: ...
def sample_size(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> Optional[int]: ...
def compare_variants(
    variants: Sequence[Union[Tuple[str, int, int], Mapping[str, Any]]],
    control: int = 0,
    *,
    value_per_conversion: float = 0.0,
    cost_per_customer: float = 0.0,
    cost_per_conversion: float = 0.0,
    confidence: float = 0.95,
) -> Table:
    """One row per variant: name, customers, conversions, rate, low, high, difference,
    difference_low, difference_high, z, p_value, lift, incremental_conversions,
    incremental_value, cost, net_effect, roi, break_even_uplift, sample_size_needed."""

class FunnelTable(Table):
    """Steps of a funnel: [group,] step, name, entered, converted, dropped, in_progress,
    rate_from_previous, low, high, rate_from_first, median_days, q1_days, q3_days."""

    @property
    def funnel(self) -> str: ...
    @property
    def by(self) -> Optional[str]: ...
    @property
    def outcomes(self) -> List[Dict[str, int]]:
        """Per row: outcome -> customers (the branches taken)."""
    @property
    def time_histograms(self) -> List[List[int]]: ...
    @property
    def time_buckets(self) -> List[str]: ...

class Process:
    """A process definition (dialogs, KPIs, target group)."""

    @staticmethod
    def from_toml(text: str) -> "Process": ...
    @staticmethod
    def from_json(data: Definition) -> "Process": ...
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def objective(self) -> str: ...
    @property
    def dialogs(self) -> List[str]: ...
    def log_kind(self, dialog: str) -> str: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...

def process_examples() -> List[Process]:
    """P:1 Get prospects via www, P:2 Invitation to events."""

class DueActions:
    """``due`` and ``blocked`` tables: customer_id, process, dialog, name, trigger_date,
    due_date, channel, responsible, done_by, reminder."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def due(self) -> Table: ...
    @property
    def blocked(self) -> Table: ...

class Scores:
    """Scores per customer and the ranked work list (customer_id, rank, score, one column
    per rule)."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def scores(self) -> np.ndarray: ...
    @property
    def work_list(self) -> Table: ...
    @property
    def contributions(self) -> List[List[Tuple[str, float]]]: ...
    def score_of(self, customer_id: Any) -> float: ...

class PlanComparison:
    @property
    def system(self) -> int: ...
    @property
    def manual(self) -> int: ...
    @property
    def overlap(self) -> int: ...
    @property
    def system_median(self) -> float: ...
    @property
    def manual_median(self) -> float: ...
    @property
    def system_above_manual_median(self) -> int: ...
    @property
    def manual_above_system_median(self) -> int: ...

def compare_plans(scores: Scores, system_ids: Sequence[Any], manual_ids: Sequence[Any]) -> PlanComparison: ...

class Nps:
    """Promoters (9-10) minus detractors (0-6), in points, with its interval."""

    @property
    def responses(self) -> int: ...
    @property
    def promoters(self) -> int: ...
    @property
    def passives(self) -> int: ...
    @property
    def detractors(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...

class NpsChange:
    @property
    def change(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...

def nps(scores: Union[Sequence[int], np.ndarray], confidence: float = 0.95) -> Nps: ...
def nps_change(a: Nps, b: Nps, confidence: float = 0.95) -> NpsChange: ...
