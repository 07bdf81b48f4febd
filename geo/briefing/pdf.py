"""The briefing as a PDF of one or two A4 pages, typeset with reportlab (platypus).

Page one: the title with the county and the as-of date, the KPIs with their change,
and the map (``geo.briefing.static_map``); then the 10 villages that most need
attention, the red and black lists and the visits by month (a reportlab bar chart).
Every text is set in the CJK TrueType font (``geo.briefing.fonts``), embedded as a
subset; names from the data are escaped before reportlab reads its markup.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from html import escape

import pandas as pd
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from geo.briefing.data import Briefing, days_text, kpi_rows, reason_texts
from geo.briefing.fonts import register_pdf_font
from geo.briefing.static_map import map_png
from geo.i18n import translate

MARGIN = 14 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
ACCENT = colors.HexColor("#B71C1C")  # UI.md's one accent colour (the title rule)
BLACK_LIST = colors.HexColor("#333333")
BAR = colors.HexColor("#2166AC")  # the map's "served" blue
GRID = colors.HexColor("#BBBBBB")
HEADER_FILL = colors.HexColor("#EEEEEE")
MUTED = colors.HexColor("#555555")
MAP_WIDTH = CONTENT_WIDTH
NEGLECTED_WIDTHS_MM = (9, 22, 19, 11, 44, 20, 57)
"""序号, 村（社区）, 乡镇, 程度, 原因, 距上次走访, 结对单位 (mm; 182 in all)."""


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, bulletFontName=font, fontSize=9.5,
                          leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=19, leading=24, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=10.5, textColor=MUTED,
                                   spaceAfter=4),
        "heading": ParagraphStyle("heading", base, fontSize=12.5, leading=16,
                                  spaceBefore=7, spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("cell", base, fontSize=8.8, leading=11.5),
        "small": ParagraphStyle("small", base, fontSize=8, leading=10.5, textColor=MUTED),
        "kpi_label": ParagraphStyle("kpi_label", base, fontSize=9.5, alignment=1),
        "kpi_value": ParagraphStyle("kpi_value", base, fontSize=20, leading=24,
                                    alignment=1),
        "kpi_change": ParagraphStyle("kpi_change", base, fontSize=8.5, leading=11,
                                     alignment=1, textColor=MUTED),
    }


def _kpi_table(briefing: Briefing, lang: str, styles: dict[str, ParagraphStyle]) -> Table:
    """The KPI cards side by side (the overview's five): label, value, change against the
    previous window."""
    rows = kpi_rows(briefing, lang)
    since = translate("kpi.delta_previous", lang, window=briefing.window_days)
    cells = [
        [Paragraph(escape(row.label), styles["kpi_label"]) for row in rows],
        [Paragraph(escape(row.value), styles["kpi_value"]) for row in rows],
        [Paragraph(escape(f"{since} {row.change_text}"), styles["kpi_change"])
         for row in rows],
    ]
    table = Table(cells, colWidths=[CONTENT_WIDTH / len(rows)] * len(rows))
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles["body"].fontName),
        ("BOX", (0, 0), (-1, -1), 0.6, GRID),
        ("LINEAFTER", (0, 0), (-2, -1), 0.6, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _grid_style(font: str, header_fill: colors.Color = HEADER_FILL) -> TableStyle:
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), header_fill),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ])


def _text(value: object) -> str:
    """A cell's text: a missing value as nothing."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _neglected_table(briefing: Briefing, lang: str,
                     styles: dict[str, ParagraphStyle]) -> Table:
    """The villages that most need attention, with their reasons."""
    cell = styles["cell"]
    header = [translate(key, lang) for key in (
        "briefing.number", "table.village", "table.township", "neglected.group",
        "neglected.reasons", "tooltip.days", "table.departments")]
    rows = [[Paragraph(escape(text), cell) for text in header]]
    table = briefing.neglected
    for number, (row, reasons) in enumerate(zip(table.itertuples(index=False),
                                                reason_texts(briefing, lang), strict=True),
                                            start=1):
        values = [str(number), _text(row.village), _text(row.township),
                  translate(f"group.{row.group}", lang), reasons,
                  days_text(row.days_since_last_visit, lang), _text(row.departments) or "—"]
        rows.append([Paragraph(escape(str(value)), cell) for value in values])
    result = Table(rows, colWidths=[w * mm for w in NEGLECTED_WIDTHS_MM], repeatRows=1)
    result.setStyle(_grid_style(cell.fontName))
    return result


