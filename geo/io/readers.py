"""Reading table files for imports: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX.

A file becomes a ``RawTable``: every cell as text (``""`` when empty), the file's own
headers, and for every data row the row number a spreadsheet user sees (the header row
and any title rows above it included). Title rows above the header (a merged title such
as ``兴山县2024年结对走访台账``) are skipped: the header is the first row whose cells match
enough known headers. Fully empty rows are left out; they hold no data.

Files are read within the bounds of ``geo.io.limits`` (size, rows, columns, a workbook's
shared strings), checked before parsing and counted again while streaming: a CSV is
parsed block by block by pyarrow straight from the file, a workbook by openpyxl's
read-only reader once its zip directory and XML parts have been inspected
(``_inspect_workbook``).

Encodings: a CSV is UTF-8 when the whole file decodes as UTF-8 (a UTF-8 byte-order mark
makes it UTF-8 in any case), else GB18030 (GBK's superset) when the whole file decodes so
and no line in it is plainly UTF-8 Chinese. Otherwise the file mixes encodings: it is
read line by line in the more plausible of UTF-8 and GB18030, and each row whose line is
not in that encoding is listed in ``RawTable.undecodable`` (an error of the import, with
its row). A line that decodes as GB18030 but reads as something else (mostly characters
outside GB2312: Shift-JIS or Windows-1252 bytes decode so) is listed too: a Japanese or
Western file is never read as Chinese without saying so. charset-normalizer only names
what such a line looks like (``Shift-JIS``, ``Windows-1252`` …); it never chooses.

The module also holds the vectorised cell parsers the imports use (text normal form,
whole numbers, decimals, yes/no flags and dates in the forms a county's spreadsheets
use). File-level problems raise ``DataError``; cell-level problems are the caller's.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import tempfile
import zipfile
from array import array
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from geo.errors import DataError
from geo.io.limits import (
    MIB,
    Limits,
    check_columns,
    check_file_size,
    check_rows,
    column_letter,
    current_limits,
    megabytes,
    open_zip,
)
from geo.io.table_files import FORMULA_PREFIXES

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 30
"""How many rows from the top are searched for the header row."""
XML_PIECE_BYTES = 16 * MIB
"""The most XML a workbook part that openpyxl reads whole may hold (styles, workbook,
relationships …), and the most a worksheet may hold between two row starts: a parser
keeps such a piece in memory."""
LINE_BYTES = 64 * MIB
"""The longest line of a CSV file."""
_HEAD_BYTES = 256 * 1024
_DECODE_CHUNK = 8 * 1024 * 1024
_BLOCK_ROWS = 65_536
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"

# White space as Python's ``\s`` knows it, spelt out so that pandas' pyarrow-backed string
# methods (RE2, whose ``\s`` is ASCII only) fold exactly what ``geo.text.normalize_text`` folds.
_WHITESPACE_CLASS = (
    "[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (18264, 109573)  # 1950-01-01 .. 2199-12-31
_YEARS = (1900, 2199)
_DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.0*)?$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "是", "√", "✓", "✔", "有", "在用", "在职",
                        "有效", "启用", "正常"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "否", "×", "✗", "✘", "无", "停用", "离职",
                         "无效", "禁用"})

@dataclass
class RawTable:
    """A table file read as text.

    Attributes
    ----------
    file : str
        The file's name as given (a path or an uploaded file's name).
    frame : pandas.DataFrame
        One column per header of the file, in file order, labelled with the header's own
        text (a repeated header gets `` (2)``, an empty one its column letter); every
        cell is a string, ``""`` when empty.
    row_numbers : numpy.ndarray
        For each row of ``frame``, the row number a spreadsheet user sees (1-based).
    header_row : int
        The spreadsheet row of the header.
    sheet : str or None
        The XLSX sheet read, None for CSV.
    encoding : str or None
        The text encoding of a CSV file, None for XLSX.
    undecodable : dict of int to str
        CSV rows (positions in ``frame``) whose line is not in ``encoding``, each with
        the encoding it looks like (``GBK``, ``UTF-8``, charset-normalizer's name, or
        ``""`` when nothing fits); such a row's cells hold its text as well as it could
        be decoded, and the import reports it as an error.
    """

    file: str
    frame: pd.DataFrame
    row_numbers: np.ndarray
    header_row: int
    sheet: str | None = None
    encoding: str | None = None
    undecodable: dict[int, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """The file's column labels, in file order."""
        return [str(c) for c in self.frame.columns]

    def __len__(self) -> int:
        """The number of data rows."""
        return len(self.frame)

    def undecodable_cells(self) -> list[tuple[int, str | None, str, str]]:
        """For each undecodable row: its position, the first column holding non-ASCII
        text (None when no cell does), that cell, and the encoding the line looks like."""
        if not self.undecodable:
            return []
        positions = np.array(sorted(self.undecodable), dtype=np.int64)
        rows = self.frame.iloc[positions]
        found: list[tuple[int, str | None, str, str]] = []
        wide = [rows[c].astype(str).str.contains(r"[^\x00-\x7f]", regex=True).to_numpy()
                for c in rows.columns]
        for index, position in enumerate(positions):
            column = next((c for c, mask in zip(rows.columns, wide, strict=True)
                           if mask[index]), None)
            value = "" if column is None else str(rows[column].iloc[index])
            found.append((int(position), None if column is None else str(column), value,
                          self.undecodable[int(position)]))
        return found


HeaderTest = Callable[[str], bool] | Collection[str] | None


def read_table_file(path: Path | str, sheet: str | None = None,
                    known_headers: HeaderTest = None,
                    limits: Limits | None = None) -> RawTable:
    """Read a CSV or XLSX file into a ``RawTable``, streaming, within ``limits``.

    Parameters
    ----------
    path : pathlib.Path or str
        A ``.csv`` or ``.xlsx`` file (the ending picks the format).
    sheet : str, optional
        The XLSX sheet (by name, or its 1-based position); default the first sheet.
    known_headers : callable or collection of str, optional
        Tells whether a cell's text is a header the caller knows; the header row is the
        first row with enough of them. Without it the first non-empty row is the header.
    limits : geo.io.limits.Limits, optional
        The bounds on size, rows and columns (default: the settings, ``PAIRMAP_UPLOAD_*``).

    Raises
    ------
    DataError
        The file is missing, empty, unreadable, of an unknown format, beyond a bound of
        ``limits``, or ``sheet`` is not in the workbook.
    """
    limits = current_limits(limits)
    return _read(_file_source(path, limits), sheet, known_headers, limits)


def _file_source(path: Path | str, limits: Limits) -> _Source:
    """The file at ``path`` as a source to read, once it is known to exist, to be a file
    with a known ending, and to be within ``limits``' size (else ``DataError``)."""
    path = Path(path)
    _check_suffix(path.name)
    try:
        status = path.stat()
    except FileNotFoundError:
        raise DataError("file_missing", file=str(path)) from None
    except OSError as exc:
        raise DataError("unreadable_file", file=str(path),
                        detail=str(exc.strerror or exc)) from None
    if path.is_dir():
        raise DataError("not_a_file", file=str(path))
    check_file_size(status.st_size, str(path), limits)
    return _Source(str(path), status.st_size, path=path)


