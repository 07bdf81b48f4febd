"""Record imports, step 3: turn each table's columns into typed, checked values.

Cells are parsed column-wise (``geo.io.readers``); every problem becomes an issue on its
row. The visit rules shared with the form are in ``geo.visit_rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo import schema
from geo.access import User
from geo.errors import DataError
from geo.io.readers import (
    RawTable,
    as_mask,
    by_unique,
    normal_text,
    parse_dates,
    parse_decimals,
    parse_flags,
    parse_whole_numbers,
    unquote,
)
from geo.io.report import Issues
from geo.io.resolve import (
    Reference,
    kind_lookup,
    resolve_counties,
    resolve_departments,
    resolve_villages,
)
from geo.pairing_rules import required_visits_failures
from geo.problem_rules import check_problems, split_codes
from geo.schema import VILLAGE_FIGURES, VILLAGE_KINDS, VISIT_COUNT_FIELDS
from geo.visit_rules import (
    CONTROL_CHARACTERS,
    COORDINATE_LIMITS,
    MAX_COUNT,
    RuleFailure,
    check_visits,
    visit_rules,
    visit_warnings,
)

TEXT_LIMITS = {"department_code": schema.departments.c.code.type.length,
               "name": schema.admin_units.c.name.type.length,
               "short_name": schema.admin_units.c.short_name.type.length,
               "cadre_name": schema.cadres.c.name.type.length}
"""The longest text of the other tables' fields: their database columns' lengths."""


@dataclass
class Context:
    table: str
    raw: RawTable
    columns: dict[str, str]
    issues: Issues
    reference: Reference
    today: date
    actor: User

    def has(self, name: str) -> bool:
        return name in self.columns

    def text(self, name: str, distinct: bool = True) -> pd.Series | None:
        """The column's text in normal form (``'`` removed), or None when absent.

        ``distinct=False`` for free text, where nearly every cell differs.
        """
        if name not in self.columns:
            return None
        values = unquote(self.raw.frame[self.columns[name]])
        return normal_text(values, distinct=distinct).reset_index(drop=True)

    def cells(self, name: str) -> pd.Series | None:
        """The column's cells with an export's ``'`` removed (not normalised)."""
        if name not in self.columns:
            return None
        return unquote(self.raw.frame[self.columns[name]]).reset_index(drop=True)

    def blank(self) -> pd.Series:
        return pd.Series([""] * len(self.raw), dtype=str)

    def limit(self, values: pd.Series | None, name: str, limit: int | None) -> None:
        """Refuse text longer than ``limit`` (None: any length) or holding a control
        character such as NUL (PostgreSQL refuses it; a name never holds one)."""
        if values is None:
            return
        if limit is not None:
            too_long = as_mask(values.str.len() > limit)
            self.issues.error(too_long, name, "too_long", {"limit": limit})
        control = as_mask(values.str.contains(CONTROL_CHARACTERS, regex=True))
        self.issues.error(control, name, "control_character")

    def required_text(self, name: str) -> pd.Series:
        values = self.text(name)
        if values is None:
            return self.blank()
        self.issues.error(as_mask(values == ""), name, "missing_value")
        return values

    def counts(self, name: str, default: int | None, checked: bool = True) -> pd.Series:
        """Whole numbers (``checked``: not negative, within ``MAX_COUNT``); empty cells
        get ``default``. Visits leave the range to ``geo.visit_rules``."""
        values = self.text(name)
        if values is None:
            return pd.Series([default] * len(self.raw), dtype="Int64")
        numbers, bad = parse_whole_numbers(values)
        self.issues.error(bad.to_numpy(), name, "bad_number")
        if checked:
            self.issues.error(as_mask(numbers < 0), name, "negative_count")
            self.issues.error(as_mask(numbers > MAX_COUNT), name, "bad_number")
        if default is not None:
            numbers = numbers.fillna(default)
        return numbers.reset_index(drop=True)

    def dates(self, name: str, required: bool) -> pd.Series:
        values = self.text(name)
        if values is None:
            return pd.Series(np.full(len(self.raw), np.datetime64("NaT"), "datetime64[s]"))
        days, empty, bad = parse_dates(values)
        self.issues.error(bad.to_numpy(), name, "bad_date")
        if required:
            self.issues.error(empty.to_numpy(), name, "missing_value")
        return days.reset_index(drop=True)

    def flags(self, name: str) -> pd.Series:
        values = self.text(name)
        if values is None:
            return pd.Series(pd.array([pd.NA] * len(self.raw), dtype="boolean"))
        flags, bad = parse_flags(values)
        self.issues.error(bad.to_numpy(), name, "bad_flag")
        return flags.reset_index(drop=True)

    def point(self, lon_name: str, lat_name: str, checked: bool = True
              ) -> tuple[pd.Series, pd.Series]:
        """Longitude and latitude as floats (NaN when empty); ``checked``: within range
        and both or neither (visits leave that to ``geo.visit_rules``)."""
        nan = pd.Series(np.full(len(self.raw), np.nan))
        result = []
        for name, (axis, limit) in zip((lon_name, lat_name), COORDINATE_LIMITS.values(),
                                       strict=True):
            values = self.cells(name)
            if values is None:
                result.append(nan)
                continue
            numbers, bad = parse_decimals(values)
            self.issues.error(bad.to_numpy(), name, "bad_decimal")
            if not checked:
                result.append(numbers.reset_index(drop=True))
                continue
            outside = as_mask(numbers.abs() > limit)
            self.issues.error(outside, name, "bad_coordinate", {"axis": axis, "variant": axis})
            result.append(numbers.where(~outside, np.nan).reset_index(drop=True))
        lon, lat = result
        if checked and (self.has(lon_name) or self.has(lat_name)):
            lon_given = ~np.isnan(lon.to_numpy()) if self.has(lon_name) else np.zeros(
                len(self.raw), dtype=bool)
            lat_given = ~np.isnan(lat.to_numpy()) if self.has(lat_name) else np.zeros(
                len(self.raw), dtype=bool)
            half = (lon_given != lat_given) & ~self.issues.error_rows
            name = lon_name if self.has(lon_name) else lat_name
            self.issues.error(half, name, "incomplete_point")
        return lon, lat

    def kinds(self, name: str, choices: tuple[str, ...], required: bool) -> pd.Series:
        values = self.text(name)
        if values is None:
            return pd.Series([None] * len(self.raw), dtype=object)
        lookup = kind_lookup(choices)
        mapped = by_unique(values, lookup.get)  # None where no kind matches
        empty = as_mask(values == "")
        unknown = mapped.isna().to_numpy() & ~empty
        self.issues.error(unknown, name, "unknown_kind", {"choices": tuple(choices)})
        if required:
            self.issues.error(empty, name, "missing_value")
        return mapped.reset_index(drop=True)

    def departments(self) -> pd.Series:
        codes = self.text("department_code")
        self.limit(codes, "department_code", TEXT_LIMITS["department_code"])
        return resolve_departments(self.issues, self.reference, codes, self.text("department"))

    def counties(self) -> pd.Series:
        """The ``county_code`` column resolved to stored counties (None where empty or
        the column is absent). The column is required when the database holds several
        counties (``DataError``, as a required column missing)."""
        values = self.text("county_code")
        if values is None:
            if len(self.reference.counties) > 1:
                raise DataError("county_column_required", file=self.raw.file,
                                row=self.raw.header_row,
                                counties=len(self.reference.counties))
            return pd.Series([None] * len(self.raw), dtype=object)
        return resolve_counties(self.issues, self.reference, values)

    def villages(self, code_field: str = "village_code", name_field: str = "village",
                 extra_names: pd.Series | None = None) -> pd.Series:
        names = self.text(name_field)
        if extra_names is not None:
            names = extra_names if names is None else names.where(names != "", extra_names)
        return resolve_villages(self.issues, self.reference, self.text(code_field), names,
                                 self.text("township"), code_field, name_field)

    def duplicates(self, keys: pd.DataFrame, usable: np.ndarray, name: str,
                   values: pd.Series | None = None) -> None:
        """Error on every repeat of a key (after its first row)."""
        frame = keys[usable]
        if frame.empty:
            return
        repeat = frame.duplicated(keep=False)
        if not repeat.any():
            return
        group = frame[repeat].groupby(list(frame.columns), sort=False, dropna=False).ngroup()
        positions = group.index.to_numpy()
        first_pos = pd.Series(positions).groupby(group.to_numpy()).transform("min").to_numpy()
        later = positions != first_pos
        rows = self.raw.row_numbers
        cell = None if values is None else [values.iloc[p] for p in positions[later]]
        self.issues.error(None, name, "duplicate_in_file",
                          {"first_row": rows[first_pos[later]]},
                          values=cell, positions=positions[later])


