"""Four demo scenes, in turn: the province, traffic in the city, health, and Sầm Sơn in the
beach season. Layer slugs are those of the demo catalogue (demo/layer_catalog.py) and the
incidents layer; the API drops any a caller may not see. Editable in the admin afterwards."""
from django.db import migrations

OPEN = ["new", "verified", "assigned", "in_progress"]
ALL_PANELS = ["kpi", "events", "legend"]
SCENES = [
    {"slug": "tong-quan", "name_vi": "Toàn tỉnh Thanh Hóa", "name_en": "Thanh Hóa province",
     "position": 10, "dwell_seconds": 60, "center_lon": 105.25, "center_lat": 19.98,
     "zoom": 8.7, "panels": ALL_PANELS,
     "layers": ["incidents", "traffic-accidents", "health-facilities", "tourist-sites",
                "security-incidents"],
     "incident_statuses": OPEN, "incident_categories": []},
    {"slug": "giao-thong", "name_vi": "Giao thông TP Thanh Hóa",
     "name_en": "Traffic in Thanh Hóa city", "position": 20, "dwell_seconds": 45,
     "center_lon": 105.776, "center_lat": 19.807, "zoom": 11.5, "panels": ALL_PANELS,
     "layers": ["incidents", "traffic-accidents", "traffic-congestion", "traffic-cameras"],
     "incident_statuses": [],
     "incident_categories": ["tai-nan-giao-thong", "un-tac-giao-thong", "den-tin-hieu-hong",
                             "hu-hong-mat-duong"]},
    {"slug": "y-te", "name_vi": "Y tế", "name_en": "Health", "position": 30,
     "dwell_seconds": 45, "center_lon": 105.55, "center_lat": 19.9, "zoom": 9.3,
     "panels": ALL_PANELS, "layers": ["incidents", "health-facilities"],
     "incident_statuses": [], "incident_categories": ["an-toan-thuc-pham", "dich-benh"]},
    {"slug": "sam-son-mua-bien", "name_vi": "Sầm Sơn mùa du lịch biển",
     "name_en": "Sầm Sơn beach season", "position": 40, "dwell_seconds": 60,
     "center_lon": 105.90, "center_lat": 19.74, "zoom": 13, "panels": ALL_PANELS,
     "layers": ["incidents", "tourist-sites", "health-facilities", "traffic-accidents",
                "security-incidents"],
     "incident_statuses": OPEN, "incident_categories": []},
]


def seed(apps, schema_editor):
    Scene = apps.get_model("wall", "Scene")
    for scene in SCENES:
        Scene.objects.update_or_create(slug=scene["slug"], defaults=scene)


def unseed(apps, schema_editor):
    apps.get_model("wall", "Scene").objects.filter(
        slug__in=[scene["slug"] for scene in SCENES]).delete()


class Migration(migrations.Migration):
    dependencies = [("wall", "0001_scenes")]

    operations = [migrations.RunPython(seed, unseed)]
