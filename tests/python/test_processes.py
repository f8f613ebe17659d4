"""Funnels, variant tests, scoring, NPS and the two example processes: the hand-worked
figures of crm-core/tests/processes.rs, through the Python face."""

import json
import math

import pyarrow as pa
import pytest

import crm
from conftest import d

Z95 = 1.959963984540054


def interactions(rows):
    """(customer, date, kind, outcome) rows as an interactions table."""
    return pa.table(
        {
            "customer_id": [r[0] for r in rows],
            "date": [r[1] for r in rows],
            "channel": ["other"] * len(rows),
            "direction": ["outbound"] * len(rows),
            "kind": [r[2] for r in rows],
            "outcome": pa.array([r[3] or None for r in rows], pa.string()),
        }
    )


def build(customers=None, ix_rows=(), purchases=()):
    tx = None
    if purchases:
        tx = pa.table(
            {
                "customer_id": [p[0] for p in purchases],
                "date": [p[1] for p in purchases],
                "amount": [250.0] * len(purchases),
            }
        )
    return crm.CustomerBase.from_transactions(
        tx,
        customers=None if customers is None else pa.table(customers),
        interactions=interactions(list(ix_rows)) if ix_rows else None,
    )


def credit_base(groups):
    """Deck 000: credit granted -> welcome letter -> card used in the first month."""
    ids, variants, events, purchases = [], [], [], []
    for prefix, n, users, variant in groups:
        for k in range(n):
            cid = f"{prefix}{k:04}"
            ids.append(cid)
            variants.append(variant)
            events.append((cid, "2025-01-10", "credit_granted", ""))
            events.append((cid, "2025-01-11", "welcome_letter", ""))
            if k < users:
                purchases.append((cid, "2025-01-20"))
    return build({"customer_id": ids, "variant": variants}, events, purchases)


CREDIT_FUNNEL = {
    "name": "new card",
    "steps": [
        {"name": "credit granted", "event": {"type": "interaction", "kind": "credit_granted"}},
        {"name": "welcome letter", "event": {"type": "interaction", "kind": "welcome_letter"}, "window_days": 7},
        {"name": "card used in the first month", "event": {"type": "purchase"}, "window_days": 30},
    ],
}


def wilson_by_hand(s, n, z=Z95):
    p = s / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_deck_funnel_55_percent_use_the_card_in_the_first_month():
    b = credit_base([("a", 1000, 550, "letter")])
    f = b.funnel(CREDIT_FUNNEL, "2025-01-01", "2025-02-01", "2025-03-31")
    assert isinstance(f, crm.FunnelTable) and isinstance(f, crm.Table)
    t = f.to_pydict()
    assert t["name"] == [s["name"] for s in CREDIT_FUNNEL["steps"]]
    assert t["entered"] == [1000, 1000, 550]
    assert (t["converted"][1], t["dropped"][1], t["in_progress"][1]) == (550, 450, 0)
    assert t["rate_from_previous"][0] is None
    assert t["rate_from_previous"][2] == 0.55
    low, high = wilson_by_hand(550, 1000)
    assert t["low"][2] == pytest.approx(low, abs=1e-12)
    assert t["high"][2] == pytest.approx(high, abs=1e-12)
    assert t["rate_from_first"][2] == 0.55
    assert (t["median_days"][2], t["q1_days"][2], t["q3_days"][2]) == (9.0, 9.0, 9.0)
    assert f.time_histograms[2][4] == 550 and len(f.time_buckets) == len(f.time_histograms[2])
    assert f.funnel == "new card" and f.by is None
    assert "crm.FunnelTable" in repr(f)
    assert f.to_pandas().shape == (3, 13)
    # Twenty days in, the 450 are still inside the 30-day window: in progress, not dropped.
    early = b.funnel(json.dumps(CREDIT_FUNNEL), d("2025-01-01"), d("2025-02-01"), d("2025-01-30")).to_pydict()
    assert (early["dropped"][1], early["in_progress"][1]) == (0, 450)
    assert early["rate_from_previous"][2] == 1.0


