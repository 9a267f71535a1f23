"""Reads of the alerts app. Alerts are staff data: a caller needs `alerts.view_alert` (no API
token reads them); a sector-bound caller sees the alerts of their sectors and those of no
sector. "Mine" narrows to the departments the caller is a member of."""
from django.db.models import Q, QuerySet

from access.principal import Principal

from .errors import AlertNotFound, AlertQueryInvalid, AlertsNotAllowed
from .models import Alert, AlertKind, DepartmentContact

STATES = ("open", "resolved", "all")


def alerts_allowed(principal: Principal) -> bool:
    """The caller may read alerts."""
    return principal.token_scopes is None and principal.has("alerts.view_alert")


def _visible(principal: Principal) -> QuerySet[Alert]:
    if not alerts_allowed(principal):
        raise AlertsNotAllowed("Tài khoản không có quyền xem cảnh báo.")
    alerts = Alert.objects.all()
    if principal.sectors is not None:
        alerts = alerts.filter(Q(sector="") | Q(sector__in=sorted(principal.sectors)))
    return alerts


def alert_list_visible(*, principal: Principal, state: str = "open", kind: str | None = None,
                       mine: bool = False) -> QuerySet[Alert]:
    """The caller's alerts, newest first."""
    if state not in STATES:
        raise AlertQueryInvalid(f"state phải là một trong {', '.join(STATES)}.")
    if kind is not None and kind not in AlertKind.values:
        raise AlertQueryInvalid(f"Loại cảnh báo “{kind[:40]}” không có.")
    alerts = _visible(principal)
    if state == "open":
        alerts = alerts.filter(resolved_at__isnull=True)
    elif state == "resolved":
        alerts = alerts.filter(resolved_at__isnull=False)
    if kind is not None:
        alerts = alerts.filter(kind=kind)
    if mine:
        alerts = alerts.filter(owner_department__in=DepartmentContact.objects.filter(
            members__id=principal.user_id).values("department"))
    return alerts.select_related("acknowledged_by").order_by("-raised_at", "-id")


def alert_get_visible(*, principal: Principal, pk: int) -> Alert:
    """One alert the caller may see (404 otherwise)."""
    alert = _visible(principal).filter(pk=pk).first()
    if alert is None:
        raise AlertNotFound(f"Không có cảnh báo #{pk}.")
    return alert


def departments_of(principal: Principal) -> list[str]:
    """The departments whose alerts the caller hears."""
    if principal.user_id is None:
        return []
    return list(DepartmentContact.objects.filter(members__id=principal.user_id)
                .order_by("department").values_list("department", flat=True))