def prepare_visits(ctx: Context, check: bool = True) -> pd.DataFrame:
    """Visit rows, typed; with ``check`` the visit rules too (``geo.visit_rules``; they
    add issues and change no value, so rows taken again to be written skip them)."""
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    rows["date"] = ctx.dates("date", required=True)
    rows["department_code"] = ctx.departments()
    rows["village_code"] = ctx.villages()
    rows["kind"] = ctx.kinds("kind", schema.VISIT_KINDS, required=True)
    for name in VISIT_COUNT_FIELDS:
        rows[name] = ctx.counts(name, default=0, checked=False)
    rows["lon"], rows["lat"] = ctx.point("lon", "lat", checked=False)
    rows["summary"] = ctx.text("summary", distinct=False) if ctx.has("summary") else ctx.blank()
    rows["cadre_ids"] = ctx.text("cadre_ids") if ctx.has("cadre_ids") else ctx.blank()
    rid = ctx.text("record_id", distinct=False)
    rows["record_id"] = rid if rid is not None else ctx.blank()
    if check:
        parsed_badly = ctx.issues.error_rows.copy()
        errors, warnings = check_visits(rows.drop(columns="pos"), ctx.today,
                                        households=ctx.reference.village_households())
        # A point cell that did not parse is empty here; that row is already refused.
        errors = [f for f in errors
                  if not (f.code == "incomplete_point" and parsed_badly[f.position])]
        _report_failures(ctx, errors, ctx.issues.error)
        _report_failures(ctx, warnings, ctx.issues.warning)
    for name in VISIT_COUNT_FIELDS:
        too_big = as_mask(rows[name] > MAX_COUNT)
        rows[name] = rows[name].where(~too_big, 0).fillna(0).astype("int64")
    return rows


