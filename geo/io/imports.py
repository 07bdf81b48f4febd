"""Record imports: villages, departments, cadres, pairings and visits from CSV or XLSX.

The import contract of DESIGN.md: a file is read (``geo.io.readers``), its headers mapped to
fields (Chinese or English, ``HEADER_ALIASES``), every row checked, matched with what the
database holds and written in one transaction; the result is an ``Report`` whose
``as_dict()`` is the command line's JSON object.

* Every row problem is an error with the spreadsheet row, the file's own header, the cell
  and a stable code (messages in the catalogue, ``geo.i18n``); file problems (empty,
  unreadable, unknown format, a required column missing) raise ``DataError``.
* With errors nothing is written, unless ``skip_invalid``: then the valid rows are written
  and the invalid ones, with their reasons, go to ``<input stem>.rejected.csv`` beside
  the input (or into ``Report.rejected_bytes`` for an upload).
* Matching makes imports repeatable: importing the same file twice changes nothing.
  Villages and departments match on ``code``; cadres on ``id`` when it matches, else on
  department and normalised name; pairings on (department, village, start date); visits
  on (department, ``record_id``) for rows that have a record id, else on the natural key
  (department, village, date, kind, normalised summary) counted as a multiset. A matched
  row whose other fields differ is ``updated``.
* Empty cells: a visit's empty count is 0; otherwise an empty cell clears a field that may
  be empty (village figures, coordinates, a pairing's end date or note) and keeps one that
  may not (names, kinds, flags, a department's party members).
* A village may be given by name (with its township, or alone when the name is unique)
  instead of its code, a department by its name instead of its code, when unambiguous.
* Text is compared in the normal form of ``geo.text.normalize_text`` and stored so; the
  ``'`` an export puts before formula-like text is removed.
* Checking and matching are vectorised (pandas); rows are written in chunks into
  temporary tables (``executemany``; ``COPY`` on PostgreSQL), then applied in one short transaction
  that first checks nothing changed since the plan was made (``_import``). A visits file
  is checked, matched and staged ``BLOCK_ROWS`` rows at a time (``_import_visits``,
  ``geo.io.visit_keys``), so that its memory stays within a fixed budget whatever its
  size; where the blocks end changes nothing in the result. An import
  that changed something bumps the data version and leaves one audit entry (file and
  counts) plus one per updated row (its fields before and after); nothing is logged when
  nothing changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from geo import store
from geo.access import IMPORT_ACTIONS, Action, User, require
from geo.audit import write_audit, write_audits
from geo.errors import DataError
from geo.i18n import translate
from geo.io.bulk_write import (
    TABLES,
    Staged,
    Stager,
    apply_staged,
    drop_staged,
    previous_values,
    stage_plan,
)
from geo.io.headers import known_header, map_headers
from geo.io.limits import Limits
from geo.io.plans import (
    edit_days_of,
    plan_cadres,
    plan_departments,
    plan_pairings,
    plan_problems,
    plan_villages,
)
from geo.io.prepare import PREPARERS, Context, prepare_visits
from geo.io.readers import (
    RawTable,
    TableBlocks,
    open_table_bytes,
    open_table_file,
    read_table_bytes,
    read_table_file,
)
from geo.io.report import Issue, Issues, Progress, Report, Stages, reason
from geo.io.resolve import load_reference
from geo.io.table_files import csv_bytes, neutralised
from geo.io.templates import TEMPLATES
from geo.io.visit_keys import (
    FileKeys,
    VisitKeySpec,
    VisitMatches,
    duplicate_groups,
    match_visits,
    stored_keys,
)
from geo.schema import VISIT_COUNT_FIELDS
from geo.settings import local_now, local_today
from geo.store import stored_visits

IMPORT_TABLES = tuple(IMPORT_ACTIONS)
"""The record tables that can be imported."""


REJECTED_SUFFIX = ".rejected.csv"

BLOCK_ROWS = 20_000
"""Rows of a visits file checked, matched and staged at a time (``_import_visits``)."""


def check_table(table: str) -> None:
    """Refuse tables that cannot be imported (``DataError``, exit 2)."""
    if table in IMPORT_TABLES:
        return
    if table == "townships":
        raise DataError("townships_not_importable")
    raise DataError("unknown_table", table=table, choices=", ".join(IMPORT_TABLES))


def check_access(actor: User, table: str) -> None:
    """Refuse an actor who may not import ``table`` at all (``AccessDeniedError``)."""
    check_table(table)
    require(actor, IMPORT_ACTIONS[table])


def import_file(engine: Engine, actor: User, table: str, path: Path | str,
                sheet: str | None = None, dry_run: bool = False, skip_invalid: bool = False,
                today: date | None = None, progress: Progress | None = None,
                edit_days: int | None = None, lang: str = "en",
                limits: Limits | None = None, block_rows: int = BLOCK_ROWS) -> Report:
    """Import a CSV or XLSX file into ``table`` (the import contract of DESIGN.md).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    actor : geo.access.User
        The acting user; visits need ``WRITE_VISITS`` for every department in the file,
        pairings ``EDIT_PAIRINGS``, the other tables ``IMPORT_REFERENCE``.
    table : str
        One of ``IMPORT_TABLES``.
    path : pathlib.Path or str
        The ``.csv`` or ``.xlsx`` file.
    sheet : str, optional
        The XLSX sheet (default the first).
    dry_run : bool
        Check and count, write nothing.
    skip_invalid : bool
        Write the valid rows and the invalid ones, with reasons, to
        ``<input stem>.rejected.csv`` beside the input.
    today : datetime.date, optional
        Visit dates after it are errors (default today in the county).
    progress : callable, optional
        Called with the fraction done (0 to 1).
    edit_days : int, optional
        A liaison's edit window for updating visits (default ``PAIRMAP_EDIT_DAYS``).
    lang : str
        The language of the rejected rows' reasons and extra headers (``zh``: 行号, 原因).
    limits : geo.io.limits.Limits, optional
        The bounds on the file's size, rows and columns, checked before it is parsed
        and while it is streamed (default: the settings, ``PAIRMAP_UPLOAD_*``).
    block_rows : int
        Visits are checked, matched and staged this many rows at a time, so that the
        memory an import takes does not grow with the file (``_import_visits``); the
        result does not depend on it.

    Returns
    -------
    Report

    Raises
    ------
    DataError
        A file problem (empty, unreadable, unknown format, beyond a bound of ``limits``,
        required column missing) or an unknown table.
    AccessDeniedError
        The actor may not import this table or one of the file's departments.
    """
    check_access(actor, table)
    path = Path(path)
    steps = Stages(progress)
    steps.stage(0.0, 0.15)
    target = path.with_name(path.stem + REJECTED_SUFFIX)
    if table == "visits":
        blocks = open_table_file(path, sheet=sheet, known_headers=known_header(table),
                                 limits=limits)
        return _import_visits(engine, actor, blocks, dry_run, skip_invalid, today, steps,
                              edit_days, rejected_path=target, lang=lang,
                              block_rows=block_rows)
    raw = read_table_file(path, sheet=sheet, known_headers=known_header(table),
                          limits=limits)
    return _import(engine, actor, table, raw, dry_run, skip_invalid, today, steps, edit_days,
                   rejected_path=target, lang=lang)


def import_upload(engine: Engine, actor: User, table: str, filename: str, data: bytes,
                  sheet: str | None = None, dry_run: bool = False,
                  skip_invalid: bool = False, today: date | None = None,
                  progress: Progress | None = None,
                  edit_days: int | None = None, lang: str = "en",
                  limits: Limits | None = None, block_rows: int = BLOCK_ROWS) -> Report:
    """Import an uploaded file (its bytes and name) — the web page's ``import_file``.

    With ``skip_invalid`` the rejected rows are returned as CSV bytes in
    ``Report.rejected_bytes`` (UTF-8 with BOM) and ``rejected_file`` is the name
    to offer for download; nothing is written to disk.
    """
    check_access(actor, table)
    steps = Stages(progress)
    steps.stage(0.0, 0.15)
    if table == "visits":
        blocks = open_table_bytes(data, filename, sheet=sheet,
                                  known_headers=known_header(table), limits=limits)
        return _import_visits(engine, actor, blocks, dry_run, skip_invalid, today, steps,
                              edit_days, rejected_path=None, lang=lang,
                              block_rows=block_rows)
    raw = read_table_bytes(data, filename, sheet=sheet, known_headers=known_header(table),
                           limits=limits)
    return _import(engine, actor, table, raw, dry_run, skip_invalid, today, steps, edit_days,
                   rejected_path=None, lang=lang)


def report_undecodable(raw: RawTable, issues: Issues) -> None:
    """Make each CSV row whose line is not in the file's encoding an error
    (``undecodable_row``), at its first cell of non-ASCII text."""
    label = {"gb18030": "GBK"}.get(raw.encoding or "", "UTF-8")
    groups: dict[tuple[str | None, str], tuple[list[int], list[str]]] = {}
    for position, column, value, looks in raw.undecodable_cells():
        positions, values = groups.setdefault((column, looks), ([], []))
        positions.append(position)
        values.append(value)
    for (column, looks), (positions, values) in groups.items():
        params = {"encoding": label, "looks": looks} if looks else {
            "encoding": label, "looks": "?", "variant": "unknown"}
        issues.error(None, column, "undecodable_row", params, values=values,
                     positions=np.array(positions, dtype=np.int64))


def report_template_example(raw: RawTable, table: str, issues: Issues) -> None:
    """Make each row that is the template's example row, left in the file, an error
    (``template_example_row``): it describes no real visit, and its record id may be a
    real one's."""
    example = {header: str(value) for header, value in TEMPLATES[table].items()
               if str(value) != ""}
    shown = [header for header in example if header in raw.frame.columns]
    if len(shown) < len(example):
        return  # not the template's headers: no row can be its example
    same = np.logical_and.reduce([
        raw.frame[header].astype(str).str.strip().to_numpy() == example[header]
        for header in shown])
    if same.any():
        issues.error(same, None, "template_example_row")


