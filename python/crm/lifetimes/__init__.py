"""A drop-in for the ``lifetimes`` package: the same fitters, methods and utilities, backed
by the crm engine. A notebook that changes only its import gives the same numbers::

    from crm.lifetimes import BetaGeoFitter, GammaGammaFitter
    from crm.lifetimes.utils import summary_data_from_transaction_data

Needs numpy and pandas.
"""

from crm.lifetimes.fitters import (
    BaseFitter,
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)

__all__ = [
    "BaseFitter",
    "BetaGeoFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "BetaGeoBetaBinomFitter",
    "GammaGammaFitter",
]