def test_deck_cheque_test_55_to_70_percent_with_economics():
    b = credit_base([("a", 1000, 550, "letter"), ("b", 1000, 700, "letter + cheque")])
    g = b.funnel(CREDIT_FUNNEL, "2025-01-01", "2025-02-01", "2025-03-31", by="variant")
    assert g.by == "variant"
    rows = g.to_pylist()
    assert [r["group"] for r in rows] == ["letter"] * 3 + ["letter + cheque"] * 3
    counts = [(r["group"], rows[i - 2]["entered"], r["entered"]) for i, r in enumerate(rows) if r["step"] == 2]
    assert counts == [("letter", 1000, 550), ("letter + cheque", 1000, 700)]
    r = crm.compare_variants(counts, 0, value_per_conversion=1000, cost_per_conversion=100)
    v = r.to_pylist()[1]
    assert r.to_pylist()[0]["difference"] is None
    assert v["difference"] == pytest.approx(0.15, abs=1e-12)
    assert v["lift"] == pytest.approx(0.70 / 0.55 - 1, abs=1e-12)
    assert v["p_value"] < 1e-10 and v["difference_low"] > 0.10 and v["difference_high"] < 0.20
    assert v["incremental_conversions"] == pytest.approx(150.0, abs=1e-9)
    assert v["net_effect"] == pytest.approx(150 * 1000 - 700 * 100, abs=1e-6)
    assert v["net_effect"] == pytest.approx(80_000, abs=1e-6)
    assert v["roi"] == pytest.approx(80_000 / 70_000, abs=1e-12)
    assert v["break_even_uplift"] == pytest.approx(55 / 900, abs=1e-12)
    assert v["sample_size_needed"] == 163 and isinstance(v["sample_size_needed"], int)
    # Dicts work as well as tuples.
    same = crm.compare_variants(
        [{"name": n, "customers": c, "conversions": k} for n, c, k in counts],
        value_per_conversion=1000,
        cost_per_conversion=100,
    )
    assert same.to_pydict() == r.to_pydict()
    assert r.to_polars().shape == (2, 19)


def test_statistics_functions():
    p = crm.wilson(550, 1000)
    low, high = wilson_by_hand(550, 1000)
    assert (p.successes, p.trials, p.rate) == (550, 1000, 0.55)
    assert p.low == pytest.approx(low, abs=1e-12) and p.high == pytest.approx(high, abs=1e-12)
    assert "Proportion(" in repr(p)
    # Newcombe (1998): 81 / 263 -> 0.2553 .. 0.3662.
    n = crm.wilson(81, 263)
    assert (round(n.low, 4), round(n.high, 4)) == (0.2553, 0.3662)
    c = crm.compare_proportions(550, 1000, 700, 1000)
    assert c.difference == pytest.approx(0.15, abs=1e-12)
    assert c.a.rate == 0.55 and c.b.rate == 0.70
    assert c.lift == pytest.approx(0.70 / 0.55 - 1)
    assert "Difference(" in repr(c)
    assert crm.sample_size(0.55, 0.70) == 163
    assert crm.sample_size(0.5, 0.5) is None
    with pytest.raises(crm.ConfigError):
        crm.wilson(5, 3)
    with pytest.raises(crm.ConfigError) as e:
        crm.wilson(1, 3, confidence=1.5)
    assert e.value.field == "confidence"
    with pytest.raises(crm.ConfigError) as e:
        crm.compare_variants([("a", 10, 5)], control=3)
    assert e.value.field == "control"
    with pytest.raises(crm.ConfigError):
        crm.compare_variants([("a", 10, 50)])


LEAD_FUNNEL = {
    "name": "lead to purchase",
    "steps": [
        {"name": "lead", "event": {"type": "interaction", "kind": "lead"}},
        {"name": "purchase", "event": {"type": "purchase"}, "window_days": 30},
    ],
}


