"""The exceptions crm raises.

Every error of the engine is a :class:`CrmError`. Errors about the data or the arguments
are also :class:`ValueError` (so ``except ValueError`` works as Python users expect), and
say where the problem is: the table (``transactions``, ``customers``, ``interactions``,
``csv``), the 0-based ``row`` of a table or the 1-based ``line`` of a CSV file, the
``column`` as you named it, and the customer id where one is involved.

Every error has a stable numeric ``code``, the kind of error (``crm_core::ErrorKind``): the
same number the C library returns (``crm_result``) for the same input, listed in
:data:`ERROR_CODES`. A missing file raises the standard :class:`FileNotFoundError` (code 18,
other file errors :class:`OSError`, code 17, both with ``.code`` set); an input that is not a
table raises :class:`TypeError`.
"""

from __future__ import annotations

from typing import Any, List, Optional

__all__ = [
    "CrmError",
    "InputError",
    "LengthMismatchError",
    "IdKindMismatchError",
    "ColumnNotFoundError",
    "UnknownCustomerError",
    "DuplicateCustomerError",
    "CsvError",
    "CsvColumnNotFoundError",
    "ConfigError",
    "MissingDataError",
    "FitError",
    "InternalError",
    "ERROR_CODES",
]


#: The stable code of each kind of error, as the C library's ``crm_result`` numbers them.
ERROR_CODES = {
    "LengthMismatch": 4,
    "InvalidValue": 10,
    "UnknownCustomer": 11,
    "DuplicateCustomer": 12,
    "IdKindMismatch": 13,
    "InvalidConfig": 14,
    "MissingData": 15,
    "Csv": 16,
    "Io": 17,
    "FileNotFound": 18,
    "Fit": 19,
    "Internal": 99,
}


class CrmError(Exception):
    """Base class of every error the crm engine raises; ``code`` is its kind's code."""

    code: Optional[int] = None

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

    code: Optional[int] = ERROR_CODES["InvalidValue"]

    table: Optional[str] = None
    row: Optional[int] = None
    column: Optional[str] = None
    line: Optional[int] = None


class LengthMismatchError(InputError):
    """Two columns of one table have different lengths (``table``, ``column``); code 4."""

    code: Optional[int] = ERROR_CODES["LengthMismatch"]


class IdKindMismatchError(InputError):
    """Integer and string customer ids mixed (``table``, ``column``); code 13."""

    code: Optional[int] = ERROR_CODES["IdKindMismatch"]


class ColumnNotFoundError(InputError):
    """A column name given as a parameter is not in the table (``column``, ``available``)."""

    available: Optional[List[str]] = None


class UnknownCustomerError(InputError):
    """A transaction or interaction names a customer the customer table does not have
    (``customer``, ``row``, ``column``; for a CSV file also ``file`` and ``line``, the
    file's 1-based line with the header on line 1)."""

    code: Optional[int] = ERROR_CODES["UnknownCustomer"]

    customer: Optional[str] = None
    file: Optional[str] = None


class DuplicateCustomerError(InputError):
    """The same customer id appears twice in the customer table (``customer``, ``row``,
    ``first_row``; for a CSV file also ``file`` and ``line`` of the second, ``first_file``
    and ``first_line`` of the first)."""

    code: Optional[int] = ERROR_CODES["DuplicateCustomer"]

    customer: Optional[str] = None
    first_row: Optional[int] = None
    file: Optional[str] = None
    first_file: Optional[str] = None
    first_line: Optional[int] = None


class CsvError(InputError):
    """A CSV file with bad values. ``line`` and ``column`` locate the first; ``problems``
    lists them (up to 100, as :class:`crm.CsvProblem`), ``total`` counts all; ``path``."""

    code: Optional[int] = ERROR_CODES["Csv"]

    path: Optional[str] = None
    problems: Optional[list] = None
    total: Optional[int] = None


class CsvColumnNotFoundError(CsvError, ColumnNotFoundError):
    """A column name given as a parameter is not in the CSV header (``line`` is 1)."""


class ConfigError(CrmError, ValueError):
    """A keyword argument out of range or inconsistent (``field`` names it)."""

    code: Optional[int] = ERROR_CODES["InvalidConfig"]

    field: Optional[str] = None


class MissingDataError(CrmError, ValueError):
    """An analysis needs data the base does not have (e.g. ``by="margin"`` without a
    margin or cost-of-goods column)."""

    code: Optional[int] = ERROR_CODES["MissingData"]


class FitError(CrmError, RuntimeError):
    """A model fit failed: its likelihood could not be evaluated or there was nothing to fit
    (``model``); code 19."""

    code: Optional[int] = ERROR_CODES["Fit"]

    model: Optional[str] = None


class InternalError(CrmError, RuntimeError):
    """A bug in the engine (a Rust panic, caught). Please report it."""

    code: Optional[int] = ERROR_CODES["Internal"]
