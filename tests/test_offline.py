"""Tests for geo.offline: folium maps that load nothing from the internet."""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import branca.colormap
import folium
import folium.plugins
import pytest
from folium.elements import JSCSSMixin

from geo import offline
from tests import offline_checks

ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = offline.STATIC_DIR / "vendor"
STATIC_PATH = re.compile(r"/app/static/([^\"'\s)<>]+)")
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*?))\s*\)""")
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)

GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Alpha", "pop": 1200},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "Beta", "pop": 3400},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[2, 0], [3, 0], [3, 1], [2, 1], [2, 0]]],
            },
        },
    ],
}


def _all_jscss_classes() -> list[type]:
    seen: list[type] = []
    todo = [JSCSSMixin]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


@pytest.fixture
def offline_assets() -> Iterator[None]:
    """Configure offline assets, then restore folium's class attributes."""
    saved = {
        cls: {k: cls.__dict__[k] for k in ("default_js", "default_css") if k in cls.__dict__}
        for cls in _all_jscss_classes()
    }
    offline.configure_offline_assets()
    yield
    for cls, attrs in saved.items():
        for key in ("default_js", "default_css"):
            if key in attrs:
                setattr(cls, key, attrs[key])
            elif key in cls.__dict__:
                delattr(cls, key)


def _full_map() -> folium.Map:
    m = folium.Map(location=[0.5, 1.5], zoom_start=6, tiles=None)
    # Map(max_zoom=...) only reaches the tile layer. With tiles=None, MarkerCluster
    # throws "Map has no maxZoom specified" unless the map option is set.
    m.options["max_zoom"] = 18
    gj = folium.GeoJson(GEOJSON, name="areas")
    folium.GeoJsonTooltip(fields=["name", "pop"], aliases=["Name", "Population"]).add_to(gj)
    folium.GeoJsonPopup(fields=["name", "pop"]).add_to(gj)
    gj.add_to(m)
    folium.Marker(
        [0.5, 0.5],
        icon=folium.DivIcon(html='<div class="pm-label">A</div>', class_name="pm-divicon"),
    ).add_to(m)
    folium.Marker([0.8, 1.5]).add_to(m)  # default icon: vendor/leaflet/images/
    cluster = folium.plugins.MarkerCluster(name="cluster").add_to(m)
    for lat, lon in [(0.2, 2.2), (0.25, 2.25), (0.3, 2.3)]:
        folium.Marker([lat, lon]).add_to(cluster)
    folium.plugins.Fullscreen().add_to(m)
    folium.plugins.HeatMap([[0.5, 0.5, 1.0], [0.6, 0.6, 0.5]], name="heat").add_to(m)
    folium.LayerControl().add_to(m)
    return m


# --- static_url --------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("", "/app/static/vendor/leaflet/leaflet.js"),
        ("/", "/app/static/vendor/leaflet/leaflet.js"),
        ("/pairmap/", "/pairmap/app/static/vendor/leaflet/leaflet.js"),
        ("pairmap", "/pairmap/app/static/vendor/leaflet/leaflet.js"),
        ("/a/b/", "/a/b/app/static/vendor/leaflet/leaflet.js"),
    ],
)
def test_static_url(base: str, expected: str) -> None:
    assert offline.static_url("vendor/leaflet/leaflet.js", base) == expected


def test_static_url_default_base_and_leading_slash() -> None:
    assert offline.static_url("/x.css") == "/app/static/x.css"


@pytest.mark.parametrize("bad", ["", "/", "../secret", "vendor/../../x"])
def test_static_url_rejects_paths_outside_static(bad: str) -> None:
    with pytest.raises(ValueError):
        offline.static_url(bad)


# --- configured render -------------------------------------------------------


@pytest.mark.usefixtures("offline_assets")
def test_configured_map_has_no_remote_links() -> None:
    html = _full_map().get_root().render()
    assert offline_checks.remote_asset_links(html) == []
    for rel in offline.LINKED_FILES:
        assert offline.static_url(rel) in html


@pytest.mark.usefixtures("offline_assets")
def test_configured_map_needs_no_dropped_library() -> None:
    html = _full_map().get_root().render()
    assert offline_checks.dropped_dependency_usages(html) == []
    for gone in ("jquery", "bootstrap", "awesome", "fontawesome"):
        assert gone not in html.lower()


@pytest.mark.usefixtures("offline_assets")
def test_every_referenced_static_path_exists() -> None:
    html = _full_map().get_root().render()
    paths = set(STATIC_PATH.findall(html))
    assert paths == set(offline.LINKED_FILES)
    for rel in paths:
        assert (offline.STATIC_DIR / rel).is_file(), rel


@pytest.mark.usefixtures("offline_assets")
def test_base_url_path_prefixes_every_link() -> None:
    offline.configure_offline_assets("/pairmap/")
    html = _full_map().get_root().render()
    assert offline_checks.remote_asset_links(html) == []
    links = re.findall(r'(?:src|href)="([^"]*/app/static/[^"]*)"', html)
    assert links
    assert all(link.startswith("/pairmap/app/static/vendor/") for link in links)


