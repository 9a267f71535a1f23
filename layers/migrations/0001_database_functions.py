"""Extensions and SQL functions the models rely on; created before any table."""
from django.contrib.postgres.operations import (BtreeGistExtension, TrigramExtension,
                                                UnaccentExtension)
from django.contrib.gis.db.backends.postgis.operations import PostGISOperations  # noqa: F401
from django.db import migrations

FOLD_SQL = """
CREATE OR REPLACE FUNCTION ioc_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, normalize($1, NFC))) $$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS postgis", migrations.RunSQL.noop),
        UnaccentExtension(),
        TrigramExtension(),
        BtreeGistExtension(),
        migrations.RunSQL(FOLD_SQL, "DROP FUNCTION IF EXISTS ioc_fold(text)"),
    ]