def read_table_bytes(data: bytes, filename: str, sheet: str | None = None,
                     known_headers: HeaderTest = None,
                     limits: Limits | None = None) -> RawTable:
    """Read an uploaded file's bytes; ``filename``'s ending picks the format.

    See ``read_table_file`` for the parameters and errors.
    """
    _check_suffix(filename)
    limits = current_limits(limits)
    check_file_size(len(data), filename, limits)
    return _read(_Source(filename, len(data), data=data), sheet, known_headers, limits)


class TableBlocks:
    """A table file read block by block: the same rows, headers and row numbers as
    ``read_table_file`` gives, as a ``RawTable`` per block of rows.

    A CSV file in one encoding whose rows Arrow parses is streamed: it is parsed once
    to count its rows (against the row bound) and to find the unnamed columns that hold
    data, then again for each pass over ``blocks``, so that only one block's text is
    held at a time. Other files (XLSX, a CSV mixing encodings or with rows of uneven
    length, an upload) are read whole into a ``RawTable`` first and cut into blocks.

    Attributes
    ----------
    file : str
    header_row : int
    columns : list of str
        The file's column labels (as ``RawTable.columns``).
    rows : int
        The number of data rows (empty rows left out).
    sheet, encoding : str or None
        As ``RawTable``.
    """

    def __init__(self, table: RawTable | None = None, stream: _CsvStream | None = None) -> None:
        self._table = table
        self._stream = stream
        shape = table if table is not None else stream
        assert shape is not None
        self.file = shape.file
        self.header_row = shape.header_row
        self.sheet = shape.sheet
        self.encoding = shape.encoding
        self.columns = list(shape.columns)
        self.rows = len(table) if table is not None else stream.rows

    def __len__(self) -> int:
        """The number of data rows."""
        return self.rows

    @property
    def streamed(self) -> bool:
        """Whether the file is parsed again for each pass instead of held whole."""
        return self._stream is not None

    def header(self) -> RawTable:
        """A table of no rows with the file's headers (for ``map_headers``)."""
        frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in self.columns})
        return RawTable(file=self.file, frame=frame, row_numbers=np.zeros(0, dtype=np.int64),
                        header_row=self.header_row, sheet=self.sheet, encoding=self.encoding)

    def blocks(self, size: int) -> Iterator[tuple[int, RawTable]]:
        """Each block of at most ``size`` rows with the position of its first row;
        a block's ``undecodable`` positions are its own."""
        if self._stream is not None:
            yield from self._stream.blocks(size)
            return
        table = self._table
        assert table is not None
        for start in range(0, len(table), size):
            stop = min(start + size, len(table))
            marks = {p - start: looks for p, looks in table.undecodable.items()
                     if start <= p < stop}
            yield start, RawTable(file=table.file,
                                  frame=table.frame.iloc[start:stop].reset_index(drop=True),
                                  row_numbers=table.row_numbers[start:stop],
                                  header_row=table.header_row, sheet=table.sheet,
                                  encoding=table.encoding, undecodable=marks)


def open_table_file(path: Path | str, sheet: str | None = None,
                    known_headers: HeaderTest = None,
                    limits: Limits | None = None) -> TableBlocks:
    """Open a CSV or XLSX file to be read block by block (``TableBlocks``), checking
    every bound of ``limits`` first, as ``read_table_file`` does (same errors)."""
    path = Path(path)
    limits = current_limits(limits)
    source = _file_source(path, limits)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES and sheet is None and not _blank(source):
        magic = source.head(0, 4)
        if not magic.startswith(_ZIP_MAGIC) and not magic.startswith(_OLE_MAGIC):
            stream = _open_csv_stream(source, _header_test(known_headers), limits)
            if stream is not None:
                return TableBlocks(stream=stream)
    return TableBlocks(table=_read(source, sheet, known_headers, limits))


def open_table_bytes(data: bytes, filename: str, sheet: str | None = None,
                     known_headers: HeaderTest = None,
                     limits: Limits | None = None) -> TableBlocks:
    """An uploaded file's bytes as ``TableBlocks`` (read whole: the bytes are in memory
    already)."""
    return TableBlocks(table=read_table_bytes(data, filename, sheet=sheet,
                                              known_headers=known_headers, limits=limits))


@dataclass
class _Source:
    """A file to read: a path on disk or an upload's bytes."""

    name: str
    size: int
    path: Path | None = None
    data: bytes | None = None

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        try:
            return self.path.open("rb")
        except IsADirectoryError:
            raise DataError("not_a_file", file=self.name) from None
        except OSError as exc:
            raise DataError("unreadable_file", file=self.name,
                            detail=str(exc.strerror or exc)) from None

    def head(self, start: int, size: int) -> bytes:
        """``size`` bytes from ``start``."""
        with self.open() as handle:
            handle.seek(start)
            return handle.read(size)

    def chunks(self, start: int = 0) -> Iterator[bytes]:
        """The bytes from ``start`` in chunks of about ``_DECODE_CHUNK``."""
        with self.open() as handle:
            handle.seek(start)
            while chunk := handle.read(_DECODE_CHUNK):
                yield chunk

    def line_chunks(self, start: int = 0) -> Iterator[bytes]:
        """The bytes from ``start`` in chunks that end after a line feed (but the last).

        Neither UTF-8 nor GB18030 has a line feed inside a character, so each chunk
        decodes on its own.

        Raises
        ------
        DataError
            ``line_too_long``: a line longer than ``LINE_BYTES``.
        """
        rest = b""
        lines = 0
        for chunk in self.chunks(start):
            block = rest + chunk if rest else chunk
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                rest = block
                if len(rest) > LINE_BYTES:
                    raise DataError("line_too_long", file=self.name, row=lines + 1,
                                    limit=megabytes(LINE_BYTES))
                continue
            lines += block.count(b"\n", 0, cut)
            yield block[:cut]
            rest = block[cut:]
        if rest:
            yield rest


def _read(source: _Source, sheet: str | None, known_headers: HeaderTest,
          limits: Limits) -> RawTable:
    suffix = Path(source.name).suffix.lower()
    if _blank(source):
        raise DataError("file_empty", file=source.name)
    magic = source.head(0, 4)
    is_test = _header_test(known_headers)
    if suffix in XLSX_SUFFIXES or magic.startswith(_ZIP_MAGIC):
        return _read_xlsx(source, sheet, is_test, limits)
    if sheet is not None:
        raise DataError("sheet_needs_xlsx", file=source.name)
    if magic.startswith(_OLE_MAGIC):
        raise DataError("old_or_protected_workbook", file=source.name)
    return _read_csv(source, is_test, limits)


_BLANK = b" \t\r\n\x00" + codecs.BOM_UTF8


def _blank(source: _Source) -> bool:
    """Whether the file holds nothing but white space, NULs and byte-order marks."""
    return not any(chunk.strip(_BLANK) for chunk in source.chunks())


def _check_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in CSV_SUFFIXES or suffix in XLSX_SUFFIXES:
        return suffix
    if suffix == ".xls":
        raise DataError("old_excel", file=name)
    raise DataError("unknown_table_file_type", file=name, suffix=suffix or "—")


def _header_test(known: HeaderTest) -> Callable[[str], bool] | None:
    if known is None or callable(known):
        return known
    keys = frozenset(known)
    return keys.__contains__


def _find_header(rows: list[list[str]], is_known: Callable[[str], bool] | None) -> int | None:
    """Return the index of the header among ``rows`` (None: every row is empty)."""
    first = None
    for index, row in enumerate(rows):
        cells = [c for c in row if c.strip()]
        if not cells:
            continue
        if first is None:
            first = index
        if is_known is None:
            return index
        matched = sum(1 for c in cells if is_known(c))
        if matched >= 2 or (matched >= 1 and matched == len(cells)):
            return index
    return first


