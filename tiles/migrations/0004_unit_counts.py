"""Counts of dense point layers per unit and local month and day (tiles.UnitMonthCount,
UnitDayCount), for the drill-down's figures: the feature trigger's point deltas now carry the
feature's local day and the units it was stamped into; the drain folds them into these counts
as into the cluster counts; the counts of the features already there are computed here once."""
import importlib

import django.db.models.deletion
from django.db import migrations, models

_before = importlib.import_module("tiles.migrations.0002_maintenance_triggers")
_deltas = importlib.import_module("tiles.migrations.0003_point_deltas")

COLUMNS = ("layer_id, geom_3857, observed_at, properties, commune_code, commune_code_pre2025, "
           "district_code_pre2025")
LOCAL = "AT TIME ZONE 'Asia/Ho_Chi_Minh'"


def _changes(op: str) -> str:
    if op == "INSERT":
        return f"SELECT {COLUMNS}, 1 AS sign FROM new_rows"
    if op == "DELETE":
        return f"SELECT {COLUMNS}, -1 AS sign FROM old_rows"
    return (f"SELECT {COLUMNS}, 1 AS sign FROM new_rows UNION ALL "
            f"SELECT {COLUMNS}, -1 AS sign FROM old_rows")


def _feature_statement(op: str) -> str:
    """0003's statement, the deltas with their day and units."""
    return f"""
    WITH changes AS ({_changes(op)}),
    dirty AS (
      INSERT INTO tiles_dirtyregion (layer_id, min_x, min_y, max_x, max_y, created_at)
      SELECT DISTINCT layer_id, ST_XMin(geom_3857), ST_YMin(geom_3857),
             ST_XMax(geom_3857), ST_YMax(geom_3857), now()
        FROM changes WHERE geom_3857 IS NOT NULL
    )
    INSERT INTO tiles_pointdelta (layer_id, x, y, month, day, category, status, sign,
                                  commune_code, commune_code_pre2025, district_code_pre2025)
    SELECT c.layer_id, ST_X(p.pt), ST_Y(p.pt),
           date_trunc('month', c.observed_at {LOCAL})::date, (c.observed_at {LOCAL})::date,
           coalesce(c.properties ->> l.category_property, ''),
           coalesce(c.properties ->> l.status_property, ''), c.sign,
           coalesce(c.commune_code, ''), coalesce(c.commune_code_pre2025, ''),
           coalesce(c.district_code_pre2025, '')
      FROM changes c
      JOIN layers_layer l ON l.id = c.layer_id AND l.aggregate_below_zoom IS NOT NULL
      CROSS JOIN LATERAL (SELECT ST_PointOnSurface(c.geom_3857) AS pt) p
     WHERE c.geom_3857 IS NOT NULL;
    """


FORWARD = _before._function("tiles_feature_changed",
                            {op: _feature_statement(op) for op in _before.OPS})
BACKWARD = _deltas.FORWARD

# The counts of the features already there (as a rebuild: tiles.maintenance.UNITS_SQL).
_UNITS = """
  FROM layers_feature f
  JOIN layers_layer l ON l.id = f.layer_id AND l.aggregate_below_zoom IS NOT NULL
  CROSS JOIN LATERAL (VALUES ('c', f.commune_code), ('p', f.commune_code_pre2025),
                             ('d', f.district_code_pre2025)) AS k (kind, code)
 WHERE coalesce(k.code, '') <> ''"""
POPULATE = f"""
INSERT INTO tiles_unitmonthcount (layer_id, kind, code, month, n)
SELECT f.layer_id, k.kind, k.code, date_trunc('month', f.observed_at {LOCAL})::date, count(*)
{_UNITS}
 GROUP BY 1, 2, 3, 4;
INSERT INTO tiles_unitdaycount (layer_id, kind, code, day, n)
SELECT f.layer_id, k.kind, k.code, (f.observed_at {LOCAL})::date, count(*)
{_UNITS} AND f.observed_at IS NOT NULL
 GROUP BY 1, 2, 3, 4;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('layers', '0005_feature_layer_spatial_index'),
        ('tiles', '0003_point_deltas'),
    ]

    operations = [
        migrations.AddField(
            model_name='pointdelta',
            name='commune_code',
            field=models.TextField(default=''),
        ),
        migrations.AddField(
            model_name='pointdelta',
            name='commune_code_pre2025',
            field=models.TextField(default=''),
        ),
        migrations.AddField(
            model_name='pointdelta',
            name='day',
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name='pointdelta',
            name='district_code_pre2025',
            field=models.TextField(default=''),
        ),
        migrations.CreateModel(
            name='UnitDayCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('c', 'xã/phường (hiện hành)'), ('p', 'xã (trước 1/7/2025)'), ('d', 'huyện (trước 1/7/2025)')], max_length=1)),
                ('code', models.TextField()),
                ('day', models.DateField()),
                ('n', models.IntegerField()),
                ('layer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.layer')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('layer', 'kind', 'code', 'day'), name='tiles_unitdaycount_key')],
            },
        ),
        migrations.CreateModel(
            name='UnitMonthCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('c', 'xã/phường (hiện hành)'), ('p', 'xã (trước 1/7/2025)'), ('d', 'huyện (trước 1/7/2025)')], max_length=1)),
                ('code', models.TextField()),
                ('month', models.DateField(null=True)),
                ('n', models.IntegerField()),
                ('layer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.layer')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('layer', 'kind', 'code', 'month'), name='tiles_unitmonthcount_key', nulls_distinct=False)],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunSQL(POPULATE, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='unitdaycount',
            index=models.Index(fields=['layer', 'kind', 'day'], name='tiles_unitday_window'),
        ),
    ]
