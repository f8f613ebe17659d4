"""The BG/NBD fitter (Fader, Hardie & Lee 2005)."""

from __future__ import annotations

from typing import Any

from crm.lifetimes import generate_data
from crm.lifetimes.fitters import _RfmFitter


class BetaGeoFitter(_RfmFitter):
    """The BG/NBD model (Fader, Hardie and Lee 2005): r, alpha, a, b."""

    _model = "bgnbd"
    _names = ("r", "alpha", "a", "b")
    _generator = staticmethod(generate_data.beta_geometric_nbd_model)

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> Any:
        """P(n repeat purchases by t) for a new customer."""
        return self._predict("probability", t, n)
