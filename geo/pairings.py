"""The pairings page's service (结对关系): the list of pairings with names and whether each
is active today, its filters, the check of an edit as typed, and the one write that
changes a pairing's required visits per month, note or end date.

Every role may read pairings (they are on every map); only organiser and admin may
change them (``Action.EDIT_PAIRINGS``). The rules are the import's
(``geo.pairing_rules``); the write checks them again inside its transaction, against the
pairing as the form saw it (a compare-and-set: a pairing changed by someone else since is
refused, not overwritten), writes one audit entry and bumps the data version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine, select, update

from geo import schema, store
from geo.access import Action, User, require
from geo.audit import write_audit
from geo.errors import DataError
from geo.io.readers import parse_whole_numbers
from geo.pairing_rules import end_failures, normal_note, note_failures, required_visits_failures
from geo.period import active_pairings
from geo.visit_rules import RuleFailure

STATES = ("active", "ended", "not_started")
"""A pairing's state on a day: active (``geo.period.active_pairings``), ended (its end
date before the day) or not started (its start after the day)."""

FORM_VARIANT = "form"
"""Catalogue variant of a rule's sentence said beside a form's field (``issue.<code>.form``
where the import's wording does not fit; the plain sentence otherwise)."""

EDITABLE = ("required_visits_per_month", "note", "end_date")

COLUMNS = ["id", "department_code", "department", "township_code", "township",
           "village_code", "village", "kind", "start_date", "end_date",
           "required_visits_per_month", "note", "state"]


@dataclass(frozen=True)
class PairingState:
    """A pairing's editable fields: as the form saw them, or as wanted."""

    required_visits_per_month: int
    note: str
    end_date: date | None

    @classmethod
    def of(cls, row: dict | pd.Series) -> PairingState:
        """The editable fields of a stored (or listed) pairing row."""
        end = row.get("end_date")
        end = None if end is None or pd.isna(end) else pd.Timestamp(end).date()
        required = row.get("required_visits_per_month")
        return cls(required_visits_per_month=int(1 if required is None or pd.isna(required)
                                                 else required),
                   note=normal_note(row.get("note")), end_date=end)

    def as_row(self) -> dict:
        """The stored values (an empty note is stored as NULL, as the import stores it)."""
        return {"required_visits_per_month": self.required_visits_per_month,
                "note": self.note or None, "end_date": self.end_date}


def pairing_states(pairings: pd.DataFrame, as_of: date) -> pd.Series:
    """Each pairing's state on ``as_of`` (``STATES``), aligned with ``pairings``."""
    active = pairings.index.isin(active_pairings(pairings, as_of).index)
    started = (pairings["start_date"] <= as_of).to_numpy(dtype=bool)
    state = pd.Series("ended", index=pairings.index, dtype=object)
    state[~started] = "not_started"
    state[active] = "active"
    return state


def describe_pairings(pairings: pd.DataFrame, villages: pd.DataFrame,
                      townships: pd.DataFrame, departments: pd.DataFrame,
                      as_of: date) -> pd.DataFrame:
    """Pairings for display: names beside codes and the state on ``as_of``; by
    department, village and start.

    ``villages`` and ``townships`` hold ``code``, ``short_name`` (and ``parent_code``
    for villages); ``departments`` ``code`` and ``name``. A code without a name shows
    the code itself.
    """
    village = villages.set_index("code")
    codes = pairings["village_code"].astype(str)
    township_code = codes.map(village["parent_code"])
    table = pairings.assign(
        department=pairings["department_code"].map(
            departments.set_index("code")["name"]).fillna(pairings["department_code"]),
        village=codes.map(village["short_name"]).fillna(codes),
        township_code=township_code,
        township=township_code.map(townships.set_index("code")["short_name"])
        .fillna(township_code),
        note=pairings["note"].map(normal_note),
        state=pairing_states(pairings, as_of),
    )
    return (table.sort_values(["department_code", "village_code", "start_date", "id"])[COLUMNS]
            .reset_index(drop=True))


def filter_pairings(table: pd.DataFrame, department_code: str | None = None,
                    township_code: str | None = None, state: str | None = None
                    ) -> pd.DataFrame:
    """Keep the described pairings of one department, township and state (None: all)."""
    if department_code:
        table = table[table["department_code"] == department_code]
    if township_code:
        table = table[table["township_code"] == township_code]
    if state:
        table = table[table["state"] == state]
    return table.reset_index(drop=True)


def pairings_for(engine: Engine, actor: User, as_of: date) -> pd.DataFrame:
    """Every pairing described for ``actor`` (every role may read them)."""
    require(actor, Action.VIEW_MAPS)
    names = store.load_villages(engine)
    return describe_pairings(store.load_pairings(engine), names,
                             store.load_townships(engine), store.load_departments(engine),
                             as_of)


# --- checking an edit ------------------------------------------------------------------


@dataclass
class PairingCheck:
    """An edit as checked: the wanted state (None when refused) and the broken rules."""

    wanted: PairingState | None
    failures: list[RuleFailure] = field(default_factory=list)


def check_pairing_edit(start: date, required_text: str, note: str, end_date: date | None,
                       others: list[tuple[int, date, date | None]],
                       pairing_id: int | None = None) -> PairingCheck:
    """Check an edit as typed on the form, every rule at once; nothing is written.

    ``required_text`` is parsed as an import parses the cell (``"2"``, ``"2.0"``); empty
    is refused (nothing is filled in for the clerk). ``note`` is taken in text normal
    form. ``others`` are the other pairings of the same department and village.
    """
    failures: list[RuleFailure] = []
    text = str(required_text or "").strip()
    required = None
    if not text:
        failures.append(RuleFailure(0, "required_visits_per_month", "missing_value", ""))
    else:
        numbers, bad = parse_whole_numbers(pd.Series([text], dtype=str))
        if bad.iloc[0]:
            failures.append(RuleFailure(0, "required_visits_per_month", "bad_number", text))
        else:
            broken = required_visits_failures(numbers)
            failures += [RuleFailure(0, "required_visits_per_month", code, text, params)
                         for _, code, params in broken]
            required = None if broken else int(numbers.iloc[0])
    normal = normal_note(note)
    failures += note_failures(normal)
    failures += end_failures(pairing_id, start, end_date, others)
    if failures:
        return PairingCheck(None, failures)
    return PairingCheck(PairingState(required, normal, end_date))


# --- the write ---------------------------------------------------------------------------


def _others(connection: Connection, row: dict) -> list[tuple[int, date, date | None]]:
    table = schema.pairings
    found = connection.execute(select(table.c.id, table.c.start_date, table.c.end_date).where(
        table.c.department_code == row["department_code"],
        table.c.village_code == row["village_code"],
        table.c.id != row["id"])).all()
    return [(int(r.id), r.start_date, r.end_date) for r in found]


def other_pairings(engine: Engine, pairing_id: int) -> list[tuple[int, date, date | None]]:
    """The other pairings of the same department and village as ``pairing_id`` (id,
    start, end), for checking an edit before it is saved."""
    with engine.connect() as connection:
        row = _stored(connection, pairing_id)
        return _others(connection, row)


def _stored(connection: Connection, pairing_id: int) -> dict:
    table = schema.pairings
    row = connection.execute(select(table).where(table.c.id == pairing_id)).mappings().first()
    if row is None:
        raise DataError("no_pairing", id=pairing_id)
    return dict(row)


def change_pairing(engine: Engine, actor: User, pairing_id: int, seen: PairingState,
                   wanted: PairingState) -> dict:
    """Change a pairing's required visits per month, note and end date to ``wanted``.

    Organiser and admin only. ``seen`` is the pairing as the form showed it: when the
    stored pairing differs (someone changed it since), ``DataError("pairing_changed")``
    and nothing is written. The rules of ``geo.pairing_rules`` are checked again against
    the stored pairings; a broken one raises ``DataError`` naming its field. One
    transaction: the update, one audit entry (the changed fields before and after) and a
    new data version; nothing at all when nothing changes.

    Returns
    -------
    dict
        The changed fields and their new values (empty when nothing changed).
    """
    require(actor, Action.EDIT_PAIRINGS)
    table = schema.pairings
    with engine.begin() as connection:
        store.lock_version(connection)  # one writer at a time; the row read below is current
        row = _stored(connection, pairing_id)
        if PairingState.of(row) != seen:
            raise DataError("pairing_changed", id=pairing_id)
        check = check_pairing_edit(row["start_date"], str(wanted.required_visits_per_month),
                                   wanted.note, wanted.end_date, _others(connection, row),
                                   pairing_id)
        if check.wanted is None:
            first = check.failures[0]
            raise DataError(first.code, column=first.field, value=first.value,
                            variant=FORM_VARIANT, **first.params)
        after = check.wanted.as_row()
        current = PairingState.of(row)  # an empty note is "" or NULL alike: no change
        changed = {k: after[k] for k in EDITABLE
                   if getattr(current, k) != getattr(check.wanted, k)}
        if not changed:
            return {}
        connection.execute(update(table).where(table.c.id == pairing_id).values(**changed))
        key = {k: row[k] for k in ("department_code", "village_code", "start_date")}
        write_audit(connection, actor, "update", "pairings", str(pairing_id),
                    {**key, **{k: row.get(k) for k in changed}}, {**key, **changed})
        store.bump_data_version(connection)
    return changed
