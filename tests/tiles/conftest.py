"""Fixtures of the tile tests."""
from pathlib import Path

import pytest

from tiles.cache import reset_tile_cache


@pytest.fixture
def file_cache(settings, tmp_path):
    """The file tile cache in a directory of this test's own; yields that directory."""
    settings.TILES_CACHE = "file"
    settings.TILES_CACHE_DIR = str(tmp_path / "tiles")
    reset_tile_cache()
    yield Path(settings.TILES_CACHE_DIR)
    reset_tile_cache()
