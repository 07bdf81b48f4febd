"""Bounds on what an import reads, checked before a file is parsed.

A file a person uploads (or names on the command line) may be built to exhaust the
server: a 0.5 MB workbook whose one shared string unpacks to 512 MiB, a sheet with one
cell in column XFD per row, a million-row sheet, a zipped Shapefile that unpacks to
gigabytes. Every import therefore checks, in this order and before handing the file to
openpyxl, pyarrow or GDAL:

* the file's size (``Limits.max_bytes``, ``PAIRMAP_UPLOAD_MAX_MB``);
* for a zip (an ``.xlsx`` is one): how many members it has (``MAX_ZIP_MEMBERS``), read
  from the zip's end record before its directory is loaded, and the sum of the members'
  declared uncompressed sizes (``max_bytes`` again); extraction counts the bytes it
  actually writes and stops once they pass the bound (``copy_bounded``);
* the used rows and columns (``max_rows``, ``max_columns``), from what a file declares
  (a sheet's ``<dimension>``, a GIS layer's feature and field counts) and again by
  counting while reading, stopping at the bound: a declaration alone is never trusted.

The bounds are settings (``geo.settings.Settings``: ``PAIRMAP_UPLOAD_MAX_MB``,
``PAIRMAP_UPLOAD_MAX_ROWS``, ``PAIRMAP_UPLOAD_MAX_COLUMNS``,
``PAIRMAP_UPLOAD_MAX_SHARED_STRINGS_MB``); the XLSX-specific checks live beside the
XLSX reader (``geo.io.readers``). Every refusal is a ``DataError`` naming the file and,
where there is one, the row and column.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from geo.errors import DataError

MIB = 1 << 20
"""One mebibyte: the unit of the ``*_MB`` settings."""
MAX_ZIP_MEMBERS = 10_000
"""Members a zip may hold (a workbook has tens, a zipped Shapefile a handful)."""
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The bounds of one import.

    Attributes
    ----------
    max_bytes : int
        The largest file, and the largest sum of a zip's uncompressed members.
    max_rows : int
        The most rows of a table file (its last row number, header and title rows
        included) or features of a boundary file.
    max_columns : int
        The most columns of a table file or attribute fields of a boundary file.
    max_shared_strings_bytes : int
        The largest uncompressed shared-strings part of an XLSX workbook.
    """

    max_bytes: int = 1024 * MIB
    max_rows: int = 1_048_576
    max_columns: int = 200
    max_shared_strings_bytes: int = 100 * MIB

    @classmethod
    def from_settings(cls, settings: object) -> Limits:
        """The bounds of ``settings`` (a ``geo.settings.Settings``)."""
        return cls(max_bytes=settings.upload_max_mb * MIB,
                   max_rows=settings.upload_max_rows,
                   max_columns=settings.upload_max_columns,
                   max_shared_strings_bytes=settings.upload_max_shared_strings_mb * MIB)


def current_limits(limits: Limits | None = None) -> Limits:
    """Return ``limits``, or when None the bounds of the settings in force
    (``PAIRMAP_UPLOAD_*`` from the environment or the secrets file)."""
    if limits is not None:
        return limits
    from geo.settings import Settings

    return Limits.from_settings(Settings.from_env())


def megabytes(size: int) -> str:
    """``size`` bytes in MB (MiB) for a message: ``1024``, ``0.5``, ``12.3``."""
    value = size / MIB
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 1 else f"{value:.1f}"


def check_file_size(size: int, file: str, limits: Limits) -> None:
    """Refuse a file larger than ``limits.max_bytes`` (``DataError`` ``file_too_large``)."""
    if size > limits.max_bytes:
        raise DataError("file_too_large", file=file, size=megabytes(size),
                        limit=megabytes(limits.max_bytes))


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of the 0-based column ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_rows(count: int, file: str, limits: Limits, sheet: str | None = None) -> None:
    """Refuse when ``count`` rows pass ``limits.max_rows``; names the first row over."""
    if count > limits.max_rows:
        raise DataError("too_many_rows", file=file, row=limits.max_rows + 1,
                        limit=f"{limits.max_rows:,}", sheet=sheet or "")


def check_columns(count: int, file: str, limits: Limits, row: int | None = None,
                  sheet: str | None = None) -> None:
    """Refuse when ``count`` columns pass ``limits.max_columns``; names the rightmost
    column used by its letter (and its row, when known)."""
    if count > limits.max_columns:
        raise DataError("too_many_columns", file=file, row=row,
                        column=column_letter(count - 1), count=f"{count:,}",
                        limit=f"{limits.max_columns:,}", sheet=sheet or "")


def zip_member_count(handle: BinaryIO) -> int | None:
    """The number of members a zip's end record declares (None: no end record).

    Read before ``zipfile.ZipFile`` loads the central directory, whose every entry
    costs memory.
    """
    handle.seek(0)
    try:
        record = zipfile._EndRecData(handle)  # the end record, nothing else
    except OSError:
        return None
    finally:
        handle.seek(0)
    if not record:
        return None
    return int(record[zipfile._ECD_ENTRIES_TOTAL])


def open_zip(handle: BinaryIO, file: str, limits: Limits,
             unreadable: str = "bad_zip") -> zipfile.ZipFile:
    """Open ``handle`` as a zip after checking its member count and declared size.

    Parameters
    ----------
    handle : binary file
        Seekable.
    file : str
        The file's name in messages.
    limits : Limits
    unreadable : str
        The error code of a file that is no zip (``bad_zip``, ``unreadable_xlsx``).

    Raises
    ------
    DataError
        ``too_many_zip_members``, ``zip_too_large`` (declared sizes summed), or
        ``unreadable`` for a damaged zip.
    """
    count = zip_member_count(handle)
    if count is not None and count > MAX_ZIP_MEMBERS:
        raise DataError("too_many_zip_members", file=file, count=f"{count:,}",
                        limit=f"{MAX_ZIP_MEMBERS:,}")
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DataError(unreadable, file=file, detail=type(exc).__name__
                        if unreadable == "unreadable_xlsx" else str(exc)) from None
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        archive.close()
        raise DataError("too_many_zip_members", file=file, count=f"{len(members):,}",
                        limit=f"{MAX_ZIP_MEMBERS:,}")
    declared = sum(m.file_size for m in members)
    if declared > limits.max_bytes:
        archive.close()
        raise DataError("zip_too_large", file=file, size=megabytes(declared),
                        limit=megabytes(limits.max_bytes))
    return archive


def copy_bounded(source: BinaryIO, target: BinaryIO, budget: int, file: str,
                 limit: int) -> int:
    """Copy ``source`` to ``target`` in chunks; stop once more than ``budget`` bytes came.

    Returns the bytes copied. ``limit`` is the bound named in the message (the budget
    is what is left of it for this member).

    Raises
    ------
    DataError
        ``zip_unpacks_too_much`` once the bytes actually unpacked pass the budget,
        whatever the zip declared.
    """
    copied = 0
    while chunk := source.read(_COPY_CHUNK):
        copied += len(chunk)
        if copied > budget:
            raise DataError("zip_unpacks_too_much", file=file, limit=megabytes(limit))
        target.write(chunk)
    return copied
