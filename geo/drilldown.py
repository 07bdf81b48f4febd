"""Drill-down maps: province → city → county → township → village (no streamlit).

A map never carries more than ``MAX_POLYGONS`` polygons: a province or a city is drawn as
its counties, each coloured by its aggregated figures (``aggregate_figures``); a county
as its villages when it has at most ``MAX_POLYGONS`` of them (the sample county of 96
villages opens on its villages, as before), else as its townships; a township as its
villages. Geometry is simplified per level with ``shapely.coverage_simplify``, which
keeps the borders that units share shared. The figures of a county, city or province
are sums of the per-village flags of ``geo.status.compute_village_status`` (the same
definitions as the county's cards), so they add up level by level.

The UI (``ui.drill``) caches what it calls here per data version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, select

from geo import schema
from geo.i18n import CATALOGUE, DEFAULT_LANG
from geo.maps import (
    TOOLTIP_PANE,
    _AttributionPrefix,
    _FitView,
    _Legend,
    _MetricScale,
    _TooltipPane,
    build_village_map,
    escape,
    legend_markup,
    map_labels,
    simplify_coverage,
)

LEVELS = ("province", "city", "county", "township", "village")
MAP_LEVELS = ("province", "city", "county", "township")
"""The levels ``map_payload_bytes`` measures: the map of one unit of each."""
MAX_POLYGONS = 2000
"""The most polygons one map carries; a county with more villages is drawn as townships."""
MAX_PAYLOAD_BYTES = 2_000_000
TOLERANCE = {"province": 0.008, "city": 0.003, "county": 0.0005, "township": 0.0002,
             None: 0.008}
"""Simplification tolerance (degrees) of the polygons drawn on the map of a unit of each
level (None: the whole database with several top units). On a 1,000-pixel map of Hubei
(about 7.5° wide) one pixel is 0.0075°, of a city about 0.002°, of a county 0.0005°."""
DECIMALS = 5
"""Coordinates are rounded to 5 decimals (about 1 m): shared vertices stay shared."""
SHARE_BREAKS = (0.5, 0.7, 0.85, 0.95)
"""Class breaks of the visited share of an aggregated unit (left-closed)."""
SHARE_COLOURS = ("#B2182B", "#EF8A62", "#FDDBC7", "#92C5DE", "#2166AC")
"""Red (worst) to blue (best), apart in greyscale; the county map's blue is "served"."""
NO_VILLAGE_COLOUR = "#FFFFFF"
FIGURES = ("villages", "paired", "visited", "never_visited", "neglected")
"""The figures of a unit that add up from its villages (``village_flags``)."""


@dataclass(frozen=True)
class UnitTree:
    """Codes, names, levels and parents of every admin unit (no geometry).

    ``units`` is indexed by code with ``short_name``, ``level``, ``parent_code``,
    ``boundary_source``.
    """

    units: pd.DataFrame

    @cached_property
    def _children_of(self) -> dict[str | None, list[str]]:
        """Each unit's children by code; under None, the units without a parent in the
        database (villages aside). Built once per tree: the maps ask on every run."""
        parent = self.units["parent_code"].astype(object)
        orphan = parent.isna() | ~parent.isin(self.units.index)
        keys = parent.where(~orphan, None)
        children: dict[str | None, list[str]] = {}
        for code, key, level in zip(self.units.index, keys, self.units["level"],
                                    strict=True):
            if key is None and level == "village":
                continue
            children.setdefault(key, []).append(str(code))
        return {key: sorted(codes) for key, codes in children.items()}

    @cached_property
    def _level_of(self) -> dict[str, str]:
        return dict(zip(self.units.index, self.units["level"].astype(str), strict=True))

    @property
    def roots(self) -> list[str]:
        """The units without a parent in the database, in code order."""
        return list(self._children_of.get(None, []))

    @property
    def root(self) -> str | None:
        """The unit a map opens on: the single top unit, or None (several)."""
        roots = self.roots
        return roots[0] if len(roots) == 1 else None

    def level(self, code: str | None) -> str | None:
        """The level of ``code`` (None for the whole database)."""
        return None if code is None else self._level_of[code]

    def name(self, code: str) -> str:
        """The short name of ``code``."""
        return str(self.units.at[code, "short_name"])

    def children(self, code: str | None) -> list[str]:
        """The units directly under ``code`` (under nothing: the top units), by code."""
        return list(self._children_of.get(code, []))

    def path(self, code: str | None) -> list[str]:
        """The codes from the top unit down to ``code`` (empty for None)."""
        path: list[str] = []
        while code is not None and code in self.units.index:
            path.append(code)
            parent = self.units.at[code, "parent_code"]
            code = None if parent is None or pd.isna(parent) else str(parent)
        return path[::-1]

    def ancestors_at(self, codes: pd.Index | list[str], level: str) -> pd.Series:
        """The ancestor at ``level`` of each of ``codes`` (NaN where there is none)."""
        current = pd.Series(list(codes), index=list(codes), dtype=object)
        parents = self.units["parent_code"]
        levels = self.units["level"]
        result = pd.Series(np.nan, index=current.index, dtype=object)
        for _ in range(len(LEVELS)):
            known = current.notna() & current.isin(levels.index)
            at_level = known & (current.map(levels) == level)
            result[at_level] = current[at_level]
            current = current.where(known & ~at_level).map(parents)
            if current.isna().all():
                break
        return result

    def under(self, code: str | None, level: str) -> list[str]:
        """The units of ``level`` under ``code`` (all of them for None), by code."""
        if code is None:
            return sorted(c for c, unit_level in self._level_of.items() if unit_level == level)
        if self.level(code) == level:
            return [code]
        found: list[str] = []
        pending = self.children(code)
        while pending:
            unit = pending.pop()
            if self._level_of[unit] == level:
                found.append(unit)
            else:
                pending.extend(self.children(unit))
        return sorted(found)


