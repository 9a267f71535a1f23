"""Bulk writers may stamp unit codes set-based (layers/stamping.py) and tell the row trigger so
with `SET LOCAL ioc.units_stamped = 'on'`: the trigger then still checks the geometry type but
keeps the codes the statement wrote. Per row, the three point-in-polygon lookups cost 87 µs
(8.7 s for 100,000 features); one spatial join per generation costs 0.2 s in all (bench/ingest.py)."""
from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION layers_feature_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text;
  gtype text := GeometryType(NEW.geom);
  anchor geometry;
BEGIN
  SELECT geometry_kind INTO kind FROM layers_layer WHERE id = NEW.layer_id;
  IF NOT (kind = 'POINT' AND gtype IN ('POINT', 'MULTIPOINT')
       OR kind = 'LINE' AND gtype IN ('LINESTRING', 'MULTILINESTRING')
       OR kind = 'POLYGON' AND gtype IN ('POLYGON', 'MULTIPOLYGON')) THEN
    RAISE EXCEPTION 'geometry type % does not fit a % layer', gtype, kind
      USING ERRCODE = 'check_violation';
  END IF;
  IF current_setting('ioc.units_stamped', true) = 'on' THEN
    RETURN NEW;  -- the statement carries codes stamped set-based (layers/stamping.py)
  END IF;
  anchor := ST_PointOnSurface(NEW.geom);
  NEW.commune_code := layers_current_commune_code(anchor);
  NEW.commune_code_pre2025 := layers_unit_code_at(anchor, 'COMMUNE', DATE '{pre}');
  NEW.district_code_pre2025 := layers_unit_code_at(anchor, 'DISTRICT', DATE '{pre}');
  RETURN NEW;
END $$;
"""

PREVIOUS_SQL = """
CREATE OR REPLACE FUNCTION layers_feature_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text;
  gtype text := GeometryType(NEW.geom);
  anchor geometry;
BEGIN
  SELECT geometry_kind INTO kind FROM layers_layer WHERE id = NEW.layer_id;
  IF NOT (kind = 'POINT' AND gtype IN ('POINT', 'MULTIPOINT')
       OR kind = 'LINE' AND gtype IN ('LINESTRING', 'MULTILINESTRING')
       OR kind = 'POLYGON' AND gtype IN ('POLYGON', 'MULTIPOLYGON')) THEN
    RAISE EXCEPTION 'geometry type % does not fit a % layer', gtype, kind
      USING ERRCODE = 'check_violation';
  END IF;
  anchor := ST_PointOnSurface(NEW.geom);
  NEW.commune_code := layers_current_commune_code(anchor);
  NEW.commune_code_pre2025 := layers_unit_code_at(anchor, 'COMMUNE', DATE '{pre}');
  NEW.district_code_pre2025 := layers_unit_code_at(anchor, 'DISTRICT', DATE '{pre}');
  RETURN NEW;
END $$;
"""

# Frozen here on purpose: a migration must not change when settings do.
PRE_REFORM_REFERENCE_DATE = "2025-06-30"


class Migration(migrations.Migration):
    dependencies = [("layers", "0005_feature_layer_spatial_index")]
    operations = [
        migrations.RunSQL(TRIGGER_SQL.replace("{pre}", PRE_REFORM_REFERENCE_DATE),
                          PREVIOUS_SQL.replace("{pre}", PRE_REFORM_REFERENCE_DATE)),
    ]
