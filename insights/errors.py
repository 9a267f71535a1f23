"""Named failures of the KPI insights (categories from ioc_gis/errors.py decide the status)."""
from ioc_gis.errors import InvalidInputError


class HorizonInvalid(InvalidInputError):
    """A forecast horizon outside 1 … IOC_INSIGHTS_MAX_HORIZON."""

    code = "invalid_horizon"
