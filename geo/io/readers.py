"""Reading table files for imports: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX.

A file becomes a ``RawTable``: every cell as text (``""`` when empty), the file's own
headers, and for every data row the row number a spreadsheet user sees (the header row
and any title rows above it included). Title rows above the header (a merged title such
as ``兴山县2024年结对走访台账``) are skipped: the header is the first row whose cells match
enough known headers. Fully empty rows are left out; they hold no data.

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
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from geo.errors import DataError
from geo.io.table_files import FORMULA_PREFIXES

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 30
"""How many rows from the top are searched for the header row."""
_HEAD_BYTES = 256 * 1024
_DECODE_CHUNK = 8 * 1024 * 1024
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
    """

    file: str
    frame: pd.DataFrame
    row_numbers: np.ndarray
    header_row: int
    sheet: str | None = None
    encoding: str | None = None

    @property
    def columns(self) -> list[str]:
        """The file's column labels, in file order."""
        return [str(c) for c in self.frame.columns]

    def __len__(self) -> int:
        """The number of data rows."""
        return len(self.frame)


HeaderTest = Callable[[str], bool] | Collection[str] | None


def read_table_file(path: Path | str, sheet: str | None = None,
                    known_headers: HeaderTest = None) -> RawTable:
    """Read a CSV or XLSX file into a ``RawTable``.

    Parameters
    ----------
    path : pathlib.Path or str
        A ``.csv`` or ``.xlsx`` file (the ending picks the format).
    sheet : str, optional
        The XLSX sheet (by name, or its 1-based position); default the first sheet.
    known_headers : callable or collection of str, optional
        Tells whether a cell's text is a header the caller knows; the header row is the
        first row with enough of them. Without it the first non-empty row is the header.

    Raises
    ------
    DataError
        The file is missing, empty, unreadable, of an unknown format, or ``sheet`` is
        not in the workbook.
    """
    path = Path(path)
    _check_suffix(path.name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file_missing", file=str(path)) from None
    except IsADirectoryError:
        raise DataError("not_a_file", file=str(path)) from None
    except OSError as exc:
        raise DataError("unreadable_file", file=str(path),
                        detail=str(exc.strerror or exc)) from None
    return read_table_bytes(data, str(path), sheet=sheet, known_headers=known_headers)


def read_table_bytes(data: bytes, filename: str, sheet: str | None = None,
                     known_headers: HeaderTest = None) -> RawTable:
    """Read an uploaded file's bytes; ``filename``'s ending picks the format.

    See ``read_table_file`` for the parameters and errors.
    """
    suffix = _check_suffix(filename)
    if not data.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise DataError("file_empty", file=filename)
    is_test = _header_test(known_headers)
    if suffix in XLSX_SUFFIXES or data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, filename, sheet, is_test)
    if sheet is not None:
        raise DataError("sheet_needs_xlsx", file=filename)
    if data.startswith(_OLE_MAGIC):
        raise DataError("old_or_protected_workbook", file=filename)
    return _read_csv(data, filename, is_test)


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


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of the 0-based column ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _labels(headers: list[str]) -> list[str]:
    labels, seen = [], {}
    for index, header in enumerate(headers):
        label = header.strip() or column_letter(index)
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def _finish(frame: pd.DataFrame, headers: list[str], header_row: int, file: str,
            sheet: str | None = None, encoding: str | None = None) -> RawTable:
    """Label columns, drop empty unnamed columns and empty rows, number the rows."""
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
    rows = header_row + 1 + np.arange(len(frame), dtype=np.int64)
    if keep:
        any_filled = np.logical_or.reduce([filled[i] for i in keep])
    else:
        any_filled = np.zeros(len(frame), dtype=bool)
    frame = frame[any_filled].reset_index(drop=True)
    return RawTable(file=file, frame=frame, row_numbers=rows[any_filled], header_row=header_row,
                    sheet=sheet, encoding=encoding)


# --- CSV --------------------------------------------------------------------------------

