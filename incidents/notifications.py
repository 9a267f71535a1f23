"""Messages to reporters, through an outbox: services queue `IncidentNotification` rows in their
own transaction; `notifications_deliver` sends them later (command `incidents_notify`, Celery
beat). E-mail goes through Django's e-mail backend; SMS waits for a gateway (none offline)."""
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from . import conf
from .models import Incident, IncidentNotification

log = logging.getLogger(__name__)
Template, Medium = IncidentNotification.Template, IncidentNotification.Medium

# (subject, body) per template; {id} is the reporter's incident, {related} the other one.
TEXTS: dict[str, tuple[str, str]] = {
    Template.MERGED_INTO: (
        "Phản ánh {id} đã được gộp",
        "Phản ánh {id} của bạn trùng với phản ánh {related} đang được xử lý, nên đã được gộp "
        "vào đó. Kết quả xử lý được cập nhật tại phản ánh {related}."),
    Template.MERGED_FROM: (
        "Phản ánh {id}: có phản ánh trùng",
        "Một phản ánh khác về cùng sự việc ({related}) đã được gộp vào phản ánh {id} của bạn. "
        "Phản ánh của bạn tiếp tục được xử lý; bạn sẽ nhận được kết quả."),
}


def _media(incident: Incident) -> list[str]:
    """How the reporter can be reached (a person may leave both an e-mail and a phone)."""
    media = []
    if incident.reporter_email:
        media.append(Medium.EMAIL)
    if incident.reporter_phone:
        media.append(Medium.SMS)
    return media


def notifications_queue_merge(*, duplicate: Incident, original: Incident) -> int:
    """Queue a message to the reporters of both incidents of a merge (each once); call inside
    the merge's transaction. Returns how many rows were queued."""
    rows = [IncidentNotification(incident=incident, template=template, medium=medium,
                                 related_public_id=other.public_id)
            for incident, other, template in ((duplicate, original, Template.MERGED_INTO),
                                              (original, duplicate, Template.MERGED_FROM))
            for medium in _media(incident)]
    IncidentNotification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notification_text(notification: IncidentNotification) -> tuple[str, str]:
    """Subject and body of a message: tracking ids only, no personal data."""
    subject, body = TEXTS[notification.template]
    values = {"id": notification.incident.public_id, "related": notification.related_public_id}
    return subject.format(**values), body.format(**values)


def _send_email(notification: IncidentNotification) -> None:
    subject, body = notification_text(notification)
    send_mail(subject, body, conf.notify_from_email(), [notification.incident.reporter_email])


# Media we can deliver: an allow-list. SMS joins when a gateway is configured.
SENDERS: dict[str, Callable[[IncidentNotification], None]] = {Medium.EMAIL: _send_email}


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    failed: int = 0   # tried and failed this time; retried later up to the attempt limit
    dropped: int = 0  # the reporter's contact was erased meanwhile: nothing to send
    pending: int = 0  # still unsent afterwards (failures, SMS without a gateway, given up)


def notifications_deliver(*, limit: int = 200) -> Delivery:
    """Send pending messages of deliverable media, oldest first. Each row is locked while it is
    sent (a parallel run skips it), then marked sent or its failure recorded for a retry."""
    counts = {"sent": 0, "failed": 0, "dropped": 0}
    with transaction.atomic():
        due = (IncidentNotification.objects.select_for_update(skip_locked=True, of=("self",))
               .filter(sent_at__isnull=True, medium__in=list(SENDERS),
                       attempts__lt=conf.notify_max_attempts())
               .select_related("incident")[:limit])
        for notification in due:
            counts[_deliver_one(notification)] += 1
    pending = IncidentNotification.objects.filter(sent_at__isnull=True).count()
    return Delivery(**counts, pending=pending)


def _deliver_one(notification: IncidentNotification) -> str:
    notification.attempts += 1
    outcome = "sent"
    try:
        if notification.medium in _media(notification.incident):
            SENDERS[notification.medium](notification)
        else:
            outcome, notification.last_error = "dropped", "Không còn địa chỉ liên hệ."
        notification.sent_at = timezone.now()
    except (smtplib.SMTPException, OSError) as error:  # recorded and retried, not swallowed
        log.warning("notification %s not delivered: %s", notification.pk, error)
        outcome, notification.last_error = "failed", f"{type(error).__name__}: {error}"[:300]
    notification.save(update_fields=["attempts", "sent_at", "last_error"])
    return outcome
