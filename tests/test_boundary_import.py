"""Tests of the boundary import (GeoJSON, zipped Shapefile, GeoPackage) and of GCJ-02.

Every fixture file is built here from the seeded sample database; nothing binary is kept
in the repository.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.affinity import translate
from sqlalchemy import insert, select

from geo import db, schema, store
from geo.access import Role, User
from geo.auth import cli_user
from geo.errors import AccessDeniedError, DataError
from geo.io.boundary_files import dbf_is_utf8, read_boundary_file
from geo.io.boundary_import import (
    detect_code_field,
    detect_name_field,
    import_boundaries,
    import_boundary_upload,
    same_geometry,
)
from geo.io.gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02, wgs84_to_gcj02_xy
from geo.io.report import Report

METRIC = "EPSG:4546"  # CGCS2000 / 3-degree Gauss-Kruger CM 111E, the sample county's zone
ADMIN = cli_user()
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")

# Published WGS84 -> GCJ-02 pairs (lat, lon order as published): the test table of
# googollee/eviltransform, python/test.py (BSD-2-Clause), also used by its PHP and Go ports.
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
# GCJ-02 -> WGS84 from hujiulong/gcoord, test/unit/crs/GCJ02.spec.js (MIT), checked
# there to 5 decimals: (lon, lat) gcj -> (lon, lat) wgs.
GCOORD_PAIR = ((123.0, 45.0), (122.99395597, 44.99804071))


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def demo_engine(demo_url: str):
    """The sample county on each backend."""
    engine = db.make_engine(demo_url)
    yield engine
    engine.dispose()


def write(frame: gpd.GeoDataFrame, path: Path, **options: object) -> Path:
    """Write ``frame`` quietly (pyogrio warns about missing CRS and laundered names)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame.to_file(path, **options)
    return path


def zipped_shapefile(frame: gpd.GeoDataFrame, folder: Path, name: str = "villages",
                     parts: tuple[str, ...] = SHAPEFILE_PARTS, subfolder: str = "",
                     **options: object) -> Path:
    """Write ``frame`` as a Shapefile and zip the ``parts`` that exist."""
    work = folder / f"{name}_shp"
    work.mkdir()
    write(frame, work / f"{name}.shp", **options)
    target = folder / f"{name}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for part in parts:
            source = work / f"{name}{part}"
            if source.exists():
                archive.write(source, f"{subfolder}{name}{part}")
    return target


