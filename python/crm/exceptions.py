"""The exceptions crm raises.

Every error of the engine is a :class:`CrmError`. Errors about the data or the arguments
are also :class:`ValueError` (so ``except ValueError`` works as Python users expect), and
say where the problem is: the table (``transactions``, ``customers``, ``interactions``,
``csv``), the 0-based ``row`` of a table or the 1-based ``line`` of a CSV file, the
``column`` as you named it, and the customer id where one is involved.

A missing file raises the standard :class:`FileNotFoundError`; an input that is not a table
raises :class:`TypeError`.
"""

from __future__ import annotations

from typing import Any, List, Optional

__all__ = [
    "CrmError",
    "InputError",
    "ColumnNotFoundError",
    "UnknownCustomerError",
    "DuplicateCustomerError",
    "CsvError",
    "CsvColumnNotFoundError",
    "ConfigError",
    "MissingDataError",
    "InternalError",
]


class CrmError(Exception):
    """Base class of every error the crm engine raises."""

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message)
        for name, value in details.items():
            setattr(self, name, value)

    @property
    def message(self) -> str:
        """The error message."""
        return str(self.args[0]) if self.args else ""


class InputError(CrmError, ValueError):
    """A value in the input that cannot be used (a NaN amount, a null id, a bad date, ...).

    Attributes: ``table``, ``row`` (0-based row of the table, or None), ``column`` (the
    column name as you gave it), ``line`` (1-based line, for CSV files).
    """

    table: Optional[str] = None
    row: Optional[int] = None
    column: Optional[str] = None
    line: Optional[int] = None


class ColumnNotFoundError(InputError):
    """A column name given as a parameter is not in the table (``column``, ``available``)."""

    available: Optional[List[str]] = None


class UnknownCustomerError(InputError):
    """A transaction or interaction names a customer the customer table does not have
    (``customer``, ``row``, ``column``)."""

    customer: Optional[str] = None


class DuplicateCustomerError(InputError):
    """The same customer id appears twice in the customer table (``customer``, ``row``,
    ``first_row``)."""

    customer: Optional[str] = None
    first_row: Optional[int] = None


class CsvError(InputError):
    """A CSV file with bad values. ``line`` and ``column`` locate the first; ``problems``
    lists them (up to 100, as :class:`crm.CsvProblem`), ``total`` counts all; ``path``."""

    path: Optional[str] = None
    problems: Optional[list] = None
    total: Optional[int] = None


class CsvColumnNotFoundError(CsvError, ColumnNotFoundError):
    """A column name given as a parameter is not in the CSV header (``line`` is 1)."""


class ConfigError(CrmError, ValueError):
    """A keyword argument out of range or inconsistent (``field`` names it)."""

    field: Optional[str] = None


class MissingDataError(CrmError, ValueError):
    """An analysis needs data the base does not have (e.g. ``by="margin"`` without a
    margin or cost-of-goods column)."""


class InternalError(CrmError, RuntimeError):
    """A bug in the engine (a Rust panic, caught). Please report it."""
