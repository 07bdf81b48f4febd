"""Folium maps of villages and townships, built offline.

Call ``geo.offline.configure_offline_assets`` once before building a map. Every text
that reaches the map (names, tooltips, legend) is HTML-escaped here, because folium's
tooltip template writes property values into ``innerHTML`` unescaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.i18n import CATALOGUE, DEFAULT_LANG, translate
from geo.layers import (
    HATCH_STRIPE,
    OVERDUE_OUTLINE,
    STATUS_COLOURS,
    STATUS_UNPAIRED_NOT_VISITED,
    VillageLayer,
    build_layer,
)

__all__ = ["STATUS_COLOURS", "FitFrameToWindow", "build_village_map", "map_labels"]
MAX_ZOOM = 16
SIMPLIFY_DEGREES = 0.0005
MAP_PRECISION_DEGREES = 1e-5
"""The grid a map's coordinates are rounded to (about 1 m, far below the simplification's
50 m): 5 decimals instead of 15 more than halve the map's payload."""
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TIANDITU_TILES = (
    "https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)


MAP_LABEL_GROUPS = ("status", "legend", "tooltip", "map", "layer")
LEGEND_MAX_WIDTH = 250
"""The legend's widest (px): its title wraps rather than widen the box, so that beside the
overview's red and black lists the county keeps most of the map at 1280×720."""
HATCH_ID = "pairmap-hatch"
HATCH_FILL = f"url(#{HATCH_ID})"
"""The fill of a hatched village: an SVG pattern the map defines (``_Hatch``)."""


def map_labels(lang: str, window_days: int) -> dict[str, str]:
    """Return the translated texts ``build_village_map`` needs."""
    keys = [k for k in CATALOGUE[DEFAULT_LANG] if k.split(".")[0] in MAP_LABEL_GROUPS]
    return {k: translate(k, lang, window=window_days) if "{window}" in CATALOGUE[DEFAULT_LANG][k]
            else translate(k, lang) for k in keys}


def escape(value: object) -> str:
    """Return ``value`` as HTML-escaped text (``None`` and NaN as ``""``)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def simplify_coverage(
    geometry: gpd.GeoSeries, tolerance: float = SIMPLIFY_DEGREES
) -> gpd.GeoSeries:
    """Simplify polygons that share borders without opening gaps between them."""
    polygons = geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    values = geometry.to_numpy().copy()
    if polygons.any():
        values[polygons] = shapely.coverage_simplify(values[polygons], tolerance)
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def map_geometry(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """``geometry`` as a map draws it: simplified as a coverage (``simplify_coverage``)
    and each coordinate rounded to ``MAP_PRECISION_DEGREES``. Rounding point by point
    keeps a border that two neighbours share the same in both."""
    simplified = simplify_coverage(geometry)
    values = shapely.set_precision(simplified.to_numpy(), MAP_PRECISION_DEGREES,
                                   mode="pointwise")
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def tile_layer(tiles: str, tianditu_key: str = "") -> tuple[str, str] | None:
    """Return (URL template, attribution) for a ``PAIRMAP_TILES`` value, or None."""
    choice = tiles.strip()
    if choice in ("", "none"):
        return None
    if choice == "osm":
        return OSM_TILES, "&copy; OpenStreetMap contributors"
    if choice == "tianditu":
        return TIANDITU_TILES.format(key=tianditu_key), "&copy; 天地图"
    return choice, "basemap"


class _MetricScale(MacroElement):
    """A metric-only scale bar (folium's ``control_scale`` adds miles too)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class _AttributionPrefix(MacroElement):
    """The attribution says "Leaflet" in words only: Leaflet 1.9 puts a national flag
    before its name, out of place on a county government's projector. A basemap's own
    attribution (OpenStreetMap, 天地图) stays."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
        {% endmacro %}
        """
    )


class _FitView(MacroElement):
    """Open on ``bounds`` whatever the frame's size, and a control back to the county.

    folium's ``fit_bounds`` runs once, when the script loads; inside Streamlit's iframe
    the map may still have no size then, and Leaflet fits to the whole world. Here the
    view is fitted again each time the map's box changes size, until the person pans or
    zooms (a press anywhere on the map or its zoom buttons, a wheel, a touch or a key;
    not on the legend nor the full-screen button, so that a map put full screen is
    fitted to the screen); the control ("回到全县") fits the county again at any time.

    The legend and the controls are watched too: streamlit-folium adds Leaflet's
    stylesheet only after this script has run, and until it arrives the legend is a
    block as wide as the map, so a fit made then left no room for it (the county was
    centred and the legend, once styled, covered its east on some loads at 1280×720).
    Each change of their size (the stylesheet, a font, the legend folded) fits again.
    folium's own ``fit_bounds`` is not used: it animates its zoom a frame later, and
    Leaflet drops a fit asked for while a zoom is animating (the unpadded fit won).
    A fit asked for during a zoom's animation waits for its end.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var start = L.latLngBounds({{ this.start|tojson }});
            var county = L.latLngBounds({{ this.county|tojson }});
            var touched = false;
            function width(selector) {
                var node = map.getContainer().querySelector(selector);
                return node ? node.offsetWidth : 0;
            }
            function fit(bounds) {
                var size = map.getSize();
                if (size.x < 2 || size.y < 2) { return; }
                // Leaflet ignores a change of zoom asked for during a zoom's animation.
                if (map._animatingZoom) {
                    map.once("zoomend", function() { fit(bounds); });
                    return;
                }
                map.invalidateSize({animate: false});
                // Keep the county clear of the controls (left) and the legend (right).
                var left = Math.max(width(".leaflet-control-zoom"),
                                    width(".pairmap-reset-view")) + 16;
                // A narrow map: the controls may overlap the county's west edge first; on a
                // very narrow one the legend may cover it too (a click on its title folds it).
                if (width(".pairmap-legend") + left > size.x / 2) { left = 16; }
                var right = width(".pairmap-legend") + 16;
                if (left + right > size.x * 0.7) { right = 16; }
                map.fitBounds(bounds, {animate: false, paddingTopLeft: [left, 16],
                                       paddingBottomRight: [right, 16]});
            }
            var box = map.getContainer();
            // Caught on the way down: the zoom buttons stop their events from rising. A
            // press on the legend (folding it) or on the full-screen button is not a move
            // of the map: the county is fitted to the full screen too.
            var still = ".pairmap-legend, .leaflet-control-zoom-fullscreen";
            ["mousedown", "wheel", "touchstart", "keydown"].forEach(function(name) {
                var press = name === "mousedown" || name === "touchstart";
                box.addEventListener(name, function(event) {
                    var target = event.target;
                    if (!(press && target.closest && target.closest(still))) {
                        touched = true;
                    }
                }, {passive: true, capture: true});
            });
            var observer = window.ResizeObserver ? new ResizeObserver(function() {
                map.invalidateSize({animate: false});
                if (!touched) { fit(start); }
            }) : null;
            if (observer) { observer.observe(box); }
            window.addEventListener("load", function() { if (!touched) { fit(start); } });
            fit(start);
            var Reset = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function() {
                    var button = L.DomUtil.create("a", "pairmap-reset-view leaflet-bar");
                    button.href = "#";
                    button.setAttribute("role", "button");
                    button.title = {{ this.label|tojson }};
                    button.textContent = {{ this.label|tojson }};
                    button.style.cssText = "display:block;background:#fff;padding:4px 8px;" +
                        "font-size:15px;font-weight:bold;color:#111;width:auto;" +
                        "white-space:nowrap;text-decoration:none";
                    L.DomEvent.disableClickPropagation(button);
                    L.DomEvent.on(button, "click", function(event) {
                        L.DomEvent.preventDefault(event);
                        touched = true;
                        fit(county);
                    });
                    return button;
                }
            });
            map.addControl(new Reset());
            // The padding of the fit comes from these boxes: fit again when one changes
            // size (Leaflet's stylesheet or a font arriving late, the legend folded).
            [".pairmap-legend", ".leaflet-control-zoom", ".pairmap-reset-view"].forEach(
                function(selector) {
                    var node = box.querySelector(selector);
                    if (observer && node) { observer.observe(node); }
                });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, start: list[list[float]], county: list[list[float]],
                 label: str) -> None:
        super().__init__()
        self._name = "FitView"
        self.start = start
        self.county = county
        self.label = label


TOOLTIP_PANE = "pairmapTooltipPane"
"""The pane of the village tooltips, above the legend and the controls (``_TooltipPane``)."""


class _TooltipPane(MacroElement):
    """A pane for the tooltips that is drawn above the legend and the controls.

    Leaflet keeps its tooltip pane inside the map pane, whose stacking level (400) is
    below the controls' corners (1000): a village's hover box near the legend went under
    it. This pane is a child of the map's box instead, above the corners, and moves with
    the map pane so that the tooltips' positions (in layer pixels) still hold.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane({{ this.pane|tojson }}, map.getContainer());
            pane.style.zIndex = 1100;
            pane.style.pointerEvents = "none";
            var mapPane = map.getPane("mapPane");
            function follow() {
                L.DomUtil.setPosition(pane, L.DomUtil.getPosition(mapPane) || L.point(0, 0));
            }
            map.on("move zoom viewreset moveend zoomend resize", follow);
            follow();
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "TooltipPane"
        self.pane = TOOLTIP_PANE


class FitFrameToWindow(MacroElement):
    """Shorten the map (and its Streamlit frame) to the window below the frame's top.

    For a map shown with streamlit-folium: its frame is as tall as asked (``height``),
    which at 1280×720 puts the bottom of a map that starts below a row of controls, and
    its legend, off the screen. streamlit-folium sizes the frame through
    ``Streamlit.setFrameHeight``; that call is wrapped so the frame, and the map in it, are
    never taller than the window leaves below the frame's top (``margin`` px kept free),
    nor shorter than ``least``. Outside Streamlit, or when the page above cannot be read,
    nothing changes.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var streamlit = window.Streamlit;
            var frame = null;
            try { frame = window.frameElement; } catch (error) { frame = null; }
            if (!streamlit || !streamlit.setFrameHeight || !frame) { return; }
            // The top of the frame's box: the frame itself is an inline element, a line's
            // height lower while it has no height yet (the map was 19 px short).
            var top = (frame.parentElement || frame).getBoundingClientRect().top;
            var room = window.parent.innerHeight - top - {{ this.margin }};
            var setFrameHeight = streamlit.setFrameHeight;
            function fitted(height) {
                return Math.max({{ this.least }}, Math.min(height, Math.floor(room)));
            }
            streamlit.setFrameHeight = function(height) {
                if (typeof height !== "number") { return setFrameHeight.call(streamlit, height); }
                var shown = fitted(height);
                map.getContainer().style.height = shown + "px";
                map.invalidateSize({animate: false});
                return setFrameHeight.call(streamlit, shown);
            };
        })();
        {% endmacro %}
        """
    )

    def __init__(self, least: int = 320, margin: int = 12) -> None:
        super().__init__()
        self._name = "FitFrameToWindow"
        self.least = least
        self.margin = margin


