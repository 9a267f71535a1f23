"""The official 2025 old→new crosswalk, loaded against versioned units."""
from datetime import date

import pytest
from django.db import connection
from django.db.models import Count, Sum

from layers import selectors
from layers.models import AdminLevel, UnitCrosswalk

pytestmark = pytest.mark.django_db

LAST_OLD_DAY = date(2025, 6, 30)
REFORM = date(2025, 7, 1)


def reform_rows():
    return UnitCrosswalk.objects.filter(effective=REFORM)


def test_every_old_commune_maps_to_a_new_unit():
    old = selectors.unit_list(day=LAST_OLD_DAY, level=AdminLevel.COMMUNE)
    assert old.count() == 547
    unmapped = old.exclude(crosswalk_to__effective=REFORM)
    assert list(unmapped.values_list("code", flat=True)) == []
    assert reform_rows().count() == 558


def test_every_new_unit_has_sources_in_force_the_day_before():
    new = selectors.unit_list(day=REFORM, level=AdminLevel.COMMUNE)
    assert new.count() == 166
    for unit in new:
        sources = [row.old_unit for row in unit.crosswalk_from.all()]
        assert sources, unit
        assert all(s.is_valid_on(LAST_OLD_DAY) and not s.is_valid_on(REFORM) for s in sources)


def test_split_communes_share_their_area_between_new_units():
    split = (reform_rows().values("old_unit").annotate(total=Sum("area_share"))
             .filter(old_unit__crosswalk_to__change_type="MERGED_PART"))
    assert split
    for row in reform_rows().values("old_unit").annotate(total=Sum("area_share")):
        assert row["total"] == pytest.approx(1.0, abs=1e-4)
    assert reform_rows().values("old_unit").distinct().count() == 547
    multi = [r for r in reform_rows().values("old_unit").annotate(n=Count("new_unit")) if r["n"] > 1]
    assert len(multi) == 10


def test_new_units_are_the_union_of_their_old_parts():
    """Approximate geometry: each new unit's area equals the area its predecessors handed over."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT n.code, ST_Area(n.geom), SUM(ST_Area(o.geom) * x.area_share)
              FROM layers_unitcrosswalk x
              JOIN layers_adminunit o ON o.id = x.old_unit_id
              JOIN layers_adminunit n ON n.id = x.new_unit_id
             WHERE x.effective = %s GROUP BY n.code, n.geom
        """, [REFORM])
        rows = cursor.fetchall()
    assert len(rows) == 166
    for code, area, handed_over in rows:
        assert handed_over == pytest.approx(area, rel=1e-4), code


def test_the_2024_arrangement_is_recorded_and_marked_inferred_where_guessed():
    rows = UnitCrosswalk.objects.filter(effective=date(2024, 12, 1)).select_related(
        "old_unit", "new_unit")
    inferred = [r for r in rows if r.is_inferred]
    assert len(inferred) == 12
    official = [r for r in rows if not r.is_inferred]
    assert [(r.old_unit.code, r.new_unit.code) for r in official] == [("405", "380")]