def _labels(headers: list[str]) -> list[str]:
    labels, seen = [], {}
    for index, header in enumerate(headers):
        label = header.strip() or column_letter(index)
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels

def _finish(frame: pd.DataFrame, headers: list[str], header_row: int, file: str,
            sheet: str | None = None, encoding: str | None = None,
            numbers: np.ndarray | None = None,
            marks: dict[int, str] | None = None) -> RawTable:
    """Label columns, drop empty unnamed columns and empty rows, number the rows.

    ``numbers`` are the rows' spreadsheet numbers when they are not consecutive after
    the header; ``marks`` the undecodable rows (positions in ``frame``) with what they
    look like.
    """
    frame.columns = range(frame.shape[1])
    keep = []
    filled = {}
    for index in range(frame.shape[1]):
        column = frame[index]
        nonblank = column.str.strip().str.len().fillna(0).to_numpy() > 0
        filled[index] = nonblank
        if headers[index].strip() or nonblank.any():
            keep.append(index)
    labels = _labels(headers)
    frame = frame[keep]
    frame.columns = [labels[i] for i in keep]
    rows = (numbers if numbers is not None
            else header_row + 1 + np.arange(len(frame), dtype=np.int64))
    if keep:
        any_filled = np.logical_or.reduce([filled[i] for i in keep])
    else:
        any_filled = np.zeros(len(frame), dtype=bool)
    undecodable = {}
    if marks:
        position = np.cumsum(any_filled) - 1
        undecodable = {int(position[record]): looks for record, looks in marks.items()
                       if any_filled[record]}
    frame = frame[any_filled].reset_index(drop=True)
    return RawTable(file=file, frame=frame, row_numbers=rows[any_filled], header_row=header_row,
                    sheet=sheet, encoding=encoding, undecodable=undecodable)


# --- CSV --------------------------------------------------------------------------------

_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GBK"}
_CODECS = {"UTF-8": "utf-8", "GBK": "gb18030"}
# Lines of text decoded with ``surrogateescape``: a byte that does not decode is a lone
# surrogate. Possessive runs keep each search linear in the line's length.
_BAD_LINE = re.compile("(?m)^[^\n\udc80-\udcff]*+[\udc80-\udcff]")
_WIDE_LINE = re.compile("(?m)^(?=[^\n]*[^\x00-\x7f])[^\n\udc80-\udcff]*+$")
_CJK_LINE = re.compile("(?m)^(?=[^\n]*[\u3400-\u9fff\uf900-\ufaff])[^\n\udc80-\udcff]*+$")
_SURROGATES = re.compile("[\udc80-\udcff]+")
_GUESS_BYTES = 1024 * 1024


@dataclass
class _Encoding:
    """How a CSV file is decoded.

    ``codec`` decodes the body after ``bom``; ``name`` is ``RawTable.encoding``; ``bad``
    maps each line (0-based, counted from the body's start) that is not in ``codec`` to
    the encoding it looks like, ``""`` until known.
    """

    codec: str
    name: str
    bom: bytes = b""
    bad: dict[int, str] = field(default_factory=dict)


@dataclass
class _Survey:
    """Lines of a file decoded in one codec: those that do not decode (``bad``, kept
    when asked), how many do not, how many non-ASCII lines do (``good``), and which of
    those hold CJK ideographs (``cjk``)."""

    bad: array
    bad_count: int
    good: int
    cjk: array


def detect_encoding(data: bytes) -> str:
    """Return the text encoding a CSV file's bytes are read in.

    ``utf-8-sig`` for a UTF-8 byte-order mark, ``utf-16-le``/``utf-16-be`` for theirs,
    ``utf-8`` when the bytes decode as UTF-8, else ``gb18030`` (GBK's superset) when they
    decode so and hold no line of UTF-8 Chinese; a file that mixes encodings gets the more
    plausible of UTF-8 and GB18030 (its odd lines are errors of the import). Never an
    encoding of another language: charset-normalizer only names what odd lines look like.

    Raises
    ------
    DataError
        A UTF-16 file that does not decode.
    """
    return _choose_encoding(_Source("data", len(data), data=data)).name


def _decodes(source: _Source, codec: str, start: int) -> bool:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        for chunk in source.chunks(start):
            decoder.decode(chunk, final=False)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _line_numbers(text: str, matches: Iterator[re.Match], base: int) -> Iterator[int]:
    """The 0-based line of each match (in increasing order), ``base`` lines before."""
    line, last = base, 0
    for match in matches:
        line += text.count("\n", last, match.start())
        last = match.start()
        yield line


def _survey(source: _Source, start: int, codec: str, keep_bad: bool) -> _Survey:
    bad, cjk = array("q"), array("q")
    bad_count = good = 0
    base = 0
    for chunk in source.line_chunks(start):
        text = chunk.decode(codec, "surrogateescape")
        for line in _line_numbers(text, _BAD_LINE.finditer(text), base):
            bad_count += 1
            if keep_bad:
                bad.append(line)
        good += sum(1 for _ in _WIDE_LINE.finditer(text))
        if codec == "utf-8":
            cjk.extend(_line_numbers(text, _CJK_LINE.finditer(text), base))
        base += text.count("\n")
    return _Survey(bad, bad_count, good, cjk)


def _choose_encoding(source: _Source) -> _Encoding:
    """Pick the encoding of a CSV file (see the module docstring)."""
    start = source.head(0, 4)
    if not start.startswith(codecs.BOM_UTF32_LE):
        for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
            if start.startswith(bom):
                if not _decodes(source, codec, len(bom)):
                    raise DataError("unknown_encoding", file=source.name)
                return _Encoding(codec, codec, bom)
    bom = codecs.BOM_UTF8 if start.startswith(codecs.BOM_UTF8) else b""
    utf8_name = "utf-8-sig" if bom else "utf-8"
    if _decodes(source, "utf-8", len(bom)):
        return _Encoding("utf-8", utf8_name, bom)
    gbk_whole = not bom and _decodes(source, "gb18030", 0)
    utf8 = _survey(source, len(bom), "utf-8", keep_bad=not gbk_whole)
    if gbk_whole and not utf8.cjk:
        return _Encoding("gb18030", "gb18030", b"", dict.fromkeys(_unlike_chinese(source), ""))
    if bom or utf8.good > utf8.bad_count:
        if gbk_whole:
            utf8 = _survey(source, len(bom), "utf-8", keep_bad=True)
        return _Encoding("utf-8", utf8_name, bom, dict.fromkeys(utf8.bad, ""))
    bad = dict.fromkeys(_unlike_chinese(source), "")
    bad.update(dict.fromkeys(utf8.cjk, "UTF-8"))
    if not gbk_whole:
        bad.update(dict.fromkeys(_survey(source, 0, "gb18030", keep_bad=True).bad, ""))
    return _Encoding("gb18030", "gb18030", b"", bad)


