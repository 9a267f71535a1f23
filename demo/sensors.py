"""The demo's sensor stream: a small layer of water-level stations on the Mã river, the stream
"Mực nước sông Mã (mô phỏng)" that maps their MQTT messages onto observations, and the synthetic
readings `manage.py demo_sensors` publishes. Station places are approximate (near the towns
named) and every reading is synthetic; neither is hydrological data. Idempotent: a second load
writes nothing."""
import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Model

from layers.models import Layer
from layers.services import features_upsert
from layers.validation import FeatureInput
from observations.mapping import LOCAL_TIME
from observations.models import Metric, SensorStream

from .layer_catalog import ATTR_SYNTHETIC, JSON_SCHEMA_DIALECT

LAYER_SLUG = "hydro-stations"
TOPIC_PREFIX = "thanhhoa/thuy-van"
STREAM_NAME = "Mực nước sông Mã (mô phỏng)"
OWNER = "Đài Khí tượng Thủy văn tỉnh Thanh Hóa"


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    lon: float
    lat: float
    base_level_m: float  # a plausible dry-season level of the synthetic series


STATIONS = (
    Station("HOI-XUAN", "Trạm Hồi Xuân (mô phỏng)", 105.105, 20.367, 53.2),
    Station("CAM-THUY", "Trạm Cẩm Thủy (mô phỏng)", 105.475, 20.205, 13.1),
    Station("LY-NHAN", "Trạm Lý Nhân (mô phỏng)", 105.645, 20.065, 5.6),
    Station("GIANG", "Trạm Giàng (mô phỏng)", 105.766, 19.862, 1.9),
)

METRICS = (
    {"code": "water_level_m", "name_vi": "Mực nước", "name_en": "Water level", "unit": "m",
     "min_value": -10.0, "max_value": 200.0},
    {"code": "rainfall_mm", "name_vi": "Lượng mưa", "name_en": "Rainfall", "unit": "mm",
     "min_value": 0.0, "max_value": 1000.0},
    {"code": "traffic_count_5min", "name_vi": "Lưu lượng xe", "name_en": "Traffic count",
     "unit": "xe/5 phút", "min_value": 0.0, "max_value": 10000.0},
)

LAYER = {
    "title_vi": "Trạm đo mực nước (mô phỏng)",
    "title_en": "Water-level stations (synthetic)",
    "description_vi": "Trạm đo mực nước trên sông Mã cho bản demo: vị trí gần đúng, số liệu mô "
                      "phỏng gửi qua MQTT.",
    "sector": "SOCIO_ECONOMIC", "geometry_kind": "POINT", "source": "FEATURES",
    "property_schema": {
        "$schema": JSON_SCHEMA_DIALECT, "type": "object", "additionalProperties": False,
        "required": ["name", "river", "is_synthetic"],
        "properties": {
            "name": {"title": "Tên trạm", "type": "string", "maxLength": 160, "x-public": True},
            "river": {"title": "Sông", "type": "string", "maxLength": 80, "x-public": True},
            "is_synthetic": {"title": "Dữ liệu mô phỏng", "type": "boolean", "x-public": True},
        },
    },
    "default_style": {"color": "#0277bd", "radius": 5},
    "min_zoom": 6, "max_zoom": 22, "owner_department": OWNER,
    "update_interval": timedelta(minutes=5), "is_public": True, "is_temporal": False,
    "attribution": ATTR_SYNTHETIC,
}


def _ensure(model: type[Model], lookup: dict, fields: dict) -> Model:
    """Create, or update only what differs (no write, no audit row, when nothing does)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **fields)
    changed = [name for name, value in fields.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, fields[name])
        row.save(update_fields=changed)
    return row


def demo_sensors_load() -> SensorStream:
    """The station layer, its stations, the metric catalogue and the demo stream."""
    with transaction.atomic():
        layer = _ensure(Layer, {"slug": LAYER_SLUG}, LAYER)
        features_upsert(layer=layer, items=[
            FeatureInput(s.code, {"type": "Point", "coordinates": [s.lon, s.lat]},
                         {"name": s.name, "river": "Sông Mã", "is_synthetic": True})
            for s in STATIONS])
        metrics = [_ensure(Metric, {"code": m["code"]},
                           {k: v for k, v in m.items() if k != "code"}) for m in METRICS]
        stream = _ensure(SensorStream, {"name": STREAM_NAME}, {
            "owner_department": OWNER, "topic_filter": f"{TOPIC_PREFIX}/+/muc-nuoc", "qos": 1,
            "mapping": {"station": "station", "time": "ts",
                        "metrics": {"water_level_m": "level"}},
            "station_layer": layer, "expected_interval": timedelta(minutes=5),
            "is_active": True})
        stream.metrics.set([m for m in metrics if m.code == "water_level_m"])
    return stream


def reading(station: Station, at: datetime, rng: random.Random) -> float:
    """A plausible synthetic level: the station's base, a slow daily swing and a little noise."""
    hours = at.timestamp() / 3600
    swing = 0.25 * math.sin(2 * math.pi * hours / 24 + len(station.code))
    return round(station.base_level_m + swing + rng.gauss(0, 0.02), 2)


def messages_at(at: datetime, rng: random.Random,
                prefix: str = TOPIC_PREFIX) -> list[tuple[str, bytes]]:
    """(topic, payload) of every station at `at` — what one beat of the publisher sends."""
    local = at.astimezone(LOCAL_TIME).replace(microsecond=0)
    return [(f"{prefix}/{s.code.lower()}/muc-nuoc", json.dumps({
        "station": s.code, "ts": local.isoformat(), "level": reading(s, at, rng),
        "synthetic": True}).encode()) for s in STATIONS]
