"""Writes of the alerts app: raise (or refresh) an open alert, resolve alerts whose condition
cleared, acknowledge one, and send the outbox.

Checkers (sources/health.py, kpi/…) call `alert_raise` for every subject in trouble on each run
and `alerts_sweep` with the subjects still in trouble: the database's one-open-alert-per-subject
rule makes a repeated check refresh, not duplicate; mail goes only when an alert first opens."""
import logging
import smtplib
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from access.principal import Principal

from .errors import AlertNotFound, AlertsNotAllowed
from .models import Alert, AlertDelivery, DepartmentContact, Severity
from .selectors import alert_get_visible

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def recipients(department: str) -> list[str]:
    """Addresses that hear a department's alerts: its mailbox and its active members."""
    contact = DepartmentContact.objects.filter(department=department).first()
    if contact is None:
        return []
    emails = {contact.mailbox} if contact.mailbox else set()
    emails |= set(get_user_model().objects.filter(
        alert_departments=contact, is_active=True).exclude(email="")
        .values_list("email", flat=True))
    return sorted(emails)


def alert_raise(*, kind: str, subject: str, owner_department: str, title: str,
                detail: str = "", evidence: dict | None = None, link: str = "",
                sector: str = "", severity: str = Severity.WARNING,
                now: datetime | None = None) -> tuple[Alert, bool]:
    """The open alert of (kind, subject), refreshed, or a new one with its mail queued;
    (alert, whether it is new)."""
    now = now or timezone.now()
    fields = {"owner_department": owner_department, "title": title[:300], "detail": detail,
              "evidence": evidence or {}, "link": link, "sector": sector,
              "severity": severity}
    with transaction.atomic():
        open_alert = (Alert.objects.select_for_update()
                      .filter(kind=kind, subject=subject, resolved_at__isnull=True).first())
        if open_alert is None:
            try:
                with transaction.atomic():
                    alert = Alert.objects.create(kind=kind, subject=subject, raised_at=now,
                                                 last_seen_at=now, **fields)
            except IntegrityError:  # raised meanwhile by another checker: refresh that one
                open_alert = Alert.objects.select_for_update().get(
                    kind=kind, subject=subject, resolved_at__isnull=True)
            else:
                AlertDelivery.objects.bulk_create(
                    [AlertDelivery(alert=alert, email=email)
                     for email in recipients(owner_department)], ignore_conflicts=True)
                return alert, True
        for name, value in fields.items():
            setattr(open_alert, name, value)
        open_alert.last_seen_at = max(now, open_alert.raised_at)
        open_alert.save()
        return open_alert, False


def alerts_sweep(*, kinds: list[str], still_open: set[tuple[str, str]],
                 subject_prefix: str | None = None, subjects: list[str] | None = None,
                 now: datetime | None = None) -> int:
    """Resolve the open alerts of these kinds about subjects starting with the prefix (or
    among `subjects`) whose (kind, subject) is not in `still_open`; how many."""
    if (subject_prefix is None) == (subjects is None):
        raise ValueError("give a subject prefix or a list of subjects")
    now = now or timezone.now()
    candidates = Alert.objects.filter(kind__in=kinds, resolved_at__isnull=True)
    if subjects is not None:
        candidates = candidates.filter(subject__in=subjects)
    else:
        candidates = candidates.filter(subject__startswith=subject_prefix)
    stale = [pk for pk, kind, subject in candidates.values_list("pk", "kind", "subject")
             if (kind, subject) not in still_open]
    return Alert.objects.filter(pk__in=stale, resolved_at__isnull=True).update(
        resolved_at=now)


def alert_acknowledge(*, principal: Principal, pk: int,
                      now: datetime | None = None) -> Alert:
    """Mark an alert seen by the caller (idempotent: the first acknowledgement stays)."""
    alert = alert_get_visible(principal=principal, pk=pk)
    if not principal.has("alerts.change_alert") or principal.token_scopes is not None:
        raise AlertsNotAllowed("Không có quyền xác nhận cảnh báo.")
    if alert.acknowledged_at is None:
        Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=max(now or timezone.now(), alert.raised_at),
            acknowledged_by_id=principal.user_id)
    alert = Alert.objects.filter(pk=alert.pk).first()
    if alert is None:
        raise AlertNotFound(f"Không có cảnh báo #{pk}.")
    return alert


def _message(alert: Alert) -> tuple[str, str]:
    base = getattr(settings, "IOC_PUBLIC_BASE_URL", "").rstrip("/")
    lines = [alert.title, "", alert.detail] if alert.detail else [alert.title]
    if alert.link:
        lines += ["", f"Xem chi tiết: {base}{alert.link}"]
    lines += ["", f"Đơn vị quản lý: {alert.owner_department}",
              f"Phát sinh lúc: {timezone.localtime(alert.raised_at):%H:%M %d/%m/%Y}"]
    return f"[IOC Thanh Hóa] {alert.get_kind_display()}: {alert.title}"[:200], "\n".join(lines)


def deliveries_send(*, limit: int = 200) -> tuple[int, int]:
    """Send pending alert mail (oldest first, at most MAX_ATTEMPTS tries each); (sent, failed)."""
    sent = failed = 0
    pending = (AlertDelivery.objects.select_related("alert")
               .filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).order_by("id")[:limit])
    for delivery in pending:
        subject, body = _message(delivery.alert)
        try:
            send_mail(subject, body, None, [delivery.email])
        except (smtplib.SMTPException, OSError) as exc:
            failed += 1
            AlertDelivery.objects.filter(pk=delivery.pk).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:300])
            log.warning("alert mail %s to %s failed: %s", delivery.alert_id, delivery.email, exc)
            continue
        sent += 1
        AlertDelivery.objects.filter(pk=delivery.pk).update(
            attempts=F("attempts") + 1, sent_at=timezone.now(), last_error="")
    return sent, failed