def load_tree(engine: Engine) -> UnitTree:
    """Read every admin unit's code, name, level and parent (no geometry)."""
    table = schema.admin_units
    query = select(table.c.code, table.c.short_name, table.c.level, table.c.parent_code,
                   table.c.boundary_source)
    with engine.connect() as connection:
        rows = connection.execute(query).fetchall()
    frame = pd.DataFrame(rows, columns=["code", "short_name", "level", "parent_code",
                                        "boundary_source"])
    return UnitTree(frame.set_index("code").sort_index())


@dataclass(frozen=True)
class View:
    """What the map of one unit draws: ``shown`` is the level of its polygons and
    ``units`` their codes."""

    code: str | None
    level: str | None
    shown: str
    units: list[str]


def choose_view(tree: UnitTree, code: str | None, max_polygons: int = MAX_POLYGONS) -> View:
    """The polygons the map of ``code`` draws (None: the whole database).

    A province, a city or the whole database: its counties; a county: its villages when
    at most ``max_polygons``, else its townships; a township: its villages; a village:
    its township's villages.
    """
    level = tree.level(code)
    if level == "village":
        parent = tree.units.at[code, "parent_code"]
        return choose_view(tree, str(parent), max_polygons)
    if level in (None, "province", "city"):
        counties = tree.under(code, "county")
        if len(counties) <= max_polygons:
            return View(code, level, "county", counties)
        return View(code, level, str(tree.level(tree.children(code)[0])), tree.children(code))
    if level == "county":
        villages = tree.under(code, "village")
        if len(villages) <= max_polygons:
            return View(code, level, "village", villages)
        return View(code, level, "township", tree.children(code))
    return View(code, level, "village", tree.under(code, "village"))


def start_code(tree: UnitTree) -> str | None:
    """The unit the map opens on: the single top unit (a single-county database opens
    on its county), or the whole database."""
    return tree.root


def breadcrumb(tree: UnitTree, code: str | None) -> list[tuple[str, str]]:
    """(code, name) from the top unit down to ``code``: 湖北省 › 宜昌市 › 兴山县 › 古夫镇."""
    return [(unit, tree.name(unit)) for unit in tree.path(code)]


def load_shapes(engine: Engine, codes: list[str]) -> gpd.GeoDataFrame:
    """The polygons of ``codes`` (``code``, ``short_name``, ``level``, ``parent_code``,
    ``boundary_source``, geometry), in code order."""
    table = schema.admin_units
    frames = []
    with engine.connect() as connection:
        for start in range(0, len(codes), 500):
            part = codes[start:start + 500]
            query = select(table.c.code, table.c.short_name, table.c.level,
                           table.c.parent_code, table.c.boundary_source,
                           table.c.geometry).where(table.c.code.in_(part))
            frames.append(pd.DataFrame(connection.execute(query).fetchall(),
                                       columns=["code", "short_name", "level", "parent_code",
                                                "boundary_source", "geometry"]))
    frame = (pd.concat(frames, ignore_index=True) if frames else
             pd.DataFrame(columns=["code", "short_name", "level", "parent_code",
                                   "boundary_source", "geometry"]))
    frame = frame.sort_values("code", ignore_index=True)
    geometry = [shapely.from_geojson(text) if isinstance(text, str) and text else None
                for text in frame["geometry"]]
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geometry, crs=4326)


