"""On every feature write the database (not application code) checks the geometry type against
the layer's kind and stamps the containing commune/district codes of both unit generations.

Current generation = unit versions still in force (valid_to IS NULL); pre-reform generation =
versions in force on the last day before 1 July 2025. See docs/adr/0002-admin-unit-versioning.md."""
from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION layers_unit_code_at(p geometry, unit_level text, day date)
RETURNS varchar LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT u.code FROM layers_adminunit u
   WHERE u.level = unit_level
     AND (u.valid_from IS NULL OR u.valid_from <= day)
     AND (u.valid_to IS NULL OR u.valid_to > day)
     AND ST_Intersects(u.geom, p)
   ORDER BY u.code LIMIT 1
$$;

CREATE OR REPLACE FUNCTION layers_current_commune_code(p geometry)
RETURNS varchar LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT u.code FROM layers_adminunit u
   WHERE u.level = 'COMMUNE' AND u.valid_to IS NULL AND ST_Intersects(u.geom, p)
   ORDER BY u.code LIMIT 1
$$;

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

CREATE TRIGGER layers_feature_before_write
  BEFORE INSERT OR UPDATE OF geom, layer_id ON layers_feature
  FOR EACH ROW EXECUTE FUNCTION layers_feature_before_write();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS layers_feature_before_write ON layers_feature;
DROP FUNCTION IF EXISTS layers_feature_before_write();
DROP FUNCTION IF EXISTS layers_current_commune_code(geometry);
DROP FUNCTION IF EXISTS layers_unit_code_at(geometry, text, date);
"""

# Frozen here on purpose: a migration must not change when settings do.
PRE_REFORM_REFERENCE_DATE = "2025-06-30"


class Migration(migrations.Migration):
    dependencies = [("layers", "0002_units_layers_features")]
    operations = [
        migrations.RunSQL(TRIGGER_SQL.replace("{pre}", PRE_REFORM_REFERENCE_DATE), DROP_SQL),
    ]
