"""The allow-list of tile sources: every layer of the registry, plus our basemap.

A request names a source by slug; only a slug found here reaches the renderer, and the SQL uses
the layer's numeric id and the schema's property names as parameters, never request text as an
identifier. The registry is snapshotted per process (layers change rarely) and refreshed when a
layer is saved in this process, or after SNAPSHOT_SECONDS in the others."""
import threading
import time
from dataclasses import dataclass, field

from layers.models import GeometryKind, Layer, LayerSource

from .errors import TileSourceNotFound

BASEMAP = "basemap"
SNAPSHOT_SECONDS = 2.0


@dataclass(frozen=True)
class TileSource:
    slug: str
    kind: str  # "features" | "units" | "basemap"
    title_vi: str
    title_en: str
    min_zoom: int
    max_zoom: int
    is_public: bool
    layer: Layer | None = field(default=None, compare=False)

    @property
    def layer_id(self) -> int | None:
        return self.layer.pk if self.layer else None

    @property
    def is_aggregated(self) -> bool:
        return self.layer is not None and self.layer.aggregate_below_zoom is not None

    def aggregates_at(self, z: int) -> bool:
        """Below `aggregate_below_zoom`, dense point layers are drawn as cluster cells."""
        return self.is_aggregated and z < self.layer.aggregate_below_zoom

    @property
    def is_temporal(self) -> bool:
        return bool(self.layer and self.layer.is_temporal)

    @property
    def geometry_kind(self) -> str:
        if self.kind == "units":
            return GeometryKind.POLYGON
        return self.layer.geometry_kind if self.layer else GeometryKind.LINE


def _basemap() -> TileSource:
    return TileSource(slug=BASEMAP, kind="basemap", title_vi="Nền bản đồ",
                      title_en="Basemap", min_zoom=0, max_zoom=22, is_public=True)


def _source_of(layer: Layer) -> TileSource:
    kind = "units" if layer.source == LayerSource.ADMIN_UNITS else "features"
    return TileSource(slug=layer.slug, kind=kind, title_vi=layer.title_vi,
                      title_en=layer.title_en, min_zoom=layer.min_zoom,
                      max_zoom=layer.max_zoom, is_public=layer.is_public, layer=layer)


class _Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: dict[str, TileSource] | None = None
        self._taken_at = 0.0

    def all(self) -> dict[str, TileSource]:
        with self._lock:
            stale = time.monotonic() - self._taken_at > SNAPSHOT_SECONDS
            if self._sources is None or stale:
                sources = {BASEMAP: _basemap()}
                for layer in Layer.objects.order_by("sector", "slug"):
                    sources[layer.slug] = _source_of(layer)
                self._sources, self._taken_at = sources, time.monotonic()
            return self._sources

    def reset(self) -> None:
        with self._lock:
            self._sources = None


registry = _Registry()


def source_get(*, slug: str, principal) -> TileSource:
    """A source the principal may see, else TileSourceNotFound (404, so names cannot be probed)."""
    source = registry.all().get(slug)
    if source is None or (source.layer is not None and not principal.can_see_layer(source.layer)):
        raise TileSourceNotFound(f"Không có lớp bản đồ '{slug}'.")
    return source


def sources_visible(*, principal) -> list[TileSource]:
    """Every source the principal may see, basemap first, then in registry order."""
    return [s for s in registry.all().values()
            if s.layer is None or principal.can_see_layer(s.layer)]
