"""Reading boundary files: GeoJSON, zipped Shapefile or GeoPackage, brought to WGS84.

Files are read within the bounds of ``geo.io.limits`` (``PAIRMAP_UPLOAD_*``): the file's
size before anything; a zip's member count and declared sizes before it is unpacked, and
the bytes it actually unpacks while they are streamed to disk; the layer's feature and
field counts (``pyogrio.read_info``) before its features are read.

A zipped Shapefile is unpacked (no path leaves the folder); its ``.dbf`` is read in the
encoding its ``.cpg`` names, else UTF-8 when it decodes, else GBK. Coordinates come to
WGS84 from the CRS the file declares or the one given as ``src_crs`` (any pyproj CRS
such as ``EPSG:4546``, or ``gcj02`` for the offset coordinates of Chinese web maps); a
file without a CRS is accepted only when its coordinates are plainly longitude/latitude
inside China.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely
from pyproj.exceptions import CRSError

from geo.errors import DataError
from geo.io.gcj02 import gcj02_to_wgs84_xy
from geo.io.limits import Limits, check_file_size, copy_bounded, current_limits, open_zip
from geo.io.report import Issue
from geo.text import normalize_text

GCJ02_NAMES = ("gcj02", "gcj-02", "gcj")
SUPPORTED_SUFFIXES = (".geojson", ".json", ".zip", ".shp", ".gpkg")
CHINA_LON = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)


@dataclass
class Source:
    frame: gpd.GeoDataFrame
    crs: str
    encoding: str | None
    warnings: list[Issue]


# --------------------------------------------------------------------------- reading


def read_boundary_file(path: str | Path, src_crs: str | None = None,
                       limits: Limits | None = None) -> gpd.GeoDataFrame:
    """Read a boundary file into WGS84.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.geojson``/``.json`` file, a ``.zip`` holding one Shapefile (in any folder)
        or one GeoPackage/GeoJSON, a ``.shp`` with its ``.shx`` and ``.dbf`` beside it,
        or a ``.gpkg`` with one layer.
    src_crs : str, optional
        The coordinates' CRS when the file declares none or a wrong one: anything pyproj
        understands (``"EPSG:4546"``) or ``"gcj02"``.
    limits : geo.io.limits.Limits, optional
        The bounds on the file's size, what a zip unpacks to, and the layer's features
        and fields (default: the settings, ``PAIRMAP_UPLOAD_*``).

    Returns
    -------
    geopandas.GeoDataFrame
        The features in file order (index ``0..n-1``) in EPSG:4326, geometry as read
        (not yet repaired). ``attrs["source_crs"]`` describes where the coordinates came
        from and ``attrs["encoding"]`` the Shapefile encoding chosen, if any.

    Raises
    ------
    DataError
        When the file is missing, empty, of an unknown format, unreadable, beyond a bound
        of ``limits``, holds no feature, or its coordinates cannot be placed (no CRS and
        not lon/lat in China).
    """
    source = read_source(Path(path), src_crs, limits)
    frame = source.frame
    frame.attrs["source_crs"] = source.crs
    frame.attrs["encoding"] = source.encoding
    return frame


def read_source(path: Path, src_crs: str | None, limits: Limits | None = None) -> Source:
    """Read ``path`` within ``limits`` (see ``read_boundary_file``)."""
    name = path.name
    if not path.exists():
        raise DataError("file_missing", file=name)
    if not path.is_file():
        raise DataError("not_a_file", file=name)
    size = path.stat().st_size
    if size == 0:
        raise DataError("file_empty", file=name)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError("unknown_boundary_format", file=name, suffix=suffix or "—")
    limits = current_limits(limits)
    check_file_size(size, name, limits)
    with tempfile.TemporaryDirectory(prefix="pairmap-boundaries-") as folder:
        target = _unzip(path, Path(folder), limits) if suffix == ".zip" else path
        frame, encoding = _read_frame(target, name, limits)
    warnings: list[Issue] = []
    frame, label = _to_wgs84(frame, src_crs, name, warnings)
    return Source(frame, label, encoding, warnings)


def _unzip(path: Path, folder: Path, limits: Limits) -> Path:
    """Extract the one data set of a zip file (a Shapefile with its parts) into ``folder``.

    The member count and declared sizes are checked before anything is unpacked
    (``open_zip``); each member is streamed to disk, and the bytes actually unpacked are
    counted against ``limits.max_bytes`` (``copy_bounded``).
    """
    name = path.name
    with path.open("rb") as handle, open_zip(handle, name, limits) as archive:
        members = [
            m for m in archive.infolist()
            if not m.is_dir() and not m.filename.startswith("__MACOSX/")
            and not PurePosixPath(m.filename).name.startswith("._")
        ]
        shapefiles = [m for m in members if m.filename.lower().endswith(".shp")]
        others = [m for m in members
                  if PurePosixPath(m.filename).suffix.lower() in (".gpkg", ".geojson", ".json")]
        if len(shapefiles) > 1:
            listed = ", ".join(m.filename for m in shapefiles)
            raise DataError("several_shapefiles", file=name, count=len(shapefiles),
                            names=listed)
        if shapefiles:
            stem = shapefiles[0].filename[:-4].lower()
            chosen = [m for m in members
                      if m.filename.lower().rsplit(".", 1)[0] == stem]
        elif len(others) == 1:
            chosen = others
        else:
            raise DataError("no_shapefile", file=name)
        target: Path | None = None
        unpacked = 0
        for member in chosen:
            out = folder / PurePosixPath(member.filename).name
            try:
                with archive.open(member) as source, out.open("wb") as sink:
                    unpacked += copy_bounded(source, sink, limits.max_bytes - unpacked,
                                             name, limits.max_bytes)
            except DataError:
                raise
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError,
                    NotImplementedError) as exc:
                raise DataError("cannot_unpack", file=name, member=member.filename,
                                detail=str(exc)) from exc
            if member in shapefiles or member in others:
                target = out
    assert target is not None
    return target


def _sidecar(shp: Path, suffix: str) -> Path | None:
    for candidate in (shp.with_suffix(suffix.lower()), shp.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def dbf_is_utf8(dbf: bytes) -> bool:
    """Whether the text of a dBase file (field names and text fields) is valid UTF-8.

    Parameters
    ----------
    dbf : bytes
        The whole ``.dbf`` file.

    Returns
    -------
    bool
        True when every field name and every character field decodes as UTF-8 (pure
        ASCII does); numbers, dates and binary fields are not looked at.
    """
    if len(dbf) < 32:
        return True
    count = int.from_bytes(dbf[4:8], "little")
    header_length = int.from_bytes(dbf[8:10], "little")
    record_length = int.from_bytes(dbf[10:12], "little")
    names, text_columns = [], []
    offset, start = 1, 32  # each record begins with its deletion flag
    while start + 32 <= min(header_length, len(dbf)) and dbf[start] != 0x0D:
        descriptor = dbf[start:start + 32]
        names.append(descriptor[:11].split(b"\x00", 1)[0])
        length = descriptor[16]
        if descriptor[11:12] in (b"C", b"V"):
            text_columns.extend(range(offset, offset + length))
        offset += length
        start += 32
    try:
        b"".join(names).decode("utf-8")
        if text_columns and record_length > 0 and count > 0:
            body = dbf[header_length:header_length + count * record_length]
            rows = len(body) // record_length
            table = np.frombuffer(body[:rows * record_length], dtype=np.uint8)
            columns = np.array(text_columns)
            columns = columns[columns < record_length]
            table.reshape(rows, record_length)[:, columns].tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _shapefile_encoding(shp: Path, name: str) -> str | None:
    """Return the encoding to read a Shapefile's attributes with (None: its ``.cpg``)."""
    if _sidecar(shp, ".shx") is None or _sidecar(shp, ".dbf") is None:
        raise DataError("shapefile_parts_missing", file=name)
    if _sidecar(shp, ".cpg") is not None:
        return None
    dbf = _sidecar(shp, ".dbf")
    assert dbf is not None
    return "UTF-8" if dbf_is_utf8(dbf.read_bytes()) else "GB18030"


