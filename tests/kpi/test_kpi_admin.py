"""The admin of the registry, targets and values: pages open, a value entered by hand is
checked like an imported one (no 500 for a misaligned period) and recorded as MANUAL, and the
value list is scoped to the staff member's ground."""
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from kpi.models import Kpi, KpiRun, KpiValue
from kpi.units import CURRENT
from tests.audit.helpers import form_data, verified_admin_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    """A client of a superuser whose session passed the second factor."""
    return verified_admin_client("kpi-root")[0]


@pytest.mark.parametrize("path", ["/admin/kpi/kpi/", "/admin/kpi/kpivalue/",
                                  "/admin/kpi/kpirun/", "/admin/kpi/kpivalue/add/"])
def test_the_admin_pages_open(root, path):
    assert root.get(path).status_code == 200


def test_a_kpi_page_opens_with_its_targets(root):
    kpi = Kpi.objects.get(code="incidents-on-time-pct")
    assert root.get(f"/admin/kpi/kpi/{kpi.pk}/change/").status_code == 200


def value_form(kpi: Kpi, unit_id: int, start: str, value: str = "12") -> dict:
    return {"kpi": kpi.pk, "unit": unit_id, "period_start": start, "value": value, "note": ""}


def test_a_value_by_hand_is_checked_and_recorded_as_manual(root, units):
    client = root
    kpi = Kpi.objects.get(code="dossiers-received")
    commune = units.leaves[CURRENT][0]
    refused = client.post("/admin/kpi/kpivalue/add/", value_form(kpi, commune, "2025-07-09"))
    assert refused.status_code == 200 and "ngày đầu của một kỳ" in refused.content.decode()
    district = next(iter(units.children))
    grain = client.post("/admin/kpi/kpivalue/add/",
                        value_form(Kpi.objects.get(code="grdp"), district, "2025-01-01"))
    assert grain.status_code == 200 and "cấp chi tiết" in grain.content.decode()
    computed = client.post("/admin/kpi/kpivalue/add/",
                           value_form(Kpi.objects.get(code="traffic-accidents"), commune,
                                      "2025-07-01"))
    assert computed.status_code == 200 and "kpi_refresh" in computed.content.decode()
    saved = client.post("/admin/kpi/kpivalue/add/", value_form(kpi, commune, "2025-07-01"))
    assert saved.status_code == 302
    value = KpiValue.objects.get(kpi=kpi, unit_id=commune)
    assert (value.source, value.run, value.periodicity) == ("MANUAL", None, "MONTH")


def test_a_general_target_of_a_count_is_refused(root):
    client = root
    kpi = Kpi.objects.get(code="traffic-accidents")
    page = client.get(f"/admin/kpi/kpi/{kpi.pk}/change/")
    data = form_data(page.context["adminform"].form)
    data.update({"targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0",
                 "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "1000",
                 "targets-0-effective_from": "2025-01-01", "targets-0-value": "60",
                 "targets-0-unit": "", "targets-0-note": ""})
    answer = client.post(f"/admin/kpi/kpi/{kpi.pk}/change/", data)
    assert answer.status_code == 200
    assert "phải gắn với một đơn vị" in answer.content.decode()
    assert not kpi.targets.exists()


def test_the_value_list_is_scoped_to_the_ground(client, user_as, units):
    from layers.models import AdminUnit

    kpi = Kpi.objects.get(code="dossiers-received")
    run = KpiRun.objects.create(kind="IMPORT", started_at=timezone.now())
    mine, other = units.leaves[CURRENT][:2]
    for unit_id in (mine, other):
        KpiValue.objects.create(kpi=kpi, unit_id=unit_id, periodicity="MONTH",
                                period_start=date(2025, 7, 1), value=1, source="IMPORT",
                                run=run, recorded_at=timezone.now())
    official = user_as("unit_official", units=[AdminUnit.objects.get(pk=mine)])
    official.user_permissions.add(Permission.objects.get(codename="view_kpivalue"))
    client.force_login(official)
    page = client.get("/admin/kpi/kpivalue/")
    assert page.status_code == 200
    assert {v.unit_id for v in page.context["cl"].queryset} == {mine}
