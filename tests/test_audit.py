"""The audit log as a person reads it: actions, tables and fields in words, a diff."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from geo.audit import AUDIT_COLUMNS, describe_audit


def _log(*entries: tuple) -> pd.DataFrame:
    rows = [{"id": i, "at": datetime(2026, 11, 28, 9, i), "username": "wang",
             "action": action, "entity": entity, "entity_key": key,
             "before": None if before is None else json.dumps(before, ensure_ascii=False),
             "after": None if after is None else json.dumps(after, ensure_ascii=False)}
            for i, (action, entity, key, before, after) in enumerate(entries, start=1)]
    return pd.DataFrame(rows)


LOG = _log(
    ("update", "visits", "7", {"summary": "旧", "households_visited": 3, "lon": None},
     {"summary": "新", "households_visited": 5, "lon": 110.7}),
    ("create", "users", "li", None, {"username": "li", "role": "liaison", "active": True,
                                     "department_code": None}),
    ("import", "visits", "台账.csv", None, {"file": "台账.csv", "rows": 3, "inserted": 2,
                                          "updated": 1, "unchanged": 0, "rejected": 0}),
    ("delete", "visits", "9", {"date": "2026-11-01", "summary": "走访"}, None),
    ("reset_password", "users", "li", None, None),
)


def test_every_word_is_chinese_and_the_update_is_a_diff():
    shown = describe_audit(LOG, "zh")
    assert list(shown.columns) == AUDIT_COLUMNS
    assert shown["action"].tolist() == ["修改", "新增", "导入", "删除", "重置密码"]
    assert shown["entity"].tolist() == ["走访记录", "用户", "走访记录", "走访记录", "用户"]
    changes = shown["changes"].tolist()
    # In a record's natural order (the catalogue's), not the stored JSON's sorted keys.
    assert changes[0] == "走访户数：3 → 5；经度：— → 110.7；工作内容：旧 → 新"
    assert changes[1] == "用户名：li；角色：单位联络员；在用：是"
    assert changes[2] == "文件：台账.csv；行数：3；新增：2；更新：1；不变：0；未导入：0"
    assert changes[3] == "日期：2026-11-01；工作内容：走访"
    assert changes[4] == "—"  # a password reset records no values
    assert "None" not in " ".join(changes) and "{" not in " ".join(changes)


def test_the_same_log_in_english():
    shown = describe_audit(LOG.iloc[:1], "en")
    assert shown.loc[0, "action"] == "changed"
    assert shown.loc[0, "changes"] == ("households: 3 → 5; longitude: — → 110.7; "
                                       "summary: 旧 → 新")


def test_seed_demo_force_leaves_an_audit_entry_with_the_counts_it_replaced(database_url):
    """``seed-demo --force`` replaced every record without a trace; now one entry says who,
    and how many rows each table held before and after."""
    import json
    from datetime import date

    from sqlalchemy import select

    from geo import db, schema
    from geo.access import Role, User
    from geo.demo import seed

    engine = db.make_engine(database_url)
    seed.seed_demo(engine, anchor=date(2026, 11, 28))
    clerk = User(username="cli:clerk", role=Role.ADMIN, display_name="cli:clerk")
    seed.seed_demo(engine, anchor=date(2026, 11, 28), seed=7, force=True, actor=clerk)
    with engine.connect() as connection:
        entries = connection.execute(select(schema.audit_log).where(
            schema.audit_log.c.action == "replace_all").order_by(schema.audit_log.c.id)).all()
        visits = connection.execute(select(schema.visits.c.id)).all()
    engine.dispose()
    assert [(e.entity, e.entity_key) for e in entries] == [("data", "seed-demo")] * 2
    assert entries[0].username.startswith("cli:") and entries[1].username == "cli:clerk"
    first, second = (json.loads(e.after) for e in entries)
    assert json.loads(entries[0].before)["visits"] == 0
    assert json.loads(entries[1].before) == first
    assert second["visits"] == len(visits) and second["admin_units"] == 1 + 8 + 96
