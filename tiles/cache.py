"""Rendered-tile cache with exact invalidation (ADR 0007).

Entries are grouped per tile address: every variant of z/x/y (filters, jurisdiction scope)
lives under one group, so invalidating a tile drops all its variants at once.

- Redis (when REDIS_URL is set): a hash per tile address, fields = variants, plus a set per
  (layer, zoom) naming the cached addresses, so a wide invalidation scans only what is cached.
- Files (otherwise): `<root>/<layer>/<z>/<x>/<y>/<variant>.mvt.gz`. The unfiltered variant of a
  public layer is `public.mvt.gz`, which nginx serves directly (docs/deploy/nginx.md).

A value is the gzipped MVT; an empty tile is an empty value (a cached 204)."""
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PUBLIC_VARIANT = "public"


@dataclass(frozen=True)
class TileKey:
    layer: str
    z: int
    x: int
    y: int
    variant: str


class NullTileCache:
    """No cache (benchmarks of the uncached path, or TILES_CACHE=off)."""

    def get(self, key: TileKey) -> bytes | None:
        return None

    def put(self, key: TileKey, body: bytes, generation: int = 0) -> None:
        """Store, unless the layer was invalidated since `generation` was read (the render
        may then hold data older than the invalidation)."""

    def generation(self, layer: str) -> int:
        """A counter bumped by every invalidation of the layer."""
        return 0

    def bump(self, layer: str) -> None:
        pass

    def get_meta(self, name: str) -> str | None:
        """A small shared note (e.g. which unit epoch the public unit tiles show)."""
        return None

    def set_meta(self, name: str, value: str) -> None:
        pass

    def invalidate(self, layer: str, z: int, x0: int, y0: int, x1: int, y1: int) -> int:
        return 0

    def invalidate_ranges(self, layer: str, ranges: dict[int, set[tuple[int, int, int, int]]]
                          ) -> int:
        """Drop every cached tile of `layer` in the (x0, y0, x1, y1) ranges of each zoom."""
        return sum(self.invalidate(layer, z, *r) for z, rs in ranges.items() for r in rs)

    def clear_layer(self, layer: str) -> None:
        pass

    def cached_addresses(self, layer: str, z: int) -> set[tuple[int, int]]:
        return set()


