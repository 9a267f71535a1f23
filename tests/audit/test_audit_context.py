"""Who, when and from where: the request context reaches every event row."""
import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.authentication import BaseAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.middleware import AuditContextMiddleware
from audit.models import GroupEvent, LayerEvent
from tests.audit.helpers import form_data, verified_admin_client
from tests.factories import make_layer

pytestmark = pytest.mark.django_db


def test_admin_change_records_user_ip_and_path():
    layer = make_layer(title_vi="Giếng nước")
    client, admin_user = verified_admin_client()
    url = reverse("admin:layers_layer_change", args=[layer.pk])
    form = client.get(url).context["adminform"].form
    data = {**form_data(form), "title_vi": "Giếng khoan"}
    response = client.post(url, data)
    assert response.status_code == 302

    event = LayerEvent.objects.get(pgh_obj_id=layer.pk, pgh_label="update")
    assert event.pgh_diff["title_vi"] == ["Giếng nước", "Giếng khoan"]
    context = event.pgh_context
    assert context["user"] == admin_user.pk
    assert context["username"] == "audit-admin"
    assert context["ip"] == "203.0.113.7"
    assert (context["method"], context["path"]) == ("POST", url)
    assert context["token"] is None
    assert event.pgh_context_id is not None


def _create_group_view(request):
    Group.objects.create(name="via-request")
    return HttpResponse("ok")


def _group_context() -> dict:
    return GroupEvent.objects.get(name="via-request", pgh_label="insert").pgh_context


def test_anonymous_request_records_remote_addr():
    request = RequestFactory().post("/some/path", REMOTE_ADDR="198.51.100.4",
                                    HTTP_X_FORWARDED_FOR="1.2.3.4")
    request.user = AnonymousUser()
    AuditContextMiddleware(_create_group_view)(request)
    assert _group_context() == {"user": None, "username": None, "token": None,
                                "ip": "198.51.100.4", "method": "POST", "path": "/some/path"}


@override_settings(IOC_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_it_saw_is_recorded():
    request = RequestFactory().post("/p", REMOTE_ADDR="10.0.0.2",
                                    HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    request.user = AnonymousUser()
    AuditContextMiddleware(_create_group_view)(request)
    assert _group_context()["ip"] == "198.51.100.9"  # not the forgeable left entry


class _Token:
    pk = 42


class _FakeTokenAuthentication(BaseAuthentication):
    user = None

    def authenticate(self, request):
        return (self.user, _Token())


class _CreateGroupApi(APIView):
    authentication_classes = [_FakeTokenAuthentication]
    permission_classes = []

    def post(self, request):
        Group.objects.create(name="via-request")
        return Response({"ok": True})


def test_drf_authentication_inside_the_view_updates_the_context(django_user_model):
    robot = django_user_model.objects.create_user("he-thong-tich-hop")
    _FakeTokenAuthentication.user = robot
    request = RequestFactory().post("/api/x", REMOTE_ADDR="198.51.100.5")
    request.user = AnonymousUser()  # the session knows nobody; the token says who
    AuditContextMiddleware(_CreateGroupApi.as_view())(request)
    context = _group_context()
    assert (context["user"], context["username"], context["token"]) == (
        robot.pk, "he-thong-tich-hop", 42)