def _check_layer(target: Path, layer: str, encoding: str | None, name: str,
                 limits: Limits) -> None:
    """Refuse a layer with more features than ``limits.max_rows`` or more attribute
    fields than ``limits.max_columns``, from the counts GDAL reads before the features
    (a GeoPackage's and a Shapefile's headers; GeoJSON is counted by a scan)."""
    info = pyogrio.read_info(target, layer=layer, encoding=encoding)
    features = int(info.get("features", -1))
    if features < 0:
        features = int(pyogrio.read_info(target, layer=layer, encoding=encoding,
                                         force_feature_count=True).get("features", -1))
    if features > limits.max_rows:
        raise DataError("too_many_features", file=name, count=f"{features:,}",
                        limit=f"{limits.max_rows:,}")
    fields = len(info.get("fields", ()))
    if fields > limits.max_columns:
        raise DataError("too_many_fields", file=name, count=f"{fields:,}",
                        limit=f"{limits.max_columns:,}")


def _read_frame(target: Path, name: str,
                limits: Limits) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read the one layer of ``target`` with pyogrio within ``limits``; ``name`` is shown
    in messages."""
    encoding = _shapefile_encoding(target, name) if target.suffix.lower() == ".shp" else None
    try:
        layers = pyogrio.list_layers(target)
        spatial = [str(layer) for layer, kind in layers if kind is not None]
        if len(layers) == 0 or not spatial:
            raise DataError("no_geometry_layer", file=name)
        if len(spatial) > 1:
            raise DataError("several_layers", file=name, count=len(spatial),
                            names=", ".join(spatial))
        _check_layer(target, spatial[0], encoding, name, limits)
        # No ``max_features``: pyogrio allocates that many rows per field up front (200
        # fields × a million rows is 1.6 GB for a three-feature file); it allocates the
        # count GDAL gives, checked above, and fails if more features come than counted.
        frame = pyogrio.read_dataframe(target, layer=spatial[0], encoding=encoding)
    except DataError:
        raise
    except Exception as exc:
        reason = str(exc).replace(str(target), name).split(";", 1)[0]
        raise DataError("unreadable_boundary_file", file=name, detail=reason) from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise DataError("no_geometry_column", file=name)
    if frame.empty:
        raise DataError("no_features", file=name)
    if frame.geometry.isna().all() or frame.geometry.is_empty.all():
        raise DataError("no_feature_geometry", file=name)
    frame = frame.reset_index(drop=True)
    if encoding == "GB18030":
        encoding = "GBK"
    return frame, encoding


def crs_label(crs: pyproj.CRS) -> str:
    """Return ``EPSG:N`` for a CRS pyproj can identify, else its name."""
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg is not None else crs.name


def _bounds(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return ``minx, miny, maxx, maxy`` of the finite coordinates (NaN when none)."""
    geometry = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    coords = shapely.get_coordinates(np.asarray(geometry))
    coords = coords[np.isfinite(coords).all(axis=1)]
    if len(coords) == 0:
        return np.array([np.nan] * 4)
    return np.array([coords[:, 0].min(), coords[:, 1].min(),
                     coords[:, 0].max(), coords[:, 1].max()])


