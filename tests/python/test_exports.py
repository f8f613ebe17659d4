"""The sales-export fixtures (tests/data/exports, figures in tests/data/README.md) through
CustomerBase.from_csv; revenue per customer checked against pandas on the same file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import crm

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"


def online_retail(**kw):
    return crm.CustomerBase.from_csv(
        EXPORTS / "online_retail.csv",
        customer_id_col="CustomerID",
        date_col="InvoiceDate",
        quantity_col="Quantity",
        unit_price_col="UnitPrice",
        order_col="InvoiceNo",
        product_col="StockCode",
        cancellation_prefix="C",
        **kw,
    )


def test_online_retail_report_and_revenue_match_pandas():
    base = online_retail(encoding="latin-1")
    r = base.csv_reports["transactions"]
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (14, 11, 0)
    assert r.anonymous_rows == 3 and r.anonymous_lines == [8, 14, 15]
    assert r.anonymous_revenue == pytest.approx(36.55)
    assert (r.return_rows, r.return_orders) == (2, 2) and r.return_value == pytest.approx(7.09)
    assert r.anonymous_return_rows == 1
    assert r.last_sale == dt.date(2011, 1, 5)
    assert r.detected["delimiter"] == "," and r.detected["day_first"] == "false"
    # Independently: pandas on the same file, returns made negative, blank ids left out.
    df = pd.read_csv(EXPORTS / "online_retail.csv", encoding="latin-1")
    df["amount"] = df.Quantity * df.UnitPrice
    ret = (df.amount < 0) | df.InvoiceNo.astype(str).str.startswith("C")
    df.loc[ret, "amount"] = -df.loc[ret, "amount"].abs()
    df["cid"] = pd.to_numeric(df.CustomerID.astype(str).str.strip(), errors="coerce")
    known = df[df.cid.notna()]
    expected = known.groupby(known.cid.astype(int)).amount.sum().sort_index()
    s = base.summary(dt.date(2011, 1, 31)).to_pandas()
    assert list(s.customer_id) == list(expected.index)
    assert list(s.revenue) == pytest.approx(list(expected.values))
    assert list(s.purchases) == [1, 2, 2]


def test_erp_export_and_ambiguous_dates():
    base = crm.CustomerBase.from_csv(
        EXPORTS / "erp_semicolon.csv",
        customer_id_col="Kundnr",
        date_col="Datum",
        amount_col="Belopp",
        order_col="Ordernr",
        margin_col="Marginal",
    )
    r = base.csv_reports["transactions"]
    assert (r.detected["delimiter"], r.detected["decimal"], r.detected["encoding"]) == (";", ",", "utf-8 with BOM")
    assert r.last_sale == dt.date(2024, 2, 10)
    with pytest.raises(crm.CsvError, match="day_first"):
        crm.CustomerBase.from_csv(EXPORTS / "ambiguous_dates.csv")
    crm.CustomerBase.from_csv(EXPORTS / "ambiguous_dates.csv", day_first=True)
