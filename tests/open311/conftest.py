"""Fixtures of the Open311 tests: an integration client's api_key with the open311:write scope,
and incidents reported through the incidents app with full (private) reporter contact."""
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from access.principal import ANONYMOUS
from access.services import api_token_create
from incidents.models import Channel
from incidents.services import ReportInput, incident_submit

SAM_SON = (105.9, 19.74)           # inside Thanh Hóa (Sầm Sơn)
TP_THANH_HOA = (105.776, 19.807)   # inside Thanh Hóa, another commune
FAR_AWAY = (105.0, 21.5)           # outside the province
REPORTER = {"reporter_name": "Nguyễn Văn Bình", "reporter_phone": "0912345678",
            "reporter_email": "binh.nguyen@example.vn"}


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def make_key(*, scopes=("open311:write",), units=(), name="Ứng dụng phản ánh") -> str:
    """A fresh integration client account and key."""
    user = get_user_model().objects.create_user(f"open311-{timezone.now().timestamp()}",
                                                password=None)
    user.groups.add(Group.objects.get(name="integration_client"))
    _, key = api_token_create(name=name, user=user, scopes=list(scopes), units=list(units),
                              expires_at=timezone.now() + timedelta(days=30))
    return key


@pytest.fixture
def api_key(db) -> str:
    """A key with open311:write, bound to no unit (reports anywhere in the province)."""
    return make_key()


def report(*, lon_lat=SAM_SON, category="hu-hong-mat-duong", channel=Channel.CITIZEN_WEB,
           title="Ổ gà lớn trước chợ", description="Ổ gà sâu giữa đường, xe máy dễ ngã",
           **extra):
    """An incident through the incidents app, with private reporter contact."""
    principal = extra.pop("principal", ANONYMOUS)
    fields = {**REPORTER, **extra}
    return incident_submit(principal=principal, report=ReportInput(
        category=category, lon=lon_lat[0], lat=lon_lat[1], title=title,
        description=description, channel=channel, **fields))


def post(client: APIClient, path: str = "/open311/v2/requests.json", **data):
    """A form-encoded POST (application/x-www-form-urlencoded), as the spec sends it."""
    return client.generic("POST", path, urlencode(data),
                          content_type="application/x-www-form-urlencoded")
