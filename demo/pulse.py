"""The demo's heartbeat: while `make demo` serves, a synthetic report arrives every so often and
an open incident moves one step, so the wall and the console show life as they would in a real
operations room. Everything goes through the real services (routing, events, map feature, live
push); descriptions say the data is synthetic. Off unless asked for (`IOC_DEMO_PULSE_SECONDS`)."""
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from access.principal import ANONYMOUS, principal_for_user
from incidents.models import Category, Incident
from incidents.services import ReportInput, incident_submit, incident_transition
from incidents.transitions import Status

from .incidents import TITLES, _places
from .layer_catalog import ATTR_SYNTHETIC

NEXT = {Status.NEW: Status.VERIFIED, Status.VERIFIED: Status.ASSIGNED,
        Status.ASSIGNED: Status.IN_PROGRESS, Status.IN_PROGRESS: Status.RESOLVED,
        Status.RESOLVED: Status.CLOSED}
OPERATOR = "dieuhanh"  # demo.accounts: the operator who moves incidents along


@dataclass
class Pulse:
    rng: random.Random
    places: list
    weights: list[float]


def pulse_start(*, seed: int | None = None) -> Pulse:
    """The places reports come from (communes in force today, towns weigh more)."""
    places = _places(timezone.localdate())
    return Pulse(random.Random(seed), places, [place.weight for place in places])


def pulse_beat(pulse: Pulse) -> tuple[Incident, Incident | None]:
    """One beat: a new citizen report, and one open incident moved a step by the demo operator
    (none when that account is missing). Returns both."""
    place = pulse.rng.choices(pulse.places, pulse.weights)[0]
    category = pulse.rng.choice(list(Category.objects.filter(is_active=True, code__in=TITLES)))
    title = pulse.rng.choice(TITLES[category.code])
    created = incident_submit(principal=ANONYMOUS, report=ReportInput(
        category=category.code, lon=place.point.x, lat=place.point.y, title=title,
        description=f"{title} tại {place.name}. ({ATTR_SYNTHETIC})", address=place.name))
    return created, _move_one(pulse)


def _move_one(pulse: Pulse) -> Incident | None:
    operator = get_user_model().objects.filter(username=OPERATOR, is_active=True).first()
    if operator is None:
        return None
    candidates = list(Incident.objects.filter(status__in=list(NEXT))
                      .order_by("-created_at").values_list("public_id", "status")[:50])
    if not candidates:
        return None
    public_id, status = pulse.rng.choice(candidates)
    return incident_transition(principal=principal_for_user(operator), public_id=public_id,
                               to_status=NEXT[status], note="Đã tiếp nhận và xử lý (mô phỏng).")