def simplified(shapes: gpd.GeoDataFrame, level: str | None) -> gpd.GeoDataFrame:
    """``shapes`` simplified for the map of a unit of ``level``, shared borders kept
    shared (``shapely.coverage_simplify``)."""
    out = shapes.copy()
    simple = simplify_coverage(out.geometry, TOLERANCE.get(level, TOLERANCE[None]))
    out["geometry"] = shapely.transform(simple.to_numpy(),
                                        lambda xy: np.round(xy, DECIMALS))
    return out


def dissolved(shapes: gpd.GeoDataFrame, tree: UnitTree, codes: list[str]
              ) -> gpd.GeoDataFrame:
    """The outlines of ``codes`` as the unions of the (simplified) ``shapes`` under each,
    so that a city's border runs on its counties' borders (``code``, ``short_name``)."""
    if not codes or shapes.empty:
        return gpd.GeoDataFrame({"code": [], "short_name": []}, geometry=[], crs=4326)
    level = str(tree.level(codes[0]))
    owner = tree.ancestors_at(list(shapes["code"]), level).to_numpy()
    rows = []
    for code in codes:
        parts = shapes.geometry.to_numpy()[owner == code]
        if len(parts):
            rows.append((code, tree.name(code), shapely.union_all(parts)))
    return gpd.GeoDataFrame({"code": [r[0] for r in rows], "short_name": [r[1] for r in rows]},
                            geometry=[r[2] for r in rows], crs=4326)


def village_flags(status: pd.DataFrame) -> pd.DataFrame:
    """Per village (indexed by code) the 0/1 figures that add up: ``villages``,
    ``paired``, ``visited``, ``never_visited`` and ``neglected`` (a severe reason, the
    overview's 需关注村), from ``geo.status.compute_village_status``."""
    return pd.DataFrame({
        "villages": 1,
        "paired": status["paired"].astype(bool).astype(int),
        "visited": status["visited"].astype(bool).astype(int),
        "never_visited": status["last_visit"].isna().astype(int),
        "neglected": status["severe"].astype(bool).astype(int),
    }, index=status.index)


def aggregate_figures(status: pd.DataFrame, tree: UnitTree, level: str) -> pd.DataFrame:
    """The figures of every unit of ``level`` (indexed by code, every unit of the level,
    0 where it has no village): sums of ``village_flags`` and the shares
    ``paired_share`` and ``visited_share`` (NaN with no village)."""
    flags = village_flags(status)
    owner = tree.ancestors_at(flags.index, level)
    sums = flags.groupby(owner.to_numpy()).sum()
    units = tree.units.index[tree.units["level"] == level]
    figures = sums.reindex(units, fill_value=0).astype(int)
    villages = figures["villages"].where(figures["villages"] > 0)
    figures["paired_share"] = figures["paired"] / villages
    figures["visited_share"] = figures["visited"] / villages
    return figures


def share_class(share: pd.Series) -> pd.Series:
    """The class (0 worst … 4 best, -1 no village) of each visited share."""
    classes = pd.Series(np.searchsorted(SHARE_BREAKS, share.fillna(0).to_numpy(),
                                        side="right"), index=share.index)
    return classes.where(share.notna(), -1)


def drill_labels(lang: str) -> dict[str, str]:
    """The translated texts of the drill-down maps (``drill.*`` keys)."""
    return {k: CATALOGUE.get(lang, CATALOGUE[DEFAULT_LANG]).get(k, CATALOGUE[DEFAULT_LANG][k])
            for k in CATALOGUE[DEFAULT_LANG] if k.startswith("drill.")}


def _percent(value: float) -> str:
    return "—" if pd.isna(value) else f"{value * 100:.0f}%"