def _rule_order() -> dict[tuple[str, str], tuple[int, tuple[str, str]]]:
    """Each rule's (field, code) with its place: by the field's column in
    ``prepare_visits``'s rows, then the rule's place in ``geo.visit_rules``."""
    fields = ["date", "department_code", "village_code", "kind", *VISIT_COUNT_FIELDS, "lon",
              "lat", "summary", "cadre_ids", "record_id"]
    names = [*visit_rules(date(2000, 1, 1), households={})[1], *visit_warnings()[1]]
    keys = [tuple(name.split(":", 1)) for name in names]
    ranked = sorted(keys, key=lambda key: (fields.index(key[0]) if key[0] in fields
                                           else len(fields), keys.index(key)))
    return {key: (place, key) for place, key in enumerate(ranked)}


_RULE_ORDER = _rule_order()


def _report_failures(ctx: Context, failures: list[RuleFailure],
                     add: Callable[..., None]) -> None:
    """Add rule failures as issues, one call per field and code (cells as the file has
    them), in the order of the rules' fields and codes: two failures of one row are
    listed in the same order whichever rows the file holds besides (a file checked in
    blocks reports what it reports checked whole)."""
    groups: dict[tuple[str, str], list[RuleFailure]] = {}
    for failure in failures:
        groups.setdefault((failure.field, failure.code), []).append(failure)
    for (name, code), group in sorted(groups.items(), key=lambda item: _RULE_ORDER.get(
            item[0], (len(_RULE_ORDER), item[0]))):
        positions = np.array([f.position for f in group], dtype=np.int64)
        keys = sorted({key for f in group for key in f.params})
        params = {key: np.array([f.params.get(key) for f in group], dtype=object)
                  for key in keys}
        add(None, name, code, params, positions=positions)


