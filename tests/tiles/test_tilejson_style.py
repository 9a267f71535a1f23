"""TileJSON 3.0.0 documents and the MapLibre style: valid, absolute, same-origin, versioned."""
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from django.contrib.auth.models import Group

from layers.models import Feature, Layer
from layers.services import features_upsert
from layers.validation import FeatureInput

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests/standards/tilejson-3.0.0/schema.json").read_text())
VALIDATE = ROOT / "node_modules/.bin/gl-style-validate"
ORIGIN = "http://testserver"


@pytest.mark.parametrize("slug", ["traffic-accidents", "schools", "traffic-congestion",
                                  "admin-boundaries", "basemap", "tourist-sites"])
def test_tilejson_is_valid_with_absolute_urls(client, slug):
    response = client.get(f"/tiles/{slug}.json")
    assert response.status_code == 200
    document = response.json()
    jsonschema.validate(document, SCHEMA)
    assert document["tilejson"] == "3.0.0"
    assert document["tiles"] == [f"{ORIGIN}/tiles/{slug}/{{z}}/{{x}}/{{y}}.pbf"]
    west, south, east, north = document["bounds"]
    assert 104 < west < 104.5 and 19.1 < south < 19.4 and 105.9 < east < 106.3 and north < 20.8
    lon, lat, zoom = document["center"]
    assert west < lon < east and south < lat < north
    assert document["minzoom"] <= zoom <= document["maxzoom"]
    assert all(layer["fields"] for layer in document["vector_layers"])


def test_vector_layers_list_only_public_fields(client):
    document = client.get("/tiles/traffic-accidents.json").json()
    layer = Layer.objects.get(slug="traffic-accidents")
    (vector_layer,) = document["vector_layers"]
    assert vector_layer["id"] == "traffic-accidents"
    assert set(vector_layer["fields"]) == {"id", "observed_at", "count",
                                           *layer.public_property_names()}


def test_private_fields_stay_out_of_the_tilejson(client, django_user_model):
    user = django_user_model.objects.create_user("leader", password="x")
    user.groups.add(Group.objects.get(name="province_leader"))
    client.force_login(user)
    fields = client.get("/tiles/security-incidents.json").json()["vector_layers"][0]["fields"]
    assert "reporter_phone" not in fields and "status_note" not in fields


def test_the_version_changes_when_the_data_does(client, django_capture_on_commit_callbacks):
    before = client.get("/tiles/schools.json").json()["version"]
    assert client.get("/tiles/schools.json").json()["version"] == before
    layer = Layer.objects.get(slug="schools")
    feature = Feature.objects.filter(layer=layer).first()
    with django_capture_on_commit_callbacks(execute=True):
        features_upsert(layer=layer, items=[FeatureInput(
            feature.external_id, json.loads(feature.geom.geojson),
            {**feature.properties, "name": feature.properties["name"] + " (mới)"}, None)])
    after = client.get("/tiles/schools.json").json()["version"]
    assert after != before and after.split(".")[:2] == before.split(".")[:2]


def test_filters_travel_into_tile_urls_and_bad_ones_are_refused(client):
    document = client.get("/tiles/traffic-accidents.json?since=2025-01-01").json()
    assert document["tiles"][0].endswith(".pbf?since=2025-01-01")
    assert client.get("/tiles/traffic-accidents.json?since=never").status_code == 400
    assert client.get("/tiles/nothing-here.json").status_code == 404


def _style(client, query: str = "") -> dict:
    response = client.get("/tiles/style.json" + query)
    assert response.status_code == 200
    return response.json()


def _validate(style: dict, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "style.json"
    path.write_text(json.dumps(style), encoding="utf-8")
    return subprocess.run([str(VALIDATE), str(path)], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("query", ["", "?theme=dark"])
def test_style_is_valid_for_gl_style_validate(client, tmp_path, query):
    result = _validate(_style(client, query), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_does_catch_a_broken_style(client, tmp_path):
    style = _style(client)
    style["layers"][1]["type"] = "no-such-type"
    assert _validate(style, tmp_path).returncode != 0


def test_style_draws_basemap_units_and_every_visible_layer_from_our_origin(client):
    style = _style(client)
    text = json.dumps(style)
    urls = [v["url"] for v in style["sources"].values()] + [style["glyphs"]]
    assert all(u.startswith(ORIGIN + "/") for u in urls)
    assert "mapbox://" not in text and "https://" not in text
    ids = {layer["id"] for layer in style["layers"]}
    assert {"background", "roads", "rivers", "coastline", "border"} <= ids
    assert {"admin-boundaries-commune-line", "admin-boundaries-labels"} <= ids
    public = set(Layer.objects.filter(is_public=True, source="FEATURES")
                 .values_list("slug", flat=True))
    drawn = {layer.get("metadata", {}).get("ioc:layer") for layer in style["layers"]}
    assert public <= drawn and "security-incidents" not in drawn
    legends = [layer["metadata"]["ioc:legend"] for layer in style["layers"]
               if "ioc:legend" in layer.get("metadata", {})]
    assert all(entry["color"].startswith("#") for legend in legends for entry in legend)


def test_glyphs_named_by_the_style_are_installed_with_our_static_files(client):
    from django.conf import settings
    from django.contrib.staticfiles import finders

    style = _style(client)
    prefix = ORIGIN + settings.STATIC_URL
    assert style["glyphs"].startswith(prefix)
    fonts = set()
    for layer in style["layers"]:
        fonts |= _fonts(layer.get("layout", {}).get("text-font"))
    assert fonts == {"Noto Sans Regular", "Noto Sans Bold"}
    for font in fonts:
        relative = style["glyphs"][len(prefix):].format(fontstack=font, range="7680-7935")
        assert finders.find(relative), relative


def _fonts(expression) -> set[str]:
    """Font names anywhere in a text-font value or expression."""
    if isinstance(expression, str):
        return {expression} if expression.startswith("Noto") else set()
    if isinstance(expression, list):
        return set().union(*(_fonts(item) for item in expression)) if expression else set()
    return set()


def test_style_shows_private_layers_to_those_who_may_see_them(client, django_user_model):
    user = django_user_model.objects.create_user("leader", password="x")
    user.groups.add(Group.objects.get(name="province_leader"))
    client.force_login(user)
    drawn = {layer.get("metadata", {}).get("ioc:layer") for layer in _style(client)["layers"]}
    assert "security-incidents" in drawn
