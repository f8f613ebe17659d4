"""lifetimes' plots (same functions, arguments, titles and labels), drawn with matplotlib
from numbers the engine computes. Each returns the matplotlib Axes it drew on."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pandas as pd

from crm.lifetimes._arrays import asarray
from crm.lifetimes.utils import calculate_alive_path, expected_cumulative_transactions

__all__ = [
    "plot_period_transactions",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_frequency_recency_matrix",
    "plot_probability_alive_matrix",
    "plot_expected_repeat_purchases",
    "plot_history_alive",
    "plot_cumulative_transactions",
    "plot_incremental_transactions",
    "plot_transaction_rate_heterogeneity",
    "plot_dropout_rate_heterogeneity",
]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("crm.lifetimes.plotting needs matplotlib: pip install 'crm-engine[plot]'") from e
    return plt


def plot_period_transactions(
    model: Any,
    max_frequency: int = 7,
    title: str = "Frequency of Repeat Transactions",
    xlabel: str = "Number of Calibration Period Transactions",
    ylabel: str = "Customers",
    **kwargs: Any,
) -> Any:
    """Customers by number of repeat transactions: the fitted data next to the model's
    expected counts, for the first ``max_frequency`` frequencies; ``label`` names the two
    bar groups. The model's counts are exact (the sum over the fitted customers of the
    probability of each count at their age) for BG/NBD and MBG/NBD; for other models they
    come from one simulation of as many customers (``model.generate_new_data``), as
    lifetimes draws them for every model."""
    plt = _pyplot()
    labels = kwargs.pop("label", ["Actual", "Model"])
    weights = model.data["weights"] if "weights" in model.data else pd.Series(1.0, index=model.data.index)
    actual = weights.groupby(model.data["frequency"]).sum().sort_index().iloc[:max_frequency]
    ks = np.union1d(asarray(actual.index, dtype=float), np.arange(max_frequency, dtype=float))[:max_frequency]
    exact, age = getattr(model, "probability_of_n_purchases_up_to_time", None), "T"
    if exact is None and "n_periods" in model.data:  # BG/BB: opportunities for ages
        exact, age = getattr(model, "_probability_of_transactions", None), "n_periods"
    if exact is not None:
        ages = weights.groupby(model.data[age]).sum()
        t_grid, k_grid = np.meshgrid(asarray(ages.index, dtype=float), ks, indexing="ij")
        p = asarray(exact(t_grid.reshape(-1), k_grid.reshape(-1)), dtype=float)
        expected = (p.reshape(t_grid.shape) * ages.to_numpy(dtype=float)[:, None]).sum(axis=0)
        modelled = pd.Series(expected, index=ks)
    else:
        simulated = model.generate_new_data(size=model.data.shape[0])
        modelled = simulated["frequency"].value_counts().sort_index().iloc[:max_frequency]
    counts = pd.concat([actual.rename("a"), modelled.rename("m")], axis=1).sort_index().fillna(0)
    ax = kwargs.pop("ax", None)
    if ax is None:
        _, ax = plt.subplots()
    positions = np.arange(len(counts))
    width = 0.25
    ax.bar(positions - width / 2, counts["a"].to_numpy(), width, label=labels[0], **kwargs)
    ax.bar(positions + width / 2, counts["m"].to_numpy(), width, label=labels[1], **kwargs)
    ax.set_xticks(positions)
    ax.set_xticklabels([f"{v:g}" for v in counts.index], rotation=90)
    ax.legend()
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    return ax


def plot_calibration_purchases_vs_holdout_purchases(
    model: Any, calibration_holdout_matrix: pd.DataFrame, kind: str = "frequency_cal", n: int = 7, **kwargs: Any
) -> Any:
    """Mean actual holdout purchases next to the model's prediction, by ``kind``
    (frequency_cal, recency_cal, T_cal or time_since_last_purchase), for the first ``n``
    values."""
    plt = _pyplot()
    x_labels = {
        "frequency_cal": "Purchases in calibration period",
        "recency_cal": "Age of customer at last purchase",
        "T_cal": "Age of customer at the end of calibration period",
        "time_since_last_purchase": "Time since user made last purchase",
    }
    if kind not in x_labels:
        raise ValueError(f"kind must be one of {sorted(x_labels)}")
    summary = calibration_holdout_matrix.copy()
    duration_holdout = summary.iloc[0]["duration_holdout"]
    summary["model_predictions"] = model.conditional_expected_number_of_purchases_up_to_time(
        duration_holdout, summary["frequency_cal"], summary["recency_cal"], summary["T_cal"]
    )
    if kind == "time_since_last_purchase":
        summary["time_since_last_purchase"] = summary["T_cal"] - summary["recency_cal"]
    means = summary.groupby(kind)[["frequency_holdout", "model_predictions"]].mean().iloc[:n]
    ax = kwargs.pop("ax", None)
    if ax is None:
        _, ax = plt.subplots()
    for column in means.columns:
        ax.plot(means.index.to_numpy(), means[column].to_numpy(), label=column, **kwargs)
    ax.set_title("Actual Purchases in Holdout Period vs Predicted Purchases")
    ax.set_xlabel(x_labels[kind])
    ax.set_ylabel("Average of Purchases in Holdout Period")
    ax.legend()
    return ax


def _matrix_plot(z: np.ndarray, title: str, xlabel: str, ylabel: str, kwargs: dict) -> Any:
    plt = _pyplot()
    interpolation = kwargs.pop("interpolation", "none")
    ax = plt.subplot(111)
    image = ax.imshow(z, interpolation=interpolation, **kwargs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    extent = image.get_extent()
    ax.set_aspect(abs((extent[1] - extent[0]) / (extent[3] - extent[2])))
    plt.colorbar(image, ax=ax)
    return ax


def plot_frequency_recency_matrix(
    model: Any,
    T: float = 1,
    max_frequency: Optional[int] = None,
    max_recency: Optional[int] = None,
    title: Optional[str] = None,
    xlabel: str = "Customer's Historical Frequency",
    ylabel: str = "Customer's Recency",
    **kwargs: Any,
) -> Any:
    """Expected purchases in the next ``T`` periods for every whole (recency, frequency) of
    a customer aged ``max_recency`` (default: the largest T), as an image: rows recency,
    columns frequency."""
    if max_frequency is None:
        max_frequency = int(model.data["frequency"].max())
    if max_recency is None:
        max_recency = int(model.data["T"].max())
    recency, frequency = np.meshgrid(
        np.arange(max_recency + 1, dtype=float), np.arange(max_frequency + 1, dtype=float), indexing="ij"
    )
    z = model.conditional_expected_number_of_purchases_up_to_time(
        np.full(frequency.shape, float(T)), frequency, recency, np.full(frequency.shape, float(max_recency))
    )
    z = asarray(z, dtype=float).reshape(frequency.shape)
    if title is None:
        title = "Expected Number of Future Purchases for {} Unit{} of Time,".format(T, "s"[T == 1 :])
        title += "\nby Frequency and Recency of a Customer"
    return _matrix_plot(z, title, xlabel, ylabel, kwargs)


def plot_probability_alive_matrix(
    model: Any,
    max_frequency: Optional[int] = None,
    max_recency: Optional[int] = None,
    title: str = "Probability Customer is Alive,\nby Frequency and Recency of a Customer",
    xlabel: str = "Customer's Historical Frequency",
    ylabel: str = "Customer's Recency",
    **kwargs: Any,
) -> Any:
    """``model.conditional_probability_alive_matrix`` as an image."""
    z = model.conditional_probability_alive_matrix(max_frequency, max_recency)
    return _matrix_plot(z, title, xlabel, ylabel, kwargs)


def plot_expected_repeat_purchases(
    model: Any,
    title: str = "Expected Number of Repeat Purchases per Customer",
    xlabel: str = "Time Since First Purchase",
    ax: Any = None,
    label: Optional[str] = None,
    **kwargs: Any,
) -> Any:
    """Expected repeat purchases of a new customer over time: solid up to the largest
    observed T, dashed on to 1.5 times it."""
    plt = _pyplot()
    if ax is None:
        ax = plt.subplot(111)
    color = kwargs.pop("c", None)
    color = kwargs.pop("color", None) if color is None else color
    max_t = float(model.data["T"].max())
    times = np.linspace(0, max_t, 100)
    (solid,) = ax.plot(times, model.expected_number_of_purchases_up_to_time(times), color=color, label=label, **kwargs)
    times = np.linspace(max_t, 1.5 * max_t, 100)
    ax.plot(times, model.expected_number_of_purchases_up_to_time(times), color=solid.get_color(), ls="--", **kwargs)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if label is not None:
        ax.legend(loc="lower right")
    return ax


def plot_history_alive(
    model: Any,
    t: int,
    transactions: pd.DataFrame,
    datetime_col: str,
    freq: str = "D",
    start_date: Any = None,
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """One customer's P(alive) over ``t`` periods from their first purchase, with their
    purchases marked."""
    plt = _pyplot()
    dates = pd.to_datetime(transactions[datetime_col])
    if start_date is None:
        start_date = dates.min()
    if ax is None:
        ax = plt.subplot(111)
    per_period = pd.Series(1, index=pd.DatetimeIndex(dates)).resample(freq).sum()
    path = calculate_alive_path(model, transactions, datetime_col, t, freq)
    path_dates = pd.date_range(start=dates.min(), periods=len(path), freq=freq)
    ax.plot(path_dates, path.to_numpy(), "-", label="P_alive", **kwargs)
    purchases = per_period[per_period >= 1].index
    ax.vlines(purchases.values, ymin=0, ymax=1, colors="r", linestyles="dashed", label="purchases")
    ax.set_ylim(0, 1.0)
    ax.set_yticks(np.arange(0, 1.1, 0.1))
    ax.set_xlim(start_date, path_dates[-1])
    ax.legend(loc=3)
    ax.set_ylabel("P_alive")
    ax.set_title("History of P_alive")
    return ax


def _tracking_plot(
    frame: pd.DataFrame, t_cal: float, set_index_date: bool, title: str, xlabel: str, ylabel: str, ax: Any, kwargs: dict
) -> Any:
    plt = _pyplot()
    if ax is None:
        ax = plt.subplot(111)
    x = frame.index.to_timestamp() if set_index_date else asarray(frame.index)
    for column in frame.columns:
        ax.plot(x, frame[column].to_numpy(), label=column, **kwargs)
    ax.set_title(title)
    ax.legend()
    if set_index_date:
        x_vline = frame.index[int(t_cal)].to_timestamp()
        xlabel = "date"
    else:
        x_vline = t_cal
    ax.axvline(x=x_vline, color="r", linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_cumulative_transactions(
    model: Any,
    transactions: pd.DataFrame,
    datetime_col: str,
    customer_id_col: str,
    t: int,
    t_cal: float,
    datetime_format: Optional[str] = None,
    freq: str = "D",
    set_index_date: bool = False,
    title: str = "Tracking Cumulative Transactions",
    xlabel: str = "day",
    ylabel: str = "Cumulative Transactions",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Actual against predicted cumulative repeat transactions
    (:func:`~crm.lifetimes.utils.expected_cumulative_transactions`), the end of the
    calibration period ``t_cal`` marked."""
    frame = expected_cumulative_transactions(
        model,
        transactions,
        datetime_col,
        customer_id_col,
        t,
        datetime_format=datetime_format,
        freq=freq,
        set_index_date=set_index_date,
    )
    return _tracking_plot(frame, t_cal, set_index_date, title, xlabel, ylabel, ax, kwargs)


