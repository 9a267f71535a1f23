"""The planner's page (/planner/): who may open it, what its config carries (the layers the user
may see, whether they may export), no inline script, Vietnamese with an English switch."""
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.access.conftest import ROLE_SECTORS, make_user

pytestmark = pytest.mark.django_db
URL = "/planner/"


def signed_in(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def config_of(response) -> dict:
    block = re.search(r'<script id="screen-config" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(block.group(1))


def test_anonymous_callers_go_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_users_without_the_map_right_get_a_403_page(world):
    response = signed_in(make_user("citizen")).get(URL)
    assert response.status_code == 403
    assert "không có quyền xem bản đồ" in response.content.decode()


def test_a_planner_gets_every_layer_they_may_see_and_the_export_right(world):
    response = signed_in(make_user("planner")).get(URL)
    assert response.status_code == 200
    config = config_of(response)
    slugs = [layer["slug"] for layer in config["layers"]]
    assert {"admin-boundaries", "schools", "incidents", world.private.slug} <= set(slugs)
    assert config["may_export"] is True
    assert config["within_url"] == "/api/planner/within/"
    assert config["export_url"] == "/api/layers/SLUG/export/"
    assert config["strings"]["draw"] == "Vẽ vùng"
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert "planner/planner.js" in html and 'aria-current="page"' in html


def test_others_see_fewer_layers_and_no_export(world):
    config = config_of(signed_in(make_user(
        "other_sector_operator", sectors=ROLE_SECTORS["other_sector_operator"])).get(URL))
    slugs = {layer["slug"] for layer in config["layers"]}
    assert world.public.slug in slugs and world.private.slug not in slugs
    assert config["may_export"] is False


def test_english_switch(world):
    response = signed_in(make_user("planner"), language="en").get(URL)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Planning: overlay layers, count inside an area, export data" in html
    config = config_of(response)
    assert config["language"] == "en" and config["strings"]["draw"] == "Draw area"
    schools = next(layer for layer in config["layers"] if layer["slug"] == "schools")
    assert schools["title"] == get_schools_title_en()


def get_schools_title_en() -> str:
    from layers.models import Layer

    return Layer.objects.get(slug="schools").title_en


def test_a_layer_title_with_markup_stays_text_in_the_config(world):
    world.public.title_vi = "</script><img src=x onerror=alert(1)>"
    world.public.save()
    html = signed_in(get_user_model().objects.create_user("qh", password="x")).get(URL)
    assert html.status_code == 403  # no role: no map
    response = signed_in(make_user("planner")).get(URL)
    assert "<img src=x" not in response.content.decode()
    titles = [layer["title"] for layer in config_of(response)["layers"]]
    assert "</script><img src=x onerror=alert(1)>" in titles
