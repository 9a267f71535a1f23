"""Who handles an incident: the commune/ward (current generation) containing the point and the
category's sector agency, as FixMyStreet routes a report to the body covering the point."""
from dataclasses import dataclass
from datetime import datetime

from django.contrib.gis.geos import Point
from django.utils import timezone

from layers.selectors import unit_codes_containing

from .errors import OutsideProvince
from .models import Category, HandlingLevel


@dataclass(frozen=True)
class Route:
    commune_code: str
    assigned_unit_code: str
    agency: str
    due_at: datetime


def incident_route(*, point: Point, category: Category, at: datetime | None = None) -> Route:
    """The route of a new incident at `point`; OutsideProvince (400) outside Thanh Hóa."""
    at = at or timezone.now()
    codes = unit_codes_containing(lon=point.x, lat=point.y, day=timezone.localdate(at))
    if not codes:
        raise OutsideProvince("Vị trí nằm ngoài địa bàn tỉnh Thanh Hóa; hãy chọn lại điểm trên "
                              "bản đồ.", details={"lon": point.x, "lat": point.y})
    handler = codes[-1] if category.handling_level == HandlingLevel.PROVINCE else codes[0]
    return Route(commune_code=codes[0], assigned_unit_code=handler,
                 agency=category.agency, due_at=at + category.sla)


def escalation_target(*, unit_code: str, day) -> str | None:
    """The parent level of a handling unit (None at the province: nowhere higher to go)."""
    from layers.selectors import unit_get

    parent = unit_get(code=unit_code, day=day).parent
    return parent.code if parent else None