LOCK_PROGRESS = 0.95
"""The progress an import reports once its rows are staged, just before the write lock."""

OPTIMISTIC_ATTEMPTS = 3
"""Plans made without the write lock before one is made holding it (``_import``)."""


class _ConflictError(Exception):
    """Someone wrote between the plan's reading and its applying: plan again."""


def _import(engine: Engine, actor: User, table: str, raw: RawTable, dry_run: bool,
            skip_invalid: bool, today: date | None, steps: Stages, edit_days: int | None,
            rejected_path: Path | None, lang: str) -> Report:
    """Check, plan and write; a write is staged, then applied in one short transaction.

    The database is read and the plan made without the write lock; the rows are staged
    in temporary tables; then the data version is compared and set under the lock
    (``geo.store.claim_version``) and the staged rows applied. If anyone wrote in
    between, the plan is made again (``OPTIMISTIC_ATTEMPTS`` times, then once holding
    the lock from the start), so two imports of one file at the same moment store its
    rows once, and a form entry during a large import waits only for the final apply.
    """
    today = today or local_today()
    columns, unknown = map_headers(table, raw)
    for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
        report = Report(file=raw.file, table=table, rows=len(raw), dry_run=dry_run)
        issues = Issues(raw, columns)
        for label in unknown:
            issues.file_warning(label, "unknown_column")
        report_undecodable(raw, issues)
        report_template_example(raw, table, issues)
        if len(raw) == 0:
            report.warnings = issues.build("warnings")
            steps.stage(1.0, 1.0)
            return report
        try:
            return _attempt(engine, actor, table, raw, report, issues, columns, dry_run,
                            skip_invalid, today, steps, edit_days, rejected_path, lang,
                            locked=attempt == OPTIMISTIC_ATTEMPTS)
        except _ConflictError:
            continue
    raise AssertionError("a plan made under the write lock cannot conflict")


