"""The rules a visit obeys, declared once for the visit form and the visit file alike.

A pandera schema over typed visit rows (dates parsed, counts as integers, text in normal
form) checks them all at once with lazy validation; every failure comes back as a
``RuleFailure`` with the row's position, the field and a stable code whose sentence is
``issue.<code>`` in the catalogue. The import (``geo.io.prepare``) turns failures into
issues on spreadsheet rows and the file's own headers; the form (``geo.records``)
refuses the visit with the first failure's field.

pandera is used for what it does well: declarative column checks evaluated together,
with a table of every failing row and check (``SchemaErrors.failure_cases``).
Parsing cells (a date written as 2024年5月6日, a count written as "12") stays with the
readers: the rules see values, not text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from geo.formalism import empty_records
from geo.schema import VISIT_COUNT_FIELDS, VISIT_KINDS
from geo.values import by_distinct, to_python

MAX_COUNT = 2**31 - 1
"""Counts above this do not fit the database's integer columns."""

TEXT_LIMITS = {"department_code": 20, "village_code": 12, "record_id": 50}
"""The longest text each coded field may hold."""

COORDINATE_LIMITS = {"lon": ("longitude", 180.0), "lat": ("latitude", 90.0)}

PLAUSIBLE_COUNTS = {"cadre_count": 200, "households_visited": 2000, "problems_raised": 500,
                    "problems_resolved": 500}
"""The largest count one visit can plausibly have (DESIGN.md's import contract)."""

FREE_TEXT_FIELDS = ("summary", "cadre_ids", "record_id")
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
"""NUL and the other control characters; tab and line breaks are ordinary text."""


@dataclass(frozen=True)
class RuleFailure:
    """One broken rule on one row.

    Attributes
    ----------
    position : int
        The row's position in the checked frame (0-based).
    field : str
        The visit field the failure is about.
    code : str
        The issue code (``future_date``, ``negative_count`` …).
    value : object
        The failing value.
    params : dict
        The message's other named values.
    """

    position: int
    field: str
    code: str
    value: object = None
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Rule:
    field: str
    code: str
    params: dict
    row_params: Callable[[pd.DataFrame, np.ndarray], dict[str, np.ndarray]] | None = None


def _rule_name(rule: _Rule) -> str:
    return f"{rule.field}:{rule.code}"


def _check(rule: _Rule, test: object, **kwargs: object) -> pa.Check:
    return pa.Check(test, name=_rule_name(rule), error=_rule_name(rule), **kwargs)


def _range(low: float, high: float) -> object:
    def within(values: pd.Series) -> pd.Series:
        return values.isna() | ((values >= low) & (values <= high))
    return within


def _column(checks: list[pa.Check]) -> pa.Column:
    """A column that may be absent or empty; only its values' rules are checked."""
    return pa.Column(checks=checks, required=False, nullable=True)


def _both_or_neither(frame: pd.DataFrame) -> pd.Series:
    if not {"lon", "lat"} <= set(frame.columns):
        return pd.Series(True, index=frame.index)
    return frame["lon"].isna() == frame["lat"].isna()


def _not_more_resolved(frame: pd.DataFrame) -> pd.Series:
    if not {"problems_raised", "problems_resolved"} <= set(frame.columns):
        return pd.Series(True, index=frame.index)
    return ~(frame["problems_resolved"] > frame["problems_raised"]).fillna(False)


def _not_empty(frame: pd.DataFrame) -> pd.Series:
    """``EMPTY_RECORD``: summary empty after normalising, no households, no problems."""
    if not {"summary", "households_visited", "problems_raised"} <= set(frame.columns):
        return pd.Series(True, index=frame.index)
    return ~empty_records(frame)


def _households_of(households: Mapping[str, int]
                   ) -> Callable[[pd.DataFrame, np.ndarray], dict[str, np.ndarray]]:
    def params(frame: pd.DataFrame, at: np.ndarray) -> dict[str, np.ndarray]:
        codes = frame["village_code"].to_numpy(dtype=object)[at]
        return {"households": np.array([households.get(code) for code in codes], dtype=object)}
    return params


