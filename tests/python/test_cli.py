"""The ``crm`` command from the Python package: the same Rust program as the binary."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import crm
from crm.cli import main


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "crm", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_help_and_version_exit_zero(tmp_path):
    assert run("--help", cwd=tmp_path).returncode == 0
    out = run("--version", cwd=tmp_path)
    assert out.returncode == 0 and crm.__version__ in out.stdout
    helptext = run("report", "--help", cwd=tmp_path).stdout
    assert "Examples:" in helptext


def test_console_script_is_installed_next_to_python():
    script = Path(sys.executable).with_name("crm")
    assert script.exists() or shutil.which("crm"), "pip install gives a `crm` command"


def test_bad_command_line_is_exit_2_and_missing_input_exit_1(tmp_path):
    assert run("report", "--bogus", cwd=tmp_path).returncode == 2
    out = run("report", cwd=tmp_path)
    assert out.returncode == 1 and "--transactions" in out.stderr


def test_sample_files_and_report_in_process(tmp_path):
    assert main(["sample", "--out", str(tmp_path / "data"), "--customers", "300"]) == 0
    for f in ["sales.csv", "customers.csv", "interactions.csv", "crm.toml"]:
        assert (tmp_path / "data" / f).is_file()
    assert main(["report", "--config", str(tmp_path / "data" / "crm.toml"), "--quiet"]) == 0
    report = json.loads((tmp_path / "data" / "report" / "report.json").read_text())
    assert report["overview"]["customers"] == 300


EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"


def test_cli_and_python_face_give_the_same_report_on_a_real_export(tmp_path):
    """`crm report` and `CustomerBase.from_csv(...).report(...)` run the same engine: the
    same JSON figures (and the hand-worked ones of tests/data/README.md)."""
    csv = EXPORTS / "online_retail.csv"
    code = main([
        "report", "-t", str(csv), "--customer-col", "CustomerID", "--date-col", "InvoiceDate",
        "--quantity-col", "Quantity", "--unit-price-col", "UnitPrice", "--order-col", "InvoiceNo",
        "--cancellation-prefix", "C", "--as-of", "2011-01-12", "--out", str(tmp_path / "rep"), "--quiet",
    ])
    assert code == 0
    cli = json.loads((tmp_path / "rep" / "report.json").read_text())
    base = crm.CustomerBase.from_csv(
        csv, customer_id_col="CustomerID", date_col="InvoiceDate", quantity_col="Quantity",
        unit_price_col="UnitPrice", order_col="InvoiceNo", cancellation_prefix="C",
    )
    py = json.loads(base.report("2011-01-12").to_json())
    assert cli["overview"] == py["overview"]
    assert cli["segments"] == py["segments"]
    assert cli["wallet"] == py["wallet"]
    assert abs(cli["overview"]["revenue"] - 185.38) < 1e-9
    assert cli["input"]["anonymous_rows"] == 3 and abs(cli["input"]["anonymous_revenue"] - 36.55) < 1e-9
    rejected = (tmp_path / "rep" / "rejected-rows.csv").read_text().splitlines()
    assert [r.split(",")[1] for r in rejected[1:]] == ["8", "14", "15"]


def test_cli_reads_parquet_like_csv(tmp_path):
    args = ["--customer-col", "CustomerID", "--date-col", "InvoiceDate", "--quantity-col", "Quantity",
            "--unit-price-col", "UnitPrice", "--order-col", "InvoiceNo", "--cancellation-prefix", "C", "--quiet"]
    for name in ["online_retail.csv", "online_retail.parquet"]:
        assert main(["report", "-t", str(EXPORTS / name), "--out", str(tmp_path / name), *args]) == 0
    a = json.loads((tmp_path / "online_retail.csv" / "report.json").read_text())
    b = json.loads((tmp_path / "online_retail.parquet" / "report.json").read_text())
    for key in ["overview", "segments", "lifecycle", "returns", "wallet"]:
        assert a[key] == b[key], key
    assert a["input"]["anonymous_rows"] == b["input"]["anonymous_rows"] == 3
