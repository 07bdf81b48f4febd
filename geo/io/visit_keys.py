"""Record imports of visits in blocks: what must be known of the whole file, kept compact.

A visits file is checked block by block (``geo.io.imports``); what needs the whole file
— the duplicates within it and the matching with the stored visits (``plan_visits``'s
rules: on (department, ``record_id``) for rows that have one, else on the natural key,
as multisets, equal rows first) — is decided on fixed-size digests of each row instead
of its values. A digest is 128 bits of the row's canonical values (``geo.io.matching``:
the form in which a file's cell and a stored value compare equal), so two rows share one
exactly when their values are equal (a chance collision is below 1e-20 for a million
rows). Per row this keeps about 70 bytes (file) and 90 bytes (stored visit of a
department in the file, whose key the file also has) however long its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, String, cast, select

from geo import schema
from geo.io.matching import _canon, normal_db_text
from geo.schema import VISIT_COUNT_FIELDS
from geo.store import select_frame

_HASH_KEYS = ("pairmap_visits_1", "pairmap_visits_2")
PAGE_ROWS = 50_000
"""Stored visits read per query (``stored_keys``)."""


def digests(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Return a 128-bit digest of each row's ``columns`` (an ``(n, 2)`` uint64 array):
    equal canonical values, equal digests."""
    if len(frame) == 0:
        return np.zeros((0, 2), dtype=np.uint64)
    parts = {}
    for index, column in enumerate(columns):
        values = _canon(frame[column].reset_index(drop=True))
        if values.dtype == float:  # one NaN and one zero, as factorize sees them
            values = np.where(np.isnan(values), np.nan, values + 0.0)
        parts[f"c{index}"] = values
    table = pd.DataFrame(parts)
    first = pd.util.hash_pandas_object(table, index=False, hash_key=_HASH_KEYS[0])
    second = pd.util.hash_pandas_object(table[table.columns[::-1]], index=False,
                                        hash_key=_HASH_KEYS[1])
    return np.column_stack([first.to_numpy(np.uint64), second.to_numpy(np.uint64)])


@dataclass(frozen=True)
class VisitKeySpec:
    """Which fields make a visit's keys and which are compared (``plan_visits``)."""

    natural: list[str]
    present: list[str]

    @classmethod
    def of(cls, has: object) -> VisitKeySpec:
        """The spec for a file whose mapped fields ``has(name)`` tells."""
        natural = ["department_code", "village_code", "date", "kind"]
        if has("summary"):
            natural.append("summary")
        present = [n for n in (*VISIT_COUNT_FIELDS, "cadre_ids", "lon", "lat") if has(n)]
        return cls(natural, present)

    @property
    def rid_key(self) -> list[str]:
        return ["department_code", "record_id"]

    @property
    def rid_fields(self) -> list[str]:
        return ["date", "village_code", "kind", *self.natural[4:], *self.present]

    def fields(self, by_rid: bool) -> list[str]:
        """The compared (and, when they differ, written) fields of a part."""
        return self.rid_fields if by_rid else self.present


@dataclass
class FileKeys:
    """The valid rows of a file, gathered block by block: position, spreadsheet row,
    whether it has a record id, and the digests of its natural key, record-id key and
    key with compared fields."""

    spec: VisitKeySpec
    _parts: list[tuple[np.ndarray, ...]] = field(default_factory=list)
    departments: set[str] = field(default_factory=set)

    def add(self, rows: pd.DataFrame, valid: np.ndarray, offset: int,
            row_numbers: np.ndarray) -> None:
        """Add a block's valid rows (``rows`` as ``_prepare_visits`` gives them,
        positions within the block, the block's first row at ``offset``)."""
        file = rows[valid]
        if file.empty:
            return
        self.departments.update(file["department_code"])
        by_rid = (file["record_id"] != "").to_numpy(dtype=bool)
        natural = digests(file, self.spec.natural)
        rid = np.zeros_like(natural)
        full = np.zeros_like(natural)
        if by_rid.any():
            part = file[by_rid]
            rid[by_rid] = digests(part, self.spec.rid_key)
            full[by_rid] = digests(part, self.spec.rid_key + self.spec.rid_fields)
        if (~by_rid).any():
            full[~by_rid] = digests(file[~by_rid], self.spec.natural + self.spec.present)
        local = file["pos"].to_numpy(dtype=np.int64)
        self._parts.append((local + offset, row_numbers[local].astype(np.int64), by_rid,
                            natural, rid, full))

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``pos, row, by_rid, natural, rid, full`` over the whole file."""
        if not self._parts:
            return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool),
                    *(np.zeros((0, 2), np.uint64) for _ in range(3)))
        return tuple(np.concatenate(column) for column in zip(*self._parts, strict=True))


@dataclass
class StoredKeys:
    """Stored visits that a file's rows may match: id (ascending), the digests of both
    keys and of each key with its compared fields, and ``created_at`` when asked."""

    ids: np.ndarray
    rid: np.ndarray
    rid_full: np.ndarray
    natural: np.ndarray
    natural_full: np.ndarray
    created: pd.Series | None


def _db_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Stored visits' columns as ``plan_visits`` compares them."""
    frame["date"] = pd.to_datetime(frame["date"].astype(str).str.slice(0, 10),
                                   format="%Y-%m-%d").astype("datetime64[s]")
    for name in VISIT_COUNT_FIELDS:
        frame[name] = pd.to_numeric(frame[name]).fillna(0).astype("int64")
    for name in ("lon", "lat"):
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    for name in ("summary", "cadre_ids", "record_id"):
        frame[name] = normal_db_text(frame[name])
    return frame