def metres_apart(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Hausdorff distance of two WGS84 geometries, measured in the county's metric CRS."""
    projected = gpd.GeoSeries([a, b], crs=4326).to_crs(METRIC)
    return float(projected.iloc[0].hausdorff_distance(projected.iloc[1]))


def villages_file(engine, tmp_path: Path) -> tuple[gpd.GeoDataFrame, Path]:
    villages = store.load_villages(engine)
    return villages, write(villages, tmp_path / "villages.geojson")


def snapshot(engine) -> tuple[int, int, list[tuple]]:
    with engine.connect() as connection:
        units = connection.execute(select(schema.admin_units).order_by(
            schema.admin_units.c.code)).all()
    return store.data_version(engine), len(store.load_audit(engine)), [tuple(u) for u in units]


def codes(report: Report, kind: str = "errors") -> list[tuple[int | None, str]]:
    return [(issue.row, issue.code) for issue in getattr(report, kind)]


# --------------------------------------------------------------------------- GCJ-02


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM_PAIRS)
def test_gcj02_matches_published_pairs(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert abs(lon - gcj_lon) < 1e-7 and abs(lat - gcj_lat) < 1e-7
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert metres_apart(shapely.Point(back_lon, back_lat), shapely.Point(wgs_lon, wgs_lat)) \
        < 0.01


def test_gcj02_inverse_matches_gcoord_and_leaves_the_world_alone():
    (gcj_lon, gcj_lat), (wgs_lon, wgs_lat) = GCOORD_PAIR
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert round(float(lon), 5) == round(wgs_lon, 5)
    assert round(float(lat), 5) == round(wgs_lat, 5)
    lon, lat = gcj02_to_wgs84([183.0, 2.35], [45.0, 48.85])  # not China: unchanged
    assert lon.tolist() == [183.0, 2.35] and lat.tolist() == [45.0, 48.85]
    assert out_of_china([110.7, 2.35], [31.3, 48.85]).tolist() == [False, True]


def test_gcj02_round_trip_is_far_below_a_metre_everywhere_in_china():
    rng = np.random.default_rng(7)
    lon = rng.uniform(74.0, 135.0, 5000)
    lat = rng.uniform(18.0, 53.5, 5000)
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    shift = np.hypot((gcj_lon - lon) * np.cos(np.radians(lat)), gcj_lat - lat) * 111_320
    assert shift.max() > 100  # the offset is real: hundreds of metres
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    error = np.hypot((back_lon - lon) * np.cos(np.radians(lat)), back_lat - lat) * 111_320
    assert error.max() < 1e-3  # metres; the bound asked for is 1 m


# --------------------------------------------------------------------------- round trips


def test_reimporting_exported_villages_changes_nothing(demo_engine, tmp_path):
    _, path = villages_file(demo_engine, tmp_path)
    before = snapshot(demo_engine)
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert (report.rows, report.unchanged, report.inserted, report.updated) == (96, 96, 0, 0)
    assert report.exit_code == 0 and not report.written and not report.errors
    assert report.warnings == []
    assert (report.code_field, report.name_field, report.crs) == \
        ("code", "name", "EPSG:4326 (declared)")
    assert snapshot(demo_engine) == before  # no write, no audit entry, same data version
    data = report.as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["rejected_file"] is None and data["errors"] == []


def test_shapefile_without_prj_in_metres_asks_for_src_crs(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    projected = villages.to_crs(METRIC).set_crs(None, allow_override=True)
    path = zipped_shapefile(projected, tmp_path, parts=(".shp", ".shx", ".dbf"))
    with pytest.raises(DataError, match="--src-crs") as caught:
        import_boundaries(demo_engine, ADMIN, path, "village")
    assert caught.value.file == "villages.zip"
    assert "no coordinate system" in str(caught.value)


def test_shapefile_with_src_crs_imports_and_matches_within_a_metre(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    projected = villages.to_crs(METRIC)
    moved = projected.copy()
    moved.loc[:4, "geometry"] = moved.geometry.iloc[:5].translate(12.0, -7.0)  # 5 villages
    expected = moved.to_crs(4326)
    path = zipped_shapefile(moved.set_crs(None, allow_override=True), tmp_path,
                            parts=(".shp", ".shx", ".dbf", ".cpg"))
    version = store.data_version(demo_engine)
    report = import_boundaries(demo_engine, ADMIN, path, "village", src_crs="EPSG:4546")
    assert report.exit_code == 0, report.messages()
    assert (report.updated, report.unchanged, report.inserted) == (5, 91, 0)
    assert report.crs == "EPSG:4546 (--src-crs)" and report.written
    stored = store.load_villages(demo_engine).set_index("code")
    for code, geometry in zip(expected["code"], expected.geometry, strict=True):
        assert metres_apart(stored.loc[code, "geometry"], geometry) < 1.0
    assert (stored["boundary_source"] == "official").sum() == 5
    assert store.data_version(demo_engine) == version + 1
    audit = store.load_audit(demo_engine)
    entry = audit.iloc[-1]
    assert (entry["action"], entry["entity"], entry["entity_key"]) == \
        ("import", "boundaries", "villages.zip")
    assert json.loads(entry["after"])["updated"] == 5
    again = import_boundaries(demo_engine, ADMIN, path, "village", src_crs="EPSG:4546")
    assert (again.updated, again.unchanged, again.written) == (0, 96, False)
    assert len(store.load_audit(demo_engine)) == len(audit)


def test_gbk_dbf_without_cpg_reads_chinese_names(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    new = gpd.GeoDataFrame(
        {"区划代码": ["420526101901", "420526101902"],
         "村名": ["新华村村民委员会", "白鹤社区居民委员会"]},
        geometry=[villages.geometry.iloc[0].buffer(-0.002), shapely.box(110.62, 31.43, 110.63,
                                                                         31.44)],
        crs=4326,
    )
    path = zipped_shapefile(new, tmp_path, parts=(".shp", ".shx", ".dbf", ".prj"),
                            encoding="GBK")
    with zipfile.ZipFile(path) as archive:
        dbf = archive.read("villages.dbf")
    assert not dbf_is_utf8(dbf) and "新华村".encode("gbk") in dbf
    frame = read_boundary_file(path)
    assert list(frame.columns[:2]) == ["区划代码", "村名"]
    assert frame.attrs["encoding"] == "GBK"
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert (report.code_field, report.name_field, report.encoding) == ("区划代码", "村名", "GBK")
    assert report.inserted == 2 and report.exit_code == 0
    assert codes(report, "warnings").count((None, "not_in_file")) == 96
    stored = store.load_villages(demo_engine).set_index("code")
    assert stored.loc["420526101901", ["name", "short_name", "kind", "parent_code"]].tolist() \
        == ["新华村村民委员会", "新华村", "村", "420526101"]
    assert stored.loc["420526101902", ["short_name", "kind"]].tolist() == ["白鹤社区", "社区"]


def test_utf8_dbf_without_cpg_is_read_as_utf8(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine).iloc[:3]
    path = zipped_shapefile(villages[["code", "name", "geometry"]], tmp_path,
                            parts=(".shp", ".shx", ".dbf", ".prj"), encoding="UTF-8")
    frame = read_boundary_file(path)
    assert frame.attrs["encoding"] == "UTF-8"
    assert frame["name"].tolist() == villages["name"].tolist()


def test_geopackage_in_cgcs2000(demo_engine, tmp_path):
    townships = store.load_townships(demo_engine)
    path = write(townships.to_crs(4490), tmp_path / "townships.gpkg")
    report = import_boundaries(demo_engine, ADMIN, path, "township")
    assert report.crs == "EPSG:4490 (declared)"
    assert (report.rows, report.unchanged, report.exit_code) == (8, 8, 0)
    frame = read_boundary_file(path)
    assert frame.crs.to_epsg() == 4326
    for read, original in zip(frame.geometry, townships.geometry, strict=True):
        assert metres_apart(read, original) < 0.01


def test_utm_shapefile_in_a_subfolder(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    path = zipped_shapefile(villages.to_crs(32649), tmp_path, subfolder="export/2024/")
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert report.crs == "EPSG:32649 (declared)"
    assert (report.unchanged, report.exit_code) == (96, 0), report.messages()
    frame = read_boundary_file(path)
    assert metres_apart(frame.geometry.iloc[0], villages.geometry.iloc[0]) < 0.01


def test_gcj02_county_outline_lands_back_within_five_metres(demo_engine, tmp_path):
    outline = store.load_county(demo_engine).geometry.iloc[0]
    shifted = shapely.transform(outline, wgs84_to_gcj02_xy)
    assert metres_apart(shifted, outline) > 100
    frame = gpd.GeoDataFrame({"乡镇代码": ["420526101000"], "乡镇名称": ["古夫镇"]},
                             geometry=[shifted], crs=4326)
    path = write(frame, tmp_path / "gufu_gcj02.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "township", src_crs="gcj02")
    assert report.exit_code == 0, report.messages()
    assert (report.crs, report.updated, report.code_field) == \
        ("GCJ-02 (--src-crs)", 1, "乡镇代码")
    stored = store.load_townships(demo_engine).set_index("code").loc["420526101"]
    assert metres_apart(stored["geometry"], outline) < 5.0
    assert stored["boundary_source"] == "official" and stored["name"] == "古夫镇"


def test_gcj02_refuses_projected_coordinates(demo_engine, tmp_path):
    townships = store.load_townships(demo_engine).to_crs(METRIC)
    path = write(townships, tmp_path / "townships.gpkg")
    with pytest.raises(DataError, match="gcj02 needs longitude/latitude"):
        import_boundaries(demo_engine, ADMIN, path, "township", src_crs="gcj02")
    with pytest.raises(DataError, match="not a coordinate system"):
        import_boundaries(demo_engine, ADMIN, path, "township", src_crs="EPSG:999999")


# --------------------------------------------------------------------------- features


def test_bow_tie_polygon_is_repaired_and_reported(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    x, y = villages.geometry.iloc[2].representative_point().coords[0]
    d = 0.002
    bow_tie = shapely.Polygon([(x - d, y - d), (x + d, y + d), (x + d, y - d), (x - d, y + d)])
    assert not bow_tie.is_valid
    villages.loc[2, "geometry"] = bow_tie
    path = write(villages, tmp_path / "villages.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert report.exit_code == 0 and report.updated == 1
    assert codes(report, "warnings") == [(3, "repaired_geometry")]
    assert "Self-intersection" in report.warnings[0].message
    stored = store.load_villages(demo_engine).set_index("code").loc[villages["code"].iloc[2]]
    assert stored["geometry"].is_valid and stored["geometry"].geom_type == "MultiPolygon"
    assert stored["geometry"].area == pytest.approx(2 * d * d)


def test_unknown_duplicate_and_bad_codes_reject_the_file(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    replaced = villages["code"].iloc[[1, 5, 7, 12]].tolist()
    villages.loc[1, ["code", "parent_code"]] = ["420526999001", "420526999"]  # no such township
    villages.loc[5, "code"] = villages.loc[4, "code"]  # features 5 and 6
    villages.loc[12, ["code", "parent_code"]] = villages.loc[4, ["code", "parent_code"]]
    villages.loc[12, "geometry"] = shapely.Point(0.0, 0.0)
    villages.loc[7, "code"] = "4205261010"
    villages.loc[9, "geometry"] = None  # an existing village keeps its polygon: a warning
    villages.loc[10, "geometry"] = shapely.LineString([(110.6, 31.4), (110.7, 31.5)])
    villages.loc[11, "geometry"] = translate(villages.geometry.iloc[11], 30.0, 0.0)
    villages.loc[0, "geometry"] = translate(villages.geometry.iloc[0], 0.001, 0.0)  # a change
    path = write(villages, tmp_path / "villages.geojson")
    before = snapshot(demo_engine)
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert report.exit_code == 1
    assert codes(report) == [
        (2, "unknown_township"), (5, "duplicate_code"), (6, "duplicate_code"),
        (8, "bad_code"), (11, "bad_geometry"), (12, "outside_china"), (13, "outside_china"),
        (13, "duplicate_code"),
    ]
    assert codes(report, "warnings") == [(10, "empty_geometry")] + [(None, "not_in_file")] * 4
    assert [issue.value for issue in report.warnings[1:]] == replaced
    assert report.rejected == 7 and report.rows == 96
    assert (report.inserted, report.updated, report.unchanged, report.written) == (0, 0, 0, False)
    error = report.as_dict()["errors"][0]
    assert error == {"row": 2, "column": "code", "value": "420526999001",
                     "message": error["message"], "code": "unknown_township"}
    assert "420526999" in error["message"]
    assert "feature 6, 13" in report.errors[1].message
    assert snapshot(demo_engine) == before  # all or nothing: feature 1's change not written
    assert report.messages()[0].endswith("nothing was imported")


def test_village_codes_must_nest_in_their_township(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    villages.loc[3, "parent_code"] = "420526102"  # code says 420526101
    path = write(villages, tmp_path / "villages.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert codes(report) == [(4, "not_nested")]
    assert report.errors[0].column == "parent_code"
    assert report.errors[0].value == "420526102"


def test_twelve_digit_township_codes_are_shortened(demo_engine, tmp_path):
    townships = store.load_townships(demo_engine)
    townships["code"] = townships["code"] + "000"
    townships = townships.drop(columns="parent_code")
    extra = gpd.GeoDataFrame(
        {"code": ["420526203000", "420527100000"], "name": ["新乡", "外县镇"]},
        geometry=[townships.geometry.iloc[0].buffer(-0.01)] * 2, crs=4326)
    path = write(pd.concat([townships, extra], ignore_index=True), tmp_path / "towns.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "township")
    assert codes(report) == [(10, "unknown_county")]  # 420527 is not in the database
    path = write(pd.concat([townships, extra.iloc[:1]], ignore_index=True),
                 tmp_path / "towns.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "township")
    assert report.exit_code == 0, report.messages()
    assert (report.unchanged, report.inserted) == (8, 1)
    stored = store.load_townships(demo_engine).set_index("code")
    assert stored.loc["420526203", ["name", "parent_code", "boundary_source"]].tolist() == \
        ["新乡", "420526", "official"]
    assert "420526101000" not in stored.index


def test_village_given_as_a_point_stays_a_point(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    point = shapely.Point(110.61234567, 31.4321)
    villages.loc[0, "geometry"] = point
    path = write(villages, tmp_path / "villages.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert (report.updated, report.exit_code) == (1, 0)
    with demo_engine.connect() as connection:
        row = connection.execute(select(schema.admin_units).where(
            schema.admin_units.c.code == villages["code"].iloc[0])).one()
    assert json.loads(row.geometry)["type"] == "Point"
    assert (row.lon, row.lat) == (110.612346, 31.4321)
    assert store.load_villages(demo_engine).geometry.iloc[0].equals(point)
    townships = store.load_townships(demo_engine)
    townships.loc[0, "geometry"] = point
    path = write(townships, tmp_path / "townships.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "township")
    assert codes(report) == [(1, "bad_geometry")]


def test_no_crs_but_lonlat_inside_china_is_accepted(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    path = zipped_shapefile(villages.set_crs(None, allow_override=True), tmp_path,
                            parts=(".shp", ".shx", ".dbf", ".cpg"))
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert report.exit_code == 0 and report.unchanged == 96
    assert report.crs.startswith("EPSG:4326 (assumed")
    assert codes(report, "warnings") == [(None, "assumed_wgs84")]


def test_no_crs_and_lonlat_outside_china_is_refused(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    paris = villages.translate(2.35 - 110.7, 48.85 - 31.3).set_crs(None, allow_override=True)
    frame = villages.set_geometry(paris)
    path = zipped_shapefile(frame, tmp_path, parts=(".shp", ".shx", ".dbf", ".cpg"))
    with pytest.raises(DataError, match=r"not longitude/latitude inside China.*--src-crs"):
        import_boundaries(demo_engine, ADMIN, path, "village")


def test_declared_lonlat_outside_china_is_refused(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    path = write(villages.to_crs(METRIC).set_crs(4326, allow_override=True),
                 tmp_path / "metres_called_degrees.gpkg")
    with pytest.raises(DataError, match="are not longitude/latitude"):
        import_boundaries(demo_engine, ADMIN, path, "village")


def test_not_in_file_and_name_differences_are_warnings(demo_engine, tmp_path):
    every = store.load_villages(demo_engine)
    villages = every.iloc[:10].copy()
    villages.loc[0, "name"] = "别名村"
    villages.loc[1, "name"] = villages.loc[1, "short_name"]  # the short name is the same unit
    path = write(villages, tmp_path / "part.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "village", dry_run=True)
    assert report.exit_code == 0 and report.unchanged == 10 and report.dry_run
    assert codes(report, "warnings")[0] == (1, "name_differs")
    assert codes(report, "warnings")[1:] == [(None, "not_in_file")] * 86
    assert [issue.value for issue in report.warnings[1:]] == every["code"].tolist()[10:]
    assert report.warnings[0].value == "别名村" and report.warnings[0].column == "name"


def test_dry_run_writes_nothing(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    villages["geometry"] = villages.geometry.translate(0.0005, 0.0)
    path = write(villages, tmp_path / "villages.geojson")
    before = snapshot(demo_engine)
    report = import_boundaries(demo_engine, ADMIN, path, "village", dry_run=True)
    assert (report.updated, report.written) == (96, False)
    assert "would be" in report.summary()
    assert snapshot(demo_engine) == before


# --------------------------------------------------------------------------- files


def test_files_that_are_not_boundary_files(demo_engine, tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    text = tmp_path / "notes.geojson"
    text.write_text("hello, this is not GeoJSON", encoding="utf-8")
    table = tmp_path / "villages.csv"
    table.write_text("code,name\n420526101001,龙珠社区\n", encoding="utf-8")
    nothing = tmp_path / "nothing.geojson"
    nothing.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    no_shp = tmp_path / "no_shp.zip"
    with zipfile.ZipFile(no_shp, "w") as archive:
        archive.writestr("readme.txt", "no shapefile here")
    not_zip = tmp_path / "broken.zip"
    not_zip.write_bytes(b"PK but not really a zip")
    cases = [(empty, "empty"), (text, "cannot read"), (table, "unknown format"),
             (nothing, "no feature"), (no_shp, "no Shapefile"), (not_zip, "not a readable zip"),
             (tmp_path / "missing.gpkg", "does not exist")]
    for path, message in cases:
        with pytest.raises(DataError, match=message) as caught:
            import_boundaries(demo_engine, ADMIN, path, "village")
        assert caught.value.file == path.name
        assert str(tmp_path) not in str(caught.value)


def test_missing_code_column_and_unknown_field_names(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    frame = gpd.GeoDataFrame({"备注": ["x"] * 3}, geometry=villages.geometry.iloc[:3], crs=4326)
    path = write(frame, tmp_path / "nocode.geojson")
    with pytest.raises(DataError, match=r"no code column found.*--code-field"):
        import_boundaries(demo_engine, ADMIN, path, "village")
    _, path = villages_file(demo_engine, tmp_path)
    with pytest.raises(DataError, match="no code column 'VCODE'"):
        import_boundaries(demo_engine, ADMIN, path, "village", code_field="VCODE")
    with pytest.raises(DataError, match="unknown level"):
        import_boundaries(demo_engine, ADMIN, path, "county")


def test_detect_fields_by_header_hint_and_content():
    frame = pd.DataFrame({"FID": [1, 2], "XZQDM": ["420526101001", "420526101002"],
                          "名称": ["a", "b"]})
    assert detect_code_field(frame) == "XZQDM"
    assert detect_name_field(frame) == "名称"
    assert detect_code_field(frame, "xzqdm") == "XZQDM"
    numbers = pd.DataFrame({"ID": [1, 2], "BM": [420526101001.0, 420526101002.0]})
    assert detect_code_field(numbers) == "BM"  # by content: 12-digit codes
    assert detect_name_field(numbers) is None
    with pytest.raises(DataError, match="several columns"):
        detect_code_field(pd.DataFrame({"A": ["420526101"], "B": ["420526101001"]}))


def test_numeric_codes_and_a_geopackage_with_two_layers(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)[["code", "name", "geometry"]]
    numeric = villages.assign(code=villages["code"].astype("int64"))
    path = write(numeric, tmp_path / "numeric.gpkg", layer="villages")
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert (report.unchanged, report.exit_code) == (96, 0)
    write(villages, path, layer="second")
    with pytest.raises(DataError, match="2 layers"):
        import_boundaries(demo_engine, ADMIN, path, "village")


def test_upload_uses_the_same_logic(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine)
    villages.loc[0, "geometry"] = villages.geometry.iloc[0].buffer(-0.001)
    path = zipped_shapefile(villages, tmp_path)
    report = import_boundary_upload(demo_engine, ADMIN, r"C:\Users\gis\villages.zip",
                                    path.read_bytes(), "village")
    assert (report.file, report.updated, report.unchanged) == ("villages.zip", 1, 95)
    assert store.load_audit(demo_engine).iloc[-1]["entity_key"] == "villages.zip"
    with pytest.raises(DataError, match="empty"):
        import_boundary_upload(demo_engine, ADMIN, "v.geojson", b"", "village")
    with pytest.raises(DataError, match=r"one \.zip"):
        import_boundary_upload(demo_engine, ADMIN, "v.shp", b"x", "village")


def test_only_an_administrator_imports(demo_engine, tmp_path):
    _, path = villages_file(demo_engine, tmp_path)
    organiser = User(username="org", role=Role.ORGANISER)
    with pytest.raises(AccessDeniedError):
        import_boundaries(demo_engine, organiser, path, "village")
    with pytest.raises(AccessDeniedError):
        import_boundary_upload(demo_engine, organiser, "v.geojson", path.read_bytes(), "village")


def test_same_geometry_ignores_orientation_and_single_part_multi():
    square = shapely.box(110.0, 31.0, 110.1, 31.1)
    assert same_geometry(square, shapely.MultiPolygon([square.reverse()]))
    assert same_geometry(square, shapely.box(110.0, 31.0, 110.1, 31.10000005))
    assert not same_geometry(square, shapely.box(110.0, 31.0, 110.1, 31.1001))
    assert not same_geometry(square, None)


def test_import_on_each_backend(engine, tmp_path):
    with engine.begin() as connection:
        connection.execute(insert(schema.admin_units), [
            {"code": "420526", "name": "兴山县", "short_name": "兴山县", "level": "county",
             "weak": False},
            {"code": "420526101", "name": "古夫镇", "short_name": "古夫镇",
             "level": "township", "parent_code": "420526", "weak": False},
        ])
    frame = gpd.GeoDataFrame(
        {"code": ["420526101001", "420526101002"], "name": ["龙珠社区居民委员会", "龙池村"]},
        geometry=[shapely.box(110.60, 31.40, 110.62, 31.42), shapely.Point(110.63, 31.41)],
        crs=4326)
    path = write(frame, tmp_path / "villages.geojson")
    report = import_boundaries(engine, ADMIN, path, "village")
    assert (report.inserted, report.exit_code, report.written) == (2, 0, True)
    again = import_boundaries(engine, ADMIN, path, "village")
    assert (again.unchanged, again.written) == (2, False)
    stored = store.load_villages(engine)
    assert stored["short_name"].tolist() == ["龙珠社区", "龙池村"]
    assert stored["boundary_source"].tolist() == ["official", "official"]
    assert len(store.load_audit(engine)) == 1 and store.data_version(engine) == 1


def test_a_feature_without_geometry_keeps_an_existing_location(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine).iloc[:2][["code", "name", "geometry"]]
    villages.loc[0, "geometry"] = None
    new = gpd.GeoDataFrame({"code": ["420526101950"], "name": ["无界村"]}, geometry=[None],
                           crs=4326)
    path = write(pd.concat([villages, new], ignore_index=True), tmp_path / "v.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "village")
    assert codes(report) == [(3, "empty_geometry")]
    path = write(villages, tmp_path / "v.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "village", src_crs="4326")
    assert report.exit_code == 0 and report.unchanged == 2
    assert codes(report, "warnings") == [(1, "empty_geometry")] + [(None, "not_in_file")] * 94
    assert report.crs == "EPSG:4326 (--src-crs)"


def test_codes_of_the_other_level_get_a_hint(demo_engine, tmp_path):
    villages = store.load_villages(demo_engine).iloc[:1]
    path = write(villages, tmp_path / "v.geojson")
    report = import_boundaries(demo_engine, ADMIN, path, "township")
    assert codes(report) == [(1, "bad_code")]
    assert "--level village" in report.errors[0].message
    assert report.messages()[1].startswith("error: feature 1, column code, value '420526101001'")
