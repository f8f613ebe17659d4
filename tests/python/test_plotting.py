"""Plotting helpers render headlessly (MPLBACKEND=Agg) and draw the right data."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import crm  # noqa: E402
from crm import plotting  # noqa: E402

TEN = {"customer_id": list(range(1, 11)), "date": ["2024-06-01"] * 10, "amount": [100.0 * i for i in range(1, 11)]}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def is_png(path):
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_pareto_curve(tmp_path):
    seg = crm.CustomerBase.from_transactions(TEN).segments("2024-12-31")
    ax = plotting.pareto_curve(seg)
    line = ax.get_lines()[0]
    x, y = line.get_xdata(), line.get_ydata()
    assert x[0] == 0 and x[-1] == 1
    assert y[-1] == pytest.approx(1.0)
    # After the top 20 % (customers 10 and 9): 1900 of 5500.
    assert y[2] == pytest.approx(1900 / 5500)
    assert np.all(np.diff(y) >= 0)
    texts = [t.get_text() for t in ax.texts]
    assert any("top: 20% of customers" in t for t in texts)
    path = tmp_path / "pareto.png"
    ax.figure.savefig(path)
    assert is_png(path)


def test_lifecycle_bar(tmp_path):
    base = crm.sample(400, seed=2).base()
    lc = base.lifecycle()
    ax = plotting.lifecycle_bar(lc)
    heights = [p.get_height() for p in ax.patches]
    assert heights == list(lc.counts.values())
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "won back"
    path = tmp_path / "lifecycle.png"
    ax.figure.savefig(path)
    assert is_png(path)
    _, own = plt.subplots()
    assert plotting.lifecycle_bar(lc, ax=own, skip_empty=True) is own


def test_pareto_of_a_real_base(tmp_path):
    seg = crm.sample(2000, seed=4).base().segments(by="profit")
    ax = crm.plotting.pareto_curve(seg, annotate=False)
    path = tmp_path / "pareto_profit.png"
    ax.figure.savefig(path)
    assert is_png(path)


def test_flow_waterfall(tmp_path):
    base = crm.sample(800, seed=5).base()
    end = base.last_date
    f = base.flows(end.replace(year=end.year - 1), end)
    ax = plotting.flow_waterfall(f)
    patches = ax.patches
    assert len(patches) == 5
    heights = [p.get_height() for p in patches]
    assert heights == [f.base_at_start, f.new, f.won_back, f.lost, f.base_at_end]
    # The lost bar hangs from the level reached after new and won back.
    assert patches[3].get_y() == f.base_at_start + f.new + f.won_back - f.lost
    path = tmp_path / "flows.png"
    ax.figure.savefig(path)
    assert is_png(path)


def test_migration_heatmap(tmp_path):
    base = crm.sample(800, seed=5).base()
    end = base.last_date
    m = base.migration(end.replace(year=end.year - 1), end)
    ax = plotting.migration_heatmap(m)
    assert len(ax.texts) == len(m.states) ** 2
    path = tmp_path / "migration.png"
    ax.figure.savefig(path)
    assert is_png(path)
    ax = plotting.migration_heatmap(m, rates=False)
    assert ax.texts[0].get_text() == str(int(m.counts[0, 0]))
