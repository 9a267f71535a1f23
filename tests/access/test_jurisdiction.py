"""Jurisdiction across the 2025 reform (ADR 0005): bindings keep their ground."""
from datetime import date

import pytest
from django.contrib.gis.geos import Point

from access.jurisdiction import ground_of
from access.principal import principal_for_user
from layers import selectors
from layers.models import AdminLevel, Feature
from tests.access.conftest import make_user

pytestmark = pytest.mark.django_db

BEFORE, LAST_OLD, AFTER = date(2021, 7, 1), date(2025, 6, 30), date(2025, 8, 1)


def visible_ids(user, layer) -> set[str]:
    principal = principal_for_user(user)
    return set(selectors.feature_list_visible(principal=principal, layer=layer)
               .values_list("external_id", flat=True))


def test_a_pre_reform_district_keeps_its_ground_after_the_reform(world):
    sam_son = selectors.unit_get(code="382", day=BEFORE)
    user = make_user("unit_official", units=[sam_son])
    assert visible_ids(user, world.private) == {"in"}
    ground = ground_of([sam_son])
    old_communes = set(selectors.unit_list(day=LAST_OLD, parent_code="382")
                       .values_list("code", flat=True))
    assert ground.pre_codes == old_communes and not ground.cur_codes
    # Exactly the same ground: every feature stamped in old Sầm Sơn, whatever its new commune.
    stamped = Feature.objects.filter(district_code_pre2025="382")
    principal = principal_for_user(user)
    assert stamped.exclude(principal.ground_filter()).count() == 0
    assert Feature.objects.exclude(district_code_pre2025="382").filter(
        principal.ground_filter()).count() == 0


def test_dong_son_ended_in_2024_but_its_ground_is_carried_forward():
    dong_son = selectors.unit_get(code="405", day=BEFORE)
    ground = ground_of([dong_son])
    communes_2021 = set(selectors.unit_list(day=BEFORE, parent_code="405")
                        .values_list("code", flat=True))
    assert len(communes_2021) == 14
    assert ground.pre_codes == communes_2021  # all 14 continued under the city until 2025


def test_a_vanished_commune_maps_to_its_absorber():
    vanished = selectors.unit_get(code="14788", day=BEFORE)  # Phường Tân Sơn, gone Dec 2024
    ground = ground_of([vanished])
    absorber = vanished.crosswalk_to.get().new_unit
    assert ground.pre_codes == {absorber.code}


def test_a_new_commune_binding_sees_exactly_that_commune(world):
    unit = selectors.unit_get(code=world.outside_commune, day=AFTER)
    user = make_user("unit_official", units=[unit])
    assert visible_ids(user, world.private) == {"out"}
    assert ground_of([unit]).cur_codes == {unit.code}


def test_a_province_binding_is_province_wide(world):
    user = make_user("unit_official", units=[selectors.unit_get(code="38", day=AFTER)])
    assert visible_ids(user, world.private) == {"in", "out"}


def test_no_binding_means_no_private_data(world):
    user = make_user("unit_official")
    assert visible_ids(user, world.private) == set()
    assert visible_ids(user, world.public) == {"in", "out"}  # public data stays public


def test_sector_operators_see_only_their_sectors(world):
    unit = selectors.unit_containing(point=Point(105.9, 19.74, srid=4326), day=AFTER,
                                     level=AdminLevel.COMMUNE)
    health = make_user("other_sector_operator", units=[unit], sectors=["HEALTH"])
    assert visible_ids(health, world.private) == set()
