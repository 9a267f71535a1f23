"""Bulk writers may stamp unit codes set-based (layers/stamping.py) and tell the row trigger so
with `SET LOCAL ioc.units_stamped = 'on'`: the trigger then still checks the geometry type but
keeps the codes the statement wrote. Per row, the three point-in-polygon lookups cost 87 µs
(8.7 s for 100,000 features); one spatial join per generation costs 0.2 s in all (bench/ingest.py)."""
import importlib

from django.db import migrations

_0003 = importlib.import_module("layers.migrations.0003_feature_write_trigger")

# The trigger function of 0003, as it was (the reverse of this migration).
_START = _0003.TRIGGER_SQL.index("CREATE OR REPLACE FUNCTION layers_feature_before_write()")
PREVIOUS_SQL = _0003.TRIGGER_SQL[_START:_0003.TRIGGER_SQL.index("END $$;", _START) + 7]

# The same function, returning before the lookups when the statement carries the codes.
TRIGGER_SQL = PREVIOUS_SQL.replace("""  anchor := ST_PointOnSurface(NEW.geom);""", """  IF current_setting('ioc.units_stamped', true) = 'on' THEN
    RETURN NEW;  -- the statement carries codes stamped set-based (layers/stamping.py)
  END IF;
  anchor := ST_PointOnSurface(NEW.geom);""")
assert TRIGGER_SQL != PREVIOUS_SQL


class Migration(migrations.Migration):
    dependencies = [("layers", "0005_feature_layer_spatial_index")]
    operations = [
        migrations.RunSQL(TRIGGER_SQL.replace("{pre}", _0003.PRE_REFORM_REFERENCE_DATE),
                          PREVIOUS_SQL.replace("{pre}", _0003.PRE_REFORM_REFERENCE_DATE)),
    ]
