"""docker-compose.yml cannot run here (no Docker engine): check what it declares."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_are_postgis_redis_the_app_and_its_socket_server():
    services = compose()["services"]
    assert set(services) == {"db", "redis", "app", "ws"}
    assert services["db"]["image"].startswith("postgis/postgis:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["app"]["build"] == "."
    assert (ROOT / "Dockerfile").exists()


def test_ports_are_bound_to_loopback():
    services = compose()["services"]
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]
    assert services["db"]["ports"] == ["127.0.0.1:5432:5432"]
    assert services["redis"]["ports"] == ["127.0.0.1:6379:6379"]
    assert services["ws"]["ports"] == ["127.0.0.1:8001:8001"]


def test_the_socket_server_runs_the_asgi_app_on_the_shared_redis():
    services = compose()["services"]
    ws, app = services["ws"], services["app"]
    assert ws["build"] == "." and ws["command"].startswith("uvicorn ioc_gis.asgi:application")
    assert "--port 8001" in ws["command"] and "granian --interface wsgi" in app["command"]
    assert ws["environment"]["REDIS_URL"] == app["environment"]["REDIS_URL"]  # events cross
    assert ws["environment"]["SECRET_KEY"].startswith("${")
    assert ws["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
    assert app["environment"]["IOC_LIVE_WS_PORT"] == "8001"


def test_app_is_configured_from_the_environment_without_baked_secrets():
    app = compose()["services"]["app"]
    env = app["environment"]
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"} <= set(env)
    assert env["DATABASE_URL"].startswith("postgres://ioc:${POSTGRES_PASSWORD}@db:5432/")
    assert env["SECRET_KEY"].startswith("${")
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert "${POSTGRES_PASSWORD" in compose()["services"]["db"]["environment"]["POSTGRES_PASSWORD"]
