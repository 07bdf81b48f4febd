"""Hostile import files, built small on disk in a moment (security issue 10, finding 1).

A zip member that unpacks to hundreds of MiB is written without compressing hundreds of
MiB: one MiB of the repeated content is deflated once, ending in a full flush (which
empties the compressor's history and aligns to a byte), so that the same compressed
bytes can stand for every further MiB; the member's CRC is computed over the repeats.
The zip itself is written by hand (``write_zip``), so a test may also make a header lie
about a member's size.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20


@dataclass
class Member:
    """A zip member: ``head`` + ``body`` × ``repeat`` + ``tail``, deflated.

    ``declared`` replaces the true uncompressed size in both headers (a lie).
    """

    name: str
    head: bytes = b""
    body: bytes = b""
    repeat: int = 0
    tail: bytes = b""
    declared: int | None = None


def _deflate(data: bytes, final: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _member_data(member: Member) -> tuple[bytes, int, int]:
    """The deflated bytes, CRC-32 and true size of ``member``."""
    parts = [_deflate(member.head, final=False)]
    crc = zlib.crc32(member.head)
    if member.repeat:
        block = _deflate(member.body, final=False)
        parts.append(block * member.repeat)
        for _ in range(member.repeat):
            crc = zlib.crc32(member.body, crc)
    parts.append(_deflate(member.tail, final=True))
    crc = zlib.crc32(member.tail, crc)
    size = len(member.head) + len(member.body) * member.repeat + len(member.tail)
    return b"".join(parts), crc, size


def write_zip(path: Path, members: list[Member]) -> Path:
    """Write ``members`` as a deflated zip (no ZIP64: every size below 4 GiB)."""
    central = []
    with path.open("wb") as out:
        for member in members:
            data, crc, size = _member_data(member)
            size = member.declared if member.declared is not None else size
            name = member.name.encode()
            offset = out.tell()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc,
                                  len(data), size, len(name), 0) + name)
            out.write(data)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0,
                                       0x21, crc, len(data), size, len(name), 0, 0, 0, 0,
                                       0, offset) + name)
        start = out.tell()
        directory = b"".join(central)
        out.write(directory)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                              len(directory), start, 0))
    return path


# --- workbooks --------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="走访" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
SHEET_HEAD = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
              '<sheetData>').encode()
SHEET_TAIL = b"</sheetData></worksheet>"
_STRINGS = f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>日期</t></si></sst>'
HEADER_ROW = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>单位代码'
              '</t></is></c></row>')


def write_workbook(path: Path, sheet: Member, strings: Member | None = None) -> Path:
    """An ``.xlsx`` whose first sheet is ``sheet`` and shared strings ``strings``."""
    parts = [Member("[Content_Types].xml", _CONTENT_TYPES.encode()),
             Member("_rels/.rels", _ROOT_RELS.encode()),
             Member("xl/workbook.xml", _WORKBOOK.encode()),
             Member("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
             Member("xl/sharedStrings.xml", _STRINGS.encode()) if strings is None else strings,
             sheet]
    sheet.name = "xl/worksheets/sheet1.xml"
    parts[4].name = "xl/sharedStrings.xml"
    return write_zip(path, parts)


def two_sheets(path: Path, second_rows: int) -> Path:
    """A workbook whose first sheet (走访) holds a header, and whose second (备份) holds
    ``second_rows`` rows without a ``<dimension>``."""
    types = _CONTENT_TYPES.replace("</Types>", (
        '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
    workbook = _WORKBOOK.replace("</sheets>",
                                 '<sheet name="备份" sheetId="2" r:id="rId3"/></sheets>')
    rels = _WORKBOOK_RELS.replace("</Relationships>", (
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>'))
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    per_block = MIB // len(row)
    blocks, rest = divmod(second_rows - 1, per_block)
    return write_zip(path, [
        Member("[Content_Types].xml", types.encode()),
        Member("_rels/.rels", _ROOT_RELS.encode()),
        Member("xl/workbook.xml", workbook.encode()),
        Member("xl/_rels/workbook.xml.rels", rels.encode()),
        Member("xl/sharedStrings.xml", _STRINGS.encode()),
        Member("xl/worksheets/sheet1.xml", SHEET_HEAD + HEADER_ROW.encode() + SHEET_TAIL),
        Member("xl/worksheets/sheet2.xml", SHEET_HEAD + HEADER_ROW.encode(),
               row * per_block, blocks, row * rest + SHEET_TAIL)])


def huge_shared_string(path: Path, mib: int = 512, declared: int | None = None) -> Path:
    """One shared string of ``mib`` MiB (about 1 KB on disk per MiB)."""
    strings = Member("", f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>'.encode(),
                     b"a" * MIB, mib, b"</t></si></sst>", declared)
    sheet = Member("", SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
                   tail=SHEET_TAIL)
    return write_workbook(path, sheet, strings)


def lying_content_types(path: Path, mib: int = 1000) -> Path:
    """A workbook whose ``[Content_Types].xml`` declares its true XML but goes on with
    ``mib`` MiB of spaces (``ZipFile.read`` would inflate them all at once)."""
    types = _CONTENT_TYPES.encode()
    sheet = Member("xl/worksheets/sheet1.xml", SHEET_HEAD + HEADER_ROW.encode() + SHEET_TAIL)
    return write_zip(path, [
        Member("[Content_Types].xml", types, b" " * MIB, mib, b"", len(types)),
        Member("_rels/.rels", _ROOT_RELS.encode()),
        Member("xl/workbook.xml", _WORKBOOK.encode()),
        Member("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
        Member("xl/sharedStrings.xml", _STRINGS.encode()), sheet])


def rows_sheet(path: Path, rows: int, cells: str = '<c t="inlineStr"><is><t>x</t></is></c>',
               header: str | None = None) -> Path:
    """A header row (``header``: its cells separated by commas), then ``rows - 1`` rows
    without row numbers, each holding ``cells`` (raw XML: a million rows take a moment
    and some KB)."""
    row = f"<row>{cells}</row>".encode()
    per_block = MIB // len(row)
    blocks, rest = divmod(rows - 1, per_block)
    first = HEADER_ROW if header is None else "<row>" + "".join(
        f'<c t="inlineStr"><is><t>{cell}</t></is></c>' for cell in header.split(",")
    ) + "</row>"
    sheet = Member("", SHEET_HEAD + first.encode(), row * per_block, blocks,
                   row * rest + SHEET_TAIL)
    return write_workbook(path, sheet)


def far_column_sheet(path: Path, rows: int = 4000, column: str = "XFD") -> Path:
    """A header row, then ``rows - 1`` rows each with one cell in ``column``."""
    body = "".join(f'<row r="{n}"><c r="{column}{n}" t="inlineStr"><is><t>x</t></is></c></row>'
                   for n in range(2, rows + 1)).encode()
    sheet = Member("", SHEET_HEAD + HEADER_ROW.encode() + body, tail=SHEET_TAIL)
    return write_workbook(path, sheet)


def wide_sheet(path: Path, columns: int) -> Path:
    """A header row of ``columns`` cells (日期, 单位代码, then C3 … as text)."""
    from geo.io.limits import column_letter

    cells = "".join(f'<c r="{column_letter(i)}1" t="inlineStr"><is><t>列{i}</t></is></c>'
                    for i in range(2, columns))
    header = HEADER_ROW.replace("</row>", cells + "</row>")
    sheet = Member("", SHEET_HEAD + header.encode(), tail=SHEET_TAIL)
    return write_workbook(path, sheet)


# --- boundary files ---------------------------------------------------------------------

def zip_bomb_shapefile(path: Path, mib: int = 1025, declared: int | None = None) -> Path:
    """A zipped Shapefile whose ``.dbf`` unpacks to ``mib`` MiB of spaces (about 1 MB on
    disk); ``declared`` makes the zip's headers give another size for it."""
    return write_zip(path, [
        Member("villages.shp", b"\x00" * 100),
        Member("villages.shx", b"\x00" * 100),
        Member("villages.dbf", b"\x03", b" " * MIB, mib, b"\x1a", declared),
    ])