def build_unit_map(shapes: gpd.GeoDataFrame, figures: pd.DataFrame,
                   outlines: gpd.GeoDataFrame, labels: dict[str, str],
                   map_text: dict[str, str], window_days: int) -> folium.Map:
    """The choropleth of aggregated units: ``shapes`` (simplified, with ``code`` and
    ``short_name``) coloured by the visited share of ``figures`` (``aggregate_figures``),
    the borders of ``outlines`` (the unit drilled into, or its cities) drawn heavy and
    named. Every name and text is escaped; a click on a unit returns its code."""
    shown = figures.reindex(shapes["code"])
    classes = share_class(shown["visited_share"]).to_numpy()
    colours = [NO_VILLAGE_COLOUR if k < 0 else SHARE_COLOURS[k] for k in classes]
    frame = gpd.GeoDataFrame({
        "code": shapes["code"].to_numpy(),
        "name": shapes["short_name"].map(escape).to_numpy(),
        "villages": shown["villages"].astype(int).astype(str).to_numpy(),
        "paired": shown["paired_share"].map(_percent).to_numpy(),
        "visited": shown["visited_share"].map(_percent).to_numpy(),
        "never": shown["never_visited"].astype(int).astype(str).to_numpy(),
        "neglected": shown["neglected"].astype(int).astype(str).to_numpy(),
        "fill": colours,
    }, geometry=shapes.geometry.to_numpy(), crs=4326)
    west, south, east, north = shapes.total_bounds
    bounds = [[float(south), float(west)], [float(north), float(east)]]
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                      control_scale=False, zoom_snap=0.25, prefer_canvas=False)
    fmap.add_child(_MetricScale())
    fmap.add_child(_AttributionPrefix())
    fmap.add_child(_TooltipPane())
    folium.GeoJson(
        frame.to_json(drop_id=True),
        name="units",
        style_function=lambda feature: {"fillColor": feature["properties"]["fill"],
                                        "fillOpacity": 0.85, "color": "#ffffff",
                                        "weight": 0.8},
        highlight_function=lambda _feature: {"weight": 3, "color": "#111111"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "villages", "paired", "visited", "never", "neglected"],
            aliases=[escape(map_text[k]) for k in
                     ("drill.tooltip.unit", "drill.tooltip.villages", "drill.tooltip.paired",
                      "drill.tooltip.visited", "drill.tooltip.never",
                      "drill.tooltip.neglected")],
            sticky=True, style="font-size:15px;", pane=TOOLTIP_PANE, opacity=1),
    ).add_to(fmap)
    if len(outlines):
        folium.GeoJson(
            outlines[["geometry"]].to_json(drop_id=True), name="outlines",
            style_function=lambda _feature: {"fill": False, "color": "#111111",
                                             "weight": 2.5},
            interactive=False,
        ).add_to(fmap)
        for row in outlines.itertuples(index=False):
            if row.geometry is None or row.geometry.is_empty:
                continue
            point = row.geometry.representative_point()
            folium.Marker(
                [point.y, point.x],
                icon=folium.DivIcon(
                    html=('<div class="pairmap-unit-label" style="font-size:15px;'
                          "font-weight:bold;color:#111;white-space:nowrap;"
                          'text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff">'
                          f"{escape(row.short_name)}</div>"),
                    icon_size=(110, 22), icon_anchor=(55, 11)),
                interactive=False,
            ).add_to(fmap)
    counts = pd.Series(classes).value_counts()
    bounds_text = [0, *SHARE_BREAKS, 1]
    rows = []
    for k, colour in enumerate(SHARE_COLOURS):
        low, high = bounds_text[k], bounds_text[k + 1]
        text = (map_text["drill.legend.at_least"].format(low=f"{low * 100:.0f}")
                if k == len(SHARE_COLOURS) - 1 else
                map_text["drill.legend.range"].format(low=f"{low * 100:.0f}",
                                                     high=f"{high * 100:.0f}"))
        rows.append((colour, text, int(counts.get(k, 0))))
    if int(counts.get(-1, 0)):
        rows.append((NO_VILLAGE_COLOUR, map_text["drill.legend.no_village"],
                     int(counts.get(-1, 0))))
    schematic = bool((shapes["boundary_source"] == "schematic").any())
    title = map_text["drill.legend.title"].format(window=window_days)
    fmap.add_child(_Legend(legend_markup(title, rows, map_text["drill.legend.count"],
                                         labels["map.schematic"] if schematic else None,
                                         separator=labels["legend.separator"])))
    fmap.add_child(_FitView(bounds, bounds, map_text["drill.reset"]))
    return fmap


def subset_village_inputs(villages: gpd.GeoDataFrame, townships: gpd.GeoDataFrame,
                          counties: gpd.GeoDataFrame, status: pd.DataFrame,
                          tree: UnitTree, view: View
                          ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame,
                                     pd.DataFrame]:
    """The villages, townships, county outline and status of a village-level ``view``
    (``build_village_map``'s inputs, cut to the unit)."""
    codes = set(view.units)
    shown = villages[villages["code"].isin(codes)]
    towns = townships[townships["code"].isin(set(shown["parent_code"]))]
    county_codes = set(tree.ancestors_at(list(towns["code"]), "county").dropna())
    county = counties[counties["code"].isin(county_codes)]
    return (shown.reset_index(drop=True), towns.reset_index(drop=True),
            county.reset_index(drop=True), status[status.index.isin(codes)])


