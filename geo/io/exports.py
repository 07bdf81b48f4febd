"""Exports for a logged-in user: every table, limited to what the role may read."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo import store
from geo.access import EXPORT_ACTIONS, User, can, require
from geo.io.table_files import EXPORT_COLUMNS, GEO_TABLES, csv_bytes, xlsx_bytes
from geo.problem_service import problems_for
from geo.records import cadres_for, visits_for


def export_frame(engine: Engine, actor: User, table: str) -> pd.DataFrame:
    """Return ``table`` as ``actor`` may export it (a liaison: own department's visits;
    problems without residents' names for a leader, ``geo.problem_service``)."""
    require(actor, EXPORT_ACTIONS[table])
    if table == "visits":
        frame = visits_for(engine, actor)
    elif table == "problems":
        frame = problems_for(engine, actor)
    elif table == "cadres":
        frame = cadres_for(engine, actor)
    else:
        frame = store.load_table(engine, table)
    return frame


def export_bytes(engine: Engine, actor: User, table: str, file_format: str) -> bytes:
    """Return ``table`` as ``csv``, ``xlsx`` or ``geojson`` bytes (formulas neutralised)."""
    frame = export_frame(engine, actor, table)
    # A column the actor may not read (a leader: residents) is absent, not blank.
    columns = [name for name in EXPORT_COLUMNS[table] if name in frame.columns]
    if file_format == "geojson":
        if table not in GEO_TABLES:
            raise ValueError(f"{table} has no geometry")
        out = gpd.GeoDataFrame(frame[columns], geometry=frame.geometry, crs=4326)
        return out.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")
    plain = pd.DataFrame(frame[columns])
    if file_format == "xlsx":
        return xlsx_bytes(plain, table)
    return csv_bytes(plain)


def allowed_exports(actor: User) -> list[str]:
    """The tables ``actor`` may export, in a stable order."""
    return [table for table, action in EXPORT_ACTIONS.items() if can(actor, action)]
