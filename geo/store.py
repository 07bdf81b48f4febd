"""Reading tables into frames and writing whole data sets, in transactions.

Every function takes an SQLAlchemy engine; SQL is built with SQLAlchemy Core, so values
always travel as bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    Table,
    and_,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from geo import schema
from geo.access import User
from geo.audit import write_audit
from geo.coverage import COUNTY_CODE_LENGTH
from geo.io.table_files import EXPORT_COLUMNS
from geo.values import to_python

DATA_VERSION_KEY = "data_version"


def select_frame(connection: Connection, query: object) -> pd.DataFrame:
    """Run ``query``; its rows as a frame of object columns, built column by column."""
    result = connection.execute(query)
    names = list(result.keys())
    rows = result.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame({name: pd.Series(list(values), dtype=object)
                         for name, values in zip(names, columns, strict=True)})


def records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict[str, object]]:
    """Return ``frame``'s rows as driver-ready dictionaries of ``columns``."""
    cols = list(columns)
    return [
        {column: to_python(value) for column, value in zip(cols, row, strict=True)}
        for row in frame[cols].itertuples(index=False, name=None)
    ]


def _unit_rows(units: gpd.GeoDataFrame, level: str) -> list[dict[str, object]]:
    part = units[units["level"] == level]
    geometry = part.geometry
    points = geometry.representative_point()
    frame = pd.DataFrame(part.drop(columns="geometry"))
    frame["geometry"] = [
        None if g is None or g.is_empty else shapely.to_geojson(g) for g in geometry
    ]
    frame["lon"] = points.x.round(6)
    frame["lat"] = points.y.round(6)
    for column in ("population", "households", "left_behind_elderly", "low_income_households"):
        if column not in frame:
            frame[column] = None
    if "weak" not in frame:
        frame["weak"] = False
    frame["weak"] = frame["weak"].fillna(False).astype(bool)
    columns = [c.name for c in schema.admin_units.columns]
    return records(frame, columns)


def stored_visits(frame: pd.DataFrame) -> pd.DataFrame:
    """Visits in their stored form: an empty cadre id list or record id is NULL (as the
    form stores it), so that the unique (department, record id) index sees no record id."""
    frame = frame.copy()
    for name in ("cadre_ids", "record_id"):
        if name in frame:
            values = frame[name].astype(object)
            frame[name] = values.where(values.notna() & (values != ""), None)
    return frame


def stored_problems(frame: pd.DataFrame) -> pd.DataFrame:
    """Problems in their stored form: empty optional text (co-departments, resident,
    resolution, rating, record id) is NULL, so that the unique (department, record id)
    index sees no record id."""
    frame = frame.copy()
    for name in ("co_departments", "resident", "resolution", "satisfaction", "record_id"):
        if name in frame:
            values = frame[name].astype(object)
            frame[name] = values.where(values.notna() & (values != ""), None)
    return frame


SCOPED_VERSION_KEY = "data_version:scoped"
"""How many writes said which counties they changed (``bump_data_version(villages=…)``)."""
COUNTY_VERSION_PREFIX = "data_version:county:"
"""``data_version:county:<code>``: the data version of the last write that said it changed
that county (its code: the first ``COUNTY_CODE_LENGTH`` digits of its villages' codes)."""


def county_of(village_code: str) -> str:
    """The county of a village: the first ``COUNTY_CODE_LENGTH`` digits of its code (as
    ``geo.coverage`` scales the need index and ``in_county`` selects)."""
    return str(village_code)[:COUNTY_CODE_LENGTH]


def _increment(connection: Connection, key: str) -> int:
    """Add 1 to the ``meta`` counter ``key`` in one statement (1 for a counter never
    written) and return it."""
    table = schema.meta
    new = connection.execute(
        update(table).where(table.c.key == key)
        .values(value=cast(cast(table.c.value, Integer) + 1, String))
        .returning(table.c.value)
    ).scalar_one_or_none()
    if new is None:  # data_version's row exists from migration 0003 on; the others later
        connection.execute(insert(table).values(key=key, value="1"))
        return 1
    return int(new)


