"""Settings of the integration app, read lazily from django.conf.settings with defaults
(`IOC_IMPORT_…`)."""
from pathlib import Path

from django.conf import settings

DEFAULTS = {
    "IOC_IMPORT_MAX_UPLOAD_BYTES": 200 * 1024 * 1024,
    "IOC_IMPORT_MAX_ZIP_MEMBERS": 50,
    "IOC_IMPORT_MAX_UNCOMPRESSED_BYTES": 1024 * 1024 * 1024,
    "IOC_IMPORT_MAX_ZIP_RATIO": 100,
    "IOC_IMPORT_MAX_ROWS": 1_000_000,
    "IOC_IMPORT_PROGRESS_EVERY": 5_000,
    "IOC_IMPORT_WRITE_CHUNK": 10_000,
    # Degrees around the province outline still accepted (the demo outline is approximate).
    "IOC_IMPORT_PROVINCE_MARGIN_DEG": 0.01,
    # At or above this many changed rows the tile data is rebuilt once (tiles.bulk_writes).
    "IOC_IMPORT_BULK_THRESHOLD": 2_000,
    # Pull connectors (integration/pull.py, fetch.py).
    "IOC_PULL_MAX_REDIRECTS": 5,
    "IOC_PULL_MAX_SECONDS": 600,       # a whole transfer (the connector's timeout is per read)
    "IOC_PULL_MAX_PAGES": 200,         # OGC API – Features: `next` links followed at most
    "IOC_PULL_OGC_PAGE_LIMIT": 1_000,  # `limit` added to an items URL that has none
    "IOC_PULL_KEEP_PAYLOADS": 5,       # fetched payloads kept per connector (the latest)
    "IOC_PULL_TICK_SECONDS": 15,       # the local worker looks for due pulls this often
}


def get(name: str):
    """The setting `name`, or its default."""
    return getattr(settings, name, DEFAULTS[name])


def import_dir() -> Path:
    """Where uploads are kept, one generated directory per run (under MEDIA_ROOT)."""
    return Path(getattr(settings, "IOC_IMPORT_DIR", Path(settings.MEDIA_ROOT) / "imports"))
