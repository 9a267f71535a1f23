"""Reads of the OGC API. Collections are the registry's feature layers the principal may see
(`layers.selectors.layer_list_visible`); features come from `feature_list_visible`, the scoping
selector the feature API uses, narrowed here by bbox, datetime and a keyset page on the
feature id (the unique (layer, external_id) index answers it at any depth)."""
import hashlib
import operator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.cache import cache
from django.db.models import Max, Min, Q, QuerySet

from access.principal import Principal
from layers import selectors as layer_selectors
from layers.errors import FeatureNotFound, LayerNotFound
from layers.models import Feature, Layer, LayerSource

from . import conf
from .params import Cursor, ItemsQuery, TimeWindow

MAX_FEATURE_ID_LENGTH = 200  # Feature.external_id


@dataclass(frozen=True)
class CollectionExtent:
    """A collection's extent: CRS84 bbox and, for temporal layers, the observation times."""

    bbox: tuple[float, float, float, float] | None
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class ItemsPage:
    """One page of features with the cursors of its neighbours (None: no such page)."""

    features: list[Feature]
    next: Cursor | None
    prev: Cursor | None
    number_matched: int | None


def collection_list(*, principal: Principal) -> list[Layer]:
    """The collections the principal may see: every visible layer of the feature store. The
    administrative units layer is served by /api/units/ (dated versions), not here."""
    return [layer for layer in layer_selectors.layer_list_visible(principal=principal)
            if layer.source == LayerSource.FEATURES]


def collection_get(*, principal: Principal, collection_id: str) -> Layer:
    """One collection by id (= layer slug) if visible; otherwise it does not exist (404)."""
    layer = layer_selectors.layer_get_visible(slug=collection_id, principal=principal)
    if layer.source != LayerSource.FEATURES:
        raise LayerNotFound(f"Không có tập đối tượng '{collection_id}'.")
    return layer


def collection_extent(*, principal: Principal, layer: Layer) -> CollectionExtent:
    """The extent of the features the principal may read, computed once per layer and scope
    for `conf.extent_ttl_seconds()` (an ST_Extent over a million features takes ~0.5 s)."""
    scope = hashlib.sha1(principal.feature_scope(layer).key().encode()).hexdigest()
    key = f"ogc:extent:{layer.pk}:{layer.updated_at.timestamp()}:{scope}"
    cached = cache.get(key)
    if cached is None:
        cached = _extent_compute(principal=principal, layer=layer)
        cache.set(key, cached, conf.extent_ttl_seconds())
    return cached


def _extent_compute(*, principal: Principal, layer: Layer) -> CollectionExtent:
    features = layer_selectors.feature_list_visible(principal=principal, layer=layer)
    aggregates = {"bbox": Extent("geom")}
    if layer.is_temporal:
        aggregates.update(first=Min("observed_at"), last=Max("observed_at"))
    found = features.aggregate(**aggregates)
    return CollectionExtent(found["bbox"], found.get("first"), found.get("last"))


def items_page(*, principal: Principal, layer: Layer, query: ItemsQuery) -> ItemsPage:
    """A page of the features the principal may read, in feature-id order."""
    matching = _matching(principal=principal, layer=layer, query=query)
    cap = conf.number_matched_cap()
    counted = matching.order_by()[:cap + 1].count() if cap > 0 else None
    annotated = matching.annotate(geojson=AsGeoJSON("geom", precision=7))
    cursor, limit = query.cursor, query.limit
    if cursor is None or cursor.forward:
        if cursor is not None:
            annotated = annotated.filter(external_id__gt=cursor.feature_id)
        rows = list(annotated.order_by("external_id")[:limit + 1])
        features = rows[:limit]
        following = Cursor(True, features[-1].external_id) if len(rows) > limit else None
        before = Cursor(False, features[0].external_id) if cursor and features else None
    else:
        rows = list(annotated.filter(external_id__lt=cursor.feature_id)
                    .order_by("-external_id")[:limit + 1])
        features = rows[:limit][::-1]
        before = Cursor(False, features[0].external_id) if len(rows) > limit else None
        following = Cursor(True, features[-1].external_id) if features else None
    matched = counted if counted is not None and counted <= cap else None
    return ItemsPage(features, following, before, matched)


def item_get(*, principal: Principal, layer: Layer, feature_id: str) -> Feature:
    """One feature the principal may read (404 otherwise, as in the feature API)."""
    if "\x00" in feature_id or len(feature_id) > MAX_FEATURE_ID_LENGTH:
        raise FeatureNotFound(f"Không có đối tượng này trong lớp {layer.slug}.")
    return layer_selectors.feature_get_visible(principal=principal, layer=layer,
                                               external_id=feature_id)


def _matching(*, principal: Principal, layer: Layer, query: ItemsQuery) -> QuerySet[Feature]:
    features = layer_selectors.feature_list_visible(principal=principal, layer=layer)
    if query.boxes is not None:
        features = features.filter(reduce(operator.or_, (
            layer_selectors.in_bbox(box) for box in query.boxes)))
    if query.window is not None and layer.is_temporal:
        features = features.filter(_time_filter(query.window))
    return features


def _time_filter(window: TimeWindow) -> Q:
    """Features observed inside the window; features without a time match too (the spec's
    /req/core/fc-time-response B). Non-temporal layers ignore `datetime` for the same reason."""
    inside = Q()
    if window.start is not None:
        inside &= Q(observed_at__gte=window.start)
    if window.end is not None:
        inside &= Q(observed_at__lt=window.end) if window.end_exclusive else Q(
            observed_at__lte=window.end)
    return inside | Q(observed_at__isnull=True)
