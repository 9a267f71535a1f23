"""Production: DEBUG off whatever the environment says, HTTPS terminated at a reverse proxy.

`DJANGO_SETTINGS_MODULE=ioc_gis.settings.prod manage.py check --deploy --fail-level WARNING`
must pass. Secrets (SECRET_KEY, DATABASE_URL, REDIS_URL) come only from the environment."""
from .base import *  # noqa: F401,F403
from .base import REST_FRAMEWORK, env

DEBUG = False  # never from the environment: a debug page leaks settings and source

# The proxy sets X-Forwarded-Proto (and must overwrite any value a client sent).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes of the orchestrator call the container over plain HTTP; a redirect would fail them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)  # one year
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# One reverse proxy in front, appending the address it saw to X-Forwarded-For. The login lockout
# (accounts) and the API's anonymous throttles must both count that client, not the proxy; and
# without NUM_PROXIES DRF would key throttles on the whole header, which a client can vary.
IOC_TRUSTED_PROXY_COUNT = env.int("IOC_TRUSTED_PROXY_COUNT", default=1)
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": IOC_TRUSTED_PROXY_COUNT}
