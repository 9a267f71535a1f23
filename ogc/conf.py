"""Settings of the OGC API, read lazily from django.conf.settings with defaults."""
from django.conf import settings

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE_CLASSES = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
OPENAPI_MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
EXTENT_TTL_SECONDS = 300
NUMBER_MATCHED_CAP = 10_000


def max_limit() -> int:
    """IOC_OGC_MAX_LIMIT: the largest page; a larger `limit` is clamped to it, not refused."""
    return getattr(settings, "IOC_OGC_MAX_LIMIT", MAX_LIMIT)


def extent_ttl_seconds() -> int:
    """IOC_OGC_EXTENT_TTL: how long a collection's computed extent is reused (seconds)."""
    return getattr(settings, "IOC_OGC_EXTENT_TTL", EXTENT_TTL_SECONDS)


def number_matched_cap() -> int:
    """IOC_OGC_NUMBER_MATCHED_CAP: `numberMatched` is given when at most this many features
    match (counting further costs ~100 ms per page on a million-feature layer); 0: never."""
    return getattr(settings, "IOC_OGC_NUMBER_MATCHED_CAP", NUMBER_MATCHED_CAP)
