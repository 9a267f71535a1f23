"""Settings come from the environment: REDIS_URL switches the cache to a real Redis."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def redis_listening() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


def manage(code: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ioc_gis.settings.dev", **extra_env}
    return subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not redis_listening(), reason="no Redis on 127.0.0.1:6379")
def test_redis_url_gives_a_working_redis_cache():
    code = ("from django.core.cache import cache; from django.conf import settings; "
            "cache.set('ioc-test', 'ok', 5); "
            "print(settings.CACHES['default']['BACKEND'], cache.get('ioc-test'))")
    result = manage(code, REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "ok"]


def test_environment_wins_over_the_env_file():
    result = manage("from django.conf import settings; print(settings.ALLOWED_HOSTS, "
                    "settings.TIME_ZONE, settings.LANGUAGE_CODE)",
                    ALLOWED_HOSTS="ioc.example.vn,wall.local")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['ioc.example.vn', 'wall.local'] Asia/Ho_Chi_Minh vi"
