"""scripts/db.sh: the embedded-cluster path (the system-server path is what `make test` itself
uses on machines where PostgreSQL already runs on 127.0.0.1:5432)."""
import os
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_file_values(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.fixture
def embedded(tmp_path):
    """Environment for db.sh that forces a private cluster in a throw-away folder."""
    # Under the checkout, not /tmp/pytest-of-*: that is 0700 and the unprivileged
    # 'postgres' user that runs the cluster when we are root could not reach it.
    work = ROOT / "var" / f"test-embedded-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "IOC_DB_MODE")}
    env.update(IOC_DB_MODE="embedded", IOC_PGDATA=str(work / "pgdata"),
               IOC_PGPORT=str(free_port()), IOC_ENV_FILE=str(tmp_path / "env"))
    yield env
    subprocess.run([ROOT / "scripts" / "db.sh", "stop"], env=env, check=False,
                   capture_output=True)
    data = work / "pgdata"
    if data.is_symlink():  # a checkout private to root keeps the cluster elsewhere
        shutil.rmtree(data.resolve().parent, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ROOT / "scripts" / "db.sh", *args], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_embedded_cluster_is_initialised_started_and_stopped(embedded):
    first = run(embedded, "ensure")
    assert first.returncode == 0, first.stderr
    values = env_file_values(Path(embedded["IOC_ENV_FILE"]))
    assert values["IOC_DB_MODE"] == "embedded"
    url = values["DATABASE_URL"]
    assert url.startswith("postgres://ioc:") and f":{embedded['IOC_PGPORT']}/ioc_gis" in url
    assert values["SECRET_KEY"]

    query = "select string_agg(extname, ',' order by extname) from pg_extension"
    extensions = subprocess.run(["psql", url, "-Atc", query], capture_output=True, text=True)
    assert set(extensions.stdout.strip().split(",")) >= {"postgis", "unaccent", "pg_trgm",
                                                         "btree_gist"}
    # A password is required: the cluster is not open to every local user.
    anonymous = url.split("://", 1)[1].split("@", 1)[1]
    refused = subprocess.run(["psql", f"postgres://ioc@{anonymous}", "-Atc", "select 1"],
                             capture_output=True, text=True, env={**os.environ, "PGPASSWORD": ""})
    assert refused.returncode != 0

    again = run(embedded, "ensure")  # second run: same cluster, same credentials
    assert again.returncode == 0, again.stderr
    assert env_file_values(Path(embedded["IOC_ENV_FILE"]))["DATABASE_URL"] == url

    assert run(embedded, "stop").returncode == 0
    down = subprocess.run(["psql", url, "-Atc", "select 1"], capture_output=True, text=True)
    assert down.returncode != 0


def test_status_reports_the_database_in_use():
    result = subprocess.run([ROOT / "scripts" / "db.sh", "status"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "mode=" in result.stdout and "***" in result.stdout or "url=" in result.stdout
