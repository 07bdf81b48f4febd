"""The first leader after a start: the overview with and without the warming thread.

Usage: python benchmarks/bench_warm_start.py DATABASE [--arrive-after 150] [--json]

DATABASE is a SQLite file (a province: ``PAIRMAP_DATABASE_URL=sqlite:////tmp/p.db python -m
geo seed-demo --scale province``); a leader is added to it (or given the bench's
password again) by the command line. For ``PAIRMAP_WARM_SECONDS`` 0 (off) and 60 (the
default), in turn: ``streamlit run app.py`` starts on it, a first visitor opens the login
page (which starts the warming thread, ``ui/warm.py``), and ``--arrive-after`` seconds
later a leader logs in, in a fresh browser context (Debian's Chromium). Printed: seconds
from the click on 登录 to the overview map's first polygon, and to the page's idle mark.

The wait before the login is the scenario measured (a leader arriving after the first
visitor), not a readiness wait. A benchmark measures speed; the tests never assert on time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project
from benchmarks.bench_first_map import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_FRAME,
    PASSWORD,
    POLYGON,
    ROOT,
    USERNAME,
    run,
    streamlit,
)

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def add_leader(database: Path) -> None:
    """The bench's leader on ``database``: added, or given its password again."""
    env = {**os.environ, "PAIRMAP_DATABASE_URL": f"sqlite:///{database}"}
    try:
        run([sys.executable, "-m", "geo", "users", "add", USERNAME, "--role", "leader"], env,
            stdin=PASSWORD + "\n")
    except RuntimeError:
        run([sys.executable, "-m", "geo", "users", "reset", USERNAME], env,
            stdin=PASSWORD + "\n")


def first_leader(database: Path, warm_seconds: int, arrive_after: float) -> dict:
    from playwright.sync_api import sync_playwright

    os.environ["PAIRMAP_WARM_SECONDS"] = str(warm_seconds)
    log = Path(tempfile.mkdtemp(prefix="bench-warm-")) / "streamlit.log"
    with streamlit(ROOT / "app.py", database, log) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            first = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            first.goto(url, wait_until="domcontentloaded")
            first.get_by_label("用户名").wait_for(timeout=120_000)  # the script has run
            time.sleep(arrive_after)  # the scenario: the leader comes later
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_label("用户名").fill(USERNAME, timeout=120_000)
            page.get_by_label("密码").fill(PASSWORD)
            start = time.monotonic()
            page.get_by_role("button", name="登录").click()
            page.frame_locator(MAP_FRAME).locator(POLYGON).first.wait_for(
                state="attached", timeout=900_000)
            polygon = time.monotonic() - start
            page.locator(IDLE).wait_for(timeout=900_000)
            idle = time.monotonic() - start
        finally:
            browser.close()
    return {"warm_seconds": warm_seconds, "first_polygon_s": round(polygon, 1),
            "idle_s": round(idle, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--arrive-after", type=float, default=150)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    add_leader(args.database)
    results = [first_leader(args.database, seconds, args.arrive_after) for seconds in (0, 60)]
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"arrive_after_s": args.arrive_after, "load_average": load,
                          "runs": results}))
        return
    for result in results:
        state = "off" if result["warm_seconds"] == 0 else "on"
        print(f"warming {state}: first polygon {result['first_polygon_s']} s, "
              f"idle {result['idle_s']} s")
    print(f"(leader {args.arrive_after:.0f} s after the first visitor; load {load:.1f})")


if __name__ == "__main__":
    main()
