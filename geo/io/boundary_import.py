"""Importing official township and village boundaries from GIS files.

A boundary file is GeoJSON, a zipped Shapefile (its ``.dbf`` in the encoding its ``.cpg``
names, else UTF-8, else GBK) or a GeoPackage, read with pyogrio. Its coordinates are
brought to WGS84 from the CRS the file declares or the one given as ``src_crs``
(any pyproj CRS such as ``EPSG:4546``, or ``gcj02`` for the offset coordinates of
Chinese web maps); a file without a CRS is accepted only when its coordinates are plainly
longitude/latitude inside China.

Every feature names a unit by its statistical division code: a township by 9 digits (a
12-digit code ending in ``000`` is shortened), a village by 12 digits nesting in an
existing township. Existing units get the file's geometry, new ones are inserted, units
missing from the file are reported and kept. The import is all or nothing: any invalid
feature rejects the whole file, and a file that changes nothing writes nothing.

Problems of the file as a whole (unreadable, unknown format, no code column, unknown
coordinates) raise :class:`~geo.errors.DataError`; problems of single features are
collected in the :class:`BoundaryReport` with their 1-based feature number.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from geo import schema
from geo.access import Action, User, require
from geo.audit import write_audit
from geo.errors import DataError
from geo.io.gcj02 import gcj02_to_wgs84_xy
from geo.store import bump_data_version
from geo.text import normalize_text, short_village_name, village_kind

LEVELS = ("township", "village")
GCJ02_NAMES = ("gcj02", "gcj-02", "gcj")
SUPPORTED_SUFFIXES = (".geojson", ".json", ".zip", ".shp", ".gpkg")
CHINA_LON = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)
GEOMETRY_TOLERANCE = 1e-6  # degrees, about 10 cm: survives a 6-decimal GeoJSON export
"""Degrees: vertices closer than this count as unchanged."""
MAX_NAME_LENGTH = 100
MAX_UNZIPPED_BYTES = 1 << 30

CODE_HEADERS = (
    "code", "代码", "区划代码", "行政区划代码", "统计用区划代码", "村代码", "村级代码",
    "乡镇代码", "编码", "区划编码", "xzqdm", "xzqhdm", "adcode", "dm",
)
NAME_HEADERS = (
    "name", "名称", "村名", "村名称", "村委会名称", "村委会", "乡镇名称", "乡镇名", "乡镇",
    "区划名称", "行政区名称", "行政区划名称", "单位名称", "xzqmc", "xzqhmc", "mc", "short_name",
)
PARENT_HEADERS = {
    "village": ("parent_code", "parent_cod", "township_code", "towncode", "town_code",
                "乡镇代码", "所属乡镇代码", "上级代码", "上级区划代码"),
    "township": ("parent_code", "parent_cod", "county_code", "countycode", "所属县代码",
                 "区县代码", "上级代码", "上级区划代码"),
}
_CODE_PATTERN = re.compile(r"\d{9}(\d{3})?")
_FLOAT_CODE = re.compile(r"(\d+)\.0*")


@dataclass(frozen=True)
class Issue:
    """One error or warning about a feature (``row`` is its 1-based number) or the file."""

    code: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the issue in the record-import contract's form."""
        return {"row": self.row, "column": self.column, "value": self.value,
                "message": self.message, "code": self.code}

    def describe(self) -> str:
        """Return one line for a person: where, then what."""
        where = ", ".join(part for part in (
            f"feature {self.row}" if self.row is not None else "",
            f"column {self.column}" if self.column else "",
            f"value {self.value!r}" if self.value not in (None, "") else "",
        ) if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class BoundaryReport:
    """What a boundary import found and did.

    Counts are of features; ``inserted``, ``updated`` and ``unchanged`` stay 0 when the
    file is rejected (nothing is written then). In a dry run they tell what would happen.
    """

    file: str
    level: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    crs: str | None = None
    code_field: str | None = None
    name_field: str | None = None
    encoding: str | None = None
    dry_run: bool = False
    written: bool = False
    rejected_file: str | None = None

    @property
    def exit_code(self) -> int:
        """0 when every feature is valid, 1 when some are not (and nothing was written)."""
        return 1 if self.errors else 0

    @property
    def changed(self) -> bool:
        """Whether the import inserts or updates anything."""
        return not self.errors and (self.inserted + self.updated) > 0

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain JSON-ready data."""
        return {
            "file": self.file, "level": self.level, "rows": self.rows,
            "inserted": self.inserted, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "errors": [issue.as_dict() for issue in self.errors],
            "warnings": [issue.as_dict() for issue in self.warnings],
            "crs": self.crs, "code_field": self.code_field, "name_field": self.name_field,
            "encoding": self.encoding, "dry_run": self.dry_run, "written": self.written,
            "rejected_file": self.rejected_file,
        }

    def counts(self) -> dict[str, object]:
        """Return the counts recorded in the audit log."""
        return {"level": self.level, "rows": self.rows, "inserted": self.inserted,
                "updated": self.updated, "unchanged": self.unchanged,
                "warnings": len(self.warnings), "crs": self.crs}

    def summary(self) -> str:
        """Return one sentence: the counts, or why nothing was written."""
        if self.errors:
            return (f"{self.file}: {self.rejected} of {self.rows} features invalid; "
                    "nothing was imported")
        verb = "would be" if self.dry_run else "were"
        return (f"{self.file}: {self.rows} features; {self.inserted} {verb} inserted, "
                f"{self.updated} updated, {self.unchanged} unchanged")

    def messages(self) -> list[str]:
        """Return the summary, then one line per error and warning."""
        lines = [self.summary()]
        lines += [f"error: {issue.describe()}" for issue in self.errors]
        lines += [f"warning: {issue.describe()}" for issue in self.warnings]
        return lines


@dataclass
class _Source:
    frame: gpd.GeoDataFrame
    crs: str
    encoding: str | None
    warnings: list[Issue]


# --------------------------------------------------------------------------- reading


def read_boundary_file(path: str | Path, src_crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a boundary file into WGS84.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.geojson``/``.json`` file, a ``.zip`` holding one Shapefile (in any folder)
        or one GeoPackage/GeoJSON, a ``.shp`` with its ``.shx`` and ``.dbf`` beside it,
        or a ``.gpkg`` with one layer.
    src_crs : str, optional
        The coordinates' CRS when the file declares none or a wrong one: anything pyproj
        understands (``"EPSG:4546"``) or ``"gcj02"``.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in file order (index ``0..n-1``) in EPSG:4326, geometry as read
        (not yet repaired). ``attrs["source_crs"]`` describes where the coordinates came
        from and ``attrs["encoding"]`` the Shapefile encoding chosen, if any.

    Raises
    ------
    DataError
        When the file is missing, empty, of an unknown format, unreadable, holds no
        feature, or its coordinates cannot be placed (no CRS and not lon/lat in China).
    """
    source = _read_source(Path(path), src_crs)
    frame = source.frame
    frame.attrs["source_crs"] = source.crs
    frame.attrs["encoding"] = source.encoding
    return frame


def _read_source(path: Path, src_crs: str | None) -> _Source:
    name = path.name
    if not path.exists():
        raise DataError("the file does not exist", file=name)
    if not path.is_file():
        raise DataError("this is not a file", file=name)
    if path.stat().st_size == 0:
        raise DataError("the file is empty", file=name)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(
            f"unknown format {suffix or '(no file ending)'}; use GeoJSON (.geojson), a zipped "
            "Shapefile (.zip) or a GeoPackage (.gpkg)", file=name)
    with tempfile.TemporaryDirectory(prefix="pairmap-boundaries-") as folder:
        target = _unzip(path, Path(folder)) if suffix == ".zip" else path
        frame, encoding = _read_frame(target, name)
    warnings: list[Issue] = []
    frame, label = _to_wgs84(frame, src_crs, name, warnings)
    return _Source(frame, label, encoding, warnings)


def _unzip(path: Path, folder: Path) -> Path:
    """Extract the one data set of a zip file (a Shapefile with its parts) into ``folder``."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"the file is not a readable zip file ({exc})", file=name) from exc
    with archive:
        members = [
            m for m in archive.infolist()
            if not m.is_dir() and not m.filename.startswith("__MACOSX/")
            and not PurePosixPath(m.filename).name.startswith("._")
        ]
        if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise DataError("the zip file unpacks to more than 1 GiB", file=name)
        shapefiles = [m for m in members if m.filename.lower().endswith(".shp")]
        others = [m for m in members
                  if PurePosixPath(m.filename).suffix.lower() in (".gpkg", ".geojson", ".json")]
        if len(shapefiles) > 1:
            listed = ", ".join(m.filename for m in shapefiles)
            raise DataError(f"the zip file holds {len(shapefiles)} Shapefiles ({listed}); "
                            "put one Shapefile in each zip file", file=name)
        if shapefiles:
            stem = shapefiles[0].filename[:-4].lower()
            chosen = [m for m in members
                      if m.filename.lower().rsplit(".", 1)[0] == stem]
        elif len(others) == 1:
            chosen = others
        else:
            raise DataError("the zip file holds no Shapefile (.shp with .shx and .dbf)",
                            file=name)
        target: Path | None = None
        for member in chosen:
            out = folder / PurePosixPath(member.filename).name
            try:
                out.write_bytes(archive.read(member))
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
                raise DataError(f"cannot unpack {member.filename} ({exc})", file=name) from exc
            if member in shapefiles or member in others:
                target = out
    assert target is not None
    return target


def _sidecar(shp: Path, suffix: str) -> Path | None:
    for candidate in (shp.with_suffix(suffix.lower()), shp.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def dbf_is_utf8(dbf: bytes) -> bool:
    """Whether the text of a dBase file (field names and text fields) is valid UTF-8.

    Parameters
    ----------
    dbf : bytes
        The whole ``.dbf`` file.

    Returns
    -------
    bool
        True when every field name and every character field decodes as UTF-8 (pure
        ASCII does); numbers, dates and binary fields are not looked at.
    """
    if len(dbf) < 32:
        return True
    count = int.from_bytes(dbf[4:8], "little")
    header_length = int.from_bytes(dbf[8:10], "little")
    record_length = int.from_bytes(dbf[10:12], "little")
    names, text_columns = [], []
    offset, start = 1, 32  # each record begins with its deletion flag
    while start + 32 <= min(header_length, len(dbf)) and dbf[start] != 0x0D:
        descriptor = dbf[start:start + 32]
        names.append(descriptor[:11].split(b"\x00", 1)[0])
        length = descriptor[16]
        if descriptor[11:12] in (b"C", b"V"):
            text_columns.extend(range(offset, offset + length))
        offset += length
        start += 32
    try:
        b"".join(names).decode("utf-8")
        if text_columns and record_length > 0 and count > 0:
            body = dbf[header_length:header_length + count * record_length]
            rows = len(body) // record_length
            table = np.frombuffer(body[:rows * record_length], dtype=np.uint8)
            columns = np.array(text_columns)
            columns = columns[columns < record_length]
            table.reshape(rows, record_length)[:, columns].tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _shapefile_encoding(shp: Path, name: str) -> str | None:
    """Return the encoding to read a Shapefile's attributes with (None: its ``.cpg``)."""
    if _sidecar(shp, ".shx") is None or _sidecar(shp, ".dbf") is None:
        raise DataError("the Shapefile lacks its .shx or .dbf part; zip the .shp, .shx, .dbf, "
                        ".prj and .cpg files together", file=name)
    if _sidecar(shp, ".cpg") is not None:
        return None
    dbf = _sidecar(shp, ".dbf")
    assert dbf is not None
    return "UTF-8" if dbf_is_utf8(dbf.read_bytes()) else "GB18030"


def _read_frame(target: Path, name: str) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read the one layer of ``target`` with pyogrio; ``name`` is shown in messages."""
    encoding = _shapefile_encoding(target, name) if target.suffix.lower() == ".shp" else None
    try:
        layers = pyogrio.list_layers(target)
        spatial = [str(layer) for layer, kind in layers if kind is not None]
        if len(layers) == 0 or not spatial:
            raise DataError("the file holds no layer with geometry", file=name)
        if len(spatial) > 1:
            raise DataError(f"the file holds {len(spatial)} layers ({', '.join(spatial)}); "
                            "keep one layer per file", file=name)
        frame = pyogrio.read_dataframe(target, layer=spatial[0], encoding=encoding)
    except DataError:
        raise
    except Exception as exc:
        reason = str(exc).replace(str(target), name).split(";", 1)[0]
        raise DataError(f"cannot read it as GeoJSON, Shapefile or GeoPackage: {reason}",
                        file=name) from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise DataError("the file holds no geometry", file=name)
    if frame.empty:
        raise DataError("the file holds no feature", file=name)
    if frame.geometry.isna().all() or frame.geometry.is_empty.all():
        raise DataError("no feature of the file has a geometry", file=name)
    frame = frame.reset_index(drop=True)
    if encoding == "GB18030":
        encoding = "GBK"
    return frame, encoding


def crs_label(crs: pyproj.CRS) -> str:
    """Return ``EPSG:N`` for a CRS pyproj can identify, else its name."""
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg is not None else crs.name


def _bounds(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return ``minx, miny, maxx, maxy`` of the finite coordinates (NaN when none)."""
    geometry = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    coords = shapely.get_coordinates(np.asarray(geometry))
    coords = coords[np.isfinite(coords).all(axis=1)]
    if len(coords) == 0:
        return np.array([np.nan] * 4)
    return np.array([coords[:, 0].min(), coords[:, 1].min(),
                     coords[:, 0].max(), coords[:, 1].max()])


def _lonlat_in_china(bounds: np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds
    return bool(CHINA_LON[0] <= minx and maxx <= CHINA_LON[1]
                and CHINA_LAT[0] <= miny and maxy <= CHINA_LAT[1])


def _plausible_lonlat(bounds: np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds
    return bool(np.isfinite(bounds).all() and -180 <= minx <= maxx <= 180
                and -90 <= miny <= maxy <= 90)


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.6g}"


def _extent(bounds: np.ndarray) -> str:
    minx, miny, maxx, maxy = (_number(float(v)) for v in bounds)
    return f"x {minx} to {maxx}, y {miny} to {maxy}"


def _to_wgs84(frame: gpd.GeoDataFrame, src_crs: str | None, name: str,
              warnings: list[Issue]) -> tuple[gpd.GeoDataFrame, str]:
    """Return ``frame`` in EPSG:4326 and a description of the source CRS."""
    declared = frame.crs
    bounds = _bounds(frame)
    frame = frame.set_geometry(shapely.force_2d(np.asarray(frame.geometry)), crs=declared)
    ask = "give the source CRS with --src-crs EPSG:N (or --src-crs gcj02)"
    if src_crs is not None and normalize_text(src_crs).lower() in GCJ02_NAMES:
        if declared is not None and not declared.is_geographic:
            raise DataError(f"--src-crs gcj02 needs longitude/latitude, but the file declares "
                            f"{crs_label(declared)}", file=name)
        if not _lonlat_in_china(bounds):
            raise DataError(f"--src-crs gcj02 needs longitude/latitude inside China, but the "
                            f"coordinates run {_extent(bounds)}", file=name)
        geometry = shapely.transform(np.asarray(frame.geometry), _gcj02_rows)
        frame = frame.set_geometry(geometry, crs=None).set_crs(4326)
        label = "GCJ-02 (--src-crs)"
    elif src_crs is not None:
        text = normalize_text(src_crs)
        try:
            given = pyproj.CRS.from_user_input(f"EPSG:{text}" if text.isdigit() else text)
        except CRSError as exc:
            raise DataError(f"--src-crs {src_crs!r} is not a coordinate system; use EPSG:N "
                            "or gcj02", file=name) from exc
        if declared is not None and not declared.equals(given, ignore_axis_order=True):
            warnings.append(Issue(
                "crs_overridden",
                f"the file declares {crs_label(declared)}; its coordinates were read as "
                f"{crs_label(given)} (--src-crs)"))
        frame = _reproject(frame.set_crs(given, allow_override=True), name)
        label = f"{crs_label(given)} (--src-crs)"
    elif declared is None:
        if not _lonlat_in_china(bounds):
            where = _extent(bounds) if np.isfinite(bounds).all() else "not finite"
            raise DataError(f"the file declares no coordinate system and its coordinates "
                            f"({where}) are not longitude/latitude inside China; {ask}",
                            file=name)
        frame = frame.set_crs(4326)
        label = "EPSG:4326 (assumed: no CRS declared, longitude/latitude inside China)"
        warnings.append(Issue("assumed_wgs84", "the file declares no coordinate system; its "
                              "longitude/latitude were taken as WGS84"))
    else:
        if declared.is_geographic and not _plausible_lonlat(bounds):
            raise DataError(f"the file declares {crs_label(declared)}, but its coordinates "
                            f"({_extent(bounds)}) are not longitude/latitude; {ask}",
                            file=name)
        frame = _reproject(frame, name)
        label = f"{crs_label(declared)} (declared)"
    final = _bounds(frame)
    if not np.isfinite(final).all():
        raise DataError(f"no coordinate could be converted from {label}; check the coordinate "
                        f"system or {ask}", file=name)
    if not _overlaps_china(final):
        raise DataError(f"read as {label}, the features lie outside China ({_extent(final)}); "
                        f"check the coordinate system or {ask}", file=name)
    return frame, label


def _gcj02_rows(coords: np.ndarray) -> np.ndarray:
    return gcj02_to_wgs84_xy(coords)


def _overlaps_china(bounds: np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds
    return bool(minx <= CHINA_LON[1] and maxx >= CHINA_LON[0]
                and miny <= CHINA_LAT[1] and maxy >= CHINA_LAT[0])


def _reproject(frame: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    try:
        return frame.to_crs(4326)
    except Exception as exc:
        raise DataError(f"cannot convert the coordinates from {crs_label(frame.crs)} to "
                        f"WGS84: {exc}", file=name) from exc


# --------------------------------------------------------------------------- columns


def _header_key(column: object) -> str:
    return normalize_text(column).casefold().replace(" ", "_")


def _find_header(frame: pd.DataFrame, hint: str | None, candidates: tuple[str, ...],
                 what: str, option: str, file: str | None) -> str | None:
    columns = [c for c in frame.columns if c != frame.geometry.name] \
        if isinstance(frame, gpd.GeoDataFrame) else list(frame.columns)
    keys = {_header_key(c): c for c in reversed(columns)}
    if hint is not None:
        found = keys.get(_header_key(hint))
        if found is None:
            raise DataError(f"there is no {what} column {hint!r} ({option}); the columns are "
                            f"{', '.join(map(str, columns)) or 'none'}", file=file,
                            column=hint)
        return str(found)
    for candidate in candidates:
        if candidate.casefold() in keys:
            return str(keys[candidate.casefold()])
    return None


def code_text(value: object) -> str:
    """Return a code cell as text: integers and ``420526101001.0`` lose their decimals."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    text = normalize_text(value)
    match = _FLOAT_CODE.fullmatch(text)
    return match.group(1) if match else text


def detect_code_field(frame: pd.DataFrame, hint: str | None = None,
                      file: str | None = None) -> str:
    """Return the column holding the division codes.

    Parameters
    ----------
    frame : pandas.DataFrame
        The features' attributes.
    hint : str, optional
        The column named by the user (``--code-field``); matched ignoring case.
    file : str, optional
        The file name for messages.

    Returns
    -------
    str
        ``hint`` when given, else the first common header present (``code``, ``代码``,
        ``区划代码``, …), else the only column whose values look like 9- or 12-digit codes.

    Raises
    ------
    DataError
        When ``hint`` is not a column, or no column (or several) could be the code.
    """
    found = _find_header(frame, hint, CODE_HEADERS, "code", "--code-field", file)
    if found is not None:
        return found
    looks_like_codes = []
    for column in frame.columns:
        if isinstance(frame, gpd.GeoDataFrame) and column == frame.geometry.name:
            continue
        values = [code_text(v) for v in frame[column]]
        values = [v for v in values if v]
        if values and sum(bool(_CODE_PATTERN.fullmatch(v)) for v in values) >= 0.9 * len(values):
            looks_like_codes.append(str(column))
    if len(looks_like_codes) == 1:
        return looks_like_codes[0]
    columns = ", ".join(str(c) for c in frame.columns
                        if not (isinstance(frame, gpd.GeoDataFrame)
                                and c == frame.geometry.name))
    if looks_like_codes:
        raise DataError(f"several columns hold codes ({', '.join(looks_like_codes)}); name the "
                        "code column with --code-field", file=file)
    raise DataError(f"no code column found (columns: {columns or 'none'}); name it with "
                    "--code-field", file=file)


def detect_name_field(frame: pd.DataFrame, hint: str | None = None,
                      file: str | None = None) -> str | None:
    """Return the column holding the names (``--name-field`` or a common header), or None.

    Raises
    ------
    DataError
        When ``hint`` is given and is not a column.
    """
    return _find_header(frame, hint, NAME_HEADERS, "name", "--name-field", file)


# --------------------------------------------------------------------------- validation


@dataclass
class _Feature:
    row: int
    code: str
    raw_code: str
    name: str
    geometry: BaseGeometry | None  # None: the file gives no geometry


@dataclass
class _Plan:
    inserts: list[dict[str, object]] = field(default_factory=list)
    updates: list[dict[str, object]] = field(default_factory=list)
    unchanged: int = 0


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Return the polygonal parts of ``geometry`` (empty when there are none)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in shapely.get_parts(geometry)
             if g.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [p for part in parts for p in shapely.get_parts(part)]
    return shapely.MultiPolygon(polygons) if polygons else shapely.Polygon()


def canonical_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """Return a one-part MultiPolygon or MultiPoint as its single part, else ``geometry``."""
    if geometry.geom_type in ("MultiPolygon", "MultiPoint") and len(geometry.geoms) == 1:
        return geometry.geoms[0]
    return geometry


def same_geometry(a: BaseGeometry | None, b: BaseGeometry | None,
                  tolerance: float = GEOMETRY_TOLERANCE) -> bool:
    """Whether two geometries have the same vertices within ``tolerance`` degrees.

    Ring orientation, starting vertex, part order and a single part wrapped in a
    Multi- type do not count as differences.
    """
    if a is None or b is None:
        return a is None and b is None
    a, b = canonical_geometry(a), canonical_geometry(b)
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b),
                                     tolerance=tolerance))


def _clean_geometry(geometry: object, level: str, row: int,
                    warnings: list[Issue]) -> tuple[BaseGeometry | None, Issue | None]:
    """Return the geometry to store, or an error; repairs are added to ``warnings``."""
    if geometry is None or not isinstance(geometry, BaseGeometry) or geometry.is_empty:
        return None, Issue("empty_geometry", "the feature has no geometry", row, "geometry")
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        return None, Issue("bad_geometry", "the geometry has coordinates that are not numbers",
                           row, "geometry")
    geometry = canonical_geometry(geometry)
    kind = geometry.geom_type
    if kind == "Point":
        if level == "village":
            return geometry, None
        return None, Issue("bad_geometry", "a township needs a polygon, not a point",
                           row, "geometry", kind)
    if kind not in ("Polygon", "MultiPolygon"):
        wanted = "a polygon or a point" if level == "village" else "a polygon"
        return None, Issue("bad_geometry", f"the geometry is a {kind}; {wanted} is needed",
                           row, "geometry", kind)
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        repaired = canonical_geometry(_polygonal(shapely.make_valid(geometry)))
        if repaired.is_empty or repaired.area <= 0:
            return None, Issue("invalid_geometry", f"the polygon is invalid ({reason}) and "
                               "has no area once repaired", row, "geometry")
        warnings.append(Issue("repaired_geometry", f"the polygon was invalid ({reason}) and "
                              f"was repaired into a valid {repaired.geom_type}",
                              row, "geometry"))
        geometry = repaired
    return geometry, None


def _normalise_code(code: str, level: str) -> tuple[str | None, str]:
    """Return the stored code (or None) and a message for a bad code."""
    if level == "township":
        if len(code) == 12 and code.isdigit() and code.endswith("000"):
            code = code[:9]
        if not (len(code) == 9 and code.isdigit()):
            hint = ("; 12-digit codes name villages (--level village)"
                    if len(code) == 12 and code.isdigit() else "")
            return None, f"a township code has 9 digits (or 12 ending in 000){hint}"
        if code.endswith("000"):
            return None, "a township code does not end in 000 (that is the county's code)"
        return code, ""
    if not (len(code) == 12 and code.isdigit()):
        hint = ("; 9-digit codes name townships (--level township)"
                if len(code) == 9 and code.isdigit() else "")
        return None, f"a village code has 12 digits{hint}"
    if code.endswith("000"):
        return None, "a village code does not end in 000 (that is its township's code)"
    return code, ""


def _read_features(frame: gpd.GeoDataFrame, level: str, code_field: str,
                   name_field: str | None, parent_field: str | None,
                   errors: list[Issue], warnings: list[Issue]
                   ) -> tuple[list[_Feature], dict[str, list[int]]]:
    """Check each feature on its own.

    Returns the valid features and, for every well-formed code, the rows holding it.
    """
    features = []
    seen: dict[str, list[int]] = defaultdict(list)
    codes = frame[code_field].tolist()
    names = frame[name_field].tolist() if name_field else [None] * len(frame)
    parents = frame[parent_field].tolist() if parent_field else [None] * len(frame)
    parent_digits = 9 if level == "village" else 6
    for index, (raw, raw_name, raw_parent, geometry) in enumerate(
            zip(codes, names, parents, frame.geometry, strict=True)):
        row = index + 1
        raw_code = code_text(raw)
        found: list[Issue] = []
        if not raw_code:
            found.append(Issue("missing_code", "the feature has no code", row, code_field))
            code = None
        else:
            code, problem = _normalise_code(raw_code, level)
            if code is None:
                found.append(Issue("bad_code", problem, row, code_field, raw_code))
            else:
                seen[code].append(row)
        parent = code_text(raw_parent)
        if code is not None and parent_field and parent and parent != code[:parent_digits]:
            found.append(Issue(
                "not_nested", f"the code {code} does not nest in {parent} given as its "
                f"{'township' if level == 'village' else 'county'}; digits 1-{parent_digits} "
                "of the code must be its parent's code", row, parent_field, parent))
        clean, problem_geometry = _clean_geometry(geometry, level, row, warnings)
        if problem_geometry is not None and problem_geometry.code != "empty_geometry":
            found.append(problem_geometry)
        elif clean is not None and not _lonlat_in_china(np.array(clean.bounds)):
            found.append(Issue("outside_china", "the geometry lies (partly) outside China",
                               row, "geometry"))
        name = normalize_text(raw_name)
        if len(name) > MAX_NAME_LENGTH:
            found.append(Issue("name_too_long", f"a name has at most {MAX_NAME_LENGTH} "
                               "characters", row, name_field, name))
        if found:
            errors.extend(found)
            continue
        assert code is not None
        features.append(_Feature(row, code, raw_code, name, clean))
    return features, seen


def _duplicates(frame: gpd.GeoDataFrame, features: list[_Feature],
                seen: dict[str, list[int]], code_field: str,
                errors: list[Issue]) -> list[_Feature]:
    """Report every row whose code appears more than once; return the other features."""
    for code, rows in seen.items():
        if len(rows) < 2:
            continue
        for row in rows:
            others = ", ".join(str(r) for r in rows if r != row)
            errors.append(Issue("duplicate_code", f"the code {code} also appears in "
                                f"feature {others}", row, code_field,
                                code_text(frame[code_field].iloc[row - 1])))
    return [feature for feature in features if len(seen[feature.code]) == 1]


def _existing_geometry(row: dict[str, object]) -> BaseGeometry | None:
    text = row.get("geometry")
    if isinstance(text, str) and text:
        try:
            return shapely.from_geojson(text)
        except shapely.errors.GEOSException:
            return None
    lon, lat = row.get("lon"), row.get("lat")
    if lon is not None and lat is not None:
        return shapely.Point(float(lon), float(lat))
    return None


def _geometry_values(geometry: BaseGeometry) -> dict[str, object]:
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    return {"geometry": shapely.to_geojson(geometry),
            "lon": round(float(point.x), 6), "lat": round(float(point.y), 6)}


def _plan(connection: Connection, features: list[_Feature], seen: Iterable[str], level: str,
          code_field: str, name_field: str | None, errors: list[Issue],
          warnings: list[Issue]) -> _Plan:
    """Match the features with the database: what to insert, update, or leave."""
    table = schema.admin_units
    parent_level = "county" if level == "township" else "township"
    parent_digits = 6 if level == "township" else 9
    existing = {
        row["code"]: dict(row)
        for row in connection.execute(select(table).where(table.c.level == level)).mappings()
    }
    parents = set(connection.execute(
        select(table.c.code).where(table.c.level == parent_level)).scalars())
    plan = _Plan()
    for feature in features:
        old = existing.get(feature.code)
        if feature.geometry is None:
            if old is None:
                errors.append(Issue("empty_geometry", f"the new {level} {feature.code} has no "
                                    "geometry", feature.row, "geometry"))
                continue
            warnings.append(Issue("empty_geometry", f"the feature has no geometry; the {level} "
                                  "keeps its current location", feature.row, "geometry"))
        values = {} if feature.geometry is None else _geometry_values(feature.geometry)
        if old is None:
            parent = feature.code[:parent_digits]
            if parent not in parents:
                what = ("county" if level == "township" else "township")
                errors.append(Issue(f"unknown_{what}", f"there is no {what} {parent} in the "
                                    f"database for the code {feature.code}",
                                    feature.row, code_field, feature.raw_code))
                continue
            if not feature.name:
                errors.append(Issue("missing_name", f"the new {level} {feature.code} needs a "
                                    "name", feature.row, name_field or "name"))
                continue
            short = (short_village_name(feature.name) if level == "village"
                     else feature.name)
            plan.inserts.append({
                "code": feature.code, "name": feature.name, "short_name": short,
                "level": level, "parent_code": parent,
                "kind": village_kind(feature.name) if level == "village" else None,
                "boundary_source": "official", "weak": False, **values,
            })
            continue
        change: dict[str, object] = {}
        if values and not same_geometry(_existing_geometry(old), feature.geometry):
            change.update(values, boundary_source="official")
        old_name = normalize_text(old.get("name"))
        if feature.name and feature.name not in (old_name, normalize_text(old.get("short_name"))):
            if old_name:
                warnings.append(Issue("name_differs", f"the database calls {feature.code} "
                                      f"{old_name}; the name was kept", feature.row,
                                      name_field, feature.name))
            else:
                change["name"] = feature.name
                change["short_name"] = (short_village_name(feature.name)
                                        if level == "village" else feature.name)
        if change:
            plan.updates.append({"code": feature.code, **change})
        else:
            plan.unchanged += 1
    for code in sorted(set(existing) - set(seen)):
        warnings.append(Issue("not_in_file", f"the {level} {code} "
                              f"({existing[code]['name']}) is not in the file and was kept",
                              None, code_field, code))
    return plan


def _apply(connection: Connection, plan: _Plan) -> None:
    table = schema.admin_units
    for values in plan.updates:
        code = values["code"]
        connection.execute(update(table).where(table.c.code == code)
                           .values({k: v for k, v in values.items() if k != "code"}))
    if plan.inserts:
        connection.execute(insert(table), plan.inserts)


# --------------------------------------------------------------------------- import


def import_boundaries(
    engine: Engine,
    actor: User,
    path: str | Path,
    level: str,
    code_field: str | None = None,
    name_field: str | None = None,
    src_crs: str | None = None,
    dry_run: bool = False,
) -> BoundaryReport:
    """Import township or village boundaries from a GIS file, all or nothing.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The database.
    actor : User
        The acting user; only an administrator may import boundaries.
    path : str or pathlib.Path
        GeoJSON, zipped Shapefile, Shapefile or GeoPackage (see ``read_boundary_file``).
    level : {"township", "village"}
        What the features are.
    code_field, name_field : str, optional
        The code and name columns; found from common headers when not given.
    src_crs : str, optional
        ``EPSG:N`` (or any pyproj CRS) or ``gcj02`` when the file declares no CRS or a
        wrong one.
    dry_run : bool, default False
        Check and count, write nothing.

    Returns
    -------
    BoundaryReport
        Counts, errors and warnings. With errors nothing is written
        (``exit_code == 1``); a file that changes nothing writes nothing either. A
        change is one transaction with one audit entry and a new data version.

    Raises
    ------
    AccessDeniedError
        When ``actor`` may not import reference data.
    DataError
        For problems of the whole file: missing, empty, unknown format, unreadable, no
        code column, coordinates of unknown CRS.
    """
    require(actor, Action.IMPORT_REFERENCE)
    if level not in LEVELS:
        raise DataError(f"unknown level {level!r}; use township or village")
    path = Path(path)
    name = path.name
    source = _read_source(path, src_crs)
    frame = source.frame
    report = BoundaryReport(file=name, level=level, rows=len(frame), crs=source.crs,
                            encoding=source.encoding, dry_run=dry_run)
    report.code_field = detect_code_field(frame, code_field, file=name)
    report.name_field = detect_name_field(frame, name_field, file=name)
    parent_field = _find_header(frame, None, PARENT_HEADERS[level], "parent", "", name)
    if parent_field in (report.code_field, report.name_field):
        parent_field = None
    warnings = list(source.warnings)
    errors: list[Issue] = []
    features, seen = _read_features(frame, level, report.code_field, report.name_field,
                                    parent_field, errors, warnings)
    features = _duplicates(frame, features, seen, report.code_field, errors)
    with engine.begin() as connection:
        plan = _plan(connection, features, seen, level, report.code_field,
                     report.name_field, errors, warnings)
        report.warnings = sorted(warnings, key=_issue_order)
        if errors:
            report.errors = sorted(errors, key=_issue_order)
            report.rejected = len({issue.row for issue in errors if issue.row is not None})
            return report
        report.inserted = len(plan.inserts)
        report.updated = len(plan.updates)
        report.unchanged = plan.unchanged
        if dry_run or not report.changed:
            return report
        try:
            _apply(connection, plan)
        except IntegrityError as exc:
            raise DataError("the units changed while the file was imported; import it again",
                            file=name) from exc
        write_audit(connection, actor, "import", "boundaries", name, None, report.counts())
        bump_data_version(connection)
        report.written = True
    return report


def _issue_order(issue: Issue) -> tuple[int, int, str]:
    """Feature issues by row (in the order found), then file issues by value."""
    if issue.row is not None:
        return (0, issue.row, "")
    return (1, 0, issue.value or "")


def upload_name(filename: str) -> str:
    """Return the bare file name of an upload (no folders, Windows or POSIX)."""
    name = PureWindowsPath(PurePosixPath(filename).name).name.strip()
    if not name or name in (".", ".."):
        raise DataError("the upload has no file name")
    return name


def import_boundary_upload(
    engine: Engine,
    actor: User,
    filename: str,
    data: bytes,
    level: str,
    code_field: str | None = None,
    name_field: str | None = None,
    src_crs: str | None = None,
    dry_run: bool = False,
) -> BoundaryReport:
    """Import an uploaded boundary file (the Data page); see ``import_boundaries``.

    Parameters
    ----------
    filename : str
        The uploaded file's name; its ending chooses the format (a Shapefile is uploaded
        as ``.zip``).
    data : bytes
        The file's content; written to a private temporary folder and removed afterwards.

    Other parameters are those of ``import_boundaries``.
    """
    require(actor, Action.IMPORT_REFERENCE)
    name = upload_name(filename)
    if not data:
        raise DataError("the file is empty", file=name)
    if name.lower().endswith(".shp"):
        raise DataError("upload a Shapefile as one .zip file with its .shx, .dbf, .prj and "
                        ".cpg parts", file=name)
    with tempfile.TemporaryDirectory(prefix="pairmap-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return import_boundaries(engine, actor, path, level, code_field=code_field,
                                 name_field=name_field, src_crs=src_crs, dry_run=dry_run)
