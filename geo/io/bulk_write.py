"""Record imports, step 6: stage a plan, then apply it in one short transaction.

The rows are first copied, in chunks (``executemany``; on PostgreSQL ``COPY … FROM
STDIN``), into temporary tables of the import's connection (``stage_plan``); that takes
no lock on the database's tables. Only then does the import take the write lock, check
that nothing changed since it read the database (``geo.store.claim_version``), and apply
the staged rows with one ``INSERT … SELECT`` or ``UPDATE … FROM`` per group
(``apply_staged``), so that a visit typed during a large import waits for a few seconds
at most instead of the whole import. Values go through the column types' own bind
processors once per column, not once per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    MetaData,
    Table,
    bindparam,
    insert,
    select,
    text,
    update,
)

from geo import schema
from geo.io.plans import Plan
from geo.io.report import Stages
from geo.values import to_json, to_python

CHUNK_ROWS = 20_000


SQLITE_CACHE_KIB = 64 * 1024  # page cache while writing many rows (index updates)


SQLITE_DEFAULT_CACHE = -2000


TABLES: dict[str, Table] = {"villages": schema.admin_units, "departments": schema.departments,
                            "cadres": schema.cadres, "pairings": schema.pairings,
                            "visits": schema.visits, "problems": schema.problems}


def _db_column(series: pd.Series, sql_type: object, dialect: object) -> list:
    """A column as driver-ready Python values (through the dialect's bind processor)."""
    processor = sql_type.dialect_impl(dialect).bind_processor(dialect)
    if pd.api.types.is_datetime64_any_dtype(series):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        stamps = pd.DatetimeIndex(uniques)
        python_values = (list(stamps.to_pydatetime()) if isinstance(sql_type, DateTime) else
                 [stamp.date() for stamp in stamps])
        values = np.array([None, *[processor(v) if processor else v for v in python_values]],
                          dtype=object)
        return values[codes + 1].tolist()
    if series.dtype == np.float64:  # plain floats need no processing
        values = series.to_numpy()
        out = values.astype(object)
        out[np.isnan(values)] = None
        return out.tolist()
    if series.dtype in (np.int64, np.int32, np.bool_):
        python_values = series.tolist()
    elif isinstance(series.dtype, (pd.Int64Dtype, pd.BooleanDtype)) or (
            pd.api.types.is_string_dtype(series.dtype) and series.dtype != object):
        python_values = series.to_numpy(dtype=object, na_value=None).tolist()
    elif pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        values = series.to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = None
        python_values = values.tolist()
    else:
        python_values = [to_python(v) for v in series.tolist()]
    if processor is None:
        return python_values
    return [None if v is None else processor(v) for v in python_values]


def _statement_rows(connection: Connection, statement: object, frame: pd.DataFrame,
                    types: dict[str, object]) -> tuple[str, list]:
    """Compile ``statement`` for the connection and give its parameter rows for ``frame``.

    Values go through the column types' own bind processors (dates as SQLAlchemy stores
    them), once per column rather than once per row.
    """
    compiled = statement.compile(dialect=connection.dialect)
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    columns = {name: _db_column(frame[name], types[name], connection.dialect) for name in names}
    if compiled.positional:
        rows = list(zip(*(columns[name] for name in names), strict=True))
    else:
        rows = [dict(zip(names, values, strict=True))
                for values in zip(*(columns[name] for name in names), strict=True)]
    return str(compiled), rows


def _temp_table(table: Table, columns: list[str], name: str, key: str | None = None) -> Table:
    """A connection-local staging table with ``columns`` of ``table`` (and ``_key``)."""
    defined = [Column(c, table.c[c].type) for c in columns]
    if key is not None:
        defined.append(Column("_key", table.c[key].type))
    return Table(name, MetaData(), *defined, prefixes=["TEMPORARY"])


def _drop(connection: Connection, stage: Table) -> None:
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {stage.name}")


def _copy_rows(connection: Connection, table: Table, columns: list[str], frame: pd.DataFrame,
               types: dict[str, object]) -> None:
    """Write ``frame``'s ``columns`` into ``table`` by PostgreSQL's ``COPY … FROM STDIN``
    (psycopg's ``Cursor.copy``), values through the column types' bind processors a
    column at a time."""
    values = [_db_column(frame[c], types[c], connection.dialect) for c in columns]
    cursor = connection.connection.driver_connection.cursor()
    names = ", ".join(columns)
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in zip(*values, strict=True):
            copy.write_row(row)


def _fill(connection: Connection, stage: Table, frame: pd.DataFrame, types: dict[str, object],
          progress: Stages, done: int, total: int) -> int:
    """Copy ``frame`` into the staging table ``stage`` in chunks: by ``COPY`` on
    PostgreSQL, by ``executemany`` elsewhere."""
    statement = insert(stage).values({c.name: bindparam(c.name, type_=c.type)
                                      for c in stage.columns})
    postgres = connection.dialect.name == "postgresql"
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start:start + CHUNK_ROWS]
        if postgres:
            _copy_rows(connection, stage, [c.name for c in stage.columns], part, types)
        else:
            sql, rows = _statement_rows(connection, statement, part, types)
            connection.exec_driver_sql(sql, rows)
        done += len(part)
        progress.step(done / total)
    return done