def stored_keys(connection: Connection, spec: VisitKeySpec, departments: list[str],
                rid_keys: np.ndarray, natural_keys: np.ndarray, created: bool) -> StoredKeys:
    """The digests of the stored visits of ``departments`` whose record-id key is among
    ``rid_keys`` or natural key among ``natural_keys`` (first digest words), read
    ``PAGE_ROWS`` at a time; the others cannot match a row of the file."""
    table = schema.visits
    names = ("id", "date", "department_code", "village_code", "kind", *VISIT_COUNT_FIELDS,
             "cadre_ids", "lon", "lat", "summary", "record_id",
             *(("created_at",) if created else ()))
    columns = [cast(table.c[c], String).label(c) if c == "date" else table.c[c]
               for c in names]
    rid_sorted, natural_sorted = np.unique(rid_keys), np.unique(natural_keys)
    parts: list[tuple] = []
    for start in range(0, len(departments), 500):
        chosen = departments[start:start + 500]
        last = None
        while True:
            query = select(*columns).where(table.c.department_code.in_(chosen))
            if last is not None:
                query = query.where(table.c.id > last)
            page = select_frame(connection, query.order_by(table.c.id).limit(PAGE_ROWS))
            if page.empty:
                break
            last = int(page["id"].iloc[-1])
            page = _db_frame(page)
            rid = digests(page, spec.rid_key)
            natural = digests(page, spec.natural)
            keep = (np.isin(rid[:, 0], rid_sorted, assume_unique=False)
                    | np.isin(natural[:, 0], natural_sorted, assume_unique=False))
            full_page = len(page) == PAGE_ROWS
            if keep.any():
                page = page[keep].reset_index(drop=True)
                parts.append((
                    page["id"].to_numpy(dtype=np.int64), rid[keep],
                    digests(page, spec.rid_key + spec.rid_fields), natural[keep],
                    digests(page, spec.natural + spec.present),
                    pd.to_datetime(page["created_at"]) if created else None))
            if not full_page:
                break
    if not parts:
        empty = np.zeros((0, 2), np.uint64)
        return StoredKeys(np.zeros(0, np.int64), empty, empty, empty, empty,
                          pd.Series(dtype="datetime64[ns]") if created else None)
    ids = np.concatenate([p[0] for p in parts])
    order = np.argsort(ids, kind="stable")
    stacked = [np.concatenate([p[i] for p in parts])[order] for i in range(1, 5)]
    when = None
    if created:
        when = pd.Series(pd.concat([p[5] for p in parts], ignore_index=True).to_numpy()[order],
                         index=ids[order])
    return StoredKeys(ids[order], *stacked, when)


