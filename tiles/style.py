"""The MapLibre style: our own basemap (roads, rivers, coastline, border), administrative
boundaries with labels, and every sector layer the caller may see, coloured as its legend.

Everything it references is served by us (tiles, TileJSON, glyphs). Each sector layer carries
`metadata["ioc:legend"]` (label/colour pairs) for the map screens' legends."""
from django.conf import settings

from layers.models import GeometryKind

from .sources import BASEMAP, TileSource, sources_visible
from .tilejson import origin, province_bounds

FONT_REGULAR = ["Noto Sans Regular"]
FONT_BOLD = ["Noto Sans Bold"]
# Distinguishable on light and dark backgrounds (categorical palette, colour-blind aware).
PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
           "#9a6324", "#469990", "#808000", "#000075", "#a9a9a9"]

THEMES = {
    "light": {"background": "#f4f1ea", "water": "#7fb3d5", "road": "#e08e45", "text": "#333333",
              "halo": "#ffffff", "province": "#5d4037", "district": "#8d6e63",
              "commune": "#bcaaa4"},
    "dark": {"background": "#0f1720", "water": "#1f5f8b", "road": "#b5651d", "text": "#e8eef4",
             "halo": "#0f1720", "province": "#f2c14e", "district": "#9fb3c8",
             "commune": "#4a5a6a"},
}


def _legend(source: TileSource) -> tuple[object, list[dict]]:
    """(MapLibre colour expression, legend entries) of a sector layer."""
    layer = source.layer
    base = (layer.default_style or {}).get("color", "#1565c0")
    name = layer.category_property
    spec = layer.property_schema.get("properties", {}).get(name, {}) if name else {}
    labels = spec.get("x-enum-labels") or {}
    if not name or not spec.get("enum"):
        return base, [{"label": layer.title_vi, "color": base}]
    expression: list = ["match", ["get", name]]
    legend = []
    for i, code in enumerate(spec["enum"]):
        colour = PALETTE[i % len(PALETTE)]
        expression += [code, colour]
        legend.append({"code": code, "label": labels.get(code, code), "color": colour})
    expression.append(base)
    return expression, legend


def _sector_layers(source: TileSource, theme: dict) -> list[dict]:
    colour, legend = _legend(source)
    layer = source.layer
    meta = {"ioc:layer": source.slug, "ioc:title": source.title_vi, "ioc:legend": legend,
            "ioc:sector": layer.sector}
    common = {"source": source.slug, "source-layer": source.slug, "metadata": meta,
              "minzoom": source.min_zoom}
    radius = (layer.default_style or {}).get("radius", 5)
    if layer.geometry_kind == GeometryKind.POLYGON:
        return [{**common, "id": f"{source.slug}-fill", "type": "fill",
                 "paint": {"fill-color": colour, "fill-opacity": 0.35}},
                {**common, "id": f"{source.slug}-line", "type": "line",
                 "paint": {"line-color": colour, "line-width": 1.2}}]
    if layer.geometry_kind == GeometryKind.LINE:
        width = (layer.default_style or {}).get("width", 3)
        return [{**common, "id": f"{source.slug}-line", "type": "line",
                 "layout": {"line-cap": "round", "line-join": "round"},
                 "paint": {"line-color": colour, "line-width": width}}]
    layers = [{**common, "id": f"{source.slug}-points", "type": "circle",
               "filter": ["!", ["has", "count"]],
               "paint": {"circle-color": colour, "circle-radius": radius,
                         "circle-stroke-color": theme["halo"], "circle-stroke-width": 1}}]
    if source.is_aggregated:
        layers += [
            {**common, "id": f"{source.slug}-cells", "type": "circle",
             "filter": ["has", "count"],
             "paint": {"circle-color": colour, "circle-opacity": 0.8,
                       "circle-stroke-color": theme["halo"], "circle-stroke-width": 1,
                       "circle-radius": ["interpolate", ["linear"], ["sqrt", ["get", "count"]],
                                         1, radius, 10, radius * 2.5, 40, radius * 5]}},
            {**common, "id": f"{source.slug}-cell-counts", "type": "symbol",
             "filter": [">", ["get", "count"], 1],
             "layout": {"text-field": ["to-string", ["get", "count"]], "text-font": FONT_BOLD,
                        "text-size": 11, "text-allow-overlap": True},
             "paint": {"text-color": "#ffffff", "text-halo-color": "#000000",
                       "text-halo-width": 0.6}},
        ]
    return layers


