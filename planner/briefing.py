"""The briefing map: one self-contained HTML file (folium + Leaflet) with the province's and
communes' boundaries and the chosen layers' features, a title, legend, time of making and data
credits. It opens with no network at all: folium's CDN links are dropped, Leaflet's script and
style (from django-leaflet's static files) are inlined, their images become data: URIs, and there
is no tile layer (the boundaries are drawn as GeoJSON).

Data text never becomes markup: feature labels are set as text by our own tooltip code (folium's
tooltips would use innerHTML), and layer titles, which Leaflet's layer control inserts as HTML,
are escaped. folium embeds GeoJSON with `<`, `>` and `&` escaped, so no string closes a script."""
import base64
import json
import re
from dataclasses import dataclass
from html import escape

from django.contrib.gis.db.models.functions import AsGeoJSON, GeoFunc
from django.contrib.staticfiles import finders
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from layers.exports import ExportTable, export_check, export_table
from layers.models import AdminLevel, AdminUnit, Layer, LayerSource
from layers.selectors import valid_on

from . import conf
from .geometry import province_extent
from .selectors import layers_named

PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
           "#9a6324", "#469990", "#808000"]
SIMPLIFY_DEGREES = 0.0005  # about 50 m: boundaries stay recognisable, the file stays small
LABEL = """function (feature, layer) {
  var label = document.createElement("span");
  label.textContent = feature.properties.label;
  layer.bindTooltip(label, {sticky: true});
}"""


class SimplifyPreserveTopology(GeoFunc):
    """ST_SimplifyPreserveTopology(geom, tolerance)."""

    function = "ST_SimplifyPreserveTopology"
    geom_param_pos = (0,)

    @property
    def output_field(self):
        return self.source_expressions[0].output_field


@dataclass(frozen=True)
class Briefing:
    """A rendered briefing map and its download name."""

    html: str
    filename: str


def briefing_build(*, principal, slugs: list[str], bbox: tuple | None, since=None,
                   until=None) -> Briefing:
    """The briefing map of the named layers' features inside `bbox` that the principal may
    export (public properties only, scoped like every export)."""
    import folium

    layers = layers_named(principal=principal, slugs=slugs)  # unseen layers: 404 first
    export_check(principal=principal)
    tables = [export_table(principal=principal, layer=layer, bbox=bbox, since=since,
                           until=until, max_rows=conf.briefing_max_features())
              for layer in layers if layer.source != LayerSource.ADMIN_UNITS]
    now = timezone.localtime()
    fmap = folium.Map(tiles=None, control_scale=True, attribution_control=False,
                      location=[19.9, 105.5], zoom_start=9)
    fmap.default_js, fmap.default_css = [], []  # no CDN: Leaflet is inlined below
    _boundaries().add_to(fmap)
    for index, table in enumerate(tables):
        _layer_group(table, PALETTE[index % len(PALETTE)]).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    west, south, east, north = bbox or province_extent()
    fmap.fit_bounds([[south, west], [north, east]])
    root = fmap.get_root()
    root.header.add_child(folium.Element(_inline_leaflet()), name="leaflet", index=0)
    root.html.add_child(folium.Element(_panel(tables, now)))
    html = root.render()
    html = html.replace("<html>", f'<html lang="{escape(get_language() or "vi")}">', 1)
    html = html.replace("<head>", f"<head>\n<title>{escape(_title())}</title>", 1)
    return Briefing(html=html, filename=f"ban-do-tom-tat-{now:%Y%m%d-%H%M}.html")


def _title() -> str:
    return _("Bản đồ tóm tắt quy hoạch – tỉnh Thanh Hóa")


def _title_of(layer: Layer) -> str:
    return layer.title_en if get_language() == "en" and layer.title_en else layer.title_vi


