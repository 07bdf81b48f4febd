"""Importing official township and village boundaries: check, plan and apply.

The file is read by ``geo.io.boundary_files`` (zip, ``.dbf`` encoding, CRS, GCJ-02).
Every feature names a unit by its statistical division code: a township by 9 digits (a
12-digit code ending in ``000`` is shortened), a village by 12 digits nesting in an
existing township. Existing units get the file's geometry, new ones are inserted, units
missing from the file are reported and kept. The import is all or nothing: any invalid
feature rejects the whole file, and a file that changes nothing writes nothing.

Problems of the file as a whole (unreadable, unknown format, no code column, unknown
coordinates) raise :class:`~geo.errors.DataError`; problems of single features are
collected in the :class:`~geo.io.report.Report` with their 1-based feature number.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from geo import schema
from geo.access import Action, User, require
from geo.audit import write_audit
from geo.errors import DataError
from geo.geometry import polygonal
from geo.io.boundary_files import lonlat_in_china, read_source
from geo.io.headers import header_key
from geo.io.limits import Limits, check_file_size, current_limits
from geo.io.report import Issue, Report
from geo.store import bump_data_version
from geo.text import normalize_text, short_village_name, village_kind

LEVELS = ("township", "village")
GEOMETRY_TOLERANCE = 1e-6  # degrees, about 10 cm: survives a 6-decimal GeoJSON export
"""Degrees: vertices closer than this count as unchanged."""
MAX_NAME_LENGTH = 100

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


# --------------------------------------------------------------------------- columns


def _find_header(frame: pd.DataFrame, hint: str | None, candidates: tuple[str, ...],
                 what: str, option: str, file: str | None) -> str | None:
    columns = [c for c in frame.columns if c != frame.geometry.name] \
        if isinstance(frame, gpd.GeoDataFrame) else list(frame.columns)
    keys = {header_key(c): c for c in reversed(columns)}
    if hint is not None:
        found = keys.get(header_key(hint))
        if found is None:
            raise DataError("no_such_field", file=file, column=hint, what=what,
                            option=option, columns=", ".join(map(str, columns)) or "—")
        return str(found)
    for candidate in candidates:
        if header_key(candidate) in keys:
            return str(keys[header_key(candidate)])
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
    found = _find_header(frame, hint, CODE_HEADERS, "code", "code_field", file)
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
        raise DataError("several_code_columns", file=file,
                        columns=", ".join(looks_like_codes))
    raise DataError("no_code_column", file=file, columns=columns or "—")


def detect_name_field(frame: pd.DataFrame, hint: str | None = None,
                      file: str | None = None) -> str | None:
    """Return the column holding the names (``--name-field`` or a common header), or None.

    Raises
    ------
    DataError
        When ``hint`` is given and is not a column.
    """
    return _find_header(frame, hint, NAME_HEADERS, "name", "name_field", file)


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
        return None, Issue(row, "geometry", None, "empty_geometry")
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        return None, Issue(row, "geometry", None, "bad_geometry")
    geometry = canonical_geometry(geometry)
    kind = geometry.geom_type
    if kind == "Point":
        if level == "village":
            return geometry, None
        return None, Issue(row, "geometry", kind, "bad_geometry",
                           {"variant": "township_point"})
    if kind not in ("Polygon", "MultiPolygon"):
        variant = "not_polygon_or_point" if level == "village" else "not_polygon"
        return None, Issue(row, "geometry", kind, "bad_geometry",
                           {"variant": variant, "kind": kind})
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        repaired = canonical_geometry(polygonal(shapely.make_valid(geometry)))
        if repaired.is_empty or repaired.area <= 0:
            return None, Issue(row, "geometry", None, "invalid_geometry", {"reason": reason})
        warnings.append(Issue(row, "geometry", None, "repaired_geometry",
                              {"reason": reason, "kind": repaired.geom_type}))
        geometry = repaired
    return geometry, None


def _normalise_code(code: str, level: str) -> tuple[str | None, str]:
    """Return the stored code (or None) and the ``bad_code`` variant that says why."""
    if level == "township":
        if len(code) == 12 and code.isdigit() and code.endswith("000"):
            code = code[:9]
        if not (len(code) == 9 and code.isdigit()):
            twelve = len(code) == 12 and code.isdigit()
            return None, "township_village_code" if twelve else "township_length"
        if code.endswith("000"):
            return None, "township_county_code"
        return code, ""
    if not (len(code) == 12 and code.isdigit()):
        nine = len(code) == 9 and code.isdigit()
        return None, "village_township_code" if nine else "village_length"
    if code.endswith("000"):
        return None, "village_ends_000"
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
            found.append(Issue(row, code_field, None, "missing_code"))
            code = None
        else:
            code, problem = _normalise_code(raw_code, level)
            if code is None:
                found.append(Issue(row, code_field, raw_code, "bad_code", {"variant": problem}))
            else:
                seen[code].append(row)
        parent = code_text(raw_parent)
        if code is not None and parent_field and parent and parent != code[:parent_digits]:
            found.append(Issue(row, parent_field, parent, "not_nested",
                               {"code": code, "parent": parent, "digits": parent_digits}))
        clean, problem_geometry = _clean_geometry(geometry, level, row, warnings)
        if problem_geometry is not None and problem_geometry.code != "empty_geometry":
            found.append(problem_geometry)
        elif clean is not None and not lonlat_in_china(np.array(clean.bounds)):
            found.append(Issue(row, "geometry", None, "outside_china"))
        name = normalize_text(raw_name)
        if len(name) > MAX_NAME_LENGTH:
            found.append(Issue(row, name_field, name, "name_too_long",
                               {"limit": MAX_NAME_LENGTH}))
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
            errors.append(Issue(row, code_field, code_text(frame[code_field].iloc[row - 1]),
                                "duplicate_code", {"code": code, "others": others}))
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
                errors.append(Issue(feature.row, "geometry", None, "empty_geometry",
                                    {"variant": "new", "code": feature.code}))
                continue
            warnings.append(Issue(feature.row, "geometry", None, "empty_geometry",
                                  {"variant": "kept"}))
        values = {} if feature.geometry is None else _geometry_values(feature.geometry)
        if old is None:
            parent = feature.code[:parent_digits]
            if parent not in parents:
                issue_code = "unknown_county" if level == "township" else "unknown_township"
                errors.append(Issue(feature.row, code_field, feature.raw_code, issue_code,
                                    {"variant": "parent", "parent": parent,
                                     "code": feature.code}))
                continue
            if not feature.name:
                errors.append(Issue(feature.row, name_field or "name", None, "missing_name",
                                    {"code": feature.code}))
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
                warnings.append(Issue(feature.row, name_field, feature.name, "name_differs",
                                      {"code": feature.code, "stored": old_name}))
            else:
                change["name"] = feature.name
                change["short_name"] = (short_village_name(feature.name)
                                        if level == "village" else feature.name)
        if change:
            plan.updates.append({"code": feature.code, **change})
        else:
            plan.unchanged += 1
    for code in sorted(set(existing) - set(seen)):
        warnings.append(Issue(None, code_field, code, "not_in_file",
                              {"code": code, "name": existing[code]["name"]}))
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
    limits: Limits | None = None,
) -> Report:
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
    limits : geo.io.limits.Limits, optional
        The bounds on the file's size, what a zip unpacks to, and the features and
        fields read (default: the settings, ``PAIRMAP_UPLOAD_*``).

    Returns
    -------
    Report
        Counts, errors and warnings. With errors nothing is written
        (``exit_code == 1``); a file that changes nothing writes nothing either. A
        change is one transaction with one audit entry and a new data version.

    Raises
    ------
    AccessDeniedError
        When ``actor`` may not import reference data.
    DataError
        For problems of the whole file: missing, empty, unknown format, unreadable,
        beyond a bound of ``limits``, no code column, coordinates of unknown CRS.
    """
    require(actor, Action.IMPORT_REFERENCE)
    if level not in LEVELS:
        raise DataError("unknown_level", level=level)
    path = Path(path)
    name = path.name
    source = read_source(path, src_crs, limits)
    frame = source.frame
    report = Report(file=name, table=f"{level}s", level=level, rows=len(frame), crs=source.crs,
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
            raise DataError("units_changed", file=name) from exc
        write_audit(connection, actor, "import", "boundaries", name, None,
                    {"level": level, **report.counts(), "warnings": len(report.warnings),
                     "crs": report.crs})
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
        raise DataError("upload_without_name")
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
    limits: Limits | None = None,
) -> Report:
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
        raise DataError("file_empty", file=name)
    if name.lower().endswith(".shp"):
        raise DataError("shapefile_needs_zip", file=name)
    limits = current_limits(limits)
    check_file_size(len(data), name, limits)  # before it is written to disk
    with tempfile.TemporaryDirectory(prefix="pairmap-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return import_boundaries(engine, actor, path, level, code_field=code_field,
                                 name_field=name_field, src_crs=src_crs, dry_run=dry_run,
                                 limits=limits)
