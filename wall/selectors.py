"""Reads of the wall: its scenes as the caller may show them, the pin in force, the KPI strip
and the recent incidents — every incident figure through `incidents.selectors.incident_scope`,
so a wall bound to some units counts only their incidents."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q
from django.utils.translation import get_language

from access.principal import Principal
from incidents.models import Incident
from incidents.selectors import category_list, incident_list_visible, incident_scope
from incidents.transitions import CLOSED_STATES, HIDDEN_STATES, OPEN_STATES, Status
from layers.selectors import layer_list_visible

from .errors import SceneNotFound
from .models import Scene, ScenePin

NEW_WINDOW = timedelta(hours=24)
ON_TIME_WINDOW = timedelta(days=30)
SHOWN_STATUSES = [s for s in Status.values if s not in HIDDEN_STATES]


def in_english() -> bool:
    """Whether the request's language is English (else Vietnamese)."""
    return (get_language() or "vi").startswith("en")


@dataclass(frozen=True)
class SceneView:
    """A scene as one caller's wall shows it: only layers and categories that exist and that
    the caller may see, names in the request's language."""

    slug: str
    name: str
    position: int
    dwell_seconds: int
    center: tuple[float, float]
    zoom: float
    layers: list[dict]
    filters: dict
    panels: list[str]


def _scene_view(scene: Scene, layers: dict, categories: set[str], english: bool) -> SceneView:
    shown = [{"slug": slug, "title": (layers[slug].title_en if english else
                                      layers[slug].title_vi) or layers[slug].title_vi}
             for slug in dict.fromkeys(scene.layers) if slug in layers]
    return SceneView(
        slug=scene.slug, name=scene.name_en if english else scene.name_vi,
        position=scene.position, dwell_seconds=scene.dwell_seconds,
        center=(scene.center_lon, scene.center_lat), zoom=scene.zoom, layers=shown,
        filters={"status": sorted(set(scene.incident_statuses)),
                 "category": sorted(set(scene.incident_categories) & categories)},
        panels=list(dict.fromkeys(scene.panels)))


def scene_list_for_wall(*, principal: Principal) -> list[SceneView]:
    """Active scenes in their order. Layer slugs that do not exist or that the caller may not
    see are dropped, and so are category codes no active category has (the tiles would refuse
    them)."""
    layers = {layer.slug: layer for layer in layer_list_visible(principal=principal)}
    categories = {c.code for c in category_list()}
    english = in_english()
    return [_scene_view(scene, layers, categories, english)
            for scene in Scene.objects.filter(is_active=True).order_by("position", "slug")]


def scene_get_active(*, slug: str) -> Scene:
    """An active scene by slug (SceneNotFound otherwise)."""
    scene = Scene.objects.filter(slug=slug, is_active=True).first()
    if scene is None:
        raise SceneNotFound(f"Không có cảnh '{slug}'.", details={"scene": slug})
    return scene


def pin_in_force(*, now: datetime) -> ScenePin | None:
    """The pin holding the wall now: not released, not expired, on an active scene."""
    return (ScenePin.objects.filter(released_at__isnull=True, until__gt=now,
                                    scene__is_active=True)
            .select_related("scene", "pinned_by").first())


def wall_kpi(*, principal: Principal, now: datetime) -> dict:
    """The KPI strip within the caller's scope, in three index-friendly counts:
    open incidents and, of them, overdue (past `due_at`) — the (status, due_at) index;
    new in the last 24 h (`created_at`); resolved in the last 30 days (`resolved_at`, resolved
    or closed now) and how many of those by their due time."""
    scoped = Incident.objects.filter(incident_scope(principal=principal))
    open_figures = scoped.filter(status__in=OPEN_STATES).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    new = scoped.filter(created_at__gte=now - NEW_WINDOW).count()
    resolved = scoped.filter(status__in=CLOSED_STATES,
                             resolved_at__gte=now - ON_TIME_WINDOW).aggregate(
        total=Count("id"), on_time=Count("id", filter=Q(resolved_at__lte=F("due_at"))))
    on_time_pct = (round(100 * resolved["on_time"] / resolved["total"], 1)
                   if resolved["total"] else None)
    return {"open": open_figures["open"], "overdue": open_figures["overdue"],
            "new_24h": new, "resolved_30d": resolved["total"],
            "resolved_on_time_30d": resolved["on_time"], "on_time_pct": on_time_pct}


def wall_recent_incidents(*, principal: Principal, limit: int,
                          scene_slug: str | None = None) -> list[Incident]:
    """The newest incidents the caller may see (newest first by id: the primary key's index),
    rejected and duplicate ones left out; the incident filters of the active scene
    `scene_slug` when one is named (SceneNotFound otherwise)."""
    statuses = SHOWN_STATUSES
    categories = None
    if scene_slug:
        scene = scene_get_active(slug=scene_slug)
        statuses = [s for s in scene.incident_statuses if s in SHOWN_STATUSES] or statuses
        categories = scene.incident_categories or None
    incidents = incident_list_visible(principal=principal, status=statuses, category=categories)
    return list(incidents.order_by("-id")[:limit])
