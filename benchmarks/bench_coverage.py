"""Time the coverage metrics (with the DuckDB reference) and every page's warm script run
on the sample county.

Usage: python benchmarks/bench_coverage.py   (prints medians in milliseconds; a page's
warm script run as wall-clock and CPU time)

The metrics' timings are ``geo.bench``'s (``python -m geo bench`` times them with the
rest); the pages' warm script runs need Streamlit's AppTest, which ``geo/`` never imports,
so they are timed here.

A benchmark measures speed; the tests never assert on time.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import auth, coverage, db, store  # noqa: E402
from geo.access import Role, User  # noqa: E402
from geo.bench import duckdb_connection, duckdb_coverage, median_seconds  # noqa: E402
from geo.demo import seed  # noqa: E402
from geo.inputs import CoverageInputs  # noqa: E402
from geo.settings import local_today  # noqa: E402
from geo.status import compute_village_status  # noqa: E402

ANCHOR = date(2026, 11, 28)


def median_ms(function, runs: int = 20) -> float:  # noqa: ANN001
    return median_seconds(function, runs) * 1000


def warm_runs_ms(run, runs: int) -> tuple[float, float]:  # noqa: ANN001
    """The median wall-clock and CPU milliseconds of ``runs`` calls of ``run``. The CPU
    time is the process's (the script runs on AppTest's thread; nothing else runs
    meanwhile): on a shared machine it shows the page's own work, which the wall clock
    mixes with waiting for a core."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = db.make_engine(url)
    seed.seed_demo(engine)
    auth.BCRYPT_ROUNDS = 4
    bench = auth.create_user(engine, User("bench", Role.ADMIN), "bench", "admin", None,
                             "password1")
    cookie_key = "bench-cookie-key-" + "k" * 32
    token = auth.issue_token(engine, bench, cookie_key)
    villages = store.load_villages(engine)
    pairings = store.load_pairings(engine)
    visits = store.load_visits(engine)
    problems = store.load_problems(engine)
    departments = store.load_departments(engine)
    today = local_today()
    print(f"villages {len(villages)}, visits {len(visits)}, problems {len(problems)}")
    inputs = CoverageInputs(villages, pairings, visits, today, 90, 90, problems)
    metrics = median_ms(lambda: coverage.compute_village_coverage(inputs))
    status = median_ms(lambda: compute_village_status(inputs, departments))
    connection = duckdb_connection(inputs)
    reference = median_ms(lambda: duckdb_coverage(connection, today, 90))
    print(f"compute_village_coverage: {metrics:.1f} ms")
    print(f"DuckDB reference query:   {reference:.1f} ms")
    print(f"compute_village_status:   {status:.1f} ms")

    os.environ["PAIRMAP_DATABASE_URL"] = url
    os.environ["PAIRMAP_COOKIE_KEY"] = cookie_key
    from streamlit.testing.v1 import AppTest

    for page in sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py")):
        at = AppTest.from_file(str(ROOT / page), default_timeout=120)
        at.session_state["pairmap_session"] = token  # a logged-in tab (ui.session)
        at.run()  # cold: loads and caches
        warm, cpu = warm_runs_ms(at.run, runs=5)
        print(f"{page:28s} warm script run: {warm:.0f} ms (CPU {cpu:.0f} ms)")


if __name__ == "__main__":
    main()
