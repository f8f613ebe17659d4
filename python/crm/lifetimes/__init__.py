"""A drop-in for the ``lifetimes`` package: the same fitters, methods, utilities, data sets,
simulators and plots, backed by the crm engine. A notebook that changes only its import
gives the same numbers::

    from crm.lifetimes import BetaGeoFitter, GammaGammaFitter
    from crm.lifetimes.utils import summary_data_from_transaction_data

Needs numpy and pandas (and matplotlib for ``crm.lifetimes.plotting``).
"""

from crm.lifetimes import datasets, generate_data, utils, version
from crm.lifetimes.fitters import (
    BaseFitter,
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)
from crm.lifetimes.version import __version__

__all__ = (
    "__version__",
    "BaseFitter",
    "BetaGeoFitter",
    "ParetoNBDFitter",
    "GammaGammaFitter",
    "ModifiedBetaGeoFitter",
    "BetaGeoBetaBinomFitter",
    "datasets",
    "generate_data",
    "utils",
    "version",
)


def __getattr__(name: str):  # plotting imports matplotlib: only on first use
    if name == "plotting":
        import importlib

        return importlib.import_module("crm.lifetimes.plotting")
    raise AttributeError(f"module 'crm.lifetimes' has no attribute {name!r}")
