"""Settings of the planner's view, read lazily from django.conf.settings with defaults."""
from django.conf import settings


def max_vertices() -> int:
    """Most vertices a drawn polygon may have, all rings together (IOC_PLANNER_MAX_VERTICES)."""
    return getattr(settings, "IOC_PLANNER_MAX_VERTICES", 1000)


def max_area_km2() -> float:
    """Largest polygon area asked about, km² (the province is about 11,100 km²)."""
    return getattr(settings, "IOC_PLANNER_MAX_AREA_KM2", 25_000.0)


def extent_margin_degrees() -> float:
    """How far past the province's bounding box a polygon may reach (coast, border), degrees."""
    return getattr(settings, "IOC_PLANNER_EXTENT_MARGIN", 0.1)


def first_features() -> int:
    """How many features of each layer the answer lists by name (IOC_PLANNER_FIRST_N)."""
    return getattr(settings, "IOC_PLANNER_FIRST_N", 20)


def max_layers() -> int:
    """Most layers one question or briefing may name."""
    return getattr(settings, "IOC_PLANNER_MAX_LAYERS", 30)


def briefing_max_features() -> int:
    """Most features of one layer a briefing map carries (a file meant to open anywhere)."""
    return getattr(settings, "IOC_PLANNER_BRIEFING_MAX_FEATURES", 5000)
