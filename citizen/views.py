"""Citizens' pages. Thin: each reads its input, makes at most one domain read and renders.

The pages hold the form and the public summary; the scripts under static/citizen/ send the
report, the photos and the rating to the incidents API and read the history and replies from
it, so every rule (routing, duplicates, photo cleaning, what is public) lives in one place."""
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents import selectors
from incidents.api import PublicIncidentOutput
from incidents.errors import IncidentNotFound
from tiles.tilejson import province_bounds

from .labels import category_groups, category_name, status_name
from .strings import report_strings, track_strings

PUBLIC_ID = re.compile(r"^PA-[0-9A-Z]{8}$")
CROCKFORD_LOOKALIKES = str.maketrans("OIL", "011")
RATINGS = [(1, _("Rất không hài lòng")), (2, _("Không hài lòng")), (3, _("Bình thường")),
           (4, _("Hài lòng")), (5, _("Rất hài lòng"))]


def _map_context() -> dict:
    """Where the pages' MapLibre finds our style, its worker and the province."""
    return {"style_url": f"{reverse('tile-style')}?theme=light",
            "worker_url": static("map/maplibre-gl/maplibre-gl-csp-worker.js"),
            "bounds": ",".join(str(edge) for edge in province_bounds())}  # never localised


def report_form(request: HttpRequest) -> HttpResponse:
    """GET /phan-anh/ — the report form: category, pin on our map, photos, text, contact."""
    return render(request, "citizen/report_form.html", {
        "nav": "report",
        "groups": category_groups(selectors.category_list()),
        "map": _map_context(),
        "max_photo_mb": settings.INCIDENT_PHOTO_MAX_BYTES // 2**20,
        "config": {"max_photos": settings.INCIDENT_PHOTOS_PER_REPORT,
                   "max_photo_bytes": settings.INCIDENT_PHOTO_MAX_BYTES,
                   "strings": report_strings()},
    })


def normalize_public_id(text: str) -> str:
    """'pa-abcd1234', ' ABCD1234 ', 'PA ABCD-1234' → 'PA-ABCD1234' (unchecked). Tracking ids
    use Crockford's alphabet, which has no I, L, O or U: O read as 0, I and L as 1."""
    code = re.sub(r"[\s-]+", "", text).upper()
    if code.startswith("PA"):
        code = code[2:]
    return "PA-" + code.translate(CROCKFORD_LOOKALIKES)


def report_lookup(request: HttpRequest) -> HttpResponse:
    """GET /phan-anh/tra-cuu/?ma=… — go to a report's tracking page by its tracking id."""
    text = request.GET.get("ma", "").strip()
    if text:
        public_id = normalize_public_id(text)
        if PUBLIC_ID.match(public_id):
            return redirect("citizen-track", public_id=public_id)
    return render(request, "citizen/lookup.html", {"nav": "lookup", "query": text,
                                                   "invalid": bool(text)})


def report_track(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET /phan-anh/PA-XXXXXXXX/ — a report's public summary; the history, replies and map
    come from GET /api/reports/{id}/ and the rating goes to POST …/rating/."""
    try:
        incident = selectors.incident_get_public(public_id=public_id)
    except IncidentNotFound:
        return render(request, "citizen/lookup.html", {"query": public_id, "not_found": True},
                      status=404)
    report = PublicIncidentOutput(incident).data  # the API's public fields, nothing more
    return render(request, "citizen/track.html", {
        "report": report,
        "created_at": incident.created_at, "due_at": incident.due_at,
        "resolved_at": incident.resolved_at,
        "category_name": category_name(incident.category),
        "status_name": status_name(incident.status),
        "can_rate": incident.can_be_rated(),
        "ratings": RATINGS,
        "map": _map_context(),
        "api_url": reverse("report-track", kwargs={"public_id": public_id}),
        "rating_url": reverse("report-rating", kwargs={"public_id": public_id}),
        "config": {"strings": track_strings()},
    })