def _village_households(households: Mapping[str, int]) -> Callable[[pd.DataFrame], pd.Series]:
    def within(frame: pd.DataFrame) -> pd.Series:
        if not {"village_code", "households_visited"} <= set(frame.columns):
            return pd.Series(True, index=frame.index)
        # Each distinct village looked up once (a file repeats its villages).
        known = pd.to_numeric(by_distinct(frame["village_code"], households.get),
                              errors="coerce")
        more = frame["households_visited"] > known
        return ~more.fillna(False).astype(bool)
    return within


def visit_rules(today: date, villages: Collection[str] | None = None,
                departments: Collection[str] | None = None,
                households: Mapping[str, int] | None = None
                ) -> tuple[pa.DataFrameSchema, dict[str, _Rule]]:
    """Return the schema of visit rows and its rules by check name.

    Parameters
    ----------
    today : datetime.date
        Visit dates after it are refused.
    villages, departments : collections of str, optional
        The known codes; a code outside them is refused. The import resolves codes
        itself (and passes None); the form passes what the database holds.
    households : mapping of str to int, optional
        Village code → its households, where known: no visit reaches more.

    Notes
    -----
    A missing value is not a failure here: whether a field may be empty is the reader's
    concern (a file's empty count is 0, the form always has a value).
    """
    rules: dict[str, _Rule] = {}

    def rule(name: str, code: str,
             row_params: Callable[[pd.DataFrame, np.ndarray], dict[str, np.ndarray]] | None = None,
             **params: object) -> _Rule:
        made = _Rule(name, code, params, row_params)
        rules[_rule_name(made)] = made
        return made

    stamp = pd.Timestamp(today)
    columns: dict[str, pa.Column] = {
        "date": _column(checks=[_check(rule("date", "future_date"),
                                         lambda s: s.isna() | (pd.to_datetime(s) <= stamp))]),
        "kind": _column(checks=[_check(rule("kind", "unknown_kind",
                                              choices=tuple(VISIT_KINDS)),
                                         lambda s: s.isna() | s.isin(VISIT_KINDS))]),
    }
    for name in VISIT_COUNT_FIELDS:
        plausible = PLAUSIBLE_COUNTS[name]
        # Far below MAX_COUNT: a count the database could not hold is implausible too.
        columns[name] = _column(checks=[
            _check(rule(name, "negative_count"), lambda s: s.isna() | (s >= 0)),
            _check(rule(name, "implausible_count", limit=plausible),
                   lambda s, most=plausible: s.isna() | (s <= most)),
        ])
    for name in FREE_TEXT_FIELDS:
        columns[name] = _column(checks=[_check(
            rule(name, "control_character"),
            lambda s: s.isna() | ~s.astype(str).str.contains(CONTROL_CHARACTERS, regex=True))])
    for name, (axis, limit) in COORDINATE_LIMITS.items():
        columns[name] = _column(checks=[_check(rule(name, "bad_coordinate", axis=axis,
                                                    variant=axis),
                                                 _range(-limit, limit))])
    for name, limit in TEXT_LIMITS.items():
        # Beside a free-text field's own checks (record_id's control characters).
        checks = [*(columns[name].checks if name in columns else []),
                  _check(rule(name, "too_long", limit=limit),
                         lambda s, limit=limit: s.isna() | (s.astype(str).str.len() <= limit))]
        known = {"village_code": villages, "department_code": departments}.get(name)
        if known is not None:
            code = "unknown_village" if name == "village_code" else "unknown_department"
            allowed = set(known)
            checks.append(_check(rule(name, code), lambda s, allowed=allowed:
                                 s.isna() | s.isin(allowed)))
        columns[name] = _column(checks=checks)
    frame_checks = [
        # Where a longitude is given, so is a latitude, and the other way round.
        _check(rule("lon", "incomplete_point"), _both_or_neither),
    ]
    if households is not None:
        frame_checks.append(_check(rule(
            "households_visited", "more_than_households",
            _households_of(households)),
            _village_households(households)))
    schema = pa.DataFrameSchema(columns, checks=frame_checks, strict=False, coerce=False)
    return schema, rules


