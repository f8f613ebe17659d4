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
