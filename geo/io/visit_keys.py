"""Record imports of visits in blocks: what must be known of the whole file, kept compact.

A visits file is checked block by block (``geo.io.imports``); what needs the whole file
— the duplicates within it and the matching with the stored visits (on (department,
``record_id``) for rows that have one, else on the natural key, as multisets, equal rows
first: the import contract of ``geo.io.imports``) — is decided on fixed-size digests of
each row instead of its values. A digest is 128 bits of the row's canonical values
(``geo.io.matching``: the form in which a file's cell and a stored value compare equal),
so two rows share one exactly when their values are equal (two different rows share one
by chance with a negligible probability: each column's text is hashed with two keyed
SipHash functions, its numbers by two bijective mixes). Per row this keeps about 70
bytes (file) and 90 bytes (a stored visit of a department in the file that shares a key
with a row of it), however long its text.
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

_HASH_KEYS = ("pairmap_visits_1", "pairmap_visits_2")
_SEEDS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))
_MULTIPLIER = np.uint64(0x100000001B3)
PAGE_ROWS = 10_000
"""Stored visits read per fetch (``stored_keys``)."""


def _mix(values: np.ndarray, seed: np.uint64) -> np.ndarray:
    """splitmix64 of ``values ^ seed`` (uint64, wrapping)."""
    with np.errstate(over="ignore"):
        z = values ^ seed
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def column_digests(frame: pd.DataFrame, columns: list[str]) -> dict[str, np.ndarray]:
    """For each of ``columns``, a 128-bit digest of each cell's canonical value (an
    ``(n, 2)`` uint64 array): text by keyed SipHash of each distinct value, numbers
    and dates by their 64 bits mixed with two seeds."""
    out = {}
    for column in columns:
        series = frame[column].reset_index(drop=True)
        if isinstance(series.dtype, pd.StringDtype):
            # Text as read from a file: its canonical form (``""`` when missing) taken
            # distinct value by distinct value, without a Python string per cell.
            codes, uniques = pd.factorize(series.fillna(""), use_na_sentinel=False)
            distinct = np.asarray(uniques, dtype=object)
            out[column] = np.column_stack([
                pd.util.hash_array(distinct, hash_key=key, categorize=False)[codes]
                for key in _HASH_KEYS])
            continue
        values = _canon(series)
        if values.dtype == float:  # one NaN and one zero, as factorize sees them
            bits = np.where(np.isnan(values), np.nan, values + 0.0).view(np.uint64)
            out[column] = np.column_stack([_mix(bits, seed) for seed in _SEEDS])
            continue
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        distinct = np.asarray(uniques, dtype=object)
        out[column] = np.column_stack([
            pd.util.hash_array(distinct, hash_key=key, categorize=False)[codes]
            for key in _HASH_KEYS])
    return out


def combine(parts: dict[str, np.ndarray], columns: list[str], rows: int) -> np.ndarray:
    """The digest of ``columns`` together (order matters), from ``column_digests``."""
    digest = np.zeros((rows, 2), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in columns:
            digest = _mix(digest * _MULTIPLIER + parts[column], _SEEDS[0])
    return digest


def digests(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Return a 128-bit digest of each row's ``columns`` (an ``(n, 2)`` uint64 array):
    equal canonical values, equal digests."""
    return combine(column_digests(frame, columns), columns, len(frame))