class FileTileCache(NullTileCache):
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _dir(self, layer: str, z: int, x: int, y: int) -> Path:
        return self.root / layer / str(z) / str(x) / str(y)

    def _path(self, key: TileKey, empty: bool = False) -> Path:
        # An empty tile is a marker of its own: nginx serves only real gzip files and sends
        # the rest to the app, which answers 204.
        suffix = "empty" if empty else "mvt.gz"
        return self._dir(key.layer, key.z, key.x, key.y) / f"{key.variant}.{suffix}"

    def get(self, key: TileKey) -> bytes | None:
        for empty in (False, True):
            try:
                return self._path(key, empty).read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                continue
        return None

    def _generation_path(self, layer: str) -> Path:
        return self.root / ".generations" / layer

    def generation(self, layer: str) -> int:
        try:
            return int(self._generation_path(layer).read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def bump(self, layer: str) -> None:
        path = self._generation_path(layer)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as handle:
            handle.write(str(self.generation(layer) + 1))
        os.replace(tmp, path)

    def get_meta(self, name: str) -> str | None:
        try:
            return (self.root / ".meta" / name).read_text()
        except FileNotFoundError:
            return None

    def set_meta(self, name: str, value: str) -> None:
        path = self.root / ".meta" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)

    def put(self, key: TileKey, body: bytes, generation: int = 0) -> None:
        if self.generation(key.layer) != generation:
            return
        path = self._path(key, empty=not body)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: nginx and other workers never see half a tile.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)

    def cached_addresses(self, layer: str, z: int) -> set[tuple[int, int]]:
        base = self.root / layer / str(z)
        found = set()
        if base.is_dir():
            for xdir in base.iterdir():
                if xdir.name.isdigit():
                    found.update((int(xdir.name), int(y.name)) for y in xdir.iterdir()
                                 if y.name.isdigit())
        return found

    def invalidate(self, layer: str, z: int, x0: int, y0: int, x1: int, y1: int) -> int:
        addresses: Iterable[tuple[int, int]]
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= 64:
            addresses = ((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
        else:
            addresses = [(x, y) for x, y in self.cached_addresses(layer, z)
                         if x0 <= x <= x1 and y0 <= y <= y1]
        dropped = 0
        for x, y in addresses:
            path = self._dir(layer, z, x, y)
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                dropped += 1
        return dropped

    def clear_layer(self, layer: str) -> None:
        self.bump(layer)
        shutil.rmtree(self.root / layer, ignore_errors=True)


class RedisTileCache(NullTileCache):
    TTL_SECONDS = 7 * 24 * 3600  # a bound on memory; correctness comes from invalidation

    def __init__(self, url: str, prefix: str = "ioc:tiles") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self._put = self.redis.register_script(self.PUT_SCRIPT)
        self._invalidate = self.redis.register_script(self.INVALIDATE_SCRIPT)

    def _group(self, layer: str, z: int, x: int, y: int) -> str:
        return f"{self.prefix}:t:{layer}:{z}:{x}:{y}"

    def _index(self, layer: str, z: int) -> str:
        return f"{self.prefix}:i:{layer}:{z}"

    def get(self, key: TileKey) -> bytes | None:
        return self.redis.hget(self._group(key.layer, key.z, key.x, key.y), key.variant)

    # Store only if the layer's generation is still the one read before rendering (atomic).
    PUT_SCRIPT = """
    if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then return 0 end
    redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
    redis.call('EXPIRE', KEYS[2], ARGV[4])
    redis.call('SADD', KEYS[3], ARGV[5])
    return 1
    """

    def _generation_key(self, layer: str) -> str:
        return f"{self.prefix}:g:{layer}"

    def generation(self, layer: str) -> int:
        return int(self.redis.get(self._generation_key(layer)) or 0)

    def bump(self, layer: str) -> None:
        self.redis.incr(self._generation_key(layer))

    def get_meta(self, name: str) -> str | None:
        value = self.redis.get(f"{self.prefix}:m:{name}")
        return value.decode() if value is not None else None

    def set_meta(self, name: str, value: str) -> None:
        self.redis.set(f"{self.prefix}:m:{name}", value)

    def put(self, key: TileKey, body: bytes, generation: int = 0) -> None:
        group = self._group(key.layer, key.z, key.x, key.y)
        self._put(keys=[self._generation_key(key.layer), group, self._index(key.layer, key.z)],
                  args=[generation, key.variant, body, self.TTL_SECONDS, f"{key.x}:{key.y}"])

    def cached_addresses(self, layer: str, z: int) -> set[tuple[int, int]]:
        members = self.redis.smembers(self._index(layer, z))
        return {tuple(int(v) for v in m.decode().split(":")) for m in members}

    SMALL_RANGE = 256  # tiles: listed one by one; wider ranges are matched to what is cached

    # Every range of every zoom in one call, the addresses worked out by Redis (a drain of many
    # reports touches a few dozen tiles per report: listing them in Python cost more than the
    # rest of the drain). Keys are computed here, so this needs a single-node Redis.
    INVALIDATE_SCRIPT = """
    local prefix, layer, small = ARGV[1], ARGV[2], tonumber(ARGV[3])
    local dropped = 0
    for i = 4, #ARGV, 5 do
      local z, x0, y0 = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
      local x1, y1 = tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])
      local index = prefix .. ':i:' .. layer .. ':' .. z
      local group = prefix .. ':t:' .. layer .. ':' .. z .. ':'
      if (x1 - x0 + 1) * (y1 - y0 + 1) <= small then
        for x = x0, x1 do
          for y = y0, y1 do
            local member = x .. ':' .. y
            redis.call('SREM', index, member)
            dropped = dropped + redis.call('DEL', group .. member)
          end
        end
      else
        for _, member in ipairs(redis.call('SMEMBERS', index)) do
          local sep = string.find(member, ':', 1, true)
          local x = tonumber(string.sub(member, 1, sep - 1))
          local y = tonumber(string.sub(member, sep + 1))
          if x >= x0 and x <= x1 and y >= y0 and y <= y1 then
            redis.call('SREM', index, member)
            dropped = dropped + redis.call('DEL', group .. member)
          end
        end
      end
    end
    return dropped
    """

    def invalidate_ranges(self, layer: str, ranges: dict[int, set[tuple[int, int, int, int]]]
                          ) -> int:
        """Every zoom's ranges in one script call."""
        args: list = [self.prefix, layer, self.SMALL_RANGE]
        for z, zoom_ranges in ranges.items():
            for x0, y0, x1, y1 in zoom_ranges:
                args += [z, x0, y0, x1, y1]
        if len(args) == 3:
            return 0
        return int(self._invalidate(args=args))

    def invalidate(self, layer: str, z: int, x0: int, y0: int, x1: int, y1: int) -> int:
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= self.SMALL_RANGE:
            addresses = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        else:
            addresses = [(x, y) for x, y in self.cached_addresses(layer, z)
                         if x0 <= x <= x1 and y0 <= y <= y1]
        if not addresses:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        for x, y in addresses:
            pipe.delete(self._group(layer, z, x, y))
        pipe.srem(self._index(layer, z), *[f"{x}:{y}" for x, y in addresses])
        return sum(pipe.execute()[:-1])

    def clear_layer(self, layer: str) -> None:
        self.bump(layer)
        for pattern in (f"{self.prefix}:t:{layer}:*", f"{self.prefix}:i:{layer}:*"):
            for key in self.redis.scan_iter(pattern, count=1000):
                self.redis.delete(key)


_cache: NullTileCache | None = None


def tile_cache() -> NullTileCache:
    """The configured cache (settings.TILES_CACHE: 'redis', 'file' or 'off')."""
    global _cache
    if _cache is None:
        kind = settings.TILES_CACHE
        if kind == "redis":
            _cache = RedisTileCache(settings.REDIS_URL, settings.TILES_CACHE_PREFIX)
        elif kind == "file":
            _cache = FileTileCache(settings.TILES_CACHE_DIR)
        else:
            _cache = NullTileCache()
    return _cache


def reset_tile_cache() -> None:
    """Forget the configured cache (tests switch settings)."""
    global _cache
    _cache = None
