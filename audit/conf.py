"""Settings of the audit app, read lazily from `django.conf.settings` with defaults.

IOC_TRUSTED_PROXY_COUNT (shared with accounts' lockout; ioc_gis/settings/auth.py)
    How many reverse proxies of ours stand in front of Django. With 0 (the default) the client
    address is REMOTE_ADDR. With N > 0 it is the N-th X-Forwarded-For entry counted from the
    right: the address our outermost proxy saw. Entries further left were written by the
    client and can be forged, so they are never used.
"""
from django.conf import settings


def trusted_proxy_count() -> int:
    """Number of trusted reverse proxies (IOC_TRUSTED_PROXY_COUNT, default 0)."""
    return max(int(getattr(settings, "IOC_TRUSTED_PROXY_COUNT", 0) or 0), 0)
