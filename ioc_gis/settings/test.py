"""The test suite: the same real PostGIS as dev (pytest-django creates test_<name>)."""
from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user fixtures
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Close connections after each request: the browser tests' server threads must not hold
# sessions open on the test database when it is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Parallel runs (several checkouts on one server) can each name their own test database.
if env("IOC_TEST_DB_NAME", default=""):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": env("IOC_TEST_DB_NAME")}  # noqa: F405

# Rate limits off for the suite (every test client is 127.0.0.1); tests/security turns them on.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {  # noqa: F405
    "anon_burst": None, "anon_sustained": None, "token": None}}

# Tiles: a cache of the test run's own (parallel checkouts must not share entries).
TILES_CACHE = env("TILES_CACHE", default="file")  # noqa: F405
TILES_CACHE_DIR = str(BASE_DIR / "var" / f"tiles-{env('IOC_TEST_DB_NAME', default='test')}")  # noqa: F405
TILES_CACHE_PREFIX = f"ioc:tiles:{env('IOC_TEST_DB_NAME', default='test')}"  # noqa: F405

# Live push: the in-memory channel layer, whatever .env says; the tests of the shared (Redis)
# layer start their own server processes with their own prefix (tests/live/test_processes.py).
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Uploaded import files of the test run: under the system's temporary directory, one per test
# database (the worker processes some tests start read the same place), never var/media.
import tempfile as _tempfile  # noqa: E402

IOC_IMPORT_DIR = env("IOC_IMPORT_DIR", default=str(  # noqa: F405
    Path(_tempfile.gettempdir()) / f"ioc-test-imports-{env('IOC_TEST_DB_NAME', default='test')}"))  # noqa: F405

# Raster files of the test run (rasters/: the demo's and the tests' COGs), likewise.
IOC_RASTER_DIR = env("IOC_RASTER_DIR", default=str(  # noqa: F405
    Path(_tempfile.gettempdir()) / f"ioc-test-rasters-{env('IOC_TEST_DB_NAME', default='test')}"))  # noqa: F405
