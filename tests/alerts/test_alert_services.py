"""Raising, refreshing, sweeping and acknowledging alerts; their mail through the outbox."""
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.principal import principal_for_user
from alerts.errors import AlertNotFound, AlertsNotAllowed
from alerts.models import Alert, AlertDelivery, AlertKind, DepartmentContact, Severity
from alerts.services import (alert_acknowledge, alert_raise, alerts_sweep, deliveries_send,
                             recipients)

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)


def _raise(subject="connector:1", **extra):
    fields = {"kind": AlertKind.SOURCE_STALE, "subject": subject,
              "owner_department": "Sở Y tế", "title": "Trạm y tế: chưa cập nhật 3 ngày",
              "sector": "HEALTH", "now": T0}
    fields.update(extra)
    return alert_raise(**fields)


def test_a_repeated_raise_refreshes_the_open_alert_and_mails_once(user_of_role):
    member = user_of_role("sector_operator", email="yte@thanhhoa.gov.vn")
    contact = DepartmentContact.objects.create(department="Sở Y tế",
                                               mailbox="hopthu@syt.thanhhoa.gov.vn")
    contact.members.add(member, user_of_role("planner"))  # the planner has no e-mail: not mailed
    first, new = _raise()
    again, new_again = _raise(title="Trạm y tế: chưa cập nhật 4 ngày",
                              severity=Severity.CRITICAL, now=T0 + timedelta(hours=1))
    assert new and not new_again and again.pk == first.pk
    assert again.title.endswith("4 ngày") and again.severity == Severity.CRITICAL
    assert again.raised_at == T0 and again.last_seen_at == T0 + timedelta(hours=1)
    assert sorted(AlertDelivery.objects.values_list("email", flat=True)) == [
        "hopthu@syt.thanhhoa.gov.vn", "yte@thanhhoa.gov.vn"]
    assert deliveries_send() == (2, 0)
    assert len(mail.outbox) == 2 and "chưa cập nhật 4 ngày" in mail.outbox[0].subject
    assert "/data/" not in mail.outbox[0].body  # no link given
    assert deliveries_send() == (0, 0)  # sent once


def test_the_database_allows_one_open_alert_per_kind_and_subject():
    alert, _ = _raise()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(kind=alert.kind, subject=alert.subject, owner_department="x",
                             title="trùng", raised_at=T0, last_seen_at=T0)
    Alert.objects.filter(pk=alert.pk).update(resolved_at=T0 + timedelta(minutes=5))
    reopened, new = _raise(now=T0 + timedelta(hours=2))
    assert new and reopened.pk != alert.pk  # a closed alert does not block a new one


@pytest.mark.parametrize("field, value", [
    ("subject", "no colon"), ("title", ""), ("link", "https://evil.example/x"),
    ("link", "//evil.example/x"), ("last_seen_at", T0 - timedelta(seconds=1))])
def test_constraints_refuse_malformed_alerts(field, value):
    fields = {"kind": AlertKind.SOURCE_STALE, "subject": "layer:a", "owner_department": "x",
              "title": "t", "raised_at": T0, "last_seen_at": T0, field: value}
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(**fields)


def test_sweep_resolves_only_cleared_subjects_of_the_kinds_and_prefix():
    kept, _ = _raise("connector:1")
    cleared, _ = _raise("connector:2")
    other_kind, _ = _raise("connector:3", kind=AlertKind.KPI_ATTENTION)
    other_prefix, _ = _raise("layer:tram-y-te")
    resolved = alerts_sweep(kinds=[AlertKind.SOURCE_STALE], subject_prefix="connector:",
                            still_open={(AlertKind.SOURCE_STALE, "connector:1")},
                            now=T0 + timedelta(minutes=1))
    assert resolved == 1
    states = {a.pk: a.resolved_at is None for a in Alert.objects.all()}
    assert states == {kept.pk: True, cleared.pk: False, other_kind.pk: True,
                      other_prefix.pk: True}


def test_acknowledge_needs_the_right_and_keeps_the_first(user_of_role):
    alert, _ = _raise()
    operator, other = user_of_role("sector_operator"), user_of_role("province_leader")
    planner = user_of_role("planner")  # reads alerts, may not acknowledge them
    with pytest.raises(AlertsNotAllowed):
        alert_acknowledge(principal=principal_for_user(planner), pk=alert.pk)
    first = alert_acknowledge(principal=principal_for_user(operator), pk=alert.pk,
                              now=T0 + timedelta(minutes=3))
    second = alert_acknowledge(principal=principal_for_user(other), pk=alert.pk,
                               now=T0 + timedelta(minutes=9))
    assert first.acknowledged_by == operator and second.acknowledged_by == operator
    assert second.acknowledged_at == T0 + timedelta(minutes=3)
    health_bound = user_of_role("sector_operator", sectors=["SECURITY"])
    with pytest.raises(AlertNotFound):  # another sector's alert does not exist for them
        alert_acknowledge(principal=principal_for_user(health_bound), pk=alert.pk)


def test_recipients_skip_inactive_members_and_unknown_departments(user_of_role):
    active, gone = user_of_role("sector_operator", email="a@x.vn"), user_of_role("sector_operator",
                                                                   email="b@x.vn")
    gone.is_active = False
    gone.save()
    DepartmentContact.objects.create(department="Sở Du lịch").members.add(active, gone)
    assert recipients("Sở Du lịch") == ["a@x.vn"]
    assert recipients("Sở không có") == []


def test_a_failing_mail_server_is_retried_then_given_up(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    contact = DepartmentContact.objects.create(department="Sở Y tế", mailbox="x@syt.vn")
    assert contact.pk
    _raise()
    for _ in range(5):
        assert deliveries_send() == (0, 1)
    assert deliveries_send() == (0, 0)  # given up after five tries
    delivery = AlertDelivery.objects.get()
    assert delivery.attempts == 5 and delivery.sent_at is None and delivery.last_error