def bump_data_version(connection: Connection, villages: Iterable[str] | None = None) -> int:
    """Increase the data version (used to invalidate cached metrics) and return it.

    With ``villages``, the write says it changed only what belongs to those villages'
    counties (a visit, a problem): the caches of the other counties stay valid
    (``data_versions``). Without, any county's data may have changed.

    One statement adds 1 to the stored value: two writers committing at the same moment
    each add theirs (PostgreSQL evaluates the sum again on the row as the other writer
    left it), where reading the version and then writing it let both write the same
    next number, and a cache keyed by it missed one of the writes.
    """
    new = _increment(connection, DATA_VERSION_KEY)
    if villages is not None:
        _increment(connection, SCOPED_VERSION_KEY)
        for county in sorted({county_of(code) for code in villages}):
            set_meta(connection, COUNTY_VERSION_PREFIX + county, str(new))
    return new


@dataclass(frozen=True)
class DataVersions:
    """The data version and what the county-scoped caches are keyed by.

    ``unscoped`` counts the writes that did not say which counties they changed (every
    county's data may have); ``counties`` holds, per county code, the version of the
    last write that said it changed that county.
    """

    version: int
    unscoped: int
    counties: dict[str, int]

    def county_key(self, county: str) -> tuple[int, int]:
        """A key that changes with every write that may have changed ``county``."""
        return self.unscoped, self.counties.get(county, 0)


def data_versions(engine: Engine) -> DataVersions:
    """The data version and the per-county versions, read in one query."""
    table = schema.meta
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.key, table.c.value).where(
            table.c.key.startswith("data_version"))).all()
    values = {key: int(value or 0) for key, value in rows}
    version = values.get(DATA_VERSION_KEY, 0)
    counties = {key[len(COUNTY_VERSION_PREFIX):]: value for key, value in values.items()
                if key.startswith(COUNTY_VERSION_PREFIX)}
    return DataVersions(version, version - values.get(SCOPED_VERSION_KEY, 0), counties)


def department_counties(engine: Engine) -> set[str | None]:
    """The counties the departments belong to (``county_code``; None for a department
    without one)."""
    table = schema.departments
    with engine.connect() as connection:
        return set(connection.execute(select(table.c.county_code).distinct()).scalars())


def department_county(engine: Engine, code: str) -> str | None:
    """The county of department ``code`` (None without one, or for an unknown code)."""
    table = schema.departments
    with engine.connect() as connection:
        return connection.execute(select(table.c.county_code).where(
            table.c.code == code)).scalar_one_or_none()


def village_counties(engine: Engine) -> list[str]:
    """The counties (``county_of``) that have villages, in code order."""
    table = schema.admin_units
    with engine.connect() as connection:
        codes = connection.execute(select(table.c.code).where(
            table.c.level == "village")).scalars().all()
    return sorted({county_of(code) for code in codes})


def read_version(connection: Connection) -> int:
    """The data version as this connection sees it (0 for a database never written)."""
    value = connection.execute(select(schema.meta.c.value).where(
        schema.meta.c.key == DATA_VERSION_KEY)).scalar_one_or_none()
    return int(value or 0)


def claim_version(connection: Connection, expected: int) -> bool:
    """Take the write lock and bump the data version, if it is still ``expected``.

    A compare-and-set on the ``meta`` row: every write bumps the version, so a False
    answer means someone wrote since ``expected`` was read (the caller plans again).
    The row stays locked until the caller's transaction ends (SQLite: the database's
    write lock; PostgreSQL: the row lock), so two importers are applied one after the
    other, each against what the other wrote. The row exists from migration 0003 on.
    """
    table = schema.meta
    result = connection.execute(update(table).where(
        table.c.key == DATA_VERSION_KEY, table.c.value == str(expected)).values(
        value=str(expected + 1)))
    return result.rowcount == 1


def lock_version(connection: Connection) -> int:
    """Take the write lock first, then read the version (for a plan made under the lock,
    when optimistic attempts kept losing the race); return the version read."""
    table = schema.meta
    connection.execute(update(table).where(table.c.key == DATA_VERSION_KEY)
                       .values(value=table.c.value))
    return read_version(connection)


