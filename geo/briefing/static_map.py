"""The coverage map as a static image, drawn on the server (geopandas and matplotlib).

The same classes, colours, hatching and legend (with counts) as the app's map
(``geo.layers.build_layer("pairing", …)``, ``geo.maps.map_labels``); the county outline
bold, township borders and names, a metric scale bar and a north arrow, and 示意边界
where the boundaries are schematic. Drawn in the county's Gauss-Krüger zone
(``geo.crs.county_crs``), so that the scale bar measures metres. Matplotlib is used
through its object interface on the Agg canvas only (no pyplot, no global backend).
"""

from __future__ import annotations

import io
import textwrap

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch, Rectangle

from geo.briefing.data import Briefing
from geo.briefing.fonts import cjk_font_path
from geo.crs import county_crs
from geo.errors import DataError
from geo.i18n import translate
from geo.layers import HATCH_STRIPE, build_layer
from geo.maps import map_labels

MAP_WIDTH_INCHES = 12.0
MAP_HEIGHT_INCHES = 7.5
MAP_DPI = 150
"""1800 × 1125 px: wider than a projector and sharp on an A4 page."""
MAP_AXES = (0.01, 0.02, 0.66, 0.90)
"""Where the county is drawn (left, bottom, width, height of the figure); the legend,
title and note keep to the right of it, so nothing covers the county."""
VILLAGE_EDGE = "#FFFFFF"
TOWNSHIP_EDGE = "#333333"
COUNTY_EDGE = "#111111"
HATCH = "///"
HATCHED_INDENT = "    "
"""The hatched row sits under its class, indented."""
SCALE_STEPS_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200)


def _scale_km(width_m: float) -> int:
    """The longest round length (km) no more than a quarter of the map's width."""
    fitting = [km for km in SCALE_STEPS_KM if km * 1000 <= width_m / 4]
    return fitting[-1] if fitting else SCALE_STEPS_KM[0]


def _draw_scale_bar(ax: Axes, bounds: tuple[float, float, float, float], font: FontProperties,
                    label: str, km: int) -> None:
    """A two-part black and white metric bar in the lower left, its length in km."""
    west, south, east, north = bounds
    length = km * 1000
    height = (north - south) * 0.012
    x0 = west + (east - west) * 0.03
    y0 = south + (north - south) * 0.035
    for part, colour in enumerate(("#111111", "#FFFFFF")):
        ax.add_patch(Rectangle((x0 + part * length / 2, y0), length / 2, height,
                               facecolor=colour, edgecolor="#111111", linewidth=1.2,
                               zorder=6))
    style = {"fontproperties": font, "fontsize": 12, "zorder": 6, "color": "#111111"}
    ax.text(x0, y0 + height * 1.8, "0", ha="center", va="bottom", **style)
    ax.text(x0 + length, y0 + height * 1.8, label, ha="center", va="bottom", **style)


def _draw_north_arrow(ax: Axes, bounds: tuple[float, float, float, float],
                      font: FontProperties, label: str) -> None:
    """An arrow pointing up (grid north of the zone) with its letter, upper left."""
    west, south, east, north = bounds
    x = west + (east - west) * 0.04
    y_tip = north - (north - south) * 0.04
    y_tail = y_tip - (north - south) * 0.10
    ax.annotate("", xy=(x, y_tip), xytext=(x, y_tail), zorder=6,
                arrowprops={"arrowstyle": "-|>", "color": "#111111", "linewidth": 2,
                            "mutation_scale": 22})
    ax.text(x, y_tail - (north - south) * 0.01, label, ha="center", va="top",
            fontproperties=font, fontsize=14, fontweight="bold", zorder=6)


