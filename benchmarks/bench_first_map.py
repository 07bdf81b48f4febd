"""Time to first map: PairMap's overview after login against a bare st_folium app.

Usage: python benchmarks/bench_first_map.py [--loads 5] [--json] [--keep]

Both apps run with ``streamlit run`` on the sample county (a fresh copy of a database
made by ``python -m geo seed-demo``; a leader added by ``python -m geo users add``), and
headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) loads them in
turn, ``--loads`` times each, alternating, each load in a fresh browser context (no
cookie, no cache):

* PairMap: from the click on 登录 to the first ``path.leaflet-interactive`` in the
  overview's map frame;
* bare: an app file written to a temporary folder that draws the same 96 village
  polygons with ``st_folium`` and the project's vendored Leaflet (``geo.offline``);
  from the navigation (the page's time origin) to its first polygon.

The times are taken in the browser (``Date.now()`` in the page): a capturing click
listener marks the login, mutation observers mark each change of Streamlit's script state
and, in the map's frame (watched from the page), the first polygon. Python only
waits for the polygon (a readiness poll, no fixed sleeps). Printed: each load, the
medians, the ratio PairMap/bare and, per PairMap load, the script runs seen before the
map and when its frame appeared.

A benchmark measures speed; the tests never assert on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
POLYGON = "path.leaflet-interactive"
USERNAME, PASSWORD = "bench-leader", "bench-password-1"
PORTS = range(8700, 8800)

# Runs in the page before its own scripts: marks (Date.now()) the login click, each script
# state of Streamlit's app root, the map frame's arrival, and the first village polygon in
# the frame (its document is watched from the page: Playwright's init scripts do not reach
# a component's frame, which reuses the window of its first about:blank).
MARKS_SCRIPT = """
(() => {
  if (window !== window.top) { return; }
  const marks = window.__benchMarks = {states: []};
  const stamp = () => Date.now();
  window.addEventListener("click", (event) => {
    if (marks.click === undefined && event.target.closest
        && event.target.closest("button")) { marks.click = stamp(); }
  }, true);
  let watched = null;
  const inFrame = () => {
    const frame = document.querySelector("__FRAME__");
    const inner = frame && frame.contentDocument;
    if (marks.polygon === undefined && inner && inner.querySelector("__POLYGON__")) {
      marks.polygon = stamp();
    }
    if (inner && inner !== watched) {
      watched = inner;
      new MutationObserver(inFrame).observe(inner, {subtree: true, childList: true});
    }
  };
  const poll = () => { inFrame(); if (marks.polygon === undefined) requestAnimationFrame(poll); };
  const look = () => {
    if (marks.frame === undefined && document.querySelector("__FRAME__")) {
      marks.frame = stamp();
      requestAnimationFrame(poll);
    }
    const root = document.querySelector("[data-testid='stApp']");
    const state = root && root.getAttribute("data-test-script-state");
    const last = marks.states[marks.states.length - 1];
    if (state && (!last || last[0] !== state)) { marks.states.push([state, stamp()]); }
  };
  new MutationObserver(look).observe(document, {
    subtree: true, childList: true, attributeFilter: ["data-test-script-state"]});
})();
""".replace("__POLYGON__", POLYGON).replace("__FRAME__", MAP_FRAME)

BARE_APP = '''"""A bare st_folium app: the sample county's villages, vendored Leaflet."""
import sys

import folium
import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, {root!r})
from geo import offline  # noqa: E402

st.set_page_config(layout="wide")
offline.configure_offline_assets()


@st.cache_data
def villages() -> str:
    with open({geojson!r}, encoding="utf-8") as handle:
        return handle.read()