class _Hatch(MacroElement):
    """Defines the SVG stripe pattern of hatched villages in the map's vector pane."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var ns = "http://www.w3.org/2000/svg";
            function shape(name, attributes) {
                var node = document.createElementNS(ns, name);
                for (var key in attributes) { node.setAttribute(key, attributes[key]); }
                return node;
            }
            function define() {
                var svg = map.getPanes().overlayPane.querySelector("svg");
                if (!svg || svg.querySelector("#{{ this.pattern_id }}")) { return; }
                var pattern = shape("pattern", {id: "{{ this.pattern_id }}", width: 8, height: 8,
                    patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)"});
                pattern.appendChild(shape("rect", {width: 8, height: 8,
                                                   fill: "{{ this.ground }}"}));
                pattern.appendChild(shape("rect", {width: 3, height: 8,
                                                   fill: "{{ this.stripe }}"}));
                var defs = shape("defs", {});
                defs.appendChild(pattern);
                svg.insertBefore(defs, svg.firstChild);
            }
            define();
            map.on("layeradd zoomend", define);
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Hatch"
        self.pattern_id = HATCH_ID
        self.ground = STATUS_COLOURS[STATUS_UNPAIRED_NOT_VISITED]
        self.stripe = HATCH_STRIPE


class _Legend(MacroElement):
    """A fixed legend box; its HTML is built (and escaped) in Python."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}{% endmacro %}
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "pairmap-legend");
                div.innerHTML = {{ this.markup|tojson }};
                L.DomEvent.disableClickPropagation(div);
                // A click on the title folds the rows away (the note stays).
                div.querySelector(".pairmap-legend-title").addEventListener("click", function() {
                    var body = div.querySelector(".pairmap-legend-body");
                    body.style.display = body.style.display === "none" ? "" : "none";
                });
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.markup = markup


