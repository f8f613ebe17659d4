import tomllib
from pathlib import Path

import crm


def test_version_matches_the_workspace():
    cargo = tomllib.loads((Path(__file__).parents[2] / "Cargo.toml").read_text())
    assert crm.__version__ == cargo["workspace"]["package"]["version"]
