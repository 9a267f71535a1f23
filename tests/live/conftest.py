"""Socket tests: the in-memory channel layer, the test's own database connection, two communes
(A inside the access tests' jurisdiction, B outside it) and users bound to A."""
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point

from tests.access.conftest import INSIDE, OUTSIDE, TODAY
from tests.live.sockets import fresh_layer, keep_test_connection  # noqa: F401 (fixtures)


@dataclass
class Communes:
    a: str
    b: str
    a_unit: object
    b_unit: object


@pytest.fixture
def communes(db) -> Communes:
    from layers import selectors

    a = selectors.unit_containing(point=Point(*INSIDE, srid=4326), day=TODAY)
    b = selectors.unit_containing(point=Point(*OUTSIDE, srid=4326), day=TODAY)
    assert a.code != b.code
    return Communes(a.code, b.code, a, b)


@pytest.fixture
def user_of(communes):
    """user_of(role, units=("a",), sectors=None) → a user of that role bound to those communes."""
    from tests.access.conftest import make_user

    def build(role: str, *, units=("a",), sectors=None):
        bound = [getattr(communes, f"{u}_unit") for u in units]
        return make_user(role, units=bound, sectors=sectors)
    return build
