"""Named failures of the sources app (categories from ioc_gis/errors.py decide the status)."""
from ioc_gis.errors import ForbiddenError


class SourcesNotAllowed(ForbiddenError):
    """The caller may not read or check data sources."""
