"""Layers, units, crosswalk rows, users, roles and memberships are all audited."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, update_last_login
from django.db import connection

from audit.models import (AdminUnitEvent, GroupEvent, GroupPermissionEvent, LayerEvent,
                          UnitCrosswalkEvent, UserEvent, UserGroupEvent)
from layers.models import AdminUnit, Layer, UnitCrosswalk
from tests.factories import make_layer

pytestmark = pytest.mark.django_db


def test_layer_insert_update_delete():
    layer = make_layer(title_vi="Giếng nước")
    pk = layer.pk
    Layer.objects.filter(pk=pk).update(title_vi="Giếng khoan", min_zoom=3)
    layer.delete()
    events = list(LayerEvent.objects.filter(pgh_obj_id=pk).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update", "delete"]
    assert events[1].pgh_diff == {"title_vi": ["Giếng nước", "Giếng khoan"], "min_zoom": [0, 3]}
    assert events[2].title_vi == "Giếng khoan"


def test_a_changed_primary_key_is_still_recorded():
    layer = make_layer()
    Layer.objects.filter(pk=layer.pk).update(id=layer.pk + 10_000_000)
    event = LayerEvent.objects.get(pgh_obj_id=layer.pk + 10_000_000, pgh_label="update")
    assert event.pgh_diff["id"] == [None, layer.pk + 10_000_000]


def test_admin_unit_update_is_diffed_without_generated_columns():
    unit = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).first()
    unit.name = unit.name + " (sửa)"
    unit.save()
    event = AdminUnitEvent.objects.get(pgh_obj_id=unit.pk, pgh_label="update")
    assert set(event.pgh_diff) == {"name"}
    assert event.pgh_diff["name"][1].endswith("(sửa)")
    fields = {f.name for f in AdminUnitEvent._meta.fields}
    assert not {"search_name", "geom_3857"} & fields


def test_crosswalk_update_records_before_and_after():
    row = UnitCrosswalk.objects.filter(area_share__lt=1).first()
    UnitCrosswalk.objects.filter(pk=row.pk).update(area_share=0.5)
    event = UnitCrosswalkEvent.objects.get(pgh_obj_id=row.pk, pgh_label="update")
    assert event.pgh_diff == {"area_share": [row.area_share, 0.5]}


def test_truncate_records_every_row_it_removes():
    count = UnitCrosswalk.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE layers_unitcrosswalk")
    assert UnitCrosswalkEvent.objects.filter(pgh_label="truncate").count() == count > 0


def test_user_events_never_hold_the_password_hash():
    user = get_user_model().objects.create_user("can-bo-1", "cb1@example.vn", "mat-khau-1")
    user.set_password("mat-khau-2")
    user.save()
    user.refresh_from_db()
    update_last_login(None, user)  # logging in is not an audited change
    labels = list(UserEvent.objects.filter(pgh_obj_id=user.pk).order_by("pgh_id")
                  .values_list("pgh_label", "pgh_diff"))
    assert labels == [("insert", None), ("update", {"password": ["***", "***"]})]
    assert "password" not in {f.name for f in UserEvent._meta.fields}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_userevent e WHERE to_jsonb(e)::text LIKE %s",
                       [f"%{user.password.split('$')[-1]}%"])
        assert cursor.fetchone() == (0,)


def test_user_profile_change_is_diffed():
    user = get_user_model().objects.create_user("can-bo-2", "cb2@example.vn")
    user.email = "moi@example.vn"
    user.is_staff = True
    user.save()
    event = UserEvent.objects.get(pgh_obj_id=user.pk, pgh_label="update")
    assert event.pgh_diff == {"email": ["cb2@example.vn", "moi@example.vn"],
                              "is_staff": [False, True]}


def test_role_and_membership_changes_are_recorded():
    group = Group.objects.create(name="sector_operator_test")
    user = get_user_model().objects.create_user("can-bo-3")
    permission = Permission.objects.get(codename="change_layer")
    user.groups.add(group)
    group.permissions.add(permission)
    user.groups.remove(group)
    group.name = "sector_operator_renamed"
    group.save()

    memberships = UserGroupEvent.objects.filter(user_id=user.pk).order_by("pgh_id")
    assert [(e.pgh_label, e.group_id) for e in memberships] == [
        ("insert", group.pk), ("delete", group.pk)]
    granted = GroupPermissionEvent.objects.get(group_id=group.pk)
    assert (granted.pgh_label, granted.permission_id) == ("insert", permission.pk)
    renamed = GroupEvent.objects.get(pgh_obj_id=group.pk, pgh_label="update")
    assert renamed.pgh_diff == {"name": ["sector_operator_test", "sector_operator_renamed"]}
