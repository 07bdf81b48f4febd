"""The briefing as a workbook: one sheet per table, sheet names and headers in the
briefing's language (Chinese by default), written with openpyxl. Text cells that a
spreadsheet would run as formulas are neutralised, as in every export."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl.utils import get_column_letter

from geo.briefing.data import Briefing, days_value, kpi_rows, reason_texts
from geo.i18n import translate
from geo.io.table_files import neutralised

SHEETS = ("info", "kpis", "neglected", "red", "black", "months")
"""The sheets in order (``briefing.sheet.<name>`` in the catalogue)."""


def _info(briefing: Briefing, lang: str) -> pd.DataFrame:
    boundaries = "briefing.info.schematic" if briefing.map.schematic else "briefing.info.official"
    rows = [("briefing.info.county", briefing.county),
            ("briefing.info.as_of", briefing.as_of.isoformat()),
            ("briefing.info.window", briefing.window_days),
            ("briefing.info.neglect", briefing.neglect_days),
            ("briefing.info.made_on", briefing.made_on.isoformat()),
            ("briefing.info.boundaries", translate(boundaries, lang))]
    return pd.DataFrame([(translate(key, lang), value) for key, value in rows],
                        columns=[translate("briefing.info.item", lang),
                                 translate("briefing.info.value", lang)])


def _kpis(briefing: Briefing, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(row.label, row.value, row.previous, row.change, row.unit)
         for row in kpi_rows(briefing, lang)],
        columns=[translate("briefing.kpi", lang), translate("briefing.kpi_value", lang),
                 translate("briefing.kpi_previous", lang),
                 translate("briefing.kpi_change", lang, window=briefing.window_days),
                 translate("briefing.kpi_unit", lang)])


def _neglected(briefing: Briefing, lang: str) -> pd.DataFrame:
    table = briefing.neglected
    columns = {
        "briefing.number": range(1, len(table) + 1),
        "neglected.code": table["code"],
        "table.village": table["village"],
        "table.township": table["township"],
        "neglected.group": [translate(f"group.{g}", lang) for g in table["group"]],
        "neglected.reasons": reason_texts(briefing, lang),
        "tooltip.days": [days_value(d, lang) for d in table["days_since_last_visit"]],
        "neglected.shortfalls": table["shortfalls"],
        "table.departments": table["departments"],
        "card.priority": table["priority"],
    }
    return pd.DataFrame({translate(key, lang): list(values)
                         for key, values in columns.items()})


def _department_list(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        translate("departments.rank", lang): rows["rank"].astype("int64").to_numpy(),
        translate("table.department", lang): rows["name"].to_numpy(),
        translate("departments.score", lang): rows["score"].round(2).to_numpy(),
    })


def _months(briefing: Briefing, lang: str) -> pd.DataFrame:
    return pd.DataFrame({translate("briefing.month", lang): briefing.months["month"],
                         translate("briefing.visits", lang): briefing.months["visits"]})


def briefing_tables(briefing: Briefing, lang: str) -> dict[str, pd.DataFrame]:
    """Sheet name → table, in ``SHEETS`` order."""
    tables = {"info": _info(briefing, lang), "kpis": _kpis(briefing, lang),
              "neglected": _neglected(briefing, lang),
              "red": _department_list(briefing.red, lang),
              "black": _department_list(briefing.black, lang),
              "months": _months(briefing, lang)}
    return {translate(f"briefing.sheet.{name}", lang): tables[name] for name in SHEETS}


def briefing_xlsx(briefing: Briefing, lang: str) -> bytes:
    """The workbook's bytes: one sheet per table, the header row frozen, columns wide
    enough for their text."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, table in briefing_tables(briefing, lang).items():
            neutralised(table).to_excel(writer, sheet_name=sheet, index=False)
            worksheet = writer.sheets[sheet]
            worksheet.freeze_panes = "A2"
            for position, column in enumerate(table.columns, start=1):
                longest = max([len(str(column)), *(len(str(v)) for v in table[column])])
                worksheet.column_dimensions[get_column_letter(position)].width = min(
                    60, 4 + longest * 2)
    return buffer.getvalue()
