"""The one catalogue is complete in both languages: the same keys, the same placeholders,
English without Chinese (but for the few data values it names), and lists joined the
language's way."""

from __future__ import annotations

import json
import re
import string

from geo.i18n import CATALOGUE, translate, translate_issue
from geo.settings import LANGUAGES

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+")
CHINESE_IN_ENGLISH = {
    "planner.committed": {"结对共建"},  # the pairing kind a plan writes, a stored value
    "cli.help.commit": {"结对共建"},  # the same kind, in the plan command's help
    "issue.bad_date": {"年", "月", "日"},  # 2024年5月6日, a date written the Chinese way
}
"""The Chinese an English text may hold, and why."""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_both_languages_have_the_same_keys():
    assert set(CATALOGUE) == set(LANGUAGES)
    assert sorted(set(CATALOGUE["zh"]) - set(CATALOGUE["en"])) == []
    assert sorted(set(CATALOGUE["en"]) - set(CATALOGUE["zh"])) == []
    assert len(CATALOGUE["en"]) > 700


def test_each_key_has_the_same_placeholders_in_both_languages():
    differ = {key: (_placeholders(CATALOGUE["zh"][key]), _placeholders(text))
              for key, text in CATALOGUE["en"].items()
              if _placeholders(CATALOGUE["zh"][key]) != _placeholders(text)}
    assert differ == {}
    assert _placeholders(CATALOGUE["en"]["data.checked"]) == {
        "rows", "inserted", "updated", "unchanged", "rejected"}


def test_no_text_is_empty():
    assert [(lang, key) for lang, texts in CATALOGUE.items() for key, text in texts.items()
            if not text.strip() and key != "audit.separator"] == []


def test_english_holds_no_chinese_but_the_values_it_names():
    found = {key: set(CJK.findall(text)) for key, text in CATALOGUE["en"].items()
             if CJK.search(text)}
    assert found == CHINESE_IN_ENGLISH


def test_each_language_is_named_in_itself():
    assert [translate("language.name", lang) for lang in LANGUAGES] == ["中文", "English"]


def test_a_field_s_choices_are_listed_the_language_s_way():
    issue = {"code": "unknown_kind", "value": "x", "column": "kind",
             "params": {"choices": ("走访慰问", "政策宣讲")}}
    assert translate_issue(issue, "zh").endswith("（走访慰问、政策宣讲）")
    assert translate_issue(issue, "en").endswith("(走访慰问, 政策宣讲)")


def test_the_import_json_speaks_pairmap_lang(demo_url, tmp_path, monkeypatch, capsys):
    """The command line's import report: each error's ``message`` in PAIRMAP_LANG (its
    ``code`` stays the same)."""
    from geo.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("日期,单位代码,村代码,走访类型,走访户数\n"
                   "2026-11-21,XS001,420526101201,走访慰问,-1\n", encoding="utf-8")
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", demo_url)
    messages = {}
    for lang in LANGUAGES:
        monkeypatch.setenv("PAIRMAP_LANG", lang)
        assert main(["import", "visits", str(bad), "--dry-run"]) == 1
        errors = json.loads(capsys.readouterr().out)["errors"]
        assert [e["code"] for e in errors] == ["negative_count"]
        messages[lang] = errors[0]["message"]
    assert CJK.search(messages["zh"]) and not CJK.search(messages["en"]), messages


def test_no_key_is_written_twice_in_a_language():
    """A dict literal keeps the last of two equal keys without a word: a key added twice
    (two features, or a merge) would silently lose one text."""
    import ast

    from tests.conftest import ROOT

    tree = ast.parse((ROOT / "geo" / "i18n.py").read_text(encoding="utf-8"))
    languages = [node for node in ast.walk(tree)
                 if isinstance(node, ast.Dict) and len(node.keys) > 100]
    assert len(languages) == len(CATALOGUE)
    for node in languages:
        keys = [key.value for key in node.keys if isinstance(key, ast.Constant)]
        assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


def test_a_message_repeats_a_long_value_by_its_start_and_length():
    """A 1,000-character 反映人 typed into a form is not echoed whole: the message shows
    its first characters and how long it is; a short value is repeated as typed."""
    from geo.io.report import Issue

    long = "张" * 29 + "王" + "李" * 970
    message = translate_issue(Issue(3, "反映人", long, "too_long", {"limit": 50}))
    assert message == f"“{'张' * 29}王…（共 1000 个字符）”超过 50 个字符"
    english = translate_issue(Issue(3, "反映人", long, "too_long", {"limit": 50}), "en")
    assert "(1000 characters)" in english and "李" not in english
    assert long not in Issue(3, "反映人", long, "too_long", {"limit": 50}).describe()
    sixty = "张" * 60
    assert translate_issue(Issue(3, "反映人", sixty, "too_long", {"limit": 50})) == (
        f"“{sixty}”超过 50 个字符")
    assert translate("planner.number_bad", value="9" * 61, low=1, high=5).startswith(
        f"“{'9' * 30}…（共 61 个字符）”")


def test_the_audit_log_shows_a_recorded_value_whole():
    """What was stored is shown whole in the audit log, however long."""
    import pandas as pd

    from geo.audit import describe_audit

    summary = "走访" * 200
    log = pd.DataFrame([{"id": 1, "at": "2026-12-01T08:00:00", "username": "admin",
                         "action": "create", "entity": "visits", "entity_key": "1",
                         "before": None, "after": json.dumps({"summary": summary})}])
    assert summary in describe_audit(log, "zh")["changes"].iloc[0]
