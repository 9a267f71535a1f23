"""Nhật ký kiểm toán in the admin: listed, filtered, searched, never editable."""
import pytest
from django.urls import reverse

from audit.models import AuditLog
from layers.models import Layer
from tests.audit.helpers import verified_admin_client
from tests.factories import make_layer

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:audit_auditlog_changelist")


@pytest.fixture
def changed_layer():
    layer = make_layer(title_vi="Giếng nước")
    Layer.objects.filter(pk=layer.pk).update(title_vi="Giếng khoan")
    return layer


@pytest.fixture
def admin_client_():
    client, _ = verified_admin_client()
    return client


def test_list_shows_events_across_models_with_the_diff(admin_client_, changed_layer):
    response = admin_client_.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Giếng nước → Giếng khoan" in html
    assert "Nhật ký kiểm toán".lower() in html.lower()
    assert reverse("admin:audit_auditlog_add") not in html


@pytest.mark.parametrize("query", [
    {"model": "layers.Layer"}, {"label": "update"}, {"user": "none"},
    {"created_at__gte": "2000-01-01 00:00:00+07:00"},
])
def test_filters(admin_client_, changed_layer, query):
    response = admin_client_.get(LIST_URL, query)
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert any(e.object_model == "layers.Layer" and e.object_id == changed_layer.pk
               for e in shown)


def test_search_by_object_id(admin_client_, changed_layer):
    response = admin_client_.get(LIST_URL, {"q": str(changed_layer.pk), "model": "layers.Layer"})
    shown = list(response.context["cl"].result_list)
    assert [e.label for e in shown] == ["update", "insert"]


def test_detail_is_read_only_and_shows_the_snapshot(admin_client_, changed_layer):
    entry = AuditLog.objects.for_object(changed_layer).get(label="update")
    url = reverse("admin:audit_auditlog_change", args=[entry.pk])
    response = admin_client_.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert changed_layer.slug in html  # from the snapshot
    assert 'name="_save"' not in html
    assert admin_client_.post(url, {"label": "insert"}).status_code == 403


def test_add_and_delete_are_refused(admin_client_, changed_layer):
    entry = AuditLog.objects.for_object(changed_layer).first()
    assert admin_client_.get(reverse("admin:audit_auditlog_add")).status_code == 403
    delete_url = reverse("admin:audit_auditlog_delete", args=[entry.pk])
    assert admin_client_.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_log_orders_by_event_id_across_tables(changed_layer):
    ids = list(AuditLog.objects.values_list("id", flat=True)[:50])
    assert ids == sorted(ids, reverse=True)
    assert AuditLog.objects.filter(object_model="layers.Layer").count() >= 2
