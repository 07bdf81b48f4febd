"""What an import found and did: one ``Issue`` and one ``Report`` type for both
importers (record tables and boundary files), and the column-wise issue collector.

An issue carries a stable code, the spreadsheet row, the file's own header, the cell and
named parameters; its sentence lives in the catalogue (``issue.<code>`` in
``geo.i18n``), so each language is rendered at the boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.i18n import shown_value, translate, translate_issue
from geo.io.readers import RawTable, unquote
from geo.values import to_python


@dataclass(frozen=True)
class Issue:
    """One error or warning of an import (a record file's row or a boundary feature).

    Attributes
    ----------
    row : int or None
        The spreadsheet row (the header row included in the count), or a boundary
        file's 1-based feature number; None for the file as a whole.
    column : str or None
        The file's own header of the cell.
    value : str or None
        The cell's text.
    code : str
        The stable code (``unknown_village``, ``future_date``, ``bad_geometry`` …).
    params : dict
        The message's other named values; ``variant`` picks a more precise sentence
        (``issue.<code>.<variant>``) while the code stays the same.
    """

    row: int | None
    column: str | None
    value: str | None
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English message."""
        return translate_issue(self, "en")

    def as_dict(self, lang: str = "en") -> dict:
        """The report's JSON form: row, column, value, code, message (in ``lang``)."""
        return {"row": self.row, "column": self.column, "value": self.value,
                "code": self.code, "message": translate_issue(self, lang)}

    def describe(self, unit: str = "row") -> str:
        """One English line for a person: where (``unit`` N, column, value), then what."""
        where = ", ".join(part for part in (
            f"{unit} {self.row}" if self.row is not None else "",
            f"column {self.column}" if self.column else "",
            f"value {shown_value(self.value, 'en')!r}" if self.value not in (None, "")
            else "",
        ) if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Report:
    """What an import did (or, with ``dry_run``, would have done).

    Counts are rows (features of a boundary file) written: with errors and without
    ``skip_invalid`` nothing is written and ``inserted``, ``updated`` and ``unchanged``
    are 0; ``rejected`` counts the rows with errors. A boundary import also tells the
    ``level``, the coordinate system it read (``crs``), the code and name columns it
    used and the ``.dbf`` encoding.
    """

    file: str
    table: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    rejected_file: str | None = None
    rejected_bytes: bytes | None = None
    dry_run: bool = False
    written: bool = False
    level: str | None = None
    crs: str | None = None
    code_field: str | None = None
    name_field: str | None = None
    encoding: str | None = None

    @property
    def exit_code(self) -> int:
        """0 when every row was valid, 1 when some were not."""
        return 1 if self.errors else 0

    @property
    def changed(self) -> bool:
        """Whether rows were (or, with ``dry_run``, would be) inserted or updated."""
        return bool(self.inserted or self.updated)

    def counts(self) -> dict[str, int]:
        """The counts (for the audit entry)."""
        return {"rows": self.rows, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected}

    def as_dict(self, lang: str = "en") -> dict:
        """The import contract's JSON object (a boundary import adds what it read), its
        issues' messages in ``lang``."""
        data: dict[str, object] = {
            "file": self.file,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [issue.as_dict(lang) for issue in self.errors],
            "warnings": [issue.as_dict(lang) for issue in self.warnings],
            "rejected_file": self.rejected_file,
        }
        if self.level is not None:
            data |= {"level": self.level, "crs": self.crs, "code_field": self.code_field,
                     "name_field": self.name_field, "encoding": self.encoding,
                     "dry_run": self.dry_run, "written": self.written}
        return data

    @property
    def unit(self) -> str:
        """What a row is: a boundary file's feature or a table's row."""
        return "feature" if self.level is not None else "row"

    def summary(self) -> str:
        """One English sentence: the counts, or why nothing was written."""
        if self.errors and self.rejected_bytes is None and not self.rejected_file:
            return (f"{self.file}: {self.rejected} of {self.rows} {self.unit}s invalid; "
                    "nothing was imported")
        verb = "would be" if self.dry_run else "were"
        return (f"{self.file}: {self.rows} {self.unit}s; {self.inserted} {verb} inserted, "
                f"{self.updated} updated, {self.unchanged} unchanged")

    def messages(self) -> list[str]:
        """The summary, then one line per error and warning."""
        lines = [self.summary()]
        lines += [f"error: {issue.describe(self.unit)}" for issue in self.errors]
        lines += [f"warning: {issue.describe(self.unit)}" for issue in self.warnings]
        return lines


Progress = Callable[[float], None]


class Stages:
    """Report progress in stages: reading, checking, matching, writing."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.low, self.high = 0.0, 1.0

    def stage(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.step(0.0)

    def step(self, fraction: float) -> None:
        if self.callback is not None:
            value = self.low + (self.high - self.low) * min(1.0, max(0.0, fraction))
            self.callback(round(value, 4))


class Issues:
    """Errors and warnings collected column-wise (positions into the file's rows)."""

    def __init__(self, raw: RawTable, columns: dict[str, str]) -> None:
        self.raw = raw
        self.columns = columns
        self.error_rows = np.zeros(len(raw), dtype=bool)
        self._errors: list[tuple[np.ndarray, str | None, list, str, list[dict]]] = []
        self._warnings: list[tuple[np.ndarray, str | None, list, str, list[dict]]] = []

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def _add(self, target: list, positions: np.ndarray, name: str | None, code: str,
             params: dict | None, values: object) -> None:
        if len(positions) == 0:
            return
        label = None if name is None else self.column(name)
        if values is None and name is not None and name in self.columns:
            # The cell as the person typed it: without the ' an export put before "-3".
            cells = unquote(self.raw.frame[self.columns[name]].iloc[positions])
            cell_values = [str(v).strip() for v in cells]
        elif values is None:
            cell_values = [None] * len(positions)
        else:
            cell_values = list(values)
        per_row = []
        for index in range(len(positions)):
            row_params = {}
            for key, value in (params or {}).items():
                if isinstance(value, (np.ndarray, pd.Series, list)):
                    row_params[key] = to_python(np.asarray(value, dtype=object)[index]
                                                   if isinstance(value, pd.Series)
                                                   else value[index])
                else:
                    row_params[key] = value
            per_row.append(row_params)
        target.append((positions, label, cell_values, code, per_row))

    def error(self, mask: np.ndarray | pd.Series, name: str | None, code: str,
              params: dict | None = None, values: Iterable | None = None,
              positions: np.ndarray | None = None) -> None:
        """Add ``code`` for the rows of ``mask`` (or ``positions``); ``params`` values that
        are arrays are aligned with those rows."""
        where = positions if positions is not None else np.flatnonzero(np.asarray(mask))
        self.error_rows[where] = True
        self._add(self._errors, where, name, code, params, values)

    def warning(self, mask: np.ndarray | pd.Series | None, name: str | None, code: str,
                params: dict | None = None, values: Iterable | None = None,
                positions: np.ndarray | None = None) -> None:
        """Add the warning ``code`` (see ``error``)."""
        where = positions if positions is not None else np.flatnonzero(np.asarray(mask))
        self._add(self._warnings, where, name, code, params, values)

    def file_warning(self, column: str | None, code: str, params: dict | None = None) -> None:
        """A warning about a whole column, or with ``column`` None the whole file
        (reported on the header row)."""
        self._warnings.append((np.array([-1]), column, [None], code, [dict(params or {})]))

    def build(self, target: str) -> list[Issue]:
        """The errors or warnings (``target``), by row, then in the order they were
        found."""
        return [issue for *_, issue in self.keyed(target)]

    def keyed(self, target: str) -> list[tuple[int, int, int, Issue]]:
        """The errors or warnings (``target``) as ``(row, order, position, issue)``,
        sorted by row and then by the order they were found; ``position`` is the row's
        position in the table (-1 for a warning about a whole column)."""
        rows = self.raw.row_numbers
        entries = self._errors if target == "errors" else self._warnings
        issues = []
        for order, (positions, label, values, code, params) in enumerate(entries):
            for position, value, row_params in zip(positions, values, params, strict=True):
                row = self.raw.header_row if position < 0 else int(rows[position])
                issues.append((row, order, int(position),
                               Issue(row, label, value, code, row_params)))
        issues.sort(key=lambda item: (item[0], item[1]))
        return issues

    def reasons(self, lang: str = "en") -> pd.Series:
        """For each row with errors, its messages in ``lang``, each after its column
        (``走访户数：-3 是负数…``), joined by ``; ``."""
        parts: dict[int, list[str]] = {}
        for positions, label, values, code, params in self._errors:
            for position, value, row_params in zip(positions, values, params, strict=True):
                parts.setdefault(int(position), []).append(
                    reason(Issue(None, label, value, code, row_params), lang))
        return pd.Series({k: "; ".join(v) for k, v in sorted(parts.items())}, dtype=object)


def reason(issue: Issue, lang: str = "en") -> str:
    """An error as a rejected row's reason: its message in ``lang`` after its column
    (``走访户数：-3 是负数…``)."""
    message = translate_issue(Issue(None, issue.column, issue.value, issue.code,
                                    issue.params), lang)
    if issue.column is None:
        return message
    return translate("import.reason", lang, column=issue.column, message=message)
