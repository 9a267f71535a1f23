"""A value's periodicity is its KPI's: a composite foreign key (kpi_id, periodicity) →
kpi_kpi(id, periodicity), so the alignment check of `period_start` is checked against the
KPI's own periodicity, and changing a KPI's periodicity cascades to its values (and fails when
their starts do not align with the new one). Django has no composite foreign keys: SQL."""
from django.db import migrations

FORWARD = """
ALTER TABLE kpi_kpivalue
  ADD CONSTRAINT kpivalue_periodicity_is_kpis
  FOREIGN KEY (kpi_id, periodicity) REFERENCES kpi_kpi (id, periodicity)
  ON UPDATE CASCADE;
"""
BACKWARD = "ALTER TABLE kpi_kpivalue DROP CONSTRAINT kpivalue_periodicity_is_kpis;"


class Migration(migrations.Migration):

    dependencies = [("kpi", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
