"""Time the import of a large visits file (default 1,000,000 rows) into the sample county.

Usage: python benchmarks/bench_import.py [--rows N] [--keep]

Seeds a temporary SQLite database with the sample county (``seed_demo``, as
``python -m geo seed-demo`` does), writes a visits CSV of N rows built from the sample
(random departments, villages, kinds and dates of the last two years; half the rows carry
a record id), then times ``geo.io.imports.import_file``: the first import (all rows
inserted) and the same file again (all rows unchanged), and how long the first holds the
database's write lock (from the compare-and-set to the commit; a form entry waits at most
that long). ``python -m geo bench`` times the first import (``seconds.import``) with the
same rows (``geo.bench.make_visits``). A benchmark measures speed; the tests never assert
on time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import db  # noqa: E402
from geo.auth import cli_user  # noqa: E402
from geo.bench import make_visits  # noqa: E402
from geo.demo import seed  # noqa: E402
from geo.io import imports  # noqa: E402

ANCHOR = date(2026, 11, 28)


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
        make_visits(engine, args.rows, ANCHOR).to_csv(path, index=False, encoding="utf-8-sig")
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