def test_funnel_periods_compared_by_hand():
    """crm-core's funnel_periods_compared_by_hand: January 1 of 4 leads buy, February 3 of
    4; a fifth February lead is still inside its window, out of the denominator."""
    rows = [(c, "2025-01-05", "lead", "") for c in ("a1", "a2", "a3", "a4")]
    rows += [(c, "2025-02-05", "lead", "") for c in ("b1", "b2", "b3", "b4")]
    rows.append(("b5", "2025-02-25", "lead", ""))
    b = build(None, rows, [("a1", "2025-01-10"), ("b1", "2025-02-10"), ("b2", "2025-02-10"), ("b3", "2025-02-10")])
    jan, feb = ("2025-01-01", "2025-02-01"), (d("2025-02-01"), "2025-03-01")
    cmp = b.compare_funnel_periods(LEAD_FUNNEL, jan, feb, "2025-03-10")
    assert len(cmp) == 2 and cmp[0] is None
    x = cmp[1]
    assert (x.a.successes, x.a.trials, x.b.successes, x.b.trials) == (1, 4, 3, 4)
    assert x.difference == 0.5
    # Pooled 4/8: se = sqrt(1/8), z = sqrt(2), p = erfc(1); lift 0.75 / 0.25 - 1 = 2.
    assert x.z == pytest.approx(math.sqrt(2), abs=1e-12)
    assert x.p_value == pytest.approx(math.erfc(1), abs=1e-12)
    assert x.lift == pytest.approx(2.0, abs=1e-12)
    # Newcombe: Wilson of 1/4 is [l, u], that of 3/4 is [1 - u, 1 - l].
    lo, hi = wilson_by_hand(1, 4)
    assert x.low == pytest.approx(0.5 - math.sqrt(2) * (hi - 0.25), abs=1e-12)
    assert x.high == pytest.approx(0.5 + math.sqrt(2) * (0.25 - lo), abs=1e-12)
    assert x.low == pytest.approx(-0.1354884005829515, abs=1e-12)
    assert x.high == pytest.approx(0.7890832680847557, abs=1e-12)
    # Periods with their own as-of dates; the default as-of date is the last purchase day.
    same = b.compare_funnel_periods(json.dumps(LEAD_FUNNEL), jan + ("2025-03-10",), feb + (None,), "2025-03-10")
    assert (same[1].difference, same[1].low, same[1].high) == (x.difference, x.low, x.high)
    assert b.compare_funnel_periods(LEAD_FUNNEL, feb, feb, confidence=0.9)[1].difference == 0.0
    with pytest.raises(crm.ConfigError) as e:
        b.compare_funnel_periods(LEAD_FUNNEL, ("2025-01-01",), feb)
    assert e.value.field == "first"
    with pytest.raises(crm.ConfigError) as e:
        b.compare_funnel_periods(LEAD_FUNNEL, jan, ("2025-02-01", "not a date"))
    assert e.value.field == "second.entry_to"
    with pytest.raises(crm.ConfigError) as e:
        b.compare_funnel_periods(LEAD_FUNNEL, ("2025-02-01", "2025-01-01"), feb)
    assert e.value.field == "entry_to"


def test_outcome_branches_and_invalid_funnels():
    b = build(
        ix_rows=[
            ("a", "2025-01-01", "invite", ""),
            ("a", "2025-01-03", "answer", "yes"),
            ("b", "2025-01-01", "invite", ""),
            ("b", "2025-01-02", "answer", "no"),
            ("c", "2025-01-01", "invite", ""),
            ("c", "2025-01-05", "answer", "cannot_come"),
            ("d", "2025-01-01", "invite", ""),
        ]
    )
    f = {
        "name": "event",
        "steps": [
            {"name": "invited", "event": {"type": "interaction", "kind": "invite"}},
            {
                "name": "said yes",
                "event": {"type": "interaction", "kind": "answer", "outcomes": ["yes"]},
                "window_days": 14,
            },
        ],
    }
    r = b.funnel(f, "2025-01-01", "2025-01-02", "2025-02-01")
    assert r.outcomes[1] == {"cannot_come": 1, "no": 1, "none": 1, "yes": 1}
    t = r.to_pydict()
    assert (t["entered"][1], t["dropped"][0]) == (1, 3)
    with pytest.raises(crm.ConfigError):
        b.funnel({"name": "x", "steps": []}, "2025-01-01", "2025-01-02", "2025-02-01")
    with pytest.raises(crm.ConfigError):
        b.funnel(f, "2025-01-02", "2025-01-01", "2025-02-01")
    # Bad JSON names the problem.
    with pytest.raises(crm.ConfigError) as e:
        b.funnel('{"name": "x", "steps": [', "2025-01-01", "2025-01-02", "2025-02-01")
    assert e.value.field == "funnel" and "EOF" in str(e.value)
    with pytest.raises(crm.ConfigError) as e:
        b.funnel({"name": "x", "steps": [{"name": "s", "event": {"type": "phone"}}]}, "2025-01-01", "2025-01-02", "2025-02-01")
    assert "phone" in str(e.value)
    with pytest.raises(crm.ConfigError) as e:
        b.funnel({"name": "x"}, "2025-01-01", "2025-01-02", "2025-02-01")
    assert "steps" in str(e.value)
    # A breakdown needs a customer table.
    with pytest.raises(crm.MissingDataError):
        b.funnel(f, "2025-01-01", "2025-01-02", "2025-02-01", by="region")


