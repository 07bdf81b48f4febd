"""The TrueType CJK font the PDF embeds and the map image writes with.

WenQuanYi Micro Hei (Debian package ``fonts-wqy-microhei``) is a TrueType collection
(``.ttc``); reportlab's ``TTFont`` reads its first face (``subfontIndex=0``) and embeds
the glyphs used (a ``FontFile2`` in the PDF). Without it, Chinese would come out as
empty boxes: ``cjk_font_path`` refuses with a message naming the package to install.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from geo.errors import ConfigError

FONT_PACKAGE = "fonts-wqy-microhei"
CJK_FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
"""Where the font is looked for, first found wins (Debian's path of ``FONT_PACKAGE``)."""
PDF_FONT_NAME = "WenQuanYiMicroHei"
"""The name the font is registered under in reportlab."""

_registering = threading.Lock()


def cjk_font_path(candidates: Sequence[Path] | None = None) -> Path:
    """Return the path of the CJK TrueType font.

    Raises
    ------
    ConfigError
        ``cjk_font_missing`` (naming ``FONT_PACKAGE``) when no candidate file exists.
    """
    paths = CJK_FONT_CANDIDATES if candidates is None else tuple(candidates)
    for path in paths:
        if path.is_file():
            return path
    raise ConfigError("cjk_font_missing", package=FONT_PACKAGE,
                      path=str(paths[0]) if paths else "")


def missing_font_error() -> ConfigError | None:
    """The error ``cjk_font_path`` raises, or None when the font is installed (a page
    offers the workbook without it, and says why the PDF and the image are missing)."""
    try:
        cjk_font_path()
    except ConfigError as error:
        return error
    return None


def register_pdf_font() -> str:
    """Register the CJK font with reportlab once per process; return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_path()
    with _registering:
        if PDF_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(PDF_FONT_NAME, str(path), subfontIndex=0))
    return PDF_FONT_NAME
