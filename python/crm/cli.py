"""The ``crm`` command: the customer-development report on a sales export.

The command is the Rust program itself (``crm_core::cli``), so ``crm report ...`` from
pip and from ``cargo install --path crm-core --features cli`` behave the same::

    crm report --sample --out report
    python -m crm report --transactions sales.csv --quantity-col Quantity --unit-price-col UnitPrice
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

from crm._crm import run_cli

__all__ = ["main", "console"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs ``crm`` with ``argv`` (default: this process' arguments); returns the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    return run_cli(["crm", *args])


def console() -> None:
    """The console script's entry point."""
    sys.exit(main())
