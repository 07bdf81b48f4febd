"""Hostile uploads are refused before they are parsed, within a memory budget (issue 10,
finding 1).

Each shape the issue names is built here, small on disk (``tests.hostile_files``), and
imported for real (``import_file`` into the sample county, or ``import_boundaries``) in a
child process (``tests.upload_child``) whose address space is capped with ``RLIMIT_AS``
before numpy, pyarrow or GDAL is imported. The test asserts the Chinese sentence (naming
the file, and the row and column where there is one), that nothing was written, and that
the child's peak resident memory stayed under 1 GiB (``VmHWM``: ``ru_maxrss`` would carry
the pytest process's own peak into the child, see ``tests.upload_child.peak_rss_kib``).

Why RSS is asserted, and the cap is higher: the cap is only a safety net, so that a
regression that reads a hostile file whole dies of ``MemoryError`` in the child instead
of taking the machine down (the issue measured 7.5 GB). Address space is not memory used:
importing numpy, pyarrow, shapely, pyogrio (GDAL) and psycopg maps about 450 MiB of
shared libraries, and every thread reserves a stack and may reserve a 64 MiB malloc
arena, more on a machine with more cores. The imports here work under 512 MiB on 2
cores; ``AS_CAP_MIB`` (1.5 GiB) leaves room for larger machines while still stopping a
runaway long before it harms CI. What a file costs is the memory actually touched, the
peak RSS, and that is what must stay under 1 GiB.

Before the bounds (commit 4e7f292) the shared string, the XFD column and the million-row
sheet each ran into the cap (MemoryError or minutes of CPU).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from geo import db, schema, store
from tests import hostile_files
from tests.conftest import ROOT, postgres_database

AS_CAP_MIB = 1536
"""The child's address-space cap (see the module docstring)."""
RSS_BUDGET_MIB = 1024
"""The peak resident memory an import of any of these files may reach."""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile workbooks and zips, built once (well under 2 MB on disk together)."""
    folder = tmp_path_factory.mktemp("hostile")
    hostile_files.huge_shared_string(folder / "共享字符串.xlsx", mib=512)
    hostile_files.huge_shared_string(folder / "谎报大小.xlsx", mib=512, declared=1000)
    hostile_files.lying_content_types(folder / "谎报内容类型.xlsx", mib=1000)
    hostile_files.far_column_sheet(folder / "XFD列.xlsx", rows=4000)
    hostile_files.rows_sheet(folder / "百万行.xlsx", rows=1_048_577)
    hostile_files.wide_sheet(folder / "多列.xlsx", columns=201)
    hostile_files.zip_bomb_shapefile(folder / "村界.zip", mib=1025)
    hostile_files.zip_bomb_shapefile(folder / "村界谎报.zip", mib=1025, declared=1000)
    return folder


@pytest.fixture(scope="module")
def pg_county(postgres_admin: Engine, demo_postgres_template: str) -> Iterator[str]:
    """A PostgreSQL database holding the sample county, shared by this module's tests
    (none of them may write to it)."""
    yield from postgres_database(postgres_admin, demo_postgres_template)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def county(request: pytest.FixtureRequest) -> str:
    """The URL of a database holding the sample county, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{request.getfixturevalue('demo_copy')}"
    return request.getfixturevalue("pg_county")


