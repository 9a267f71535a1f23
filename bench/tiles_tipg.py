"""tipg on the same data, in its fair best case: one view per layer in schema `bench`, with the
public properties as typed columns and the stored web-mercator geometry (so tipg's
ST_Transform(geom, 3857) is a no-op and its tile filter uses our GiST index).

tipg runs from its own virtualenv (var/bench/tipg-venv, pinned below), never from .venv."""
import os
import subprocess
import sys
from pathlib import Path

from tiles_list import UNITS_VIEW_DAY, TileRequest
from tiles_procs import VAR, Servers, free_port, wait_http

TIPG_VERSION = "1.6.1"
VENV = VAR / "tipg-venv"
SCHEMA = "bench"
SQL_TYPES = {"integer": "bigint", "number": "double precision", "boolean": "boolean"}


def view_name(slug: str) -> str:
    return slug.replace("-", "_")


def ensure_tipg() -> Path:
    """The pinned tipg in its own venv (created on first use); the venv's bin directory."""
    bindir = VENV / "bin"
    probe = [str(bindir / "python"), "-c", "import tipg, sys; sys.exit(tipg.__version__ != "
             f"{TIPG_VERSION!r})"]
    if bindir.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return bindir
    print(f"installing tipg=={TIPG_VERSION} into {VENV} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(bindir / "pip"), "install", "-q", f"tipg=={TIPG_VERSION}",
                    "uvicorn[standard]"], check=True)
    return bindir


def _column(name: str, spec: dict) -> str:
    kinds = spec.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    quoted = '"' + name.replace('"', '""') + '"'
    literal = "'" + name.replace("'", "''") + "'"
    if "array" in kinds:
        return (f"array_to_string(ARRAY(SELECT jsonb_array_elements_text(f.properties -> "
                f"{literal})), ',') AS {quoted}")
    sql_type = next((SQL_TYPES[k] for k in kinds if k in SQL_TYPES), "text")
    return f"(f.properties ->> {literal})::{sql_type} AS {quoted}"


def feature_view_sql(layer) -> str:
    """A view of one layer's features: id, external id, time, public properties, geometry."""
    specs = layer.property_schema.get("properties", {})
    columns = ["f.id", "f.external_id"]
    if layer.is_temporal:
        columns.append("f.observed_at")
    columns += [_column(name, specs[name]) for name in layer.public_property_names()]
    columns.append("f.geom_3857 AS geom")
    return (f"CREATE VIEW {SCHEMA}.{view_name(layer.slug)} AS SELECT {', '.join(columns)} "
            f"FROM public.layers_feature f WHERE f.layer_id = {int(layer.pk)}")


UNITS_VIEW_SQL = f"""CREATE VIEW {SCHEMA}.admin_boundaries AS
SELECT u.id, u.code, u.name, u.division_type, lower(u.level) AS level, u.is_approximate,
       u.population, u.area_km2, u.geom_3857 AS geom
  FROM public.layers_adminunit u
 WHERE (u.valid_from IS NULL OR u.valid_from <= DATE '{UNITS_VIEW_DAY}')
   AND (u.valid_to IS NULL OR u.valid_to > DATE '{UNITS_VIEW_DAY}')"""

BASEMAP_VIEW_SQL = f"""CREATE VIEW {SCHEMA}.basemap AS
SELECT b.id, b.kind, b.name, b.ref, b.is_approximate, b.geom FROM public.tiles_basemapfeature b"""


def views_sql(slugs: set[str]) -> list[str]:
    """DDL that (re)creates schema `bench` with one view per benchmarked source."""
    from layers.models import Layer

    statements = [f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE", f"CREATE SCHEMA {SCHEMA}"]
    for layer in Layer.objects.filter(slug__in=slugs).order_by("slug"):
        if layer.slug == "admin-boundaries":
            statements.append(UNITS_VIEW_SQL)
        else:
            statements.append(feature_view_sql(layer))
    if "basemap" in slugs:
        statements.append(BASEMAP_VIEW_SQL)
    return statements


def ensure_views(conn, slugs: set[str]) -> list[str]:
    """Create the views (idempotent: the schema is dropped and rebuilt); their DDL."""
    statements = views_sql(slugs)
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    conn.commit()
    return statements[2:]


def tipg_path(tile: TileRequest) -> str:
    """tipg's XYZ tile URL (WebMercatorQuad) of the same tile; no query, no auth."""
    return (f"/collections/{SCHEMA}.{view_name(tile.slug)}/tiles/WebMercatorQuad/"
            f"{tile.z}/{tile.x}/{tile.y}")


def start_tipg(servers: Servers, *, database_url: str, workers: int = 2) -> str:
    """tipg under uvicorn (httptools, uvloop) on a free port; its base URL."""
    bindir = ensure_tipg()
    port = free_port()
    # jit=off as for our app (asyncpg passes unknown DSN parameters as server settings).
    sep = "&" if "?" in database_url else "?"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIPG_", "DJANGO_"))}
    env.update({
        "DATABASE_URL": f"{database_url}{sep}jit=off",
        "TIPG_DB_SCHEMAS": f'["{SCHEMA}"]',
        "TIPG_DB_EXCLUDE_FUNCTION_SCHEMAS": '["public", "bench", "pg_temp"]',
        "TIPG_DB_SPATIAL_EXTENT": "false",
        "TIPG_DB_DATETIME_EXTENT": "false",
    })
    log = VAR / "logs" / "tipg.log"
    argv = [str(bindir / "uvicorn"), "tipg.main:app", "--http", "httptools", "--loop", "uvloop",
            "--no-access-log", "--workers", str(workers), "--host", "127.0.0.1",
            "--port", str(port)]
    # cwd var/bench: tipg reads a .env of the working directory, and ours names another DB.
    proc = servers.start("tipg", argv, env=env, cwd=VAR, log=log)
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/collections", proc, log, timeout=120)
    return base
