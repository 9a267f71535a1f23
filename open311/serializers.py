"""What Open311 answers carry: explicit allow-lists of public fields, nothing else. Reporter
contact, device and account ids, internal notes and staff fields (severity, channel, origin,
assigned unit) are never read here. Times are ISO 8601 with the Vietnam offset (+07:00)."""
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from incidents.models import Category, Incident

from . import conf
from .statuses import open311_status, status_notes

DESCRIPTION_LENGTH = 4000  # the spec's (and its JSON Schema's) limit


def _local(value: datetime) -> datetime:
    """In the deployment's zone (TIME_ZONE, Asia/Ho_Chi_Minh), whatever zone is active."""
    return timezone.localtime(value, timezone.get_default_timezone())


def moment(value: datetime | None) -> str | None:
    """2026-01-31T08:00:00+07:00."""
    return _local(value).isoformat(timespec="seconds") if value else None


def _hours(category: Category) -> str:
    hours = category.sla.total_seconds() / 3600
    return f"{hours:g}"


def service_out(category: Category) -> dict:
    """One service: a category of ours (no attributes, so metadata is false)."""
    description = category.description_vi or (
        f"{category.name_vi} / {category.name_en}. {category.agency} xử lý trong "
        f"{_hours(category)} giờ.")
    return {"service_code": category.code, "service_name": category.name_vi,
            "description": description, "metadata": False, "type": "realtime",
            "keywords": category.name_en, "group": category.get_sector_display()}


def service_definition_out(category: Category) -> dict:
    """A service's definition: our categories define no extra attributes."""
    return {"service_code": category.code, "attributes": []}


def service_notice(incident: Incident) -> str:
    """Who handles the request, and by when (the category's handling time)."""
    due = _local(incident.due_at)
    return f"{incident.agency} xử lý; hạn {due:%H:%M %d/%m/%Y}."


def _description(incident: Incident) -> str | None:
    title, text = incident.title.strip(), incident.description.strip()
    if not text:
        return None
    if title and not text.startswith(title.rstrip("…")):
        text = f"{title}\n{text}"
    if len(text) > DESCRIPTION_LENGTH:
        text = text[:DESCRIPTION_LENGTH - 1] + "…"
    return text


def _media_url(incident: Incident, origin: str) -> str | None:
    if not incident.photo_list:
        return None
    return origin + reverse("report-photo", kwargs={"public_id": incident.public_id,
                                                   "number": "1"})


def request_out(incident: Incident, *, origin: str) -> dict:
    """One service request, public fields only. `origin` makes media_url absolute. The
    incident comes from open311/selectors.py, with its public events and photos prefetched."""
    return {
        "service_request_id": incident.public_id,
        "status": open311_status(incident.status),
        "status_notes": status_notes(incident, incident.public_events),
        "service_name": incident.category.name_vi,
        "service_code": incident.category.code,
        "description": _description(incident),
        "agency_responsible": incident.agency or None,
        "service_notice": service_notice(incident),
        "requested_datetime": moment(incident.created_at),
        "updated_datetime": moment(incident.updated_at),
        "expected_datetime": moment(incident.due_at),
        "address": incident.address or None,
        "address_id": incident.commune_code or None,  # GSO code of the commune: /api/units/{id}/
        "zipcode": None,
        "lat": incident.location.y,
        "long": incident.location.x,
        "media_url": _media_url(incident, origin),
    }


def request_created_out(incident: Incident) -> dict:
    """The answer to POST requests: created synchronously, so an id and no token (and no
    account_id: we keep no accounts for reporters)."""
    return {"service_request_id": incident.public_id, "service_notice": service_notice(incident)}


def token_out(*, token: str, service_request_id: str) -> dict:
    """A token resolved to its request."""
    return {"service_request_id": service_request_id, "token": token}


def discovery_out(*, endpoint_url: str) -> dict:
    """The service discovery document (wiki.open311.org/Service_Discovery)."""
    return {
        "changeset": conf.CHANGESET, "contact": conf.contact(),
        "key_service": conf.key_service(),
        "endpoints": [{"specification": conf.SPECIFICATION, "url": endpoint_url,
                       "changeset": conf.CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
