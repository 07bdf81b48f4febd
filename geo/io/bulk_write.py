"""Record imports, step 6: write a plan in chunks with ``executemany``.

Values go through the column types' own bind processors once per column, not once per
row; SQLite gets a larger page cache while many rows are written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, DateTime, Table, bindparam, insert, text, update

from geo import schema
from geo.io.plans import Plan
from geo.io.report import Stages
from geo.values import to_python

CHUNK_ROWS = 20_000


SQLITE_CACHE_KIB = 256 * 1024  # page cache while writing many rows (index updates)


SQLITE_DEFAULT_CACHE = -2000


TABLES: dict[str, Table] = {"villages": schema.admin_units, "departments": schema.departments,
                            "cadres": schema.cadres, "pairings": schema.pairings,
                            "visits": schema.visits}


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


def write_plan(connection: Connection, table: Table, plan: Plan, progress: Stages) -> None:
    """Insert and update in chunks (``executemany``) inside the caller's transaction."""
    total = max(1, plan.inserted + sum(len(frame) for _, frame in plan.updates))
    done = 0
    types = {c.name: c.type for c in table.columns}
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and total > CHUNK_ROWS:
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        for columns, frame in plan.inserts:
            statement = insert(table).values({c: bindparam(c, type_=types[c]) for c in columns})
            for start in range(0, len(frame), CHUNK_ROWS):
                sql, rows = _statement_rows(connection, statement,
                                            frame.iloc[start:start + CHUNK_ROWS], types)
                connection.exec_driver_sql(sql, rows)
                done += len(rows)
                progress.step(done / total)
            if "id" in columns and connection.dialect.name == "postgresql":
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"))
        for columns, frame in plan.updates:
            statement = (update(table).where(table.c[plan.key] == bindparam("_key"))
                         .values({c: bindparam(f"v_{c}", type_=types[c]) for c in columns}))
            frame = frame.rename(columns={c: f"v_{c}" for c in columns})
            bind_types = {f"v_{c}": types[c] for c in columns} | {"_key": types[plan.key]}
            for start in range(0, len(frame), CHUNK_ROWS):
                sql, rows = _statement_rows(connection, statement,
                                            frame.iloc[start:start + CHUNK_ROWS], bind_types)
                connection.exec_driver_sql(sql, rows)
                done += len(rows)
                progress.step(done / total)
    finally:
        if sqlite and total > CHUNK_ROWS:
            connection.exec_driver_sql(f"PRAGMA cache_size={SQLITE_DEFAULT_CACHE}")
