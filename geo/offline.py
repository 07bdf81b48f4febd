"""Serve folium's JavaScript and CSS from the app's own ``static/`` folder.

Out of the box, folium loads Leaflet, jQuery, Bootstrap, Leaflet.awesome-markers
and Font Awesome from public CDNs, and its plugins load their own files the same
way. On an intranet without internet access the first failed ``<script>`` stops the
map. :func:`configure_offline_assets` points folium at the copies in
``static/vendor/`` (see ``static/vendor/README.md``). Streamlit serves those copies
when ``[server] enableStaticServing = true``.

This module does not import Streamlit. The caller passes Streamlit's
``server.baseUrlPath``, e.g.
``configure_offline_assets(st.get_option("server.baseUrlPath"))``.

After the configuration these folium features still load remote files or rely
on a dropped library:

* ``folium.Popup``, which ``Marker(popup=...)`` and ``GeoJson(popup=...)`` create,
  calls jQuery ``$(...)``. Use :class:`folium.GeoJsonPopup` or a
  ``folium.Tooltip``, which are jQuery-free, or vendor jQuery too.
* ``GeoJson(embed=False)`` fetches its data with ``$.ajax``, and
  ``Map.keep_in_front`` calls ``$(document).ready``.
* ``folium.Icon`` needs ``L.AwesomeMarkers`` (dropped). Use ``folium.DivIcon``.
* branca colormaps, and anything that adds one such as ``Choropleth``, add
  d3 from cdnjs in ``ColorMap.render``. streamlit-folium also adds two d3 URLs
  for every colormap it finds.
* ``Vega``, ``VegaLite``, ``TopoJson``, ``RegularPolygonMarker`` and most plugins
  keep their CDN URLs. :func:`remote_default_assets` lists them.
* Tile layers name their own tile server. With ``tiles=None``, folium's
  ``Map(max_zoom=...)`` is ignored (it only reaches the tile layer), and
  ``MarkerCluster`` throws "Map has no maxZoom specified". Set
  ``m.options["max_zoom"]`` instead.

:func:`remote_asset_links` and :func:`dropped_dependency_usages` check a rendered
page for these cases.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import folium
import folium.plugins
from folium.elements import JSCSSMixin

STATIC_DIR: Path = Path(__file__).resolve().parent.parent / "static"
"""The folder Streamlit serves at ``/app/static/``."""

STATIC_ENDPOINT = "app/static"
"""Streamlit's URL path for ``static/`` (``streamlit.url_util.STATIC_SERVING_ENDPOINT``)."""

LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
LEAFLET_ICON_PATH_JS = "vendor/pairmap/leaflet-icon-path.js"
MARKERCLUSTER_JS = "vendor/leaflet.markercluster/leaflet.markercluster.js"
MARKERCLUSTER_CSS = "vendor/leaflet.markercluster/MarkerCluster.css"
MARKERCLUSTER_DEFAULT_CSS = "vendor/leaflet.markercluster/MarkerCluster.Default.css"
FULLSCREEN_JS = "vendor/leaflet.fullscreen/Control.FullScreen.js"
FULLSCREEN_CSS = "vendor/leaflet.fullscreen/Control.FullScreen.css"
HEAT_JS = "vendor/leaflet-heat/leaflet_heat.min.js"

LINKED_FILES: tuple[str, ...] = (
    LEAFLET_JS,
    LEAFLET_ICON_PATH_JS,
    LEAFLET_CSS,
    MARKERCLUSTER_JS,
    MARKERCLUSTER_CSS,
    MARKERCLUSTER_DEFAULT_CSS,
    FULLSCREEN_JS,
    FULLSCREEN_CSS,
    HEAT_JS,
)
"""Paths below ``static/`` that :func:`configure_offline_assets` links to."""