def lonlat_in_china(bounds: np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds
    return bool(CHINA_LON[0] <= minx and maxx <= CHINA_LON[1]
                and CHINA_LAT[0] <= miny and maxy <= CHINA_LAT[1])


def _plausible_lonlat(bounds: np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds
    return bool(np.isfinite(bounds).all() and -180 <= minx <= maxx <= 180
                and -90 <= miny <= maxy <= 90)


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.6g}"


def _extent(bounds: np.ndarray) -> str:
    """The coordinates' ranges in no language's words ("x 500000–501000, y 3400000–3401000":
    a Chinese message names them too); "NaN" for coordinates that are not numbers."""
    if not np.isfinite(bounds).all():
        return "NaN"
    minx, miny, maxx, maxy = (_number(float(v)) for v in bounds)
    return f"x {minx}–{maxx}, y {miny}–{maxy}"


def _to_wgs84(frame: gpd.GeoDataFrame, src_crs: str | None, name: str,
              warnings: list[Issue]) -> tuple[gpd.GeoDataFrame, str]:
    """Return ``frame`` in EPSG:4326 and a description of the source CRS."""
    declared = frame.crs
    bounds = _bounds(frame)
    frame = frame.set_geometry(shapely.force_2d(np.asarray(frame.geometry)), crs=declared)
    if src_crs is not None and normalize_text(src_crs).lower() in GCJ02_NAMES:
        if declared is not None and not declared.is_geographic:
            raise DataError("gcj02_needs_lonlat", file=name, declared=crs_label(declared))
        if not lonlat_in_china(bounds):
            raise DataError("gcj02_outside_china", file=name, extent=_extent(bounds))
        geometry = shapely.transform(np.asarray(frame.geometry), _gcj02_rows)
        frame = frame.set_geometry(geometry, crs=None).set_crs(4326)
        label = "GCJ-02 (--src-crs)"
    elif src_crs is not None:
        text = normalize_text(src_crs)
        try:
            given = pyproj.CRS.from_user_input(f"EPSG:{text}" if text.isdigit() else text)
        except CRSError as exc:
            raise DataError("bad_src_crs", file=name, value=src_crs) from exc
        if declared is not None and not declared.equals(given, ignore_axis_order=True):
            warnings.append(Issue(None, None, None, "crs_overridden", {
                "declared": crs_label(declared), "given": crs_label(given)}))
        frame = _reproject(frame.set_crs(given, allow_override=True), name)
        label = f"{crs_label(given)} (--src-crs)"
    elif declared is None:
        if not lonlat_in_china(bounds):
            raise DataError("no_crs_not_lonlat", file=name, extent=_extent(bounds))
        frame = frame.set_crs(4326)
        label = "EPSG:4326 (assumed: no CRS declared, longitude/latitude inside China)"
        warnings.append(Issue(None, None, None, "assumed_wgs84"))
    else:
        if declared.is_geographic and not _plausible_lonlat(bounds):
            raise DataError("declared_lonlat_implausible", file=name,
                            declared=crs_label(declared), extent=_extent(bounds))
        frame = _reproject(frame, name)
        label = f"{crs_label(declared)} (declared)"
    final = _bounds(frame)
    if not np.isfinite(final).all():
        raise DataError("no_coordinates_converted", file=name, crs=label)
    if not _overlaps_china(final):
        raise DataError("outside_china_as_read", file=name, crs=label,
                        extent=_extent(final))
    return frame, label


def _gcj02_rows(coords: np.ndarray) -> np.ndarray:
    return gcj02_to_wgs84_xy(coords)


def _overlaps_china(bounds: np.ndarray) -> bool:
    minx, miny, maxx, maxy = bounds
    return bool(minx <= CHINA_LON[1] and maxx >= CHINA_LON[0]
                and miny <= CHINA_LAT[1] and maxy >= CHINA_LAT[0])


def _reproject(frame: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    try:
        return frame.to_crs(4326)
    except Exception as exc:
        raise DataError("cannot_reproject", file=name, crs=crs_label(frame.crs),
                        detail=str(exc)) from exc
