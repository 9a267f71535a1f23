"""Reads behind the Open311 endpoints. Every rule of who sees which incident is the incidents
app's (`incident_list_public`, `incident_list_tracked`, `incident_get_public`); this module
only translates Open311 queries into those calls and prefetches what the answers show."""
from dataclasses import dataclass
from datetime import datetime

from django.contrib.gis.geos import Point
from django.db.models import F, Prefetch, QuerySet, Value, prefetch_related_objects
from django.db.models.functions import Length
from django.utils import timezone

from incidents.errors import UnknownCategory
from incidents.models import Category, Incident, IncidentEvent, IncidentPhoto
from incidents.selectors import (category_get, category_list, incident_get_public,
                                 incident_list_public, incident_list_tracked)
from layers.models import AdminLevel, AdminUnit
from layers.models.expressions import Fold
from layers.selectors import valid_on

from . import conf
from .errors import InvalidParameter, LocationNotFound, ServiceNotFound
from .statuses import our_statuses


def _public_details() -> tuple[Prefetch, Prefetch]:
    """What a request's answer needs besides the incident row: public events only (for
    status_notes) and the photos (media_url). Internal notes are never even loaded."""
    return (Prefetch("events", to_attr="public_events",
                     queryset=IncidentEvent.objects.filter(is_public=True).order_by("at", "id")),
            Prefetch("photos", to_attr="photo_list",
                     queryset=IncidentPhoto.objects.order_by("created_at", "id")))


@dataclass(frozen=True)
class RequestQuery:
    """A GET requests query, parsed (open311/inputs.py): Open311 statuses, aware datetimes."""

    public_ids: list[str]
    service_codes: list[str]
    statuses: list[str]
    since: datetime | None
    until: datetime | None


def service_list() -> QuerySet[Category]:
    """The services: our active incident categories."""
    return category_list()


def service_get(*, code: str) -> Category:
    """One service by service_code; ServiceNotFound (404) when there is none."""
    try:
        return category_get(code=code)
    except UnknownCategory as exc:
        raise ServiceNotFound(f"Không có dịch vụ (loại sự cố) '{code}'. / "
                              f"No service with service_code '{code}'.") from exc


def request_list(*, query: RequestQuery) -> list[Incident]:
    """Requests matching a GET requests query: by tracking ids when given (they override every
    other filter, as the spec says), else the publicly browsable ones in the date window."""
    if query.public_ids:
        incidents = incident_list_tracked(public_ids=query.public_ids)
    else:
        _check_codes(query.service_codes)
        incidents = incident_list_public(
            categories=query.service_codes or None,
            statuses=our_statuses(query.statuses) if query.statuses else None,
            since=query.since, until=query.until)
    return list(incidents.prefetch_related(*_public_details())[:conf.max_requests()])


def _check_codes(codes: list[str]) -> None:
    known = set(category_list().filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidParameter("Không có service_code này.", details={"service_code": [
            f"Không có dịch vụ '{code}'. / Unknown service_code '{code}'." for code in unknown]})


def request_get(*, public_id: str) -> Incident:
    """One request by its id, on the tracking page's rule (404 when there is none)."""
    incident = incident_get_public(public_id=public_id)
    prefetch_related_objects([incident], *_public_details())
    return incident


def token_resolve(*, token: str) -> str:
    """The service_request_id behind a token. We create requests synchronously and hand out
    the id itself, so a token is an id: it resolves when that request exists (else 404)."""
    return incident_get_public(public_id=token).public_id


def location_resolve(*, lon: float | None, lat: float | None, address_id: str = "",
                     address_string: str = "") -> Point:
    """Where a new request is: lat/long when given; else the commune whose GSO code is
    `address_id`; else the commune named in `address_string` ("… phường Sầm Sơn …"). A commune
    stands for its own point on surface, so routing sends the request to that commune."""
    if lon is not None and lat is not None:
        return Point(lon, lat, srid=4326)
    communes = AdminUnit.objects.filter(valid_on(timezone.localdate()), level=AdminLevel.COMMUNE)
    commune = None
    if address_id:
        commune = communes.filter(code=address_id).first()
    if commune is None and address_string:
        commune = (communes.annotate(address=Fold(Value(address_string)))
                   .filter(address__contains=F("search_name"))
                   .order_by(Length("search_name").desc(), "code").first())
    if commune is None:
        raise LocationNotFound(
            "Không xác định được vị trí: hãy gửi lat/long (hoặc address_string có tên xã, "
            "phường). / Cannot locate the request: send lat/long (or an address_string "
            "naming the commune or ward).")
    point = commune.geom.point_on_surface
    point.srid = 4326
    return point
