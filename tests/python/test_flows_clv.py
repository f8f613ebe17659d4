"""Flows, migration, CLV and the report on the hand-worked base of crm-core/tests/flows.rs."""

import json

import numpy as np
import pytest

import crm
from conftest import d

ROWS = [
    ("stay", "2023-06-01", 10.0),
    ("stay", "2024-03-01", 20.0),
    ("lost", "2023-03-01", 30.0),
    ("new_a", "2024-02-01", 40.0),
    ("new_a", "2024-05-01", 50.0),
    ("new_s", "2024-09-01", 60.0),
    ("wb", "2022-01-01", 5.0),
    ("wb", "2024-06-01", 80.0),
    ("lapse", "2023-01-15", 7.0),
    ("lapse", "2024-06-01", 70.0),
    ("gone", "2021-01-01", 3.0),
]


def table(rows):
    return {
        "customer_id": [r[0] for r in rows],
        "date": [r[1] for r in rows],
        "amount": [r[2] for r in rows],
    }


@pytest.fixture
def base():
    return crm.CustomerBase.from_transactions(table(ROWS))


def test_every_flow_by_hand(base):
    f = base.flows("2024-01-01", "2025-01-01")
    assert (f.base_at_start, f.new, f.won_back, f.lost, f.base_at_end) == (3, 2, 1, 1, 5)
    assert f.balances()
    assert (f.new_active, f.new_starters) == (1, 1)
    assert (f.lost_and_won_back, f.new_and_lost, f.won_back_and_lost) == (1, 0, 0)
    assert f.churn_rate == pytest.approx(1 / 3)
    assert f.retention_rate == pytest.approx(2 / 3)
    assert f.duration_years == pytest.approx(4.0 / (365.25 / 366.0))
    assert f.start == d("2024-01-01") and f.end == d("2025-01-01")
    assert f.new_value.revenue == 150.0
    assert f.won_back_value.revenue == 80.0
    assert f.lost_value.revenue == 30.0
    assert f.stayed_value.revenue == 90.0
    seg = {k: v[:3] for k, v in f.by_segment.to_pydict().items()}
    assert seg["segment"] == ["top", "middle", "bottom"]
    assert f.by_segment.to_pydict()["segment"][3:] == ["unranked"]
    assert seg["base_at_start"] == [1, 1, 1]
    assert seg["lost"] == [1, 0, 0]
    assert seg["base_at_end"] == [1, 3, 1]
    assert seg["new"] == [1, 1, 0]
    assert seg["won_back"] == [0, 1, 0]
    dd = f.to_dict()
    assert dd["new_value"] == {"revenue": 150.0, "margin": 0.0}
    assert dd["base_at_end"] == 5
    assert "base_at_start=3" in repr(f)
    assert f.by_segment.to_pandas().shape == (4, 6)


def test_flows_without_segments_and_bad_config(base):
    f = base.flows(d("2024-01-01"), d("2025-01-01"), by_segment=False, duration_base="start")
    assert len(f.by_segment) == 0
    assert f.duration_years == pytest.approx(3.0 / (365.25 / 366.0))
    with pytest.raises(crm.ConfigError) as e:
        base.flows("2024-01-01", "2024-01-01")
    with pytest.raises(crm.ConfigError) as e:
        base.flows("2024-01-01", "2025-01-01", duration_base="median")
    assert e.value.field == "duration_base"


def test_monthly_series_chains_and_balances(base):
    s = base.flow_series("2024-01-01", "month", 12)
    assert len(s) == 12 and len(s.flows) == 12
    assert s.flows[1].start == d("2024-02-01")
    df = s.to_polars()
    assert df["start"][1] == d("2024-02-01")
    assert (df["base_at_end"][:-1].to_list()) == df["base_at_start"][1:].to_list()
    assert all(f.balances() for f in s.flows)
    assert int(s["lost"].sum()) == 2 and int(s["won_back"].sum()) == 2
    assert set(["churn_rate", "new_revenue", "lost_margin"]) <= set(s.columns)
    q = base.flow_series("2024-01-01", period="quarter", count=4)
    assert q.flows[-1].end == d("2025-01-01")
    with pytest.raises(crm.ConfigError):
        base.flow_series("2024-01-01", "week")
    with pytest.raises(crm.ConfigError):
        base.flow_series("2024-01-01", "month", 0)


