"""The access world of tests/access (a private SECURITY layer and a public layer, each with one
feature inside the test jurisdiction and one outside; users of every role) plus a temporal
public layer with features at known places and times, for the OGC API tests."""
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from layers.models import GeometryKind, Layer, Sector
from layers.services import features_upsert
from layers.validation import FeatureInput
from tests.access.conftest import client_as, world  # noqa: F401  (fixtures used here)
from tests.factories import make_layer

# 30 points on a 6 × 5 grid around Sầm Sơn, one observation a day from 1 March 2025 (UTC).
GRID_WEST, GRID_SOUTH, STEP = 105.85, 19.70, 0.01


@dataclass(frozen=True)
class Sample:
    id: str
    lon: float
    lat: float
    observed_at: datetime


SAMPLES = [Sample(f"s-{n:02d}", round(GRID_WEST + STEP * (n % 6), 4),
                  round(GRID_SOUTH + STEP * (n // 6), 4),
                  datetime(2025, 3, 1 + n, 6, 0, tzinfo=timezone.utc)) for n in range(30)]


@pytest.fixture
def temporal(db) -> Layer:
    """A public temporal point layer holding SAMPLES."""
    layer = make_layer(slug="test-events", sector=Sector.TRAFFIC, is_public=True,
                       is_temporal=True, geometry_kind=GeometryKind.POINT)
    features_upsert(layer=layer, items=[
        FeatureInput(s.id, {"type": "Point", "coordinates": [s.lon, s.lat]},
                     {"name": f"Sự kiện {s.id}", "owner_phone": "0912345678"}, s.observed_at)
        for s in SAMPLES])
    return layer


def ogctests_schemas() -> Path:
    """The OGC API – Features JSON schemas (OpenAPI 3.0 YAML) that ship with ogctests."""
    import ogctests

    return Path(ogctests.__file__).parent / "features" / "schemas"


@pytest.fixture(scope="session")
def ogc_schema():
    """validate(document, name): check a document against the OGC schema `name`."""
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    folder = ogctests_schemas()
    loaded = {f.stem: yaml.safe_load(f.read_text()) for f in folder.glob("*.yaml")}
    registry = Registry().with_resources(
        (f"urn:{name}", Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in loaded.items())

    def validate(document: dict, name: str) -> None:
        OAS30Validator(loaded[name], registry=registry).validate(document)

    return validate
