"""A new incident written in one prepared statement: the incident row, its first event and
its map feature — one round trip, planned once per connection, instead of two ORM inserts and
a feature upsert (bench/reports.py).

The values are the ORM's own: every column comes from the model field's `pre_save` and
`get_db_prep_save`, as `Model.save()` would produce them, so an incident written here is the
row `Incident.objects.create(...)` would have written (tests/incidents/test_intake.py)."""
import json
from functools import cache

from django.db import connection

from ioc_gis.db.prepared import PreparedStatement
from layers.models import LayerSource

from .models import Incident, IncidentEvent
from .projection import LAYER_SLUG


def _columns(model, skip: tuple[str, ...] = ()) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip]


@cache
def _statement() -> PreparedStatement:
    incident_fields = _columns(Incident)
    event_fields = _columns(IncidentEvent, skip=("incident",))
    numbers = iter(range(1, 1000))

    def placeholders(count: int) -> str:
        return ", ".join(f"${next(numbers)}" for _ in range(count))

    incident_columns = ", ".join(connection.ops.quote_name(f.column) for f in incident_fields)
    event_columns = ", ".join(connection.ops.quote_name(f.column) for f in event_fields)
    incident_values = placeholders(len(incident_fields))
    event_values = placeholders(len(event_fields))
    external_id, geom, properties, observed_at, slug, source = placeholders(6).split(", ")
    sql = f"""
    WITH incident AS (
      INSERT INTO {Incident._meta.db_table} ({incident_columns}) VALUES ({incident_values})
      RETURNING id
    ),
    event AS (
      INSERT INTO {IncidentEvent._meta.db_table} (incident_id, {event_columns})
      SELECT incident.id, {event_values} FROM incident
      RETURNING id
    ),
    feature AS (
      INSERT INTO layers_feature AS f
             (layer_id, external_id, geom, properties, observed_at, created_at, updated_at)
      SELECT l.id, {external_id}, ST_GeomFromEWKB({geom}), {properties}::jsonb, {observed_at},
             now(), now()
        FROM layers_layer l WHERE l.slug = {slug} AND l.source = {source}
    )
    SELECT incident.id, event.id FROM incident, event"""
    return PreparedStatement("ioc_incident_insert", sql,
                             count=len(incident_fields) + len(event_fields) + 6)


def _values(instance, fields) -> list:
    return [f.get_db_prep_save(f.pre_save(instance, add=True), connection) for f in fields]


def incident_insert(*, incident: Incident, event: IncidentEvent, map_properties: dict) -> None:
    """Insert `incident` (unsaved), `event` (its first event) and the incident's map feature
    with `map_properties`; `incident` and `event` come back saved, with their ids."""
    params = (_values(incident, _columns(Incident))
              + _values(event, _columns(IncidentEvent, skip=("incident",)))
              + [incident.public_id, memoryview(incident.location.ewkb),
                 json.dumps(map_properties, ensure_ascii=False), incident.created_at, LAYER_SLUG,
                 LayerSource.FEATURES])
    with connection.cursor() as cursor:
        _statement().execute(cursor, params)
        incident.pk, event.pk = cursor.fetchone()
    for instance in (incident, event):
        instance._state.adding, instance._state.db = False, connection.alias
    event.incident = incident
