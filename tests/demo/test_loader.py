"""The demo loader: deterministic, idempotent, fast on a second run."""
import pytest

from demo.loader import demo_load
from layers.models import AdminUnit, Feature, Layer, UnitCrosswalk

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (AdminUnit.objects.count(), UnitCrosswalk.objects.count(), Layer.objects.count(),
            Feature.objects.count())


def test_second_run_with_the_same_data_is_skipped():
    before = snapshot()
    report = demo_load(progress=False)
    assert report.skipped
    assert snapshot() == before


def test_forced_reload_changes_nothing():
    before = snapshot()
    stamps = dict(Feature.objects.values_list("id", "updated_at")[:500])
    report = demo_load(force=True, progress=False)
    assert not report.skipped
    assert (report.units_changed, report.crosswalk_changed) == (0, 0)
    assert (report.features_inserted, report.features_updated) == (0, 0)
    assert snapshot() == before
    assert dict(Feature.objects.filter(id__in=stamps).values_list("id", "updated_at")) == stamps


def test_seeded_layers_hold_data():
    counts = {layer.slug: layer.features.count() for layer in Layer.objects.all()}
    assert counts.pop("admin-boundaries") == 0
    counts.pop("incidents")  # filled by the incident workflow, not by the demo
    assert all(n > 0 for n in counts.values()), counts
    assert counts["health-facilities"] >= 166  # a health station per commune at least


def test_demo_features_lie_in_the_province():
    total = Feature.objects.count()
    outside = Feature.objects.filter(commune_code__isnull=True).count()
    assert outside / total < 0.005  # only offshore islets and coast points may fall outside


@pytest.mark.slow
def test_scale_goes_up_and_back_down():
    from demo.synthetic import event_count

    events = Feature.objects.filter(layer__slug__in=["traffic-accidents", "security-incidents"])
    assert events.count() == event_count(scale=1)
    demo_load(scale=2, progress=False)
    assert events.count() == event_count(scale=2)
    demo_load(scale=1, progress=False)
    assert events.count() == event_count(scale=1)
