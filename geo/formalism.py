"""Formalism warnings (形式主义预警): DESIGN.md's "Metric definitions".

Five codes, each judged per department on the window's visits (``T-W < date <= T``)
unless said otherwise:

- ``END_OF_PERIOD_BURST`` (月底/季末突击): a quarter whose last day lies in the window,
  with ``n`` the department's visits in the whole quarter (up to ``T``) and ``b`` those
  on its last ``BURST_LAST_DAYS`` days; warns when ``n >= BURST_MIN_VISITS`` and
  ``2b >= n``, naming the ``b`` visits. One row per department and quarter.
- ``EMPTY_RECORD`` (空记录): no summary after normalising, no households visited, no
  problems raised.
- ``DUPLICATE`` (重复记录): two or more visits with the same department, village, date,
  kind and normalised summary; names every visit of every group.
- ``LOCATION_MISMATCH`` (位置不符): a GPS point more than ``MISMATCH_METRES`` outside its
  village's polygon, measured in the county's Gauss-Krüger zone; villages with a point
  only, and visits without a GPS point, are not judged.
- ``TEMPLATE_TEXT`` (材料雷同): two visits of a department that differ in village or date
  are near-copies when both normalised summaries have at least ``TEMPLATE_MIN_CHARS``
  code points and ``rapidfuzz.fuzz.ratio`` of the two is at least ``TEMPLATE_MIN_RATIO``
  (unrounded); warns when ``TEMPLATE_MIN_VISITS`` or more visits each have a near-copy.

Each warning is one row; the department figures leave out ``excluded_visit_ids``.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from geo.coverage import COUNTY_CODE_LENGTH
from geo.crs import county_crs
from geo.inputs import CoverageInputs, require_columns
from geo.period import in_window
from geo.text import normalize_texts

END_OF_PERIOD_BURST = "END_OF_PERIOD_BURST"
EMPTY_RECORD = "EMPTY_RECORD"
DUPLICATE = "DUPLICATE"
LOCATION_MISMATCH = "LOCATION_MISMATCH"
TEMPLATE_TEXT = "TEMPLATE_TEXT"
WARNING_CODES = (END_OF_PERIOD_BURST, EMPTY_RECORD, DUPLICATE, LOCATION_MISMATCH,
                 TEMPLATE_TEXT)
"""The codes in their listed order (the order of a department's rows)."""

BURST_MIN_VISITS = 6
"""``END_OF_PERIOD_BURST`` judges a quarter with at least this many visits."""
BURST_LAST_DAYS = 10
"""The end of a quarter: its last day and the 9 days before it."""
MISMATCH_METRES = 2000.0
"""``LOCATION_MISMATCH``: a GPS point farther than this outside its village's polygon."""
TEMPLATE_MIN_CHARS = 20
"""``TEMPLATE_TEXT`` compares summaries of at least this many code points (normalised)."""
TEMPLATE_MIN_RATIO = 90.0
"""Two summaries are near-copies at this ``fuzz.ratio`` or more (unrounded)."""
TEMPLATE_MIN_VISITS = 5
"""``TEMPLATE_TEXT`` warns when at least this many visits each have a near-copy."""

FORMALISM_VISIT_COLUMNS = ("id", "date", "department_code", "village_code", "kind",
                           "households_visited", "problems_raised", "summary", "lon", "lat")
"""The visit columns the warnings read (``summary`` is private: load the visits with it)."""
WARNING_COLUMNS = ("department_code", "code", "period", "count", "visit_ids", "groups")
"""The columns of ``formalism_warnings``."""

_DUPLICATE_KEY = ["department_code", "village_code", "date", "kind", "text"]
_POLYGON_TYPES = (3, 6)  # shapely type ids of Polygon and MultiPolygon


def empty_records(visits: pd.DataFrame) -> pd.Series:
    """Return which visits are ``EMPTY_RECORD``: summary empty after normalising (see
    ``geo.text.normalize_text``), no households visited, no problems raised (a missing
    count counts as 0).

    Parameters
    ----------
    visits : DataFrame
        ``summary``, ``households_visited`` and ``problems_raised``.

    Returns
    -------
    Series of bool
        On ``visits``' index.
    """
    households = pd.to_numeric(visits["households_visited"], errors="coerce").fillna(0)
    raised = pd.to_numeric(visits["problems_raised"], errors="coerce").fillna(0)
    nothing_counted = ((households == 0) & (raised == 0)).to_numpy(dtype=bool)
    # Only the rows that count nothing need their summary normalised (one call a row).
    text_empty = np.zeros(len(visits), dtype=bool)
    text_empty[nothing_counted] = (
        normalize_texts(visits["summary"][nothing_counted]) == "").to_numpy(dtype=bool)
    return pd.Series(text_empty & nothing_counted, index=visits.index)


def _empty_warnings() -> pd.DataFrame:
    return pd.DataFrame({
        "department_code": pd.Series(dtype=object), "code": pd.Series(dtype=object),
        "period": pd.Series(dtype=object), "count": pd.Series(dtype="int64"),
        "visit_ids": pd.Series(dtype=object), "groups": pd.Series(dtype=object)})


def _prepared(visits: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The visits on or before ``T`` with a department: ``id`` (int) and ``day``
    (datetime64) beside the other columns."""
    day = pd.to_datetime(pd.Series(visits["date"], dtype=object)).to_numpy("datetime64[D]")
    keep = (day <= np.datetime64(as_of, "D")) & visits["department_code"].notna().to_numpy()
    frame = visits.loc[keep].copy()
    frame["day"] = day[keep]
    frame["id"] = frame["id"].astype("int64")
    return frame


def _id_lists(flagged: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per ``by`` group of ``flagged``: ``visit_ids`` (sorted ints) and ``count``."""
    if flagged.empty:
        return pd.DataFrame(columns=[*by, "visit_ids", "count"])
    ids = (flagged.sort_values("id").groupby(by, sort=True)["id"]
           .agg(lambda s: [int(i) for i in s]).rename("visit_ids").reset_index())
    ids["count"] = ids["visit_ids"].map(len)
    return ids


def _bursts(visits: pd.DataFrame, as_of: date, window_days: int) -> pd.DataFrame:
    """``END_OF_PERIOD_BURST`` rows (``period`` set) from the visits up to ``T``."""
    quarter = pd.PeriodIndex(pd.DatetimeIndex(visits["day"]), freq="Q")
    last = quarter.end_time.normalize()
    judged = in_window(last, as_of, window_days)
    frame = visits.loc[judged, ["id", "department_code", "day"]].copy()
    frame["quarter"] = quarter[judged]
    frame["at_end"] = frame["day"].to_numpy() >= (
        last[judged] - pd.Timedelta(days=BURST_LAST_DAYS - 1)).to_numpy()
    counts = frame.groupby(["department_code", "quarter"]).agg(
        n=("id", "size"), b=("at_end", "sum"))
    burst = counts[(counts["n"] >= BURST_MIN_VISITS) & (2 * counts["b"] >= counts["n"])]
    named = frame[frame["at_end"]].merge(burst.reset_index()[["department_code", "quarter"]])
    rows = _id_lists(named, ["department_code", "quarter"])
    rows["period"] = [f"{q.year}-Q{q.quarter}" for q in rows["quarter"]]
    return rows.drop(columns="quarter")


def _duplicate_groups(window: pd.DataFrame) -> pd.DataFrame:
    """``DUPLICATE`` rows with ``groups``: each group's ids, the groups by first id."""
    flagged = window[window.duplicated(_DUPLICATE_KEY, keep=False)]
    rows = _id_lists(flagged, ["department_code"])
    if flagged.empty:
        rows["groups"] = []
        return rows
    groups = (flagged.sort_values("id").groupby(_DUPLICATE_KEY, dropna=False)["id"]
              .agg(lambda s: [int(i) for i in s]).rename("group").reset_index())
    groups = groups.assign(first=groups["group"].str[0]).sort_values("first")
    by_department = groups.groupby("department_code")["group"].agg(list)
    rows["groups"] = rows["department_code"].map(by_department)
    return rows


def _village_geometry(villages: pd.DataFrame) -> pd.Series:
    """The villages' polygons (lon/lat) by code; villages with a point only, or without
    geometry, are left out."""
    if "geometry" not in villages.columns:
        return pd.Series(dtype=object)
    geometry = np.array([g if isinstance(g, shapely.Geometry) else None
                         for g in villages["geometry"]], dtype=object)
    polygonal = (np.isin(shapely.get_type_id(geometry), _POLYGON_TYPES)
                 & ~shapely.is_empty(geometry))
    return pd.Series(geometry[polygonal], index=villages["code"].astype(str)[polygonal])


def _location_mismatches(window: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """The window's visits whose GPS point lies more than ``MISMATCH_METRES`` outside
    their village's polygon, in each county's Gauss-Krüger zone."""
    polygons = _village_geometry(villages)
    lon = pd.to_numeric(window["lon"], errors="coerce")
    lat = pd.to_numeric(window["lat"], errors="coerce")
    code = window["village_code"].astype(str)
    judged = window[lon.notna() & lat.notna() & code.isin(polygons.index)]
    if judged.empty:
        return judged
    judged = judged.assign(lon=lon[judged.index], lat=lat[judged.index],
                           county=code[judged.index].str[:COUNTY_CODE_LENGTH])
    outside = []
    for county, visits in judged.groupby("county"):
        county_polygons = polygons[polygons.index.str[:COUNTY_CODE_LENGTH] == county]
        crs = county_crs(shapely.convex_hull(shapely.GeometryCollection(
            list(county_polygons.to_numpy()))))
        shapes = gpd.GeoSeries(county_polygons.reindex(
            visits["village_code"].astype(str)).to_numpy(), crs=4326).to_crs(crs)
        points = gpd.GeoSeries.from_xy(visits["lon"], visits["lat"], crs=4326).to_crs(crs)
        distance = shapely.distance(shapes.to_numpy(), points.to_numpy())
        outside.append(visits[distance > MISMATCH_METRES])
    return pd.concat(outside)


def _near_copies(window: pd.DataFrame) -> pd.DataFrame:
    """The window's visits that have a near-copy among their department's visits."""
    long = window[window["text"].str.len() >= TEMPLATE_MIN_CHARS]
    found = []
    for _, visits in long.groupby("department_code"):
        if len(visits) < 2:
            continue
        ratio = process.cdist(visits["text"].tolist(), visits["text"].tolist(),
                              scorer=fuzz.ratio, dtype=np.float64)
        village = visits["village_code"].astype(str).to_numpy()
        day = visits["day"].to_numpy()
        differ = (village[:, None] != village[None, :]) | (day[:, None] != day[None, :])
        copied = ((ratio >= TEMPLATE_MIN_RATIO) & differ).any(axis=1)
        if copied.sum() >= TEMPLATE_MIN_VISITS:
            found.append(visits[copied])
    return pd.concat(found) if found else long.iloc[:0]


def formalism_warnings(inputs: CoverageInputs) -> pd.DataFrame:
    """Return the formalism warnings of every department at ``T``.

    Parameters
    ----------
    inputs : CoverageInputs
        The visits must hold ``FORMALISM_VISIT_COLUMNS`` (``summary`` included); the
        villages' ``geometry`` (lon/lat shapely geometries, polygon or point) is read
        when present.

    Returns
    -------
    DataFrame
        One row per department and code (per department and quarter for
        ``END_OF_PERIOD_BURST``), by department code, then code in ``WARNING_CODES``
        order, then quarter: ``department_code``, ``code``, ``period`` (``YYYY-Qn`` for
        ``END_OF_PERIOD_BURST``, else None), ``count`` (visits named), ``visit_ids``
        (sorted list of ints) and ``groups`` (for ``DUPLICATE``, each group's ids, the
        groups in order of their first id; else None). Empty, with these columns, when
        nothing warns.

    Raises
    ------
    DataError
        ``missing_input_column`` when the visits lack a column the warnings read.
    """
    require_columns(inputs.visits, "visits", FORMALISM_VISIT_COLUMNS)
    visits = _prepared(inputs.visits, inputs.as_of)
    window = visits[in_window(visits["day"], inputs.as_of, inputs.window_days)]
    window = window.assign(text=normalize_texts(window["summary"]))  # only the window's
    parts = {
        END_OF_PERIOD_BURST: _bursts(visits, inputs.as_of, inputs.window_days),
        EMPTY_RECORD: _id_lists(window[empty_records(window)], ["department_code"]),
        DUPLICATE: _duplicate_groups(window),
        LOCATION_MISMATCH: _id_lists(_location_mismatches(window, inputs.villages),
                                     ["department_code"]),
        TEMPLATE_TEXT: _id_lists(_near_copies(window), ["department_code"]),
    }
    rows = [part.assign(code=code) for code, part in parts.items() if not part.empty]
    if not rows:
        return _empty_warnings()
    warnings = pd.concat(rows, ignore_index=True)
    warnings = warnings.reindex(columns=list(WARNING_COLUMNS)).astype({"count": "int64"})
    warnings["period"] = warnings["period"].astype(object).where(warnings["period"].notna(),
                                                                  None)
    warnings["groups"] = warnings["groups"].astype(object).where(warnings["groups"].notna(),
                                                                  None)
    return in_warning_order(warnings)


def in_warning_order(warnings: pd.DataFrame) -> pd.DataFrame:
    """``warnings`` by department code, then code in ``WARNING_CODES`` order, then
    quarter, with a fresh index (``formalism_warnings``' order; the department report of
    several counties puts theirs in it too)."""
    order = warnings["code"].map({code: i for i, code in enumerate(WARNING_CODES)})
    return (warnings.assign(_order=order)
            .sort_values(["department_code", "_order", "period"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def excluded_visit_ids(warnings: pd.DataFrame) -> set[int]:
    """Return the visits the department figures leave out: every ``EMPTY_RECORD`` visit,
    and all but the first (lowest id) of each ``DUPLICATE`` group.

    Parameters
    ----------
    warnings : DataFrame
        ``formalism_warnings`` output (``code``, ``visit_ids``, ``groups``).

    Returns
    -------
    set of int
    """
    empty = warnings.loc[warnings["code"] == EMPTY_RECORD, "visit_ids"]
    groups = warnings.loc[warnings["code"] == DUPLICATE, "groups"]
    return ({int(i) for ids in empty for i in ids}
            | {int(i) for department in groups for group in department for i in group[1:]})

