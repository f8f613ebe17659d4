"""The lifetimes release whose API crm.lifetimes follows (crm's own version is
``crm.__version__``)."""

__version__ = "0.11.3"