@dataclass(frozen=True)
class VisitKeySpec:
    """Which fields make a visit's keys and which are compared and written when a
    matched row differs: the natural key (department, village, date, kind, and the
    summary when the file has one) and the optional fields the file has."""

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
    _whole: tuple[np.ndarray, ...] | None = None

    def add(self, rows: pd.DataFrame, valid: np.ndarray, offset: int,
            row_numbers: np.ndarray) -> None:
        """Add a block's valid rows (``rows`` as ``prepare_visits`` gives them,
        positions within the block, the block's first row at ``offset``)."""
        file = rows[valid]
        if file.empty:
            return
        self.departments.update(file["department_code"])
        by_rid = (file["record_id"] != "").to_numpy(dtype=bool)
        spec, n = self.spec, len(file)
        parts = column_digests(file, sorted({*spec.natural, *spec.rid_key, *spec.present}))
        natural = combine(parts, spec.natural, n)
        rid = np.where(by_rid[:, None], combine(parts, spec.rid_key, n), np.uint64(0))
        full = np.where(by_rid[:, None], combine(parts, spec.rid_key + spec.rid_fields, n),
                        combine(parts, spec.natural + spec.present, n))
        local = file["pos"].to_numpy(dtype=np.int64)
        self._parts.append((local + offset, row_numbers[local].astype(np.int64), by_rid,
                            natural, rid, full))

    def arrays(self) -> tuple[np.ndarray, ...]:
        """``pos, row, by_rid, natural, rid, full`` over the whole file (once all its
        blocks are added)."""
        if self._parts or self._whole is None:
            self._whole = _concatenate(self._parts, (np.int64, np.int64, bool, *[
                np.uint64] * 3))
            self._parts = []
        return self._whole

    def drop(self, positions: np.ndarray) -> None:
        """Leave the rows at ``positions`` (file positions) out of the matching: rows
        found in error once the whole file is read."""
        whole = self.arrays()
        kept = ~np.isin(whole[0], positions)
        self._whole = tuple(array[kept] for array in whole)


def _concatenate(parts: list[tuple], dtypes: tuple) -> tuple[np.ndarray, ...]:
    """Join ``parts`` (tuples of arrays) column by column, emptying ``parts`` as it goes
    so that each column is held once."""
    columns = []
    for index, dtype in enumerate(dtypes):
        pieces = [part[index] for part in parts]
        if pieces:
            columns.append(np.concatenate(pieces))
        else:
            columns.append(np.zeros((0, 2) if dtype is np.uint64 else 0, dtype=dtype))
        for number, part in enumerate(parts):
            parts[number] = (*part[:index], None, *part[index + 1:])
    parts.clear()
    return tuple(columns)


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
    """Stored visits' columns in the form a file's typed rows compare with (dates,
    counts as integers, 0 when empty, coordinates as floats, text in normal form)."""
    if "date" in frame:
        frame["date"] = pd.to_datetime(frame["date"].astype(str).str.slice(0, 10),
                                       format="%Y-%m-%d").astype("datetime64[s]")
    for name in VISIT_COUNT_FIELDS:
        if name in frame:
            frame[name] = pd.to_numeric(frame[name]).fillna(0).astype("int64")
    for name in ("lon", "lat"):
        if name in frame:
            frame[name] = pd.to_numeric(frame[name]).astype(float)
    for name in ("summary", "cadre_ids", "record_id"):
        if name in frame:
            frame[name] = normal_db_text(frame[name])
    return frame


def stored_keys(connection: Connection, spec: VisitKeySpec, departments: list[str],
                rid_keys: np.ndarray, natural_keys: np.ndarray, created: bool) -> StoredKeys:
    """The digests of the stored visits of ``departments`` whose record-id key is among
    ``rid_keys`` or natural key among ``natural_keys`` (first digest words), read
    ``PAGE_ROWS`` at a time; the others cannot match a row of the file."""
    table = schema.visits
    fields = sorted({*spec.natural, *spec.rid_key, *spec.present})
    names = ("id", *fields, *(("created_at",) if created else ()))
    columns = [cast(table.c[c], String).label(c) if c == "date" else table.c[c]
               for c in names]
    rid_sorted, natural_sorted = np.unique(rid_keys), np.unique(natural_keys)
    parts: list[tuple] = []
    for start in range(0, len(departments), 500):
        # In any order (sorted by id below): a sort of a million rows costs seconds.
        query = (select(*columns)
                 .where(table.c.department_code.in_(departments[start:start + 500])))
        result = connection.execute(query, execution_options={"stream_results": True,
                                                              "yield_per": PAGE_ROWS})
        for rows in result.partitions(PAGE_ROWS):
            page = _db_frame(pd.DataFrame(
                {name: pd.Series(list(values), dtype=object)
                 for name, values in zip(names, zip(*rows, strict=True), strict=True)}))
            del rows
            n = len(page)
            columns_of = column_digests(page, fields)
            rid = combine(columns_of, spec.rid_key, n)
            natural = combine(columns_of, spec.natural, n)
            keep = _among(rid[:, 0], rid_sorted) | _among(natural[:, 0], natural_sorted)
            if not keep.any():
                continue
            parts.append((page["id"].to_numpy(dtype=np.int64)[keep], rid[keep],
                          combine(columns_of, spec.rid_key + spec.rid_fields, n)[keep],
                          natural[keep], combine(columns_of, spec.natural + spec.present,
                                                 n)[keep],
                          pd.to_datetime(page["created_at"][keep]) if created else None))
    when = None
    if created:
        stamps = [p[5] for p in parts]
        when = (pd.concat(stamps, ignore_index=True).to_numpy() if stamps
                else np.zeros(0, dtype="datetime64[ns]"))
    digested = [p[:5] for p in parts]
    parts.clear()
    ids, *stacked = _concatenate(digested, (np.int64, *[np.uint64] * 4))
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    for index, values in enumerate(stacked):
        stacked[index] = values[order]
        del values
    if when is not None:
        when = pd.Series(when[order], index=ids)
    return StoredKeys(ids, *stacked, when)