def _unlike_gb2312(text: str) -> bool:
    """Whether ``text`` (decoded as GB18030) reads as something else: at least two of
    its non-ASCII characters, and more than half, are outside GB2312 (the 6,763 common
    hanzi and the usual symbols). Shift-JIS, Windows-1252 and the like decode as
    GB18030 into such rare characters (``テスト`` → ``僥僗僩``); Chinese text holds a rare
    character now and then, in a name, not mostly."""
    wide = len(text) - len(text.encode("ascii", "ignore"))
    if wide < 2:
        return False
    outside = text.encode("gb2312", "replace").count(b"?") - text.count("?")
    return outside >= 2 and 2 * outside > wide


def _unlike_chinese(source: _Source) -> list[int]:
    """The lines (0-based) of a file that decodes as GB18030 whose text is not
    plausibly Chinese (``_unlike_gb2312``, counted for every line of a chunk at once):
    a Shift-JIS or Windows-1252 file is not read as GBK without saying so."""
    found: list[int] = []
    base = 0
    for chunk in source.line_chunks():
        text = chunk.decode("gb18030", "replace").replace("?", "!")
        # GB2312 keeps line feeds and writes each of its characters as two bytes of
        # 0x80 and over; every other character becomes one "?".
        encoded = np.frombuffer(text.encode("gb2312", "replace"), dtype=np.uint8)
        outside = np.flatnonzero(encoded == 0x3F)
        if len(outside) >= 2:
            ends = np.flatnonzero(encoded == 0x0A)
            lines = len(ends) + 1
            rare = np.bincount(np.searchsorted(ends, outside), minlength=lines)
            common = np.bincount(np.searchsorted(ends, np.flatnonzero(encoded >= 0x80)),
                                 minlength=lines) // 2
            odd = np.flatnonzero((rare >= 2) & (rare > common))
            found.extend(int(base + line) for line in odd)
        base += text.count("\n")
    return found


def _looks_like(line: bytes, codec: str) -> str:
    """The other Chinese encoding when ``line`` decodes in it (as plausible Chinese
    text, for GBK), else ``""``."""
    other = "gb18030" if codec == "utf-8" else "utf-8"
    try:
        text = line.decode(other)
    except UnicodeDecodeError:
        return ""
    if other == "gb18030" and _unlike_gb2312(text):
        return ""
    return _LABELS[other]


_GUESS_LABELS = {"cp932": "Shift-JIS", "shift_jis": "Shift-JIS", "shift_jis_2004": "Shift-JIS",
                 "shift_jisx0213": "Shift-JIS", "euc_jp": "EUC-JP", "iso2022_jp": "ISO-2022-JP",
                 "big5": "Big5", "big5hkscs": "Big5", "cp950": "Big5", "euc_kr": "EUC-KR",
                 "cp949": "EUC-KR", "latin_1": "Latin-1", "mac_roman": "Mac Roman",
                 "utf_16": "UTF-16", "utf_16_le": "UTF-16", "utf_16_be": "UTF-16"}


def _guess(data: bytes) -> str:
    """charset-normalizer's name for ``data`` (only to tell a person: the file is
    never read in it), ``""`` if none."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding in ("utf_8", "gb18030", "ascii"):
        return ""
    name = str(best.encoding)
    if name.startswith("cp12"):
        return f"Windows-{name[2:]}"
    return _GUESS_LABELS.get(name, name)


def _transcode(source: _Source, encoding: _Encoding, target: Path) -> dict[int, str]:
    """Write the file as UTF-8 to ``target`` line for line; return the odd lines with
    what each looks like. An odd line is decoded in the encoding it looks like, or with
    U+FFFD for the bytes that fit none."""
    pending = sorted(encoding.bad)
    next_bad = 0
    looks: dict[int, str] = {}
    unknown = bytearray()
    base = 0
    with target.open("wb") as out:
        for chunk in source.line_chunks(len(encoding.bom)):
            count = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
            text = chunk.decode(encoding.codec, "surrogateescape")
            if next_bad < len(pending) and pending[next_bad] < base + count:
                raw_lines, text_lines = chunk.split(b"\n"), text.split("\n")
                while next_bad < len(pending) and pending[next_bad] < base + count:
                    number = pending[next_bad]
                    line = raw_lines[number - base]
                    label = encoding.bad[number] or _looks_like(line, encoding.codec)
                    looks[number] = label
                    if label:
                        text_lines[number - base] = line.decode(_CODECS[label])
                    else:
                        text_lines[number - base] = _SURROGATES.sub(
                            "\ufffd", text_lines[number - base])
                        if len(unknown) < _GUESS_BYTES:
                            unknown += line + b"\n"
                    next_bad += 1
                text = "\n".join(text_lines)
            out.write(text.encode("utf-8"))
            base += count
    if unknown:
        guess = _guess(bytes(unknown[:_GUESS_BYTES]))
        looks = {number: label or guess for number, label in looks.items()}
    return looks


_BOMS = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
         "utf-16-be": codecs.BOM_UTF16_BE}


def _head_records(text: str, sep: str, limit: int) -> tuple[list[list[str]], list[int]]:
    """Parse the first ``limit`` records of ``text``; also return each record's start."""
    consumed = 0

    def lines():  # noqa: ANN202
        nonlocal consumed
        for line in io.StringIO(text, newline=""):
            consumed += len(line)
            yield line

    records: list[list[str]] = []
    starts = [0]
    try:
        for record in csv.reader(lines(), delimiter=sep):
            records.append(record)
            starts.append(consumed)
            if len(records) >= limit:
                break
    except csv.Error:
        pass  # a cut-off record at the end of the head; the rows before it are complete
    return records, starts


def _read_csv(source: _Source, is_known: Callable[[str], bool] | None,
              limits: Limits) -> RawTable:
    encoding = _choose_encoding(source)
    if not encoding.bad:
        return _parse_csv(source, encoding, is_known, limits, {})
    with tempfile.TemporaryDirectory(prefix="pairmap-csv-") as folder:
        target = Path(folder) / "utf-8.csv"
        looks = _transcode(source, encoding, target)
        utf8 = _Source(source.name, target.stat().st_size, path=target)
        return _parse_csv(utf8, _Encoding("utf-8", encoding.name), is_known, limits, looks)


@dataclass(frozen=True)
class _CsvHead:
    """The head of a CSV file: its body's size (after the BOM), the separator, the first
    records, the header's position among them (None when none is found) and the byte
    offset of the header's line."""

    body_size: int
    sep: str
    records: list
    index: int | None
    offset: int | None
    lines_above: int = 0


def _csv_head(source: _Source, encoding: _Encoding, is_known: Callable[[str], bool] | None
              ) -> _CsvHead:
    """Read the head of a CSV file that ``encoding`` decodes (``_CsvHead``)."""
    start = len(encoding.bom)
    body_size = source.size - start
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors="replace")
    head = decoder.decode(source.head(start, _HEAD_BYTES), final=body_size <= _HEAD_BYTES)
    first_line = head.split("\n", 1)[0]
    sep = "\t" if "\t" in first_line and "," not in first_line else ","
    records, starts = _head_records(head, sep, HEADER_SEARCH_ROWS)
    index = _find_header(records, is_known)
    if index is None:
        return _CsvHead(body_size, sep, records, None, None)
    above = head[:starts[index]]
    return _CsvHead(body_size, sep, records, index,
                    start + len(above.encode(encoding.codec)), above.count("\n"))


