"""Table files: the export columns of each table and writing CSV, XLSX and GeoJSON.

The same writers produce the sample files in ``data/sample`` (which double as import
templates) and ``python -m geo export``.
"""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import DataError
from geo.schema import VILLAGE_FIGURES

UNIT_COLUMNS = ["code", "name", "short_name", "parent_code", "kind", "boundary_source"]
EXPORT_COLUMNS: dict[str, list[str]] = {
    "townships": ["code", "name", "short_name", "parent_code", "boundary_source"],
    "villages": [*UNIT_COLUMNS, *VILLAGE_FIGURES, "weak"],
    "departments": ["code", "county_code", "name", "kind", "party_members", "seat_lon",
                    "seat_lat", "active"],
    "cadres": ["id", "department_code", "name", "leader", "active"],
    "pairings": ["id", "department_code", "village_code", "kind", "start_date", "end_date",
                 "required_visits_per_month", "note"],
    "visits": ["id", "date", "department_code", "village_code", "kind", "cadre_count",
               "cadre_ids", "households_visited", "problems_raised", "problems_resolved",
               "lon", "lat", "summary", "record_id", "source", "created_by", "created_at"],
    "problems": ["id", "village_code", "raised_on", "raised_visit_id", "department_code",
                 "co_departments", "category", "description", "resident", "due_date", "status",
                 "resolved_on", "resolution", "satisfaction", "record_id", "created_by",
                 "created_at"],
    "audit": ["id", "at", "username", "action", "entity", "entity_key", "before", "after"],
}
GEO_TABLES = ("townships", "villages")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with ``'``.

    Non-text values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells that look like formulas are neutralised."""
    out = frame.copy()
    for column in out.columns:
        if column == "geometry":
            continue
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_formula)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as UTF-8 CSV with a byte-order mark, formulas neutralised."""
    return neutralised(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    """Return ``frame`` as an XLSX workbook of one sheet, formulas neutralised."""
    buffer = io.BytesIO()
    neutralised(frame).to_excel(buffer, index=False, sheet_name=sheet, engine="openpyxl")
    return buffer.getvalue()


def write_table(frame: pd.DataFrame, path: Path, table: str) -> Path:
    """Write ``frame`` as the export of ``table`` to ``path`` (format by ending).

    ``.csv`` is UTF-8 with a byte-order mark (Excel opens it correctly), ``.xlsx`` one
    sheet named after the table, ``.geojson`` WGS84 features (townships and villages
    only). Text cells that look like formulas are neutralised in CSV and XLSX.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    columns = EXPORT_COLUMNS[table]
    if suffix == ".geojson":
        if table not in GEO_TABLES or not isinstance(frame, gpd.GeoDataFrame):
            raise DataError("geojson_tables", file=str(path), tables=", ".join(GEO_TABLES))
        out = gpd.GeoDataFrame(frame[columns], geometry=frame.geometry, crs=frame.crs)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        out.to_crs(4326).to_file(path, driver="GeoJSON", engine="pyogrio",
                                 layer_options={"COORDINATE_PRECISION": 6, "RFC7946": "YES"})
        return path
    plain = neutralised(pd.DataFrame(frame[columns]))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        plain.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    elif suffix == ".xlsx":
        plain.to_excel(path, index=False, sheet_name=table, engine="openpyxl")
    else:
        raise DataError("unknown_output_type", file=str(path), suffix=suffix or "—")
    return path
