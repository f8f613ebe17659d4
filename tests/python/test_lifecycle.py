"""Lifecycle stages, against crm-core/src/lifecycle.rs (its doc example and one customer
per stage, worked out by hand from the precedence rules)."""

import datetime as dt

import pytest
from conftest import d

import crm


def test_lifecycle_doc_example(make_table):
    # crm-core/src/lifecycle.rs: customer 1 bought on 2023-01-01 (lost by 2024-12-31);
    # customer 2 bought on 2024-01-01 and came back on 2024-11-01 after 305 days (dormant
    # for >= 180 days, less than 365): reactivated.
    table = make_table(
        {
            "customer_id": [1, 2, 2],
            "date": [d("2023-01-01"), d("2024-01-01"), d("2024-11-01")],
            "amount": [10.0, 10.0, 10.0],
        }
    )
    lc = crm.CustomerBase.from_transactions(table).lifecycle("2024-12-31")
    assert isinstance(lc, crm.Lifecycle)
    assert lc.to_pydict() == {"customer_id": [1, 2], "stage": ["lost", "reactivated"]}
    assert lc.counts["lost"] == 1
    assert lc.counts["reactivated"] == 1
    assert lc.as_of == dt.date(2024, 12, 31)


def _one_customer_per_stage():
    """As of 2024-12-31, with the default rules (365 / 90 / 180 / 90 / 365 / 0.5)."""
    rows = []

    def buy(customer, date, amount=100.0):
        rows.append((customer, date, amount))

    buy("lost", "2023-12-01")  # 396 days without a purchase
    buy("new", "2024-11-15")  # first purchase 46 days ago
    buy("won_back", "2022-06-01")
    buy("won_back", "2024-12-01")  # ends a 914-day gap, 30 days ago
    buy("reactivated", "2024-01-01")
    buy("reactivated", "2024-11-01")  # ends a 305-day gap, 60 days ago
    buy("starter", "2024-06-01")  # one purchase, 213 days ago
    for date in ["2023-02-01", "2023-05-01", "2023-08-01", "2023-11-01"]:
        buy("declining", date, 100.0)
        buy("active", date, 100.0)
    for date in ["2024-02-01", "2024-05-01", "2024-08-01", "2024-11-01"]:
        buy("declining", date, 20.0)  # 80 in the last year < 0.5 x 400 the year before
        buy("active", date, 100.0)
    ids, dates, amounts = zip(*rows)
    transactions = {"customer_id": list(ids), "date": list(dates), "amount": list(amounts)}
    customers = {"customer_id": sorted(set(ids)) + ["prospect"]}
    return transactions, customers


def test_one_customer_in_every_stage():
    transactions, customers = _one_customer_per_stage()
    base = crm.CustomerBase.from_transactions(transactions, customers=customers)
    lc = base.lifecycle("2024-12-31")
    stages = dict(zip(lc["customer_id"], lc["stage"]))
    assert stages == {name: name for name in stages}
    assert lc.counts == {stage: 1 for stage in crm.Lifecycle.stages}
    assert list(lc.counts) == [
        "prospect",
        "new",
        "starter",
        "active",
        "declining",
        "lost",
        "reactivated",
        "won_back",
    ]


def test_rules_are_keyword_arguments():
    transactions, customers = _one_customer_per_stage()
    base = crm.CustomerBase.from_transactions(transactions, customers=customers)
    # With a 30-day "new" window the customer who started 46 days ago is a starter.
    stages = dict(zip(*(base.lifecycle("2024-12-31", new_days=30).to_pydict()[c] for c in ("customer_id", "stage"))))
    assert stages["new"] == "starter"
    # With a 1000-day inactivity window nobody is lost and the 914-day gap is only dormant.
    stages = dict(zip(*(base.lifecycle("2024-12-31", inactivity_days=1000).to_pydict()[c] for c in ("customer_id", "stage"))))
    assert stages["lost"] == "starter"
    assert stages["won_back"] == "reactivated"
    # A decline ratio of 0.1 keeps the declining customer active (80 >= 0.1 x 400).
    stages = dict(zip(*(base.lifecycle("2024-12-31", decline_ratio=0.1).to_pydict()[c] for c in ("customer_id", "stage"))))
    assert stages["declining"] == "active"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"new_days": 0}, "new_days"),
        ({"dormant_days": 400}, "dormant_days"),
        ({"decline_ratio": 1.5}, "decline_ratio"),
        ({"inactivity_days": -1}, "inactivity_days"),
    ],
)
def test_bad_rules_raise_config_error(kwargs, field):
    base = crm.CustomerBase.from_transactions({"customer_id": [1], "date": ["2024-01-01"], "amount": [1.0]})
    with pytest.raises(crm.ConfigError) as e:
        base.lifecycle("2024-12-31", **kwargs)
    assert e.value.field == field
    assert isinstance(e.value, ValueError)