def _parse_csv(source: _Source, encoding: _Encoding, is_known: Callable[[str], bool] | None,
               limits: Limits, looks: dict[int, str]) -> RawTable:
    """Find the header and parse the records of a file ``encoding`` decodes; ``looks``
    are its odd lines (see ``_transcode``)."""
    found = _csv_head(source, encoding, is_known)
    body_size, sep, records = found.body_size, found.sep, found.records
    index = found.index
    if index is None:
        if len(records) < HEADER_SEARCH_ROWS and body_size <= _HEAD_BYTES:
            raise DataError("file_empty", file=source.name)
        raise DataError("no_header_row", file=source.name, rows=HEADER_SEARCH_ROWS)
    width = len(records[index])
    check_columns(width, source.name, limits, row=index + 1)
    offset = found.offset
    frame = _parse_csv_arrow(source, offset, sep, encoding.codec, width, index, limits)
    if frame is None:
        frame = _parse_csv_pandas(source, offset, sep, encoding.codec, width, index, limits)
    headers = [str(h) for h in frame.iloc[0].tolist()]
    marks = (_odd_records(frame, found.lines_above, looks, source.name, index, encoding)
             if looks else None)
    frame = frame.iloc[1:].reset_index(drop=True)
    return _finish(frame, headers, index + 1, source.name, encoding=encoding.name,
                   marks=marks)


def _odd_records(frame: pd.DataFrame, header_line: int, looks: dict[int, str], file: str,
                 index: int, encoding: _Encoding) -> dict[int, str]:
    """Map odd lines to data records (positions after the header) by the lines each
    record spans; an odd header refuses the file, odd title rows are skipped with them."""
    spans = np.ones(len(frame), dtype=np.int64)
    for column in frame.columns:
        spans += frame[column].str.count("\n").fillna(0).to_numpy(dtype=np.int64)
    first = header_line + np.concatenate(([0], np.cumsum(spans)[:-1]))
    marks: dict[int, str] = {}
    for line, label in looks.items():
        if line < header_line:
            continue
        record = int(np.searchsorted(first, line, side="right")) - 1
        if record == 0:
            raise DataError("undecodable_header", file=file, row=index + 1,
                            encoding=_LABELS.get(encoding.name, encoding.name),
                            looks=label or "?")
        marks[record - 1] = label
    return marks


def _parse_csv_arrow(source: _Source, offset: int, sep: str, codec: str, width: int,
                     index: int, limits: Limits) -> pd.DataFrame | None:
    """Parse from ``offset`` (the header) with Arrow's streaming reader, block by block,
    counting rows against ``limits``; None when it cannot keep every record's row (a
    row with fewer or more cells than the header)."""
    if width == 0:
        return None
    names = [str(i) for i in range(width)]
    columns: list[list[pa.Array]] = [[] for _ in range(width)]
    rows = index
    try:
        with source.open() as handle:
            handle.seek(offset)
            reader = pacsv.open_csv(
                handle,
                read_options=pacsv.ReadOptions(column_names=names, encoding=codec,
                                               block_size=16 * 1024 * 1024),
                parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                                 ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.large_string() for n in names},
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
            for batch in reader:
                rows += batch.num_rows
                check_rows(rows, source.name, limits)
                for i in range(width):
                    columns[i].append(batch.column(i))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, LookupError):
        return None
    return pd.DataFrame({i: pd.array(pa.chunked_array(columns[i], type=pa.large_string()),
                                     dtype="str") for i in range(width)})


class _CsvStream:
    """A CSV file in one encoding, parsed by Arrow from its header each time it is read
    (see ``TableBlocks``)."""

    def __init__(self, source: _Source, offset: int, sep: str, encoding: _Encoding,
                 width: int, header_row: int, headers: list[str], keep: list[int],
                 rows: int) -> None:
        self.source, self.offset, self.sep, self.codec = source, offset, sep, encoding.codec
        self.width, self.header_row, self.keep, self.rows = width, header_row, keep, rows
        self.file, self.sheet, self.encoding = source.name, None, encoding.name
        labels = _labels(headers)
        self.columns = [labels[i] for i in keep]

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The file's records as Arrow batches, the header record first."""
        names = [str(i) for i in range(self.width)]
        with self.source.open() as handle:
            handle.seek(self.offset)
            reader = pacsv.open_csv(
                handle,
                read_options=pacsv.ReadOptions(column_names=names, encoding=self.codec,
                                               block_size=_STREAM_BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(delimiter=self.sep, newlines_in_values=True,
                                                 ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.large_string() for n in names},
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
            yield from reader

    def blocks(self, size: int) -> Iterator[tuple[int, RawTable]]:
        pending: list[pa.RecordBatch] = []
        held = 0
        records = -1  # the header record is not a row
        position = 0
        for batch in self.batches():
            if records < 0:
                batch = batch.slice(1)
                records = 0
            pending.append(batch)
            held += batch.num_rows
            while held >= size:
                table = pa.Table.from_batches(pending)
                block, rest = table.slice(0, size), table.slice(size)
                pending, held = rest.to_batches(), rest.num_rows
                raw = self._block(block, records)
                records += block.num_rows
                yield position, raw
                position += len(raw)
        if held:
            raw = self._block(pa.Table.from_batches(pending), records)
            yield position, raw

    def _block(self, table: pa.Table, first: int) -> RawTable:
        """The records from the ``first``-th as a ``RawTable`` (as ``_finish`` makes
        them: kept columns, empty rows left out, consecutive row numbers)."""
        filled = np.zeros(table.num_rows, dtype=bool)
        columns = {}
        for label, index in zip(self.columns, self.keep, strict=True):
            column = table.column(index)
            columns[label] = pd.array(column, dtype="str")
            blank = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0)
            filled |= ~blank.to_numpy(zero_copy_only=False)
        numbers = self.header_row + 1 + first + np.arange(table.num_rows, dtype=np.int64)
        frame = pd.DataFrame(columns)
        if not filled.all():
            frame = frame[filled].reset_index(drop=True)
        return RawTable(file=self.file, frame=frame, row_numbers=numbers[filled],
                        header_row=self.header_row, encoding=self.encoding)


_STREAM_BLOCK_BYTES = 1024 * 1024
"""Arrow's block when a CSV is streamed: its reader reads several blocks ahead, and the
memory it keeps grows with the block (about 60 MiB at 1 MiB, 200 MiB at 4 MiB)."""


def _open_csv_stream(source: _Source, is_known: Callable[[str], bool] | None,
                     limits: Limits) -> _CsvStream | None:
    """Find the header of a CSV file and parse it once (rows counted against ``limits``);
    None when the file is not for streaming (it mixes encodings, or Arrow cannot keep
    every record's row), or its head is not what ``_parse_csv`` accepts (it then says
    why)."""
    encoding = _choose_encoding(source)
    if encoding.bad:
        return None
    found = _csv_head(source, encoding, is_known)
    sep, records, index = found.sep, found.records, found.index
    if index is None:
        return None
    width = len(records[index])
    if width == 0:
        return None
    check_columns(width, source.name, limits, row=index + 1)
    offset = found.offset
    probe = _CsvStream(source, offset, sep, encoding, width, index + 1, [], [], 0)
    rows = index
    headers: list[str] | None = None
    filled = np.zeros(width, dtype=bool)
    data_rows = -1  # the header record is not a data row
    try:
        for batch in probe.batches():
            if headers is None:
                headers = [str(batch.column(i)[0].as_py()) for i in range(width)]
            rows += batch.num_rows
            check_rows(rows, source.name, limits)
            row_filled = np.zeros(batch.num_rows, dtype=bool)
            for i in range(width):
                blank = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(batch.column(i))), 0)
                mask = ~blank.to_numpy(zero_copy_only=False)
                filled[i] |= bool(mask.any())
                row_filled |= mask
            data_rows += int(row_filled.sum())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, LookupError):
        return None
    if headers is None:
        return None
    # An unnamed column's header cell is blank: only data rows make it filled.
    keep = [i for i in range(width) if headers[i].strip() or filled[i]]
    return _CsvStream(source, offset, sep, encoding, width, index + 1, headers, keep,
                      max(data_rows, 0))


