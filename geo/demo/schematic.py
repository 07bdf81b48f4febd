"""Schematic township and village polygons that tile a real county outline.

Real boundaries below county level are not published, so PairMap draws
*schematic* ones: they only place each unit somewhere plausible inside the
county. The recipe, done in the county's Gauss-Krüger CRS:

1. scatter one seed point per village (a township without villages gets one
   seed of its own) and relax them with Lloyd iterations, so the Voronoi
   cells clipped to the outline become compact and of similar area;
2. hand small detached fragments of a cell (cut off by a ragged outline) to
   the neighbour sharing the longest border;
3. group the cells into townships with exactly as many cells as each township
   has villages (capacity-constrained k-means), so township areas follow their
   village counts and their borders follow village borders;
4. trade cells between neighbouring townships until each township is one
   piece (apart from detached parts of the outline itself).

Every overlay snaps to a 1 mm grid, so neighbouring units share identical
edges: townships and villages tile the outline without gaps or overlaps,
detached parts of the outline go to some unit and holes stay holes.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import county_crs
from geo.geometry import polygonal

GRID_SIZE = 0.001
"""Precision grid (metres) of every overlay; shared edges match exactly."""

LLOYD_ROUNDS = 12
GROUPING_ROUNDS = 30
_UNIT_COLUMNS = ("code", "level", "parent_code")


def generate_schematic_boundaries(
    outline: BaseGeometry,
    units: pd.DataFrame,
    seed: int = 42,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Draw schematic township and village polygons that tile a county.

    Parameters
    ----------
    outline : shapely geometry
        The county (multi)polygon in WGS84 lon/lat; holes and detached parts
        are kept.
    units : pandas.DataFrame
        Columns ``code``, ``level`` (``"township"`` or ``"village"``) and
        ``parent_code`` (a village's township code).
    seed : int, default 42
        Seed of the random generator; the same seed gives identical output.

    Returns
    -------
    townships, villages : geopandas.GeoDataFrame
        EPSG:4326 frames in the order of ``units``, indexed ``0..n-1``.
        Townships have columns ``code`` and ``geometry``; villages have
        ``code``, ``township_code`` and ``geometry``. Geometries are valid,
        non-empty Polygons or MultiPolygons.

    Raises
    ------
    ValueError
        If ``units`` is malformed or ``outline`` has no area.
    """
    town_codes, village_codes, village_towns = _parse_units(units)
    crs = county_crs(outline)
    area = _project_outline(outline, crs)
    rng = np.random.default_rng(seed)

    per_town = np.bincount(village_towns, minlength=len(town_codes))
    slots = np.maximum(per_town, 1)
    cells = _relaxed_cells(area, int(slots.sum()), rng)
    cells = _absorb_fragments(cells)
    centres = shapely.get_coordinates(shapely.point_on_surface(cells))
    group = _group_cells(centres, slots, rng)
    group = _make_contiguous(cells, group)

    town_geoms: list[BaseGeometry] = []
    village_geoms = np.empty(len(village_codes), dtype=object)
    for town in range(len(town_codes)):
        members = np.flatnonzero(group == town)
        town_geom = shapely.union_all(cells[members], grid_size=GRID_SIZE)
        town_geoms.append(town_geom)
        town_cells = cells[members]
        # Number villages clockwise around the township so neighbours in the
        # code list tend to be neighbours on the map.
        cx, cy = shapely.get_coordinates(shapely.point_on_surface(town_geom))[0]
        dx, dy = (shapely.get_coordinates(shapely.point_on_surface(town_cells)) - (cx, cy)).T
        town_cells = town_cells[np.argsort(-np.arctan2(dy, dx), kind="stable")]
        for index, cell in zip(np.flatnonzero(village_towns == town), town_cells, strict=False):
            village_geoms[index] = cell

    townships = _to_frame({"code": town_codes}, town_geoms, crs)
    villages = _to_frame(
        {"code": village_codes, "township_code": town_codes[village_towns]},
        list(village_geoms),
        crs,
    )
    return townships, villages