LEASE_MODEL = {
    "rules": [
        {
            "name": "lease ends within 30 days",
            "weight": 3.0,
            "condition": {"type": "date_within_next", "attribute": "lease_end", "days": 30},
        },
        {
            "name": "much service",
            "weight": 2.0,
            "condition": {"type": "event_count", "kind": "service", "days": 90, "min": 3},
        },
        {
            "name": "visited a fair",
            "weight": 1.0,
            "condition": {"type": "event_within", "kind": "trade_fair", "days": 60},
            "half_life_days": 31.0,
        },
    ]
}


@pytest.fixture
def lease_base():
    return build(
        {
            "customer_id": ["a", "b", "c", "d"],
            "lease_end": [d("2025-03-20"), d("2025-09-01"), None, d("2025-03-10")],
        },
        [
            ("b", "2025-02-01", "service", ""),
            ("b", "2025-02-10", "service", ""),
            ("b", "2025-02-20", "service", ""),
            ("c", "2025-02-28", "trade_fair", ""),  # 2 days before the as-of date
            ("d", "2025-01-30", "trade_fair", ""),  # 31 days before
        ],
    )


def test_scoring_work_list_with_contributions_decay_and_plan_comparison(lease_base):
    s = lease_base.score(LEASE_MODEL, "2025-03-02")
    assert list(lease_base.customer_ids) == ["a", "b", "c", "d"]
    fair = 0.5 ** (2 / 31)
    assert list(s.scores[:2]) == [3.0, 2.0]
    assert s.scores[2] == pytest.approx(fair, abs=1e-12)
    assert s.scores[3] == 3.5
    assert s.as_of == d("2025-03-02")
    w = s.work_list.to_pydict()
    assert w["customer_id"] == ["d", "a", "b", "c"]
    assert w["rank"] == [1, 2, 3, 4]
    assert w["lease ends within 30 days"] == [3.0, 3.0, 0.0, 0.0]
    assert s.contributions[0] == [("lease ends within 30 days", 3.0), ("visited a fair", 0.5)]
    assert s.score_of("c") == pytest.approx(fair)
    assert "work_list=4" in repr(s)
    # System: d, a, b (median 3); manual plan: b, c (median 1.478).
    cmp = crm.compare_plans(s, ["d", "a", "b"], ["b", "c"])
    assert (cmp.overlap, cmp.system_median) == (1, 3.0)
    assert cmp.manual_median == pytest.approx((2 + fair) / 2, abs=1e-12)
    assert (cmp.system_above_manual_median, cmp.manual_above_system_median) == (3, 0)
    assert "PlanComparison(" in repr(cmp)
    with pytest.raises(crm.ConfigError) as e:
        crm.compare_plans(s, ["zz"], [])
    assert e.value.field == "system_ids"
    # Back-test: who had a service call in the next 30 days? nobody: win rates 0.
    bt = lease_base.backtest(LEASE_MODEL, "2025-03-02", "service", 30).to_pydict()
    assert (bt["hits"][0], bt["wins"][0]) == (2, 0)
    assert bt["rule"] == [r["name"] for r in LEASE_MODEL["rules"]]
    bt2 = lease_base.backtest(
        json.dumps(LEASE_MODEL), d("2025-03-02"), {"type": "interaction", "kind": "service"}, 30
    )
    assert bt2.to_pydict() == bt
    with pytest.raises(crm.ConfigError) as e:
        lease_base.score({"rules": [{"name": "x", "weight": 1, "condition": {"type": "nope"}}]}, "2025-03-02")
    assert e.value.field == "model" and "nope" in str(e.value)
    with pytest.raises(crm.ConfigError) as e:
        lease_base.score({"rules": [dict(LEASE_MODEL["rules"][0], weight=float("inf"))]}, "2025-03-02")


