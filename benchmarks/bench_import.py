"""Time the import of a large visits file (default 1,000,000 rows) into the sample county.

Usage: python benchmarks/bench_import.py [--rows N] [--keep]

Seeds a temporary SQLite database with the sample county (``seed_demo``, as
``python -m geo seed-demo`` does), writes a visits CSV of N rows built from the sample
(random departments, villages, kinds and dates of the last two years; half the rows carry
a record id), then times ``geo.io.imports.import_file``: the first import (all rows
inserted) and the same file again (all rows unchanged), and how long the first holds the
database's write lock (from the compare-and-set to the commit; a form entry waits at most
that long). A benchmark measures speed; the
tests never assert on time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import db, store  # noqa: E402
from geo.auth import cli_user  # noqa: E402
from geo.demo import seed  # noqa: E402
from geo.io import imports  # noqa: E402
from geo.io.table_files import EXPORT_COLUMNS  # noqa: E402
from geo.schema import VISIT_KINDS  # noqa: E402

ANCHOR = date(2026, 11, 28)


def make_visits(engine: object, rows: int, seed_value: int = 7) -> pd.DataFrame:
    """Return ``rows`` synthetic visits in the export columns, dated on or before ANCHOR."""
    rng = np.random.default_rng(seed_value)
    departments = store.load_departments(engine)["code"].to_numpy()
    villages = store.load_villages(engine)
    codes = villages["code"].to_numpy()
    short = villages["short_name"].to_numpy()
    pick = rng.integers(0, len(codes), rows)
    dept = departments[rng.integers(0, len(departments), rows)]
    days = rng.integers(0, 730, rows)
    dates = pd.to_datetime(ANCHOR) - pd.to_timedelta(days, unit="D")
    raised = rng.integers(0, 4, rows)
    has_gps = rng.random(rows) < 0.5
    lon = np.where(has_gps, np.round(110.4 + rng.random(rows) * 0.6, 6), np.nan)
    lat = np.where(has_gps, np.round(31.0 + rng.random(rows) * 0.5, 6), np.nan)
    numbered = rng.random(rows) < 0.5
    seq = np.arange(1, rows + 1)
    record_id = np.where(numbered, pd.Series(seq).map("B{:07d}".format).to_numpy(), "")
    summary = (pd.Series(short[pick]) + "：入户走访群众，宣传惠民政策，第"
               + pd.Series(seq).astype(str) + "次")
    return pd.DataFrame({
        "id": seq,
        "date": dates.strftime("%Y-%m-%d"),
        "department_code": dept,
        "village_code": codes[pick],
        "kind": np.array(VISIT_KINDS)[rng.integers(0, len(VISIT_KINDS), rows)],
        "cadre_count": rng.integers(1, 8, rows),
        "cadre_ids": "",
        "households_visited": rng.integers(0, 30, rows),
        "problems_raised": raised,
        "problems_resolved": np.minimum(raised, rng.integers(0, 4, rows)),
        "lon": lon,
        "lat": lat,
        "summary": summary,
        "record_id": record_id,
        "source": "sample",
        "created_by": "bench",
        "created_at": "2026-11-28 10:00:00",
    })[EXPORT_COLUMNS["visits"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pairmap-bench-"))
    try:
        engine = db.make_engine(f"sqlite:///{folder / 'bench.db'}")
        seed.seed_demo(engine, anchor=ANCHOR)
        path = folder / "visits.csv"
        started = time.perf_counter()
        make_visits(engine, args.rows).to_csv(path, index=False, encoding="utf-8-sig")
        size = path.stat().st_size / 1e6
        print(f"wrote {args.rows:,} rows ({size:.0f} MB) in {time.perf_counter() - started:.1f} s")
        actor = cli_user()
        for label in ("first import", "same file again"):
            marks: dict[str, float] = {}

            def progress(fraction: float, marks: dict[str, float] = marks) -> None:
                if fraction >= imports.LOCK_PROGRESS and "lock" not in marks:
                    marks["lock"] = time.perf_counter()
                if fraction >= 1.0:
                    marks["done"] = time.perf_counter()

            started = time.perf_counter()
            report = imports.import_file(engine, actor, "visits", path, today=ANCHOR,
                                         progress=progress)
            seconds = time.perf_counter() - started
            counts = {k: v for k, v in report.as_dict().items()
                      if k in ("rows", "inserted", "updated", "unchanged", "rejected")}
            held = (f", write lock held {marks['done'] - marks['lock']:.1f} s"
                    if "lock" in marks and report.changed else "")
            print(f"{label}: {seconds:.1f} s{held} {counts} "
                  f"warnings {len(report.warnings):,}")
        engine.dispose()
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
