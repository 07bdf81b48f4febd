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

``tests/offline_checks.py`` checks a rendered page for these cases.
"""

from __future__ import annotations

from pathlib import Path

import folium
import folium.plugins

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
