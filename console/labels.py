"""Names the operator map shows for the codes in incident events (category, status, unit):
one small JSON document in the page, so events need no look-up while they stream in."""
from django.utils import timezone

from incidents import selectors as incident_selectors
from incidents.transitions import Status
from layers import selectors as unit_selectors


def operator_map_labels() -> dict:
    """{"categories": {code: name}, "statuses": {code: label}, "units": {code: name}} — the
    active categories, every status, and the administrative units in force today."""
    categories = {c.code: c.name_vi for c in incident_selectors.category_list()}
    units = dict(unit_selectors.unit_list(day=timezone.localdate()).values_list("code", "name"))
    return {"categories": categories, "statuses": dict(Status.choices), "units": units}