def test_segment_migration_by_hand(base):
    m = base.migration("2023-12-31", "2024-12-31")
    assert m.states == ["not_yet_customer", "top", "middle", "bottom", "lost"]
    expected = [
        [0, 1, 1, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 1, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 1, 0, 1],
    ]
    assert m.counts.tolist() == expected
    assert m.counts.dtype == np.int64
    assert m.rates[0].tolist() == [0.0, 0.5, 0.5, 0.0, 0.0]
    assert m.rates[4, 4] == 0.5
    assert m.state_value.tolist() == [0.0, 90.0, 70.0, 20.0, 0.0]
    assert m.at_to.sum() == 7
    p = m.project(periods=3)
    assert p.shape == (4, 5)
    np.testing.assert_allclose(p.sum(axis=1), 7.0)
    assert m.counts_table().to_pydict()["top"] == [1, 0, 0, 0, 0]
    assert m.rates_table().columns[0] == "from_state"
    v = m.customer_value(discount=0.1)
    assert v.shape == (5,)
    lc = base.migration("2023-12-31", "2024-12-31", states="lifecycle")
    assert lc.counts.sum() == 7
    np.testing.assert_allclose(lc.rates.sum(axis=1), 1.0)
    with pytest.raises(crm.ConfigError):
        base.migration("2023-12-31", "2024-12-31", states="rfm")


def test_customer_value_two_states():
    # Same as the core doc example via a tiny base is hard; check the formula on a chain
    # built from a base where every state row is known.
    base = crm.CustomerBase.from_transactions(table(ROWS))
    m = base.migration("2023-12-31", "2024-12-31")
    margin = [0.0, 100.0, 50.0, 10.0, 0.0]
    v = m.customer_value(margin, 0.1)
    p = m.rates
    expected = np.linalg.solve(np.eye(5) - p / 1.1, np.array(margin))
    np.testing.assert_allclose(v, expected)


def test_clv_formulas_by_hand():
    assert crm.simple_clv(5, 1000, 2.5) == 12_500.0
    assert crm.discounted_clv(100.0, 3.0, 0.1) == pytest.approx(100 / 1.1 + 100 / 1.21 + 100 / 1.331)
    assert crm.discounted_clv(100.0, 2.5, 0.0) == 250.0
    assert crm.retention_clv(100.0, 0.5, 0.0) == pytest.approx(100.0)
    s = crm.retention_sensitivity(100.0, 0.8, 0.1, 0.05)
    assert s.retention_after == pytest.approx(0.84)
    assert s.change == pytest.approx((0.84 / 0.26) / (0.8 / 0.3) - 1)
    s = crm.retention_sensitivity(100.0, 0.8, 0.1, 0.05, relative=False)
    assert s.retention_after == pytest.approx(0.85)


def test_deck_scenario_gives_plus_56_percent():
    before = crm.Scenario(customers=830, purchases_per_year=5, average_purchase=1000, duration_years=2.5)
    after = crm.Scenario(810, 5.9, 1168, 2.9)
    c = crm.compare_scenarios(before, after)
    assert c.change == pytest.approx(16_187_428.8 / 10_375_000 - 1, abs=1e-12)
    assert f"{c.change * 100:.0f}" == "56"
    assert c.factors["average_purchase"] == pytest.approx(1.168)
    assert before.portfolio_value() == 10_375_000
    assert after.portfolio_value() == pytest.approx(16_187_428.8)
    assert c.before == before
    assert "change=+0.56" in repr(c)


def test_clv_per_customer_segment_channel_and_npv():
    tx = {
        "customer_id": ["x", "x", "y", "z"],
        "date": ["2024-06-01", "2024-12-01", "2024-10-01", "2022-01-01"],
        "amount": [100.0, 100.0, 300.0, 10.0],
        "margin": [40.0, 40.0, 90.0, 1.0],
    }
    customers = {
        "customer_id": ["x", "y", "z"],
        "acquisition_cost": [50.0, None, None],
        "acquisition_channel": ["web", "fair", None],
    }
    base = crm.CustomerBase.from_transactions(tx, margin_col="margin", customers=customers)
    r = base.clv("2024-12-31", duration_years=2.0, discount_rate=0.1)
    ppy_x = 2.0 * 365.25 / 365.0
    rows = {row["customer_id"]: row for row in r.to_pylist()}
    assert rows["x"]["purchases_per_year"] == pytest.approx(ppy_x)
    assert rows["x"]["clv"] == pytest.approx(ppy_x * 100 * 2)
    dm = crm.discounted_clv(ppy_x * 40.0, 2.0, 0.1)
    assert rows["x"]["discounted_margin"] == pytest.approx(dm)
    assert rows["x"]["npv"] == pytest.approx(dm - 50.0)
    assert rows["y"]["npv"] is None
    assert rows["z"]["in_base"] is False
    assert r.portfolio.customers == 2 and r.portfolio.with_npv == 1
    ch = {g["group"]: g for g in r.by_channel.to_pylist()}
    assert ch["web"]["mean_npv"] == pytest.approx(dm - 50.0)
    assert r.by_segment.to_pydict()["customers"] == [0, 1, 1]
    assert r.scenario.customers == 2
    assert r.duration_years == 2.0
    assert r.to_pandas().shape[0] == 3
    with pytest.raises(crm.MissingDataError):
        base.clv("2024-12-31")
    with pytest.raises(crm.ConfigError):
        base.clv("2024-12-31", duration_years=2.0, discount_rate=-1.0)