def set_meta(connection: Connection, key: str, value: str) -> None:
    """Insert or replace one ``meta`` value."""
    connection.execute(delete(schema.meta).where(schema.meta.c.key == key))
    connection.execute(insert(schema.meta).values(key=key, value=value))


def data_version(engine: Engine) -> int:
    """Return the current data version (0 for a database never written)."""
    with engine.connect() as connection:
        value = connection.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == DATA_VERSION_KEY)
        ).scalar_one_or_none()
    return int(value or 0)


def replace_all(
    engine: Engine,
    units: gpd.GeoDataFrame,
    departments: pd.DataFrame,
    cadres: pd.DataFrame,
    pairings: pd.DataFrame,
    visits: pd.DataFrame,
    meta: dict[str, str] | None = None,
    actor: User | None = None,
    source: str = "seed-demo",
    problems: pd.DataFrame | None = None,
    insert_rows: Callable[[Connection, Table, pd.DataFrame], None] | None = None,
) -> None:
    """Replace every admin unit, department, cadre, pairing, visit and problem (with its
    progress notes) in one transaction.

    Users and the audit log are kept. ``units`` holds all levels (county, township,
    village) in WGS84; ``problems`` is the new ledger (None: an empty one; the old
    ledger goes in any case, with the villages and visits it refers to). One audit
    entry, by ``actor`` (default the command line's user) with ``source`` as its key,
    records how many rows each table held before and after. ``insert_rows`` writes the
    cadres, pairings, visits and problems (default: ``executemany`` of their records;
    the province sample passes ``geo.io.bulk_write.insert_frame``).
    """
    from geo.auth import cli_user  # auth reads users through this module

    actor = actor or cli_user()
    with engine.begin() as connection:
        before = _replaced_counts(connection)
        emptied = (schema.problem_notes, schema.problems, schema.visits, schema.pairings,
                   schema.cadres)
        if connection.dialect.name == "postgresql":
            # One statement, no per-row foreign-key checks (a million visits: seconds,
            # where DELETE takes minutes); transactional like the rest.
            connection.exec_driver_sql(
                f"TRUNCATE {', '.join(table.name for table in emptied)}")
        else:
            for table in emptied:
                connection.execute(delete(table))
        connection.execute(
            update(schema.admin_units).values(parent_code=None)
        )
        connection.execute(delete(schema.admin_units))
        connection.execute(delete(schema.departments).where(
            schema.departments.c.code.not_in(
                select(schema.users.c.department_code).where(
                    schema.users.c.department_code.is_not(None))
            )
        ))
        for level in schema.ADMIN_LEVELS:  # parents first
            rows = _unit_rows(units, level)
            if rows:
                connection.execute(insert(schema.admin_units), rows)
        _insert(connection, schema.departments, departments, upsert_key="code")
        write = insert_rows or _insert
        write(connection, schema.cadres, cadres)
        write(connection, schema.pairings, pairings)
        write(connection, schema.visits, stored_visits(visits))
        if problems is not None:
            write(connection, schema.problems, stored_problems(problems))
        for key, value in (meta or {}).items():
            set_meta(connection, key, value)
        bump_data_version(connection)
        write_audit(connection, actor, "replace_all", "data", source, before,
                    _replaced_counts(connection))


REPLACED_TABLES = (schema.admin_units, schema.departments, schema.cadres, schema.pairings,
                   schema.visits, schema.problems)


def _replaced_counts(connection: Connection) -> dict[str, int]:
    return {table.name: connection.execute(select(func.count()).select_from(table))
            .scalar_one() for table in REPLACED_TABLES}


