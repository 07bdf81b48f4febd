"""Record imports, step 2: resolve villages and departments given by code or by name.

A village may be named instead of coded (with its township when the name alone is
ambiguous), a department by its name; each distinct value is resolved once and its
issue reported on every row holding it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from geo import schema
from geo.io.report import Issues
from geo.schema import VILLAGE_FIGURES
from geo.store import select_frame
from geo.text import normalize_text, short_village_name


@dataclass
class Reference:
    """What the database holds that a file's rows are checked and matched against."""

    villages: pd.DataFrame
    townships: pd.DataFrame
    departments: pd.DataFrame
    counties: pd.DataFrame
    """``code``, ``name`` and ``short_name`` of the stored counties, in code order."""

    def village_households(self) -> dict[str, int]:
        """Village code → households, for the villages whose households are known."""
        known = self.villages.dropna(subset=["households"])
        return dict(zip(known["code"], known["households"].astype(int), strict=True))


def load_reference(connection: Connection) -> Reference:
    units = schema.admin_units
    villages = select_frame(connection, select(
        units.c.code, units.c.name, units.c.short_name, units.c.parent_code, units.c.kind,
        *[units.c[f] for f in VILLAGE_FIGURES], units.c.weak,
    ).where(units.c.level == "village").order_by(units.c.code))
    townships = select_frame(connection, select(units.c.code, units.c.name, units.c.short_name)
                              .where(units.c.level == "township").order_by(units.c.code))
    departments = select_frame(connection, select(schema.departments).order_by(
        schema.departments.c.code))
    counties = select_frame(connection, select(units.c.code, units.c.name, units.c.short_name)
                             .where(units.c.level == "county").order_by(units.c.code))
    return Reference(villages, townships, departments, counties)