def _attempt(engine: Engine, actor: User, table: str, raw: RawTable, report: Report,
             issues: Issues, columns: dict, dry_run: bool, skip_invalid: bool, today: date,
             steps: Stages, edit_days: int | None, rejected_path: Path | None, lang: str,
             locked: bool) -> Report:
    with engine.connect() as connection, connection.begin():
        version = (store.lock_version(connection) if locked and not dry_run
                   else store.read_version(connection))
        steps.stage(0.15, 0.35)
        reference = load_reference(connection)
        ctx = Context(table, raw, columns, issues, reference, today, actor)
        rows = PREPARERS[table](ctx)
        steps.stage(0.35, 0.5)
        valid = ~issues.error_rows.copy()
        if table == "pairings":
            plan = plan_pairings(connection, ctx, rows, valid)
        elif table == "problems":
            plan = plan_problems(connection, ctx, rows, valid)
        elif table == "villages":
            plan = plan_villages(connection, ctx, rows, valid)
        elif table == "departments":
            plan = plan_departments(connection, ctx, rows, valid)
        else:
            plan = plan_cadres(connection, ctx, rows, valid)
        report.errors = issues.build("errors")
        report.warnings = issues.build("warnings")
        report.rejected = int(issues.error_rows.sum())
        if report.errors and not skip_invalid:
            steps.stage(1.0, 1.0)
            return report
        report.inserted, report.updated, report.unchanged = (
            plan.inserted, plan.updated, plan.unchanged)
        rejected = _rejected_rows(raw, issues, lang) if report.rejected else None
        if rejected is not None:
            name = (rejected_path.name if rejected_path is not None else
                    Path(raw.file).stem + REJECTED_SUFFIX)
            if rejected_path is None:
                report.rejected_bytes = rejected
                report.rejected_file = name
            elif not dry_run:
                rejected_path.write_bytes(rejected)
                report.rejected_file = str(rejected_path)
        if dry_run or not report.changed:
            steps.stage(1.0, 1.0)
            return report
        steps.stage(0.5, LOCK_PROGRESS)
        try:
            staged = stage_plan(connection, TABLES[table], plan, steps)
            _apply(connection, actor, table, raw.file, report, staged, locked, version,
                   steps)
        except BaseException:
            if rejected_path is not None and report.rejected_file:
                rejected_path.unlink(missing_ok=True)
                report.rejected_file = None
            raise
    steps.stage(1.0, 1.0)
    return report


