"""A province of two counties, built in code: 湖北省 › 宜昌市 › 兴山县 and 远安县, each with
two townships of ``VILLAGES_PER_TOWNSHIP`` villages. The two counties share a wavy border
(the same vertices on both sides); each county's villages are the Voronoi cells of
random points, cut by the county, so they share borders too, and a township is the union
of its villages. Boundaries are schematic; pairings and visits are synthetic."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import shapely
from sqlalchemy import Connection, insert

from geo import schema

PROVINCE = "420000000000"
CITY = "420500000000"
COUNTIES = {"420526000000": "兴山县", "420525000000": "远安县"}
TOWNSHIPS = {"420526000000": {"420526100000": "古夫镇", "420526101000": "昭君镇"},
             "420525000000": {"420525100000": "鸣凤镇", "420525101000": "花林寺镇"}}
VILLAGES_PER_TOWNSHIP = 6
AS_OF = date(2026, 11, 28)


def border(steps: int = 200) -> list[tuple[float, float]]:
    """The wavy north–south border of the two counties (many vertices, to simplify)."""
    ys = np.linspace(31.0, 31.4, steps)
    return [(110.5 + 0.02 * np.sin(y * 150) + 0.005 * np.sin(y * 900), y) for y in ys]


def county_shapes() -> dict[str, shapely.Polygon]:
    """兴山县 west of the border, 远安县 east of it."""
    line = border()
    west = shapely.Polygon([(110.1, 31.0), *line, (110.1, 31.4)])
    east = shapely.Polygon([(110.9, 31.0), *line, (110.9, 31.4)])
    west_code, east_code = COUNTIES
    return {west_code: shapely.make_valid(west), east_code: shapely.make_valid(east)}


def village_shapes(county: shapely.Polygon, seed: int) -> list[shapely.Geometry]:
    """``2 * VILLAGES_PER_TOWNSHIP`` Voronoi cells inside ``county``, south half first."""
    rng = np.random.default_rng(seed)
    west, south, east, north = county.bounds
    cells: list[shapely.Geometry] = []
    for low, high in ((south, (south + north) / 2), ((south + north) / 2, north)):
        count = 0
        while count < VILLAGES_PER_TOWNSHIP:
            point = shapely.Point(rng.uniform(west, east), rng.uniform(low, high))
            if county.contains(point):
                cells.append(point)
                count += 1
    regions = shapely.voronoi_polygons(shapely.MultiPoint(cells), extend_to=county)
    by_point = []
    for point in cells:
        region = next(r for r in regions.geoms if r.contains(point))
        by_point.append(shapely.intersection(region, county))
    return by_point


def add_two_counties(connection: Connection, departments: bool = True,
                     top: str = "province") -> None:
    """Insert the province, its city (with ``top="county"``: neither, the counties at
    the top), both counties, their townships and villages, and
    with ``departments`` one department per county with pairings and visits: in each
    township the first two villages visited 10 days before ``AS_OF``, the third paired
    and visited 200 days before, the fourth paired and never visited, the others
    neither paired nor visited."""
    def unit(code: str, name: str, level: str, parent: str | None,
             geometry: shapely.Geometry | None) -> dict[str, object]:
        return {"code": code, "name": name, "short_name": name, "level": level,
                "parent_code": parent, "kind": "村" if level == "village" else None,
                "geometry": None if geometry is None else shapely.to_geojson(geometry),
                "boundary_source": "schematic", "weak": False}

    counties = county_shapes()
    rows = [[unit(PROVINCE, "湖北省", "province", None, shapely.union_all(list(
                 counties.values())))],
            [unit(CITY, "宜昌市", "city", PROVINCE, shapely.union_all(list(
                counties.values())))],
            [], [], []]
    villages_of: dict[str, list[str]] = {}
    for seed, (county_code, county_name) in enumerate(COUNTIES.items()):
        rows[2].append(unit(county_code, county_name, "county", CITY, counties[county_code]))
        cells = village_shapes(counties[county_code], seed + 1)
        for index, (town_code, town_name) in enumerate(TOWNSHIPS[county_code].items()):
            mine = cells[index * VILLAGES_PER_TOWNSHIP:(index + 1) * VILLAGES_PER_TOWNSHIP]
            rows[3].append(unit(town_code, town_name, "township", county_code,
                                shapely.coverage_union_all(mine)))
            codes = [f"{town_code[:9]}{n + 1:03d}" for n in range(len(mine))]
            villages_of[town_code] = codes
            rows[4].extend(unit(code, f"{town_name[:-1]}{n + 1}村", "village", town_code,
                                cell) for n, (code, cell) in enumerate(
                                    zip(codes, mine, strict=True)))
    if top == "county":
        rows = rows[2:]
        for row in rows[0]:
            row["parent_code"] = None
    for level_rows in rows:
        connection.execute(insert(schema.admin_units), level_rows)
    if not departments:
        return
    for number, county_code in enumerate(COUNTIES, start=1):
        department = f"D{number:02d}"
        connection.execute(insert(schema.departments).values(
            code=department, name=f"{COUNTIES[county_code]}组织部", kind="党政机关",
            party_members=10, active=True, county_code=county_code))
        pairings, visits = [], []
        for town_code in TOWNSHIPS[county_code]:
            codes = villages_of[town_code]
            for code in codes[:4]:
                pairings.append({"department_code": department, "village_code": code,
                                 "kind": "结对共建", "start_date": date(2025, 1, 1),
                                 "required_visits_per_month": 1})
            for code, days in ((codes[0], 10), (codes[1], 10), (codes[2], 200)):
                visits.append({"date": AS_OF - timedelta(days=days),
                               "department_code": department, "village_code": code,
                               "kind": "政策宣讲", "cadre_count": 2, "households_visited": 3,
                               "summary": "入户走访", "source": "form"})
        connection.execute(insert(schema.pairings), pairings)
        connection.execute(insert(schema.visits), visits)
