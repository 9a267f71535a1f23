"""The briefing's map of a KPI over a unit's children, in two forms:

- HTML: a folium (Leaflet) map, written as planner/briefing.py writes its own — no tile layer,
  no CDN (folium's default links are dropped, Leaflet's script and style are planner's inlined
  copy), the units drawn as GeoJSON, labels set as text by our tooltip code, never as HTML. The
  map is a whole HTML document of its own: the briefing carries it in an <iframe srcdoc>, so it
  opens offline and its styles stay apart from the briefing's.
- PDF: a static SVG of the same units and colours (ST_AsSVG in Web Mercator), since a PDF runs
  no script.

Outlines come from layers_adminunit, simplified (IOC_DASHBOARD_MAP_SIMPLIFY) so the file stays
small; the unit ids are the KPI app's reference units."""
import json
from dataclasses import dataclass
from html import escape

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Func, TextField

from layers.models import AdminUnit
from planner.briefing import LABEL, SimplifyPreserveTopology, _inline_leaflet

from . import conf


@dataclass(frozen=True)
class MapUnit:
    """A unit to draw: its reference id, label text and fill colour."""

    id: int
    label: str
    fill: str


class AsSVG(Func):
    """ST_AsSVG(geom, 0, 0): absolute path data, y negated (SVG's axis points down)."""

    function = "ST_AsSVG"
    template = "%(function)s(%(expressions)s, 0, 0)"
    output_field = TextField()


def _shapes(ids: list[int], svg: bool) -> dict[int, str]:
    simplified = SimplifyPreserveTopology("geom", conf.get("IOC_DASHBOARD_MAP_SIMPLIFY"))
    shape = (AsSVG(Transform(simplified, 3857)) if svg else AsGeoJSON(simplified, precision=5))
    return dict(AdminUnit.objects.filter(id__in=ids).annotate(shape=shape)
                .values_list("id", "shape"))


def folium_map(*, units: list[MapUnit], outline_id: int | None, title: str) -> str:
    """A self-contained HTML document: the units filled with their colours, the outline of
    `outline_id` (the parent unit) on top, fitted to them."""
    import folium

    shapes = _shapes([u.id for u in units] + ([outline_id] if outline_id else []), svg=False)
    fmap = folium.Map(tiles=None, control_scale=True, attribution_control=False,
                      location=[19.9, 105.5], zoom_start=9, zoom_snap=0.25)
    fmap.default_js, fmap.default_css = [], []  # no CDN: Leaflet is inlined below
    features = [{"type": "Feature", "geometry": json.loads(shapes[u.id]),
                 "properties": {"label": u.label, "fill": u.fill}}
                for u in units if shapes.get(u.id)]
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name=escape(title),
        on_each_feature=folium.JsCode(LABEL),
        style_function=lambda f: {"color": "#4a4a4a", "weight": 0.8, "fillOpacity": 0.85,
                                  "fillColor": f["properties"]["fill"]})
    layer.add_to(fmap)
    if outline_id and shapes.get(outline_id):
        folium.GeoJson({"type": "Feature", "geometry": json.loads(shapes[outline_id]),
                        "properties": {}}, name=escape(title) + " ·",
                       style_function=lambda f: {"color": "#0d2a47", "weight": 2.5,
                                                 "fill": False}).add_to(fmap)
    bounds = layer.get_bounds()
    if bounds and None not in bounds[0]:
        fmap.fit_bounds(bounds)
    root = fmap.get_root()
    root.header.add_child(folium.Element(_inline_leaflet()), name="leaflet", index=0)
    root.header.add_child(folium.Element(
        "<style>.leaflet-container { background: #eef3f7; }</style>"), name="ioc-style")
    return root.render()


def svg_map(*, units: list[MapUnit], outline_id: int | None, title: str,
            width: int = 640) -> str:
    """A static SVG map of the same units (for the PDF)."""
    shapes = _shapes([u.id for u in units] + ([outline_id] if outline_id else []), svg=True)
    paths = [(u, shapes[u.id]) for u in units if shapes.get(u.id)]
    outline = shapes.get(outline_id) if outline_id else None
    numbers = [float(n) for _, d in paths for n in d.replace("M", " ").replace("L", " ")
               .replace("Z", " ").split()]
    if outline:
        numbers += [float(n) for n in outline.replace("M", " ").replace("L", " ")
                    .replace("Z", " ").split()]
    if not numbers:
        return ""
    xs, ys = numbers[0::2], numbers[1::2]
    west, east, north, south = min(xs), max(xs), min(ys), max(ys)
    span_x, span_y = (east - west) or 1.0, (south - north) or 1.0
    height = round(width * span_y / span_x)
    body = "".join(f'<path d="{escape(d)}" fill="{u.fill}" stroke="#4a4a4a" '
                   f'stroke-width="{span_x / 1500:.1f}"><title>{escape(u.label)}</title></path>'
                   for u, d in paths)
    if outline:
        body += (f'<path d="{escape(outline)}" fill="none" stroke="#0d2a47" '
                 f'stroke-width="{span_x / 400:.1f}"/>')
    return (f'<svg class="map" width="{width}" height="{height}" '
            f'viewBox="{west:.0f} {north:.0f} {span_x:.0f} {span_y:.0f}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>')
