"""Seeded roles, and what a visible answer contains for each kind of caller."""
import pytest
from django.contrib.auth.models import Group

from access.models import Role
from access.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_every_role_is_seeded_with_exactly_its_permissions():
    for role, expected in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(expected), role
    assert {g.name for g in Group.objects.all()} >= {r.value for r in Role}


def ids(response) -> set[str]:
    return {f["id"] for f in response.json()["results"]}


def test_lists_are_scoped_not_just_details(world, client_as):
    path = f"/api/layers/{world.private.slug}/features/"
    assert ids(client_as("unit_official").get(path)) == {"in"}
    assert ids(client_as("province_leader").get(path)) == {"in", "out"}


def test_private_properties_only_for_roles_that_hold_the_right(world, client_as):
    path = f"/api/layers/{world.public.slug}/features/in/"
    assert "owner_phone" not in client_as("anonymous").get(path).json()["properties"]
    assert "owner_phone" not in client_as("planner").get(path).json()["properties"]
    assert "owner_phone" in client_as("province_leader").get(path).json()["properties"]


def test_layer_list_differs_by_role(world, client_as):
    def slugs(role):
        return {layer["slug"] for layer in client_as(role).get("/api/layers/").json()["results"]}

    assert world.private.slug not in slugs("anonymous")
    assert world.private.slug in slugs("unit_official")
    assert world.private.slug not in slugs("other_sector_operator")
