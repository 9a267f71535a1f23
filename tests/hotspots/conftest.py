"""Helpers of the hotspot tests: incidents placed where a test wants them (routed like real
ones, so their commune is the one containing the point), signed-in callers by role."""
from datetime import datetime, timedelta
from itertools import count

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.utils import timezone

from access.models import Jurisdiction
from incidents.models import Category, Channel, Incident
from incidents.routing import incident_route
from layers import selectors

_serial = count(1)
SAM_SON = (105.9004, 19.7406)
THANH_HOA_CITY = (105.776, 19.807)
INLAND = (105.5, 20.0)  # a 24 km square around it lies inside the province


def earlier_today() -> datetime:
    """An hour ago, or half the time since local midnight when that is less: windows count
    local days, and a run just after midnight must not put "today's" incidents in yesterday."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(hours=1), midnight + (now - midnight) / 2)


def place(points, *, category: str = "khac", at: datetime | None = None,
          status: str = "new", **extra) -> list[Incident]:
    """Incidents at `points` [(lon, lat)], created at `at` (default: earlier today, local)."""
    kind = Category.objects.get(code=category)
    at = at or earlier_today()
    made = []
    for lon, lat in points:
        point = Point(lon, lat, srid=4326)
        route = incident_route(point=point, category=kind)
        made.append(Incident(
            public_id=f"HS-{next(_serial):08d}", category=kind, status=status,
            title="Sự cố thử", description="Mô tả thử", location=point,
            channel=Channel.HOTLINE, commune_code=route.commune_code,
            assigned_unit_code=route.assigned_unit_code, agency=route.agency,
            due_at=route.due_at, **extra))
    Incident.objects.bulk_create(made)
    for incident in made:
        incident.created_at = at
    Incident.objects.bulk_update(made, ["created_at"])  # auto_now_add: set afterwards
    return made


def commune_of(lon_lat) -> str:
    return selectors.unit_containing(point=Point(*lon_lat, srid=4326),
                                     day=timezone.localdate()).code


@pytest.fixture
def sign_in(client, django_user_model):
    """sign_in(role, units=(), sectors=()) → the Django test client signed in as a new user."""
    def build(role: str, units=(), sectors=()):
        user = django_user_model.objects.create_user(f"hs-{role}-{next(_serial)}", password="x")
        user.groups.add(Group.objects.get(name=role))
        if units or sectors:
            jurisdiction = Jurisdiction.objects.create(user=user, sectors=list(sectors))
            jurisdiction.units.set([selectors.unit_get(code=code, day=timezone.localdate())
                                    for code in units])
        client.force_login(user)
        return client
    return build
