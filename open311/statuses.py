"""Our status machine seen through Open311's two statuses, in one table.

open   — new, verified, assigned, in_progress (OPEN_STATES: someone still has to act)
closed — resolved, closed (CLOSED_STATES: handled) and rejected, duplicate (HIDDEN_STATES:
         no action will follow; browsing never lists them, a tracking id still finds them)

`status_notes` says which of our statuses it is, with the public note of the move that set it."""
from incidents.models import Incident, IncidentEvent
from incidents.transitions import CLOSED_STATES, HIDDEN_STATES, OPEN_STATES

OPEN, CLOSED = "open", "closed"
OUR_STATUSES: dict[str, frozenset[str]] = {
    OPEN: frozenset(OPEN_STATES),
    CLOSED: frozenset(CLOSED_STATES | HIDDEN_STATES),
}
STATUS_NOTE_EVENTS = {IncidentEvent.Kind.TRANSITION, IncidentEvent.Kind.MERGED}


def open311_status(status: str) -> str:
    """open or closed, for one of our statuses."""
    return OPEN if status in OUR_STATUSES[OPEN] else CLOSED


def our_statuses(open311_statuses: list[str]) -> list[str]:
    """Our statuses behind a list of Open311 statuses (open, closed)."""
    return sorted(set().union(*(OUR_STATUSES[s] for s in open311_statuses)))


def status_notes(incident: Incident, public_events: list[IncidentEvent]) -> str:
    """Our status in words, plus the public note of the move that set it ("Từ chối — …").

    `public_events` are the incident's public events, oldest first (prefetched by the
    selectors); internal notes never reach this function."""
    note = ""
    for event in reversed(public_events):
        if event.kind in STATUS_NOTE_EVENTS and event.to_status == incident.status:
            note = event.note.strip()
            break
    label = incident.get_status_display()
    return f"{label} — {note}" if note else label