def _combos(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Group identical rows of ``frame``: codes per row and the distinct rows."""
    if frame.empty:
        return np.zeros(0, dtype=np.int64), frame.iloc[:0]
    codes = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(frame))).groupby(codes).first().sort_index().to_numpy()
    return codes, frame.iloc[first].reset_index(drop=True)


def _clean_code(value: str) -> str:
    if re.fullmatch(r"\d+\.0+", value):
        value = value.split(".")[0]
    return value


def _township_code(value: str, reference: Reference) -> str | None:
    value = _clean_code(value)
    if re.fullmatch(r"\d{12}", value) and value.endswith("000"):
        value = value[:9]
    towns = reference.townships
    if value in set(towns["code"]):
        return value
    for column in ("name", "short_name"):
        hits = towns[towns[column].map(normalize_text) == value]
        if len(hits) == 1:
            return str(hits["code"].iloc[0])
    return None


def _village_keys(reference: Reference) -> pd.DataFrame:
    villages = reference.villages
    rows = []
    for code, name, short, parent in zip(villages["code"], villages["name"],
                                         villages["short_name"], villages["parent_code"],
                                         strict=True):
        for key in {normalize_text(name), normalize_text(short), short_village_name(name)}:
            rows.append((key, code, parent))
    return pd.DataFrame(rows, columns=["key", "code", "parent_code"]).drop_duplicates()


def resolve_villages(issues: Issues, reference: Reference, codes: pd.Series | None,
                     names: pd.Series | None, towns: pd.Series | None,
                     code_field: str, name_field: str, required: bool = True) -> pd.Series:
    """Village codes from a code column or, where it is empty, name (and township)."""
    n = len(issues.raw)
    empty = pd.Series([""] * n, dtype=str)
    frame = pd.DataFrame({"code": empty if codes is None else codes.reset_index(drop=True),
                          "name": empty if names is None else names.reset_index(drop=True),
                          "town": empty if towns is None else towns.reset_index(drop=True)})
    combo, distinct = _combos(frame)
    known = set(reference.villages["code"])
    keys = _village_keys(reference)
    out: list[str | None] = []
    kinds: list[tuple[str, str, dict]] = []  # (code, field, params)
    for code, name, town in distinct.itertuples(index=False):
        code = _clean_code(code)
        if code:
            out.append(code if code in known else None)
            kinds.append(("", "", {}) if code in known else ("unknown_village", code_field, {}))
            continue
        if not name:
            out.append(None)
            field_name = code_field if codes is not None else name_field
            kinds.append(("missing_value", field_name, {}) if required else ("", "", {}))
            continue
        town_code = None
        if town:
            town_code = _township_code(town, reference)
            if town_code is None:
                out.append(None)
                kinds.append(("unknown_township", "township", {}))
                continue
        hits = keys[keys["key"].isin({name, short_village_name(name)})]
        if town_code is not None:
            hits = hits[hits["parent_code"] == town_code]
        found = sorted(set(hits["code"]))
        if len(found) == 1:
            out.append(found[0])
            kinds.append(("", "", {}))
        elif not found:
            out.append(None)
            kinds.append(("unknown_village", name_field, {}))
        else:
            out.append(None)
            names_of = reference.villages.set_index("code")["name"]
            kinds.append(("ambiguous_village", name_field, {
                "candidates": ", ".join(f"{c} {names_of[c]}" for c in found[:5])}))
    result = pd.Series(np.array(out, dtype=object)[combo] if len(combo) else [], dtype=object)
    _combo_issues(issues, combo, kinds)
    return result


def _combo_issues(issues: Issues, combo: np.ndarray, kinds: list[tuple[str, str, dict]]) -> None:
    """Report the issues found per distinct value on every row holding that value."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, (code, name, _) in enumerate(kinds):
        if code:
            groups.setdefault((code, name), []).append(index)
    for (code, name), indices in groups.items():
        positions = np.flatnonzero(np.isin(combo, indices))
        keys = sorted({key for i in indices for key in kinds[i][2]})
        params = {key: np.array([kinds[c][2].get(key) for c in combo[positions]], dtype=object)
                  for key in keys}
        issues.error(None, name, code, params, positions=positions)


def resolve_departments(issues: Issues, reference: Reference, codes: pd.Series | None,
                        names: pd.Series | None) -> pd.Series:
    """Department codes from a code column or, where it is empty, the name."""
    n = len(issues.raw)
    empty = pd.Series([""] * n, dtype=str)
    frame = pd.DataFrame({"code": empty if codes is None else codes.reset_index(drop=True),
                          "name": empty if names is None else names.reset_index(drop=True)})
    combo, distinct = _combos(frame)
    departments = reference.departments
    known = set(departments["code"])
    by_name: dict[str, list[str]] = {}
    for code, name in zip(departments["code"], departments["name"], strict=True):
        by_name.setdefault(normalize_text(name), []).append(code)
    out: list[str | None] = []
    kinds: list[tuple[str, str, dict]] = []
    for code, name in distinct.itertuples(index=False):
        if code:
            out.append(code if code in known else None)
            kinds.append(("", "", {}) if code in known else
                         ("unknown_department", "department_code", {}))
        elif not name:
            out.append(None)
            field_name = "department_code" if codes is not None else "department"
            kinds.append(("missing_value", field_name, {}))
        else:
            found = by_name.get(name, [])
            if len(found) == 1:
                out.append(found[0])
                kinds.append(("", "", {}))
            elif not found:
                out.append(None)
                kinds.append(("unknown_department", "department", {}))
            else:
                out.append(None)
                kinds.append(("ambiguous_department", "department",
                              {"candidates": ", ".join(found[:5])}))
    result = pd.Series(np.array(out, dtype=object)[combo] if len(combo) else [], dtype=object)
    _combo_issues(issues, combo, kinds)
    return result


COUNTY_PADDING = "000000"
"""A county's 6-digit code padded to the 12 digits of the statistical division code."""


def resolve_counties(issues: Issues, reference: Reference, values: pd.Series,
                     name: str = "county_code") -> pd.Series:
    """County codes from a column that gives a stored county by its code (6 digits, or
    the 12-digit form ending in ``000000``) or its name; None where the cell is empty.
    Another value is an error on its row (``unknown_county``, or ``ambiguous_county``
    for a name that two stored counties share)."""
    lookup: dict[str, list[str]] = {}
    counties = reference.counties
    for code, full, short in zip(counties["code"], counties["name"], counties["short_name"],
                                 strict=True):
        keys = {code, code + COUNTY_PADDING, normalize_text(full or ""),
                normalize_text(short or "")} - {""}
        for key in keys:
            lookup.setdefault(key, []).append(code)
    frame = pd.DataFrame({"value": values.reset_index(drop=True)})
    combo, distinct = _combos(frame)
    out: list[str | None] = []
    kinds: list[tuple[str, str, dict]] = []
    for (value,) in distinct.itertuples(index=False):
        found = sorted(set(lookup.get(value, []))) if value else []
        out.append(found[0] if len(found) == 1 else None)
        if not value or len(found) == 1:
            kinds.append(("", "", {}))
        elif not found:
            kinds.append(("unknown_county", name, {}))
        else:
            names_of = counties.set_index("code")["name"]
            kinds.append(("ambiguous_county", name, {
                "candidates": ", ".join(f"{c} {names_of[c]}" for c in found[:5])}))
    result = pd.Series(np.array(out, dtype=object)[combo] if len(combo) else [], dtype=object)
    _combo_issues(issues, combo, kinds)
    return result


def kind_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    lookup = {normalize_text(kind): kind for kind in choices}
    for kind in choices:
        for part in kind.split("/"):
            lookup.setdefault(normalize_text(part), kind)
    return lookup