@pytest.mark.usefixtures("offline_assets")
def test_configure_is_idempotent() -> None:
    before = {
        cls: (list(cls.default_js), list(cls.default_css))  # type: ignore[attr-defined]
        for cls in (folium.Map, folium.plugins.MarkerCluster, folium.plugins.Fullscreen)
    }
    offline.configure_offline_assets()
    offline.configure_offline_assets()
    for cls, (js, css) in before.items():
        assert cls.default_js == js  # type: ignore[attr-defined]
        assert cls.default_css == css  # type: ignore[attr-defined]
    assert folium.plugins.HeatMap.default_js == [
        ("leaflet-heat.js", "/app/static/vendor/leaflet-heat/leaflet_heat.min.js")
    ]
    html = _full_map().get_root().render()
    assert html.count("vendor/leaflet/leaflet.js") == 1


@pytest.mark.usefixtures("offline_assets")
def test_remote_default_assets_after_configure() -> None:
    remaining = offline_checks.remote_default_assets()
    for name in (
        "folium.folium.Map",
        "folium.plugins.marker_cluster.MarkerCluster",
        "folium.plugins.fast_marker_cluster.FastMarkerCluster",
        "folium.plugins.fullscreen.Fullscreen",
        "folium.plugins.heat_map.HeatMap",
    ):
        assert name not in remaining
    # Not vendored, still on a CDN: a caller using these must vendor them too.
    assert "folium.plugins.draw.Draw" in remaining
    assert "folium.features.TopoJson" in remaining
    assert all(offline_checks.is_remote(url) for urls in remaining.values() for url in urls)


@pytest.mark.usefixtures("offline_assets")
def test_known_leftovers_are_detected() -> None:
    """folium.Popup/Icon need jQuery/awesome-markers; branca colormaps add d3."""
    m = folium.Map(tiles=None)
    folium.Marker([0, 0], popup="hello", icon=folium.Icon()).add_to(m)
    branca.colormap.LinearColormap(["red", "blue"], vmin=0, vmax=1).add_to(m)
    html = m.get_root().render()
    usages = " ".join(offline_checks.dropped_dependency_usages(html))
    assert "$(`" in usages
    assert "L.AwesomeMarkers" in usages
    assert "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js" in (
        offline_checks.remote_asset_links(html)
    )


# --- unconfigured render (fresh interpreter, no global state touched) --------


