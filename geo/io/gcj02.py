"""GCJ-02 (国测局坐标, "Mars coordinates") to and from WGS84, vectorised with numpy.

Chinese web maps (Amap/高德, Tencent, Google's China tiles) publish coordinates in GCJ-02:
WGS84 longitude/latitude moved by a deliberate, smoothly varying offset of a few hundred
metres. pyproj has no GCJ-02, so this module implements the forward offset as published
in the leaked reference code that every open implementation copies (the constants of the
Krasovsky 1940 ellipsoid, ``a = 6378245`` m, ``e² = 0.00669342162296594323``). This file
follows the formulas of

- ``googollee/eviltransform`` (BSD 2-clause; ``python/eviltransform/__init__.py``) and
- the PyPI package ``coordTransform`` 0.2.1 (MIT; ``coordTransform/coordTransform.py``),

written again for numpy arrays. ``wgs84_to_gcj02`` is the published forward offset.
There is no closed-form inverse; the usual one-step inverse (``2·g − F(g)``, as in both
references) is off by up to a few metres, so ``gcj02_to_wgs84`` refines it by fixed-point
iteration until the forward offset reproduces the input to 1e-10° (about 0.01 mm); in
practice three or four rounds.

Points outside China's rough bounding box are not offset, as in the references.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid (metres)
_EE = 0.00669342162296594323  # its first eccentricity squared
_LON_MIN, _LON_MAX = 73.66, 135.05
_LAT_MIN, _LAT_MAX = 3.86, 53.55
_INVERSE_TOLERANCE = 1e-10  # degrees
_INVERSE_ROUNDS = 30


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Return True where a point lies outside the box in which GCJ-02 applies an offset.

    Parameters
    ----------
    lon, lat : array_like
        Longitudes and latitudes in degrees.

    Returns
    -------
    numpy.ndarray of bool
        True outside 73.66°E-135.05°E, 3.86°N-53.55°N (the references' box).
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    return ~((x > _LON_MIN) & (x < _LON_MAX) & (y > _LAT_MIN) & (y < _LAT_MAX))


def _offset(lon: NDArray[np.float64], lat: NDArray[np.float64]
            ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the GCJ-02 offset (degrees of longitude, latitude) at WGS84 points."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x)) + common
            + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y
            + 0.1 * np.sqrt(np.abs(x)) + common
            + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    inside = ~out_of_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _arrays(lon: ArrayLike, lat: ArrayLike
            ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"lon and lat differ in shape: {x.shape} and {y.shape}")
    return x, y


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Move WGS84 coordinates to GCJ-02 (the published forward offset).

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitudes and latitudes in degrees (scalars or arrays of one shape).

    Returns
    -------
    lon, lat : numpy.ndarray
        GCJ-02 coordinates; points outside China are returned unchanged.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(121.5272106, 31.1774276)  # eviltransform's Shanghai
    >>> round(float(lon), 6), round(float(lat), 6)
    (121.531542, 31.175304)
    """
    x, y = _arrays(lon, lat)
    dlon, dlat = _offset(x, y)
    return x + dlon, y + dlat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Move GCJ-02 coordinates back to WGS84 (the forward offset inverted by iteration).

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitudes and latitudes in degrees (scalars or arrays of one shape).

    Returns
    -------
    lon, lat : numpy.ndarray
        WGS84 coordinates whose forward offset reproduces the input to about 1e-10°;
        points outside China are returned unchanged. NaN stays NaN.
    """
    gx, gy = _arrays(lon, lat)
    dlon, dlat = _offset(gx, gy)
    x, y = gx - dlon, gy - dlat  # the references' one-step inverse
    for _ in range(_INVERSE_ROUNDS):
        fx, fy = wgs84_to_gcj02(x, y)
        ex, ey = gx - fx, gy - fy
        x, y = x + ex, y + ey
        error = np.nanmax(np.abs(np.concatenate([np.ravel(ex), np.ravel(ey)])), initial=0.0)
        if error < _INVERSE_TOLERANCE:
            break
    return x, y


def gcj02_to_wgs84_xy(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    """Convert an ``(n, 2)`` array of GCJ-02 ``lon, lat`` rows to WGS84.

    Suited to ``shapely.transform(geometry, gcj02_to_wgs84_xy)``.
    """
    x, y = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def wgs84_to_gcj02_xy(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    """Convert an ``(n, 2)`` array of WGS84 ``lon, lat`` rows to GCJ-02.

    Suited to ``shapely.transform(geometry, wgs84_to_gcj02_xy)``.
    """
    x, y = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])
