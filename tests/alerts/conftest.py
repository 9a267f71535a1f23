"""Users of a role with an optional sector binding, for the alerts and sources tests."""
import pytest
from rest_framework.test import APIClient


@pytest.fixture
def staff():
    """staff(role, sectors=None, name=None) → a fresh user of that role."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from access.models import Jurisdiction

    made = [0]

    def build(role: str, *, sectors=None, name: str | None = None, email: str = ""):
        made[0] += 1
        user = get_user_model().objects.create_user(name or f"alerts-{role}-{made[0]}",
                                                    password="x", is_staff=True, email=email)
        user.groups.add(Group.objects.get(name=role))
        if sectors:
            Jurisdiction.objects.create(user=user, sectors=sectors)
        return user
    return build


@pytest.fixture
def api_of():
    def build(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    return build
