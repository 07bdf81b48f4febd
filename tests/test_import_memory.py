"""A legal visits file of any size is imported within a fixed memory budget (README,
"Memory of large legal files").

A 400,000-row visits CSV (about 70 MB, written here as text) is imported into a copy of
the sample county the way the command line imports it (``geo.io.imports.import_file``
on the path), in a child process (``tests.upload_child``) whose peak resident memory
(``VmHWM``) is read: first into a database that holds none of its visits (all inserted),
then again (all unchanged, the stored visits read back and matched). Both stay under
``RSS_BUDGET_MIB``, the budget the README states for a file of any legal size. Before
visits were imported in blocks (commit d44ec69) the first import alone peaked at 689 MiB
and the test failed there; the memory grew by about 1.5 KB a row on a first import and
2.4 KB on a second.

The address-space cap (``AS_CAP_MIB``) is only a safety net for the machine: it is set
high enough that a regression shows as a peak over the budget, not as a MemoryError.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from geo import db, store
from geo.schema import VISIT_KINDS
from tests.conftest import ANCHOR, ROOT

ROWS = 400_000
RSS_BUDGET_MIB = 600
"""The README's budget for importing a visits file of any legal size."""
AS_CAP_MIB = 6144


def write_visits(path: Path, database: Path, rows: int, seed: int = 11) -> None:
    """Write ``rows`` legal visits of the sample county as CSV text (half with a record
    id, half with a GPS point), dated in the two years before ANCHOR."""
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        departments = store.load_departments(engine)["code"].to_numpy()
        villages = store.load_villages(engine)[["code", "short_name"]].to_numpy()
    finally:
        engine.dispose()
    rng = np.random.default_rng(seed)
    dates = [(ANCHOR - timedelta(days=int(d))).isoformat() for d in range(730)]
    picks = zip(rng.integers(0, len(villages), rows), rng.integers(0, len(departments), rows),
                rng.integers(0, 730, rows), rng.integers(0, len(VISIT_KINDS), rows),
                rng.integers(1, 8, rows), rng.integers(0, 30, rows), rng.integers(0, 4, rows),
                rng.random(rows), rng.random(rows), strict=True)
    header = ("date,department_code,village_code,kind,cadre_count,households_visited,"
              "problems_raised,problems_resolved,lon,lat,summary,record_id")
    lines = [header]
    for n, (v, d, day, kind, cadres, homes, raised, x, y) in enumerate(picks, start=1):
        code, name = villages[v]
        point = f"{110.4 + x * 0.6:.6f},{31.0 + y * 0.5:.6f}" if n % 2 else ","
        record = f"M{n:07d}" if n % 2 == 0 else ""
        lines.append(f"{dates[day]},{departments[d]},{code},{VISIT_KINDS[kind]},{cadres},"
                     f"{homes},{raised},{raised // 2},{point},{name}：入户走访群众第{n}次,"
                     f"{record}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def import_in_child(database: Path, path: Path) -> dict[str, object]:
    """Import ``path`` as the command line does, in a child; its JSON result."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PAIRMAP_")}
    child = subprocess.run(
        [sys.executable, "-m", "tests.upload_child", str(AS_CAP_MIB), "table",
         f"sqlite:///{database}", "visits", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # two Python subprocesses importing 400,000 rows each
def test_a_large_visits_file_is_imported_within_the_memory_budget(tmp_path: Path,
                                                                   demo_copy: Path) -> None:
    path = tmp_path / "走访记录.csv"
    write_visits(path, demo_copy, ROWS)

    first = import_in_child(demo_copy, path)
    assert first.get("report") == {"rows": ROWS, "errors": 0, "inserted": ROWS, "updated": 0,
                                   "unchanged": 0, "rejected": 0, "written": True}, first
    assert first["maxrss_mib"] < RSS_BUDGET_MIB, first

    again = import_in_child(demo_copy, path)
    assert again.get("report") == {"rows": ROWS, "errors": 0, "inserted": 0, "updated": 0,
                                   "unchanged": ROWS, "rejected": 0, "written": False}, again
    assert again["maxrss_mib"] < RSS_BUDGET_MIB, again