def _counts_of(frame: pd.DataFrame, at: np.ndarray) -> dict[str, np.ndarray]:
    return {"resolved": frame["problems_resolved"].to_numpy(dtype=object)[at],
            "raised": frame["problems_raised"].to_numpy(dtype=object)[at]}


def visit_warnings() -> tuple[pa.DataFrameSchema, dict[str, _Rule]]:
    """The rules whose failure is reported but not refused: more problems resolved than
    raised (a follow-up visit may resolve earlier problems), and an empty record (no
    summary, no households, no problems: the ``EMPTY_RECORD`` formalism warning)."""
    made = [(_Rule("problems_resolved", "resolved_exceeds_raised", {}, _counts_of),
             _not_more_resolved),
            (_Rule("summary", "empty_record", {}), _not_empty)]
    checks = [_check(rule, test) for rule, test in made]
    return (pa.DataFrameSchema(checks=checks, strict=False),
            {_rule_name(rule): rule for rule, _ in made})


def _failures(schema: pa.DataFrameSchema, rules: dict[str, _Rule], frame: pd.DataFrame
              ) -> list[RuleFailure]:
    """Run ``schema`` lazily; every failing (row, rule) once, ordered by row, then field,
    then the rule's place in the declaration. Vectorised per rule: a file whose rows all
    break a rule costs one pass, not one lookup per row."""
    present = frame[[c for c in frame.columns if c in schema.columns or not schema.columns]]
    try:
        schema.validate(present, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    # A frame-wide check fails once per column of a failing row: keep one case a row.
    cases = cases[cases["check"].isin(list(rules)) & cases["index"].notna()]
    cases = cases.drop_duplicates(["check", "index"])
    columns = list(frame.columns)
    ordered: list[tuple[int, int, int, RuleFailure]] = []
    for place, (name, made) in enumerate(rules.items()):
        positions = cases.loc[cases["check"] == name, "index"].to_numpy(dtype=np.int64)
        if len(positions) == 0:
            continue
        values = frame[made.field].to_numpy(dtype=object)[positions]
        extra = made.row_params(frame, positions) if made.row_params is not None else {}
        column = columns.index(made.field) if made.field in columns else 0
        for at, (position, value) in enumerate(zip(positions.tolist(), values, strict=True)):
            params = dict(made.params)
            for key, per_row in extra.items():
                params[key] = to_python(per_row[at])
            ordered.append((position, column, place,
                            RuleFailure(position, made.field, made.code, to_python(value),
                                        params)))
    ordered.sort(key=lambda item: item[:3])
    return [failure for *_, failure in ordered]


def check_visits(frame: pd.DataFrame, today: date, villages: Collection[str] | None = None,
                 departments: Collection[str] | None = None,
                 households: Mapping[str, int] | None = None
                 ) -> tuple[list[RuleFailure], list[RuleFailure]]:
    """Check visit rows against every rule; return the errors and the warnings.

    Parameters
    ----------
    frame : pandas.DataFrame
        Visit rows with a 0-based ``RangeIndex``: ``date`` (dates or datetimes),
        ``department_code``, ``village_code``, ``kind``, the counts as numbers, ``lon`` and
        ``lat`` as floats (NaN when not given), ``record_id``; absent columns are not
        checked.
    today, villages, departments, households
        See ``visit_rules``.

    Returns
    -------
    errors, warnings : lists of RuleFailure
        Ordered by row, then field.
    """
    frame = frame.reset_index(drop=True)
    schema, rules = visit_rules(today, villages, departments, households)
    errors = _failures(schema, rules, frame)
    schema, rules = visit_warnings()
    return errors, _failures(schema, rules, frame)