@pytest.mark.slow  # a fresh interpreter
def test_unconfigured_render_has_remote_links() -> None:
    code = textwrap.dedent(
        """
        import json, folium, folium.plugins
        from tests.offline_checks import remote_asset_links
        m = folium.Map(tiles=None)
        folium.plugins.MarkerCluster().add_to(m)
        folium.plugins.Fullscreen().add_to(m)
        folium.plugins.HeatMap([[0, 0]]).add_to(m)
        print(json.dumps(remote_asset_links(m.get_root().render())))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    links = json.loads(out.strip().splitlines()[-1])
    joined = "\n".join(links)
    for needle in (
        "leaflet.js",
        "leaflet.css",
        "jquery",
        "bootstrap",
        "awesome-markers",
        "fontawesome",
        "leaflet.markercluster.js",
        "Control.FullScreen",
        "leaflet_heat.min.js",
    ):
        assert needle in joined, needle
    assert all(offline_checks.is_remote(link) for link in links)
    assert "/app/static/" not in out


# --- remote_asset_links / dropped_dependency_usages unit behaviour ----------


def test_remote_asset_links_kinds() -> None:
    html = """
    <script src="https://a.example/x.js"></script>
    <script src='/app/static/vendor/leaflet/leaflet.js'></script>
    <link rel=stylesheet href=//b.example/y.css>
    <img SRC="HTTP://c.example/i.png" alt="">
    <img src="data:image/png;base64,AAAA">
    <a href="https://leafletjs.com">Leaflet</a>
    <meta http-equiv="content-type" content="text/html; charset=UTF-8" />
    <style>
      .x { background: url("https://d.example/bg.png"); }
      .y { background: url(images/layers.png); }
      @import 'https://e.example/z.css';
    </style>
    <div style="background-image:url( //f.example/s.png )"></div>
    <script>
      var p = "\\u003cimg src=\\"https://g.example/p.png\\"\\u003e";
      var q = "\\u003ca href=\\"https://h.example\\"\\u003elink\\u003c/a\\u003e";
    </script>
    <script src="https://a.example/x.js"></script>
    """
    assert offline_checks.remote_asset_links(html) == [
        "https://a.example/x.js",
        "//b.example/y.css",
        "HTTP://c.example/i.png",
        "https://d.example/bg.png",
        "//f.example/s.png",
        "https://e.example/z.css",
        "https://g.example/p.png",
    ]


def test_remote_asset_links_empty_for_local_page() -> None:
    html = '<link rel="stylesheet" href="/app/static/a.css"><script src="b.js"></script>'
    assert offline_checks.remote_asset_links(html) == []


def test_dropped_dependency_usages_ignores_template_literals() -> None:
    assert offline_checks.dropped_dependency_usages("let s = `<td>${x}</td>`; a.$b = 1;") == []
    assert len(offline_checks.dropped_dependency_usages("$(document).ready(f); $.ajax(u)")) == 2
    assert offline_checks.dropped_dependency_usages('<script src="bootstrap.bundle.min.js">') == []


# --- vendored files ------------------------------------------------------------


def _vendored_css() -> list[Path]:
    return sorted(VENDOR_DIR.rglob("*.css"))


def test_vendored_css_found() -> None:
    names = {p.name for p in _vendored_css()}
    assert {"leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css"} <= names
    assert "Control.FullScreen.css" in names


@pytest.mark.parametrize("css", _vendored_css(), ids=lambda p: p.name)
def test_vendored_css_urls_are_relative_and_exist(css: Path) -> None:
    text = CSS_COMMENT.sub("", css.read_text(encoding="utf-8"))
    for match in CSS_URL.finditer(text):
        url = next(g for g in match.groups() if g is not None).strip()
        if url.startswith(("#", "data:")):  # leaflet.css: behavior: url(#default#VML)
            continue
        assert not offline_checks.is_remote(url), f"{css.name}: {url}"
        assert not url.startswith("/"), f"{css.name}: {url}"
        target = (css.parent / url.split("?")[0].split("#")[0]).resolve()
        assert target.is_file(), f"{css.name}: {url}"
        assert VENDOR_DIR.resolve() in target.parents


def test_leaflet_css_references_images() -> None:
    text = (VENDOR_DIR / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
    assert "url(images/marker-icon.png)" in text
    for png in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png", "layers.png"):
        assert (VENDOR_DIR / "leaflet" / "images" / png).is_file()


def test_vendored_files_have_licences_and_readme() -> None:
    readme = (VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    for rel in offline.LINKED_FILES:
        path = offline.STATIC_DIR / rel
        assert path.is_file(), rel
        assert path.stat().st_size > 0, rel
        assert path.name in readme, rel
        if path.parent.name != "pairmap":  # third-party: licence file alongside
            licences = [p for p in path.parent.iterdir() if "LICEN" in p.name.upper()]
            assert licences, rel
    assert not (offline.STATIC_DIR / "node_modules").exists()
    assert not (ROOT / "node_modules").exists()
    for js in VENDOR_DIR.rglob("*.js"):
        assert not offline_checks.remote_asset_links(js.read_text(encoding="utf-8")), js


@pytest.mark.slow  # a fresh interpreter
def test_offline_module_does_not_import_streamlit() -> None:
    code = "import sys, geo.offline; print('streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


# --- real browser (Debian chromium + playwright; required when CI=true) -------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.usefixtures("offline_assets")
def test_map_runs_in_browser_without_network(tmp_path: Path, chromium: str) -> None:
    from playwright import sync_api  # the chromium fixture checked that it imports

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "static").symlink_to(offline.STATIC_DIR, target_is_directory=True)
    (tmp_path / "map.html").write_text(_full_map().get_root().render(), encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    blocked: list[str] = []
    failed: list[str] = []
    errors: list[str] = []

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith((origin, "data:")):
            r.continue_()  # type: ignore[attr-defined]
        else:
            blocked.append(url)
            r.abort()  # type: ignore[attr-defined]

    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.route("**/*", route)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on(
                "response",
                lambda resp: resp.status >= 400 and failed.append(f"{resp.status} {resp.url}"),
            )
            page.goto(f"{origin}/map.html", wait_until="networkidle")
            state = page.evaluate(
                """() => ({
                    leaflet: typeof L !== 'undefined' && L.version,
                    jquery: typeof window.jQuery,
                    cluster: typeof L.markerClusterGroup,
                    heat: typeof L.heatLayer,
                    fullscreen: !!document.querySelector('.leaflet-control-zoom-fullscreen'),
                    layers: !!document.querySelector('.leaflet-control-layers'),
                    divicon: !!document.querySelector('.pm-divicon .pm-label'),
                    paths: document.querySelectorAll('path.leaflet-interactive').length,
                    heatCanvas: !!document.querySelector('canvas.leaflet-heatmap-layer'),
                    iconPath: L.Icon.Default.imagePath,
                    defaultIcons: [...document.querySelectorAll('img.leaflet-marker-icon')]
                        .map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0]),
                })"""
            )
            browser.close()
    finally:
        server.shutdown()
    assert errors == []
    assert blocked == []
    assert failed == []
    assert state == {
        "leaflet": "1.9.4",
        "jquery": "undefined",
        "cluster": "function",
        "heat": "function",
        "fullscreen": True,
        "layers": True,
        "divicon": True,
        "paths": 2,
        "heatCanvas": True,
        "iconPath": f"{origin}/app/static/vendor/leaflet/images/",
        "defaultIcons": [[f"{origin}/app/static/vendor/leaflet/images/marker-icon.png", True]],
    }
