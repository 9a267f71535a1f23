"""Committed demo KPIs (and, when the insights app is installed, what needs attention for a few
of them) for the dashboard's tests: the live server of the browser tests reads committed data
only, and seeding once per module keeps the API tests fast. Everything added is removed after
(rows above the ids found before), so other test modules meet the database as it was."""
from contextlib import contextmanager

from django.apps import apps
from django.test import override_settings

INSIGHT_CODES = ["tourism-revenue", "dossiers-online-pct", "grdp-growth",
                 "notifiable-disease-cases"]


def _models() -> list:
    from kpi.models import KpiRun, KpiTarget, KpiValue

    found = []
    if apps.is_installed("insights"):
        from insights.models import Attention, Forecast

        found += [Attention, Forecast]
    return found + [KpiValue, KpiTarget, KpiRun]  # values before the runs they point to


def _mark(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _incidents_remove(mark: int) -> None:
    from incidents.models import Incident
    from incidents.projection import LAYER_SLUG
    from layers.models import Feature

    added = Incident.objects.filter(pk__gt=mark)
    ids = list(added.values_list("public_id", flat=True))
    added.update(duplicate_of=None)  # PROTECT between the incidents removed together
    added.delete()
    Feature.objects.filter(layer__slug=LAYER_SLUG, external_id__in=ids).delete()


@contextmanager
def committed_kpis(django_db_blocker, *, insights: bool = True):
    """Seed the demo's month of incidents (when there are none) and the demo KPIs
    (demo/kpis.py, computed ones from those incidents) up to today, committed; yields the
    seed report."""
    from demo.incidents import demo_incidents_seed
    from demo.kpis import demo_kpis_seed
    from incidents.models import Incident

    with django_db_blocker.unblock():
        models = _models()
        marks = {model: _mark(model) for model in models}
        incidents_mark = _mark(Incident)
        demo_incidents_seed()
        report = demo_kpis_seed()
        if insights and apps.is_installed("insights"):
            from insights.refresh import insights_refresh

            with override_settings(IOC_INSIGHTS_ALERTS=False):  # no alerts to clean up
                insights_refresh(codes=INSIGHT_CODES, forecasts=False)
    try:
        yield report
    finally:
        with django_db_blocker.unblock():
            for model in models:
                model.objects.filter(pk__gt=marks[model]).delete()
            _incidents_remove(incidents_mark)