def test_scoring_and_target_groups_take_lifecycle_and_segment_rules():
    """a bought on 2024-01-10 and 2024-02-10 (386 days before the as-of date): lost after
    365 days without a purchase, not after 400. b bought once, 10 days before: new for
    90 days, a starter when new lasts 5 days."""
    b = build(None, (), [("a", "2024-01-10"), ("a", "2024-02-10"), ("b", "2025-02-20")])
    model = {
        "rules": [
            {"name": "lost", "weight": 1, "condition": {"type": "stage", "stages": ["lost"]}},
            {"name": "starter", "weight": 2, "condition": {"type": "stage", "stages": ["starter"]}},
            {"name": "top", "weight": 4, "condition": {"type": "segment", "segments": ["top"]}},
        ]
    }
    as_of = "2025-03-02"
    assert list(b.customer_ids) == ["a", "b"]
    assert list(b.score(model, as_of).scores) == [1.0, 0.0]
    assert list(b.score(model, as_of, inactivity_days=400, new_days=5).scores) == [0.0, 2.0]
    # The model's own rules apply when the keywords are left at their defaults.
    assert list(b.score(dict(model, lifecycle={"inactivity_days": 400}), as_of).scores) == [0.0, 0.0]
    # Segments over all history with a top half: a (500) is top, b (250) is not. Within the
    # last 365 days only b is ranked, and a top 20 % of one customer is nobody.
    top = b.score(model, as_of, shares=[0.5, 0.25, 0.25], window_days=None).scores
    assert list(top) == [5.0, 0.0]
    bt = b.backtest(model, as_of, "purchase", 30, inactivity_days=400, new_days=5).to_pydict()
    assert bt["hits"] == [0, 1, 0]
    with pytest.raises(crm.ConfigError) as e:
        b.score(model, as_of, inactivity_days=-1)
    assert e.value.field == "inactivity_days"
    with pytest.raises(crm.ConfigError) as e:
        b.score(model, as_of, by="volume")
    assert e.value.field == "by"
    # A process for lost customers: a call today, without a permission needed.
    win_back = {
        "id": "W:1",
        "name": "Win back",
        "kind": "win_back",
        "target_group": {"stages": ["lost"]},
        "dialogs": [
            {
                "id": "D:1",
                "name": "Call",
                "trigger": {"type": "calendar", "date": as_of},
                "timing": {"type": "immediately"},
                "channel": "phone",
                "requires_permission": False,
            }
        ],
    }
    assert b.due_actions(win_back, as_of).due.to_pydict()["customer_id"] == ["a"]
    assert b.due_actions(win_back, as_of, inactivity_days=400).due.to_pydict()["customer_id"] == []
    top_group = dict(win_back, target_group={"segments": ["top"]})
    assert b.due_actions(top_group, as_of).due.to_pydict()["customer_id"] == []
    due = b.due_actions(top_group, as_of, shares=(0.5, 0.25, 0.25), window_days=None).due
    assert due.to_pydict()["customer_id"] == ["a"]