def _boundaries():
    import folium

    units = (AdminUnit.objects.filter(valid_on(timezone.localdate()),
                                      level__in=[AdminLevel.PROVINCE, AdminLevel.COMMUNE])
             .annotate(shape=AsGeoJSON(SimplifyPreserveTopology("geom", SIMPLIFY_DEGREES),
                                       precision=5))
             .order_by("-level", "code").values_list("level", "code", "name", "shape"))
    features = [{"type": "Feature", "geometry": json.loads(shape),
                 "properties": {"label": f"{name} ({code})", "level": level}}
                for level, code, name, shape in units]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(_("Ranh giới tỉnh, xã")), on_each_feature=folium.JsCode(LABEL),
        style_function=lambda f: ({"color": "#5d4037", "weight": 2.5, "fillColor": "#f4f1ea",
                                   "fillOpacity": 1}
                                  if f["properties"]["level"] == AdminLevel.PROVINCE else
                                  {"color": "#8d6e63", "weight": 0.7, "fillColor": "#bcaaa4",
                                   "fillOpacity": 0.05}))


def _layer_group(table: ExportTable, colour: str):
    import folium

    features = [{"type": "Feature", "geometry": row.geometry,
                 "properties": {"label": str(row.values.get("name") or row.id)}}
                for row in table.rows]
    style = {"color": colour, "weight": 3, "fillColor": colour, "fillOpacity": 0.6}
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(_title_of(table.layer)), on_each_feature=folium.JsCode(LABEL),
        marker=folium.CircleMarker(radius=5, color="#ffffff", weight=1, fill=True,
                                   fill_color=colour, fill_opacity=0.9),
        style_function=lambda f: style)


def _panel(tables: list[ExportTable], now) -> str:
    """Title, legend, time of making and credits, every text escaped."""
    rows = "".join(
        f'<li><span class="ioc-swatch" style="background:{PALETTE[i % len(PALETTE)]}"></span>'
        f"{escape(_title_of(t.layer))} ({len(t.rows)})</li>" for i, t in enumerate(tables))
    credits = sorted({t.layer.attribution or t.layer.owner_department for t in tables} - {""})
    credit_text = "; ".join([*credits, _("Ranh giới: Tổng cục Thống kê, Natural Earth "
                                          "(ranh giới xã là mô phỏng gần đúng)")])
    made = _("Lập lúc {time} (giờ Việt Nam)").format(time=f"{now:%H:%M %d/%m/%Y}")
    sources = _("Nguồn dữ liệu: {credits}").format(credits=credit_text)
    return f"""<style>
.leaflet-container {{ background: #cfe3ef; }}
.ioc-panel {{ position: absolute; z-index: 1000; right: 10px; bottom: 20px; max-width: 360px;
  background: rgba(255,255,255,.94); padding: 8px 12px; border-radius: 4px;
  font: 13px/1.4 system-ui, "Noto Sans", "DejaVu Sans", sans-serif; color: #1c2733;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); }}
.ioc-panel h1 {{ font-size: 15px; margin: 0 0 4px; }}
.ioc-panel ul {{ list-style: none; margin: 4px 0; padding: 0; }}
.ioc-swatch {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 6px; border: 1px solid #fff; outline: 1px solid #999; }}
.ioc-panel small {{ display: block; color: #5f6b76; }}
</style>
<div class="ioc-panel" id="ioc-briefing">
  <h1>{escape(_title())}</h1>
  <ul class="ioc-legend">{rows}</ul>
  <small id="ioc-made">{escape(made)}</small>
  <small id="ioc-credits">{escape(sources)}</small>
</div>"""


def _inline_leaflet() -> str:
    """Leaflet's style and script, whole, with the style's images as data: URIs."""
    css = re.sub(r"/\*.*?\*/", "", _static_text("leaflet/leaflet.css"), flags=re.S)

    def data_uri(match: re.Match) -> str:
        path = finders.find(f"leaflet/{match.group(1)}")
        if not path:
            return "none"
        with open(path, "rb") as image:
            return f"url(data:image/png;base64,{base64.b64encode(image.read()).decode()})"

    css = re.sub(r"url\((images/[-\w@.]+\.png)\)", data_uri, css)
    return f"<style>\n{css}\n</style>\n<script>\n{_static_text('leaflet/leaflet.js')}\n</script>"


def _static_text(name: str) -> str:
    path = finders.find(name)
    with open(path, encoding="utf-8") as handle:
        return handle.read()