@dataclass
class Staged:
    """A plan copied into temporary tables of one connection, ready for ``apply_staged``."""

    table: Table
    key: str
    inserts: list[tuple[list[str], Table]] = field(default_factory=list)
    updates: list[tuple[list[str], Table]] = field(default_factory=list)


class Stager:
    """Copies rows into temporary tables of one connection as they come (a block at a
    time), for ``apply_staged``: insert group ``n`` into ``pairmap_stage_insert_n``,
    update group ``n`` (with the key in ``_key``) into ``pairmap_stage_update_n``.

    Temporary tables belong to the connection: writing them takes no lock on the
    database's own tables (SQLite keeps them in a separate file), so a form entry or
    another import goes on meanwhile; they vanish with the connection, also after a
    ``kill -9``.
    """

    def __init__(self, connection: Connection, table: Table, key: str, total: int,
                 progress: Stages) -> None:
        self.connection, self.progress = connection, progress
        self.total, self.done = max(1, total), 0
        self.types = {c.name: c.type for c in table.columns}
        self.key = key
        self._inserts: dict[int, tuple[list[str], Table]] = {}
        self._updates: dict[int, tuple[list[str], Table]] = {}
        self.staged = Staged(table=table, key=key)
        if connection.dialect.name == "sqlite" and total > CHUNK_ROWS:
            # index updates of many rows, staged and applied
            connection.exec_driver_sql(f"PRAGMA temp.cache_size=-{SQLITE_CACHE_KIB}")
            connection.exec_driver_sql(f"PRAGMA main.cache_size=-{SQLITE_CACHE_KIB}")

    def _stage(self, groups: dict[int, tuple[list[str], Table]], number: int,
               columns: list[str], name: str, key: str | None) -> Table:
        if number not in groups:
            stage = _temp_table(self.staged.table, columns, name, key=key)
            _drop(self.connection, stage)
            stage.create(self.connection)
            groups[number] = (columns, stage)
            self.staged.inserts = [groups_item for _, groups_item in sorted(
                self._inserts.items())]
            self.staged.updates = [groups_item for _, groups_item in sorted(
                self._updates.items())]
        return groups[number][1]

    def insert(self, number: int, columns: list[str], frame: pd.DataFrame) -> None:
        """Stage ``frame``'s ``columns`` as rows to insert (group ``number``)."""
        if frame.empty:
            return
        stage = self._stage(self._inserts, number, columns, f"pairmap_stage_insert_{number}",
                            None)
        self.done = _fill(self.connection, stage, frame[columns], self.types, self.progress,
                          self.done, self.total)

    def update(self, number: int, columns: list[str], frame: pd.DataFrame) -> None:
        """Stage ``frame``'s ``columns`` and ``_key`` as rows to update (group ``number``)."""
        if frame.empty or not columns:
            return
        stage = self._stage(self._updates, number, columns, f"pairmap_stage_update_{number}",
                            self.key)
        self.done = _fill(self.connection, stage, frame[[*columns, "_key"]],
                          self.types | {"_key": self.types[self.key]}, self.progress,
                          self.done, self.total)


