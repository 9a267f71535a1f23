"""Login, lockout, second factor and session timeout settings (star-imported by base.py).

Every number can be changed from the environment; the defaults are the policy:
5 failed logins for one username from one address lock that pair for 15 minutes; a
successful login clears the count; administrators must pass a TOTP second factor; a session
ends after 30 minutes without requests and 12 hours after it began."""
from datetime import timedelta as _timedelta

import environ as _environ

_env = _environ.Env()  # base.py has already read .env into the process environment

# Lenient to request-less authenticate() calls (the test client's login, scripts) only; see
# accounts/backends.py. Every HTTP login path passes its request and is checked by axes.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.AxesLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff sign in through the admin's login page; redirect_to_login() and login_required use it.
LOGIN_URL = "admin:login"

# --- django-axes: lockout after repeated failures --------------------------------------------
AXES_FAILURE_LIMIT = _env.int("IOC_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = _timedelta(minutes=_env.int("IOC_LOGIN_LOCKOUT_MINUTES", default=15))
# Username *and* address together: a stranger cannot lock a colleague out from elsewhere by
# typing their username. Trade-off: one address may still try 5 passwords on each of many names.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock lasts 15 minutes from the failure that caused it; attempts during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"  # Vietnamese page / API JSON, 429
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# Reverse proxies in front of the app (prod.py assumes HTTPS ends at one): 0 = trust REMOTE_ADDR.
IOC_TRUSTED_PROXY_COUNT = _env.int("IOC_TRUSTED_PROXY_COUNT", default=0)
AXES_VERBOSE = False  # no start-up banner on every manage.py command; failures are still logged

# --- django-otp: TOTP second factor -----------------------------------------------------------
IOC_ADMINISTRATOR_GROUP = "administrator"  # access.models.Role.ADMINISTRATOR
OTP_TOTP_ISSUER = "ioc-gis Thanh Hóa"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key

# --- Sessions ---------------------------------------------------------------------------------
IOC_SESSION_IDLE_SECONDS = _env.int("IOC_SESSION_IDLE_SECONDS", default=30 * 60)
# Absolute lifetime: enforced by accounts.middleware from the first authenticated request.
SESSION_COOKIE_AGE = _env.int("IOC_SESSION_MAX_SECONDS", default=12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