def render_map(briefing: Briefing, lang: str, titled: bool = True) -> Figure:
    """Draw the briefing's village status map; return the figure (not yet saved).

    With ``titled`` the image names the county, the as-of date and the window (the
    PDF, which says so above it, draws it without)."""
    font = FontProperties(fname=str(cjk_font_path()))
    shown = briefing.map
    labels = map_labels(lang, briefing.window_days)
    layer = build_layer("pairing", shown.status, shown.villages, labels)
    outline = (shown.county if len(shown.county) else shown.villages).geometry.union_all()
    if outline is None or outline.is_empty:
        raise DataError("briefing_no_boundaries")
    crs = county_crs(outline)
    villages = shown.villages[["code", "geometry"]].to_crs(crs)
    villages = villages[villages.geometry.notna() & ~villages.geometry.is_empty]
    klass = layer.village_class.reindex(villages["code"]).to_numpy()
    striped = (layer.hatched.reindex(villages["code"]).fillna(False).to_numpy(dtype=bool)
               if layer.hatched is not None else [False] * len(villages))
    villages = villages.assign(fill=[layer.colours.get(k, "#FFFFFF") for k in klass],
                               striped=striped)
    townships = shown.townships.to_crs(crs)
    county = shown.county.to_crs(crs)

    figure = Figure(figsize=(MAP_WIDTH_INCHES, MAP_HEIGHT_INCHES), dpi=MAP_DPI,
                    facecolor="#FFFFFF")
    FigureCanvasAgg(figure)
    ax = figure.add_axes(MAP_AXES)
    ax.set_axis_off()
    ax.set_aspect("equal")
    areas = villages[villages.geom_type.isin(["Polygon", "MultiPolygon"])]
    points = villages[villages.geom_type == "Point"]
    plain = areas[~areas["striped"]]
    if len(plain):
        plain.plot(ax=ax, color=plain["fill"].tolist(), edgecolor=VILLAGE_EDGE,
                   linewidth=0.6, zorder=1)
    hatched = areas[areas["striped"]]
    if len(hatched):
        hatched.plot(ax=ax, color=hatched["fill"].tolist(), edgecolor=HATCH_STRIPE,
                     hatch=HATCH, linewidth=0.6, zorder=1)
    if len(points):
        points.plot(ax=ax, color=points["fill"].tolist(), edgecolor="#111111",
                    markersize=60, zorder=4)
    if len(townships):
        townships.boundary.plot(ax=ax, color=TOWNSHIP_EDGE, linewidth=1.4, zorder=2)
    if len(county):
        county.boundary.plot(ax=ax, color=COUNTY_EDGE, linewidth=3.0, zorder=3)
    halo = [patheffects.withStroke(linewidth=3.5, foreground="#FFFFFF")]
    for row in townships.itertuples(index=False):
        if row.geometry is None or row.geometry.is_empty:
            continue
        point = row.geometry.representative_point()
        ax.text(point.x, point.y, str(row.short_name), ha="center", va="center",
                fontproperties=font, fontsize=13, fontweight="bold", color="#111111",
                path_effects=halo, zorder=5)

    frame = county if len(county) else villages
    west, south, east, north = frame.total_bounds
    pad_x, pad_y = (east - west) * 0.03, (north - south) * 0.03
    # Room below the county for the scale bar, and left of it for the north arrow.
    bounds = (west - (east - west) * 0.10, south - (north - south) * 0.12,
              east + pad_x, north + pad_y)
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    km = _scale_km(bounds[2] - bounds[0])
    _draw_scale_bar(ax, bounds, font, translate("briefing.map.km", lang, km=km), km)
    _draw_north_arrow(ax, bounds, font, translate("briefing.map.north", lang))

    if titled:
        figure.text(0.01, 0.975, translate("briefing.map.title", lang, county=briefing.county,
                                           as_of=briefing.as_of.isoformat(),
                                           window=briefing.window_days),
                    fontproperties=font, fontsize=17, fontweight="bold", va="top")
    _draw_legend(figure, layer.legend, labels, font, shown.schematic)
    return figure


LEGEND_SIZES = (14, 13, 12, 11, 10, 9)
"""Font sizes the legend tries, largest first, until it fits beside the map."""


def _draw_legend(figure: Figure, legend: list, labels: dict[str, str], font: FontProperties,
                 schematic: bool) -> None:
    """The app's legend beside the map: a swatch, label and count per class, the hatched
    never-visited villages on a row of their own, and 示意边界 below. Its text is as large
    as fits between the map and the image's right edge (English labels are longer)."""
    handles, texts = [], []
    for entry in legend:
        handles.append(Patch(facecolor=entry.colour, edgecolor="#333333", linewidth=0.8))
        texts.append(entry.label + labels["legend.separator"]
                     + labels["legend.count"].format(count=entry.count))
        if entry.hatched is not None:  # the unpaired class: its never-visited part
            handles.append(Patch(facecolor=entry.colour, edgecolor="#333333", hatch=HATCH,
                                 hatchcolor=HATCH_STRIPE, linewidth=0.8))
            texts.append(HATCHED_INDENT + labels["legend.hatched"] + labels["legend.separator"]
                         + labels["legend.count"].format(count=entry.hatched))
    renderer = figure.canvas.get_renderer()
    room = figure.bbox.width * 0.99
    for size in LEGEND_SIZES:
        box = figure.legend(handles, texts, loc="upper left", bbox_to_anchor=(0.685, 0.90),
                            prop=font.copy(), title=_wrapped(labels["legend.title"], 28),
                            frameon=True, handlelength=2.2, handleheight=1.4, borderpad=0.9,
                            labelspacing=0.8, alignment="left")
        for text in box.get_texts():
            text.set_fontsize(size)
        box.get_title().set_fontproperties(font)
        box.get_title().set_fontsize(size + 1)
        box.get_frame().set_edgecolor("#999999")
        if box.get_window_extent(renderer).x1 <= room or size == LEGEND_SIZES[-1]:
            break
        box.remove()
    if schematic:
        figure.text(0.69, 0.06, labels["map.schematic"], fontproperties=font, fontsize=15,
                    fontstyle="italic", color="#555555")


def _wrapped(text: str, width: int) -> str:
    """A legend title on two lines: before its bracket (a CJK title has no spaces to
    break at), else at spaces after at most ``width`` characters."""
    if "（" in text.lstrip("（"):
        head, _, tail = text.rpartition("（")
        return f"{head}\n（{tail}"
    return textwrap.fill(text, width)


def map_png(briefing: Briefing, lang: str, dpi: int = MAP_DPI, titled: bool = True,
            cropped: bool = False) -> bytes:
    """The map as PNG bytes, ``MAP_WIDTH_INCHES × dpi`` px wide; ``cropped`` trims the
    white margins (for the PDF, which sizes the image itself)."""
    figure = render_map(briefing, lang, titled)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="#FFFFFF",
                   bbox_inches="tight" if cropped else None, pad_inches=0.05)
    return buffer.getvalue()