def build_drill_map(view: View, tree: UnitTree, status: pd.DataFrame,
                    shapes: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame,
                    village_inputs: tuple | None, lang: str, window_days: int,
                    layer: str = "pairing", **village_options: object) -> folium.Map:
    """The map of ``view``: ``build_village_map`` of ``village_inputs`` (villages,
    townships, county, status: ``subset_village_inputs``) for villages, else
    ``build_unit_map`` of ``shapes`` (simplified) with ``outlines``."""
    labels = map_labels(lang, window_days)
    if view.shown == "village":
        villages, townships, county, part = village_inputs
        focus = view.code if view.level == "township" else None
        return build_village_map(villages, townships, county, part, labels, layer=layer,
                                 focus_township=focus, **village_options)
    figures = aggregate_figures(status, tree, view.shown)
    return build_unit_map(shapes, figures, outlines, labels, drill_labels(lang), window_days)


def outline_codes(tree: UnitTree, view: View) -> list[str]:
    """The units whose borders an aggregated map draws heavy and names: the cities of a
    province, the unit itself otherwise (none for the whole database)."""
    if view.level == "province":
        return tree.children(view.code)
    if view.code is None:
        return tree.roots if len(tree.roots) < len(view.units) else []
    return [view.code]


# --- the payload a map sends, for the benchmark ----------------------------------------------


def _largest(tree: UnitTree, level: str) -> str:
    units = tree.units.index[tree.units["level"] == level]
    if len(units) == 0:
        raise ValueError(f"no unit of level {level}")
    villages = tree.units.index[tree.units["level"] == "village"]
    owners = tree.ancestors_at(villages, level).value_counts()
    counts = owners.reindex(units, fill_value=0)
    return str(counts.sort_values(ascending=False, kind="stable").index[0])


def village_status(engine: Engine, as_of: date | None = None, window_days: int = 90,
                   neglect_days: int = 90) -> pd.DataFrame:
    """Every village's coverage and status at ``as_of`` (default: the last visit's
    date), as the overview computes it."""
    from geo import reports, store
    from geo.access import Role, User
    from geo.period import Period
    from geo.status import compute_village_status

    if as_of is None:
        with engine.connect() as connection:
            last = connection.execute(select(schema.visits.c.date).order_by(
                schema.visits.c.date.desc()).limit(1)).scalar()
        as_of = last or date.today()
    inputs = reports.load_coverage_inputs(engine, User("system", Role.ADMIN),
                                          Period(as_of, window_days), neglect_days)
    return compute_village_status(inputs, store.load_departments(engine))


def render_drill_map(engine: Engine, tree: UnitTree, status: pd.DataFrame,
                     code: str | None, lang: str = DEFAULT_LANG, window_days: int = 90,
                     layer: str = "pairing") -> folium.Map:
    """The map of unit ``code`` read from ``engine`` (what the app draws)."""
    view = choose_view(tree, code)
    if view.shown == "village":
        villages = load_shapes(engine, view.units)
        towns = sorted(set(villages["parent_code"].dropna()))
        counties = sorted(set(tree.ancestors_at(towns, "county").dropna()))
        inputs = subset_village_inputs(villages, load_shapes(engine, towns),
                                       load_shapes(engine, counties), status, tree, view)
        return build_drill_map(view, tree, status, None, None, inputs, lang, window_days,
                               layer)
    shapes = simplified(load_shapes(engine, view.units), view.level)
    outlines = dissolved(shapes, tree, outline_codes(tree, view))
    return build_drill_map(view, tree, status, shapes, outlines, None, lang, window_days)


def map_payload_bytes(engine, level: str, code: str | None = None) -> int:  # noqa: ANN001
    """The byte size (UTF-8) of the map HTML the app sends for the unit ``code`` of
    ``level`` (one of ``MAP_LEVELS``; None: the unit of that level with the most
    villages)."""
    if level not in MAP_LEVELS:
        raise ValueError(f"level must be one of {MAP_LEVELS}")
    from geo.offline import configure_offline_assets

    configure_offline_assets()  # as the app does: Leaflet from its own static folder
    tree = load_tree(engine)
    if code is None:
        code = _largest(tree, level)
    status = village_status(engine)
    fmap = render_drill_map(engine, tree, status, code)
    return len(fmap.get_root().render().encode("utf-8"))