def detect_encoding(data: bytes) -> str:
    """Return the text encoding of ``data``.

    A byte-order mark decides; otherwise UTF-8 when the bytes are valid UTF-8, then
    GB18030 (a superset of GBK and GB2312) when valid, and last the best guess of
    ``charset-normalizer``.

    Raises
    ------
    DataError
        No encoding decodes the bytes.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(data, encoding):
            return encoding
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1024 * 1024]).best()
    if best is not None and _decodes(data, best.encoding):
        return best.encoding
    raise DataError("unknown_encoding")


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        for start in range(0, len(data), _DECODE_CHUNK):
            decoder.decode(data[start:start + _DECODE_CHUNK], final=False)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


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


def _read_csv(data: bytes, filename: str, is_known: Callable[[str], bool] | None) -> RawTable:
    encoding = detect_encoding(data)
    bom = _BOMS.get(encoding, b"")
    body_encoding = {"utf-8-sig": "utf-8"}.get(encoding, encoding)
    body = memoryview(data)[len(bom):]
    decoder = codecs.getincrementaldecoder(body_encoding)(errors="replace")
    head = decoder.decode(bytes(body[:_HEAD_BYTES]), final=len(body) <= _HEAD_BYTES)
    first_line = head.split("\n", 1)[0]
    sep = "\t" if "\t" in first_line and "," not in first_line else ","
    records, starts = _head_records(head, sep, HEADER_SEARCH_ROWS)
    index = _find_header(records, is_known)
    if index is None:
        if len(records) < HEADER_SEARCH_ROWS and len(body) <= _HEAD_BYTES:
            raise DataError("file_empty", file=filename)
        raise DataError("no_header_row", file=filename, rows=HEADER_SEARCH_ROWS)
    offset = len(bom) + len(head[:starts[index]].encode(body_encoding))
    frame = _parse_csv_arrow(data, offset, sep, body_encoding, len(records[index]))
    if frame is None:
        frame = _parse_csv_pandas(data, offset, sep, body_encoding, filename, index)
    headers = [str(h) for h in frame.iloc[0].tolist()]
    frame = frame.iloc[1:].reset_index(drop=True)
    return _finish(frame, headers, index + 1, filename, encoding=encoding)


def _parse_csv_arrow(data: bytes, offset: int, sep: str, encoding: str,
                     width: int) -> pd.DataFrame | None:
    """Parse from ``offset`` (the header) with Arrow's multi-threaded reader; None when it
    cannot keep every record's row (a row with fewer or more cells than the header)."""
    body = memoryview(data)[offset:]
    if width == 0:
        return None
    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, encoding=encoding,
                                           block_size=16 * 1024 * 1024),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, LookupError):
        return None
    return pd.DataFrame({i: pd.array(table.column(i), dtype="str") for i in range(width)})


def _parse_csv_pandas(data: bytes, offset: int, sep: str, encoding: str, filename: str,
                      index: int) -> pd.DataFrame:
    """Parse from ``offset`` with pandas (short rows filled with empty cells)."""
    try:
        frame = pd.read_csv(io.BytesIO(data[offset:]), header=None, dtype=str, sep=sep,
                            keep_default_na=False, na_filter=False, skip_blank_lines=False,
                            encoding=encoding, engine="c")
    except pd.errors.ParserError as exc:
        detail = str(exc).split("error:")[-1].strip()
        match = re.search(r"line (\d+)", detail)
        where = str(index + int(match.group(1))) if match else "?"
        raise DataError("row_too_long", file=filename, where=where, detail=detail) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError("unreadable_csv", file=filename, detail=str(exc)) from None
    frame = frame.fillna("")
    for column in frame.columns:
        if not pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].astype(str)
    return frame


# --- XLSX -------------------------------------------------------------------------------

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


def _read_xlsx(data: bytes, filename: str, sheet: str | None,
               is_known: Callable[[str], bool] | None) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise DataError("unreadable_xlsx", file=filename,
                        detail=type(exc).__name__) from None
    except Exception as exc:  # openpyxl raises its own types for damaged workbooks
        raise DataError("unreadable_xlsx", file=filename,
                        detail=type(exc).__name__) from None
    try:
        names = workbook.sheetnames
        worksheets = workbook.worksheets
        if not worksheets:
            raise DataError("no_sheets", file=filename)
        if sheet is None:
            worksheet = worksheets[0]
        elif sheet in names:
            worksheet = workbook[sheet]
        elif sheet.strip().isdigit() and 1 <= int(sheet) <= len(worksheets):
            worksheet = worksheets[int(sheet) - 1]
        else:
            raise DataError("no_such_sheet", file=filename, sheet=sheet,
                            sheets=", ".join(names))
        title = worksheet.title
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()
        try:
            rows = [[cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
        except Exception as exc:
            raise DataError("unreadable_sheet", file=filename, sheet=title,
                            detail=type(exc).__name__) from None
    finally:
        workbook.close()
    index = _find_header(rows[:HEADER_SEARCH_ROWS], is_known)
    if index is None:
        if any(any(c.strip() for c in row) for row in rows):
            raise DataError("no_header_row", file=filename, rows=HEADER_SEARCH_ROWS)
        raise DataError("sheet_empty", file=filename, sheet=title)
    width = max(len(row) for row in rows[index:])
    headers = rows[index] + [""] * (width - len(rows[index]))
    body = [row + [""] * (width - len(row)) for row in rows[index + 1:]]
    frame = pd.DataFrame(body, columns=range(width), dtype=str) if body else pd.DataFrame(
        {i: pd.Series([], dtype=str) for i in range(width)})
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
    quoted = values.str.startswith("'") & values.str.slice(1, 2).isin(list(FORMULA_PREFIXES))
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