def _pair(left: np.ndarray, left_keys: np.ndarray, right: np.ndarray, right_keys: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """Match ``left`` and ``right`` rows with equal digests one to one, as multisets
    (the n-th of a digest on the left with its n-th on the right); ``geo.io.matching
    .pair_rows`` on digests."""
    if len(left) == 0 or len(right) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a = pd.DataFrame({"pos": left, "k0": left_keys[:, 0], "k1": left_keys[:, 1]})
    b = pd.DataFrame({"id": right, "k0": right_keys[:, 0], "k1": right_keys[:, 1]})
    a["_n"] = a.groupby(["k0", "k1"], sort=False).cumcount()
    b["_n"] = b.groupby(["k0", "k1"], sort=False).cumcount()
    pairs = a.merge(b, on=["k0", "k1", "_n"], how="inner")
    return pairs["pos"].to_numpy(np.int64), pairs["id"].to_numpy(np.int64)


@dataclass
class VisitMatches:
    """What each valid row of a file does (``match_visits``).

    Attributes
    ----------
    unchanged : int
    inserts : numpy.ndarray
        Positions of the rows to insert, in file order.
    updates : list of (numpy.ndarray, numpy.ndarray)
        Per part (record id, natural key): positions of the rows that update a stored
        visit, and that visit's id.
    late : numpy.ndarray
        Positions of rows matching a stored visit a liaison may no longer edit.
    """

    unchanged: int = 0
    inserts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    updates: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    late: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def updated(self) -> int:
        return sum(len(pos) for pos, _ in self.updates)


def match_visits(keys: FileKeys, stored: StoredKeys, today: date,
                 days: int | None) -> VisitMatches:
    """Match the file's valid rows with the stored visits as ``plan_visits`` does: rows
    with a record id on (department, record id), the others on the natural key, each as
    a multiset with equal rows paired first; a stored visit matched once is not matched
    again. With ``days`` (a liaison's edit window), a row that would update a visit
    created more than ``days`` before ``today`` is ``late``."""
    pos, _, by_rid, natural, rid, full = keys.arrays()
    result = VisitMatches()
    pool = np.ones(len(stored.ids), dtype=bool)
    done: list[np.ndarray] = []
    late: list[np.ndarray] = []
    for part, file_key, pool_key, pool_full in ((by_rid, rid, stored.rid, stored.rid_full),
                                                (~by_rid, natural, stored.natural,
                                                 stored.natural_full)):
        if not part.any():
            result.updates.append((np.zeros(0, np.int64), np.zeros(0, np.int64)))
            continue
        p_pos, p_key, p_full = pos[part], file_key[part], full[part]
        ids = stored.ids[pool]
        same_pos, same_id = _pair(p_pos, p_full, ids, pool_full[pool])
        rest = ~np.isin(p_pos, same_pos)
        free = pool.copy()
        free[np.isin(stored.ids, same_id)] = False
        changed_pos, changed_id = _pair(p_pos[rest], p_key[rest], stored.ids[free],
                                        pool_key[free])
        pool &= ~np.isin(stored.ids, np.concatenate([same_id, changed_id]))
        done += [same_pos, changed_pos]
        if days is not None and len(changed_id):
            assert stored.created is not None
            when = stored.created.reindex(changed_id)
            limit = pd.Timestamp(today - timedelta(days=days))
            is_late = (when.isna() | (when < limit)).to_numpy(dtype=bool)
            late.append(changed_pos[is_late])
            changed_pos, changed_id = changed_pos[~is_late], changed_id[~is_late]
        result.unchanged += len(same_pos)
        result.updates.append((changed_pos, changed_id))
    handled = np.concatenate(done) if done else np.zeros(0, np.int64)
    result.inserts = pos[~np.isin(pos, handled)]
    result.late = np.concatenate(late) if late else np.zeros(0, np.int64)
    return result


def duplicate_groups(keys: FileKeys) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """``warn_visit_duplicates`` over the whole file: for the natural key, then the
    record id, the code, the field, the positions of every row of a repeated key (in
    file order) and for each the first ten rows of its group (``"3, 7, …"``)."""
    pos, rownum, by_rid, natural, rid, _ = keys.arrays()
    found = []
    for code, column, mask, digest in (("duplicate_visit", "natural", None, natural),
                                       ("duplicate_record_id", "record_id", by_rid, rid)):
        part_pos, part_row, part_key = ((pos, rownum, digest) if mask is None else
                                        (pos[mask], rownum[mask], digest[mask]))
        if len(part_pos) == 0:
            continue
        frame = pd.DataFrame({"k0": part_key[:, 0], "k1": part_key[:, 1]})
        repeat = frame.duplicated(keep=False).to_numpy()
        if not repeat.any():
            continue
        dup = frame[repeat]
        group = dup.groupby(["k0", "k1"], sort=False).ngroup().to_numpy()
        listed = pd.Series(part_row[repeat]).groupby(group).agg(
            lambda s: ", ".join(str(r) for r in s.iloc[:10]) + (", …" if len(s) > 10 else ""))
        found.append((code, column, part_pos[repeat], listed.to_numpy()[group]))
    return found
