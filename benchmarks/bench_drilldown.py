"""Payload bytes and Chromium draw time of the drill-down maps, one unit per level.

Usage::

    PAIRMAP_DATABASE_URL=sqlite:////tmp/drill/pairmap.db python -m geo seed-demo --scale province
    python benchmarks/bench_drilldown.py sqlite:////tmp/drill/pairmap.db

For each level (province, city, county, township) it takes the unit with the most
villages, builds the map HTML the app sends (``geo.drilldown.render_drill_map``, Leaflet
from the repository's ``static/`` folder, served here by a small local server) and
loads it in Debian's Chromium at 1280×720: the median of 5 loads (after one that warms
the cache) from navigation to the first polygon and to all of them, and the number of
requests to other origins (0 expected). Prints one JSON line per level.

A benchmark measures speed; the tests never assert on time.
"""

from __future__ import annotations

import functools
import http.server
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import db, drilldown  # noqa: E402
from geo.offline import configure_offline_assets  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LOADS = 5


class _Static(http.server.SimpleHTTPRequestHandler):
    """Serves ``/app/static/…`` from the repository (as Streamlit does) and the map."""

    page = b""

    def do_GET(self) -> None:
        if self.path.startswith("/map.html"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(self.page)
            return
        self.path = self.path.removeprefix("/app/static")
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


def main(url: str) -> None:
    from playwright.sync_api import sync_playwright

    configure_offline_assets()
    engine = db.make_engine(url)
    tree = drilldown.load_tree(engine)
    status = drilldown.village_status(engine)
    handler = functools.partial(_Static, directory=str(ROOT / "static"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        for level in drilldown.MAP_LEVELS:
            code = drilldown._largest(tree, level)
            view = drilldown.choose_view(tree, code)
            html = drilldown.render_drill_map(engine, tree, status, code).get_root().render()
            _Static.page = html.encode("utf-8")
            first, full, foreign = [], [], []
            for load in range(LOADS + 1):
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                page = context.new_page()
                page.on("request", lambda r, seen=foreign: seen.append(r.url)
                        if not r.url.startswith(origin) else None)
                start = time.monotonic()
                page.goto(f"{origin}/map.html?{load}", wait_until="commit")
                page.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
                shown = time.monotonic() - start
                page.wait_for_function(
                    "n => document.querySelectorAll('path.leaflet-interactive').length >= n",
                    arg=len(view.units))
                if load:
                    first.append(shown)
                    full.append(time.monotonic() - start)
                context.close()
            print(json.dumps({
                "level": level, "code": code, "unit": tree.name(code), "shown": view.shown,
                "polygons": len(view.units), "payload_bytes": len(_Static.page),
                "first_polygon_s": round(statistics.median(first), 2),
                "all_polygons_s": round(statistics.median(full), 2),
                "foreign_requests": len(foreign)}, ensure_ascii=False), flush=True)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite:////tmp/drill/pairmap.db")
