"""Small geometry helpers shared by the schematic tiling and the boundary import."""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry


def polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Return the polygonal part of ``geometry``.

    Parameters
    ----------
    geometry : shapely geometry
        For instance the result of ``shapely.make_valid``, which may mix polygons with
        lines and points.

    Returns
    -------
    shapely geometry
        ``geometry`` itself when it is a Polygon or MultiPolygon; else its one polygon,
        a MultiPolygon of its polygons, or an empty Polygon when it has none.
    """
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [poly for part in parts for poly in shapely.get_parts(part) if not poly.is_empty]
    if not polygons:
        return shapely.Polygon()
    if len(polygons) == 1:
        return polygons[0]
    return shapely.MultiPolygon(polygons)