def _swatch(background: str) -> str:
    return ('<span style="display:inline-block;width:16px;height:12px;margin-right:6px;'
            f'border:1px solid #333;background:{background}"></span>')


def legend_markup(title: str, rows: list[tuple[str, str, int]], count_text: str,
                  note: str | None, hatched: tuple[str, int] | None = None,
                  separator: str | None = None,
                  outlined: tuple[str, int] | None = None) -> str:
    """Return the legend's HTML: escaped title, a swatch, label, ``separator`` (the
    language's, ``legend.separator``) and count per row, and ``hatched`` (label, count)
    on a striped row of its own after the rows, ``outlined`` (label, count) likewise on
    a row whose swatch has the heavy outline of the villages it counts."""
    if separator is None:
        separator = translate("legend.separator", DEFAULT_LANG)
    parts = [
        (
            '<div style="background:rgba(255,255,255,0.92);padding:8px 10px;'
            f"border-radius:4px;font-size:16px;line-height:1.5;max-width:{LEGEND_MAX_WIDTH}px;"
            'box-shadow:0 1px 4px rgba(0,0,0,0.3);color:#222">'
        ),
        ('<div class="pairmap-legend-title" style="font-weight:bold;margin-bottom:4px;'
         f'cursor:pointer">{escape(title)}</div>'),
        '<div class="pairmap-legend-body">',
    ]
    for colour, label, count in rows:
        parts.append(
            f'<div class="pairmap-legend-row">{_swatch(escape(colour))}'
            f'{escape(label)}{escape(separator)}'
            f'<b>{escape(count_text.format(count=count))}</b></div>'
        )
    if hatched is not None:
        label, count = hatched
        ground = STATUS_COLOURS[STATUS_UNPAIRED_NOT_VISITED]
        stripes = (f"repeating-linear-gradient(45deg,{HATCH_STRIPE} 0 2px,"
                   f"{ground} 2px 6px)")
        parts.append(
            f'<div class="pairmap-legend-row" style="padding-left:12px">{_swatch(stripes)}'
            f'{escape(label)}{escape(separator)}'
            f'<b>{escape(count_text.format(count=count))}</b></div>'
        )
    if outlined is not None:
        label, count = outlined
        swatch = ('<span style="display:inline-block;width:14px;height:10px;margin-right:6px;'
                  f'border:3px solid {OVERDUE_OUTLINE};background:#FFFFFF"></span>')
        parts.append(
            f'<div class="pairmap-legend-row pairmap-legend-outlined" '
            f'style="padding-left:12px">{swatch}{escape(label)}{escape(separator)}'
            f'<b>{escape(count_text.format(count=count))}</b></div>'
        )
    parts.append("</div>")
    if note:
        parts.append(f'<div style="margin-top:4px;font-style:italic;color:#555">{escape(note)}'
                     "</div>")
    parts.append("</div>")
    return "".join(parts)


