"""The province sample's admin units: Hubei from ``data/reference`` (see its SOURCES.md).

Real: the 103 county outlines, and the codes and names of the 105 county-level units,
their 1,475 townships and 27,057 villages. Schematic: the outlines of the two units with
no published outline (``CARVED_COUNTIES``), carved from a neighbour, which loses that
area (both are marked ``schematic``), and every township and village polygon, drawn
inside its county by ``geo.demo.schematic``. Derived: a city is the union of its
county-level units (the 4-digit prefix; ``4290`` groups those directly under the
province), the province the union of its cities, both simplified.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import county_crs
from geo.demo.reference import (
    CARVED_COUNTIES,
    DIRECT_CITY_CODE,
    DIRECT_CITY_NAME,
    PROVINCE_CODE,
    PROVINCE_NAME,
    load_county_outlines,
    read_code_list,
    township_and_village_units,
)
from geo.demo.schematic import GRID_SIZE, generate_schematic_boundaries
from geo.errors import DataError
from geo.geometry import polygonal

CITY_LENGTH = 4
COUNTY_LENGTH = 6
SIMPLIFY_DEGREES = {"city": 0.002, "province": 0.005}
"""Tolerance (degrees, about 200 m and 500 m) of the derived city and province outlines."""
UNIT_COLUMNS = ["code", "name", "short_name", "level", "parent_code", "kind",
                "boundary_source", "geometry"]


def carve(outline: BaseGeometry, share: float, bearing: float
          ) -> tuple[BaseGeometry, BaseGeometry]:
    """Cut the part of ``outline`` that lies furthest towards ``bearing``.

    A straight line across the outline, perpendicular to the bearing, is moved until the
    part beyond it holds ``share`` of the area (measured in the outline's Gauss-Krüger
    zone); that part's largest piece is carved, the rest stays. Both are snapped to the
    same grid, so they share their edge and do not overlap.

    Parameters
    ----------
    outline : shapely geometry
        A (multi)polygon in WGS84.
    share : float
        The carved share of the area, in (0, 1).
    bearing : float
        Compass bearing in degrees (0 north, 90 east).

    Returns
    -------
    carved, rest : shapely geometry
        Both in WGS84; their union is the outline.
    """
    if not 0 < share < 1:
        raise ValueError("share must lie between 0 and 1")
    crs = county_crs(outline)
    area = gpd.GeoSeries([outline], crs=4326).to_crs(crs).iloc[0]
    area = polygonal(shapely.set_precision(shapely.make_valid(area), GRID_SIZE))
    angle = np.radians(bearing)
    direction = np.array([np.sin(angle), np.cos(angle)])
    xy = shapely.get_coordinates(area)
    along = xy @ direction
    xmin, ymin, xmax, ymax = area.bounds
    reach = 4 * max(xmax - xmin, ymax - ymin)
    across = np.array([-direction[1], direction[0]])
    centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])

    def beyond(level: float) -> BaseGeometry:
        base = centre + direction * (level - centre @ direction)
        corners = [base + across * reach, base + across * reach + direction * reach,
                   base - across * reach + direction * reach, base - across * reach]
        return shapely.intersection(area, shapely.Polygon(corners), grid_size=GRID_SIZE)

    low, high = float(along.min()), float(along.max())
    for _ in range(60):
        middle = (low + high) / 2
        if beyond(middle).area > share * area.area:
            low = middle
        else:
            high = middle
    parts = sorted(shapely.get_parts(polygonal(beyond(low))), key=lambda p: -p.area)
    if not parts:
        raise ValueError("nothing to carve")
    carved = parts[0]
    rest = polygonal(shapely.difference(area, carved, grid_size=GRID_SIZE))
    back = gpd.GeoSeries([carved, rest], crs=crs).to_crs(4326)
    return back.iloc[0], back.iloc[1]


def county_units(outlines: gpd.GeoDataFrame, codes: pd.DataFrame) -> gpd.GeoDataFrame:
    """The county-level units: the outlines, plus the carved ones of ``CARVED_COUNTIES``.

    Parameters
    ----------
    outlines : geopandas.GeoDataFrame
        ``code``, ``name``, ``city`` and the outline (WGS84).
    codes : pandas.DataFrame
        The NBS code list (``countyCode``, ``countyName``, …): the units to return.

    Returns
    -------
    geopandas.GeoDataFrame
        ``UNIT_COLUMNS`` plus ``city_name``, in code order; ``parent_code`` is the city.
    """
    names = codes.drop_duplicates("countyCode").set_index("countyCode")["countyName"]
    frame = outlines.set_index("code")
    geometry = frame.geometry.to_dict()
    city_names = frame["city"].to_dict()
    source = dict.fromkeys(geometry, "official")
    counts = codes["countyCode"].value_counts()
    for code, (neighbour, bearing) in CARVED_COUNTIES.items():
        if code not in names.index or code in geometry:
            continue
        if neighbour not in geometry:
            raise DataError("no_boundary", file="hubei_counties", code=neighbour)
        share = counts[code] / (counts[code] + counts.get(neighbour, 0))
        geometry[code], geometry[neighbour] = carve(geometry[neighbour], share, bearing)
        city_names[code] = city_names[neighbour]
        source[code] = source[neighbour] = "schematic"
    missing = sorted(set(names.index) - set(geometry))
    if missing:
        raise DataError("no_boundary", file="hubei_counties", code=missing[0])
    rows = sorted(names.index)
    return gpd.GeoDataFrame({
        "code": rows,
        "name": [names[c] for c in rows],
        "short_name": [names[c] for c in rows],
        "level": "county",
        "parent_code": [c[:CITY_LENGTH] for c in rows],
        "kind": None,
        "boundary_source": [source[c] for c in rows],
        "city_name": [city_names[c] for c in rows],
    }, geometry=[geometry[c] for c in rows], crs=4326)


def _union(geometries: list[BaseGeometry], tolerance: float) -> BaseGeometry:
    merged = shapely.union_all(geometries, grid_size=1e-6)
    return polygonal(shapely.simplify(merged, tolerance, preserve_topology=True))


def city_and_province_units(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The cities (4-digit prefix; ``DIRECT_CITY_CODE`` for the county-level units
    directly under the province) and the province, as unions of their counties."""
    rows = []
    for city, members in counties.groupby(counties["code"].str[:CITY_LENGTH], sort=True):
        name = DIRECT_CITY_NAME if city == DIRECT_CITY_CODE else members["city_name"].iloc[0]
        rows.append({"code": city, "name": name, "short_name": name, "level": "city",
                     "parent_code": PROVINCE_CODE, "kind": None,
                     "boundary_source": "official",
                     "geometry": _union(list(members.geometry), SIMPLIFY_DEGREES["city"])})
    province = _union([r["geometry"] for r in rows], SIMPLIFY_DEGREES["province"])
    rows.insert(0, {"code": PROVINCE_CODE, "name": PROVINCE_NAME,
                    "short_name": PROVINCE_NAME, "level": "province", "parent_code": None,
                    "kind": None, "boundary_source": "official", "geometry": province})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def _county_shapes(task: tuple[str, BaseGeometry, pd.DataFrame, int]
                   ) -> tuple[str, list[str], list[BaseGeometry]]:
    """One county's schematic township and village polygons (run in a worker)."""
    code, outline, units, seed = task
    towns, villages = generate_schematic_boundaries(outline, units, seed=seed)
    return (code, [*towns["code"], *villages["code"]],
            [*towns.geometry, *villages.geometry])


