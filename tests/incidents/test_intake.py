"""The one-statement intake (incidents/intake.py) writes what the ORM would, and the answer's
fast representation equals DRF's."""
from datetime import timedelta

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone
from rest_framework import serializers

from access.principal import ANONYMOUS
from incidents.api import PublicIncidentOutput
from incidents.models import Incident, IncidentEvent
from incidents.projection import LAYER_SLUG, incident_map_properties
from incidents.services import ReportInput, incident_submit
from ioc_gis.db.prepared import _prepared
from layers.models import Feature
from tests.incidents.conftest import CITY, EMAIL, NAME, PHONE, SAM_SON

pytestmark = pytest.mark.django_db

SKIP = ("id", "public_id", "created_at", "updated_at")


def _submit(lon_lat=SAM_SON, **extra) -> Incident:
    return incident_submit(principal=ANONYMOUS, report=ReportInput(
        category="an-ninh-trat-tu", lon=lon_lat[0], lat=lon_lat[1], title="Đèn đường hỏng",
        description="Cả đoạn phố tối", address="Đường Lê Lợi", reporter_name=NAME,
        reporter_phone=PHONE, reporter_email=EMAIL, **extra))


def _fields(instance) -> dict:
    data = model_to_dict(instance, fields=[f.name for f in instance._meta.concrete_fields])
    data["location"] = data.get("location") and data["location"].ewkt
    return data


def test_the_row_is_the_one_the_orm_writes():
    incident = _submit()
    stored = Incident.objects.get(pk=incident.pk)
    assert _fields(stored) == _fields(incident)  # the returned instance is what was stored
    assert (stored.created_at, stored.updated_at) == (incident.created_at, incident.updated_at)
    twin = Incident.objects.create(public_id="PA-TWIN0001", **{
        name: value for name, value in _fields(stored).items() if name not in SKIP
        and name not in ("location", "category", "created_by", "duplicate_of")},
        location=stored.location, category=stored.category)
    mine, theirs = _fields(stored), _fields(Incident.objects.get(pk=twin.pk))
    assert {k: v for k, v in mine.items() if k not in SKIP} == \
        {k: v for k, v in theirs.items() if k not in SKIP}


def test_the_first_event_and_the_map_feature_come_with_it():
    incident = _submit(lon_lat=CITY)
    event = IncidentEvent.objects.get(incident=incident)
    assert (event.kind, event.from_status, event.to_status, event.is_public, event.actor_id) == \
        ("submitted", "", "new", True, None)
    assert event.note == "Kênh: " + incident.get_channel_display() and event.at is not None
    feature = Feature.objects.get(layer__slug=LAYER_SLUG, external_id=incident.public_id)
    assert feature.properties == incident_map_properties(incident, timezone.now())
    assert feature.observed_at == incident.created_at
    assert feature.geom.equals_exact(incident.location, 1e-12)
    assert feature.commune_code == incident.commune_code  # stamped by the database trigger
    assert not any(value in str(feature.properties) for value in (NAME, PHONE, EMAIL))


def test_statements_are_prepared_once_per_connection_and_again_after_a_reconnect():
    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'ioc_%%'")
            return {row[0] for row in cursor.fetchall()}

    _submit()
    assert {"ioc_incident_insert", "ioc_unit_codes_containing"} <= prepared()
    _submit(lon_lat=CITY)
    # A new session has nothing prepared and the helper has not seen its connection yet.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    _prepared.pop(connection.connection)
    assert prepared() == set()
    assert _submit().pk
    assert {"ioc_incident_insert", "ioc_unit_codes_containing"} <= prepared()


def test_the_fast_answer_equals_drfs(django_user_model):
    first, second, third = _submit(), _submit(lon_lat=CITY), _submit()
    Incident.objects.filter(pk=second.pk).update(
        status="resolved", resolved_at=timezone.now() - timedelta(hours=1), rating=4)
    Incident.objects.filter(pk=third.pk).update(status="duplicate", duplicate_of=first)
    for incident in Incident.objects.filter(pk__in=[first.pk, second.pk, third.pk]):
        fast = PublicIncidentOutput(incident).data
        generic = serializers.Serializer.to_representation(PublicIncidentOutput(incident),
                                                           incident)
        assert dict(fast) == dict(generic)
    assert PublicIncidentOutput(first).data["resolved_at"] is None