def test_nps_by_group_and_change():
    first = [10, 10, 10, 10, 10, 8, 8, 5, 5, 5]
    rows = [(f"c{k:02}", "2025-02-01", "nps", str(first[k] if k < 10 else 9)) for k in range(20)]
    half = ["first"] * 10 + ["second"] * 10
    b = build({"customer_id": [f"c{k:02}" for k in range(20)], "half": half}, rows)
    by = b.nps("nps", "2025-01-01", "2025-03-01", by="half")
    f = by["first"]
    assert (f.promoters, f.passives, f.detractors, f.score) == (5, 2, 3, 20.0)
    assert f.high - 20.0 == pytest.approx(Z95 * math.sqrt(0.076) * 100, abs=1e-9)
    assert by["second"].score == 100.0
    ch = crm.nps_change(f, by["second"])
    assert ch.change == 80.0 and ch.low < 80 < ch.high
    assert "NpsChange(" in repr(ch) and "Nps(" in repr(f)
    everyone = b.nps("nps", "2025-01-01", "2025-03-01")
    assert (everyone.responses, everyone.score) == (20, 60.0)
    # The same from plain scores.
    n = crm.nps(first)
    assert (n.score, n.low, n.high) == (f.score, pytest.approx(f.low), pytest.approx(f.high))
    assert crm.nps([10] * 50 + [7] * 30 + [3] * 20).score == 30.0
    with pytest.raises(crm.InputError) as e:
        crm.nps([10, 11])
    assert e.value.row == 1
    bad = build(ix_rows=[("x", "2025-02-01", "nps", "eleven")])
    with pytest.raises(crm.InputError) as e:
        bad.nps("nps", "2025-01-01", "2025-03-01")
    assert "customer `x`" in str(e.value)


ALL = {"permission_email": True, "permission_letter": True, "permission_phone": True}


def permissions(ids, without=()):
    cols = {"customer_id": ids}
    for col in ALL:
        cols[col] = pa.array([None if i in without else True for i in ids], pa.bool_())
    return cols


def test_web_prospect_process_due_actions_blocked_and_kpis():
    p1 = crm.process_examples()[0]
    assert p1.id == "P:1" and p1.log_kind("D:1") == "P:1/D:1"
    b = build(
        permissions(["A", "B", "C", "D"], without={"D"}),
        [
            ("A", "2025-03-01", "web_registration", ""),
            ("B", "2025-02-20", "web_registration", ""),
            ("B", "2025-02-21", "P:1/D:1", ""),
            ("B", "2025-02-21", "P:1/D:2", ""),
            ("B", "2025-02-21", "P:1/D:3", ""),
            ("C", "2025-02-20", "web_registration", ""),
            ("C", "2025-02-21", "P:1/D:1", ""),
            ("C", "2025-02-21", "P:1/D:2", ""),
            ("C", "2025-02-22", "P:1/D:3", "interested"),
            ("D", "2025-03-01", "web_registration", ""),
        ],
    )
    r = b.due_actions([p1], "2025-03-03")
    due = r.due.to_pydict()
    listed = [f"{x} {y} {z}" for x, y, z in zip(due["due_date"], due["dialog"], due["customer_id"])]
    assert listed == [
        "2025-02-27 D:4 B",  # the dealer gave no feedback within 7 days: remind
        "2025-03-01 D:1 A",
        "2025-03-01 D:2 A",
        "2025-03-01 D:2 D",
        "2025-03-01 D:3 A",
        "2025-03-01 D:3 D",
    ]
    blocked = r.blocked.to_pydict()
    assert list(zip(blocked["customer_id"], blocked["dialog"])) == [("D", "D:1")]
    assert due["responsible"][0] == "Marketing support"
    assert due["process"][0] == "P:1"
    assert r.as_of == d("2025-03-03")
    assert "due=6, blocked=1" in repr(r)
    # One process, not a list, gives the same.
    assert b.due_actions(p1, "2025-03-03").due.to_pydict() == due
    k = b.evaluate_kpis(p1, "2025-02-01", "2025-03-01", "2025-03-03").to_pylist()
    assert (k[0]["successes"], k[0]["trials"], k[0]["met"]) == (2, 2, True)
    assert (k[1]["successes"], k[1]["trials"], k[1]["met"]) == (1, 2, True)
    assert [x["kpi"] for x in k] == ["done_within", "response_rate"]


