"""Merging notifies the reporters of both incidents: rows queued in the merge's transaction,
delivered later (e-mail through Django's backend; SMS waits for a gateway), each once."""
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command

from incidents import notifications
from incidents.models import Incident, IncidentNotification
from incidents.notifications import notifications_deliver
from tests.incidents.conftest import EMAIL, NAME, PHONE, SAM_SON

pytestmark = pytest.mark.django_db
NEAR = (SAM_SON[0] + 0.0002, SAM_SON[1] + 0.0002)
OTHER_EMAIL = "nguoithu2@example.vn"


@pytest.fixture
def merged(report, staff):
    """(original, duplicate): the original's reporter left an e-mail and a phone, the
    duplicate's an e-mail only; the duplicate is merged into the original."""
    original = report(reporter_email=EMAIL)
    duplicate = report(lon_lat=NEAR, reporter_phone="", reporter_email=OTHER_EMAIL)
    response = staff("administrator").post(f"/api/incidents/{duplicate}/merge/",
                                           {"into": original}, format="json")
    assert response.status_code == 200, response.content
    return original, duplicate


def _queued():
    return sorted((n.incident.public_id, n.template, n.medium, n.related_public_id)
                  for n in IncidentNotification.objects.select_related("incident"))


def test_a_merge_queues_one_message_per_reporter_and_contact(merged):
    original, duplicate = merged
    assert _queued() == sorted([
        (duplicate, "merged_into", "email", original),
        (original, "merged_from", "email", duplicate),
        (original, "merged_from", "sms", duplicate)])
    assert not IncidentNotification.objects.filter(sent_at__isnull=False).exists()


def test_the_command_sends_the_emails_once_and_leaves_sms_waiting(merged, capsys):
    original, duplicate = merged
    call_command("incidents_notify")
    assert "Đã gửi 2, lỗi 0, bỏ 0; còn chờ 1 thông báo." in capsys.readouterr().out
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {EMAIL, OTHER_EMAIL}
    to_duplicate = by_recipient[OTHER_EMAIL]
    assert duplicate in to_duplicate.subject and original in to_duplicate.body
    to_original = by_recipient[EMAIL]
    assert original in to_original.subject and duplicate in to_original.body
    for message in mail.outbox:
        assert NAME not in message.body and PHONE not in message.body
    call_command("incidents_notify")
    assert len(mail.outbox) == 2  # each once
    assert "Đã gửi 0" in capsys.readouterr().out
    sms = IncidentNotification.objects.get(medium="sms")
    assert sms.sent_at is None and sms.attempts == 0  # no gateway offline: waits


def test_a_failed_delivery_is_recorded_and_retried(merged, monkeypatch):
    calls = []

    def failing(notification):
        calls.append(notification.pk)
        raise smtplib.SMTPServerDisconnected("máy chủ thư ngắt kết nối")

    monkeypatch.setitem(notifications.SENDERS, "email", failing)
    result = notifications_deliver()
    assert (result.sent, result.failed, result.pending) == (0, 2, 3)
    failed = IncidentNotification.objects.filter(medium="email")
    assert {(n.attempts, n.sent_at) for n in failed} == {(1, None)}
    assert all("SMTPServerDisconnected" in n.last_error for n in failed)
    monkeypatch.undo()
    assert notifications_deliver().sent == 2 and len(mail.outbox) == 2


def test_attempts_stop_at_the_limit(merged, monkeypatch, settings):
    settings.IOC_NOTIFY_MAX_ATTEMPTS = 2
    monkeypatch.setitem(notifications.SENDERS, "email",
                        lambda n: (_ for _ in ()).throw(OSError("mạng")))
    for _ in range(4):
        notifications_deliver()
    assert {n.attempts for n in IncidentNotification.objects.filter(medium="email")} == {2}


def test_an_erased_contact_cancels_the_message(merged):
    original, _ = merged
    Incident.objects.filter(public_id=original).update(reporter_email="")
    result = notifications_deliver()
    assert (result.sent, result.dropped) == (1, 1)
    assert [m.to for m in mail.outbox] == [[OTHER_EMAIL]]


def test_reporters_without_contact_get_nothing_queued(report, staff):
    original = report(reporter_phone="")
    duplicate = report(lon_lat=NEAR, reporter_phone="")
    staff("administrator").post(f"/api/incidents/{duplicate}/merge/", {"into": original},
                                format="json")
    assert Incident.objects.get(public_id=duplicate).status == "duplicate"
    assert not IncidentNotification.objects.exists()


def test_a_refused_merge_queues_nothing(report, staff):
    first = report(reporter_email=EMAIL)
    response = staff("administrator").post(f"/api/incidents/{first}/merge/", {"into": first},
                                           format="json")
    assert response.status_code == 409
    assert not IncidentNotification.objects.exists()


def test_the_celery_task_delivers(merged):
    from incidents.tasks import deliver_notifications

    assert deliver_notifications.apply().get() == {"sent": 2, "failed": 0, "dropped": 0,
                                                   "pending": 1}
