"""Production settings pass Django's deployment checklist and cannot be switched to DEBUG."""
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK_DEPLOY = ("check", "--deploy", "--fail-level", "WARNING")


def manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    """manage.py under ioc_gis.settings.prod, with a fresh strong SECRET_KEY."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ioc_gis.settings.prod",
           "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "ioc.example.vn",
           **extra_env}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/conftest.py for Playwright only
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_check_deploy_is_clean():
    result = manage(*CHECK_DEPLOY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_has_no_issue_besides_api_schema_warnings():
    """The part of the checklist these settings answer for: everything but drf-spectacular's
    schema warnings, which belong to the views that cause them."""
    result = manage(*CHECK_DEPLOY)
    issues = re.findall(r"^\S*: \(([\w.]+)\)", result.stdout + result.stderr, re.MULTILINE)
    assert [i for i in issues if not i.startswith("drf_spectacular.")] == []
    assert result.returncode == 0 or issues, result.stdout + result.stderr


def test_debug_stays_off_and_transport_security_is_on():
    code = ("import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
            "for k in ['DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
            "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE', "
            "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', "
            "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'SECURE_CONTENT_TYPE_NOSNIFF', "
            "'SECURE_CROSS_ORIGIN_OPENER_POLICY', 'IOC_TRUSTED_PROXY_COUNT']} "
            "| {'NUM_PROXIES': s.REST_FRAMEWORK['NUM_PROXIES']}))")
    result = manage("shell", "--no-imports", "-c", code, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "DEBUG": False, "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True, "CSRF_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY", "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True, "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "IOC_TRUSTED_PROXY_COUNT": 1, "NUM_PROXIES": 1,  # one proxy: login lockout and throttles
    }


def test_ssl_redirect_can_be_turned_off_by_the_environment():
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT)"
    result = manage("shell", "--no-imports", "-c", code, SECURE_SSL_REDIRECT="false")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