def test_event_invitation_process_branches():
    p2 = crm.process_examples()[1]
    ids = ["E1", "E2", "E3", "E4", "E5", "E6"]
    rows = [(i, "2025-03-06", "P:2/D:1", "") for i in ids[:5]]
    rows += [
        ("E1", "2025-03-08", "P:2/D:1", "yes"),
        ("E1", "2025-03-08", "P:2/D:2", ""),
        ("E2", "2025-03-08", "P:2/D:1", "no"),
        ("E3", "2025-03-10", "P:2/D:1", "cannot_come"),
        ("E4", "2025-03-09", "P:2/D:1", "yes"),
        ("E4", "2025-03-09", "P:2/D:2", ""),
        ("E5", "2025-03-09", "P:2/D:1", "yes"),
        ("E5", "2025-03-09", "P:2/D:2", ""),
        ("E5", "2025-03-20", "event_attended", ""),
    ]
    b = build(permissions(ids, without={"E6"}), rows)

    def at(day):
        r = b.due_actions([p2], day)
        due, blocked = r.due.to_pydict(), r.blocked.to_pydict()
        return (
            [f"{c} {x}" for c, x in zip(due["customer_id"], due["dialog"])],
            [f"{c} {x}" for c, x in zip(blocked["customer_id"], blocked["dialog"])],
        )

    assert at("2025-03-06") == ([], ["E6 D:1"])
    assert at("2025-03-19")[0] == ["E1 D:3", "E4 D:3", "E5 D:3"]
    due = at("2025-03-20")[0]
    assert "E5 D:4" in due and "E3 D:4" in due
    assert [x for x in at("2025-03-21")[0] if x.endswith("D:5")] == ["E1 D:5", "E4 D:5"]
    k = b.evaluate_kpis(p2.to_dict(), "2025-03-01", "2025-04-01", "2025-03-31").to_pylist()
    assert (k[0]["successes"], k[0]["trials"], k[0]["met"]) == (5, 5, True)
    assert (k[1]["successes"], k[1]["trials"], k[1]["met"]) == (2, 3, False)
    assert k[1]["kpi"] == "no_show_rate" and k[1]["at_least"] is False


BAD_TOML = """id = "P:9"
name = "x"
kind = "retain"
[[dialogs]]
id = "D:1"
name = "a"
trigger = { type = "response", dialog = "D:7", outcomes = ["yes"] }
timing = { type = "immediately" }
channel = "email"
"""


def test_process_definitions_round_trip_and_bad_ones_are_refused():
    for p in crm.process_examples():
        assert crm.Process.from_json(p.to_json()) == p
        assert crm.Process.from_json(p.to_dict()) == p
        assert "Process(id=" in repr(p)
    assert len(crm.process_examples()[1].dialogs) == 5
    with pytest.raises(crm.ConfigError) as e:
        crm.Process.from_toml(BAD_TOML)
    assert "no dialog `D:7`" in str(e.value)
    with pytest.raises(crm.ConfigError) as e:
        crm.Process.from_toml("id = 3")
    assert e.value.field == "process"
    with pytest.raises(crm.ConfigError) as e:
        crm.Process.from_toml("id = [")
    assert "line 1" in str(e.value)
    with pytest.raises(crm.ConfigError) as e:
        crm.Process.from_json('{"id": "P:1"')
    assert e.value.field == "process"
    b = build(ix_rows=[("x", "2025-02-01", "nps", "5")])
    with pytest.raises(crm.ConfigError):
        b.due_actions({"id": "P:1", "name": "x", "kind": "retain", "dialogs": []}, "2025-03-01")
    with pytest.raises(crm.ConfigError) as e:
        b.due_actions(crm.process_examples(), "2025-03-01", lookback_days=-1)
    assert e.value.field == "lookback_days"


def test_funnel_chart_renders_to_png(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crm.plotting import funnel_chart

    b = credit_base([("a", 100, 55, "letter"), ("b", 100, 70, "cheque")])
    ax = funnel_chart(b.funnel(CREDIT_FUNNEL, "2025-01-01", "2025-02-01", "2025-03-31"))
    assert ax.get_title() == "Funnel new card"
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "credit granted"
    path = tmp_path / "funnel.png"
    ax.figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plt.close(ax.figure)
    g = b.funnel(CREDIT_FUNNEL, "2025-01-01", "2025-02-01", "2025-03-31", by="variant")
    ax = funnel_chart(g, group="letter")
    assert ax.get_title() == "Funnel new card (variant = letter)"
    plt.close(ax.figure)