def _prepare_pairings(ctx: Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    rows["department_code"] = ctx.departments()
    rows["village_code"] = ctx.villages()
    rows["start_date"] = ctx.dates("start_date", required=True)
    rows["end_date"] = ctx.dates("end_date", required=False)
    rows["kind"] = ctx.kinds("kind", schema.PAIRING_KINDS, required=False)
    required = ctx.counts("required_visits_per_month", default=None, checked=False)
    for mask, code, params in required_visits_failures(required):
        ctx.issues.error(mask, "required_visits_per_month", code, params)
    rows["required_visits_per_month"] = required
    note = ctx.text("note")
    ctx.limit(note, "note", None)
    rows["note"] = note if note is not None else ctx.blank()
    before = as_mask(rows["end_date"] < rows["start_date"])
    if before.any():
        starts = rows["start_date"].dt.strftime("%Y-%m-%d").to_numpy()[before]
        ctx.issues.error(before, "end_date", "end_before_start", {"start": starts})
    return rows


def _prepare_villages(ctx: Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    name_field = "name" if ctx.has("name") or not ctx.has("short_name") else "short_name"
    rows["code"] = ctx.villages("code", name_field, extra_names=ctx.text("short_name"))
    for name in ("name", "short_name"):
        values = ctx.text(name)
        ctx.limit(values, name, TEXT_LIMITS[name])
        rows[name] = values if values is not None else ctx.blank()
    rows["kind"] = ctx.kinds("kind", VILLAGE_KINDS, required=False)
    for name in VILLAGE_FIGURES:
        rows[name] = ctx.counts(name, default=None)
    rows["weak"] = ctx.flags("weak")
    return rows


def _prepare_departments(ctx: Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    codes = ctx.required_text("code")
    ctx.limit(codes, "code", TEXT_LIMITS["department_code"])
    rows["code"] = codes
    rows["county_code"] = ctx.counties()
    names = ctx.text("name")
    ctx.limit(names, "name", TEXT_LIMITS["name"])
    rows["name"] = names if names is not None else ctx.blank()
    rows["kind"] = ctx.kinds("kind", schema.DEPARTMENT_KINDS, required=False)
    rows["party_members"] = ctx.counts("party_members", default=None)
    rows["seat_lon"], rows["seat_lat"] = ctx.point("seat_lon", "seat_lat")
    rows["active"] = ctx.flags("active")
    return rows


def _prepare_cadres(ctx: Context) -> pd.DataFrame:
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    rows["id"] = ctx.counts("id", default=None)
    rows["department_code"] = ctx.departments()
    names = ctx.required_text("name")
    ctx.limit(names, "name", TEXT_LIMITS["cadre_name"])
    rows["name"] = names
    rows["leader"] = ctx.flags("leader")
    rows["active"] = ctx.flags("active")
    return rows


STATUS_ALIASES: dict[str, str] = {
    **{status: status for status in schema.PROBLEM_STATUSES},
    "待办理": "open", "未办理": "open", "待办": "open", "受理": "open",
    "办理中": "in_progress", "正在办理": "in_progress",
    "已办结": "resolved", "已解决": "resolved", "办结": "resolved",
    "未解决已关闭": "closed_unresolved", "已关闭": "closed_unresolved",
    "未解决": "closed_unresolved",
}
"""A problem's status as written in a file (the export's codes or the usual Chinese)."""


def _prepare_problems(ctx: Context) -> pd.DataFrame:
    """Problem rows, typed and checked by ``geo.problem_rules`` (shared with the
    service). An empty due date is ``raised_on`` + 30 days; without a status column a
    row with a closing date is ``resolved``, one without is ``open``."""
    rows = pd.DataFrame({"pos": np.arange(len(ctx.raw))})
    rows["raised_on"] = ctx.dates("raised_on", required=True)
    rows["department_code"] = ctx.departments()
    rows["village_code"] = ctx.villages()
    rows["category"] = ctx.kinds("category", schema.PROBLEM_CATEGORIES, required=True)
    description = ctx.text("description", distinct=False)
    rows["description"] = description if description is not None else ctx.blank()
    ctx.issues.error(as_mask(rows["description"] == ""), "description", "missing_value")
    for name in ("resident", "co_departments", "resolution", "record_id"):
        values = ctx.text(name, distinct=name == "co_departments")
        rows[name] = values if values is not None else ctx.blank()
    due = ctx.dates("due_date", required=False)
    rows["due_date"] = due.where(due.notna(), rows["raised_on"] + pd.Timedelta(
        days=schema.PROBLEM_DUE_DAYS))
    rows["resolved_on"] = ctx.dates("resolved_on", required=False)
    status = ctx.text("status")
    if status is None:
        rows["status"] = np.where(rows["resolved_on"].notna(), "resolved", "open")
    else:
        lookup = {normal: code for alias, code in STATUS_ALIASES.items()
                  for normal in (alias, alias.lower())}
        mapped = status.map(lambda text: lookup.get(text, lookup.get(text.lower())))
        unknown = as_mask(mapped.isna() & (status != ""))
        ctx.issues.error(unknown, "status", "unknown_kind",
                         {"choices": tuple(schema.PROBLEM_STATUSES)})
        derived = pd.Series(np.where(rows["resolved_on"].notna(), "resolved", "open"))
        rows["status"] = mapped.where(mapped.notna(), derived).astype(object)
    rows["satisfaction"] = ctx.kinds("satisfaction", schema.SATISFACTION_RATINGS,
                                     required=False)
    rows["raised_visit_id"] = ctx.counts("raised_visit_id", default=None)
    rows["co_departments"] = [
        ";".join(code for code in split_codes(joint) if code != responsible)
        for joint, responsible in zip(rows["co_departments"], rows["department_code"],
                                      strict=True)]
    checked = rows.drop(columns=["pos", "village_code", "department_code"]).assign(
        status=rows["status"].where(~as_mask(rows["status"].isna()), "open"))
    known = ctx.reference.departments["code"].astype(str).tolist()
    failures = [f for f in check_problems(checked, ctx.today, known_departments=known)
                if f.code not in ("unknown_kind", "missing_value")  # said by the parsers
                and not (f.field in ("raised_on", "due_date", "resolved_on")
                         and ctx.issues.error_rows[f.position]
                         and f.code != "future_date")]
    _report_failures(ctx, failures, ctx.issues.error)
    return rows


PREPARERS = {"visits": prepare_visits, "problems": _prepare_problems,
             "pairings": _prepare_pairings,
             "villages": _prepare_villages, "departments": _prepare_departments,
             "cadres": _prepare_cadres}
