"""One county, one township, one village and one department, written with the schema's
tables: the smallest database a write can be tested on (concurrency, migrations)."""

from __future__ import annotations

from sqlalchemy import Connection, insert

from geo import schema

VILLAGE = "420526100001"
DEPARTMENT = "D01"
SECOND_DEPARTMENT = "D02"


def add_tiny_county(connection: Connection, households: int | None = None,
                    second_department: bool = False) -> None:
    """Insert 兴山县 › 古夫镇 › 古夫村 (``VILLAGE``) and 县委组织部 (``DEPARTMENT``), and
    with ``second_department`` 县水利局 (``SECOND_DEPARTMENT``)."""
    village = {"code": VILLAGE, "name": "古夫村", "short_name": "古夫", "level": "village",
               "parent_code": "420526100000", "kind": "村", "weak": False}
    if households is not None:
        village["households"] = households
    connection.execute(insert(schema.admin_units), [
        {"code": "420526000000", "name": "兴山县", "short_name": "兴山县", "level": "county",
         "weak": False},
        {"code": "420526100000", "name": "古夫镇", "short_name": "古夫镇", "level": "township",
         "parent_code": "420526000000", "weak": False}])
    connection.execute(insert(schema.admin_units), [village])
    connection.execute(insert(schema.departments).values(
        code=DEPARTMENT, name="县委组织部", kind="党政机关", party_members=10, active=True))
    if second_department:
        connection.execute(insert(schema.departments).values(
            code=SECOND_DEPARTMENT, name="县水利局", kind="经济", party_members=5, active=True))