def _apply(connection: Connection, actor: User, table: str, file: str, report: Report,
           staged: Staged, locked: bool, version: int, steps: Stages) -> None:
    """Apply staged rows: unless the data version is already held (``locked``), first
    check that nothing changed since the plan was made (``_ConflictError`` else); then the
    audit entries, the rows, and the staging tables dropped."""
    steps.stage(LOCK_PROGRESS, 1.0)
    if not locked and not store.claim_version(connection, version):
        raise _ConflictError
    _audit_import(connection, actor, table, file, report, staged)
    apply_staged(connection, staged)
    drop_staged(connection, staged)
    steps.step(0.5)  # applied; the commit follows


def _audit_import(connection: Connection, actor: User, table: str, file: str,
                  report: Report, staged: Staged) -> None:
    """One entry for the import (file and counts), and one per updated row with the
    fields it changes, before and after, so that an update can be traced and undone."""
    name = Path(file).name
    write_audit(connection, actor, "import", table, name, None,
                {"file": name, **report.counts()})
    entries = [{"key": key, "before": before, "after": after}
               for key, before, after in previous_values(connection, staged)]
    write_audits(connection, actor, "update", table, entries)


def _rejected_rows(raw: RawTable, issues: Issues, lang: str) -> bytes:
    """The invalid rows: the file's columns plus the row number and the reasons, in
    ``lang`` (UTF-8 with BOM). Both extra columns are ignored when the file comes back."""
    reasons = issues.reasons(lang)
    positions = reasons.index.to_numpy(dtype=np.int64)
    frame = raw.frame.iloc[positions].reset_index(drop=True).astype(object)
    row, because = translate("import.rejected.row", lang), translate("import.rejected.reason",
                                                                     lang)
    row_label = row if row not in frame.columns else f"{row} (import)"
    reason_label = because if because not in frame.columns else f"{because} (import)"
    frame[row_label] = raw.row_numbers[positions]
    frame[reason_label] = reasons.to_numpy()
    return csv_bytes(frame)