def plot_incremental_transactions(
    model: Any,
    transactions: pd.DataFrame,
    datetime_col: str,
    customer_id_col: str,
    t: int,
    t_cal: float,
    datetime_format: Optional[str] = None,
    freq: str = "D",
    set_index_date: bool = False,
    title: str = "Tracking Daily Transactions",
    xlabel: str = "day",
    ylabel: str = "Transactions",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """As :func:`plot_cumulative_transactions`, per period rather than cumulated."""
    frame = expected_cumulative_transactions(
        model,
        transactions,
        datetime_col,
        customer_id_col,
        t,
        datetime_format=datetime_format,
        freq=freq,
        set_index_date=set_index_date,
    )
    frame = frame.astype(float).diff()
    return _tracking_plot(frame, t_cal, set_index_date, title, xlabel, ylabel, ax, kwargs)


# -- the mixing distributions: densities and 99% quantiles without scipy ------------------


def _gamma_cdf(a: float, x: float) -> float:
    """Regularised lower incomplete gamma P(a, x): series for x < a + 1, else the
    continued fraction (Numerical Recipes' gser / gcf)."""
    if x <= 0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        k = a
        for _ in range(10_000):
            k += 1
            term *= x / k
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return total * math.exp(log_front)
    b, c, d = x + 1 - a, 1e300, 1 / (x + 1 - a)
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return 1.0 - math.exp(log_front) * h


def _beta_cdf(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) by its continued fraction (Lentz)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _beta_cdf(b, a, 1.0 - x)
    log_front = a * math.log(x) + b * math.log1p(-x) - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1e-300 if abs(d) < 1e-300 else d
    d = 1 / d
    h = d
    for m in range(1, 10_000):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + num * d
            d = 1e-300 if abs(d) < 1e-300 else d
            c = 1 + num / c
            c = 1e-300 if abs(c) < 1e-300 else c
            d = 1 / d
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return math.exp(log_front) * h / a


def _quantile(cdf: Any, p: float, hi: float) -> float:
    """The p-quantile of a continuous distribution on [0, inf) by bisection."""
    lo = 0.0
    while cdf(hi) < p:
        lo, hi = hi, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _heterogeneity_plot(
    x: np.ndarray,
    y: np.ndarray,
    suptitle: str,
    title: str,
    xlabel: str,
    ylabel: str,
    suptitle_fontsize: int,
    kwargs: dict,
) -> Any:
    plt = _pyplot()
    fig, ax = plt.subplots(1)
    fig.suptitle(suptitle, fontsize=suptitle_fontsize, fontweight="bold")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout(rect=[0, 0.03, 1, 0.95])
    ax.plot(x, y, **kwargs)
    return ax


def plot_transaction_rate_heterogeneity(
    model: Any,
    suptitle: str = "Heterogeneity in Transaction Rate",
    xlabel: str = "Transaction Rate",
    ylabel: str = "Density",
    suptitle_fontsize: int = 14,
    **kwargs: Any,
) -> Any:
    """The density of the customers' purchase rates, Gamma(r, alpha), up to its 99th
    percentile, titled with its mean and variance."""
    r, alpha = (float(v) for v in model._unload_params("r", "alpha"))
    top = _quantile(lambda v: _gamma_cdf(r, v * alpha), 0.99, max(r / alpha, 1e-12) * 4)
    x = np.linspace(0, top, 100)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.exp(r * np.log(alpha) + (r - 1) * np.log(x) - alpha * x - math.lgamma(r))
    if r < 1:
        y[x == 0] = np.inf
    title = "mean: {:.3f}, var: {:.3f}".format(r / alpha, r / alpha**2)
    return _heterogeneity_plot(x, y, suptitle, title, xlabel, ylabel, suptitle_fontsize, kwargs)


def plot_dropout_rate_heterogeneity(
    model: Any,
    suptitle: str = "Heterogeneity in Dropout Probability",
    xlabel: str = "Dropout Probability p",
    ylabel: str = "Density",
    suptitle_fontsize: int = 14,
    **kwargs: Any,
) -> Any:
    """The density of the customers' dropout probabilities, Beta(a, b), up to its 99th
    percentile, titled with its mean and variance."""
    a, b = (float(v) for v in model._unload_params("a", "b"))
    top = min(_quantile(lambda v: _beta_cdf(a, b, v), 0.99, 0.5), 1.0)
    x = np.linspace(0, top, 100)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.exp(
            (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
        )
    if a < 1:
        y[x == 0] = np.inf
    title = "mean: {:.3f}, var: {:.3f}".format(a / (a + b), a * b / ((a + b) ** 2) / (a + b + 1))
    return _heterogeneity_plot(x, y, suptitle, title, xlabel, ylabel, suptitle_fontsize, kwargs)
