"""Writers of features append to queues only (ADR 0007, "Concurrent writers"): the feature
trigger no longer bumps the layer's data version nor updates cluster counts in place — both
meant a row that every writer of the layer locked until it committed, so concurrent reports
queued behind each other (pgbench, 16 clients: 300 inserts/s with the old trigger, 1,900
without it). Now the trigger queues the changed boxes (tiles_dirtyregion, as before) and the
changed points (tiles_pointdelta); tile queries add the pending points to the cells, and the
drain folds them in and bumps the data version once per batch (tiles/maintenance.py)."""
import importlib

import django.db.models.deletion
from django.db import migrations, models

_before = importlib.import_module("tiles.migrations.0002_maintenance_triggers")


def _feature_statement(op: str) -> str:
    """One statement: the boxes of old and new geometries, and the points' deltas."""
    return f"""
    WITH changes AS ({_before._changes(op)}),
    dirty AS (
      INSERT INTO tiles_dirtyregion (layer_id, min_x, min_y, max_x, max_y, created_at)
      SELECT DISTINCT layer_id, ST_XMin(geom_3857), ST_YMin(geom_3857),
             ST_XMax(geom_3857), ST_YMax(geom_3857), now()
        FROM changes WHERE geom_3857 IS NOT NULL
    )
    INSERT INTO tiles_pointdelta (layer_id, x, y, month, category, status, sign)
    SELECT c.layer_id, ST_X(p.pt), ST_Y(p.pt),
           date_trunc('month', c.observed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
           coalesce(c.properties ->> l.category_property, ''),
           coalesce(c.properties ->> l.status_property, ''), c.sign
      FROM changes c
      JOIN layers_layer l ON l.id = c.layer_id AND l.aggregate_below_zoom IS NOT NULL
      CROSS JOIN LATERAL (SELECT ST_PointOnSurface(c.geom_3857) AS pt) p
     WHERE c.geom_3857 IS NOT NULL;
    """


FORWARD = _before._function("tiles_feature_changed",
                            {op: _feature_statement(op) for op in _before.OPS})
BACKWARD = _before._function("tiles_feature_changed",
                             {op: _before._feature_statement(op) for op in _before.OPS})


class Migration(migrations.Migration):

    dependencies = [
        ('layers', '0005_feature_layer_spatial_index'),
        ('tiles', '0002_maintenance_triggers'),
    ]

    operations = [
        migrations.CreateModel(
            name='PointDelta',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('x', models.FloatField()),
                ('y', models.FloatField()),
                ('month', models.DateField(null=True)),
                ('category', models.TextField(default='')),
                ('status', models.TextField(default='')),
                ('sign', models.SmallIntegerField()),
                ('layer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.layer')),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('sign__in', (-1, 1))), name='tiles_pointdelta_sign')],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