def _codes(keys: np.ndarray) -> np.ndarray:
    """A code per row of ``(n, 2)`` digests: equal digests, equal codes."""
    if len(keys) == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((keys[:, 1], keys[:, 0]))
    starts = np.empty(len(keys), dtype=bool)
    starts[0] = True
    for word in (0, 1):
        ordered = keys[order, word]
        if word == 0:
            starts[1:] = ordered[1:] != ordered[:-1]
        else:
            starts[1:] |= ordered[1:] != ordered[:-1]
        del ordered
    codes = np.empty(len(keys), dtype=np.int64)
    codes[order] = np.cumsum(starts) - 1
    return codes


def _ranks(codes: np.ndarray) -> np.ndarray:
    """Each row's count of earlier rows with its code (``groupby().cumcount()``)."""
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    ranks = np.empty(len(codes), dtype=np.int64)
    ranks[order] = np.arange(len(codes)) - np.repeat(starts, sizes)
    return ranks


def _among(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in ``sorted_values`` (sorted ascending)."""
    if len(sorted_values) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_values, values)
    return sorted_values[np.minimum(at, len(sorted_values) - 1)] == values


def _pair(left: np.ndarray, left_keys: np.ndarray, right: np.ndarray, right_keys: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """Match ``left`` and ``right`` rows with equal digests one to one, as multisets
    (the n-th of a digest on the left with its n-th on the right; ``geo.io.matching
    .pair_rows`` on digests); the pairs in ``left``'s order."""
    if len(left) == 0 or len(right) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    codes = _codes(np.concatenate([left_keys, right_keys]))
    width = np.int64(max(len(left), len(right)) + 1)
    a = codes[:len(left)] * width + _ranks(codes[:len(left)])
    b = codes[len(left):] * width + _ranks(codes[len(left):])
    del codes
    _, at_left, at_right = np.intersect1d(a, b, assume_unique=True, return_indices=True)
    del a, b
    order = np.argsort(at_left, kind="stable")
    return left[at_left[order]], right[at_right[order]]


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
    """Match the file's valid rows with the stored visits (the import contract): rows
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
        if pool.all():
            same_pos, same_id = _pair(p_pos, p_full, stored.ids, pool_full)
        else:
            same_pos, same_id = _pair(p_pos, p_full, stored.ids[pool], pool_full[pool])
        rest = ~_among(p_pos, np.sort(same_pos))
        free = pool.copy()
        free[np.searchsorted(stored.ids, same_id)] = False
        changed_pos, changed_id = _pair(p_pos[rest], p_key[rest], stored.ids[free],
                                        pool_key[free])
        pool[np.searchsorted(stored.ids, np.concatenate([same_id, changed_id]))] = False
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
    handled = np.sort(np.concatenate(done)) if done else np.zeros(0, np.int64)
    result.inserts = pos[~_among(pos, handled)]
    result.late = np.concatenate(late) if late else np.zeros(0, np.int64)
    return result


def duplicate_groups(keys: FileKeys) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """The repeated rows of the whole file (the ``duplicate_visit`` and
    ``duplicate_record_id`` warnings): for the natural key, then the record id, the
    code, the field, the positions of every row of a repeated key (in file order) and
    for each the first ten rows of its group (``"3, 7, …"``)."""
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
