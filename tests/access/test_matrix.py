"""Role × endpoint × (inside / outside jurisdiction): the whole access model in one table."""
import pytest

from tests.access.conftest import ROLES
from tests.access.matrix import ENDPOINTS

pytestmark = pytest.mark.django_db

CASES = [(e, role, where) for e in ENDPOINTS for role in ROLES for where in ("in", "out")]


@pytest.mark.parametrize("endpoint, role, where", CASES, ids=[
    f"{e.method}-{e.url_name}-{i}-{role}-{where}" for i, e in enumerate(ENDPOINTS)
    for role in ROLES for where in ("in", "out")])
def test_access_matrix(world, client_as, endpoint, role, where):
    client = client_as(role)
    path = endpoint.path(world, where)
    kwargs = {"format": "json"}
    if endpoint.body:
        kwargs["data"] = endpoint.body(world, where)
        if any(hasattr(value, "read") for value in kwargs["data"].values()):
            kwargs["format"] = "multipart"  # a file upload
    response = getattr(client, endpoint.method)(path, **kwargs)
    expected = endpoint.expected(role, where == "in")
    assert response.status_code == expected, (path, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["error"]["status"] == expected
