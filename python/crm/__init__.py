"""crm: a customer-analytics engine (customer summary, RFM, lifecycle, value segments)."""

from crm._crm import __version__

__all__ = ["__version__"]
