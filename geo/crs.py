"""Projected coordinate systems for measuring and building geometry in China."""

from __future__ import annotations

import math

import pyproj
from shapely.geometry.base import BaseGeometry

# CGCS2000 / 3-degree Gauss-Kruger CM 75E is EPSG:4534; the codes run on
# consecutively, one per zone, up to CM 135E at EPSG:4554 (no zone prefix in x).
_FIRST_EPSG = 4534
_FIRST_CM = 75
_LAST_CM = 135


def gauss_kruger_epsg(lon: float) -> int:
    """Return the CGCS2000 3-degree Gauss-Krüger EPSG code for a longitude.

    The zone's central meridian is ``3 * round(lon / 3)`` (halves round up, so
    a zone covers ``[cm - 1.5, cm + 1.5)``).

    Parameters
    ----------
    lon : float
        Longitude in degrees east.

    Returns
    -------
    int
        EPSG code between 4534 (CM 75°E) and 4554 (CM 135°E).

    Raises
    ------
    ValueError
        If the longitude is not finite or lies outside China's zones
        (central meridians 75°E to 135°E, i.e. 73.5°E to 136.5°E).
    """
    if not math.isfinite(lon):
        raise ValueError(f"longitude must be a finite number, got {lon!r}")
    cm = 3 * math.floor(lon / 3 + 0.5)
    if not _FIRST_CM <= cm <= _LAST_CM:
        raise ValueError(f"longitude {lon} lies outside China's Gauss-Krüger zones")
    return _FIRST_EPSG + (cm - _FIRST_CM) // 3


def county_crs(geometry_wgs84: BaseGeometry) -> pyproj.CRS:
    """Return the Gauss-Krüger CRS suited to a county's geometry.

    Parameters
    ----------
    geometry_wgs84 : shapely geometry
        The county (or any non-empty geometry) in lon/lat (EPSG:4326).

    Returns
    -------
    pyproj.CRS
        The zone of the geometry's representative point.

    Raises
    ------
    ValueError
        If the geometry is empty or lies outside China's zones.
    """
    if geometry_wgs84 is None or geometry_wgs84.is_empty:
        raise ValueError("cannot choose a CRS for an empty geometry")
    lon = geometry_wgs84.representative_point().x
    return pyproj.CRS.from_epsg(gauss_kruger_epsg(lon))