def _insert(connection: Connection, table: Table, frame: pd.DataFrame,
            upsert_key: str | None = None) -> None:
    """Insert ``frame``'s rows, keeping their ids; PostgreSQL's sequences follow."""
    if frame.empty:
        return
    columns = [c.name for c in table.columns if c.name in frame.columns]
    rows = records(frame, columns)
    if upsert_key is not None:
        kept = set(connection.execute(select(table.c[upsert_key])).scalars())
        for row in [r for r in rows if r[upsert_key] in kept]:
            connection.execute(
                update(table).where(table.c[upsert_key] == row[upsert_key]).values(**row)
            )
        rows = [r for r in rows if r[upsert_key] not in kept]
    if rows:
        connection.execute(insert(table), rows)
    if "id" in columns and connection.dialect.name == "postgresql":
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                 f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))")
        )


def _read(engine: Engine, table: Table, where: object = None, *,
          columns: Iterable[str] | None = None, dates: Iterable[str] = (),
          order_by: str | None = None) -> pd.DataFrame:
    """The rows of ``table`` (its ``columns``, all by default) matching ``where``, in
    ``order_by``'s order when given.

    The ``dates`` columns travel as ISO text and are parsed in one vectorised pass into
    ``datetime.date`` (None when empty): converting each row's date in the driver took
    most of the time of reading a million visits."""
    dated = set(dates)
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    query = select(*[cast(table.c[name], String).label(name) if name in dated
                     else table.c[name] for name in names])
    if where is not None:
        query = query.where(where)
    if order_by is not None:
        query = query.order_by(table.c[order_by])
    with engine.connect() as connection:
        result = connection.execute(query)
        # Plain tuples: pandas asks every Row for ``_fields``, which costs an exception.
        rows = [tuple(row) for row in result.fetchall()]
        frame = pd.DataFrame(rows, columns=list(result.keys()))
    return _dates(frame, [name for name in names if name in dated])


def load_units(engine: Engine, level: str, county: str | None = None) -> gpd.GeoDataFrame:
    """Return the admin units of ``level`` (of ``county`` only, a code prefix, when
    given) with their polygons (WGS84), in code order."""
    table = schema.admin_units
    where = _conditions(table.c.level == level,
                        None if county is None else in_county(table.c.code, county))
    frame = _read(engine, table, where, order_by="code")
    geometry = [
        shapely.from_geojson(text) if isinstance(text, str) and text else
        (shapely.Point(lon, lat) if lon is not None and not pd.isna(lon) else None)
        for text, lon, lat in zip(frame["geometry"], frame["lon"], frame["lat"], strict=True)
    ]
    frame = frame.drop(columns="geometry")
    for column in ("population", "households", "left_behind_elderly", "low_income_households"):
        frame[column] = frame[column].astype("Int64")
    frame["weak"] = frame["weak"].astype(bool)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=4326)


def load_villages(engine: Engine, county: str | None = None) -> gpd.GeoDataFrame:
    """Return the villages (polygon or point) with their figures (of ``county`` only, a
    code prefix, when given)."""
    return load_units(engine, "village", county)


def load_townships(engine: Engine, county: str | None = None) -> gpd.GeoDataFrame:
    """Return the townships (of ``county`` only, when given)."""
    return load_units(engine, "township", county)


def load_county(engine: Engine) -> gpd.GeoDataFrame:
    """Return the county (one row)."""
    return load_units(engine, "county")