def _state(url: str) -> tuple[int, int, int]:
    """The data version, audit entries and visits of the database at ``url``."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            counts = [connection.execute(select(func.count()).select_from(table)).scalar_one()
                      for table in (schema.audit_log, schema.visits)]
        return store.data_version(engine), counts[0], counts[1]
    finally:
        engine.dispose()


def _sqlite(copy: Path) -> str:
    return f"sqlite:///{copy}"


def run_child(kind: str, url: str, target: str, path: Path, dry_run: bool = False,
              **settings: str) -> dict[str, object]:
    """Import ``path`` in a capped child; its JSON result (``code``, ``zh``, ``en`` or
    ``report``; ``maxrss_mib``; ``seconds``)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PAIRMAP_")}
    env.update({f"PAIRMAP_{key.upper()}": value for key, value in settings.items()})
    child = subprocess.run(
        [sys.executable, "-m", "tests.upload_child", str(AS_CAP_MIB), kind, url, target,
         str(path), *(["dry-run"] if dry_run else [])],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


def refused(kind: str, url: str, target: str, path: Path, code: str,
            **settings: str) -> str:
    """Import ``path`` in a capped child; assert it was refused with ``code`` within the
    memory budget and wrote nothing; return the Chinese sentence."""
    before = _state(url)
    result = run_child(kind, url, target, path, **settings)
    assert result.get("code") == code, result
    assert result["maxrss_mib"] < RSS_BUDGET_MIB, result
    assert _state(url) == before
    message = str(result["zh"])
    assert path.name in message, message
    return message


# --- workbooks --------------------------------------------------------------------------

@pytest.mark.slow  # a Python subprocess
def test_a_512_mib_shared_string_is_refused_before_parsing(files: Path, county: str) -> None:
    path = files / "共享字符串.xlsx"
    assert path.stat().st_size < 1_000_000
    message = refused("table", county, "visits", path, "shared_strings_too_large")
    assert "共享字符串" in message and "512 MB" in message and "100 MB" in message


@pytest.mark.slow  # a Python subprocess
def test_a_shared_string_whose_header_lies_is_not_unpacked(files: Path, demo_copy: Path) -> None:
    """The zip declares 1,000 bytes for a 512 MiB part: unpacking stops at the declared
    size and the CRC does not match."""
    path = files / "谎报大小.xlsx"
    message = refused("table", _sqlite(demo_copy), "visits", path, "unreadable_xlsx")
    assert "无法按 .xlsx 工作簿读取" in message


@pytest.mark.slow  # a Python subprocess
def test_a_workbook_part_whose_header_lies_is_not_inflated_whole(
        files: Path, demo_copy: Path) -> None:
    """``[Content_Types].xml`` declares 1 KB and holds 1,000 MiB: it is unpacked once in
    chunks and fails its CRC, before openpyxl's ``ZipFile.read`` could inflate it whole
    (which took the child to its cap and ``MemoryError``)."""
    path = files / "谎报内容类型.xlsx"
    message = refused("table", _sqlite(demo_copy), "visits", path, "unreadable_xlsx")
    assert "BadZipFile" in message


@pytest.mark.slow  # a Python subprocess
def test_a_cell_in_column_xfd_on_every_row_is_refused(files: Path, county: str) -> None:
    path = files / "XFD列.xlsx"
    assert path.stat().st_size < 70_000
    message = refused("table", county, "visits", path, "too_many_columns")
    assert "16,384 列" in message and "第 2 行" in message and "“XFD”列" in message


@pytest.mark.slow  # a Python subprocess
def test_a_sheet_past_the_default_row_bound_is_refused(files: Path, county: str) -> None:
    """1,048,577 rows written as raw XML (about 150 KB on disk): refused at the first
    row past ``PAIRMAP_UPLOAD_MAX_ROWS`` (default 1,048,576) before openpyxl reads a cell."""
    path = files / "百万行.xlsx"
    message = refused("table", county, "visits", path, "too_many_rows")
    assert "第 1048577 行" in message and "1,048,576" in message


@pytest.mark.slow  # a Python subprocess
def test_a_second_sheet_past_the_row_bound_refuses_the_workbook(tmp_path: Path,
                                                               demo_copy: Path) -> None:
    """openpyxl walks every sheet without a ``<dimension>`` when it opens a workbook,
    keeping an element per row, whichever sheet is imported: the bounds hold for every
    sheet (``PAIRMAP_UPLOAD_MAX_ROWS=1000``, the second sheet has 1,001 rows)."""
    path = hostile_files.two_sheets(tmp_path / "两个工作表.xlsx", second_rows=1001)
    message = refused("table", _sqlite(demo_copy), "visits", path, "too_many_rows",
                      upload_max_rows="1000")
    assert "第 1001 行" in message


@pytest.mark.slow  # a Python subprocess
def test_more_than_200_used_columns_are_refused(files: Path, county: str) -> None:
    message = refused("table", county, "visits", files / "多列.xlsx", "too_many_columns")
    assert "201 列" in message and "第 1 行" in message and "“GS”列" in message


# --- CSV --------------------------------------------------------------------------------

VISIT_HEADER = "日期,单位代码,村代码,走访类型,干部人数,走访户数,工作内容"
VISIT_ROW = "2026-05-06,D01,420526100001,走访慰问,2,3,入户走访\n"


@pytest.mark.slow  # a Python subprocess
def test_a_csv_past_the_row_bound_is_refused(tmp_path: Path, county: str) -> None:
    """With ``PAIRMAP_UPLOAD_MAX_ROWS=1000`` the 1,001st row (a header and 1,000 visits)
    is refused, with its row; the bound is the same setting as for workbooks."""
    path = tmp_path / "走访记录.csv"
    path.write_text(VISIT_HEADER + "\n" + VISIT_ROW * 1000, encoding="utf-8")
    message = refused("table", county, "visits", path, "too_many_rows",
                      upload_max_rows="1000")
    assert "第 1001 行" in message and "1,000" in message


@pytest.mark.slow  # a Python subprocess
def test_a_csv_past_the_column_bound_is_refused(tmp_path: Path, county: str) -> None:
    path = tmp_path / "走访记录.csv"
    extra = ",".join(f"备注{i}" for i in range(7, 201))
    path.write_text(f"{VISIT_HEADER},{extra}\n" + VISIT_ROW, encoding="utf-8")
    message = refused("table", county, "visits", path, "too_many_columns")
    assert "201 列" in message and "第 1 行" in message and "“GS”列" in message


@pytest.mark.slow  # a Python subprocess
def test_a_csv_larger_than_the_size_bound_is_refused(tmp_path: Path, demo_copy: Path) -> None:
    """``PAIRMAP_UPLOAD_MAX_MB=1``: a 1.2 MB file is refused before it is read."""
    path = tmp_path / "走访记录.csv"
    path.write_text(VISIT_HEADER + "\n" + VISIT_ROW * 20_000, encoding="utf-8")
    message = refused("table", _sqlite(demo_copy), "visits", path, "file_too_large",
                      upload_max_mb="1")
    assert "上限 1 MB" in message


# --- boundary files ---------------------------------------------------------------------

@pytest.mark.slow  # a Python subprocess
def test_a_zipped_shapefile_declaring_more_than_1_gib_is_not_unpacked(
        files: Path, demo_copy: Path) -> None:
    path = files / "村界.zip"
    assert path.stat().st_size < 2_000_000
    message = refused("boundary", _sqlite(demo_copy), "village", path, "zip_too_large")
    assert "1,025 MB" in message and "1,024 MB" in message


@pytest.mark.slow  # a Python subprocess
def test_a_zipped_shapefile_whose_header_lies_stops_unpacking(files: Path, demo_copy: Path) -> None:
    """The ``.dbf`` declares 1,000 bytes and holds 1,025 MiB: Python's zipfile stops at
    the declared size and the CRC fails; nothing past the bound reaches the disk
    (``copy_bounded`` counts what is written, see the test below)."""
    path = files / "村界谎报.zip"
    message = refused("boundary", _sqlite(demo_copy), "village", path, "cannot_unpack")
    assert "villages.dbf" in message


def test_copy_bounded_stops_at_the_bytes_actually_unpacked() -> None:
    import io

    from geo.errors import DataError
    from geo.io.limits import copy_bounded

    sink = io.BytesIO()
    with pytest.raises(DataError) as raised:
        copy_bounded(io.BytesIO(b"x" * (3 << 20)), sink, 2 << 20, "村界.zip", 2 << 20)
    assert raised.value.code == "zip_unpacks_too_much"
    assert sink.tell() <= 2 << 20
    assert copy_bounded(io.BytesIO(b"x" * 10), io.BytesIO(), 10, "村界.zip", 10) == 10


def _points(count: int, fields: int = 0) -> object:
    import geopandas as gpd
    from shapely.geometry import Point

    data = {"code": [f"4205261000{i % 100:02d}" for i in range(count)],
            "name": [f"村{i}" for i in range(count)]}
    data.update({f"f{i}": ["x"] * count for i in range(fields)})
    return gpd.GeoDataFrame(data, geometry=[Point(110.7 + i * 1e-5, 31.3)
                                            for i in range(count)], crs=4326)


@pytest.mark.slow  # a Python subprocess
def test_a_geopackage_with_more_features_than_the_bound_is_refused(
        tmp_path: Path, demo_copy: Path) -> None:
    """``PAIRMAP_UPLOAD_MAX_ROWS=1000``: 1,001 features, counted from the GeoPackage's
    header before any is read."""
    path = tmp_path / "村界.gpkg"
    _points(1001).to_file(path, driver="GPKG")
    message = refused("boundary", _sqlite(demo_copy), "village", path, "too_many_features",
                      upload_max_rows="1000")
    assert "1,001 个要素" in message and "1,000" in message


@pytest.mark.slow  # a Python subprocess
def test_a_geopackage_with_more_than_200_fields_is_refused(tmp_path: Path, demo_copy: Path) -> None:
    path = tmp_path / "村界.gpkg"
    _points(1, fields=199).to_file(path, driver="GPKG")
    message = refused("boundary", _sqlite(demo_copy), "village", path, "too_many_fields")
    assert "201 个属性列" in message and "200" in message


@pytest.mark.slow  # a Python subprocess
def test_a_geopackage_within_the_bounds_is_read(tmp_path: Path, demo_copy: Path) -> None:
    """The same file within the bounds gets as far as its features (these codes are not
    the county's: row errors, not a bound)."""
    path = tmp_path / "村界.gpkg"
    _points(3, fields=198).to_file(path, driver="GPKG")
    result = run_child("boundary", _sqlite(demo_copy), "village", path)
    assert "report" in result or result.get("code") not in (
        "too_many_fields", "too_many_features"), result
    assert result["maxrss_mib"] < RSS_BUDGET_MIB
