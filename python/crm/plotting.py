"""Plotting helpers (matplotlib is an optional extra: ``pip install 'crm-engine[plot]'``).

Each function draws on ``ax`` (a new figure when None) and returns the Axes, so it can be
styled further or saved: ``pareto_curve(base.segments()).figure.savefig("pareto.png")``.
matplotlib is imported only when a function is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from crm._crm import Flows, FunnelTable, Lifecycle, Migration, Segments

__all__ = ["pareto_curve", "lifecycle_bar", "flow_waterfall", "migration_heatmap", "funnel_chart"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("crm.plotting needs matplotlib: pip install 'crm-engine[plot]'") from e
    return plt


def _axes(ax: Optional["Axes"], figsize: tuple) -> "Axes":
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=figsize)
    return ax


def pareto_curve(segments: "Segments", ax: Optional["Axes"] = None, *, annotate: bool = True) -> "Axes":
    """The Pareto curve of a segmentation: cumulative share of value against the cumulative
    share of ranked customers (most valuable first), with the top / middle / bottom
    boundaries marked and, when ``annotate``, the share of value each boundary holds.

    Only ranked customers (with a transaction in the value window) are on the curve; value
    shares are of their positive value, so the curve ends at 1 when no value is negative.
    """
    import numpy as np

    rank = np.asarray(segments["rank"], dtype=float)
    value = np.asarray(segments["value"], dtype=float)
    ranked = ~np.isnan(rank)
    order = np.argsort(rank[ranked], kind="stable")
    v = value[ranked][order]
    n = len(v)
    ax = _axes(ax, (6.0, 4.5))
    total = v[v > 0].sum() if n else 0.0
    x = np.concatenate([[0.0], np.arange(1, n + 1) / max(n, 1)])
    y = np.concatenate([[0.0], np.cumsum(v) / total]) if total > 0 else np.zeros(n + 1)
    ax.plot(x, y, color="C0", linewidth=2, label=f"cumulative {segments.by}")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="equal value")
    counts = segments.segment_table["customers"]
    names = list(segments.segment_table.to_pydict()["segment"])
    boundary = 0
    for name, count in zip(names[:-1], counts[:-1]):
        boundary += int(count)
        if n == 0:
            break
        bx, by = boundary / n, y[boundary]
        ax.axvline(bx, color="C1", linestyle="--", linewidth=1)
        if annotate:
            ax.annotate(
                f"{name}: {bx:.0%} of customers,\n{by:.0%} of {segments.by}",
                xy=(bx, by),
                xytext=(6, -28),
                textcoords="offset points",
                fontsize=8,
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(min(0.0, float(y.min())) if n else 0.0, max(1.0, float(y.max())) * 1.02 if n else 1.0)
    ax.set_xlabel("share of customers (ranked by value)")
    ax.set_ylabel(f"cumulative share of {segments.by}")
    ax.set_title(f"Pareto curve as of {segments.as_of}")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def lifecycle_bar(lifecycle: "Lifecycle", ax: Optional["Axes"] = None, *, skip_empty: bool = False) -> "Axes":
    """Customers per lifecycle stage as a bar chart, stages in lifecycle order (prospect,
    new, starter, active, declining, lost, reactivated, won back), each bar labelled with
    its count. ``skip_empty`` leaves out stages nobody is in."""
    counts = lifecycle.counts
    stages = [s for s in counts if counts[s] or not skip_empty]
    values = [counts[s] for s in stages]
    ax = _axes(ax, (7.0, 4.0))
    bars = ax.bar([s.replace("_", " ") for s in stages], values, color=[f"C{i}" for i in range(len(stages))])
    ax.bar_label(bars, labels=[str(v) for v in values], fontsize=8)
    ax.set_ylabel("customers")
    ax.set_title(f"Lifecycle stages as of {lifecycle.as_of}")
    ax.tick_params(axis="x", labelrotation=30)
    return ax


def flow_waterfall(flows: "Flows", ax: Optional["Axes"] = None) -> "Axes":
    """The flows of a period as a waterfall: the base at the start, + new, + won back,
    - lost, and the base at the end, each bar labelled with its count."""
    steps = [("base at start", flows.base_at_start), ("new", flows.new), ("won back", flows.won_back)]
    steps.append(("lost", -flows.lost))
    ax = _axes(ax, (7.0, 4.0))
    level = 0
    labels, bottoms, heights, colors = [], [], [], []
    for i, (name, value) in enumerate(steps):
        if i == 0:
            bottoms.append(0)
            heights.append(value)
            colors.append("C0")
            level = value
        else:
            bottoms.append(level + min(value, 0))
            heights.append(abs(value))
            colors.append("C2" if value >= 0 else "C3")
            level += value
        labels.append(name)
    labels.append("base at end")
    bottoms.append(0)
    heights.append(flows.base_at_end)
    colors.append("C0")
    bars = ax.bar(labels, heights, bottom=bottoms, color=colors)
    signs = ["", "+", "+", "-", ""]
    ax.bar_label(bars, labels=[f"{s}{h}" for s, h in zip(signs, heights)], fontsize=8)
    ax.set_ylabel("customers")
    ax.set_title(f"Customer flows {flows.start} .. {flows.end}")
    return ax


def migration_heatmap(migration: "Migration", ax: Optional["Axes"] = None, *, rates: bool = True) -> "Axes":
    """A migration matrix as a heat map (rows: state at ``from_date``, columns: state at
    ``to_date``), each cell labelled with its rate (``rates=True``) or count."""
    import numpy as np

    values = np.asarray(migration.rates if rates else migration.counts, dtype=float)
    states = [s.replace("_", " ") for s in migration.states]
    ax = _axes(ax, (6.5, 5.5))
    image = ax.imshow(values, cmap="Blues", vmin=0.0, vmax=1.0 if rates else max(float(values.max()), 1.0))
    ax.set_xticks(range(len(states)))
    ax.set_xticklabels(states, rotation=30, ha="right")
    ax.set_yticks(range(len(states)))
    ax.set_yticklabels(states)
    threshold = 0.5 * (1.0 if rates else max(float(values.max()), 1.0))
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            text = f"{values[i, j]:.0%}" if rates else f"{int(values[i, j])}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if values[i, j] > threshold else "black")
    ax.set_xlabel(f"state at {migration.to_date}")
    ax.set_ylabel(f"state at {migration.from_date}")
    ax.set_title("Migration " + ("rates" if rates else "counts"))
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def funnel_chart(funnel: "FunnelTable", ax: Optional["Axes"] = None, *, group: Optional[str] = None) -> "Axes":
    """A funnel as horizontal bars, first step on top: customers entering each step, each
    bar labelled with the count, the conversion from the previous step (with its interval)
    and, in a lighter bar, the customers still in progress. For a breakdown (``by=``),
    ``group`` picks one group (default: the first)."""
    data = funnel.to_pydict()
    rows = list(range(len(data["name"])))
    if "group" in data:
        groups = data["group"]
        wanted = group if group is not None else (groups[0] if groups else None)
        rows = [i for i in rows if groups[i] == wanted]
    elif group is not None:
        raise ValueError("group= needs a funnel broken down with by=")
    names = [data["name"][i] for i in rows]
    entered = [data["entered"][i] for i in rows]
    progress = [data["in_progress"][i] for i in rows]
    ax = _axes(ax, (7.0, 0.8 + 0.7 * max(len(rows), 1)))
    y = list(range(len(rows)))[::-1]
    widest = max(entered + [1])
    lefts = [(widest - e) / 2 for e in entered]
    bars = ax.barh(y, entered, left=lefts, color="C0", height=0.6)
    ax.barh(y, progress, left=[l + e for l, e in zip(lefts, entered)], color="C0", alpha=0.3, height=0.6)
    labels = []
    for k, i in enumerate(rows):
        rate = data["rate_from_previous"][i]
        text = f"{entered[k]}"
        if rate is not None:
            text += f"  ({rate:.0%}, {data['low'][i]:.0%}-{data['high'][i]:.0%})"
        labels.append(text)
    ax.bar_label(bars, labels=labels, label_type="center", color="white", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_xticks([])
    title = f"Funnel {funnel.funnel}"
    if "group" in data and rows:
        title += f" ({funnel.by} = {data['group'][rows[0]]})"
    ax.set_title(title)
    return ax