def county_seed(seed: int, county_code: str) -> int:
    """The schematic generator's seed for one county (deterministic, distinct)."""
    return seed * 1_000_003 + int(county_code)


def schematic_shapes(counties: gpd.GeoDataFrame, units: pd.DataFrame, seed: int,
                     jobs: int = 1) -> dict[str, BaseGeometry]:
    """Schematic polygons of every township and village, county by county.

    Parameters
    ----------
    counties : geopandas.GeoDataFrame
        ``code`` and the county outline.
    units : pandas.DataFrame
        Townships (parent: county) and villages (parent: township).
    seed : int
    jobs : int
        Worker processes (1: in this process). The shapes do not depend on it.

    Returns
    -------
    dict
        Code -> polygon (WGS84).
    """
    county_of = units["code"].str[:COUNTY_LENGTH]
    tasks = []
    for code, outline in zip(counties["code"], counties.geometry, strict=True):
        part = units[(county_of == code).to_numpy()]
        if part.empty:
            continue
        tasks.append((code, outline, part[["code", "level", "parent_code"]],
                      county_seed(seed, code)))
    tasks.sort(key=lambda task: -len(task[2]))  # the largest first: workers finish together
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_county_shapes, tasks))
    else:
        results = [_county_shapes(task) for task in tasks]
    shapes: dict[str, BaseGeometry] = {}
    for _, codes, geometries in results:
        shapes.update(zip(codes, geometries, strict=True))
    return shapes


def default_jobs() -> int:
    """Worker processes for the schematic shapes: the machine's cores, at most 2."""
    return max(1, min(2, os.cpu_count() or 1))


def province_units(outlines: gpd.GeoDataFrame | None = None,
                   codes: pd.DataFrame | None = None, seed: int = 42,
                   jobs: int | None = None) -> gpd.GeoDataFrame:
    """Every admin unit of the province sample, from the province down to the villages.

    Parameters
    ----------
    outlines : geopandas.GeoDataFrame, optional
        County outlines (default the shipped Hubei file).
    codes : pandas.DataFrame, optional
        The NBS code list (default the shipped Hubei file).
    seed : int
    jobs : int, optional
        Worker processes for the schematic shapes (default ``default_jobs()``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``UNIT_COLUMNS`` (WGS84): province, cities, counties, townships, villages, each
        level in code order.
    """
    outlines = load_county_outlines() if outlines is None else outlines
    codes = read_code_list() if codes is None else codes
    counties = county_units(outlines, codes)
    lower = township_and_village_units(codes)
    shapes = schematic_shapes(counties, lower, seed, default_jobs() if jobs is None else jobs)
    missing = sorted(set(lower["code"]) - set(shapes))
    if missing:
        raise DataError("no_boundary", file="hubei_villages", code=missing[0])
    lower = gpd.GeoDataFrame(lower.assign(boundary_source="schematic"),
                             geometry=[shapes[c] for c in lower["code"]], crs=4326)
    upper = city_and_province_units(counties)
    frame = pd.concat([upper, counties.drop(columns="city_name"), lower], ignore_index=True)
    return gpd.GeoDataFrame(frame[UNIT_COLUMNS], geometry="geometry", crs=4326)
