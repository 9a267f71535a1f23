"""Bootstraps Django for the bench scripts (run from the repository root or bench/)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup() -> None:
    """Make the project importable and configure Django with the dev settings (.env)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc_gis.settings.dev")
    import django

    django.setup()


def _admin_connection():
    """(autocommit connection to the server's `postgres` database, the configured database)."""
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"],
                             host=db["HOST"] or None, port=db["PORT"] or None)
    admin.autocommit = True
    return admin, db


def fresh_database(suffix: str) -> tuple[str, str]:
    """Drop and create `<name>_<suffix>`, migrate it, load the demo, and point this process's
    connection at it; (name, DATABASE_URL). A bench's own database: its writes touch nothing
    else."""
    import subprocess

    admin, db = _admin_connection()
    name = f"{db['NAME']}_{suffix}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    url = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    env = dict(os.environ, DATABASE_URL=url)
    for argv in (["migrate", "--noinput", "-v0"], ["load_demo", "--no-progress"]):
        print(f"  manage.py {' '.join(argv)} on {name}", flush=True)
        subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name
    return name, url


def drop_database(name: str) -> None:
    """Remove a bench's own database."""
    from django.db import connections

    connections["default"].close()
    admin, _ = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()
