"""The MBG/NBD fitter (Batislam, Denizel & Filiztekin 2007)."""

from __future__ import annotations

from crm.lifetimes import generate_data
from crm.lifetimes.fitters.beta_geo_fitter import BetaGeoFitter


class ModifiedBetaGeoFitter(BetaGeoFitter):
    """The MBG/NBD model (Batislam et al. 2007): r, alpha, a, b."""

    _model = "mbgnbd"
    _generator = staticmethod(generate_data.modified_beta_geometric_nbd_model)