_REMOTE = re.compile(r"^\s*(?:https?:|//)", re.IGNORECASE)
_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(
    r"""(?:^|\s)(src|href|xlink:href|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*?))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_NON_ASSET_TAGS = frozenset({"a", "area"})
_JS_UNESCAPES = (
    ("\\u003c", "<"),
    ("\\u003e", ">"),
    ("\\u0026", "&"),
    ("\\u0027", "'"),
    ('\\"', '"'),
    ("\\/", "/"),
)
_DROPPED_DEPENDENCIES = re.compile(
    r"(?<![\w$])\$\s*(?:\(|\.\w)|\bjQuery\b|\bL\.AwesomeMarkers\b|\bbootstrap\.[A-Z]|\bdata-bs-\w"
)


def static_url(relative_path: str, base_url_path: str = "") -> str:
    """Return the URL Streamlit serves ``static/<relative_path>`` at.

    Parameters
    ----------
    relative_path : str
        Path below ``static/``, e.g. ``"vendor/leaflet/leaflet.js"``.
    base_url_path : str, optional
        Streamlit's ``server.baseUrlPath``, e.g. ``"/pairmap/"``. Slashes around
        it are ignored.

    Returns
    -------
    str
        ``/app/static/<relative_path>``, prefixed by ``/<base_url_path>`` if set.

    Raises
    ------
    ValueError
        If ``relative_path`` is empty or contains a ``..`` segment.
    """
    rel = relative_path.replace("\\", "/").lstrip("/")
    if not rel or ".." in rel.split("/"):
        raise ValueError(f"not a path below static/: {relative_path!r}")
    base = base_url_path.strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/{STATIC_ENDPOINT}/{rel}"


def configure_offline_assets(base_url_path: str = "") -> None:
    """Point folium's JS/CSS links at the vendored copies in ``static/vendor/``.

    ``folium.Map`` loads the vendored Leaflet only, plus a small script that
    sets ``L.Icon.Default.imagePath``. jQuery, Bootstrap, awesome-markers and
    Font Awesome are dropped. ``MarkerCluster`` (and ``FastMarkerCluster``,
    which inherits from it), ``Fullscreen`` and ``HeatMap`` load their vendored
    files. The function sets class attributes, so it affects every map in the
    process. Calling it again is harmless and uses the new ``base_url_path``.

    Parameters
    ----------
    base_url_path : str, optional
        Streamlit's ``server.baseUrlPath``.
    """

    def url(path: str) -> str:
        return static_url(path, base_url_path)

    # Fresh lists every time: JSCSSMixin.add_js_link mutates the class lists in place.
    folium.Map.default_js = [
        ("leaflet", url(LEAFLET_JS)),
        # Sets L.Icon.Default.imagePath. Without it, default markers 404 in st_folium.
        ("leaflet_icon_path", url(LEAFLET_ICON_PATH_JS)),
    ]
    folium.Map.default_css = [("leaflet_css", url(LEAFLET_CSS))]
    folium.plugins.MarkerCluster.default_js = [("markerclusterjs", url(MARKERCLUSTER_JS))]
    folium.plugins.MarkerCluster.default_css = [
        ("markerclustercss", url(MARKERCLUSTER_CSS)),
        ("markerclusterdefaultcss", url(MARKERCLUSTER_DEFAULT_CSS)),
    ]
    folium.plugins.Fullscreen.default_js = [("Control.Fullscreen.js", url(FULLSCREEN_JS))]
    folium.plugins.Fullscreen.default_css = [("Control.FullScreen.css", url(FULLSCREEN_CSS))]
    folium.plugins.HeatMap.default_js = [("leaflet-heat.js", url(HEAT_JS))]


def _first(groups: tuple[str | None, ...]) -> str:
    return next((g for g in groups if g is not None), "")


def _asset_refs(html: str) -> Iterator[str]:
    for tag in _TAG.finditer(html):
        if tag.group(1).lower() in _NON_ASSET_TAGS:
            continue
        for attr in _ATTR.finditer(tag.group(2)):
            yield _first(attr.groups()[1:])
    for match in _CSS_URL.finditer(html):
        yield _first(match.groups())
    for match in _CSS_IMPORT.finditer(html):
        yield _first(match.groups())


def is_remote(url: str) -> bool:
    """Return whether ``url`` points to another origin.

    Parameters
    ----------
    url : str
        A URL as written in HTML or CSS.

    Returns
    -------
    bool
        True if it starts with ``http:``, ``https:`` or ``//``.
    """
    return bool(_REMOTE.match(url))


def remote_asset_links(html: str) -> list[str]:
    """Find every asset URL in ``html`` that is not same-origin.

    The function looks at ``src``, ``href``, ``xlink:href`` and ``poster``
    attributes, CSS ``url(...)`` and ``@import``. ``<a>``/``<area>`` links are
    skipped because they load nothing. HTML escaped inside JavaScript strings
    (``\\u003cimg src=\\"...\\"``) is checked too.

    Parameters
    ----------
    html : str
        A rendered page, e.g. ``m.get_root().render()``.

    Returns
    -------
    list of str
        The remote URLs in order of first appearance, without duplicates.
    """
    unescaped = html
    for escaped, plain in _JS_UNESCAPES:
        unescaped = unescaped.replace(escaped, plain)
    found: dict[str, None] = {}
    for text in (html, unescaped):
        for ref in _asset_refs(text):
            if is_remote(ref):
                found.setdefault(ref.strip(), None)
    return list(found)


def dropped_dependency_usages(html: str) -> list[str]:
    """Find code in ``html`` that needs a library the offline setup dropped.

    The function looks for jQuery (``$(``, ``$.x``, ``jQuery``),
    ``L.AwesomeMarkers`` and Bootstrap JS (``bootstrap.Modal`` etc., ``data-bs-*``).
    The ``${...}`` of a JavaScript template literal does not count.

    Parameters
    ----------
    html : str
        A rendered page, e.g. ``m.get_root().render()``.

    Returns
    -------
    list of str
        Each use with up to 40 characters of context on either side.
    """
    return [
        " ".join(html[max(m.start() - 40, 0) : m.end() + 40].split())
        for m in _DROPPED_DEPENDENCIES.finditer(html)
    ]


def _all_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def remote_default_assets() -> dict[str, list[str]]:
    """List folium/branca classes whose ``default_js``/``default_css`` are remote.

    The function imports ``folium.plugins`` and walks every subclass of
    ``folium.elements.JSCSSMixin``. URLs that ``render()`` adds directly are
    not included, e.g. branca ``ColorMap`` (d3) and ``VegaLite`` (vega).

    Returns
    -------
    dict of str to list of str
        ``"module.Class"`` mapped to its remote URLs, sorted by name.
    """
    importlib.import_module("folium.plugins")
    result: dict[str, list[str]] = {}
    for cls in set(_all_subclasses(JSCSSMixin)):
        links = [*getattr(cls, "default_js", []), *getattr(cls, "default_css", [])]
        remote = [link for _, link in links if is_remote(link)]
        if remote:
            result[f"{cls.__module__}.{cls.__qualname__}"] = remote
    return dict(sorted(result.items()))