def _parse_csv_pandas(source: _Source, offset: int, sep: str, codec: str, width: int,
                      index: int, limits: Limits) -> pd.DataFrame:
    """Parse from ``offset`` with pandas in blocks (short rows filled with empty cells)."""
    parts = []
    rows = index
    try:
        with source.open() as handle:
            handle.seek(offset)
            reader = pd.read_csv(handle, header=None, names=list(range(max(width, 1))),
                                 dtype=str, sep=sep, keep_default_na=False, na_filter=False,
                                 skip_blank_lines=False, encoding=codec, engine="c",
                                 chunksize=_BLOCK_ROWS)
            for part in reader:
                rows += len(part)
                check_rows(rows, source.name, limits)
                parts.append(part)
    except pd.errors.ParserError as exc:
        detail = str(exc).split("error:")[-1].strip()
        match = re.search(r"line (\d+)", detail)
        where = str(index + int(match.group(1))) if match else "?"
        raise DataError("row_too_long", file=source.name, where=where, detail=detail) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError("unreadable_csv", file=source.name, detail=str(exc)) from None
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {i: pd.Series([], dtype=str) for i in range(max(width, 1))})
    frame = frame.fillna("")
    for column in frame.columns:
        if not pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].astype(str)
    return frame


# --- XLSX -------------------------------------------------------------------------------

