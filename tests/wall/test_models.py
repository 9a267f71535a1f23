"""The database keeps the wall's invariants, whatever writes the rows (update(), bulk_create)."""
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from demo.layer_catalog import LAYER_CATALOG
from incidents.projection import LAYER_SLUG
from wall.models import Scene, ScenePin

pytestmark = pytest.mark.django_db

GOOD = {"name_vi": "Thử", "name_en": "Test", "center_lon": 105.9, "center_lat": 19.74,
        "zoom": 12, "dwell_seconds": 30, "panels": ["kpi"], "layers": ["schools"]}


def scene(slug: str = "thu", **fields) -> Scene:
    return Scene.objects.create(slug=slug, **{**GOOD, **fields})


@pytest.mark.parametrize("fields", [
    {"dwell_seconds": 4}, {"dwell_seconds": 3601}, {"center_lon": 181}, {"center_lat": -90},
    {"zoom": -1}, {"zoom": 22.5}, {"panels": ["kpi", "ticker"]},
    {"incident_statuses": ["new", "lost"]}, {"name_vi": ""}, {"name_en": ""},
], ids=lambda fields: next(iter(fields)))
def test_a_scene_breaking_an_invariant_is_refused_by_the_database(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        scene(**fields)


def test_update_cannot_sneak_past_the_constraints():
    made = scene()
    with pytest.raises(IntegrityError), transaction.atomic():
        Scene.objects.filter(pk=made.pk).update(dwell_seconds=0)


def test_at_most_one_pin_is_in_force_and_released_pins_stay_as_history():
    now = timezone.now()
    shown = scene()
    ScenePin.objects.create(scene=shown, pinned_at=now, until=now + timedelta(minutes=5),
                            released_at=now + timedelta(minutes=1))
    ScenePin.objects.create(scene=shown, pinned_at=now, until=now + timedelta(minutes=5))
    with pytest.raises(IntegrityError), transaction.atomic():
        ScenePin.objects.create(scene=shown, pinned_at=now, until=now + timedelta(minutes=5))
    assert ScenePin.objects.count() == 2


@pytest.mark.parametrize("fields", [
    {"until": "start"}, {"released_at": "before"},
], ids=["until-not-after-start", "released-before-start"])
def test_a_pin_must_end_after_it_starts(fields):
    now = timezone.now()
    values = {"until": now + timedelta(minutes=5)}
    if fields.get("until") == "start":
        values["until"] = now
    if fields.get("released_at") == "before":
        values["released_at"] = now - timedelta(seconds=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScenePin.objects.create(scene=scene(), pinned_at=now, **values)


def test_the_four_demo_scenes_are_seeded_in_turn_with_layers_of_the_demo_catalogue():
    seeded = list(Scene.objects.filter(slug__in=["tong-quan", "giao-thong", "y-te",
                                                 "sam-son-mua-bien"]))
    assert [s.slug for s in seeded] == ["tong-quan", "giao-thong", "y-te", "sam-son-mua-bien"]
    catalogue = {layer["slug"] for layer in LAYER_CATALOG} | {LAYER_SLUG}
    for seeded_scene in seeded:
        assert seeded_scene.is_active and seeded_scene.layers
        assert set(seeded_scene.layers) <= catalogue, seeded_scene.slug
        assert set(seeded_scene.panels) == {"kpi", "events", "legend"}
    beach = seeded[-1]
    assert (beach.center_lon, beach.center_lat) == pytest.approx((105.90, 19.74))
    assert beach.name_vi == "Sầm Sơn mùa du lịch biển"


def test_the_admin_form_takes_comma_separated_codes_and_refuses_unknown_panels(rf):
    from django.contrib import admin

    from wall.admin import SceneAdmin

    request = rf.get("/admin/wall/scene/add/")
    form_class = SceneAdmin(Scene, admin.site).get_form(request)
    data = {"slug": "bien", "name_vi": "Biển", "name_en": "Beach", "position": 5,
            "dwell_seconds": 30, "is_active": "on", "center_lon": 105.9, "center_lat": 19.74,
            "zoom": 13, "layers": "tourist-sites,incidents", "incident_statuses": "new,verified",
            "incident_categories": "du-lich", "panels": "kpi,legend"}
    form = form_class(data=data)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.layers == ["tourist-sites", "incidents"] and saved.panels == ["kpi", "legend"]
    form = form_class(data={**data, "slug": "bien-2", "panels": "kpi,ticker"})
    assert not form.is_valid() and "panels" in form.errors
