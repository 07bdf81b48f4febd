"""A CSV that mixes encodings, or is in no Chinese encoding, is never imported garbled
(security issue 10, finding 5).

Before: two UTF-8 rows and one GBK row were read as Shift-JIS (charset-normalizer's
guess) and imported with exit 0, every Chinese name garbled. Now the file is read in the
more plausible of UTF-8 and GBK; a row whose line is not in it is an error with its
spreadsheet row and first column of non-ASCII text, saying what the line looks like;
a file in Shift-JIS or Windows-1252 is never read as Japanese, nor silently as GBK.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from geo import cli, db, schema
from geo.access import Role, User
from geo.i18n import translate_issue
from geo.io import imports, readers

ADMIN = User(username="admin", role=Role.ADMIN, display_name="管理员")
HEADER = "单位代码,单位名称,单位类型\n"
UTF8_ROWS = ["D91,县财政局,经济\n", "D92,县教育局,教科文卫\n"]
GBK_ROW = "D93,县卫生健康局,教科文卫\n"


@pytest.fixture
def url(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sample county on each backend, for the command line."""
    url = demo_url
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", url)
    monkeypatch.setenv("PAIRMAP_LANG", "zh")
    return url


def run(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, dict]:
    """``python -m geo import …`` in this process: exit code and JSON report."""
    code = cli.main(["import", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def names(url: str, codes: list[str]) -> dict[str, str]:
    engine = db.make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(schema.departments.c.code, schema.departments.c.name)
                                  .where(schema.departments.c.code.in_(codes))).all()
    engine.dispose()
    return dict(rows)


def chinese(url: str, path: Path) -> list[str]:
    """The Chinese sentences of the file's ``undecodable_row`` errors (a dry run)."""
    engine = db.make_engine(url)
    report = imports.import_file(engine, ADMIN, "departments", path, dry_run=True)
    engine.dispose()
    return [translate_issue(e, "zh") for e in report.errors if e.code == "undecodable_row"]


def test_two_utf8_rows_and_one_gbk_row(url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "单位.csv"
    path.write_bytes((HEADER + UTF8_ROWS[0]).encode("utf-8") + GBK_ROW.encode("gbk")
                     + UTF8_ROWS[1].encode("utf-8"))
    code, report = run(["departments", str(path)], capsys)
    assert code == 1 and report["inserted"] == 0
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [
        (3, "单位名称", "undecodable_row")]
    assert names(url, ["D91", "D92", "D93"]) == {}
    [sentence] = chinese(url, path)
    assert "不是 UTF-8 编码" in sentence and "看起来是 GBK" in sentence
    assert "Shift" not in json.dumps(report)

    code, report = run(["departments", str(path), "--skip-invalid"], capsys)
    assert code == 1 and report["inserted"] == 2 and report["rejected"] == 1
    assert names(url, ["D91", "D92", "D93"]) == {"D91": "县财政局", "D92": "县教育局"}
    rejected = (tmp_path / "单位.rejected.csv").read_text(encoding="utf-8-sig")
    assert "县卫生健康局" in rejected  # the GBK line decoded as GBK, shown as written


def test_gbk_rows_and_one_utf8_row(url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "单位.csv"
    path.write_bytes((HEADER + GBK_ROW + "D94,县民政局,党政机关\n").encode("gbk")
                     + UTF8_ROWS[0].encode("utf-8"))
    code, report = run(["departments", str(path)], capsys)
    assert code == 1 and report["inserted"] == 0
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [
        (4, "单位名称", "undecodable_row")]
    [sentence] = chinese(url, path)
    assert "不是 GBK 编码" in sentence and "看起来是 UTF-8" in sentence
    code, report = run(["departments", str(path), "--skip-invalid"], capsys)
    assert report["inserted"] == 2
    assert names(url, ["D91", "D93", "D94"]) == {"D93": "县卫生健康局", "D94": "县民政局"}


def test_a_shift_jis_file_is_neither_read_as_japanese_nor_as_gbk(
        url: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Shift-JIS bytes decode as GB18030 (``テスト`` → ``僥僗僩``): each such row is an
    error saying it looks like Shift-JIS; the ASCII row imports."""
    path = tmp_path / "departments.csv"
    path.write_bytes(b"code,name,kind\n" + "D96,テスト部局,総務\nD97,東京都庁,経済\n"
                     .encode("cp932") + b"D98,Finance,\xbe\xad\xbc\xc3\n")
    code, report = run(["departments", str(path)], capsys)
    assert code == 1
    errors = [(e["row"], e["column"]) for e in report["errors"] if e["code"] == "undecodable_row"]
    assert errors == [(2, "name"), (3, "name")]  # not row 4: its GBK text is Chinese
    sentences = chinese(url, path)
    assert len(sentences) == 2
    assert all("看起来是 Shift-JIS" in s and "不是 GBK 编码" in s for s in sentences)
    assert names(url, ["D96", "D97", "D98"]) == {}


def test_a_shift_jis_line_in_a_utf8_file_says_shift_jis(url: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "单位.csv"
    path.write_bytes((HEADER + "".join(UTF8_ROWS)).encode("utf-8")
                     + "D96,テスト部局,総務\n".encode("cp932"))
    code, report = run(["departments", str(path)], capsys)
    assert code == 1
    assert [e["row"] for e in report["errors"] if e["code"] == "undecodable_row"] == [4]
    [sentence] = chinese(url, path)
    assert "看起来是 Shift-JIS" in sentence


def test_a_windows_1252_file_is_not_read_as_chinese(url: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "departments.csv"
    path.write_bytes(b"code,name,kind\n" + "D96,Café Müller Économie,党政机关\n"
                     .encode("cp1252", "replace").replace(b"?", b"x"))
    code, report = run(["departments", str(path)], capsys)
    assert code == 1
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]][:1] == [
        (2, "name", "undecodable_row")]
    [sentence] = chinese(url, path)
    assert "看起来是 Windows-125" in sentence and "不是 GBK 编码" in sentence


def test_a_gbk_file_with_rare_characters_in_names_is_read_cleanly(url: str, tmp_path: Path,
                                                                  capsys) -> None:
    """A name with a character outside GB2312 (堃, 喆) is Chinese: no error."""
    path = tmp_path / "单位.csv"
    path.write_text(HEADER + "D95,县堃喆研究室,教科文卫\n" + GBK_ROW, encoding="gbk")
    code, report = run(["departments", str(path)], capsys)
    assert code == 0 and report["inserted"] == 2, report
    assert names(url, ["D95"]) == {"D95": "县堃喆研究室"}


def test_detect_encoding_on_hand_made_bytes() -> None:
    text = "日期,单位代码\n2026-05-06,县财政局\n"
    assert readers.detect_encoding(text.encode("utf-8")) == "utf-8"
    assert readers.detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert readers.detect_encoding(text.encode("gbk")) == "gb18030"
    mixed = text.encode("utf-8") * 2 + "县卫生健康局\n".encode("gbk")
    assert readers.detect_encoding(mixed) == "utf-8"
    mixed = text.encode("gbk") * 3 + "县财政局\n".encode()
    assert readers.detect_encoding(mixed) == "gb18030"
    for data in ("テスト部局\n東京都庁\n".encode("cp932"), "Café Müller\n".encode("cp1252"),
                 "テスト\n".encode("euc_jp")):
        assert readers.detect_encoding(data) in ("utf-8", "gb18030")


def test_a_shift_jis_file_marks_every_row_with_what_it_looks_like() -> None:
    data = b"code,name,kind\n" + "D96,テスト部局,総務\nD97,東京都庁,総務\n".encode("cp932")
    raw = readers.read_table_bytes(data, "departments.csv")
    assert raw.encoding == "gb18030"
    assert raw.undecodable == {0: "Shift-JIS", 1: "Shift-JIS"}