_CONTENT_TYPES = "[Content_Types].xml"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_NEVER_READ = ("xl/pivotCache/",)
"""Folders of XML that openpyxl's read-only reader never opens (a pivot table's cache of
its source rows may be large in a genuine workbook)."""
_ROW_START = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])(?:[^<>]*?\sr\s*=\s*["']\s*(\d{1,12}))?""")
_PARSER_MARKUP = re.compile(rb"<[!?]")
_TAG_CARRY = 64 * 1024


def cell_text(value: object) -> str:
    """Return the text of one XLSX cell value (``""`` when empty).

    Whole floats lose their ``.0`` (``420526101001.0`` → ``420526101001``); dates and
    date-times become ``YYYY-MM-DD`` (a time of day other than midnight is kept).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


@dataclass
class _SheetScan:
    """What a worksheet's XML holds: its last row number (the larger of the highest row
    number and the count of rows), its rightmost cell's column (1-based) and a row
    holding that cell."""

    rows: int = 0
    columns: int = 0
    column_row: int | None = None


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _unreadable(file: str, exc: BaseException) -> DataError:
    return DataError("unreadable_xlsx", file=file, detail=type(exc).__name__)


def _inspect_workbook(archive: zipfile.ZipFile, file: str,
                      limits: Limits) -> dict[str, _SheetScan]:
    """Check a workbook's parts before openpyxl reads any; return each worksheet's scan.

    The shared strings may hold ``limits.max_shared_strings_bytes``; every other XML
    part openpyxl reads whole (content types, workbook, relationships, styles, theme,
    chart sheets …) ``XML_PIECE_BYTES``; every worksheet (found as openpyxl finds them,
    through the workbook's relationships) is scanned (``_scan_sheet``) and must keep
    within the row and column bounds, whichever sheet is imported.
    """
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.xml.constants import SHARED_STRINGS

    infos = {info.filename: info for info in archive.infolist()}

    def bounded(name: str) -> None:
        """Refuse a part declared larger than ``XML_PIECE_BYTES``; unpack it once, in
        chunks, so that a part whose header lies about its size fails its CRC here
        (zipfile stops at the declared size) rather than in ``ZipFile.read``, which
        openpyxl calls and which inflates all the compressed bytes at once."""
        info = infos.get(name)
        if info is None:
            return
        if info.file_size > XML_PIECE_BYTES:
            raise DataError("workbook_part_too_large", file=file, part=name,
                            size=megabytes(info.file_size), limit=megabytes(XML_PIECE_BYTES))
        try:
            with archive.open(info) as part:
                while part.read(MIB):
                    pass
        except Exception as exc:  # a damaged or lying member: CRC, compression
            raise _unreadable(file, exc) from None

    bounded(_CONTENT_TYPES)
    try:
        package = Manifest.from_tree(ElementTree.fromstring(archive.read(_CONTENT_TYPES)))
        workbook = _find_workbook_part(package).PartName[1:]
        bounded(workbook)
        bounded(str(PurePosixPath(workbook).parent / "_rels" / (
            PurePosixPath(workbook).name + ".rels")))
        parser = WorkbookParser(archive, workbook, keep_links=False)
        parser.parse()
        sheets = [(rel.target, "chartsheet" in rel.Type) for _, rel in parser.find_sheets()]
        titles = {rel.target: sheet.name for sheet, rel in parser.find_sheets()}
    except DataError:
        raise
    except Exception as exc:  # a damaged package: openpyxl would refuse it too
        raise _unreadable(file, exc) from None
    strings = package.find(SHARED_STRINGS)
    strings_part = strings.PartName[1:] if strings is not None else None
    worksheets = {target for target, chart in sheets if not chart and target in infos}
    if strings_part in infos and infos[strings_part].file_size > limits.max_shared_strings_bytes:
        raise DataError("shared_strings_too_large", file=file,
                        size=megabytes(infos[strings_part].file_size),
                        limit=megabytes(limits.max_shared_strings_bytes))
    for target, chart in sheets:
        if chart:
            bounded(target)
    for name in infos:
        if (name not in worksheets and name != strings_part
                and name.lower().endswith(_XML_SUFFIXES) and not name.startswith(_NEVER_READ)):
            bounded(name)
    scans = {name: _scan_sheet(archive, infos[name], file, limits) for name in sorted(worksheets)}
    # Every sheet, not only the one to import: openpyxl's reader walks each sheet that
    # lacks a <dimension> when the workbook is opened, keeping an element per row.
    for name, scan in scans.items():
        check_rows(scan.rows, file, limits, sheet=titles.get(name))
        check_columns(scan.columns, file, limits, row=scan.column_row, sheet=titles.get(name))
    return scans


def _scan_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file: str,
                limits: Limits) -> _SheetScan:
    """Stream a worksheet's XML once, without parsing it: count its rows and find its
    rightmost cell, and refuse it when a stretch of more than ``XML_PIECE_BYTES`` holds
    no row start (one huge row or element a parser would keep whole), when it holds
    markup a spreadsheet never writes (``<!`` for comments, CDATA and entity
    declarations; ``<?`` after the XML declaration), or when it unpacks to more than
    ``limits.max_bytes`` whatever the zip declared."""
    letters = min(len(column_letter(limits.max_columns - 1)), 3)
    cell = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^<>]*?\br\s*=\s*[\"']"
                      rb"([A-Za-z]{%d,3})(\d{1,12})" % letters)
    scan = _SheetScan()
    count = current = 0
    last_start = 0
    consumed = 0
    carry = b""
    total = 0
    try:
        with archive.open(info) as handle:
            while True:
                chunk = handle.read(MIB)
                total += len(chunk)
                if total > limits.max_bytes:
                    raise DataError("zip_unpacks_too_much", file=file,
                                    limit=megabytes(limits.max_bytes))
                block = carry + chunk if carry else chunk
                cut = block.rfind(b"<") if chunk else len(block)
                if cut < 0 or len(block) - cut > _TAG_CARRY:
                    cut = len(block)  # no tag can be cut off here: take the whole block
                segment, carry = block[:cut], block[cut:]
                for markup in _PARSER_MARKUP.finditer(segment):
                    if consumed + markup.start() > 3 or segment[markup.start() + 1] == 33:
                        raise DataError("unusual_sheet_markup", file=file, part=info.filename)
                for row in _ROW_START.finditer(segment):
                    start = consumed + row.start()
                    if start - last_start > XML_PIECE_BYTES:
                        raise DataError("sheet_piece_too_large", file=file, row=current + 1,
                                        limit=megabytes(XML_PIECE_BYTES))
                    last_start = start
                    count += 1
                    current = int(row.group(1)) if row.group(1) else current + 1
                    scan.rows = max(scan.rows, current)
                for found, row_text in cell.findall(segment):
                    number, row_number = _column_number(found), int(row_text)
                    if number > scan.columns or (number == scan.columns
                                                 and row_number < (scan.column_row or 0)):
                        scan.columns, scan.column_row = number, row_number
                consumed += len(segment)
                if not chunk and not carry:
                    break
    except DataError:
        raise
    except Exception as exc:  # a damaged member: CRC, compression, encryption
        raise _unreadable(file, exc) from None
    if total - last_start > XML_PIECE_BYTES:
        raise DataError("sheet_piece_too_large", file=file, row=current + 1,
                        limit=megabytes(XML_PIECE_BYTES))
    scan.rows = max(scan.rows, count)
    return scan


class _RowBudget:
    """A worksheet's XML as openpyxl's parser reads it, refused once more than
    ``XML_PIECE_BYTES`` pass without a row coming out (a row or element built to be
    kept whole in memory, however it hid from ``_scan_sheet``)."""

    def __init__(self, handle: BinaryIO, file: str) -> None:
        self.handle = handle
        self.file = file
        self.since = 0
        self.row = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.since += len(data)
        if self.since > XML_PIECE_BYTES:
            raise DataError("sheet_piece_too_large", file=self.file, row=self.row + 1,
                            limit=megabytes(XML_PIECE_BYTES))
        return data

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> _RowBudget:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Rows:
    """Rows of text gathered into Arrow columns, ``_BLOCK_ROWS`` at a time (a Python
    string per cell only for the block being filled)."""

    def __init__(self) -> None:
        self.blocks: list[tuple[int, list[pa.Array]]] = []
        self.pending: list[list[str]] = []

    def add(self, row: list[str]) -> None:
        self.pending.append(row)
        if len(self.pending) >= _BLOCK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        width = max(len(row) for row in self.pending)
        block = [pa.array([row[i] if i < len(row) else "" for row in self.pending],
                          type=pa.large_string()) for i in range(width)]
        self.blocks.append((len(self.pending), block))
        self.pending = []

    def frame(self, skip: int) -> tuple[pd.DataFrame, int]:
        """The rows after the first ``skip`` as a frame of ``str`` columns, and the width
        of the widest row."""
        self._flush()
        width = max((len(block) for _, block in self.blocks), default=0)
        columns = {}
        for i in range(width):
            parts = [block[i] if i < len(block)
                     else pc.fill_null(pa.nulls(count, pa.large_string()), "")
                     for count, block in self.blocks]
            chunked = pa.chunked_array(parts, type=pa.large_string()).slice(skip)
            columns[i] = pd.array(chunked, dtype="str")
        return pd.DataFrame(columns), width


def _read_xlsx(source: _Source, sheet: str | None, is_known: Callable[[str], bool] | None,
               limits: Limits) -> RawTable:
    from openpyxl import load_workbook

    filename = source.name
    with source.open() as handle:
        archive = open_zip(handle, filename, limits, unreadable="unreadable_xlsx")
        with archive:
            scans = _inspect_workbook(archive, filename, limits)
        handle.seek(0)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl raises its own types for damaged workbooks
            raise _unreadable(filename, exc) from None
        try:
            worksheet = _pick_sheet(workbook, filename, sheet)
            return _read_sheet(workbook, worksheet, scans, filename, is_known, limits)
        finally:
            workbook.close()


def _pick_sheet(workbook: object, filename: str, sheet: str | None) -> object:
    names = workbook.sheetnames
    worksheets = workbook.worksheets
    if not worksheets:
        raise DataError("no_sheets", file=filename)
    if sheet is None:
        return worksheets[0]
    if sheet in names:
        return workbook[sheet]
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(worksheets):
        return worksheets[int(sheet) - 1]
    raise DataError("no_such_sheet", file=filename, sheet=sheet, sheets=", ".join(names))


def _read_sheet(workbook: object, worksheet: object, scans: dict[str, _SheetScan],
                filename: str, is_known: Callable[[str], bool] | None,
                limits: Limits) -> RawTable:
    """Check the sheet's declared and scanned size, then stream its rows."""
    title = worksheet.title
    path = getattr(worksheet, "_worksheet_path", None)
    if path is None:
        raise DataError("unreadable_sheet", file=filename, sheet=title, detail="chartsheet")
    archive = workbook._archive  # the read-only workbook's open zip
    scan = scans.get(path) or _scan_sheet(archive, archive.getinfo(path), filename, limits)
    declared_rows, declared_columns = worksheet.max_row or 0, worksheet.max_column or 0
    check_rows(declared_rows, filename, limits, sheet=title)
    check_columns(declared_columns, filename, limits, sheet=title)
    check_rows(scan.rows, filename, limits, sheet=title)
    check_columns(scan.columns, filename, limits, row=scan.column_row, sheet=title)
    budget: list[_RowBudget] = []

    def open_source() -> _RowBudget:
        budget.append(_RowBudget(archive.open(path), filename))
        return budget[-1]

    worksheet._get_source = open_source  # every read of the sheet, budgeted
    worksheet.reset_dimensions()
    head: list[list[str]] = []
    rows = _Rows()
    filled_below = False
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            budget[-1].since, budget[-1].row = 0, number
            check_rows(number, filename, limits, sheet=title)
            check_columns(len(values), filename, limits, row=number, sheet=title)
            row = [cell_text(v) for v in values]
            if number <= HEADER_SEARCH_ROWS:
                head.append(row)
            elif not filled_below and any(c.strip() for c in row):
                filled_below = True
            rows.add(row)
    except DataError:
        raise
    except Exception as exc:
        raise DataError("unreadable_sheet", file=filename, sheet=title,
                        detail=type(exc).__name__) from None
    index = _find_header(head, is_known)
    if index is None:
        if filled_below:
            raise DataError("no_header_row", file=filename, rows=HEADER_SEARCH_ROWS)
        raise DataError("sheet_empty", file=filename, sheet=title)
    frame, width = rows.frame(index + 1)
    headers = head[index] + [""] * (width - len(head[index]))
    return _finish(frame, headers, index + 1, filename, sheet=title)


# --- cell parsers (vectorised over a column) ----------------------------------------------

def factor(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Return codes and distinct values of ``values`` (work once per distinct value)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(pd.array(pa.array(uniques, type=pa.large_string()), dtype="str"))


def by_unique(values: pd.Series, function: Callable[[str], object],
              dtype: object = object) -> pd.Series:
    """Apply ``function`` to each distinct value of ``values`` once; keep the index."""
    codes, uniques = factor(values)
    mapped = np.array([function(u) for u in uniques], dtype=dtype)
    if len(mapped) == 0:
        return pd.Series(np.array([], dtype=dtype), index=values.index)
    return pd.Series(mapped[codes], index=values.index)


def as_mask(values: object) -> np.ndarray:
    """A plain boolean array of a comparison's result (missing counts as False)."""
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    return series.fillna(False).to_numpy(dtype=bool)


def unquote(values: pd.Series) -> pd.Series:
    """Remove the one ``'`` an export put before text starting ``=``, ``+``, ``-``, ``@``,
    a tab or a carriage return."""
    values = values.astype(str)
    starts = values.str.startswith("'")
    if not starts.any():  # nearly always: no cell to look at closer
        return values
    quoted = starts & values.str.slice(1, 2).isin(list(FORMULA_PREFIXES))
    if not quoted.any():
        return values
    return values.where(~quoted, values.str.slice(1))


def _normal_unique(values: pd.Series) -> pd.Series:
    """Normal form of distinct values: NFKC, white space folded, trimmed.

    Arrow's vectorised NFKC (utf8proc) gives what ``unicodedata`` gives for every
    character both Unicode versions assign (normalization is stable across versions).
    """
    if len(values) == 0:
        return values
    array = pa.array(values, type=pa.large_string())
    array = pc.utf8_normalize(array, form="NFKC")
    array = pc.utf8_trim(pc.replace_substring_regex(array, _WHITESPACE_CLASS, " "), " ")
    return pd.Series(pd.array(array, dtype="str"), index=values.index)


def normal_text(values: pd.Series, distinct: bool = True) -> pd.Series:
    """The text normal form of ``geo.text.normalize_text``, vectorised.

    Unicode NFKC, every run of white space (U+3000 included) folded to one space,
    trimmed. With ``distinct`` each distinct value is normalised once (for columns that
    repeat values, such as codes and kinds); without, every cell (for free text).
    """
    values = values.astype(str)
    if not distinct:
        return _normal_unique(values.reset_index(drop=True)).set_axis(values.index)
    codes, uniques = factor(values)
    if len(uniques) == 0:
        return values
    normal = _normal_unique(uniques)
    return pd.Series(normal.take(codes).array, index=values.index)


def parse_whole_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse whole numbers (``3.0`` and thousands grouped as ``1,234`` allowed).

    Returns
    -------
    numbers : pandas.Series
        ``Int64`` values, ``<NA>`` for empty or bad cells.
    bad : pandas.Series
        True where a non-empty cell is not a whole number.
    """
    codes, uniques = factor(values)
    uniques = _normal_unique(uniques)
    numbers = np.zeros(len(uniques), dtype=np.int64)
    given = np.zeros(len(uniques), dtype=bool)
    bad = np.zeros(len(uniques), dtype=bool)
    for index, text in enumerate(uniques):
        text = text.replace(" ", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            bad[index] = True
            continue
        if not np.isfinite(number) or not number.is_integer() or abs(number) >= 2**62:
            bad[index] = True
            continue
        numbers[index] = int(number)
        given[index] = True
    array = pd.arrays.IntegerArray(numbers[codes], ~given[codes])
    return (pd.Series(array, index=values.index),
            pd.Series(bad[codes], index=values.index))


_DECIMAL = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def parse_decimals(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse decimal numbers; returns ``float64`` (NaN for empty or bad) and the bad mask.

    Plain numbers are parsed by Arrow; other cells (full-width digits and the like) are
    normalised and parsed one by one.
    """
    array = pc.utf8_trim_whitespace(pa.array(values.astype(str), type=pa.large_string()))
    plain = pc.match_substring_regex(array, _DECIMAL)
    empty = pc.equal(array, "")
    numbers = pc.cast(pc.if_else(plain, array, "nan"), pa.float64()).to_numpy(
        zero_copy_only=False).copy()
    odd = ~(plain.to_numpy(zero_copy_only=False) | empty.to_numpy(zero_copy_only=False))
    bad = np.zeros(len(values), dtype=bool)
    if odd.any():
        slow = _normal_unique(pd.Series(np.asarray(array.filter(pa.array(odd)),
                                                   dtype=object), dtype=str))
        again = pd.to_numeric(slow.str.replace(" ", ""), errors="coerce").astype(float)
        numbers[odd] = again.to_numpy()
        bad[odd] = np.isnan(again.to_numpy())
    infinite = np.isinf(numbers)
    numbers[infinite] = np.nan
    bad |= infinite
    return pd.Series(numbers, index=values.index), pd.Series(bad, index=values.index)


def parse_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no cells (True/False, 是/否, 1/0, Y/N, √/×, 在用/停用, …).

    Returns a ``boolean`` series (``<NA>`` for empty or bad) and the bad mask.
    """
    codes, uniques = factor(values)
    uniques = _normal_unique(uniques)
    flags = np.zeros(len(uniques), dtype=bool)
    given = np.zeros(len(uniques), dtype=bool)
    bad = np.zeros(len(uniques), dtype=bool)
    for index, text in enumerate(uniques):
        text = text.lower()
        if not text:
            continue
        if text in TRUE_WORDS or text in FALSE_WORDS:
            flags[index] = text in TRUE_WORDS
            given[index] = True
        else:
            bad[index] = True
    array = pd.arrays.BooleanArray(flags[codes], ~given[codes])
    return (pd.Series(array, index=values.index),
            pd.Series(bad[codes], index=values.index))


def parse_date_text(text: str) -> date | None:
    """Parse one date cell's text; None when it is not a date.

    Accepted: ``2024-05-06``, ``2024/5/6``, ``2024.5.6``, ``2024年5月6日``, ``20240506``,
    a date-time whose time is ignored, and Excel serial day numbers; years 1900 to 2199.
    """
    text = text.strip()
    if not text:
        return None
    if _SERIAL.match(text) and not _COMPACT_DATE.match(text):
        serial = float(text)
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            return EXCEL_EPOCH + timedelta(days=int(serial))
        return None
    text = (text.replace("年", "-").replace("月", "-").replace("日", "").replace("号", "")
            .replace("/", "-").replace(".", "-").lower())
    match = _DATE_PATTERN.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        return None
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day if _YEARS[0] <= day.year <= _YEARS[1] else None


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse date cells (see ``parse_date_text``).

    Returns
    -------
    dates : pandas.Series
        ``datetime64[s]`` (NaT for empty or bad cells).
    empty : pandas.Series
        True where the cell is empty.
    bad : pandas.Series
        True where a non-empty cell is not a date.
    """
    codes, uniques = factor(values)
    uniques = _normal_unique(uniques)
    days = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[s]")
    empty = np.zeros(len(uniques), dtype=bool)
    bad = np.zeros(len(uniques), dtype=bool)
    for index, text in enumerate(uniques):
        if not text:
            empty[index] = True
            continue
        day = parse_date_text(text)
        if day is None:
            bad[index] = True
        else:
            days[index] = np.datetime64(day, "s")
    return (pd.Series(days[codes], index=values.index),
            pd.Series(empty[codes], index=values.index),
            pd.Series(bad[codes], index=values.index))
