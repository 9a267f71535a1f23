"""Reads of the layers app: administrative units on a date, point-in-unit, hierarchy, search,
and the layers a caller may see. Views never build these querysets themselves."""
from datetime import date

from django.contrib.gis.geos import Point
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from .errors import LayerNotFound, UnitNotFound
from .models import AdminLevel, AdminUnit, Layer
from .models.expressions import Fold


def valid_on(day: date, prefix: str = "") -> Q:
    """Q selecting unit versions in force on `day` (validity is half-open, NULL unbounded)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day}))


def unit_list(*, day: date, level: str | None = None, parent_code: str | None = None,
              query: str | None = None) -> QuerySet[AdminUnit]:
    """Units in force on `day`, optionally one level, children of one unit, or matching a name.

    Name search ignores case and Vietnamese diacritics ("sam son" finds "Sầm Sơn"); matches whose
    folded name starts with the query come first.
    """
    units = AdminUnit.objects.filter(valid_on(day)).select_related("parent")
    if level:
        units = units.filter(level=level)
    if parent_code:
        units = units.filter(parent=unit_get(code=parent_code, day=day))
    if query:
        folded = Fold(Value(query.strip()))
        units = units.filter(search_name__contains=folded).annotate(
            rank=Case(When(search_name__startswith=folded, then=Value(0)), default=Value(1),
                      output_field=IntegerField()),
        ).order_by("rank", Length("name"), "name")
    else:
        units = units.order_by("level", "code")
    return units


def unit_get(*, code: str, day: date) -> AdminUnit:
    """The version of unit `code` in force on `day` (codes of different levels differ in length)."""
    unit = AdminUnit.objects.filter(valid_on(day), code=code).select_related("parent").first()
    if unit is None:
        raise UnitNotFound(f"Không có đơn vị hành chính mã {code} vào ngày {day.isoformat()}.")
    return unit


def unit_containing(*, point: Point, day: date,
                    level: str = AdminLevel.COMMUNE) -> AdminUnit | None:
    """The unit of `level` in force on `day` whose shape contains `point` (WGS84); None outside.

    A point on a shared boundary belongs to the unit with the lowest code, so the answer is stable.
    """
    return (AdminUnit.objects.filter(valid_on(day), level=level, geom__intersects=point)
            .select_related("parent").order_by("code").first())


def unit_ancestors(*, unit: AdminUnit) -> list[AdminUnit]:
    """The unit's parents, nearest first, up to the province."""
    chain, current = [], unit.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def unit_chain_at(*, point: Point, day: date) -> list[AdminUnit]:
    """Commune, then its ancestors, containing `point` on `day` (empty outside the province)."""
    commune = unit_containing(point=point, day=day)
    return [commune, *unit_ancestors(unit=commune)] if commune else []


def layer_list_visible(*, user) -> QuerySet[Layer]:
    """Layers the caller may see: public ones for everybody, all of them for staff.

    The role- and jurisdiction-aware rules of the access model refine this selector.
    """
    layers = Layer.objects.all()
    if not (user and user.is_authenticated and user.is_staff):
        layers = layers.filter(is_public=True)
    return layers.order_by("sector", "slug")


def layer_get_visible(*, slug: str, user) -> Layer:
    """One layer by slug if the caller may see it (404 otherwise, so slugs cannot be probed)."""
    layer = layer_list_visible(user=user).filter(slug=slug).first()
    if layer is None:
        raise LayerNotFound(f"Không có lớp bản đồ '{slug}'.")
    return layer