def _basemap_layers(theme: dict) -> list[dict]:
    return [
        {"id": "background", "type": "background",
         "paint": {"background-color": theme["background"]}},
        {"id": "coastline", "type": "line", "source": BASEMAP, "source-layer": "coastline",
         "paint": {"line-color": theme["water"], "line-width": 1.5}},
        {"id": "rivers", "type": "line", "source": BASEMAP, "source-layer": "river",
         "paint": {"line-color": theme["water"], "line-width": ["interpolate", ["linear"],
                                                                ["zoom"], 7, 0.8, 12, 2.5]}},
        {"id": "border", "type": "line", "source": BASEMAP, "source-layer": "border",
         "paint": {"line-color": theme["province"], "line-width": 1.5,
                   "line-dasharray": [4, 2]}},
        {"id": "roads", "type": "line", "source": BASEMAP, "source-layer": "road",
         "layout": {"line-cap": "round", "line-join": "round"},
         "paint": {"line-color": theme["road"], "line-width": ["interpolate", ["linear"],
                                                               ["zoom"], 6, 0.8, 12, 3]}},
        {"id": "road-labels", "type": "symbol", "source": BASEMAP, "source-layer": "road",
         "minzoom": 9,
         "layout": {"symbol-placement": "line", "text-field": ["get", "ref"],
                    "text-font": FONT_REGULAR, "text-size": 11},
         "paint": {"text-color": theme["text"], "text-halo-color": theme["halo"],
                   "text-halo-width": 1.2}},
    ]


def _unit_layers(source: TileSource, theme: dict) -> list[dict]:
    slug = source.slug
    return [
        {"id": f"{slug}-commune-fill", "type": "fill", "source": slug,
         "source-layer": "commune", "paint": {"fill-color": theme["commune"],
                                              "fill-opacity": 0.04}},
        {"id": f"{slug}-commune-line", "type": "line", "source": slug,
         "source-layer": "commune", "paint": {"line-color": theme["commune"],
                                              "line-width": 0.6}},
        {"id": f"{slug}-district-line", "type": "line", "source": slug,
         "source-layer": "district", "paint": {"line-color": theme["district"],
                                               "line-width": 1.2}},
        {"id": f"{slug}-province-line", "type": "line", "source": slug,
         "source-layer": "province", "paint": {"line-color": theme["province"],
                                               "line-width": 2.5}},
        {"id": f"{slug}-labels", "type": "symbol", "source": slug, "source-layer": "labels",
         "layout": {"text-field": ["get", "name"],
                    "text-font": ["match", ["get", "level"], "commune", ["literal", FONT_REGULAR],
                                  ["literal", FONT_BOLD]],
                    "text-size": ["match", ["get", "level"], "province", 16, "district", 13, 11],
                    "text-max-width": 8},
         "paint": {"text-color": theme["text"], "text-halo-color": theme["halo"],
                   "text-halo-width": 1.4}},
    ]


def style_build(*, principal, request) -> dict:
    """The style for the caller (only layers they may see); `?theme=dark` for the wall."""
    theme_name = request.query_params.get("theme", "light")
    theme = THEMES.get(theme_name, THEMES["light"])
    base = origin(request)
    sources, overlays, units = {}, [], []
    for source in sources_visible(principal=principal):
        sources[source.slug] = {"type": "vector", "url": f"{base}/tiles/{source.slug}.json"}
        if source.kind == "units":
            units += _unit_layers(source, theme)
        elif source.kind == "features":
            overlays += _sector_layers(source, theme)
    west, south, east, north = province_bounds()
    return {
        "version": 8,
        "name": "ioc-gis Thanh Hóa",
        "metadata": {"ioc:theme": theme_name if theme_name in THEMES else "light"},
        "center": [round((west + east) / 2, 4), round((south + north) / 2, 4)],
        "zoom": 8,
        "glyphs": base + settings.STATIC_URL + "map/glyphs/{fontstack}/{range}.pbf",
        "sources": sources,
        "layers": _basemap_layers(theme) + units + overlays,
    }
