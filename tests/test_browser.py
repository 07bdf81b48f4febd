"""The real thing: `streamlit run` in a subprocess, opened by headless Chromium.

Checks what only a browser shows: the map is drawn (every village polygon), nothing is
requested from another origin, and the page raises no error; the map opens on the county,
clear of its legend, after every fresh login at two window sizes (also when Leaflet's
stylesheet comes late), and 回到全县 brings it back; 覆盖地图 fits a 1280×720 screen and
its tooltips are drawn over the legend; the login page is all a logged-out visitor sees.
A screenshot is saved to ``test-artifacts/`` (git-ignored) when a check fails, and the
overview, 覆盖地图 and the visit form are saved there at 1280×720 for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ARTIFACTS, CHROMIUM_ARGS, ROOT

pytestmark = pytest.mark.browser
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_ready(process: subprocess.Popen, url: str, log: Path) -> None:
    """Poll the health endpoint until it answers; fail if the server dies or never does."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"streamlit did not become ready:\n{log.read_text(errors='replace')}")


def _database_url(database: Path | str) -> str:
    """A SQLite file's URL, or ``database`` itself when it is a URL already."""
    return database if isinstance(database, str) else f"sqlite:///{database}"


def _start_app(database: Path | str, base_path: str = "", logs: Path | None = None,
               env: dict[str, str] | None = None) -> Iterator[str]:
    """Run the app on ``database`` (a SQLite file, or a database URL), with ``env``
    added to the environment; its log goes beside the file or into ``logs``."""
    port = _free_port()
    folder = logs or (database.parent if isinstance(database, Path)
                      else Path(tempfile.mkdtemp(prefix="pairmap-app-")))
    log = folder / f"streamlit-{port}.log"
    env = {**os.environ, "PAIRMAP_DATABASE_URL": _database_url(database), **(env or {})}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true"]
    if base_path:
        command += ["--server.baseUrlPath", base_path]
    prefix = f"/{base_path}" if base_path else ""
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(process, f"http://127.0.0.1:{port}{prefix}/_stcore/health", log)
        yield f"http://127.0.0.1:{port}{prefix}/"
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """End ``process``: terminate, and kill it if it is still there after 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


USERNAME, PASSWORD = "viewer", "browser-pass-1"
PAYLOAD_NAME = '<img src=x onerror="window.__xss=1">龙池村'
PAYLOAD_SUMMARY = '<script>window.__xss=2</script><img src=y onerror="window.__xss=3">'


def _sample_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, name: str,
                users: list[tuple[str, str, str, str | None]]) -> Iterator[tuple[str, Path]]:
    """The app on a copy of the sample county with ``users`` (name, password, role,
    department) added by the command line; yields its address and the database file."""
    database = tmp_path_factory.mktemp(name) / "pairmap.db"
    shutil.copy(demo_db, database)
    for user in users:
        _add_user_with_the_cli(database, *user)
    for url in _start_app(database):
        yield url, database


def _add_user_with_the_cli(database: Path | str, name: str = USERNAME, password: str = PASSWORD,
                           role: str = "admin", department: str | None = None) -> None:
    command = [sys.executable, "-m", "geo", "users", "add", name, "--role", role]
    if department:
        command += ["--department", department]
    result = subprocess.run(
        command, input=password + "\n", text=True, capture_output=True, cwd=ROOT, timeout=120,
        env={**os.environ, "PAIRMAP_DATABASE_URL": _database_url(database)}, check=False)
    assert result.returncode == 0, result.stderr
    assert password not in result.stdout + result.stderr


def _store_payloads(database: Path) -> None:
    import sqlite3

    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE admin_units SET short_name = ? WHERE code = ?",
                           (PAYLOAD_NAME, "420526101201"))
        connection.execute("UPDATE visits SET summary = ? WHERE id = "
                           "(SELECT MAX(id) FROM visits)", (PAYLOAD_SUMMARY,))


@pytest.fixture
def app_url(demo_copy: Path) -> Iterator[str]:
    _add_user_with_the_cli(demo_copy)
    _store_payloads(demo_copy)
    yield from _start_app(demo_copy)


@pytest.fixture
def app_url_under_base_path(demo_copy: Path) -> Iterator[str]:
    _add_user_with_the_cli(demo_copy)
    yield from _start_app(demo_copy, base_path="pairmap")


def _log_in(page, name: str = USERNAME, password: str = PASSWORD) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _wait_until_idle(page, timeout: int = 30_000) -> None:
    """Wait until the app has finished running its script (Streamlit marks the state on
    the app's root element)."""
    from playwright.sync_api import expect

    expect(page.locator("[data-testid='stApp']")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=timeout)


def _settled_map(page, legend_text: str, timeout: float = 60):
    """The page's map frame once the page shows one map whose legend holds
    ``legend_text``. A rerun that replaces the map (another page, another layer) can
    keep the old iframe beside the new one for a moment, also after the app reported
    idle, so the count and the legend are polled together (a readiness poll)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        _wait_until_idle(page)
        if page.locator(MAP_FRAME).count() == 1:
            frame = page.frame_locator(MAP_FRAME)
            if frame.locator(".pairmap-legend", has_text=legend_text).count() == 1:
                return frame
        if time.monotonic() > deadline:
            raise AssertionError(f"no single map with the legend {legend_text!r}")
        page.wait_for_timeout(250)


def _streamlit_probe(url: str) -> bool:
    """Streamlit's frontend probes ``<page>/_stcore/...`` before the app root on a reload
    of a page URL; those 404s are expected. Every other failed response is recorded (and
    failed loads show there, so console "Failed to load resource" lines add nothing)."""
    return urlsplit(url).path.endswith(("/_stcore/health", "/_stcore/host-config"))


def _open_overview(chromium: str, url: str, name: str, extra=None) -> dict:
    """Open ``url``; return the drawn polygons, foreign requests and page errors."""
    from playwright.sync_api import sync_playwright

    origin = urlsplit(url).netloc
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        page.on("response", lambda response: errors.append(
            f"HTTP {response.status}: {response.url}")
            if response.status >= 400 and not _streamlit_probe(response.url) else None)
        page.on("console", lambda message: errors.append(f"console: {message.text}")
                if message.type == "error"
                and not message.text.startswith("Failed to load resource") else None)
        try:
            page.goto(url, wait_until="domcontentloaded")
            _log_in(page)
            frame = page.frame_locator(MAP_FRAME)
            villages = frame.locator("path.leaflet-interactive")
            villages.nth(95).wait_for(state="attached", timeout=90_000)
            frame.locator(".pairmap-legend").wait_for(timeout=30_000)
            result = {
                "polygons": villages.count(),
                "legend": frame.locator(".pairmap-legend").inner_text(),
                "labels": frame.locator(".pairmap-township-label").count(),
                "attribution": frame.locator(".leaflet-control-attribution").inner_html(),
                "frame_height": page.locator(MAP_FRAME).bounding_box()["height"],
                "title": page.locator("h1").first.inner_text(),
            }
            result["errors"] = errors
            if extra is not None:
                result.update(extra(page, frame))
            result["foreign"] = [r for r in requests
                                 if urlsplit(r).scheme in ("http", "https", "ws", "wss")
                                 and urlsplit(r).netloc != origin]
            if result["foreign"] or errors or result["polygons"] < 96:
                raise AssertionError(result)
            return result
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            raise
        finally:
            context.close()


HOVER_PAYLOAD_VILLAGE = """
() => {
  for (const name of Object.keys(window)) {
    if (!name.startsWith("map_") || !window[name] || !window[name].eachLayer) continue;
    let found = null;
    window[name].eachLayer((layer) => {
      const props = layer.feature && layer.feature.properties;
      if (props && props.name && props.name.includes("onerror") && layer._path) {
        found = layer._path.getBoundingClientRect();
      }
    });
    if (found) return {x: found.x + found.width / 2, y: found.y + found.height / 2};
  }
  return null;
}
"""


def _hover_payload_village_then_visit_records(page, frame) -> dict:
    """Hover the village named with a payload; open the visit records; report."""
    iframe = page.locator(MAP_FRAME)
    box = iframe.bounding_box()
    inner = iframe.element_handle().content_frame()
    point = inner.evaluate(HOVER_PAYLOAD_VILLAGE)
    assert point is not None, "the payload village is on the map"
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=15_000)
    report = {
        "tooltip": tooltip.inner_text(),
        "map_injected": inner.evaluate(
            "() => document.querySelectorAll('img[src=\"x\"], img[src=\"y\"]').length"),
        "map_xss": inner.evaluate("() => window.__xss === undefined ? null : window.__xss"),
    }
    page.get_by_role("link", name="走访记录").first.click()
    page.get_by_text("条走访记录").wait_for(timeout=30_000)
    _wait_until_idle(page)  # the visit table is drawn before the page is searched
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30_000)
    report["page_xss"] = page.evaluate("() => window.__xss === undefined ? null : window.__xss")
    report["page_injected"] = page.evaluate(
        "() => document.querySelectorAll('img[src=\"x\"], img[src=\"y\"]').length")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name="登录").wait_for(timeout=30_000)
    # The login cookie is deleted in the browser, by a component of the login page.
    page.wait_for_function(
        "() => !document.cookie.split('; ').some(c => c.startsWith('pairmap_session='))",
        timeout=30_000)
    page.reload()
    page.get_by_role("button", name="登录").wait_for(timeout=30_000)
    report["logged_out"] = page.frame_locator(MAP_FRAME).locator("path").count() == 0
    # The reloaded address of the visit records asks for the login (no "page not found"),
    # then opens the visit records again.
    _wait_until_idle(page)
    report["reload_url"] = page.url
    report["not_found"] = page.get_by_text("Page not found").count()
    _log_in(page)
    page.get_by_text("条走访记录").wait_for(timeout=60_000)
    report["back_on"] = page.locator("h1").first.inner_text()
    return report


def test_overview_map_is_drawn_offline(chromium: str, app_url: str):
    result = _open_overview(chromium, app_url, "overview",
                            _hover_payload_village_then_visit_records)
    assert result["polygons"] >= 96
    assert result["labels"] == 8
    assert "示意边界" in result["legend"]
    assert "从未走访" in result["legend"]
    # The attribution names Leaflet in words, without Leaflet 1.9's flag.
    assert "Leaflet" in result["attribution"] and "<svg" not in result["attribution"]
    assert result["frame_height"] > 300
    assert result["title"] == "总览"
    assert result["foreign"] == []
    assert result["errors"] == []
    # The stored payloads are shown as text and run nothing (tooltip and visit records).
    assert '<img src=x onerror="window.__xss=1">龙池村' in result["tooltip"]
    assert result["map_xss"] is None and result["page_xss"] is None
    assert result["map_injected"] == 0 and result["page_injected"] == 0
    # Logging out ends the session, and a reload does not bring it back.
    assert result["logged_out"]
    assert result["reload_url"].endswith("/visits") and result["not_found"] == 0
    assert result["back_on"] == "走访记录"


def _click_a_village_on_the_coverage_map(page, _frame) -> dict:
    """Open the coverage map, click a village, and read its card."""
    page.get_by_role("link", name="覆盖地图").first.click()
    page.get_by_text("点击地图上的村（社区）查看详情").wait_for(timeout=30_000)
    frame = page.frame_locator(MAP_FRAME)
    village = frame.locator("path.leaflet-interactive").nth(40)
    village.wait_for(timeout=60_000)
    # Once the map is styled and fitted: a click before (while Leaflet's stylesheet is
    # still on its way) may land beside the village, and the map moves after it.
    _next_view(page.locator(MAP_FRAME).element_handle().content_frame())
    village.click(force=True)
    page.get_by_text("结对关系").wait_for(timeout=30_000)
    return {"card": page.locator("h3").filter(has_text="（").first.inner_text()}


UPLOAD = ("日期,单位代码,村代码,走访类型,走访户数,工作内容\n"
          "2026-11-20,XS001,420526101201,走访慰问,5,浏览器上传测试\n"
          "2026-11-21,XS001,420526999999,走访慰问,3,村代码错误\n")


def _upload_on_the_data_page(page, frame) -> dict:
    """Click a village on the coverage map, then check and import a file on the Data page."""
    report = _click_a_village_on_the_coverage_map(page, frame)
    page.get_by_role("link", name="数据导入导出").first.click()
    page.get_by_text("导入台账").wait_for(timeout=30_000)
    upload = page.locator("[data-testid='stFileUploader']").first.locator("input[type=file]")
    upload.set_input_files({"name": "台账.csv", "mimeType": "text/csv",
                            "buffer": UPLOAD.encode("gbk")})
    page.get_by_role("button", name="检查文件").wait_for(timeout=30_000)
    page.get_by_role("button", name="检查文件").click()
    page.get_by_text("检查完成").wait_for(timeout=30_000)
    report["checked"] = page.get_by_text("检查完成").inner_text()
    report["error_table"] = page.get_by_text("错误", exact=True).count()
    page.get_by_text("跳过有错误的行").click()
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("导入完成").wait_for(timeout=30_000)
    report["done"] = page.get_by_text("导入完成").inner_text()
    return report


def test_map_still_draws_under_a_base_url_path(chromium: str, app_url_under_base_path: str):
    result = _open_overview(chromium, app_url_under_base_path, "overview-base-path",
                            _upload_on_the_data_page)
    assert "（" in result["card"]  # "村名（乡镇）": the clicked village's card
    assert "共 2 行" in result["checked"] and "有错误 1 行" in result["checked"]
    assert result["error_table"] >= 1
    assert "新增 1" in result["done"] and "未导入 1 行" in result["done"]
    assert result["polygons"] >= 96
    assert result["foreign"] == [] and result["errors"] == []


# --- the map opens on the county; the login page's addresses -----------------------------

CLERK, CLERK_PASSWORD = "clerk", "clerk-pass-1"
SIZES = [(1280, 720)] * 3 + [(1920, 1080)] * 3
LATE_CSS = (2, 5)
"""The logins (positions in ``SIZES``) whose Leaflet stylesheet arrives only after the
map is drawn, one at each size (with the old fit the legend then covered the county's
east at 1280×720 every time, where it did so on some loads only)."""
MAP_VIEW = """
(arg) => {
  // The Leaflet map of the frame, once it is drawn with a size, styled (Leaflet's
  // stylesheet floats the legend right) and not zooming: its view and the legend's box
  // in the map's pixels, with arg.county ([west, south, east, north]) the county's box
  // too; returned once unchanged over the last few polls and, with arg.unlike (the
  // "where" of an earlier view), once the view has moved from there (folium names the
  // map map_<id>).
  const county = arg && arg.county, unlike = arg && arg.unlike;
  let view = null;
  for (const name of Object.keys(window)) {
    const map = window[name];
    if (!name.startsWith("map_") || !map || !map.getBounds || !map._loaded) continue;
    const size = map.getSize();
    if (size.x < 100 || size.y < 100 || map._animatingZoom) return null;
    const legend = map.getContainer().querySelector(".pairmap-legend");
    if (!legend || getComputedStyle(legend).float !== "right") return null;
    const b = map.getBounds();
    view = {west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(),
            zoom: map.getZoom(), width: size.x, height: size.y};
    view.where = JSON.stringify([view.west, view.south, view.east, view.north, view.zoom]);
    const frame = map.getContainer().getBoundingClientRect();
    const box = legend.getBoundingClientRect();
    view.legend = {left: box.left - frame.left, top: box.top - frame.top,
                   right: box.right - frame.left, bottom: box.bottom - frame.top};
    if (county) {
      const sw = map.latLngToContainerPoint([county[1], county[0]]);
      const ne = map.latLngToContainerPoint([county[3], county[2]]);
      view.county = {left: sw.x, top: ne.y, right: ne.x, bottom: sw.y};
    }
  }
  if (view === null) return null;
  const key = JSON.stringify(view);
  window.__pairmapSame = window.__pairmapView === key ? (window.__pairmapSame || 0) + 1 : 0;
  window.__pairmapView = key;
  if (unlike && view.where === unlike) return null;
  return window.__pairmapSame >= 4 ? view : null;
}
"""


@pytest.fixture
def app_with_clerk(demo_copy: Path) -> Iterator[tuple[str, tuple[float, ...]]]:
    """The app on the sample county with an administrator and a liaison of XS001; and the
    county's bounds (west, south, east, north) from the database's outline."""
    from geo import db, store

    _add_user_with_the_cli(demo_copy)
    _add_user_with_the_cli(demo_copy, CLERK, CLERK_PASSWORD, "liaison", "XS001")
    engine = db.make_engine(f"sqlite:///{demo_copy}")
    county = tuple(float(v) for v in store.load_county(engine).total_bounds)
    engine.dispose()
    for url in _start_app(demo_copy):
        yield url, county


def _next_view(inner, county: tuple[float, ...] | None = None, unlike: dict | None = None,
               timeout: int = 60_000) -> dict:
    """The map's view once it has settled (``MAP_VIEW``), polled afresh: the count of
    unchanged polls starts again, so a view read before an action is not returned as
    the view after it; with ``unlike``, only once the view has left that one."""
    inner.evaluate("() => { window.__pairmapView = null; window.__pairmapSame = 0; }")
    arg = {"county": list(county) if county else None,
           "unlike": unlike["where"] if unlike else None}
    return inner.wait_for_function(MAP_VIEW, arg=arg, polling=200,
                                   timeout=timeout).json_value()


def _settled_view(page, county: tuple[float, ...] | None = None,
                  held: list | None = None) -> dict:
    """The overview map's view once its 96 villages are drawn and it has stopped moving
    (polled inside the st_folium frame; no fixed waits). Requests ``held`` back (see
    ``_hold_leaflet_css``) are let through once the villages are drawn."""
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").nth(95).wait_for(state="attached",
                                                               timeout=90_000)
    for route in held or []:
        route.continue_()
    inner = page.locator(MAP_FRAME).element_handle().content_frame()
    return _next_view(inner, county)


def _hold_leaflet_css(page, held: list) -> None:
    """Hold back the requests for Leaflet's stylesheet (as a busy server would): ``held``
    fills with them, for ``_settled_view`` to let through. streamlit-folium adds the
    stylesheet after it has loaded the scripts, and does not wait for it before it runs
    the map's script, so the map is built and fitted with an unstyled legend first."""
    page.route("**/vendor/leaflet/leaflet.css", lambda route: held.append(route))


def _legend_covers_county(view: dict, slack: float = 2) -> bool:
    """Whether the legend's box overlaps the county's box (both in the map's pixels) by
    more than ``slack`` px each way."""
    county, legend = view["county"], view["legend"]
    across = min(county["right"], legend["right"]) - max(county["left"], legend["left"])
    down = min(county["bottom"], legend["bottom"]) - max(county["top"], legend["top"])
    return across > slack and down > slack


def _spans(view: dict, county: tuple[float, ...]) -> dict:
    west, south, east, north = county
    return {"inside": view["west"] <= west and view["south"] <= south
            and view["east"] >= east and view["north"] >= north,
            "wide": (view["east"] - view["west"]) / (east - west),
            "tall": (view["north"] - view["south"]) / (north - south)}


def _fresh_login(browser, url: str, size: tuple[int, int], name: str = USERNAME,
                 password: str = PASSWORD, prepare=None):
    """A new browser context (no cookie, no cache) at ``size``, logged in; ``prepare``
    is called with the page before it opens ``url``."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    if prepare is not None:
        prepare(page)
    page.goto(url, wait_until="domcontentloaded")
    _log_in(page, name, password)
    return context, page


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def test_the_map_opens_on_the_county_every_time(chromium: str, app_with_clerk):
    """Six fresh logins, three at 1280×720 and three at 1920×1080: each time the whole
    county is in view, the view is not much larger than the county (issue 9: half of
    such logins opened on the whole world), and the legend covers no part of the
    county's box. 回到全县 restores the county after zooming out. At 1280×720 覆盖地图
    fits on the screen with its legend, and a tooltip is drawn over the legend. The
    overview and 覆盖地图 are saved as screenshots at 1280×720."""
    from playwright.sync_api import sync_playwright

    url, county = app_with_clerk
    views, shots, coverage = [], [], {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            for attempt, size in enumerate(SIZES):
                held: list = []
                context, page = _fresh_login(
                    browser, url, size,
                    prepare=partial(_hold_leaflet_css, held=held) if attempt in LATE_CSS
                    else None)
                try:
                    view = _settled_view(page, county, held)
                    views.append((size, view, _spans(view, county)))
                    if attempt == 0:
                        _wait_until_idle(page)
                        shots.append(_screenshot(page, "overview-1280x720"))
                        coverage = _coverage_map_on_the_screen(page, county)
                        shots += [coverage["shot"], coverage["hover_shot"]]
                    if attempt == 1:
                        views.append(("reset", *_zoom_out_and_reset(page, county)))
                except Exception:
                    _screenshot(page, f"map-view-{attempt}-{size[0]}x{size[1]}")
                    raise
                finally:
                    context.close()
        finally:
            browser.close()
    for size, view, spans in views:
        assert spans["inside"], (size, view, county)  # the whole county is in view
        # The legend leaves the county uncovered (on some loads at 1280×720 the fit was
        # made before Leaflet's stylesheet arrived, and the legend hid the east).
        assert not _legend_covers_county(view), (size, view["county"], view["legend"])
        # Fitted: tight in one direction (within a zoom step), and not the world.
        assert min(spans["wide"], spans["tall"]) <= 2, (size, view, spans)
        assert max(spans["wide"], spans["tall"]) <= 5, (size, view, spans)
    assert len(views) == len(SIZES) + 1
    assert all(path.stat().st_size > 10_000 for path in shots), shots
    # 覆盖地图 at 1280×720: the map and its legend end on the screen, the legend leaves
    # the county uncovered, and a village's tooltip is drawn over the legend.
    assert coverage["frame_bottom"] <= coverage["window"]["height"], coverage
    assert coverage["legend_bottom"] <= coverage["window"]["height"], coverage
    assert not coverage["covered"], coverage
    assert coverage["on_top"] == "tooltip", coverage


def test_the_visit_form_says_what_is_wrong_beside_each_field(chromium: str, app_with_clerk):
    """As the liaison at 1280×720, straight to the form's address: the form as it opens,
    and after 保存 with no village and a future date; both saved as screenshots."""
    from playwright.sync_api import sync_playwright

    url, _county = app_with_clerk
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            context, page = _fresh_login(browser, f"{url.rstrip('/')}/record", (1280, 720),
                                         CLERK, CLERK_PASSWORD)
            try:
                shots = _record_form_screenshots(page)
            except Exception:
                _screenshot(page, "record-failed-1280x720")
                raise
            finally:
                context.close()
        finally:
            browser.close()
    assert all(path.stat().st_size > 10_000 for path in shots), shots


def _zoom_out_and_reset(page, county: tuple[float, ...]) -> tuple[dict, dict]:
    """Zoom out three steps with the map's control, then press 回到全县; return the view
    after the reset and its spans (the zoomed-out view is checked here)."""
    frame = page.frame_locator(MAP_FRAME)
    inner = page.locator(MAP_FRAME).element_handle().content_frame()
    zoomed = _next_view(inner, county)
    for _ in range(3):  # one step at a time: a click during the zoom's animation is lost
        frame.locator(".leaflet-control-zoom-out").click()
        zoomed = _next_view(inner, county, unlike=zoomed, timeout=30_000)
    assert _spans(zoomed, county)["wide"] > 5, zoomed  # it did zoom out
    reset = frame.locator(".pairmap-reset-view")
    assert reset.inner_text() == "回到全县"
    reset.click()
    # Polled until the view has left the zoomed-out one and settled (read once, a busy
    # machine could return the zoomed-out view still).
    view = _next_view(inner, county, unlike=zoomed, timeout=30_000)
    return view, _spans(view, county)


TOOLTIP_OVER_LEGEND = """
(legend) => {
  // Villages left of the map's middle and level with the legend, nearest the middle
  // first: a tooltip opens to the right of the pointer there, towards the legend.
  const middle = document.querySelector(".leaflet-container").clientWidth / 2;
  const found = [];
  for (const path of document.querySelectorAll("path.leaflet-interactive")) {
    const r = path.getBoundingClientRect();
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    if (x < middle - 5 && y > legend.top + 20 && y < legend.bottom - 60) {
      found.push({x: x, y: y});
    }
  }
  return found.sort((a, b) => b.x - a.x).slice(0, 12);
}
"""
ON_TOP = """
() => {
  // What is drawn on top in the middle of the tooltip's overlap with the legend (the
  // tooltip lets the pointer through: it is asked to catch it for this one look).
  const tip = document.querySelector(".leaflet-tooltip");
  const a = tip.getBoundingClientRect();
  const b = document.querySelector(".pairmap-legend").getBoundingClientRect();
  const left = Math.max(a.left, b.left), right = Math.min(a.right, b.right);
  const top = Math.max(a.top, b.top), bottom = Math.min(a.bottom, b.bottom);
  if (right - left < 4 || bottom - top < 4) return "no overlap";
  tip.style.pointerEvents = "auto";
  const node = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
  tip.style.pointerEvents = "";
  return node.closest(".leaflet-tooltip") ? "tooltip"
    : node.closest(".pairmap-legend") ? "legend" : node.tagName;
}
"""


def _coverage_map_on_the_screen(page, county: tuple[float, ...]) -> dict:
    """Open 覆盖地图 and report where its frame and legend end (page pixels), whether
    the legend leaves the county uncovered, and what is on top where a village's tooltip
    crosses the legend."""
    page.get_by_role("link", name="覆盖地图").first.click()
    page.get_by_text("点击地图上的村（社区）查看详情").wait_for(timeout=30_000)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").nth(95).wait_for(state="attached",
                                                               timeout=90_000)
    _wait_until_idle(page)
    iframe = page.locator(MAP_FRAME)
    inner = iframe.element_handle().content_frame()
    view = _next_view(inner, county)
    box = iframe.bounding_box()
    report = {"frame_bottom": box["y"] + box["height"],
              "legend_bottom": box["y"] + view["legend"]["bottom"],
              "covered": _legend_covers_county(view), "window": page.viewport_size,
              "shot": _screenshot(page, "coverage-1280x720")}
    points = inner.evaluate(TOOLTIP_OVER_LEGEND, view["legend"])
    assert points, view
    for point in points:  # the first village whose tooltip reaches the legend
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
        frame.locator(".leaflet-tooltip").wait_for(timeout=15_000)
        report["on_top"] = inner.evaluate(ON_TOP)
        if report["on_top"] != "no overlap":
            break
    report["hover_shot"] = _screenshot(page, "coverage-tooltip-1280x720")
    return report


def _record_form_screenshots(page) -> list[Path]:
    """On the visit form at 1280×720: the form as it opens, and after 保存 with no
    village chosen and a future date (said beside each field, in Chinese)."""
    page.get_by_text("新增走访记录").wait_for(timeout=60_000)
    _wait_until_idle(page)
    # Widgets are drawn after the run ends: wait for the last ones before the picture.
    page.get_by_placeholder("做了什么、解决了什么问题").first.wait_for(timeout=30_000)
    page.get_by_placeholder("请选择走访类型").first.wait_for(timeout=30_000)
    shots = [_screenshot(page, "record-1280x720")]
    form = page.locator("[data-testid='stForm']").first
    form.get_by_role("spinbutton", name="day, 日期").click()
    page.keyboard.press("ArrowUp")  # tomorrow (or the 1st, at a month's end)
    form.get_by_label("收集问题", exact=True).fill("-2")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("未保存：请按上面各项旁的提示修改后再保存。").wait_for(timeout=30_000)
    _wait_until_idle(page)
    assert page.get_by_text("请选择村（社区）后再保存").is_visible()
    assert page.get_by_text("-2 是负数，数量不能为负").is_visible()
    shots.append(_screenshot(page, "record-errors-1280x720"))
    return shots


def test_before_login_the_menu_holds_the_login_page_alone(chromium: str, app_with_clerk):
    """Logged out, the app shows the login form and no menu (no page names, no
    administration); an unknown address such as /nonsense opens the overview after
    login."""
    from playwright.sync_api import sync_playwright

    url, _ = app_with_clerk
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        try:
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_role("button", name="登录").wait_for(timeout=60_000)
            _wait_until_idle(page)
            links = page.locator("[data-testid='stSidebarNav'] a, [data-testid='stTopNav'] a")
            assert links.count() == 0
            for title in ("总览", "录入走访", "审计日志", "系统管理"):
                assert page.get_by_role("link", name=title).count() == 0, title
            page.goto(f"{url}nonsense", wait_until="domcontentloaded")
            page.get_by_role("button", name="登录").wait_for(timeout=60_000)
            _wait_until_idle(page)
            _close_streamlits_page_not_found(page)
            _log_in(page)
            page.locator("h1").filter(has_text="总览").wait_for(timeout=60_000)
            _wait_until_idle(page)
            titles = page.locator("h1").all_inner_texts()
            menu = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        except Exception:
            _screenshot(page, "login-addresses")
            raise
        finally:
            context.close()
            browser.close()
    assert titles[0] == "总览"
    assert any("系统管理" in item for item in menu), menu  # the administrator's menu now


def _close_streamlits_page_not_found(page) -> None:
    """Streamlit's own dialog for an address outside the navigation (English, modal: the
    login form is inert under it) is closed as a person would; see the xfail test below."""
    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    if dialog.count():
        dialog.get_by_role("button").first.click()
        dialog.wait_for(state="detached", timeout=10_000)


@pytest.mark.xfail(strict=True, reason=(
    "an address outside the logged-out navigation (/nonsense) opens Streamlit's own "
    "English 'Page not found' dialog over the login form (ui/session.navigation routes "
    "only the known page addresses; st.navigation has no catch-all)"))
def test_an_unknown_address_asks_for_the_login_in_chinese(chromium: str, app_with_clerk):
    from playwright.sync_api import sync_playwright

    url, _ = app_with_clerk
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}nonsense", wait_until="domcontentloaded")
            page.get_by_role("button", name="登录").wait_for(timeout=60_000)
            _wait_until_idle(page)
            english = page.get_by_text("Page not found").count()
        finally:
            browser.close()
    assert english == 0
