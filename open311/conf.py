"""Settings of the Open311 app, read lazily from `django.conf.settings` with defaults.

IOC_OPEN311_JURISDICTION_ID
    Our `jurisdiction_id` (default "thanhhoa.gov.vn"). Clients may leave it out; any other
    value is a 404, as the spec asks for an unknown jurisdiction.
IOC_OPEN311_CONTACT, IOC_OPEN311_KEY_SERVICE
    The discovery document's `contact` and `key_service` (how to obtain an api_key).
IOC_OPEN311_MAX_REQUESTS
    At most this many requests in one GET requests answer (default 1000, as in the spec).
IOC_OPEN311_MAX_SPAN_DAYS
    Longest start_date..end_date window, and the default window (default 90, as in the spec).
"""
from django.conf import settings

# The token scope that lets an integration client create service requests.
SCOPE_WRITE = "open311:write"
# When this endpoint's behaviour last changed (the discovery document's `changeset`).
CHANGESET = "2026-11-26T00:00:00+07:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def jurisdiction_id() -> str:
    """The only jurisdiction this server answers for."""
    return getattr(settings, "IOC_OPEN311_JURISDICTION_ID", "thanhhoa.gov.vn")


def contact() -> str:
    """Who to ask about this endpoint."""
    return getattr(settings, "IOC_OPEN311_CONTACT",
                   "Trung tâm Điều hành thông minh tỉnh Thanh Hóa (IOC Thanh Hóa)")


def key_service() -> str:
    """How a client obtains an api_key."""
    return getattr(settings, "IOC_OPEN311_KEY_SERVICE",
                   "Khóa API do quản trị viên IOC cấp (trang quản trị, mục Khóa API, quyền "
                   "open311:write). / API keys are issued by the IOC administrators "
                   "(scope open311:write).")


def max_requests() -> int:
    """Upper bound on the requests of one list answer."""
    return int(getattr(settings, "IOC_OPEN311_MAX_REQUESTS", 1000))


def max_span_days() -> int:
    """Longest (and default) date window of a list query, in days."""
    return int(getattr(settings, "IOC_OPEN311_MAX_SPAN_DAYS", 90))
