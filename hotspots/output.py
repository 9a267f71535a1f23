"""The hotspot answers as plain data: the GeoJSON FeatureCollection of cells with its summary,
and the day-of-week × hour matrix. Only cell outlines and figures leave: no incident, no point,
no text, no reporter — a cell of one incident places it no closer than the cell."""
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from incidents.models import Category

from . import conf
from .gistar import CLASSES
from .grid import HEX
from .selectors import Hotspots, Patterns, Window, commune_names

CLASS_LABELS = {
    "hot_99": _("Điểm nóng, độ tin cậy 99%"),
    "hot_95": _("Điểm nóng, độ tin cậy 95%"),
    "hot_90": _("Điểm nóng, độ tin cậy 90%"),
    "cold_99": _("Điểm lạnh, độ tin cậy 99%"),
    "cold_95": _("Điểm lạnh, độ tin cậy 95%"),
    "cold_90": _("Điểm lạnh, độ tin cậy 90%"),
    "not_significant": _("Không có ý nghĩa thống kê"),
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = (_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"),
              _("Chủ Nhật"))
WEIGHTS = {HEX: _("nhị phân: ô và 6 ô kề cạnh"), "square": _("nhị phân: ô và 8 ô kề cạnh, kề góc")}


def _window(window: Window, filters: dict) -> dict:
    return {"since": window.since.isoformat(), "until": window.until.isoformat(),
            "timezone": settings.TIME_ZONE,
            "category": filters.get("category"), "sector": filters.get("sector")}


def _significant(value: float, digits: int) -> float:
    return float(f"{value:.{digits}g}")


def hotspots_collection(result: Hotspots, filters: dict) -> dict:
    """The cells to draw (with incidents, or significant) as a FeatureCollection, and the
    summary: counts by class, the legend, and the hottest cells with their commune."""
    shown = result.shown()
    rings = result.grid.rings(result.i[shown], result.j[shown]).round(6).tolist()
    names = commune_names(codes=[result.commune_code[k] for k in shown])
    features = [{
        "type": "Feature", "id": _cell_id(result, k),
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": _cell(result, k, names)} for k, ring in zip(shown.tolist(), rings)]
    return {"type": "FeatureCollection", "features": features,
            "summary": _summary(result, filters, shown)}


def _cell_id(result: Hotspots, k: int) -> str:
    return f"{result.grid.label}-{result.i[k]}-{result.j[k]}"


def _cell(result: Hotspots, k: int, names: dict[str, str]) -> dict:
    code = result.commune_code[k]
    return {"count": int(result.count[k]), "z": round(float(result.z[k]), 3),
            "p": _significant(float(result.p[k]), 4), "class": result.classes[k],
            "dominant_category": result.dominant_category[k],
            "commune_code": code, "commune": names.get(code)}


def _summary(result: Hotspots, filters: dict, shown) -> dict:
    top = result.hottest(conf.get("IOC_HOTSPOTS_TOP"))
    names = commune_names(codes=[result.commune_code[k] for k in top])
    lon, lat = result.grid.centres(result.i[top], result.j[top])
    dominant = {result.dominant_category[k] for k in shown} - {None}
    return {
        **_window(result.window, filters),
        "grid": {"shape": result.grid.shape, "cell_m": result.grid.cell_m,
                 "weights": str(WEIGHTS[result.grid.shape])},
        "scope": "province" if result.province_wide else "ground",
        "cells": len(result.count),
        "incidents": int(result.count.sum()),
        "cells_with_incidents": int((result.count > 0).sum()),
        "cells_shown": len(shown),
        "mean": round(result.mean, 4), "std": round(result.std, 4),
        "classes": {c: int((result.classes == c).sum()) for c in CLASSES},
        "legend": [{"class": c, "label": str(CLASS_LABELS[c])} for c in CLASSES],
        "categories": {code: {"name": name_vi, "name_en": name_en}
                       for code, name_vi, name_en in Category.objects.filter(
                           code__in=sorted(dominant)).values_list("code", "name_vi", "name_en")},
        "top": [{**_cell(result, k, names), "id": _cell_id(result, k),
                 "centre": [round(float(x), 5), round(float(y), 5)]}
                for k, x, y in zip(top.tolist(), lon, lat)],
    }


def patterns_data(patterns: Patterns, filters: dict) -> dict:
    """The 7 × 24 matrix (Monday first, hours 0–23 Vietnam time) with its margins and peak."""
    matrix = patterns.matrix
    peak = max(((n, d, h) for d, row in enumerate(matrix) for h, n in enumerate(row)),
               default=(0, 0, 0))
    return {
        **_window(patterns.window, filters),
        "days": list(DAYS), "day_labels": [str(label) for label in DAY_LABELS],
        "hours": list(range(24)), "matrix": matrix, "total": patterns.total,
        "by_day": [sum(row) for row in matrix],
        "by_hour": [sum(row[h] for row in matrix) for h in range(24)],
        "peak": ({"day": DAYS[peak[1]], "hour": peak[2], "count": peak[0]} if peak[0] else None),
    }
