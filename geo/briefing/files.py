"""The briefing's files: PDF, XLSX or PNG, chosen by a path's ending."""

from __future__ import annotations

from pathlib import Path

from geo.briefing.data import Briefing
from geo.errors import DataError

BRIEFING_KINDS = ("pdf", "xlsx", "png")
NEEDS_CJK_FONT = ("pdf", "png")
"""The files that write Chinese with the CJK TrueType font (``geo.briefing.fonts``)."""
MIME_TYPES = {"pdf": "application/pdf",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "png": "image/png"}


def briefing_kind(path: Path | str) -> str:
    """The kind of file ``path`` names by its ending (``pdf``, ``xlsx`` or ``png``).

    Raises
    ------
    DataError
        ``briefing_suffix`` for any other ending.
    """
    suffix = Path(path).suffix.lower()
    kind = suffix.lstrip(".")
    if kind not in BRIEFING_KINDS:
        raise DataError("briefing_suffix", file=str(path), suffix=suffix or "—")
    return kind


def briefing_bytes(briefing: Briefing, kind: str, lang: str) -> bytes:
    """The briefing as one file's bytes: ``pdf``, ``xlsx`` or ``png`` (the map)."""
    if kind == "pdf":
        from geo.briefing.pdf import briefing_pdf

        return briefing_pdf(briefing, lang)
    if kind == "xlsx":
        from geo.briefing.xlsx import briefing_xlsx

        return briefing_xlsx(briefing, lang)
    if kind == "png":
        from geo.briefing.static_map import map_png

        return map_png(briefing, lang)
    raise DataError("briefing_suffix", suffix=f".{kind}")


def write_briefing(path: Path | str, briefing: Briefing, lang: str) -> Path:
    """Write the briefing to ``path`` in the format its ending names; return the path."""
    path = Path(path)
    content = briefing_bytes(briefing, briefing_kind(path), lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