def _village_style(feature: dict) -> dict:
    """A village's fill, and its edge: thin, or heavy and dark when ``outlined`` (an
    overdue problem on the 诉求 layer)."""
    properties = feature["properties"]
    if properties.get("outlined"):
        return {"fillColor": properties["fill"], "fillOpacity": 0.82,
                "color": OVERDUE_OUTLINE, "weight": 3.5}
    return {"fillColor": properties["fill"], "fillOpacity": 0.82,
            "color": "#ffffff" if properties["fill"] != "#FFFFFF" else "#777777",
            "weight": 0.8}


def build_village_map(
    villages: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    county: gpd.GeoDataFrame,
    status: pd.DataFrame,
    labels: Mapping[str, str],
    tiles: str = "none",
    tianditu_key: str = "",
    layer: str = "pairing",
    focus_township: str | None = None,
    shown_layer: VillageLayer | None = None,
    wheel_zoom: bool = True,
    fullscreen: bool = False,
) -> folium.Map:
    """Build the village map of one layer.

    Parameters
    ----------
    villages, townships, county : GeoDataFrame
        Admin units as loaded by ``geo.store`` (WGS84).
    status : DataFrame
        ``geo.status.compute_village_status`` output, indexed by village code.
    labels : Mapping
        Translated texts (``map_labels``).
    tiles : str
        ``PAIRMAP_TILES``: ``none`` (default) draws no basemap.
    layer : str
        One of ``geo.layers.LAYERS``.
    focus_township : str, optional
        A township code to zoom to.
    shown_layer : VillageLayer, optional
        A layer classified elsewhere (``geo.layers.compliance_layer``), drawn instead of
        ``layer``.
    wheel_zoom : bool
        Whether the mouse wheel zooms the map (off on a long page that scrolls over it).
    fullscreen : bool
        Whether the zoom buttons end with a full-screen button (the vendored
        leaflet.fullscreen, ``geo.offline``); its titles are ``map.fullscreen`` and
        ``map.fullscreen_exit``.

    Returns
    -------
    folium.Map
    """
    if shown_layer is None:
        shown_layer = build_layer(layer, status, villages, labels)
    township_names = townships.set_index("code")["short_name"]
    frame = villages[["code", "short_name", "parent_code", "boundary_source", "geometry"]].copy()
    frame = frame.join(status[["departments"]], on="code")
    frame["geometry"] = map_geometry(frame.geometry)
    village_class = shown_layer.village_class.reindex(frame["code"]).to_numpy()
    striped = (np.zeros(len(frame), dtype=bool) if shown_layer.hatched is None else
               shown_layer.hatched.reindex(frame["code"]).fillna(False).to_numpy(dtype=bool))
    outlined = (np.zeros(len(frame), dtype=bool) if shown_layer.outlined is None else
                shown_layer.outlined.reindex(frame["code"]).fillna(False).to_numpy(dtype=bool))
    shown = gpd.GeoDataFrame(
        {
            "code": frame["code"],
            "name": frame["short_name"].map(escape),
            "township": frame["parent_code"].map(township_names).map(escape),
            "departments": [escape(labels["tooltip.separator"].join(d)
                                   if isinstance(d, list) and d else labels["tooltip.none"])
                                   for d in frame["departments"]],
            "value": shown_layer.value_text.reindex(frame["code"]).map(escape).to_numpy(),
            "fill": [HATCH_FILL if hatch else shown_layer.colours.get(k, "#FFFFFF")
                     for k, hatch in zip(village_class, striped, strict=True)],
            "outlined": outlined,
        },
        geometry=frame.geometry,
        crs=4326,
    )
    # Outlined villages last, so that no neighbour's thin edge is drawn over theirs.
    shown = shown.iloc[np.argsort(outlined, kind="stable")]
    west, south, east, north = county.total_bounds
    county_bounds = [[float(south), float(west)], [float(north), float(east)]]
    if focus_township is not None and focus_township in set(townships["code"]):
        west, south, east, north = townships.loc[
            townships["code"] == focus_township].total_bounds
    tile = tile_layer(tiles, tianditu_key)
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        tiles=None,
        control_scale=False,
        zoom_snap=0.25,
        max_zoom=MAX_ZOOM,
        prefer_canvas=False,
        scrollWheelZoom=wheel_zoom,
    )
    fmap.options["max_zoom"] = MAX_ZOOM
    fmap.add_child(_MetricScale())
    fmap.add_child(_AttributionPrefix())
    fmap.add_child(_TooltipPane())
    if fullscreen:
        folium.plugins.Fullscreen(position="topleft", title=labels["map.fullscreen"],
                                  title_cancel=labels["map.fullscreen_exit"]).add_to(fmap)
    if tile is not None:
        folium.TileLayer(tiles=tile[0], attr=tile[1], max_zoom=MAX_ZOOM).add_to(fmap)

    folium.GeoJson(
        shown.to_json(drop_id=True),
        name="villages",
        style_function=_village_style,
        highlight_function=lambda _feature: {"weight": 3, "color": "#111111"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "township", "departments", "value"],
            aliases=[escape(labels["tooltip.village"]), escape(labels["tooltip.township"]),
                     escape(labels["tooltip.departments"]), escape(shown_layer.value_label)],
            sticky=True,
            style="font-size:15px;",
            pane=TOOLTIP_PANE,
            opacity=1,  # over the legend, not its rows showing through
        ),
    ).add_to(fmap)

    # The outlines are simplified and rounded like the villages (the county's and the
    # townships' unsimplified outlines were two fifths of the map's bytes).
    folium.GeoJson(
        gpd.GeoDataFrame(geometry=map_geometry(townships.geometry)).to_json(drop_id=True),
        name="townships",
        style_function=lambda _feature: {"fill": False, "color": "#333333", "weight": 2.2},
        interactive=False,
    ).add_to(fmap)
    folium.GeoJson(
        gpd.GeoDataFrame(geometry=map_geometry(county.geometry)).to_json(drop_id=True),
        name="county",
        style_function=lambda _feature: {"fill": False, "color": "#111111", "weight": 4},
        interactive=False,
    ).add_to(fmap)

    for row in townships.itertuples(index=False):
        point = row.geometry.representative_point()
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=(
                    '<div class="pairmap-township-label" style="font-size:20px;'
                    "font-weight:bold;color:#111;white-space:nowrap;"
                    'text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff">'
                    f"{escape(row.short_name)}</div>"
                ),
                icon_size=(110, 26),
                icon_anchor=(55, 13),
            ),
            interactive=False,
        ).add_to(fmap)

    rows = [(c.colour, c.label, c.count) for c in shown_layer.legend]
    hatched_rows = [(labels["legend.hatched"], c.hatched) for c in shown_layer.legend
                    if c.hatched is not None]
    schematic = (villages["boundary_source"] == "schematic").any() or (
        townships["boundary_source"] == "schematic").any()
    note = labels["map.schematic"] if schematic else None
    outlined_row = (None if shown_layer.outlined is None else
                    (labels["layer.problems_outlined"], int(shown_layer.outlined.sum())))
    if hatched_rows:
        fmap.add_child(_Hatch())
    fmap.add_child(_Legend(legend_markup(shown_layer.title, rows, labels["legend.count"],
                                         note, hatched_rows[0] if hatched_rows else None,
                                         labels["legend.separator"], outlined_row)))
    # Last, so that the legend and the controls it keeps clear of already exist.
    fmap.add_child(_FitView([[float(south), float(west)], [float(north), float(east)]],
                            county_bounds, labels["map.reset"]))
    return fmap


PLAN_LINE_COLOUR = "#111111"


def add_plan_lines(fmap: folium.Map, rows: pd.DataFrame) -> folium.Map:
    """Draw a line from each proposal's department anchor to its village, and the anchor
    as a dot (``geo.plan_service.proposal_rows``: ``anchor_lon``, ``anchor_lat``,
    ``lon``, ``lat``, ``department``, ``village``); a proposal without either point is
    not drawn. The tooltip names both, escaped."""
    for row in rows.itertuples(index=False):
        points = (row.anchor_lat, row.anchor_lon, row.lat, row.lon)
        if any(value is None or pd.isna(value) for value in points):
            continue
        text = f"{escape(row.department)} → {escape(row.village)}"
        folium.PolyLine([[row.anchor_lat, row.anchor_lon], [row.lat, row.lon]],
                        color=PLAN_LINE_COLOUR, weight=2.5, opacity=0.9,
                        dash_array="6 4", tooltip=text).add_to(fmap)
        folium.CircleMarker([row.anchor_lat, row.anchor_lon], radius=4,
                            color=PLAN_LINE_COLOUR, fill=True, fill_opacity=1,
                            tooltip=escape(row.department)).add_to(fmap)
    return fmap
