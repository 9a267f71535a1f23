"""API rate limits: anonymous clients by address (a burst and a daily limit), API tokens by token.

Counters live in Django's default cache: Redis when REDIS_URL is set, else LocMem. LocMem is
per process, so a deployment with several workers needs Redis for the limits to hold.

DRF copies DEFAULT_THROTTLE_RATES into `SimpleRateThrottle.THROTTLE_RATES` once, when
rest_framework.throttling is imported, so `override_settings` would not reach it. These classes
read the rates from `api_settings` whenever a throttle is built (once per request), and
`api_settings` is reloaded by DRF on every settings change. A rate of None turns a scope off."""
import hashlib

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class CurrentRatesMixin:
    """Takes the rate from the current REST_FRAMEWORK settings, not the import-time copy."""

    def get_rate(self) -> str | None:
        """The configured rate of this throttle's scope."""
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for scope {self.scope!r}"
            ) from None

    def wait(self) -> float | None:
        """Seconds until a request is allowed again.

        DRF answers None when the history holds more entries than the rate allows (after the
        rate was lowered), which would drop the Retry-After header; answer the exact time
        until enough entries expire instead."""
        wait = super().wait()
        if wait is None and self.history:
            wait = self.duration - (self.now - self.history[self.num_requests - 1])
        return wait


class AnonBurstThrottle(CurrentRatesMixin, AnonRateThrottle):
    """Anonymous clients, per address, over a short window (e.g. 60/min)."""

    scope = "anon_burst"


class AnonSustainedThrottle(CurrentRatesMixin, AnonRateThrottle):
    """Anonymous clients, per address, over a day (e.g. 2000/day)."""

    scope = "anon_sustained"


class TokenThrottle(CurrentRatesMixin, SimpleRateThrottle):
    """Requests authenticated by an API token, per token (e.g. 600/min).

    Session-authenticated and anonymous requests carry no token (`request.auth` is None) and
    are left to the other throttles."""

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        """Cache key of the request's token, or None when there is no token."""
        token = request.auth
        if token is None:
            return None
        ident = getattr(token, "pk", None)
        if ident is None:
            # Never put a raw token key into the cache (Redis keys are readable by operators).
            ident = hashlib.sha256(str(token).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
