"""Vector-tile settings (ADR 0007). Read from the environment like the rest."""
import environ

from .base import BASE_DIR, REDIS_URL

env = environ.Env()

# 'redis' when REDIS_URL is set, else 'file'; 'off' renders every tile (benchmarks).
TILES_CACHE = env("TILES_CACHE", default="redis" if REDIS_URL else "file")
# Files of the file cache; nginx serves the public ones straight from here in production.
TILES_CACHE_DIR = env("TILES_CACHE_DIR", default=str(BASE_DIR / "var" / "tiles"))
TILES_CACHE_PREFIX = env("TILES_CACHE_PREFIX", default="ioc:tiles")
# The TileJSON/style URLs are built from the request; a proxy may fix the public origin.
TILES_PUBLIC_ORIGIN = env("TILES_PUBLIC_ORIGIN", default="")
# Tile statements are prepared once per database session (tiles/prepared.py); switch off
# behind PgBouncer in transaction pooling ("off", "false" or "0").
TILES_PREPARED_STATEMENTS = env.bool("TILES_PREPARED_STATEMENTS", default=True)