def _department_list(title: str, rows: pd.DataFrame, lang: str, fill: colors.Color,
                     styles: dict[str, ParagraphStyle], width: float) -> Table:
    """One of the red and black lists: rank, department, score; the title on a coloured
    band."""
    cell = styles["cell"]
    white = ParagraphStyle("white", cell, textColor=colors.white)
    data = [[Paragraph(escape(title), white), "", ""],
            [Paragraph(escape(translate(key, lang)), cell)
             for key in ("departments.rank", "table.department", "departments.score")]]
    if rows.empty:
        data.append([Paragraph(escape(translate("departments.no_scores", lang)), cell),
                     "", ""])
    for row in rows.itertuples(index=False):
        data.append([Paragraph(str(int(row.rank)), cell), Paragraph(escape(str(row.name)), cell),
                     Paragraph(f"{row.score:.2f}", cell)])
    table = Table(data, colWidths=[width * 0.17, width * 0.63, width * 0.20])
    style = _grid_style(cell.fontName)
    style.add("SPAN", (0, 0), (-1, 0))
    style.add("BACKGROUND", (0, 0), (-1, 0), fill)
    style.add("BACKGROUND", (0, 1), (-1, 1), HEADER_FILL)
    if rows.empty:
        style.add("SPAN", (0, 2), (-1, 2))
    table.setStyle(style)
    return table


def _months_chart(briefing: Briefing, lang: str, font: str) -> Drawing:
    """Visits by month as vertical bars, each with its number."""
    height = 58 * mm
    drawing = Drawing(CONTENT_WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 9 * mm
    chart.width, chart.height = CONTENT_WIDTH - 16 * mm, height - 16 * mm
    values = [int(v) for v in briefing.months["visits"]]
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = list(briefing.months["month"]) or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.dy = -3
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.valueAxis.visibleGrid = True
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _map_image(briefing: Briefing, lang: str) -> Image:
    """The map without its own title (the page says it), trimmed, the page's width."""
    data = map_png(briefing, lang, titled=False, cropped=True)
    width, height = ImageReader(io.BytesIO(data)).getSize()
    return Image(io.BytesIO(data), width=MAP_WIDTH, height=MAP_WIDTH * height / width)


def _footer(lang: str, font: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Draws the footer (what, page number) on each page."""
    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(A4[0] / 2, 8 * mm,
                                 translate("briefing.footer", lang, page=document.page))
        canvas.restoreState()

    return draw


def briefing_pdf(briefing: Briefing, lang: str) -> bytes:
    """The briefing as PDF bytes: A4 portrait, the CJK font embedded."""
    font = register_pdf_font()
    styles = _styles(font)
    title = translate("briefing.title", lang, county=briefing.county)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=title, author="PairMap", subject=title, invariant=1,
        initialFontName=font)  # no unembedded Helvetica at the start of each page
    story: list = [
        Paragraph(escape(title), styles["title"]),
        Table([[""]], colWidths=[CONTENT_WIDTH], rowHeights=[1.2],
              style=[("LINEABOVE", (0, 0), (-1, 0), 1.6, ACCENT),
                     ("FONTNAME", (0, 0), (-1, -1), font)]),
        Paragraph(escape(translate("briefing.subtitle", lang,
                                   as_of=briefing.as_of.isoformat(),
                                   window=briefing.window_days,
                                   made_on=briefing.made_on.isoformat())),
                  styles["subtitle"]),
        Paragraph(escape(translate("briefing.kpis", lang)), styles["heading"]),
        _kpi_table(briefing, lang, styles),
        Paragraph(escape(translate("briefing.map", lang)), styles["heading"]),
        _map_image(briefing, lang),
    ]
    if briefing.map.schematic:
        story.append(Paragraph(escape(translate("caption.schematic", lang)), styles["small"]))
    story.append(KeepTogether([
        Paragraph(escape(translate("briefing.neglected", lang)), styles["heading"]),
        Paragraph(escape(translate("briefing.neglected_caption", lang,
                                   total=briefing.neglected_total,
                                   severe=briefing.kpis.severe)), styles["small"]),
        Spacer(1, 2 * mm),
        _neglected_table(briefing, lang, styles),
    ]))
    half = (CONTENT_WIDTH - 6 * mm) / 2
    lists = Table([[
        _department_list(translate("departments.list_red", lang), briefing.red, lang, ACCENT,
                         styles, half),
        _department_list(translate("departments.list_black", lang), briefing.black, lang,
                         BLACK_LIST, styles, half),
    ]], colWidths=[half + 3 * mm, half + 3 * mm])
    lists.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), font),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm)]))
    story.append(KeepTogether([
        Paragraph(escape(translate("briefing.red_black", lang, window=briefing.window_days)),
                  styles["heading"]),
        lists,
    ]))
    period = briefing.months_period
    story.append(KeepTogether([
        Paragraph(escape(translate("briefing.months", lang,
                                   start=period.start.isoformat(),
                                   end=period.as_of.isoformat())), styles["heading"]),
        _months_chart(briefing, lang, font),
    ]))
    footer = _footer(lang, font)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
