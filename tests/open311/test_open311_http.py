"""An Open311 round trip over real HTTP: the app served by granian in its own process (as
`make demo` serves it) on the test database; a client POSTs a service request with urllib and
reads it back in JSON and XML with http.client.

The server sees committed data only, so the api_key is committed here and everything the
round trip created is deleted afterwards."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import pytest

from tests.open311.conftest import SAM_SON
from tests.open311.open311_checks import check_times, validate

ROOT = Path(__file__).resolve().parents[2]
# django_db: pytest-django sets the test database up only for sessions that ask for it.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with NO_PROXY.open(f"{base}/open311/v2/discovery.json", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"the HTTP server did not come up:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def api_key(django_db_setup, django_db_blocker):
    """A committed integration client and key, removed with whatever it created."""
    from tests.open311.conftest import make_key

    with django_db_blocker.unblock():
        key = make_key(name="Ứng dụng thử qua HTTP")
    yield key
    with django_db_blocker.unblock():
        _delete_what(key)


def _delete_what(key: str) -> None:
    from access.models import ApiToken
    from layers.models import Feature
    from open311.models import Submission

    token = ApiToken.objects.get(prefix=key.split(".")[0])
    for submission in Submission.objects.filter(api_token=token).select_related("incident"):
        Feature.objects.filter(layer__slug="incidents",
                               external_id=submission.incident.public_id).delete()
        submission.incident.delete()
    token.user.delete()


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """The HTTP server as deployed (granian, 1 process, 2 threads) on the test database; yields
    its base URL."""
    with django_db_blocker.unblock():
        url = _database_url()
    port = _free_port()
    log = tmp_path_factory.mktemp("open311-http") / "http.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ioc_gis.settings.test",
           "DATABASE_URL": url, "TILES_CACHE": "off", "LOG_LEVEL": "WARNING"}
    argv = [str(ROOT / ".venv" / "bin" / "granian"), "--interface", "wsgi",
            "ioc_gis.wsgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--workers", "1", "--blocking-threads", "2", "--no-ws"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, proc, log)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # its own process group: only what we started
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _get(base: str, path: str) -> tuple[int, dict, bytes]:
    host, port = base.removeprefix("http://").split(":")
    connection = HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "text/xml, application/json"})
        response = connection.getresponse()
        # Header names are case-insensitive (granian sends them in lower case).
        return response.status, {k.title(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_post_then_read_back_in_json_and_xml(server, api_key):
    form = urlencode({
        "api_key": api_key, "jurisdiction_id": "thanhhoa.gov.vn", "service_code": "ngap-ung",
        "lat": SAM_SON[1], "long": SAM_SON[0], "description": "Ngập sâu sau mưa lớn",
        "address_string": "Đường Hồ Xuân Hương, phường Sầm Sơn", "email": "dan@example.vn",
        "first_name": "Dân", "last_name": "Lê", "device_id": "may-01"}).encode()
    request = urllib.request.Request(f"{server}/open311/v2/requests.json", data=form,
                                     method="POST", headers={
                                         "Content-Type": "application/x-www-form-urlencoded"})
    with NO_PROXY.open(request, timeout=20) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        created = json.loads(response.read())
    validate("post-response.json", created)
    request_id = created[0]["service_request_id"]

    status, headers, body = _get(server, f"/open311/v2/requests/{request_id}.json"
                                         "?jurisdiction_id=thanhhoa.gov.vn")
    assert status == 200 and headers["Content-Length"] == str(len(body))
    (shown,) = json.loads(body)
    validate("requests.json", [shown])
    assert shown["service_request_id"] == request_id and shown["status"] == "open"
    assert shown["description"] == "Ngập sâu sau mưa lớn"
    assert (shown["long"], shown["lat"]) == SAM_SON
    assert b"dan@example.vn" not in body and "may-01".encode() not in body

    status, headers, body = _get(server, f"/open311/v2/requests/{request_id}.xml")
    assert status == 200 and headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(body)
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
    xml = {child.tag: child.text for child in root[0]}
    assert xml["service_request_id"] == request_id and xml["status"] == "open"
    assert xml["service_code"] == "ngap-ung" and xml["description"] == "Ngập sâu sau mưa lớn"
    check_times({k: xml[k] for k in ("requested_datetime", "expected_datetime")})

    status, _, body = _get(server, f"/open311/v2/tokens/{request_id}.json")
    assert status == 200 and json.loads(body)[0]["service_request_id"] == request_id


def test_errors_over_http_are_the_spec_format(server):
    request = urllib.request.Request(
        f"{server}/open311/v2/requests.xml", data=b"service_code=ngap-ung&lat=19.74&long=105.9",
        method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        NO_PROXY.open(request, timeout=20)
    assert caught.value.code == 403
    root = ElementTree.fromstring(caught.value.read())
    assert root.tag == "errors" and root.find("error/code").text == "403"
    status, _, body = _get(server, "/open311/v2/requests/PA-00000000.json")
    assert status == 404 and json.loads(body)[0]["code"] == 404
