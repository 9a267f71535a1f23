"""Each accepted format, imported from a file the test writes: counts, properties mapped to
the code list, Vietnamese text in NFC, positions in WGS84."""
import unicodedata

import pytest

from integration.models import Connector, RunStatus
from layers.models import Feature
from tests.integration.conftest import (MAPPING, csv_bytes, geojson, rows, run_file,
                                        write_ogr, zip_files, zipped_shapefile)

pytestmark = pytest.mark.django_db


def assert_imported(run, layer, n: int) -> None:
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (n, n, 0), run.message
    features = {f.external_id: f for f in Feature.objects.filter(layer=layer)}
    assert len(features) == n
    first = features["TYT-00000"]
    assert first.properties == {"name": "Trạm 0 Quảng Tiến", "kind": "BV", "beds": 0}
    assert features["TYT-00002"].properties["kind"] == "PK"  # "phong kham": no case/diacritics
    assert features["TYT-00003"].properties["kind"] == "TYT"
    assert first.geom.x == pytest.approx(105.9) and first.geom.y == pytest.approx(19.74)
    assert first.commune_code  # stamped by the database


def test_geopackage(connector, layer, tmp_path):
    path = write_ogr(tmp_path / "tram.gpkg", rows(), "GPKG")
    assert_imported(run_file(connector, path), layer, 4)


def test_zipped_shapefile_with_vietnamese_names_and_utf8_cpg(connector, layer, tmp_path):
    path = zipped_shapefile(tmp_path, rows(), "Trạm y tế Sầm Sơn")
    assert (tmp_path / "shp" / "x.cpg").read_text().strip().upper().replace("-", "") == "UTF8"
    run = run_file(connector, path)
    assert run.driver == "ESRI Shapefile"
    assert run.stored_path.endswith("/data.shp")  # never the user's name on disk
    assert_imported(run, layer, 4)


@pytest.mark.parametrize("label", ["1258", "windows-1258", "CP1258"])
def test_zipped_shapefile_in_windows_1258(connector, layer, tmp_path, label):
    path = zipped_shapefile(tmp_path, rows(), "Trạm 1258", recode="cp1258", cpg=label)
    # windows-1258 writes tone marks as combining characters: stored text must be NFC
    assert "Tiê\u0301n".encode("cp1258") in (tmp_path / "shp" / "x.dbf").read_bytes()
    run = run_file(connector, path)
    assert run.rows_inserted == 4, run.message
    name = Feature.objects.get(layer=layer, external_id="TYT-00001").properties["name"]
    assert name == "Trạm 1 Quảng Tiến" and unicodedata.is_normalized("NFC", name)


def test_geojson(connector, layer, tmp_path):
    path = tmp_path / "tram.geojson"
    path.write_bytes(geojson(rows()))
    assert_imported(run_file(connector, path), layer, 4)


def test_kml(connector, layer, tmp_path):
    placemarks = "".join(
        f"<Placemark><name>{r['ma']}</name><ExtendedData>"
        f"<Data name=\"ten\"><value>{r['ten']}</value></Data>"
        f"<Data name=\"loai\"><value>{r['loai']}</value></Data>"
        f"<Data name=\"giuong\"><value>{r['giuong']}</value></Data></ExtendedData>"
        f"<Point><coordinates>{r['lon']},{r['lat']}</coordinates></Point></Placemark>"
        for r in rows())
    path = tmp_path / "tram.kml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/'
                    f'kml/2.2"><Document>{placemarks}</Document></kml>', encoding="utf-8")
    connector.id_column = "Name"
    connector.save()
    assert_imported(run_file(connector, path), layer, 4)


def test_csv_with_lon_lat_and_decimal_commas(connector, layer, tmp_path):
    data = rows()
    content = csv_bytes(data, delimiter=";").decode().replace("105.9;", "105,9;")
    path = tmp_path / "tram.csv"
    path.write_text(content, encoding="utf-8")
    connector.lon_column, connector.lat_column = "lon", "lat"
    connector.save()
    assert_imported(run_file(connector, path), layer, 4)


def test_zip_holding_one_geojson(connector, layer, tmp_path):
    path = zip_files(tmp_path / "goi.zip", {"dữ liệu/trạm.geojson": geojson(rows())})
    assert_imported(run_file(connector, path), layer, 4)


@pytest.fixture
def by_commune(layer):
    """A connector placing rows at their commune (no coordinates in the file)."""
    return Connector.objects.create(name="Theo xã", layer=layer, owner_department="Sở Y tế",
                                    field_mapping=MAPPING, id_column="ma",
                                    unit_code_column="ma_xa")


