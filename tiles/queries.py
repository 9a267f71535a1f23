"""One SQL statement per tile (ST_AsMVT over ST_AsMVTGeom against ST_TileEnvelope).

Every builder returns (sql, params). Identifiers in the SQL are ours; everything that comes from
a request or a layer definition (ids, property names, codes, times) is a parameter. Geometries
are read from stored web-mercator columns with GiST indexes: no per-row transform."""
from datetime import datetime, timedelta

from access.principal import FeatureScope

from .filters import LOCAL, TileFilters
from .grid import (BUFFER, CELL_LEVELS_PER_TILE, DETAIL_MAX_ZOOM, EXTENT, HALF_WORLD,
                   TileAddress, unit_band)
from .sources import TileSource

ENVELOPE = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"
SEARCH_ENVELOPE = f"ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {BUFFER / EXTENT})"


def _base_params(address: TileAddress, name: str) -> dict:
    return {"z": address.z, "x": address.x, "y": address.y, "name": name}


def _property_columns(source: TileSource, params: dict) -> str:
    """jsonb of the layer's public properties only (ST_AsMVT expands jsonb keys into tags).
    Arrays become comma-separated text: MVT values are scalars and PostGIS drops the rest."""
    layer = source.layer
    specs = layer.property_schema.get("properties", {})
    pairs = []
    for i, name in enumerate(layer.public_property_names()):
        params[f"p{i}"] = name
        kinds = specs[name].get("type")
        is_array = kinds == "array" or (isinstance(kinds, list) and "array" in kinds)
        value = (f"to_jsonb(array_to_string(ARRAY(SELECT jsonb_array_elements_text("
                 f"f.properties -> %(p{i})s)), ','))" if is_array else f"f.properties -> %(p{i})s")
        pairs.append(f"%(p{i})s::text, {value}")
    return "jsonb_build_object(" + ", ".join(pairs) + ")" if pairs else "'{}'::jsonb"


def _scope_condition(scope: FeatureScope, params: dict, alias: str = "f") -> str:
    if scope.everything:
        return ""
    params["cur_codes"], params["pre_codes"] = list(scope.cur_codes), list(scope.pre_codes)
    return (f" AND ({alias}.commune_code = ANY(%(cur_codes)s)"
            f" OR {alias}.commune_code_pre2025 = ANY(%(pre_codes)s))")


def _code_conditions(source: TileSource, filters: TileFilters, params: dict,
                     alias: str = "f") -> str:
    sql = ""
    if filters.category:
        params["cat_key"], params["cats"] = source.layer.category_property, list(filters.category)
        sql += f" AND {alias}.properties ->> %(cat_key)s = ANY(%(cats)s)"
    if filters.status:
        params["st_key"], params["sts"] = source.layer.status_property, list(filters.status)
        sql += f" AND {alias}.properties ->> %(st_key)s = ANY(%(sts)s)"
    return sql


def _time_condition(lower: datetime | None, upper: datetime | None, params: dict,
                    tag: str, alias: str = "f") -> str:
    sql = ""
    if lower is not None:
        params[f"{tag}_lo"] = lower
        sql += f" AND {alias}.observed_at >= %({tag}_lo)s"
    if upper is not None:
        params[f"{tag}_hi"] = upper
        sql += f" AND {alias}.observed_at < %({tag}_hi)s"
    return sql


