"""Rendering a tile for a caller: resolve the source, scope and filters, answer from the cache
or run the one statement, compress, and cache the result."""
import gzip
import hashlib
from dataclasses import dataclass

from django.utils import timezone

from access.principal import FeatureScope, Principal

from .cache import PUBLIC_VARIANT, TileKey, tile_cache
from .filters import TileFilters, filters_parse
from .grid import TileAddress
from .prepared import fetch_tile_row
from .queries import tile_statement
from .sources import TileSource, registry, source_get
from .units import unit_epoch


@dataclass(frozen=True)
class RenderedTile:
    body: bytes          # gzipped MVT; b"" for an empty tile (204)
    is_public: bool      # may shared caches keep it?

    @property
    def is_empty(self) -> bool:
        return not self.body

    @property
    def etag(self) -> str:
        return tile_etag(self.body)


def tile_etag(body: bytes) -> str:
    """The ETag value of a cached tile body (without quotes)."""
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def _gzip(mvt: bytes) -> bytes:
    # mtime=0: the same tile always compresses to the same bytes, so its ETag is stable.
    return gzip.compress(mvt, compresslevel=6, mtime=0) if mvt else b""


def scope_for(source: TileSource, principal: Principal) -> FeatureScope:
    """Everything for public sources; the principal's ground for role-filtered layers."""
    if source.layer is None or source.is_public:
        return FeatureScope.EVERYTHING
    return principal.feature_scope(source.layer)


def effective_filters(source: TileSource, filters: TileFilters) -> TileFilters:
    """Units tiles always name a day: the start of the unit epoch in force (so every day of an
    epoch shares one cached tile); today's epoch by default."""
    if source.kind != "units":
        return filters
    day = filters.day or timezone.localdate()
    return TileFilters(day=unit_epoch(day))


_public_epochs: dict[str, str] = {}


def _check_public_unit_epoch(slug: str, epoch: str) -> None:
    """Unit tiles asked without a date are cached as the public variant (nginx serves them):
    when the calendar enters a new unit epoch, that layer's cached tiles are dropped once."""
    if _public_epochs.get(slug) == epoch:
        return
    cache = tile_cache()
    if cache.get_meta(f"units-epoch-{slug}") != epoch:
        cache.clear_layer(slug)
        cache.set_meta(f"units-epoch-{slug}", epoch)
    _public_epochs[slug] = epoch


def variant_of(source: TileSource, filters: TileFilters, scope: FeatureScope,
               asked: TileFilters | None = None) -> str:
    """Cache variant: filters and, for role-filtered layers, the scope. A units tile asked
    without a date is the public variant of today's epoch."""
    if source.kind == "units" and source.is_public and asked is not None and asked.is_empty:
        return PUBLIC_VARIANT
    text = filters.canonical()
    if source.is_public and not text:
        return PUBLIC_VARIANT
    if not source.is_public:
        text += "|" + scope.key()
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def tile_render_sql(source: TileSource, address: TileAddress, filters: TileFilters,
                    scope: FeatureScope) -> bytes:
    """Run the tile's statement; the raw (uncompressed) MVT bytes."""
    row = fetch_tile_row(*tile_statement(source, address, filters, scope))
    return bytes(row[0]) if row and row[0] is not None else b""


def tile_get(*, principal: Principal, slug: str, address: TileAddress, query) -> RenderedTile:
    """The tile `address` of source `slug` as the principal may see it, with `query` filters."""
    source = source_get(slug=slug, principal=principal)
    asked = filters_parse(source, query)
    filters = effective_filters(source, asked)
    if source.kind == "units" and asked.is_empty:
        _check_public_unit_epoch(source.slug, filters.day.isoformat())
    if not source.min_zoom <= address.z <= source.max_zoom:
        return RenderedTile(b"", source.is_public)
    scope = scope_for(source, principal)
    if scope.is_nothing:
        return RenderedTile(b"", source.is_public)
    cache = tile_cache()
    key = TileKey(source.slug, address.z, address.x, address.y,
                  variant_of(source, filters, scope, asked))
    body = cache.get(key)
    if body is None:
        generation = cache.generation(source.slug)
        body = _gzip(tile_render_sql(source, address, filters, scope))
        cache.put(key, body, generation)
    return RenderedTile(body, source.is_public)


def tile_sql(*, slug: str, z: int, x: int, y: int) -> tuple[str, dict]:
    """The statement the endpoint runs for an unfiltered, province-wide request (benchmarks
    run it directly against PostGIS to measure the floor of an uncached tile)."""
    source = registry.all()[slug]
    filters = effective_filters(source, TileFilters())
    return tile_statement(source, TileAddress(z, x, y), filters, FeatureScope.EVERYTHING)
