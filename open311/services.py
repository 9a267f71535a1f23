"""The one write of the Open311 endpoint: a service request becomes an incident through the
incidents workflow (`incident_submit`, channel Open311), all or nothing.

Open311 is a public channel, so any api_key with the open311:write scope may report anywhere
in the province, as a citizen may. A key bound to units (or whose account is) reports only on
that ground — the same rule, over both unit generations, as any other write (ADR 0005)."""
from dataclasses import dataclass

from django.db import transaction

from access.principal import Principal
from incidents.models import Channel, Incident
from incidents.selectors import category_get
from incidents.services import ReportInput, incident_submit
from layers.selectors import feature_on_ground

from . import conf
from .errors import ApiKeyForbidden, OutsideKeyGround
from .models import Submission
from .selectors import location_resolve

TITLE_LENGTH = 120


@dataclass(frozen=True)
class ServiceRequestInput:
    """A validated POST requests (open311/inputs.py), in our terms."""

    service_code: str
    lon: float | None = None
    lat: float | None = None
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    device_id: str = ""
    account_id: str = ""


def _title(description: str, service_name: str) -> str:
    """Open311 has no title: the first line of the description, else the service's name."""
    first_line = description.strip().splitlines()[0].strip() if description.strip() else ""
    if not first_line:
        return service_name
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[:TITLE_LENGTH - 1] + "…"


def _bound_to_units(principal: Principal) -> bool:
    return not principal.province_wide and bool(principal.cur_codes or principal.pre_codes)


def open311_request_submit(*, principal: Principal, request: ServiceRequestInput) -> Incident:
    """Create the incident of a service request, sent with an api_key (a token principal).

    ApiKeyForbidden (403) without the open311:write scope; UnknownCategory (400) for an
    unknown service_code; LocationNotFound, OutsideProvince, OutsideKeyGround (400) for a
    place we cannot accept. The reporter's contact, device and account ids are stored
    privately (the incident's reporter fields, `Submission`) and never answered."""
    if principal.token_id is None or not principal.has_scope(conf.SCOPE_WRITE):
        raise ApiKeyForbidden("Khóa API không có quyền tạo yêu cầu Open311 (cần quyền "
                              f"{conf.SCOPE_WRITE}). / This api_key may not create service "
                              f"requests (scope {conf.SCOPE_WRITE} needed).")
    category = category_get(code=request.service_code)
    point = location_resolve(lon=request.lon, lat=request.lat, address_id=request.address_id,
                             address_string=request.address_string)
    report = ReportInput(
        category=category.code, lon=point.x, lat=point.y,
        title=_title(request.description, category.name_vi), description=request.description,
        channel=Channel.OPEN311, address=request.address_string,
        reporter_name=request.reporter_name, reporter_phone=request.reporter_phone,
        reporter_email=request.reporter_email)
    with transaction.atomic():
        incident = incident_submit(principal=principal, report=report)  # OutsideProvince first
        if _bound_to_units(principal) and not feature_on_ground(principal=principal,
                                                                geometry=incident.location):
            raise OutsideKeyGround(  # rolls the incident, its event and map feature back
                "Vị trí nằm ngoài phạm vi của khóa API. / The location is outside the area "
                "this api_key may report in.")
        Submission.objects.create(incident=incident, api_token_id=principal.token_id,
                                  device_id=request.device_id, account_id=request.account_id)
    return incident
