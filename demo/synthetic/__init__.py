"""Deterministic synthetic sector data for the Thanh Hóa demo (no Django).

Static layers mix cited facts from ``fixtures/thanh-hoa/pois.csv`` with synthetic
rows (one health station and several schools per commune, cameras and congestion
segments along the schematic roads). Event layers (traffic accidents, security
incidents) are sampled lazily in numpy chunks with daily, weekly and seasonal
rhythms. Every random draw comes from ``numpy.random.default_rng`` seeded with
``SEED`` plus a layer number and a chunk/commune key, so reruns give identical
records and the loader can stay idempotent through ``external_id``.
"""

from .common import CommuneInfo, FeatureRecord, short_name
from .events import EVENT_LAYERS, event_count, event_features
from .static import static_features

__all__ = ["EVENT_LAYERS", "CommuneInfo", "FeatureRecord", "event_count", "event_features", "short_name",
           "static_features"]