_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20
"""Freed blocks of memory this large or larger go back to the system at once."""


def _return_freed_arrays() -> None:
    """Have the C library's ``malloc`` give arrays of ``MMAP_THRESHOLD`` or more back to
    the system as soon as they are freed (glibc's ``M_MMAP_THRESHOLD``).

    By default glibc raises that threshold to the largest block freed so far, so after
    the first block of a large import its arrays come from the heap, and the heap keeps
    what they leave between smaller live objects: an import of a million visits then
    holds some 70 MB more than it uses. Elsewhere (not glibc) this does nothing.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError, TypeError):
        pass


_Keyed = tuple[int, int, int, int, Issue]
"""An issue with its sort key: spreadsheet row, phase (0 the header, 1 a block's checks,
2 the whole file's), order within its phase and block, position in the file."""


def _import_visits(engine: Engine, actor: User, blocks: TableBlocks, dry_run: bool,
                   skip_invalid: bool, today: date | None, steps: Stages,
                   edit_days: int | None, rejected_path: Path | None, lang: str,
                   block_rows: int) -> Report:
    """Import a visits file block by block (``_import``'s contract and result).

    The file is read ``block_rows`` rows at a time: the first pass checks each block's
    rows and keeps in memory of each valid row only its digests (``geo.io.visit_keys``),
    and on disk its typed values (``_TypedBlocks``); the duplicates within the file and
    the matching with the stored visits are then decided on the digests; the second pass
    stages the rows to write from the kept values, and reads again only the blocks that
    hold a row to reject or to quote in a whole-file issue. The memory an import takes
    is thus a block's, plus about 70 bytes per row of the file and per stored visit that
    may match, plus its issues.
    """
    today = today or local_today()
    _return_freed_arrays()
    columns, unknown = map_headers("visits", blocks.header())
    for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
        report = Report(file=blocks.file, table="visits", rows=len(blocks), dry_run=dry_run)
        header = Issues(blocks.header(), columns)
        for label in unknown:
            header.file_warning(label, "unknown_column")
        if len(blocks) == 0:
            report.warnings = header.build("warnings")
            steps.stage(1.0, 1.0)
            return report
        try:
            return _attempt_visits(engine, actor, blocks, report, header, columns, dry_run,
                                   skip_invalid, today, steps, edit_days, rejected_path,
                                   lang, block_rows, locked=attempt == OPTIMISTIC_ATTEMPTS)
        except _ConflictError:
            continue
    raise AssertionError("a plan made under the write lock cannot conflict")


_INSERT_COLUMNS = ["date", "department_code", "village_code", "kind", *VISIT_COUNT_FIELDS,
                   "cadre_ids", "lon", "lat", "summary", "record_id", "source", "created_by",
                   "created_at"]


class _WholeFileIssues:
    """Issues found over the whole file (duplicates within it, rows past a liaison's
    edit window): positions and parameters, given their cells block by block."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, np.ndarray, dict]] = []

    def add(self, target: str, column: str, code: str, positions: np.ndarray,
            params: dict) -> None:
        if len(positions):
            order = np.argsort(positions, kind="stable")
            self.entries.append((target, column, code, positions[order],
                                 {k: (v[order] if isinstance(v, np.ndarray) else v)
                                  for k, v in params.items()}))

    def error_positions(self) -> np.ndarray:
        found = [positions for target, _, _, positions, _ in self.entries
                 if target == "errors"]
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def of_block(self, block: RawTable, columns: dict, start: int) -> Issues:
        """The entries that fall in ``block`` (its first row at ``start``), as issues."""
        issues = Issues(block, columns)
        stop = start + len(block)
        for target, column, code, positions, params in self.entries:
            low, high = np.searchsorted(positions, [start, stop])
            if low == high:
                continue
            chosen = {k: (v[low:high] if isinstance(v, np.ndarray) else v)
                      for k, v in params.items()}
            add = issues.error if target == "errors" else issues.warning
            add(None, column, code, chosen, positions=positions[low:high] - start)
        return issues


class _TypedBlocks:
    """The valid rows of each block as ``prepare_visits`` typed them in the first pass,
    kept in an anonymous temporary file until the second pass stages them: taking them
    back costs a small part of reading and checking the block again, and the memory stays
    a block's (the file holds about as many bytes as the CSV; it vanishes when closed,
    also after a ``kill -9``)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._offsets: dict[int, tuple[int, int]] = {}

    def put(self, start: int, stop: int, rows: pd.DataFrame) -> None:
        """Keep ``rows`` (``prepare_visits``'s, ``pos`` within the block) of the block
        of the file's rows ``[start, stop)``."""
        self._file.seek(0, io.SEEK_END)
        self._offsets[start] = (self._file.tell(), stop)
        pickle.dump(rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def get(self, start: int) -> pd.DataFrame:
        """The rows kept of the block starting at ``start``."""
        self._file.seek(self._offsets[start][0])
        return pickle.load(self._file)  # this process's own anonymous file

    def spans(self) -> list[tuple[int, int]]:
        """Each kept block's ``(start, stop)``, in file order."""
        return sorted((start, stop) for start, (_, stop) in self._offsets.items())

    @classmethod
    @contextmanager
    def kept(cls) -> Iterator[_TypedBlocks]:
        """A store in a new anonymous temporary file, closed (and gone) on leaving."""
        with tempfile.TemporaryFile(prefix="pairmap-import-") as file:
            yield cls(file)


def _attempt_visits(engine: Engine, actor: User, blocks: TableBlocks, report: Report,
                    header: Issues, columns: dict, dry_run: bool, skip_invalid: bool,
                    today: date, steps: Stages, edit_days: int | None,
                    rejected_path: Path | None, lang: str, block_rows: int,
                    locked: bool) -> Report:
    found: dict[str, list[_Keyed]] = {
        target: [(row, 0, order, position, issue)
                 for row, order, position, issue in header.keyed(target)]
        for target in ("errors", "warnings")}
    with _TypedBlocks.kept() as typed, engine.connect() as connection, connection.begin():
        version = (store.lock_version(connection) if locked and not dry_run
                   else store.read_version(connection))
        steps.stage(0.15, 0.45)
        reference = load_reference(connection)
        spec = VisitKeySpec.of(columns.__contains__)
        keys = FileKeys(spec)
        departments: set[str] = set()
        for start, block in blocks.blocks(block_rows):
            issues = Issues(block, columns)
            report_undecodable(block, issues)
            report_template_example(block, "visits", issues)
            ctx = Context("visits", block, columns, issues, reference, today, actor)
            rows = prepare_visits(ctx)
            departments.update(d for d in pd.unique(rows["department_code"])
                               if isinstance(d, str))
            valid = ~issues.error_rows
            keys.add(rows, valid, start, block.row_numbers)
            if not dry_run:
                typed.put(start, start + len(block), rows[valid])
            for target in ("errors", "warnings"):
                found[target] += [(row, 1, order, start + position, issue)
                                  for row, order, position, issue in issues.keyed(target)]
            steps.step((start + len(block)) / len(blocks))
        for department in sorted(departments):
            require(actor, Action.WRITE_VISITS, department)
        steps.stage(0.45, 0.5)
        days = edit_days_of(actor, edit_days)
        whole = _WholeFileIssues()
        # A visit listed twice is a warning (DUPLICATE); a record id used twice by one
        # department is an error: the file does not say which row that record is.
        for code, column, positions, listed in duplicate_groups(keys):
            if column == "natural":
                whole.add("warnings", "summary" if "summary" in columns else "date", code,
                          positions, {"rows": listed})
            else:
                whole.add("errors", column, code, positions, {"rows": listed})
                keys.drop(positions)
        _, _, by_rid, natural, rid, _ = keys.arrays()
        stored = stored_keys(connection, spec, sorted(keys.departments), rid[by_rid, 0],
                             natural[~by_rid, 0], created=days is not None)
        matches = match_visits(keys, stored, today, days)
        del stored
        whole.add("errors", "date", "edit_window_passed", matches.late, {"days": days})
        del keys
        rejected = np.union1d(np.unique([entry[3] for entry in found["errors"]]),
                              whole.error_positions()).astype(np.int64)
        report.rejected = len(rejected)
        stopped = (bool(found["errors"]) or len(whole.error_positions()) > 0
                   ) and not skip_invalid
        if not stopped:
            report.inserted, report.updated, report.unchanged = (
                len(matches.inserts), matches.updated, matches.unchanged)
        write_rejected = not stopped and report.rejected > 0 and (
            rejected_path is None or not dry_run)
        stage = not stopped and not dry_run and report.changed
        steps.stage(0.5, LOCK_PROGRESS)
        out = (rejected_path.open("wb") if write_rejected and rejected_path is not None
               else io.BytesIO())
        try:
            with out:
                staged = _second_pass(
                    connection, blocks, columns, typed, actor, block_rows, found, whole,
                    matches if stage else None, rejected if write_rejected else None, out,
                    lang, steps)
                if write_rejected and rejected_path is None:
                    report.rejected_bytes = out.getvalue()
                    report.rejected_file = Path(blocks.file).stem + REJECTED_SUFFIX
                elif write_rejected:
                    report.rejected_file = str(rejected_path)
            report.errors = _ordered(found["errors"])
            report.warnings = _ordered(found["warnings"])
            if staged is None:
                steps.stage(1.0, 1.0)
                return report
            _apply(connection, actor, "visits", blocks.file, report, staged, locked,
                   version, steps)
        except BaseException:
            if rejected_path is not None and report.rejected_file:
                rejected_path.unlink(missing_ok=True)
                report.rejected_file = None
            elif rejected_path is not None and write_rejected:
                rejected_path.unlink(missing_ok=True)
            raise
    steps.stage(1.0, 1.0)
    return report


def _ordered(found: list[_Keyed]) -> list[Issue]:
    found.sort(key=lambda entry: entry[:3])
    return [entry[4] for entry in found]


def _second_pass(connection: Connection, blocks: TableBlocks, columns: dict,
                 typed: _TypedBlocks, actor: User, block_rows: int,
                 found: dict[str, list[_Keyed]], whole: _WholeFileIssues,
                 matches: VisitMatches | None, rejected: np.ndarray | None,
                 out: BinaryIO, lang: str, steps: Stages) -> Staged | None:
    """Take again the blocks that hold a whole-file issue (its cell) or a rejected row
    (written to ``out``), and with ``matches`` stage the rows to write (their typed
    values kept by the first pass in ``typed``); return the staged rows (None without
    ``matches``)."""
    stager = None
    wanted = [entry[3] for entry in whole.entries]
    if rejected is not None:
        wanted.append(rejected)
        reasons: dict[int, list[str]] = {}
        for *_, position, issue in sorted(
                (entry for entry in found["errors"]), key=lambda e: (e[3], e[1], e[2])):
            reasons.setdefault(position, []).append(reason(issue, lang))
    cells = np.unique(np.concatenate(wanted)) if wanted else np.zeros(0, np.int64)
    now = pd.Timestamp(local_now())
    if matches is not None:
        stager = Stager(connection, TABLES["visits"], "id",
                        len(matches.inserts) + matches.updated, steps)
        if len(cells) == 0:  # no cell of the file is needed again: the kept rows only
            spec = VisitKeySpec.of(columns.__contains__)
            for start, stop in typed.spans():
                _stage_block(stager, typed, spec, actor, start, stop, matches, now)
            return stager.staged
        wanted += [matches.inserts, *(pos for pos, _ in matches.updates)]
    needed = np.unique(np.concatenate(wanted)) if wanted else np.zeros(0, np.int64)
    if len(needed) == 0:
        return None if stager is None else stager.staged
    spec = VisitKeySpec.of(columns.__contains__)
    first = True
    for start, block in blocks.blocks(block_rows):
        stop = start + len(block)
        low, high = np.searchsorted(needed, [start, stop])
        if low == high:
            if stop > needed[-1]:
                break
            continue
        late = whole.of_block(block, columns, start)
        for target in ("errors", "warnings"):
            found[target] += [(row, 2, order, start + position, issue)
                              for row, order, position, issue in late.keyed(target)]
        if rejected is not None:
            for *_, position, issue in late.keyed("errors"):
                reasons.setdefault(start + position, []).append(reason(issue, lang))
            low, high = np.searchsorted(rejected, [start, stop])
            if low < high:
                positions = rejected[low:high] - start
                out.write(_rejected_block(block, positions,
                                          [reasons[int(p)] for p in rejected[low:high]],
                                          lang, first))
                first = False
        if matches is not None:
            _stage_block(stager, typed, spec, actor, start, stop, matches, now)
    return None if stager is None else stager.staged


def _in_block(positions: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The positions within ``[start, stop)``, made relative to ``start``."""
    return positions[(positions >= start) & (positions < stop)] - start


def _stage_block(stager: Stager, typed: _TypedBlocks, spec: VisitKeySpec, actor: User,
                 start: int, stop: int, matches: VisitMatches, now: pd.Timestamp) -> None:
    """Stage the rows of the file's block ``[start, stop)`` to insert and to update,
    their values as the first pass typed them (``typed``)."""
    inserts = _in_block(matches.inserts, start, stop)
    updates = []
    for pos, ids in matches.updates:
        inside = (pos >= start) & (pos < stop)
        updates.append((pos[inside] - start, ids[inside]))
    if len(inserts) == 0 and not any(len(pos) for pos, _ in updates):
        return
    rows = typed.get(start).set_index("pos")
    if len(inserts):
        new = stored_visits(rows.loc[inserts].reset_index(drop=True))
        new["source"] = "import"
        new["created_by"] = actor.username
        new["created_at"] = now
        stager.insert(0, _INSERT_COLUMNS, new)
    for number, ((positions, ids), fields) in enumerate(zip(
            updates, (spec.fields(True), spec.fields(False)), strict=True)):
        if len(positions) and fields:
            values = stored_visits(rows.loc[positions, fields].reset_index(drop=True))
            stager.update(number, fields, values.assign(_key=ids))


def _rejected_block(block: RawTable, positions: np.ndarray, reasons: list[list[str]],
                    lang: str, first: bool) -> bytes:
    """A block's rejected rows as ``_rejected_rows`` writes them (the header and the
    byte-order mark with the first)."""
    frame = block.frame.iloc[positions].reset_index(drop=True).astype(object)
    row, reason_header = (translate("import.rejected.row", lang),
                          translate("import.rejected.reason", lang))
    row_label = row if row not in frame.columns else f"{row} (import)"
    reason_label = (reason_header if reason_header not in frame.columns
                    else f"{reason_header} (import)")
    frame[row_label] = block.row_numbers[positions]
    frame[reason_label] = np.array(["; ".join(parts) for parts in reasons], dtype=object)
    text = neutralised(frame).to_csv(index=False, lineterminator="\n", header=first)
    return text.encode("utf-8-sig" if first else "utf-8")
