"""Seeded sector layer definitions for the Thanh Hóa demo.

``LAYER_CATALOG`` is a tuple of plain dicts, one per layer, so that it can be
loaded into the layer registry (or dumped to JSON) without importing Django.
Each ``property_schema`` is a JSON Schema (draft 2020-12). Every property has
the custom keyword ``"x-public"``: only properties flagged ``true`` may leave
through public APIs and vector tiles. Code lists are enums of ASCII codes with
Vietnamese labels in the custom annotation ``"x-enum-labels"`` (used by
legends and forms; validators ignore unknown keywords).
"""

from __future__ import annotations

from typing import Any

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Credit lines required by fixtures/thanh-hoa/SOURCES.md.
ATTR_GEONAMES = "GeoNames (geonames.org), CC BY 4.0"
ATTR_SYNTHETIC = "Dữ liệu mô phỏng (synthetic demo data)"
ATTR_BOTH = f"{ATTR_GEONAMES}; {ATTR_SYNTHETIC}"

SECTORS = (
    "ADMIN", "SOCIO_ECONOMIC", "GOVERNMENT", "SECURITY", "TRAFFIC", "HEALTH",
    "EDUCATION", "TOURISM", "PRESS", "CYBER", "CITIZEN",
)
GEOMETRY_KINDS = ("POINT", "LINE", "POLYGON")
SOURCES = ("FEATURES", "ADMIN_UNITS")


# --- schema building blocks -------------------------------------------------

def _prop(title: str, schema: dict[str, Any], *, public: bool = True) -> dict[str, Any]:
    """One property: a Vietnamese title, its JSON Schema and the x-public flag."""
    return {"title": title, **schema, "x-public": public}


def _enum(title: str, labels: dict[str, str], *, public: bool = True) -> dict[str, Any]:
    """A code-list property; ``labels`` maps code -> Vietnamese label."""
    return _prop(title, {"type": "string", "enum": list(labels), "x-enum-labels": dict(labels)},
                 public=public)


def _text(title: str, max_length: int = 200, *, public: bool = True,
          nullable: bool = False) -> dict[str, Any]:
    """A free-text property with a length cap (tiles stay small)."""
    kind: Any = ["string", "null"] if nullable else "string"
    return _prop(title, {"type": kind, "maxLength": max_length}, public=public)


