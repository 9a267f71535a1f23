"""Reads of the sources app. A source exists for a caller who may see its layer with feature
rights in its sector (as connectors do, integration/selectors.py); tokens read none."""
from django.db.models import QuerySet

from access.principal import Principal

from .errors import SourcesNotAllowed
from .models import SourceStatus


def sources_allowed(principal: Principal) -> bool:
    """The caller may open the data-sources page and API."""
    return principal.token_scopes is None and principal.has("layers.view_feature")


def status_list_visible(*, principal: Principal, liveness: str | None = None,
                        sector: str | None = None, kind: str | None = None) -> list[SourceStatus]:
    """The statuses the caller may see, by sector, kind and name."""
    if not sources_allowed(principal):
        raise SourcesNotAllowed("Tài khoản không có quyền xem nguồn dữ liệu.")
    statuses: QuerySet[SourceStatus] = SourceStatus.objects.select_related("layer")
    if liveness:
        statuses = statuses.filter(liveness=liveness)
    if sector:
        statuses = statuses.filter(sector=sector)
    if kind:
        statuses = statuses.filter(kind=kind)
    return [status for status in statuses
            if status.layer is None or (principal.in_sector(status.layer)
                                        and principal.can_see_layer(status.layer))]


def checked_at(statuses: list[SourceStatus]):
    """When the shown statuses were computed (the oldest check among them)."""
    return min((status.checked_at for status in statuses), default=None)