def features_tile(source: TileSource, address: TileAddress, filters: TileFilters,
                  scope: FeatureScope) -> tuple[str, dict]:
    """Every visible feature meeting the tile, with its public properties."""
    params = _base_params(address, source.slug)
    params["layer"] = source.layer_id
    when = ""
    if source.is_temporal:
        when = (", to_char(f.observed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"') AS observed_at")
    sql = f"""
    SELECT ST_AsMVT(t, %(name)s, {EXTENT}, 'geom', 'fid') FROM (
      SELECT ST_AsMVTGeom(f.geom_3857, {ENVELOPE}, {EXTENT}, {BUFFER}, true) AS geom,
             f.id AS fid, f.external_id AS id{when}, {_property_columns(source, params)} AS props
        FROM layers_feature f
       WHERE f.layer_id = %(layer)s AND f.geom_3857 && {SEARCH_ENVELOPE}
             {_time_condition(filters.since, filters.until, params, "t")}
             {_code_conditions(source, filters, params)}{_scope_condition(scope, params)}
    ) t WHERE t.geom IS NOT NULL"""
    return sql, params


def _month_start(moment: datetime) -> datetime:
    local = moment.astimezone(LOCAL)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(moment: datetime) -> datetime:
    return _month_start(_month_start(moment) + timedelta(days=32))


def split_by_month(since: datetime | None, until: datetime | None):
    """([first full month, end of full months) or None, [raw edge windows]).

    Whole local months inside [since, until) are read from the cluster counts; the partial
    months at either edge are counted from the features themselves."""
    first = None if since is None else (
        since if since == _month_start(since) else _next_month(since))
    end = None if until is None else _month_start(until)
    if first is not None and end is not None and first >= end:
        return None, [(since, until)]
    edges = []
    if since is not None and first is not None and since < first:
        edges.append((since, first))
    if until is not None and end is not None and end < until:
        edges.append((end, until))
    return (first, end), edges


def _detail_part(months: tuple, filters: TileFilters, params: dict) -> str:
    cond = ""
    if months[0] is not None:
        params["m_lo"] = months[0].date()
        cond += " AND c.month >= %(m_lo)s"
    if months[1] is not None:
        params["m_hi"] = months[1].date()
        cond += " AND c.month < %(m_hi)s"
    if filters.category:
        params["cats"] = list(filters.category)
        cond += " AND c.category = ANY(%(cats)s)"
    if filters.status:
        params["sts"] = list(filters.status)
        cond += " AND c.status = ANY(%(sts)s)"
    return f"""
              SELECT c.cx, c.cy, c.category, c.n, c.sx, c.sy FROM tiles_pointcell c
               WHERE c.layer_id = %(layer)s AND c.level = %(level)s
                 AND c.cx BETWEEN %(cx0)s AND %(cx1)s AND c.cy BETWEEN %(cy0)s AND %(cy1)s{cond}"""


def _deltas_part(params: dict, months: tuple | None = None,
                 filters: TileFilters | None = None) -> str:
    """The pending point deltas of the layer (not yet folded into the counts), as cell rows:
    the counts plus these are exact in every snapshot (tiles.maintenance.deltas_fold)."""
    cond = ""
    if months is not None:
        if months[0] is not None:
            cond += " AND d.month >= %(m_lo)s"
        if months[1] is not None:
            cond += " AND d.month < %(m_hi)s"
        if filters.category:
            cond += " AND d.category = ANY(%(cats)s)"
        if filters.status:
            cond += " AND d.status = ANY(%(sts)s)"
    return f"""
              SELECT floor((d.x + {HALF_WORLD}) / (2 * {HALF_WORLD} / (1::bigint << %(level)s)))::int,
                     floor(({HALF_WORLD} - d.y) / (2 * {HALF_WORLD} / (1::bigint << %(level)s)))::int,
                     d.category, d.sign, d.sign * d.x, d.sign * d.y
                FROM tiles_pointdelta d WHERE d.layer_id = %(layer)s{cond}"""


def cells_tile(source: TileSource, address: TileAddress, filters: TileFilters,
               scope: FeatureScope) -> tuple[str, dict]:
    """Grid clusters (16 × 16 per tile): count and dominant category, drawn at the mean of
    their points. Unfiltered: all-time counts. Filtered, at low zoom: whole months from the
    monthly counts, partial months from the features. Otherwise (higher zooms, callers bound
    to some units) counted from the features of this one tile."""
    layer = source.layer
    level = address.z + CELL_LEVELS_PER_TILE
    per_tile = 1 << CELL_LEVELS_PER_TILE
    params = _base_params(address, source.slug)
    size = 2 * HALF_WORLD / (1 << level)
    params.update(layer=source.layer_id, level=level, size=size, half=HALF_WORLD,
                  cx0=address.x * per_tile, cx1=address.x * per_tile + per_tile - 1,
                  cy0=address.y * per_tile, cy1=address.y * per_tile + per_tile - 1,
                  cat_prop=layer.category_property)
    raw_windows: list[tuple] = []
    parts = []
    if scope.everything and filters.is_empty:
        parts.append("""
              SELECT c.cx, c.cy, c.category, c.n, c.sx, c.sy FROM tiles_pointcelltotal c
               WHERE c.layer_id = %(layer)s AND c.level = %(level)s
                 AND c.cx BETWEEN %(cx0)s AND %(cx1)s AND c.cy BETWEEN %(cy0)s AND %(cy1)s""")
        parts.append(_deltas_part(params))
    elif scope.everything and address.z <= DETAIL_MAX_ZOOM:
        months, raw_windows = split_by_month(filters.since, filters.until)
        if months is not None:
            parts.append(_detail_part(months, filters, params))
            parts.append(_deltas_part(params, months, filters))
    else:
        raw_windows = [(filters.since, filters.until)]
    for i, (lower, upper) in enumerate(raw_windows):
        where = (_time_condition(lower, upper, params, f"w{i}")
                 + _code_conditions(source, filters, params) + _scope_condition(scope, params))
        parts.append(f"""
              SELECT floor((ST_X(p.pt) + %(half)s) / %(size)s)::int AS cx,
                     floor((%(half)s - ST_Y(p.pt)) / %(size)s)::int AS cy,
                     coalesce(f.properties ->> %(cat_prop)s, '') AS category,
                     1 AS n, ST_X(p.pt) AS sx, ST_Y(p.pt) AS sy
                FROM layers_feature f
                CROSS JOIN LATERAL (SELECT ST_PointOnSurface(f.geom_3857) AS pt) p
               WHERE f.layer_id = %(layer)s AND f.geom_3857 && {ENVELOPE}{where}""")
    category_name = layer.category_property or "category"
    params["cat_name"] = category_name
    sql = f"""
    WITH parts AS ({" UNION ALL ".join(parts)}),
    by_category AS (
      SELECT cx, cy, category, sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy FROM parts
       WHERE cx BETWEEN %(cx0)s AND %(cx1)s AND cy BETWEEN %(cy0)s AND %(cy1)s
       GROUP BY cx, cy, category HAVING sum(n) > 0
    ),
    cells AS (
      SELECT sum(n)::int AS count, sum(sx) / sum(n) AS mx, sum(sy) / sum(n) AS my,
             (array_agg(category ORDER BY n DESC, category))[1] AS dominant
        FROM by_category GROUP BY cx, cy
    )
    SELECT ST_AsMVT(t, %(name)s, {EXTENT}, 'geom') FROM (
      SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(mx, my), 3857), {ENVELOPE}, {EXTENT}, 0, true)
               AS geom,
             count, jsonb_build_object(%(cat_name)s::text, nullif(dominant, '')) AS props
        FROM cells
    ) t WHERE t.geom IS NOT NULL"""
    return sql, params


UNIT_LEVEL_ZOOMS = {"PROVINCE": 0, "DISTRICT": 6, "COMMUNE": 8}
LABEL_ZOOMS = {"PROVINCE": (0, 8), "DISTRICT": (7, 10), "COMMUNE": (8, 23)}


def units_tile(source: TileSource, address: TileAddress, filters: TileFilters,
               scope: FeatureScope) -> tuple[str, dict]:
    """Boundaries of the unit generation in force on the day: one MVT layer per level
    (province, district, commune) simplified for the zoom, and a `labels` point layer."""
    params = _base_params(address, source.slug)
    params["band"], params["day"] = unit_band(address.z), filters.day
    levels = [lvl for lvl, z in UNIT_LEVEL_ZOOMS.items() if address.z >= z]
    labels = [lvl for lvl, (lo, hi) in LABEL_ZOOMS.items() if lo <= address.z < hi]
    params["levels"], params["label_levels"] = levels, labels
    in_force = ("(u.valid_from IS NULL OR u.valid_from <= %(day)s) "
                "AND (u.valid_to IS NULL OR u.valid_to > %(day)s)")
    columns = ("u.code, u.name, u.division_type, lower(u.level) AS level, u.is_approximate, "
               "u.population, u.area_km2::float8 AS area_km2")
    layers = []
    for level in levels:
        params[f"lvl_{level}"] = level.lower()
        layers.append(f"""
      (SELECT ST_AsMVT(t, %(lvl_{level})s, {EXTENT}, 'geom') FROM (
         SELECT ST_AsMVTGeom(s.geom, {ENVELOPE}, {EXTENT}, {BUFFER}, true) AS geom, {columns}
           FROM layers_adminunit u JOIN tiles_unitshape s ON s.unit_id = u.id
          WHERE u.level = '{level}' AND {in_force} AND s.band = %(band)s
            AND s.geom && {SEARCH_ENVELOPE}) t WHERE t.geom IS NOT NULL)""")
    layers.append(f"""
      (SELECT ST_AsMVT(t, 'labels', {EXTENT}, 'geom') FROM (
         SELECT ST_AsMVTGeom(l.point, {ENVELOPE}, {EXTENT}, 0, true) AS geom, {columns}
           FROM layers_adminunit u JOIN tiles_unitlabel l ON l.unit_id = u.id
          WHERE u.level = ANY(%(label_levels)s) AND {in_force}
            AND l.point && {ENVELOPE}) t WHERE t.geom IS NOT NULL)""")
    return "SELECT " + " || ".join(f"coalesce({part}, ''::bytea)" for part in layers), params


BASEMAP_ZOOMS = {"coastline": 0, "border": 0, "river": 7, "road": 6}


def basemap_tile(source: TileSource, address: TileAddress, filters: TileFilters,
                 scope: FeatureScope) -> tuple[str, dict]:
    """Our basemap: one MVT layer per kind (road, river, coastline, border)."""
    params = _base_params(address, source.slug)
    parts = []
    for kind, min_zoom in BASEMAP_ZOOMS.items():
        if address.z < min_zoom:
            continue
        params[f"k_{kind}"] = kind
        parts.append(f"""
      coalesce((SELECT ST_AsMVT(t, %(k_{kind})s, {EXTENT}, 'geom') FROM (
         SELECT ST_AsMVTGeom(b.geom, {ENVELOPE}, {EXTENT}, {BUFFER}, true) AS geom,
                b.name, b.ref, b.is_approximate
           FROM tiles_basemapfeature b
          WHERE b.kind = %(k_{kind})s AND b.geom && {SEARCH_ENVELOPE}) t
         WHERE t.geom IS NOT NULL), ''::bytea)""")
    return "SELECT " + " || ".join(parts), params


BUILDERS = {"features": features_tile, "units": units_tile, "basemap": basemap_tile}


def tile_statement(source: TileSource, address: TileAddress, filters: TileFilters,
                   scope: FeatureScope) -> tuple[str, dict]:
    """The one statement that renders a tile of `source`."""
    if source.kind == "features" and source.aggregates_at(address.z):
        return cells_tile(source, address, filters, scope)
    return BUILDERS[source.kind](source, address, filters, scope)
