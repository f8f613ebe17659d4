"""Share of wallet and segment profiles on the hand-worked 12-customer base of
crm-core/tests/wallet_profiles.rs (figures worked out there). Customer 5's potential is
null here (a missing value; in Rust it is the text "n/a")."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest

import crm

AS_OF = dt.date(2024, 12, 31)
ROWS = [
    # id, industry, size, employees, potential, spend in 2024
    (1, "manufacturing", "large", 500.0, None, 100.0),
    (2, "manufacturing", "large", 800.0, None, 200.0),
    (3, "manufacturing", "large", 1200.0, None, 300.0),
    (4, "manufacturing", "large", 2000.0, None, 400.0),
    (5, "manufacturing", "small", 20.0, None, 50.0),
    (6, "manufacturing", "small", 10.0, None, 0.0),
    (7, "retail", "small", 5.0, None, 20.0),
    (8, "retail", "small", 8.0, None, 40.0),
    (9, "retail", "small", 12.0, None, 60.0),
    (10, "retail", "large", 900.0, 1000.0, 500.0),
    (11, "retail", "large", 600.0, -5.0, 80.0),
    (12, None, "large", 700.0, None, 150.0),
]


def make_base(employees_of_12: bool = True) -> crm.CustomerBase:
    customers = pa.table(
        {
            "customer_id": [r[0] for r in ROWS],
            "industry": [r[1] for r in ROWS],
            "size": [r[2] for r in ROWS],
            "employees": pa.array([r[3] if r[0] != 12 or employees_of_12 else None for r in ROWS], pa.float64()),
            "potential": pa.array([r[4] for r in ROWS], pa.float64()),
        }
    )
    tx = pa.table(
        {
            "customer_id": [r[0] for r in ROWS],
            "date": [dt.date(2023, 6, 1) if r[0] == 6 else dt.date(2024, 6, 1) for r in ROWS],
            "amount": [80.0 if r[0] == 6 else r[5] for r in ROWS],
        }
    )
    return crm.CustomerBase.from_transactions(tx, customers=customers)


@pytest.fixture(scope="module")
def base() -> crm.CustomerBase:
    return make_base()


def wallet(base: crm.CustomerBase) -> crm.Wallet:
    return base.wallet(
        AS_OF, attribute="potential", min_peers=3, levels=[["industry", "size"], ["industry"]]
    )


def test_wallets_by_hand(base: crm.CustomerBase) -> None:
    w = pa.table(wallet(base)).to_pydict()
    assert w["wallet"] == pytest.approx([370, 370, 370, 370, 360, 360, 56, 56, 56, 1000, 332, 400])
    assert w["source"] == ["group"] * 4 + ["coarser_group"] * 2 + ["group"] * 3 + ["attribute", "coarser_group", "base"]
    assert w["share"] == pytest.approx(
        [100 / 370, 200 / 370, 300 / 370, 1, 50 / 360, 0, 20 / 56, 40 / 56, 1, 0.5, 80 / 332, 0.375]
    )
    assert w["over_wallet"] == [False, False, False, True] + [False] * 4 + [True, False, False, False]
    assert w["growth_potential"] == pytest.approx([270, 170, 70, 0, 310, 360, 36, 16, 0, 500, 252, 250])
    order = [10, 6, 5, 1, 11, 12, 2, 3, 7, 8, 4, 9]
    assert [w["rank"][i - 1] for i in order] == list(range(1, 13))
    assert w["group"][0] == "industry=manufacturing, size=large"
    assert w["group"][11] == "all" and w["group"][9] is None
    assert w["attribute_problem"][10] == "negative" and w["attribute_problem"][9] is None


def test_quantile_regression_wallets_by_hand() -> None:
    # Customer 12 without employees. The 0.9 line of spend on employees over the 10 peers
    # with employees passes through customers 9 (12, 60) and 10 (900, 500): 6000 / 111 +
    # 55 / 111 x employees (worked out and checked for optimality in
    # crm-core/tests/wallet_profiles.rs). statsmodels 0.15.0,
    # QuantReg(spend, add_constant(employees)).fit(q=0.9), gives 54.0540538 and 0.4954955
    # (an approximation of the same optimum).
    w = make_base(employees_of_12=False).wallet(
        AS_OF,
        attribute="potential",
        min_peers=3,
        levels=[["industry", "size"], ["industry"]],
        regression=["employees"],
    )
    r = w.regression
    assert r is not None
    assert r["coefficients"] == pytest.approx([6000 / 111, 55 / 111], rel=1e-12)
    assert r["coefficients"] == pytest.approx([54.0540538, 0.4954955], abs=1e-6)
    assert (r["attributes"], r["quantile"], r["peers"], r["used_by"]) == (["employees"], 0.9, 10, 10)
    t = pa.table(w).to_pydict()
    expected = [(6000 + 55 * row[3]) / 111 for row in ROWS]
    expected[9], expected[11] = 1000.0, 400.0  # its own figure; no employees: the base
    assert t["wallet"] == pytest.approx(expected, rel=1e-12)
    assert t["source"] == ["regression"] * 9 + ["attribute", "regression", "base"]
    assert t["group"][:11] == [None] * 11 and t["group"][11] == "all"
    assert w.counts["regression"] == 10 and w.counts["base"] == 1
    assert any("1 customer(s) lack an attribute" in n for n in w.notes)
    assert make_base().wallet(AS_OF).regression is None
    with pytest.raises(crm.ConfigError, match="regression"):
        make_base().wallet(AS_OF, regression=["employees", "employees"])


def test_groups_tables_and_work_list(base: crm.CustomerBase) -> None:
    w = wallet(base)
    groups = pa.table(w.groups).to_pydict()
    assert groups["wallet"] == pytest.approx([370, 50, 458, 56, 360, 332, 400])
    assert groups["below_min_peers"] == [False, True, True, False, False, False, False]
    assert groups["used_by"] == [4, 0, 0, 3, 2, 1, 1]
    top = pa.table(w.by_segment).to_pylist()[0]
    assert top["group"] == "top" and top["customers"] == 2
    # Customer 4 spends 30 above its wallet of 370: the row's share counts 370 of it.
    assert top["wallet"] == pytest.approx(1370) and top["share"] == pytest.approx(870 / 1370)
    assert top["share"] * top["wallet"] + top["growth_potential"] == pytest.approx(top["wallet"])
    assert top["mean_share"] == pytest.approx(0.75)
    work = pa.table(w.work_list).to_pydict()
    assert work["customer_id"] == [10, 5, 1, 11, 12, 2, 3, 7, 8, 4, 9]
    counts = w.counts
    assert (counts["missing"], counts["negative"], counts["not_a_number"]) == (10, 1, 0)
    assert (counts["attribute"], counts["group"], counts["coarser_group"], counts["base"]) == (1, 7, 3, 1)
    assert any("11 customer(s) fell back" in n for n in w.notes)


def test_profile_by_industry_by_hand(base: crm.CustomerBase) -> None:
    p = base.profiles(
        AS_OF, by="industry", categorical=["industry", "size"], numeric=["employees"], min_group_size=1
    )
    rows = pa.table(p.categorical).to_pylist()
    m = next(r for r in rows if r["group"] == "manufacturing" and r["value"] == "manufacturing")
    assert (m["count"], m["base_count"]) == (6, 6)
    assert m["index"] == pytest.approx(200) and m["z"] == pytest.approx(2 * math.sqrt(3))
    assert m["significant"]
    large = next(r for r in rows if r["group"] == "manufacturing" and r["value"] == "large")
    assert large["index"] == pytest.approx((4 / 6) / (7 / 12) * 100) and not large["significant"]
    assert pa.table(p.traits).column("text").to_pylist() == [
        "manufacturing: industry manufacturing, index 200, 100 % vs 50 %",
        "retail: industry retail, index 240, 100 % vs 42 %",
    ]
    num = pa.table(p.numeric).to_pylist()[0]
    assert (num["mean"], num["q1"], num["median"], num["q3"]) == pytest.approx((755, 140, 650, 1100))
    assert (num["base_q1"], num["base_median"], num["base_q3"]) == pytest.approx((11.5, 550, 825))
    # Shares of each attribute sum to 1 per group.
    for g in ("manufacturing", "retail"):
        for a in ("industry", "size"):
            assert sum(r["share"] for r in rows if r["group"] == g and r["attribute"] == a) == pytest.approx(1)
    # Chi-square per attribute and group (worked out in crm-core/tests/wallet_profiles.rs;
    # scipy 1.17.1 chi2_contingency(..., correction=False) gives the same figures).
    chi = pa.table(p.chi_square).to_pydict()
    assert list(zip(chi["attribute"], chi["group"])) == [
        ("industry", "manufacturing"),
        ("industry", "retail"),
        ("size", "manufacturing"),
        ("size", "retail"),
    ]
    assert chi["df"] == [2, 2, 1, 1]
    assert chi["statistic"][0] == pytest.approx(12.0) and chi["p_value"][0] == pytest.approx(math.exp(-6))
    assert chi["statistic"][2] == pytest.approx(12 / 35) and chi["p_value"][2] == pytest.approx(0.5581846494)
    retail_size = 121 / 144 * (12 / 35 + 12 / 25 + 12 / 49 + 12 / 35)
    assert chi["statistic"][3] == pytest.approx(retail_size) and chi["p_value"][3] == pytest.approx(0.2762784158)
    assert chi["low_expected"] == [True] * 4
    assert chi["significant"] == [True, True, False, False]


def test_profile_of_segments_and_labels(base: crm.CustomerBase) -> None:
    p = base.profiles(AS_OF, categorical=["industry", "size"], numeric=["employees"])
    assert pa.table(p.groups).column("customers").to_pylist() == [2, 6, 3]
    assert any("top (2), middle (6), bottom (3)" in n for n in p.notes)
    labels = ["big"] * 4 + ["rest"] * 7 + [None]
    q = base.profiles(
        AS_OF,
        labels=labels,
        categorical=["size"],
        numeric=["share_of_wallet"],
        min_group_size=1,
        wallet={"attribute": "potential", "min_peers": 3, "levels": [["industry", "size"], ["industry"]]},
    )
    big = pa.table(q.numeric).to_pylist()[0]
    assert big["group"] == "big"
    assert big["mean"] == pytest.approx((100 / 370 + 200 / 370 + 300 / 370 + 1) / 4)
    target = base.profiles(
        AS_OF,
        by={"type": "target_group", "conditions": [{"type": "share_of_wallet_below", "share": 0.3}]},
        categorical=["size"],
        numeric=[],
        min_group_size=1,
        wallet={"attribute": "potential", "min_peers": 3, "levels": [["industry", "size"], ["industry"]]},
    )
    assert pa.table(target).column("group").to_pylist().count("target_group") == 4  # 1, 5, 6, 11


def test_bad_arguments_name_the_field(base: crm.CustomerBase) -> None:
    with pytest.raises(crm.ConfigError, match="quantile"):
        base.wallet(AS_OF, quantile=0.1)
    with pytest.raises(crm.ConfigError, match="min_group_size"):
        base.profiles(AS_OF, min_group_size=0)


def test_report_takes_the_wallet_and_profile_rules(base: crm.CustomerBase) -> None:
    """`report(wallet=..., profiles=...)`: the report's wallet table per value segment adds
    up the hand-worked wallets above (top = customers 10 and 4: 1000 + 370; middle = 3, 2,
    12, 1, 11, 9: 370 + 370 + 400 + 370 + 332 + 56; bottom = 5, 8, 7: 360 + 56 + 56;
    customer 6 without 2024 spend: 360); profiles cover only the attributes asked for."""
    import json

    rules = {"attribute": "potential", "min_peers": 3, "levels": [["industry", "size"], ["industry"]]}
    r = json.loads(base.report(AS_OF, wallet=rules, profiles={"categorical": ["size"], "numeric": []}).to_json())
    rows = {row["group"]: row for row in r["wallet"]["by_segment"]}
    assert {g: rows[g]["wallet"] for g in rows} == pytest.approx(
        {"top": 1370, "middle": 1898, "bottom": 472, "unranked": 360}
    )
    assert {g: rows[g]["spend"] for g in rows} == pytest.approx({"top": 900, "middle": 890, "bottom": 110, "unranked": 0})
    assert rows["top"]["growth_potential"] == pytest.approx(500)  # 500 + 0 (customer 4 is over its wallet)
    assert r["wallet"]["min_peers"] == 3
    assert {c["attribute"] for c in r["profiles"]["categorical"]} == {"size"} and r["profiles"]["numeric"] == []
    # The same rules as JSON text; the defaults give every customer the whole base's 0.9
    # quantile of the eleven 2024 spends (400).
    same = json.loads(base.report(AS_OF, wallet=json.dumps(rules)).to_json())["wallet"]["by_segment"]
    assert [row["wallet"] for row in same] == pytest.approx([1370, 1898, 472, 360])
    default = json.loads(base.report(AS_OF).to_json())["wallet"]["by_segment"]
    assert [row["wallet"] for row in default] == pytest.approx([800, 2400, 1200, 400])
    with pytest.raises(crm.ConfigError, match="quantile"):
        base.report(AS_OF, wallet={"quantile": 0.1})
    with pytest.raises(crm.ConfigError, match="min_group_size"):
        base.report(AS_OF, profiles={"min_group_size": 0})
    with pytest.raises(crm.ConfigError, match="wallet"):
        base.report(AS_OF, wallet={"no_such_rule": 1})
