"""Settings of the rasters app, read lazily from django.conf.settings with defaults
(`IOC_RASTER_…`)."""
import os
from pathlib import Path

from django.conf import settings

DEFAULTS = {
    # An upload larger than this is refused before it is read whole (bytes).
    "IOC_RASTER_MAX_UPLOAD_BYTES": 200 * 1024 * 1024,
    # Width × height: bounds memory (the zonal pass reads a province-sized window as float64,
    # 256 MB at the cap).
    "IOC_RASTER_MAX_CELLS": 32_000_000,
    # Tiles are rendered at this size (pixels per side).
    "IOC_RASTER_TILE_SIZE": 256,
    # Rendered tiles kept in the project's cache, keyed by their ETag (never stale).
    "IOC_RASTER_TILE_CACHE_SECONDS": 24 * 3600,
}


def get(name: str):
    """The setting `name`, or its default."""
    return getattr(settings, name, DEFAULTS[name])


def raster_dir() -> Path:
    """Where the COGs live (generated names only): the IOC_RASTER_DIR setting, else that
    environment variable, else MEDIA_ROOT/rasters."""
    configured = getattr(settings, "IOC_RASTER_DIR", None) or os.environ.get("IOC_RASTER_DIR")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "rasters"