def test_clv_with_estimated_duration(base):
    r = base.clv("2024-12-31")
    assert r.duration_years == pytest.approx(base.flows("2024-01-01", "2025-01-01").duration_years)
    assert r.retention_rate == pytest.approx(2 / 3)


def test_report():
    rows = [
        ("a", "2024-02-01", 100.0),
        ("a", "2024-06-01", 200.0),
        ("a", "2024-11-01", 300.0),
        ("b", "2024-05-01", 50.0),
        ("c", "2022-05-01", 80.0),
        ("c", "2025-01-02", 10.0),
    ]
    base = crm.CustomerBase.from_transactions(table(rows))
    r = base.report("2024-12-31")
    assert (r.customers, r.buyers, r.transactions, r.excluded_after_as_of) == (3, 3, 5, 1)
    assert r.revenue == 730.0
    assert r.average_purchase == 730.0 / 5
    assert (r.lifecycle["active"], r.lifecycle["starter"], r.lifecycle["lost"]) == (1, 1, 1)
    f = r.flows
    assert (f.base_at_start, f.new, f.lost, f.base_at_end) == (0, 2, 0, 2)
    assert r.migration.counts.sum() == 3
    assert r.mean_clv is None and r.clv_duration_years is None
    assert "| buyers | 3 |" in r.to_markdown()
    assert json.loads(r.to_json())["overview"]["revenue"] == 730.0
    dd = r.to_dict()
    assert dd["overview"]["revenue"] == 730.0
    assert any(u["flow"].startswith("still a starter") for u in dd["undesired_flows"])
    assert "customers=3" in repr(r)


def test_report_of_a_sample():
    base = crm.sample(600, seed=3).base()
    r = base.report()
    assert r.customers == 600
    assert r.mean_clv is not None and r.mean_clv > 0
    assert r.to_markdown().startswith("#")


def test_report_html_caveats_and_new_figures():
    base = crm.sample(600, seed=3).base()
    r = base.report()
    html = r.to_html()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    for name in ["pareto", "segments", "lifecycle", "waterfall", "monthly-flows", "migration", "cohorts",
                 "clv-distribution", "clv-segments", "undesired-flows"]:
        assert f'id="chart-{name}"' in html, name
    dd = r.to_dict()
    assert dd["pareto_revenue"]["points"][0] == {"customer_share": 0.0, "value_share": 0.0}
    assert len(dd["pareto_revenue"]["points"]) <= 101
    assert len(dd["monthly_flows"]) == 12
    assert dd["cohorts"]["cohorts"] and dd["cohorts"]["cohorts"][0]["shares"][0] == 1.0
    assert dd["returns"]["share_of_gross_revenue"] is not None
    assert dd["clv"]["distribution"]["customers"] > 0
    assert all(not c["withheld"] for c in r.caveats)


def test_report_withholds_what_a_short_history_cannot_tell():
    # One year of history: the flows of that year, churn, duration and CLV are withheld.
    rows = [("<b>x</b>", "2024-01-10", 10.0), ("<b>x</b>", "2024-06-01", 20.0), ("y", "2024-03-01", 30.0)]
    r = crm.CustomerBase.from_transactions(table(rows)).report("2024-12-31")
    assert r.flows is None and r.migration is None and r.mean_clv is None
    figures = [c["figure"] for c in r.caveats if c["withheld"]]
    assert any(f.startswith("customer flows") for f in figures)
    assert any(f.startswith("customer lifetime value") for f in figures)
    flows = next(c for c in r.caveats if c["figure"].startswith("customer flows"))
    assert "the history starts 2024-01-10" in flows["reason"]
    assert r.to_dict()["flows"] is None
    html = r.to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "Not yet measurable" in html and 'id="chart-waterfall"' not in html