def _int(title: str, minimum: int = 0, maximum: int | None = None, *,
         nullable: bool = False, public: bool = True) -> dict[str, Any]:
    """An integer property; ``nullable`` where the fact is not sourced."""
    schema: dict[str, Any] = {"type": ["integer", "null"] if nullable else "integer",
                              "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return _prop(title, schema, public=public)


def _schema(properties: dict[str, dict[str, Any]], required: list[str]) -> dict[str, Any]:
    """Wrap properties in a closed object schema."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


# --- shared code lists ------------------------------------------------------

ROAD_IDS_PATTERN = "^[A-Z0-9]{2,12}$"  # e.g. QL1A, QL47, HCM, CT01 (roads_waypoints.csv)

COORD_METHODS = {
    "published": "Tọa độ đã công bố",
    "bbox_centre": "Tâm phạm vi đã công bố",
    "town_point": "Điểm thị trấn (GeoNames), sai số lớn",
    "estimate": "Ước lượng theo mô tả",
    "synthetic": "Vị trí mô phỏng",
}
OWNERSHIP = {"cong_lap": "Công lập", "tu_thuc": "Tư thục / tư nhân"}


def _road_id(nullable: bool = False) -> dict[str, Any]:
    """Road code from roads_waypoints.csv; null for cameras off the national roads."""
    kind: Any = ["string", "null"] if nullable else "string"
    return _prop("Mã tuyến đường", {"type": kind, "pattern": ROAD_IDS_PATTERN})


def _poi_fields() -> dict[str, dict[str, Any]]:
    """Provenance fields shared by layers that mix pois.csv rows and synthetic rows."""
    return {
        "poi_id": _prop("Mã điểm nguồn (pois.csv)",
                        {"type": ["string", "null"], "pattern": "^[A-Z][0-9]{2}$"}),
        "coord_method": _enum("Phương pháp xác định tọa độ", COORD_METHODS),
        "coord_precision_m": _int("Sai số tọa độ (m)", 0, 50_000, nullable=True),
        "fact_source": _text("Nguồn dữ kiện (SOURCES.md)", 80, nullable=True),
        "is_synthetic": _prop("Dữ liệu mô phỏng", {"type": "boolean"}),
    }


# --- the layers ---------------------------------------------------------------

_TRAFFIC_ACCIDENTS = {
    "slug": "traffic-accidents",
    "title_vi": "Tai nạn giao thông",
    "title_en": "Traffic accidents",
    "description_vi": "Vụ tai nạn, va chạm giao thông trên các tuyến quốc lộ và cao tốc "
                      "(dữ liệu mô phỏng theo nhịp ngày, tuần, mùa).",
    "sector": "TRAFFIC",
    "geometry_kind": "POINT",
    "source": "FEATURES",
    "property_schema": _schema({
        # Classes follow the Vietnamese police scale (va chạm → đặc biệt nghiêm trọng).
        "severity": _enum("Mức độ", {
            "va_cham": "Va chạm giao thông",
            "it_nghiem_trong": "Ít nghiêm trọng",
            "nghiem_trong": "Nghiêm trọng",
            "rat_nghiem_trong": "Rất nghiêm trọng",
            "dac_biet_nghiem_trong": "Đặc biệt nghiêm trọng",
        }),
        "vehicle_types": _prop("Phương tiện liên quan", {
            "type": "array", "minItems": 1, "maxItems": 4, "uniqueItems": True,
            "items": {"type": "string", "enum": [
                "xe_may", "o_to_con", "o_to_tai", "xe_khach", "xe_dap", "nguoi_di_bo", "khac"]},
            "x-enum-labels": {
                "xe_may": "Xe máy", "o_to_con": "Ô tô con", "o_to_tai": "Ô tô tải",
                "xe_khach": "Xe khách", "xe_dap": "Xe đạp", "nguoi_di_bo": "Người đi bộ",
                "khac": "Khác"},
        }),
        "deaths": _int("Số người chết", 0, 50),
        "injuries": _int("Số người bị thương", 0, 100),
        "road_id": _road_id(),
        "cause": _enum("Nguyên nhân", {
            "vuot_toc_do": "Chạy quá tốc độ",
            "ruou_bia": "Sử dụng rượu bia",
            "sai_phan_lan": "Đi sai phần đường, làn đường",
            "khong_nhuong_duong": "Không nhường đường",
            "mat_tap_trung": "Thiếu chú ý quan sát",
            "phuong_tien": "Phương tiện không đảm bảo an toàn",
            "khac": "Khác",
        }),
        "commune_code": _prop("Mã xã/phường", {"type": "string", "pattern": "^[0-9]{5}$"}),
        "is_synthetic": _prop("Dữ liệu mô phỏng", {"type": "boolean"}),
    }, ["severity", "vehicle_types", "deaths", "injuries", "road_id", "cause", "is_synthetic"]),
    "default_style": {"color": "#d32f2f", "radius": 5},
    "min_zoom": 5,
    "max_zoom": 22,
    "aggregate_below_zoom": 17,  # raw tiles stay < 500 KB at 1M events (bench/tiles.py)
    "category_property": "severity",
    "owner_department": "Công an tỉnh",
    "update_interval_hours": 24,
    "is_public": True,
    "is_temporal": True,
    "attribution": ATTR_BOTH,
}

_TRAFFIC_CONGESTION = {
    "slug": "traffic-congestion",
    "title_vi": "Ùn tắc giao thông",
    "title_en": "Traffic congestion",
    "description_vi": "Tình trạng lưu thông theo đoạn đường gần các đô thị, lần quan sát mới nhất.",
    "sector": "TRAFFIC",
    "geometry_kind": "LINE",
    "source": "FEATURES",
    "property_schema": _schema({
        "road_id": _road_id(),
        "name": _text("Tên đoạn đường", 160),
        "level": _enum("Mức độ lưu thông", {
            "thong_thoang": "Thông thoáng",
            "dong_xe": "Đông xe",
            "un_tac": "Ùn tắc",
            "un_tac_nghiem_trong": "Ùn tắc nghiêm trọng",
        }),
        "speed_kmh": _prop("Tốc độ trung bình (km/h)",
                           {"type": "number", "minimum": 0, "maximum": 150}),
        "length_m": _int("Chiều dài đoạn (m)", 1, 50_000),
        "is_synthetic": _prop("Dữ liệu mô phỏng", {"type": "boolean"}),
    }, ["road_id", "name", "level", "speed_kmh", "length_m", "is_synthetic"]),
    "default_style": {"color": "#f57c00", "width": 4},
    "min_zoom": 8,
    "max_zoom": 22,
    "owner_department": "Sở Xây dựng",
    "update_interval_hours": 1,
    "is_public": True,
    "is_temporal": True,
    "attribution": ATTR_BOTH,
}

_TRAFFIC_CAMERAS = {
    "slug": "traffic-cameras",
    "title_vi": "Camera giao thông",
    "title_en": "Traffic cameras",
    "description_vi": "Camera giám sát, xử phạt và đếm lưu lượng trên các tuyến đường, "
                      "tập trung quanh các đô thị.",
    "sector": "TRAFFIC",
    "geometry_kind": "POINT",
    "source": "FEATURES",
    "property_schema": _schema({
        "name": _text("Tên camera", 160),
        "camera_type": _enum("Loại camera", {
            "giam_sat": "Giám sát an ninh trật tự",
            "phat_nguoi": "Xử phạt vi phạm (phạt nguội)",
            "dem_luu_luong": "Đếm lưu lượng",
            "nhan_dang_bien_so": "Nhận dạng biển số",
        }),
        "road_id": _road_id(nullable=True),
        "status": _enum("Trạng thái", {
            "hoat_dong": "Đang hoạt động",
            "bao_tri": "Đang bảo trì",
            "mat_ket_noi": "Mất kết nối",
        }),
        "is_synthetic": _prop("Dữ liệu mô phỏng", {"type": "boolean"}),
    }, ["name", "camera_type", "road_id", "status", "is_synthetic"]),
    "default_style": {"color": "#7b1fa2", "radius": 4},
    "min_zoom": 10,
    "max_zoom": 22,
    "owner_department": "Công an tỉnh",
    "update_interval_hours": 168,
    "is_public": True,
    "is_temporal": False,
    "attribution": ATTR_BOTH,
}

_HEALTH_FACILITIES = {
    "slug": "health-facilities",
    "title_vi": "Cơ sở y tế",
    "title_en": "Health facilities",
    "description_vi": "Bệnh viện tuyến tỉnh, khu vực, huyện (theo nguồn trích dẫn) và trạm y tế "
                      "xã, phường (mô phỏng).",
    "sector": "HEALTH",
    "geometry_kind": "POINT",
    "source": "FEATURES",
    "property_schema": _schema({
        "name": _text("Tên cơ sở", 160),
        "facility_type": _enum("Loại cơ sở", {
            "hospital_provincial": "Bệnh viện tuyến tỉnh",
            "hospital_regional": "Bệnh viện đa khoa khu vực",
            "hospital_district": "Bệnh viện đa khoa (tuyến huyện cũ)",
            "commune_health_station": "Trạm y tế xã, phường",
        }),
        # null when no source gives the bed count (only H01 is sourced).
        "beds": _int("Số giường bệnh", 0, 5000, nullable=True),
        "ownership": _enum("Loại hình sở hữu", OWNERSHIP),
        "commune_code": _prop("Mã xã/phường",
                              {"type": ["string", "null"], "pattern": "^[0-9]{5}$"}),
        **_poi_fields(),
    }, ["name", "facility_type", "beds", "ownership", "coord_method", "is_synthetic"]),
    "default_style": {"color": "#2e7d32", "radius": 5},
    "min_zoom": 8,
    "max_zoom": 22,
    "owner_department": "Sở Y tế",
    "update_interval_hours": 720,
    "is_public": True,
    "is_temporal": False,
    "attribution": ATTR_BOTH,
}

_SCHOOLS = {
    "slug": "schools",
    "title_vi": "Trường học",
    "title_en": "Schools",
    "description_vi": "Trường mầm non, tiểu học, THCS, THPT (mô phỏng theo xã, phường) và các "
                      "trường đại học, cao đẳng, THPT chuyên theo nguồn trích dẫn.",
    "sector": "EDUCATION",
    "geometry_kind": "POINT",
    "source": "FEATURES",
    "property_schema": _schema({
        "name": _text("Tên trường", 160),
        "level": _enum("Cấp học", {
            "preschool": "Mầm non",
            "primary": "Tiểu học",
            "lower_secondary": "Trung học cơ sở",
            "upper_secondary": "Trung học phổ thông",
            "college": "Cao đẳng",
            "university": "Đại học",
        }),
        "students": _int("Số học sinh, sinh viên", 0, 100_000, nullable=True),
        "ownership": _enum("Loại hình", OWNERSHIP),
        "commune_code": _prop("Mã xã/phường",
                              {"type": ["string", "null"], "pattern": "^[0-9]{5}$"}),
        **_poi_fields(),
    }, ["name", "level", "students", "ownership", "coord_method", "is_synthetic"]),
    "default_style": {"color": "#1565c0", "radius": 4},
    "min_zoom": 10,
    "max_zoom": 22,
    "owner_department": "Sở Giáo dục và Đào tạo",
    "update_interval_hours": 720,
    "is_public": True,
    "is_temporal": False,
    "attribution": ATTR_BOTH,
}

_TOURIST_SITES = {
    "slug": "tourist-sites",
    "title_vi": "Điểm du lịch",
    "title_en": "Tourist sites",
    "description_vi": "Di sản, di tích, bãi biển, khu bảo tồn và điểm tâm linh (theo nguồn trích "
                      "dẫn; tọa độ có sai số ghi trong coord_precision_m).",
    "sector": "TOURISM",
    "geometry_kind": "POINT",
    "source": "FEATURES",
    "property_schema": _schema({
        "poi_id": _prop("Mã điểm nguồn (pois.csv)", {"type": "string", "pattern": "^T[0-9]{2}$"}),
        "name": _text("Tên điểm", 160),
        "name_en": _text("Tên tiếng Anh", 160),
        "site_type": _enum("Loại điểm", {
            "heritage_unesco": "Di sản thế giới (UNESCO)",
            "heritage_special_national": "Di tích quốc gia đặc biệt",
            "heritage": "Di tích lịch sử",
            "heritage_scenic": "Di tích, danh thắng",
            "beach": "Bãi biển",
            "island": "Đảo",
            "nature_reserve": "Khu bảo tồn thiên nhiên",
            "national_park": "Vườn quốc gia",
            "scenic": "Danh lam thắng cảnh",
            "scenic_spiritual": "Danh thắng, tâm linh",
            "spiritual": "Điểm tâm linh",
            "monument": "Tượng đài",
        }),
        # Derived only from what the source states; no invented heritage ranks.
        "ranking": _enum("Xếp hạng", {
            "di_san_the_gioi": "Di sản thế giới",
            "di_tich_quoc_gia_dac_biet": "Di tích quốc gia đặc biệt",
            "vuon_quoc_gia": "Vườn quốc gia",
            "khu_bao_ton": "Khu bảo tồn thiên nhiên",
            "chua_xac_dinh": "Chưa xác định theo nguồn",
        }),
        "coord_method": _enum("Phương pháp xác định tọa độ", COORD_METHODS),
        "coord_precision_m": _int("Sai số tọa độ (m)", 0, 50_000),
        "fact_source": _text("Nguồn dữ kiện (SOURCES.md)", 80),
    }, ["poi_id", "name", "name_en", "site_type", "ranking", "coord_method",
        "coord_precision_m", "fact_source"]),
    "default_style": {"color": "#00897b", "radius": 6},
    "min_zoom": 7,
    "max_zoom": 22,
    "owner_department": "Sở Văn hóa, Thể thao và Du lịch",
    "update_interval_hours": 720,
    "is_public": True,
    "is_temporal": False,
    "attribution": ATTR_GEONAMES,
}

_SECURITY_INCIDENTS = {
    "slug": "security-incidents",
    "title_vi": "Vụ việc an ninh trật tự",
    "title_en": "Security incidents",
    "description_vi": "Tin báo, vụ việc về an ninh trật tự theo xã, phường (dữ liệu mô phỏng; "
                      "chỉ dùng nội bộ).",
    "sector": "SECURITY",
    "geometry_kind": "POINT",
    "source": "FEATURES",
    "property_schema": _schema({
        "incident_type": _enum("Loại vụ việc", {
            "theft": "Trộm cắp tài sản",
            "fraud": "Lừa đảo chiếm đoạt tài sản",
            "assault": "Cố ý gây thương tích, đánh nhau",
            "traffic_violation": "Vi phạm trật tự an toàn giao thông",
            "public_order": "Gây rối trật tự công cộng",
            "fire": "Cháy, nổ",
            "drugs": "Ma túy",
            "other": "Khác",
        }),
        "severity": _enum("Mức độ", {"thap": "Thấp", "trung_binh": "Trung bình", "cao": "Cao"}),
        "status": _enum("Tình trạng xử lý", {
            "tiep_nhan": "Mới tiếp nhận",
            "dang_xu_ly": "Đang xác minh, xử lý",
            "da_xu_ly": "Đã xử lý",
        }),
        # Internal working note of the officer: never public.
        "status_note": _text("Ghi chú nghiệp vụ", 300, public=False),
        "commune_code": _prop("Mã xã/phường", {"type": "string", "pattern": "^[0-9]{5}$"}),
        # Personal data of the reporter (synthetic, obviously fake numbers).
        "reporter_phone": _prop("Số điện thoại người báo tin",
                                {"type": "string", "pattern": "^0[0-9]{9}$"}, public=False),
        "is_synthetic": _prop("Dữ liệu mô phỏng", {"type": "boolean"}),
    }, ["incident_type", "severity", "status", "commune_code", "is_synthetic"]),
    "default_style": {"color": "#455a64", "radius": 4},
    "min_zoom": 5,
    "max_zoom": 22,
    "aggregate_below_zoom": 16,  # raw tiles stay < 500 KB at 1M events (bench/tiles.py)
    "category_property": "incident_type",
    "status_property": "status",
    "owner_department": "Công an tỉnh",
    "update_interval_hours": 1,
    "is_public": False,
    "is_temporal": True,
    "attribution": ATTR_SYNTHETIC,
}

_ADMIN_BOUNDARIES = {
    "slug": "admin-boundaries",
    "title_vi": "Địa giới hành chính",
    "title_en": "Administrative boundaries",
    "description_vi": "Tỉnh, huyện (trước 2025), xã, phường trước và sau sắp xếp 2025. "
                      "Ranh giới gần đúng, không phải địa giới pháp lý.",
    "sector": "ADMIN",
    "geometry_kind": "POLYGON",
    "source": "ADMIN_UNITS",
    "property_schema": _schema({
        "code": _prop("Mã đơn vị hành chính", {"type": "string", "pattern": "^[0-9]{2,5}$"}),
        "name": _text("Tên đơn vị", 120),
        "level": _enum("Cấp", {
            "province": "Tỉnh",
            "district": "Huyện (trước 01/7/2025)",
            "commune_pre2025": "Xã (trước 01/7/2025)",
            "commune_2025": "Xã, phường (từ 01/7/2025)",
        }),
        "division_type": _prop("Loại đơn vị", {"type": "string", "enum": [
            "tỉnh", "thành phố", "thị xã", "huyện", "quận", "thị trấn", "xã", "phường"]}),
        "parent_code": _prop("Mã đơn vị cấp trên",
                             {"type": ["string", "null"], "pattern": "^[0-9]{2,5}$"}),
        "valid_from": _prop("Hiệu lực từ", {"type": ["string", "null"], "format": "date"}),
        "valid_to": _prop("Hiệu lực đến", {"type": ["string", "null"], "format": "date"}),
    }, ["code", "name", "level", "division_type"]),
    "default_style": {"fill": "rgba(255, 193, 7, 0.08)", "outline": "#ff8f00"},
    "min_zoom": 5,
    "max_zoom": 22,
    "owner_department": "Sở Nội vụ",
    "update_interval_hours": None,
    "is_public": True,
    "is_temporal": False,
    # Unit list from GSO/NSO; demo outlines are approximations built from GeoNames points
    # clipped to the Natural Earth outline (public domain).
    "attribution": f"GSO/NSO danh mục hành chính; {ATTR_GEONAMES}; Natural Earth; {ATTR_SYNTHETIC}",
}

LAYER_CATALOG: tuple[dict[str, Any], ...] = (
    _ADMIN_BOUNDARIES,
    _TRAFFIC_ACCIDENTS,
    _TRAFFIC_CONGESTION,
    _TRAFFIC_CAMERAS,
    _HEALTH_FACILITIES,
    _SCHOOLS,
    _TOURIST_SITES,
    _SECURITY_INCIDENTS,
)


def layer_by_slug(slug: str) -> dict[str, Any]:
    """Return the catalog entry for ``slug`` (KeyError if unknown)."""
    for layer in LAYER_CATALOG:
        if layer["slug"] == slug:
            return layer
    raise KeyError(slug)


def public_property_names(slug: str) -> frozenset[str]:
    """Names of the properties that may leave through public APIs and tiles."""
    props = layer_by_slug(slug)["property_schema"]["properties"]
    return frozenset(name for name, spec in props.items() if spec["x-public"])