fmap = folium.Map(location={centre!r}, zoom_start=11, tiles=None)
folium.GeoJson(villages(), name="villages",
               tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(fmap)
st_folium(fmap, height=560, use_container_width=True, returned_objects=[])
'''


def free_port() -> int:
    """A free port in 8700-8799 (the range kept for apps started by hand)."""
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8700-8799")


def run(command: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, input=stdin, text=True,
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr}")


def sample_database(folder: Path) -> Path:
    """A fresh sample county (``seed-demo``) with a leader added by the command line."""
    database = folder / "pairmap.db"
    env = {**os.environ, "PAIRMAP_DATABASE_URL": f"sqlite:///{database}"}
    run([sys.executable, "-m", "geo", "seed-demo"], env)
    run([sys.executable, "-m", "geo", "users", "add", USERNAME, "--role", "leader"], env,
        stdin=PASSWORD + "\n")
    return database


def bare_app(folder: Path, database: Path) -> Path:
    """Write the bare app, its villages as GeoJSON, its config and a link to ``static/``."""
    sys.path.insert(0, str(ROOT))
    from geo import db, store

    engine = db.make_engine(f"sqlite:///{database}")
    villages = store.load_villages(engine)
    engine.dispose()
    geojson = folder / "villages.geojson"
    shown = villages[["code", "short_name", "geometry"]].rename(columns={"short_name": "name"})
    geojson.write_text(shown.to_json(drop_id=True), encoding="utf-8")
    west, south, east, north = villages.total_bounds
    app = folder / "bare_app.py"
    app.write_text(BARE_APP.format(root=str(ROOT), geojson=str(geojson),
                                   centre=[float(south + north) / 2, float(west + east) / 2]),
                   encoding="utf-8")
    (folder / "static").symlink_to(ROOT / "static")
    (folder / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    return app


@contextmanager
def streamlit(app: Path, database: Path, log: Path) -> Iterator[str]:
    """``streamlit run app`` on a free port; yields its address once healthy."""
    port = free_port()
    env = {**os.environ, "PAIRMAP_DATABASE_URL": f"sqlite:///{database}"}
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=app.parent, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become ready")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def load(browser: Browser, url: str, login: bool) -> dict:
    """One load in a fresh context: seconds to the first polygon, and what came before."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(MARKS_SCRIPT)
    try:
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        if login:
            page.get_by_label("用户名").fill(USERNAME)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
        page.frame_locator(MAP_FRAME).locator(POLYGON).first.wait_for(
            state="attached", timeout=120_000)
        page.wait_for_function("window.__benchMarks.polygon !== undefined")
        main = page.evaluate("window.__benchMarks")
        start = main["click"] if login else page.evaluate("performance.timeOrigin")
        runs = sum(1 for state, when in main["states"]
                   if state == "running" and start <= when <= main["polygon"])
        return {"seconds": (main["polygon"] - start) / 1000,
                "frame_at": (main["frame"] - start) / 1000,
                "script_runs_before_map": runs, "start_epoch_ms": start,
                "states": [[state, (when - start) / 1000] for state, when in main["states"]]}
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="loads of each app (5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (databases, app logs)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-first-map-"))
    say = (lambda *_: None) if args.json else print
    try:
        database = sample_database(folder)
        bare_folder = folder / "bare"
        bare_folder.mkdir()
        bare = bare_app(bare_folder, database)
        times: dict[str, list[dict]] = {"pairmap": [], "bare": []}
        with ExitStack() as stack, sync_playwright() as p:
            pairmap_url = stack.enter_context(
                streamlit(ROOT / "app.py", database, folder / "pairmap.log"))
            bare_url = stack.enter_context(streamlit(bare, database, folder / "bare.log"))
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            # One unmeasured load of each: the servers import their modules, fill the
            # process-wide caches, and Chromium warms up.
            load(browser, pairmap_url, login=True)
            load(browser, bare_url, login=False)
            for index in range(args.loads):
                for name, url in (("pairmap", pairmap_url), ("bare", bare_url)):
                    result = load(browser, url, login=name == "pairmap")
                    times[name].append(result)
                    say(f"load {index + 1} {name:8s} {result['seconds']:.2f} s "
                        f"(frame at {result['frame_at']:.2f} s, "
                        f"{result['script_runs_before_map']} script runs)")
            browser.close()
        medians = {name: statistics.median(r["seconds"] for r in results)
                   for name, results in times.items()}
        report = {"loads": args.loads, "pairmap_s": round(medians["pairmap"], 3),
                  "bare_s": round(medians["bare"], 3),
                  "ratio": round(medians["pairmap"] / medians["bare"], 3),
                  "pairmap": times["pairmap"], "bare": times["bare"]}
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(f"median PairMap (login click to first polygon): {report['pairmap_s']:.2f} s")
            print(f"median bare st_folium (navigation to first polygon): {report['bare_s']:.2f} s")
            print(f"ratio: {report['ratio']:.2f}x")
    finally:
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