def _unit_rows(code: str, name: str) -> list[dict]:
    return [{"ma": "X1", "ten": "Trạm xã", "loai": "Trạm y tế", "giuong": 2, "ma_xa": code,
             "ten_xa": name}]


def test_csv_joined_by_commune_code(by_commune, layer, tmp_path):
    from layers.models import AdminUnit

    unit = AdminUnit.objects.filter(level="COMMUNE", valid_to__isnull=True).order_by("code")[3]
    path = tmp_path / "xa.csv"
    path.write_bytes(csv_bytes(_unit_rows(unit.code.lstrip("0"), unit.name),
                               columns=("ma", "ten", "loai", "giuong", "ma_xa")))
    run = run_file(by_commune, path)
    assert run.rows_inserted == 1, run.message
    assert Feature.objects.get(layer=layer, external_id="X1").commune_code == unit.code


@pytest.mark.parametrize("spelling", ["exact", "folded", "short"])
def test_xlsx_joined_by_commune_name(by_commune, layer, tmp_path, spelling):
    import numpy as np
    from pyogrio import raw

    from integration.positions import fold
    from layers.models import AdminUnit

    unit = AdminUnit.objects.get(level="COMMUNE", valid_to__isnull=True, name="Phường Sầm Sơn")
    name = {"exact": unit.name, "folded": fold(unit.name).upper(), "short": "Sầm Sơn"}[spelling]
    by_commune.unit_code_column, by_commune.unit_name_column = "", "ten_xa"
    by_commune.save()
    data = _unit_rows(unit.code, name)
    columns = ["ma", "ten", "loai", "giuong", "ten_xa"]
    path = tmp_path / "xa.xlsx"
    raw.write(str(path), None, [np.array([str(r[c]) for r in data], dtype=object)
                                for c in columns], columns, driver="XLSX")
    run = run_file(by_commune, path)
    assert run.driver == "XLSX"
    assert run.rows_inserted == 1, run.message
    assert Feature.objects.get(layer=layer, external_id="X1").commune_code == unit.code


def test_unknown_commune_name_is_rejected(by_commune, layer, tmp_path):
    by_commune.unit_code_column, by_commune.unit_name_column = "", "ten_xa"
    by_commune.save()
    data = _unit_rows("", "Xã Không Có") + [{**_unit_rows("", "Phường Sầm Sơn")[0], "ma": "X2"}]
    path = tmp_path / "xa.csv"
    path.write_bytes(csv_bytes(data, columns=("ma", "ten", "loai", "giuong", "ten_xa")))
    run = run_file(by_commune, path)
    assert (run.rows_inserted, run.rows_rejected) == (1, 1)
    assert "Xã Không Có" in run.rejected_rows.get().reason


@pytest.mark.parametrize("crs", [
    "EPSG:3405",  # VN-2000 / UTM zone 48N
    "+proj=tmerc +lat_0=0 +lon_0=105 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,"
    "0.252906278 +units=m +no_defs",  # VN-2000 / TM-3, central meridian 105° (Thanh Hóa)
])
def test_vn2000_input_lands_within_metres(connector, layer, tmp_path, crs):
    from pyproj import Transformer

    expected = rows(2)
    to_vn = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    data = []
    for r in expected:
        x, y = to_vn.transform(r["lon"], r["lat"])
        data.append({**r, "lon": f"{x:.3f}", "lat": f"{y:.3f}"})
    assert 400_000 < float(data[0]["lon"]) < 700_000  # metres, not degrees
    path = tmp_path / "vn2000.csv"
    path.write_bytes(csv_bytes(data))
    connector.lon_column, connector.lat_column, connector.source_crs = "lon", "lat", crs
    connector.save()
    run = run_file(connector, path)
    assert run.rows_inserted == 2, run.message
    for r in expected:
        point = Feature.objects.get(layer=layer, external_id=r["ma"]).geom
        metres_per_degree = 111_320
        assert abs(point.x - r["lon"]) * metres_per_degree < 2
        assert abs(point.y - r["lat"]) * metres_per_degree < 2


def test_shapefile_declaring_vn2000_in_its_prj(connector, layer, tmp_path):
    import shapely
    from pyproj import Transformer

    data = rows(2)
    to_vn = Transformer.from_crs("EPSG:4326", "EPSG:3405", always_xy=True)
    points = shapely.points([to_vn.transform(r["lon"], r["lat"]) for r in data])
    path = zipped_shapefile(tmp_path, data, "vn2000", crs="EPSG:3405", geometries=points)
    run = run_file(connector, path)
    assert run.rows_inserted == 2, run.message
    point = Feature.objects.get(layer=layer, external_id="TYT-00000").geom
    assert abs(point.x - 105.9) < 2e-5 and abs(point.y - 19.74) < 2e-5