def stage_plan(connection: Connection, table: Table, plan: Plan, progress: Stages) -> Staged:
    """Copy the plan's rows into temporary tables (in chunks; see ``Stager``)."""
    total = plan.inserted + sum(len(frame) for _, frame in plan.updates)
    stager = Stager(connection, table, plan.key, total, progress)
    for number, (columns, frame) in enumerate(plan.inserts):
        stager.insert(number, columns, frame)
    for number, (columns, frame) in enumerate(plan.updates):
        stager.update(number, columns, frame)
    return stager.staged


def _cell(value: object, sql_type: object) -> object:
    """A stored value as JSON takes it (a date column's value as its ISO date)."""
    value = to_json(value)
    if isinstance(sql_type, Date) and isinstance(value, str):
        return value[:10]
    return value


def previous_values(connection: Connection, staged: Staged) -> list[tuple[str, dict, dict]]:
    """For each row an update will change: its key, the fields it changes with their
    values before, and after (for the audit log)."""
    table, key = staged.table, staged.key
    changes: list[tuple[str, dict, dict]] = []
    for columns, stage in staged.updates:
        query = (select(table.c[key].label("_key"), *(table.c[c] for c in columns),
                        *(stage.c[c].label(f"new_{c}") for c in columns))
                 .select_from(table.join(stage, table.c[key] == stage.c["_key"]))
                 .order_by(table.c[key]))
        for row in connection.execute(query).mappings():
            before, after = {}, {}
            for column in columns:
                old = _cell(row[column], table.c[column].type)
                new = _cell(row[f"new_{column}"], table.c[column].type)
                if old != new:
                    before[column], after[column] = old, new
            if after:
                changes.append((str(row["_key"]), before, after))
    return changes


def apply_staged(connection: Connection, staged: Staged) -> None:
    """Write the staged rows into their table: one ``INSERT … SELECT`` per insert group
    and one ``UPDATE … FROM`` per update group, inside the caller's (short) transaction."""
    table = staged.table
    for columns, stage in staged.inserts:
        connection.execute(insert(table).from_select(columns, select(
            *(stage.c[c] for c in columns))))
        if "id" in columns and connection.dialect.name == "postgresql":
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"))
    for columns, stage in staged.updates:
        connection.execute(update(table).where(table.c[staged.key] == stage.c["_key"])
                           .values({c: stage.c[c] for c in columns}))


def drop_staged(connection: Connection, staged: Staged) -> None:
    """Drop the staging tables (they would also vanish with the connection)."""
    for _, stage in (*staged.inserts, *staged.updates):
        _drop(connection, stage)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA temp.cache_size={SQLITE_DEFAULT_CACHE}")
        connection.exec_driver_sql(f"PRAGMA main.cache_size={SQLITE_DEFAULT_CACHE}")


def insert_frame(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` into ``table`` (its columns that the table has), ids
    kept: on PostgreSQL by ``COPY … FROM STDIN``, elsewhere by ``executemany`` in chunks;
    values go through the column types' bind processors a column at a time. For loading
    many rows at once (the province sample's million visits); PostgreSQL's id sequence
    follows."""
    if frame.empty:
        return
    columns = [c.name for c in table.columns if c.name in frame.columns]
    types = {c.name: c.type for c in table.columns}
    postgres = connection.dialect.name == "postgresql"
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA main.cache_size=-{SQLITE_CACHE_KIB}")
    statement = insert(table).values({c: bindparam(c, type_=types[c]) for c in columns})
    for start in range(0, len(frame), CHUNK_ROWS * 5):
        part = frame.iloc[start:start + CHUNK_ROWS * 5]
        if postgres:
            _copy_rows(connection, table, columns, part, types)
        else:
            sql, rows = _statement_rows(connection, statement, part, types)
            connection.exec_driver_sql(sql, rows)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA main.cache_size={SQLITE_DEFAULT_CACHE}")
    if "id" in columns and postgres:
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"))
