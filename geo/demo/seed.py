"""The sample county: build it, write its files, load it into a database.

Real: the county outline, township and village codes and names (``data/reference``).
Schematic: township and village polygons. Synthetic: every figure and record.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo import db, store
from geo.access import Role, User
from geo.demo.province import province_units
from geo.demo.province_sample import ProvinceSample, generate_province_sample
from geo.demo.reference import COUNTY_CODE, load_admin_units, load_county_outline
from geo.demo.sample import SampleCounty, generate_sample
from geo.demo.schematic import generate_schematic_boundaries
from geo.errors import DatabaseNotEmptyError, DataError
from geo.io.bulk_write import insert_frame
from geo.io.table_files import write_table
from geo.schema import VILLAGE_FIGURES
from geo.settings import SAMPLE_DIR, local_today

DEFAULT_SEED = 42
MANIFEST = "manifest.json"
SAMPLE_TABLES = ("departments", "cadres", "pairings", "visits", "problems")


@dataclass(frozen=True)
class DemoCounty:
    """Every admin unit (county, townships, villages) plus the synthetic records."""

    units: gpd.GeoDataFrame
    sample: SampleCounty


def schematic_units(seed: int = DEFAULT_SEED) -> gpd.GeoDataFrame:
    """Return the county, townships and villages with schematic polygons.

    The polygons are generated from the real outline (deterministic for ``seed``, well
    under a second); ``data/sample/*.geojson`` holds the same shapes for ``seed`` 42.
    """
    units = load_admin_units()
    outline = load_county_outline()
    towns, villages = generate_schematic_boundaries(
        outline, units[units["level"] != "county"], seed=seed
    )
    shapes = pd.concat([towns[["code", "geometry"]], villages[["code", "geometry"]]],
                       ignore_index=True)
    geometry = dict(zip(shapes["code"].astype(str), shapes.geometry, strict=True))
    geometry[COUNTY_CODE] = outline
    missing = sorted(set(units["code"]) - set(geometry))
    if missing:
        raise DataError("no_boundary", file=str(SAMPLE_DIR), code=missing[0])
    frame = gpd.GeoDataFrame(units, geometry=[geometry[c] for c in units["code"]], crs=4326)
    frame["boundary_source"] = ["official" if level == "county" else "schematic"
                                for level in frame["level"]]
    return frame


def build_demo_county(seed: int = DEFAULT_SEED, anchor: date | None = None) -> DemoCounty:
    """Build the sample county whose visit history ends on ``anchor`` (default today);
    its departments belong to it (``county_code``)."""
    anchor = anchor or local_today()
    units = schematic_units(seed)
    villages = units[units["level"] == "village"].reset_index(drop=True)
    sample = generate_sample(villages, anchor=anchor, seed=seed)
    sample = replace(sample, departments=sample.departments.assign(county_code=COUNTY_CODE))
    others = units[units["level"] != "village"]
    figures = sample.units.drop(columns="geometry")
    villages = villages[["code", "geometry"]].merge(figures, on="code", how="left")
    all_units = pd.concat([others, villages], ignore_index=True)
    return DemoCounty(units=gpd.GeoDataFrame(all_units, geometry="geometry", crs=4326),
                      sample=sample)


def read_manifest(directory: Path = SAMPLE_DIR) -> dict:
    """Return the sample files' manifest (seed, anchor, counts), or ``{}``."""
    path = directory / MANIFEST
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def write_sample_files(demo: DemoCounty, directory: Path, seed: int, anchor: date) -> dict:
    """Write the sample county's tables (CSV) and boundaries (GeoJSON) to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    units = demo.units
    write_table(units[units["level"] == "township"], directory / "townships.geojson",
                "townships")
    write_table(units[units["level"] == "village"], directory / "villages.geojson", "villages")
    write_table(units[units["level"] == "village"], directory / "villages.csv", "villages")
    for name in SAMPLE_TABLES:
        write_table(getattr(demo.sample, name), directory / f"{name}.csv", name)
    manifest = {
        "seed": seed,
        "anchor": anchor.isoformat(),
        "note": "Synthetic sample data except codes, names and the county outline; "
                "township and village boundaries are schematic (示意边界). The problem "
                "ledger (problems.csv) is raised on and closed by the visits of its last "
                "year.",
        "counts": {
            "townships": int((units["level"] == "township").sum()),
            "villages": int((units["level"] == "village").sum()),
            **{name: len(getattr(demo.sample, name)) for name in SAMPLE_TABLES},
        },
    }
    (directory / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


SCALES = ("county", "province")


def build_demo_province(seed: int = DEFAULT_SEED, anchor: date | None = None,
                        jobs: int | None = None) -> tuple[gpd.GeoDataFrame, ProvinceSample]:
    """Build the province sample (Hubei): every admin unit, the villages with their
    figures, and the synthetic records, the history ending on ``anchor``."""
    anchor = anchor or local_today()
    units = province_units(seed=seed, jobs=jobs)
    villages = units[units["level"] == "village"].reset_index(drop=True)
    counties = units[units["level"] == "county"][["code", "name"]]
    sample = generate_province_sample(villages, counties, anchor, seed=seed)
    figures = pd.DataFrame(sample.villages.drop(columns="geometry"))[
        ["code", *VILLAGE_FIGURES, "weak"]]
    others = units[units["level"] != "village"]
    villages = villages.merge(figures, on="code", how="left")
    all_units = pd.concat([others, villages], ignore_index=True)
    return gpd.GeoDataFrame(all_units, geometry="geometry", crs=4326), sample


def seed_demo(
    engine: Engine,
    seed: int = DEFAULT_SEED,
    anchor: date | None = None,
    force: bool = False,
    actor: User | None = None,
    scale: str = "county",
    seconds: dict[str, float] | None = None,
) -> dict[str, int]:
    """Create the schema and load the sample county (or province), its history ending on
    ``anchor``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    seed : int
        The generator's seed (42 is the shipped sample).
    anchor : datetime.date, optional
        The last day of the visit history; default today (Asia/Shanghai).
    force : bool
        Replace the data of a non-empty database.
    actor : geo.access.User, optional
        Who replaced the data, for the audit log (default the command line's user).
    scale : str
        ``county`` (Xingshan) or ``province`` (Hubei: 105 counties, 27,057 villages,
        about a million visits; written with the bulk writer).
    seconds : dict, optional
        Filled with the wall-clock seconds of each step (``build``, ``write``).

    Returns
    -------
    dict
        Rows per table after loading.
    """
    db.upgrade(engine)
    if not force and not db.is_empty(engine):
        raise DatabaseNotEmptyError()
    if scale not in SCALES:
        raise DataError("unknown_scale", scale=scale)
    anchor = anchor or local_today()
    meta = {"demo_seed": str(seed), "demo_anchor": anchor.isoformat(), "demo_scale": scale}
    seconds = {} if seconds is None else seconds
    started = time.perf_counter()
    if scale == "province":
        units, sample = build_demo_province(seed=seed, anchor=anchor)
        seconds["build"] = round(time.perf_counter() - started, 1)
        store.replace_all(engine, units, sample.departments, sample.cadres, sample.pairings,
                          sample.visits, meta=meta, actor=actor, problems=sample.problems,
                          insert_rows=insert_frame)
    else:
        demo = build_demo_county(seed=seed, anchor=anchor)
        sample = demo.sample
        seconds["build"] = round(time.perf_counter() - started, 1)
        store.replace_all(
            engine, demo.units, sample.departments,
            sample.cadres, sample.pairings, sample.visits, meta=meta, actor=actor,
            problems=sample.problems,
        )
    seconds["write"] = round(time.perf_counter() - started - seconds["build"], 1)
    return store.count_rows(engine)


FIRST_START = User(username="setup", role=Role.ADMIN, display_name="setup")
"""Who loads the sample county on the app's first start (the audit log's entry)."""


def ensure_seeded(engine: Engine) -> bool:
    """Create the schema and load the sample county when the database is empty.

    App processes starting at once on one database do it one after the other
    (``geo.db.first_start_lock``): one loads the sample, the others find it loaded.

    Returns
    -------
    bool
        True when the sample was loaded now.
    """
    with db.first_start_lock(engine):
        db.upgrade(engine)
        if not db.is_empty(engine):
            return False
        seed_demo(engine, actor=FIRST_START)
        return True
