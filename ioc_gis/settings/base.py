"""Base settings. Every secret and address comes from the environment (or the .env that
`scripts/db.sh` writes for this checkout); nothing here is specific to one machine."""
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
# Real environment variables win over .env (read_env only sets what is missing).
environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "pgtrigger",
    "pghistory",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "access",
    "accounts",
    "audit",
    "layers",
    "incidents",
    "open311",
    "tiles",
    "demo",
    "citizen",
    "live",
    "console",
    "wall",
    "drilldown",
    "planner",
    "ogc",
    "integration",
    "alerts",  # alerts to owner departments (stale sources, KPIs needing attention)
    "sources",  # liveness and quality of every data source; the data page /data/
    "rasters",  # raster layers: COGs, PNG tiles, zonal statistics (issue 7)
    "observations",  # MQTT sensor streams → time-stamped observations (issue 7)
    "kpi",  # KPI registry, values, computed KPIs (issue 8)
    "hotspots",  # incident hotspots: grid counts, Getis–Ord Gi*, time patterns (issue 8)
    "insights",  # KPIs needing attention (trends, streaks) and forecasts (issue 8)
    "dashboard",  # strategic dashboard /dashboard/ and the briefing export (issue 8)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Oversized or malformed bodies become 4xx in the API's error format (ioc_gis/middleware.py).
    "ioc_gis.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # CommonMiddleware sets Content-Length; without it clients meet 40 ms delayed-ACK stalls.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: locks out after repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

# AUTHENTICATION_BACKENDS: see ioc_gis/settings/auth.py (lockout-aware backends).

ROOT_URLCONF = "ioc_gis.urls"
WSGI_APPLICATION = "ioc_gis.wsgi.application"
ASGI_APPLICATION = "ioc_gis.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ioc_gis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        **env.db_url("DATABASE_URL", engine="django.contrib.gis.db.backends.postgis"),
        "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
        # JIT makes ORM-built spatial queries ~4x slower; see docs/adr/0001-storage-srid.md.
        "OPTIONS": {"options": "-c jit=off"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first; English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [
    BASE_DIR / "ioc_gis" / "static",
    # MapLibre GL JS and label glyphs, built by scripts/map_assets.sh: /static/map/…
    ("map", BASE_DIR / "var" / "map-assets"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"

def _throttle_rate(name: str, default: str) -> str | None:
    """A rate such as "60/min" from the environment; "off" turns that limit off (benchmarks
    sending everything from one address)."""
    value = env(name, default=default)
    return None if value in ("", "off") else value


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "access.authentication.ApiTokenAuthentication",
        "accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["access.permissions.TokenScope"],
    # Limits body size and JSON nesting before decoding (ioc_gis/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "ioc_gis.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "ioc_gis.api.throttling.AnonBurstThrottle",
        "ioc_gis.api.throttling.AnonSustainedThrottle",
        "ioc_gis.api.throttling.TokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon_burst": _throttle_rate("IOC_THROTTLE_ANON_BURST", "60/min"),
        "anon_sustained": _throttle_rate("IOC_THROTTLE_ANON_SUSTAINED", "2000/day"),
        "token": _throttle_rate("IOC_THROTTLE_TOKEN", "600/min"),
    },
    # Clients are identified by REMOTE_ADDR unless a proxy is declared (prod.py: 1).
    "NUM_PROXIES": env.int("IOC_TRUSTED_PROXY_COUNT", default=0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ioc_gis.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "ioc_gis.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 200,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ioc-gis API",
    "DESCRIPTION": "Trung tâm Điều hành thông minh tỉnh Thanh Hóa — API bản đồ và dữ liệu ngành.",
    "VERSION": "0.1.0",
    # Swagger UI assets come from drf-spectacular-sidecar: served by us, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # Choice sets named alike in several apps: one schema name each.
    "ENUM_NAME_OVERRIDES": {
        "SectorEnum": "layers.models.Sector",
        "LayerSourceEnum": "layers.models.LayerSource",
        "KpiSourceEnum": "kpi.models.Source",
    },
}

# django-leaflet: no external tile server. The widget draws our own boundaries instead
# (ioc_gis/static/ioc_gis/leaflet-boundaries.js), fetched from our API.
LEAFLET_CONFIG = {
    "TILES": [],
    "DEFAULT_CENTER": (19.95, 105.45),
    "DEFAULT_ZOOM": 8,
    "MIN_ZOOM": 6,
    "MAX_ZOOM": 18,
    "SPATIAL_EXTENT": (103.9, 19.0, 106.6, 21.0),
    "ATTRIBUTION_PREFIX": "ioc-gis",
    "RESET_VIEW": False,
    "PLUGINS": {
        # Appended to django-leaflet's own form assets, so every admin map widget gets it.
        "forms": {"js": ["ioc_gis/leaflet-boundaries.js"], "css": ["ioc_gis/leaflet-boundaries.css"]},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Security headers, limits and throttles (ioc_gis/settings/security.py); login, lockout,
# second factor and session timeout (ioc_gis/settings/auth.py).
from .security import *  # noqa: E402,F401,F403
from .auth import *  # noqa: E402,F401,F403
# Vector tiles: cache backend and location (ioc_gis/settings/tiles.py, ADR 0007).
from .tiles import *  # noqa: E402,F401,F403
# Live push: channel layer, where pages find the socket (ioc_gis/settings/live.py, ADR 0009).
from .live import *  # noqa: E402,F401,F403

# Incidents: a report of the same category this close and this recent is offered as a duplicate.
INCIDENT_DUPLICATE_RADIUS_M = env.int("INCIDENT_DUPLICATE_RADIUS_M", default=50)
INCIDENT_DUPLICATE_WINDOW = timedelta(hours=env.int("INCIDENT_DUPLICATE_WINDOW_HOURS", default=72))
INCIDENT_PHOTO_MAX_BYTES = env.int("INCIDENT_PHOTO_MAX_BYTES", default=8 * 2**20)
INCIDENT_PHOTO_MAX_PIXELS = env.int("INCIDENT_PHOTO_MAX_PIXELS", default=40_000_000)
INCIDENT_PHOTO_MAX_SIDE = env.int("INCIDENT_PHOTO_MAX_SIDE", default=2048)
INCIDENT_PHOTOS_PER_REPORT = 5

# Open311 GeoReport v2 (/open311/v2/): the jurisdiction_id we answer for (others: 404).
IOC_OPEN311_JURISDICTION_ID = env("IOC_OPEN311_JURISDICTION_ID", default="thanhhoa.gov.vn")