def _dates(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").dt.date.astype(object)
        frame.loc[frame[column].isna(), column] = None
    return frame


def load_departments(engine: Engine, county: str | None = None) -> pd.DataFrame:
    """Return the departments in code order (with ``county``, those whose
    ``county_code`` is ``county``)."""
    table = schema.departments
    where = None if county is None else table.c.county_code == county
    return _read(engine, table, where).sort_values("code", ignore_index=True)


def load_cadres(engine: Engine, county: str | None = None) -> pd.DataFrame:
    """Return the cadres in id order (with ``county``, those of its departments)."""
    table = schema.cadres
    where = None if county is None else of_county_departments(table.c.department_code, county)
    return _read(engine, table, where).sort_values("id", ignore_index=True)


def load_pairings(engine: Engine, county: str | None = None) -> pd.DataFrame:
    """Return the pairings (of ``county``'s villages only, a code prefix, when given);
    ``start_date`` and ``end_date`` are ``datetime.date``."""
    table = schema.pairings
    where = None if county is None else in_county(table.c.village_code, county)
    return _read(engine, table, where, dates=["start_date", "end_date"], order_by="id")


def in_county(column: object, county: str) -> object:
    """The condition "``column`` (a village code) lies in ``county``" (a code prefix), as a
    range of codes, which an index on the column serves."""
    upper = county[:-1] + chr(ord(county[-1]) + 1)
    return and_(column >= county, column < upper)


def of_county_departments(column: object, county: str) -> object:
    """The condition "``column`` (a department code) is a department of ``county``"
    (its ``county_code``), as a subquery."""
    departments = schema.departments
    return column.in_(select(departments.c.code).where(departments.c.county_code == county))


def _conditions(*conditions: object) -> object:
    present = [c for c in conditions if c is not None]
    return and_(*present) if present else None


def load_visits(engine: Engine, until: date | None = None, county: str | None = None,
                columns: Iterable[str] | None = None,
                department_county: str | None = None, *, since: date | None = None,
                villages: Iterable[str] | None = None, department: str | None = None,
                ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Return the visits in id order, selected in SQL: optionally only those from
    ``since`` to ``until`` (inclusive), of ``county``'s villages, by
    ``department_county``'s departments, of ``villages`` (codes), of ``department``,
    with ``ids``; only ``columns`` when given."""
    table = schema.visits
    where = _conditions(
        None if until is None else table.c.date <= until,
        None if since is None else table.c.date >= since,
        None if county is None else in_county(table.c.village_code, county),
        None if department_county is None
        else of_county_departments(table.c.department_code, department_county),
        None if villages is None else table.c.village_code.in_(list(villages)),
        None if department is None else table.c.department_code == department,
        None if ids is None else table.c.id.in_([int(i) for i in ids]))
    return _read(engine, table, where, columns=columns, dates=["date"], order_by="id")


PROBLEM_DATE_COLUMNS = ("raised_on", "due_date", "resolved_on")


def load_problems(engine: Engine, until: date | None = None, county: str | None = None
                  ) -> pd.DataFrame:
    """Return the problems (optionally only those raised on or before ``until``, and only
    those of ``county``'s villages) in id order; the date columns are ``datetime.date``
    (None when empty). ``resident`` is private: callers that show rows go through
    ``geo.problem_service``."""
    table = schema.problems
    where = _conditions(None if until is None else table.c.raised_on <= until,
                        None if county is None else in_county(table.c.village_code, county))
    return _read(engine, schema.problems, where, dates=PROBLEM_DATE_COLUMNS, order_by="id")


def load_problem_notes(engine: Engine, problem_id: int | None = None) -> pd.DataFrame:
    """Return the progress notes (of one problem when given) in id order."""
    where = None if problem_id is None else schema.problem_notes.c.problem_id == problem_id
    return _read(engine, schema.problem_notes, where).sort_values("id", ignore_index=True)


def first_visit_date(engine: Engine) -> date | None:
    """Return the date of the earliest visit (None with no visit)."""
    with engine.connect() as connection:
        first = connection.execute(select(func.min(schema.visits.c.date))).scalar_one()
    return None if first is None else pd.Timestamp(first).date()


def load_audit(engine: Engine) -> pd.DataFrame:
    """Return the audit log in id order."""
    return _read(engine, schema.audit_log).sort_values("id", ignore_index=True)


def count_rows(engine: Engine) -> dict[str, int]:
    """Return the number of rows of each table."""
    with engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in schema.metadata.tables.items()
        }


def load_table(engine: Engine, table: str) -> pd.DataFrame:
    """Return an export table by its name (see ``geo.io.table_files.EXPORT_COLUMNS``)."""
    loaders = {
        "townships": load_townships,
        "villages": load_villages,
        "departments": load_departments,
        "cadres": load_cadres,
        "pairings": load_pairings,
        "visits": load_visits,
        "problems": load_problems,
        "audit": load_audit,
    }
    frame = loaders[table](engine)
    if table == "villages" or table == "townships":
        return frame
    return frame[EXPORT_COLUMNS[table]]
