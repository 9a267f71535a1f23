"""Principals are remembered for a few seconds, but a change of roles, rights, jurisdiction or
tokens in this process takes effect on the very next request."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from access.models import Jurisdiction
from access.principal import principal_for_user
from access.services import api_token_create
from layers.models import AdminUnit

pytestmark = pytest.mark.django_db


def _commune(n: int) -> AdminUnit:
    return AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by("code")[n]


def test_role_and_jurisdiction_changes_apply_at_once(django_user_model):
    user = django_user_model.objects.create_user("official", password="x")
    group = Group.objects.get(name="unit_official")
    user.groups.add(group)
    jurisdiction = Jurisdiction.objects.create(user=user)
    jurisdiction.units.set([_commune(0)])
    first = principal_for_user(user)
    assert first.has("layers.view_feature") and first.cur_codes == {_commune(0).code}
    assert principal_for_user(user) is first  # remembered
    jurisdiction.units.set([_commune(1)])
    assert principal_for_user(user).cur_codes == {_commune(1).code}
    user.groups.remove(group)
    fresh = django_user_model.objects.get(pk=user.pk)  # as the next request loads it
    assert not principal_for_user(fresh).has("layers.view_feature")


def test_a_revoked_token_fails_on_the_next_request(api_client, django_user_model):
    user = django_user_model.objects.create_user("client", password="x")
    user.groups.add(Group.objects.get(name="integration_client"))
    token, key = api_token_create(name="t", user=user, scopes=["layers:read"],
                                  expires_at=timezone.now() + timedelta(days=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/layers/").status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert api_client.get("/api/layers/").status_code == 401


def test_deactivated_users_lose_their_rights_at_once(django_user_model):
    user = django_user_model.objects.create_user("leader", password="x")
    user.groups.add(Group.objects.get(name="province_leader"))
    assert principal_for_user(user).has("layers.view_feature")
    user.is_active = False
    user.save()
    assert not principal_for_user(user).has("layers.view_feature")