def _parse_units(units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ``units`` into township codes, village codes and village parents.

    Returns the township codes, the village codes (both in ``units`` order)
    and, per village, the position of its township in the first array.
    """
    missing = [column for column in _UNIT_COLUMNS if column not in units.columns]
    if missing:
        raise ValueError(f"units lacks column(s): {', '.join(missing)}")
    level = units["level"].astype(str).to_numpy()
    code = units["code"].astype(str).to_numpy()
    parent = units["parent_code"].astype(str).to_numpy()
    unknown = sorted(set(level) - {"township", "village"})
    if unknown:
        raise ValueError(f"unknown unit level(s): {', '.join(unknown)}")
    town_codes = code[level == "township"]
    if len(town_codes) == 0:
        raise ValueError("units holds no township")
    if len(set(code)) != len(code):
        raise ValueError("unit codes are not unique")
    position = {town: i for i, town in enumerate(town_codes)}
    orphans = sorted(set(parent[level == "village"]) - set(position))
    if orphans:
        raise ValueError(f"villages refer to unknown township(s): {', '.join(orphans)}")
    village_towns = np.array([position[p] for p in parent[level == "village"]], dtype=int)
    return town_codes, code[level == "village"], village_towns


def _project_outline(outline: BaseGeometry, crs: pyproj.CRS) -> BaseGeometry:
    """Return the outline in ``crs``, valid, polygonal and on the grid."""
    projected = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs(crs).iloc[0]
    area = polygonal(shapely.set_precision(shapely.make_valid(projected), GRID_SIZE))
    if area.is_empty or area.area <= 0:
        raise ValueError("the county outline has no area")
    shapely.prepare(area)
    return area


def _relaxed_cells(area: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``n`` Lloyd-relaxed Voronoi cells clipped to ``area``."""
    if n == 1:
        return np.array([area], dtype=object)
    points = _sample_points(area, n, rng)
    for _ in range(LLOYD_ROUNDS):
        cells = _voronoi_cells(area, points, grid_size=None)
        centroids = shapely.get_coordinates(shapely.centroid(cells))
        outside = ~shapely.contains_xy(area, centroids[:, 0], centroids[:, 1])
        if outside.any():
            surface = shapely.point_on_surface(cells[outside])
            centroids[outside] = shapely.get_coordinates(surface)
        points = centroids
    return _voronoi_cells(area, points, grid_size=GRID_SIZE)


def _sample_points(area: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``n`` uniformly random points inside ``area`` as an (n, 2) array."""
    xmin, ymin, xmax, ymax = area.bounds
    found = np.empty((0, 2))
    for _ in range(1000):
        candidates = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * n, 2))
        inside = shapely.contains_xy(area, candidates[:, 0], candidates[:, 1])
        found = np.vstack([found, candidates[inside]])
        if len(found) >= n:
            return found[:n]
    raise ValueError("the county outline is too thin to place seed points")


def _voronoi_cells(
    area: BaseGeometry, points: np.ndarray, grid_size: float | None
) -> np.ndarray:
    """Return the Voronoi cells of ``points`` clipped to ``area``, in order."""
    xmin, ymin, xmax, ymax = area.bounds
    margin = max(xmax - xmin, ymax - ymin)
    extent = shapely.box(xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent, ordered=True)
    regions = shapely.get_parts(diagram)
    if len(regions) != len(points):
        raise ValueError("seed points collapsed; try another seed")
    if grid_size is None:
        # Relaxation rounds: a region inside the outline is its own cell, and a region
        # on the outline is clipped by the outline's part within its bounding box.
        cells = regions.copy()
        edge = np.flatnonzero(~shapely.contains_properly(area, regions))
        if edge.size:
            local = [shapely.clip_by_rect(area, *box) for box in shapely.bounds(regions[edge])]
            cells[edge] = shapely.intersection(regions[edge], local)
    else:
        cells = shapely.intersection(regions, area, grid_size=grid_size)
    return np.array([polygonal(cell) for cell in cells], dtype=object)


def _absorb_fragments(cells: np.ndarray) -> np.ndarray:
    """Give every part but the largest of a cell to its longest-bordering neighbour.

    Parts that touch no other cell along a line (detached pieces of the
    outline) stay with their cell.
    """
    cells = cells.copy()
    tree = shapely.STRtree(cells)
    for i in range(len(cells)):
        parts = shapely.get_parts(cells[i])
        if len(parts) < 2:
            continue
        parts = parts[np.argsort(-shapely.area(parts), kind="stable")]
        kept = [parts[0]]
        for part in parts[1:]:
            neighbours = [j for j in tree.query(part, predicate="intersects") if j != i]
            shared = [
                shapely.intersection(part.boundary, cells[j].boundary).length for j in neighbours
            ]
            if not neighbours or max(shared) <= 0:
                kept.append(part)
                continue
            j = neighbours[int(np.argmax(shared))]
            cells[j] = polygonal(shapely.union(cells[j], part, grid_size=GRID_SIZE))
        cells[i] = polygonal(shapely.union_all(kept, grid_size=GRID_SIZE))
    return cells


def _group_cells(xy: np.ndarray, slots: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Group points into ``len(slots)`` compact clusters of exactly ``slots`` points.

    Capacity-constrained k-means: alternate an optimal assignment with the
    given cluster sizes and moving each centre to its cluster's mean.
    """
    xy = (xy - xy.mean(axis=0)) / xy.std()
    k = len(slots)
    centres = _kmeans_plus_plus(xy, k, rng)
    group = np.full(len(xy), -1)
    for _ in range(GROUPING_ROUNDS):
        cost = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        new_group = _balanced_assignment(cost, slots)
        if np.array_equal(new_group, group):
            break
        group = new_group
        centres = np.array([xy[group == c].mean(axis=0) for c in range(k)])
    return group


def _make_contiguous(cells: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Trade cells between groups so that each group's cells form one piece.

    A stray piece of a group (cells joined by border lines, but apart from the
    group's largest piece) goes to a neighbouring group, which hands back as
    many cells that touch the first group without splitting itself. Group
    sizes never change; a stray piece that cannot be traded stays.
    """
    group = group.copy()
    border = _border_lengths(cells)
    areas = shapely.area(cells)
    kept: set[tuple[int, ...]] = set()
    for _ in range(len(cells)):
        stray = None
        for town in range(int(group.max()) + 1):
            pieces = _connected_pieces(np.flatnonzero(group == town), border)
            pieces.sort(key=lambda piece: -areas[piece].sum())
            stray = next(((town, p) for p in pieces[1:] if tuple(p) not in kept), None)
            if stray:
                break
        if stray is None:
            break
        town, piece = stray
        traded = _trade(group, town, piece, border)
        if traded is None:
            kept.add(tuple(piece))
        else:
            group = traded
    return group


def _trade(
    group: np.ndarray, town: int, piece: list[int], border: dict[int, dict[int, float]]
) -> np.ndarray | None:
    """Return ``group`` with ``piece`` given away and as many cells won back, or None."""
    towards: dict[int, float] = {}
    for i in piece:
        for j, length in border[i].items():
            if group[j] != town:
                towards[int(group[j])] = towards.get(int(group[j]), 0.0) + length
    for other in sorted(towards, key=lambda g: -towards[g]):
        trial = group.copy()
        trial[piece] = other
        for _ in piece:
            back = _cell_to_hand_back(trial, other, town, border)
            if back is None:
                break
            trial[back] = town
        else:
            return trial
    return None


def _cell_to_hand_back(
    group: np.ndarray, giver: int, taker: int, border: dict[int, dict[int, float]]
) -> int | None:
    """Return the giver's cell bordering the taker most whose loss keeps the giver whole."""
    members = np.flatnonzero(group == giver)
    touching = {
        int(j): sum(length for k, length in border[j].items() if group[k] == taker)
        for j in members
    }
    for j in sorted((j for j in touching if touching[j] > 0), key=lambda j: -touching[j]):
        if len(_connected_pieces(members[members != j], border)) == 1:
            return j
    return None


def _border_lengths(cells: np.ndarray) -> dict[int, dict[int, float]]:
    """Map each cell to its neighbours and the length of border they share."""
    left, right = shapely.STRtree(cells).query(cells, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(cells[left]), shapely.boundary(cells[right]))
    )
    border: dict[int, dict[int, float]] = {i: {} for i in range(len(cells))}
    for i, j, length in zip(left, right, shared, strict=True):
        if length > 0:
            border[int(i)][int(j)] = border[int(j)][int(i)] = float(length)
    return border


def _connected_pieces(members: np.ndarray, border: dict[int, dict[int, float]]) -> list[list[int]]:
    """Split ``members`` into pieces connected through ``border``."""
    remaining = {int(m) for m in members}
    pieces = []
    while remaining:
        stack = [min(remaining)]
        remaining.discard(stack[0])
        piece = []
        while stack:
            i = stack.pop()
            piece.append(i)
            for j in border[i]:
                if j in remaining:
                    remaining.discard(j)
                    stack.append(j)
        pieces.append(sorted(piece))
    return pieces


def _kmeans_plus_plus(xy: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Pick ``k`` spread-out starting centres among ``xy`` (k-means++)."""
    chosen = [int(rng.integers(len(xy)))]
    for _ in range(1, k):
        d2 = ((xy[:, None, :] - xy[chosen][None, :, :]) ** 2).sum(axis=2).min(axis=1)
        total = d2.sum()
        pick = rng.choice(len(xy), p=d2 / total) if total > 0 else int(rng.integers(len(xy)))
        chosen.append(int(pick))
    return xy[chosen].astype(float)


def _balanced_assignment(cost: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Assign each row to a column, filling every column exactly, at least total cost.

    Successive shortest paths: points are added one at a time, each along the
    cheapest chain of moves between columns (Bellman-Ford over the columns).
    ``capacity`` must sum to the number of rows. The cheapest move out of each
    column is kept between points and computed again only for the columns whose
    members changed (ties go to the lowest row, as when all are computed anew).
    """
    n, k = cost.shape
    assign = np.full(n, -1)
    load = np.zeros(k, dtype=int)
    columns = np.arange(k)
    # move[a, b]: cheapest extra cost of moving one point from a to b.
    move = np.full((k, k), np.inf)
    mover = np.full((k, k), -1)
    members: list[list[int]] = [[] for _ in range(k)]
    changed = set()
    for q in range(n):
        for a in changed:
            rows = np.array(sorted(members[a]), dtype=int)
            if rows.size:
                delta = cost[rows] - cost[rows, a][:, None]
                best = delta.argmin(axis=0)
                move[a] = delta[best, columns]
                mover[a] = rows[best]
                move[a, a] = np.inf
            else:
                move[a] = np.inf
                mover[a] = -1
        changed = set()
        dist = cost[q].copy()
        pred = np.full(k, -1)
        for _ in range(k):
            via = dist[:, None] + move
            best = via.argmin(axis=0)
            shorter = via[best, columns] < dist - 1e-12
            if not shorter.any():
                break
            dist[shorter] = via[best, columns][shorter]
            pred[shorter] = best[shorter]
        open_columns = np.flatnonzero(load < capacity)
        target = int(open_columns[dist[open_columns].argmin()])
        load[target] += 1
        column = target
        for _ in range(k):
            if pred[column] < 0:
                break
            source = int(pred[column])
            point = int(mover[source, column])
            assign[point] = column
            members[source].remove(point)
            members[column].append(point)
            changed.update((source, column))
            column = source
        assign[q] = column
        members[column].append(q)
        changed.add(column)
    return assign


def _to_frame(
    columns: dict[str, np.ndarray], geometries: list[BaseGeometry], crs: pyproj.CRS
) -> gpd.GeoDataFrame:
    """Build an EPSG:4326 frame from projected geometries, keeping them valid."""
    frame = gpd.GeoDataFrame(
        {name: list(values) for name, values in columns.items()},
        geometry=list(geometries),
        crs=crs,
    ).to_crs("EPSG:4326")
    geoms = frame.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = [polygonal(shapely.make_valid(g)) for g in geoms[invalid]]
        frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    return frame.reset_index(drop=True)
