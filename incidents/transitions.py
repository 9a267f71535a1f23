"""The incident status machine: every allowed move, and the permission it needs, in one table.

new → verified → assigned → in_progress → resolved → closed, plus rejected and duplicate."""
from django.db import models


class Status(models.TextChoices):
    NEW = "new", "Mới tiếp nhận"
    VERIFIED = "verified", "Đã xác minh"
    ASSIGNED = "assigned", "Đã giao xử lý"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    RESOLVED = "resolved", "Đã xử lý xong"
    CLOSED = "closed", "Đã đóng"
    REJECTED = "rejected", "Từ chối"
    DUPLICATE = "duplicate", "Trùng lặp"


# (from, to) → the Django permission the actor needs ("incidents.<codename>").
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.NEW, Status.VERIFIED): "incidents.verify_incident",
    (Status.NEW, Status.REJECTED): "incidents.verify_incident",
    (Status.NEW, Status.DUPLICATE): "incidents.verify_incident",
    (Status.VERIFIED, Status.ASSIGNED): "incidents.assign_incident",
    (Status.VERIFIED, Status.REJECTED): "incidents.verify_incident",
    (Status.VERIFIED, Status.DUPLICATE): "incidents.verify_incident",
    (Status.ASSIGNED, Status.ASSIGNED): "incidents.assign_incident",   # reassignment
    (Status.ASSIGNED, Status.IN_PROGRESS): "incidents.handle_incident",
    (Status.IN_PROGRESS, Status.RESOLVED): "incidents.handle_incident",
    (Status.IN_PROGRESS, Status.ASSIGNED): "incidents.assign_incident",  # handed back
    (Status.RESOLVED, Status.IN_PROGRESS): "incidents.handle_incident",  # reopened
    (Status.RESOLVED, Status.CLOSED): "incidents.verify_incident",
}

OPEN_STATES = frozenset({Status.NEW, Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS})
CLOSED_STATES = frozenset({Status.RESOLVED, Status.CLOSED})
HIDDEN_STATES = frozenset({Status.REJECTED, Status.DUPLICATE})


def required_permission(from_status: str, to_status: str) -> str | None:
    """The permission a move needs, or None when the move is not allowed at all."""
    return TRANSITIONS.get((from_status, to_status))


def next_states(from_status: str) -> list[str]:
    """Statuses reachable from `from_status` in one move."""
    return [to for (src, to) in TRANSITIONS if src == from_status]
