"""The meeting briefing (会议简报): its numbers are the reports' (``report coverage`` and
``report departments`` of the same as-of date), the PDF is A4 with the CJK font embedded
and says what matters, the workbook has a sheet per table, the map image is wide enough
and in the app's status colours; ``python -m geo briefing`` writes each and refuses what
it cannot write."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from matplotlib import image
from pypdf import PdfReader

from geo import db
from geo.access import Role, User
from geo.briefing import fonts
from geo.briefing.data import Briefing, load_briefing, months_period
from geo.briefing.files import briefing_bytes, briefing_kind
from geo.briefing.static_map import _scale_km, _wrapped
from geo.cli import main
from geo.errors import ConfigError, DataError
from geo.i18n import translate_error
from geo.layers import STATUS_COLOURS
from geo.period import Period
from geo.status import status_counts
from tests.conftest import ANCHOR, ROOT

WINDOW = NEGLECT = 90
MADE_ON = date(2026, 12, 6)
KPI_LABELS = ["已结对村", "近90天走访覆盖", "从未走访", "需关注村", "超期未办结"]
A4_POINTS = (595.2756, 841.8898)
SHEETS = ["说明", "关键指标", "最需关注村", "红榜", "黑榜", "月度走访"]
SLOW = pytest.mark.slow  # the briefing (1-3 s) and its files (about 1 s each) are made


@pytest.fixture(scope="module")
def database(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the sample county (history ending on ANCHOR)."""
    target = tmp_path_factory.mktemp("briefing") / "pairmap.db"
    shutil.copy(demo_db, target)
    return target


@pytest.fixture(scope="module")
def briefing(database: Path) -> Briefing:
    engine = db.make_engine(f"sqlite:///{database}")
    try:
        return load_briefing(engine, User("cli:test", Role.ADMIN), Period(ANCHOR, WINDOW),
                             NEGLECT, MADE_ON)
    finally:
        engine.dispose()


def test_the_briefing_reads_the_same_figures_on_each_backend(briefing: Briefing,
                                                             demo_url: str) -> None:
    """The briefing's figures are read from the database; on a copy of the sample county on
    each backend (PostgreSQL's is seeded there) they are those of the shared SQLite copy,
    so the files below, made once, show what either backend would show."""
    engine = db.make_engine(demo_url)
    try:
        other = load_briefing(engine, User("cli:test", Role.ADMIN), Period(ANCHOR, WINDOW),
                              NEGLECT, MADE_ON)
    finally:
        engine.dispose()
    for field in ("county", "as_of", "window_days", "neglect_days", "kpis", "previous",
                  "neglected_total", "months_period"):
        assert getattr(other, field) == getattr(briefing, field), field
    for field in ("neglected", "red", "black", "months"):
        pd.testing.assert_frame_equal(getattr(other, field), getattr(briefing, field),
                                      obj=field)
    pd.testing.assert_frame_equal(other.map.status, briefing.map.status)
    assert len(briefing.neglected) and len(briefing.red) and briefing.months["visits"].sum()


@pytest.fixture(scope="module")
def pdf(briefing: Briefing) -> bytes:
    return briefing_bytes(briefing, "pdf", "zh")


@pytest.fixture(scope="module")
def png(briefing: Briefing) -> np.ndarray:
    """The map image as RGB bytes (height × width × 3)."""
    pixels = image.imread(io.BytesIO(briefing_bytes(briefing, "png", "zh")), format="png")
    return np.rint(pixels[..., :3] * 255).astype(np.uint8)


def _report(kind: str, database: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture, *args: str) -> dict:
    """``python -m geo report KIND …`` on ``database``, its JSON."""
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{database}")
    capsys.readouterr()
    assert main(["report", kind, *args]) == 0
    return json.loads(capsys.readouterr().out)


@SLOW
def test_kpis_and_neglected_villages_are_report_coverages(
        briefing: Briefing, database: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture):
    now = _report("coverage", database, monkeypatch, capsys, "--as-of", ANCHOR.isoformat(),
                  "--window-days", str(WINDOW), "--neglect-days", str(NEGLECT))
    before = _report("coverage", database, monkeypatch, capsys, "--as-of",
                     (ANCHOR - timedelta(days=WINDOW)).isoformat(),
                     "--window-days", str(WINDOW), "--neglect-days", str(NEGLECT))
    for kpis, report in ((briefing.kpis, now), (briefing.previous, before)):
        totals = report["totals"]
        assert (kpis.villages, kpis.paired, kpis.visited, kpis.never_visited, kpis.severe) == (
            totals["villages"], totals["paired"], totals["visited"], totals["never_visited"],
            totals["severe"])
    assert briefing.kpis.severe > 0 and briefing.kpis.paired < briefing.kpis.villages
    # The fifth card, 超期未办结: ``report problems``' overdue total at T and at T - W.
    for kpis, as_of in ((briefing.kpis, ANCHOR), (briefing.previous,
                                                  ANCHOR - timedelta(days=WINDOW))):
        problems = _report("problems", database, monkeypatch, capsys, "--as-of",
                           as_of.isoformat(), "--window-days", str(WINDOW))
        assert kpis.overdue_problems == problems["totals"]["overdue"]
    assert briefing.kpis.overdue_problems > 0  # the sample county lets some go overdue
    assert briefing.neglected_total == now["totals"]["neglected"]
    # The overview's order: severe villages first, each group in DESIGN.md's order, the
    # order of ``report neglected``.
    neglected = _report("neglected", database, monkeypatch, capsys, "--as-of",
                        ANCHOR.isoformat(), "--window-days", str(WINDOW), "--neglect-days",
                        str(NEGLECT))
    severe = {"UNPAIRED", "NEVER_VISITED", "NOT_VISITED"}
    listed = neglected["villages"]
    assert len(listed) == briefing.neglected_total
    listed = ([v for v in listed if severe & set(v["reasons"])]
              + [v for v in listed if not severe & set(v["reasons"])])
    assert list(briefing.neglected["code"]) == [v["code"] for v in listed[:10]]
    assert [c for c in briefing.neglected["reason_codes"]] == [v["reasons"]
                                                                for v in listed[:10]]


@SLOW
def test_red_black_lists_and_months_are_report_departments(
        briefing: Briefing, database: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture):
    report = _report("departments", database, monkeypatch, capsys, "--as-of",
                     ANCHOR.isoformat(), "--window-days", str(WINDOW))
    scored = [d for d in report["departments"]
              if d["rank"] is not None and d["score"] is not None]
    assert len(scored) >= 10
    for listed, expected in ((briefing.red, scored[:5]), (briefing.black, scored[-5:])):
        assert list(listed.index) == [d["code"] for d in expected]
        assert list(listed["rank"]) == [d["rank"] for d in expected]
        assert list(listed["score"]) == pytest.approx([d["score"] for d in expected])
        assert list(listed["name"]) == [d["name"] for d in expected]

    chart = months_period(ANCHOR)
    months = _report("departments", database, monkeypatch, capsys, "--from",
                     chart.start.isoformat(), "--to", ANCHOR.isoformat(), "--part", "months")
    totals = pd.DataFrame(months["months"]).groupby("month")["visits"].sum()
    assert chart.start == date(2025, 12, 1) and len(totals) == 12
    assert list(briefing.months["month"]) == list(totals.index)
    assert list(briefing.months["visits"]) == [int(v) for v in totals]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@SLOW
def test_the_pdf_is_one_or_two_a4_pages_saying_what_matters(briefing: Briefing, pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.left), float(box.bottom)) == (0, 0)
        assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.01)
    text = _pdf_text(pdf)
    assert "兴山县" in text and ANCHOR.isoformat() in text and "近 90 天" in text
    for label in KPI_LABELS:
        assert label in text, label
    top = briefing.neglected.iloc[0]
    assert top["village"] in text and top["reasons"].split("、")[0] in text
    assert briefing.red["name"].iloc[0] in text and briefing.black["name"].iloc[-1] in text
    assert "红榜" in text and "黑榜" in text and "示意边界" in text


@SLOW
def test_the_pdf_embeds_a_cjk_truetype_font(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.add(str(font["/BaseFont"]))
    assert embedded and all("WenQuanYiMicroHei" in name for name in embedded), embedded


@SLOW
def test_names_with_markup_are_printed_as_typed(briefing: Briefing):
    """reportlab reads markup in its paragraphs: a department's name is escaped."""
    name = "县<b>测试</b>局 & <font size=40>X</font>"
    red = briefing.red.assign(name=[name, *briefing.red["name"].iloc[1:]])
    text = _pdf_text(briefing_bytes(dataclasses.replace(briefing, red=red), "pdf", "zh"))
    assert name in text.replace("\n", "")


@SLOW
def test_the_workbook_has_a_sheet_per_table_with_chinese_headers(briefing: Briefing):
    book = openpyxl.load_workbook(io.BytesIO(briefing_bytes(briefing, "xlsx", "zh")))
    assert book.sheetnames == SHEETS

    def rows(sheet: str) -> list[tuple]:
        return list(book[sheet].iter_rows(values_only=True))

    info = dict(rows("说明")[1:])
    assert info["县"] == "兴山县" and info["截至日期"] == ANCHOR.isoformat()
    assert info["统计窗口（天）"] == WINDOW
    kpis = rows("关键指标")
    assert kpis[0] == ("指标", "本期", "上期", "较上一90天", "变化单位")
    assert [row[0] for row in kpis[1:]] == KPI_LABELS
    assert kpis[4][1:4] == (str(briefing.kpis.severe), str(briefing.previous.severe),
                            briefing.kpis.severe - briefing.previous.severe)
    overdue, before = briefing.kpis.overdue_problems, briefing.previous.overdue_problems
    assert kpis[5][1:] == (str(overdue), str(before), overdue - before, "件")
    neglected = rows("最需关注村")
    assert neglected[0] == ("序号", "区划代码", "村（社区）", "乡镇", "程度", "原因",
                            "距上次走访", "未达要求的单位及月份", "结对单位", "优先级")
    assert len(neglected) == 11 and neglected[1][2] == briefing.neglected["village"].iloc[0]
    for sheet, listed in (("红榜", briefing.red), ("黑榜", briefing.black)):
        table = rows(sheet)
        assert table[0] == ("名次", "单位", "得分")
        assert [row[1] for row in table[1:]] == list(listed["name"])
    months = rows("月度走访")
    assert months[0] == ("月份", "走访次数") and len(months) == 13
    assert sum(row[1] for row in months[1:]) == int(briefing.months["visits"].sum())


@SLOW
def test_the_map_image_is_wide_and_in_the_status_colours(briefing: Briefing, png: np.ndarray):
    height, width, _ = png.shape
    assert width >= 1600 and width > height
    packed = png.reshape(-1, 3).astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    colours = {(int(v) >> 16, (int(v) >> 8) & 255, int(v) & 255) for v in np.unique(packed)}
    counts = status_counts(briefing.map.status)
    assert all(counts.values())  # the sample county shows every class
    for status, hex_colour in STATUS_COLOURS.items():
        rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, (status, hex_colour)


def test_map_helpers_choose_a_round_scale_and_wrap_the_legend_title():
    assert _scale_km(76_000) == 10 and _scale_km(200_000) == 50 and _scale_km(1000) == 1
    assert _wrapped("村（社区）服务状态（近期＝近 90 天）", 28) == (
        "村（社区）服务状态\n（近期＝近 90 天）")


def test_the_file_kind_comes_from_the_ending():
    assert [briefing_kind(p) for p in ("a.pdf", "B.XLSX", "dir/c.png")] == [
        "pdf", "xlsx", "png"]
    with pytest.raises(DataError) as raised:
        briefing_kind("notes.docx")
    assert raised.value.code == "briefing_suffix"
    assert ".docx" in translate_error(raised.value, "zh")


def test_a_missing_font_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          capsys: pytest.CaptureFixture):
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", (tmp_path / "absent.ttc",))
    with pytest.raises(ConfigError) as raised:
        fonts.cjk_font_path()
    assert raised.value.code == "cjk_font_missing"
    for lang in ("zh", "en"):
        assert "fonts-wqy-microhei" in translate_error(raised.value, lang)
    assert fonts.missing_font_error() is not None
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    assert main(["briefing", "--out", str(tmp_path / "b.pdf")]) == 2
    error = capsys.readouterr().err
    assert "fonts-wqy-microhei" in error and "Traceback" not in error
    assert not (tmp_path / "b.pdf").exists() and not (tmp_path / "unused.db").exists()


def test_the_font_is_installed_here_and_by_ci():
    assert fonts.cjk_font_path() == fonts.CJK_FONT_CANDIDATES[0]
    assert fonts.missing_font_error() is None
    assert f"install -y -qq --no-install-recommends chromium {fonts.FONT_PACKAGE}" in (
        ROOT / ".ci" / "run").read_text(encoding="utf-8")


@SLOW
def test_the_command_writes_each_kind_and_refuses_another(
        database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture):
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("PAIRMAP_LANG", "en")
    signatures = {"pdf": b"%PDF-", "xlsx": b"PK\x03\x04", "png": b"\x89PNG\r\n\x1a\n"}
    for kind, signature in signatures.items():
        out = tmp_path / "out" / f"briefing.{kind}"
        assert main(["briefing", "--out", str(out), "--as-of", ANCHOR.isoformat(),
                     "--window-days", "60"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result == {"briefing": kind, "out": str(out), "as_of": ANCHOR.isoformat(),
                          "window_days": 60, "bytes": out.stat().st_size}
        assert out.read_bytes().startswith(signature)
    text = _pdf_text((tmp_path / "out" / "briefing.pdf").read_bytes())
    assert "Paired villages" in text and "last 60 days" in text  # PAIRMAP_LANG=en
    assert main(["briefing", "--out", str(tmp_path / "briefing.docx")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and ".docx" in captured.err and "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1


@SLOW
def test_an_empty_database_has_no_map_but_a_workbook(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture):
    monkeypatch.setenv("PAIRMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["briefing", "--out", str(tmp_path / "map.png")]) == 2
    error = capsys.readouterr().err
    assert "没有县界和村界" in error and "Traceback" not in error
    assert not (tmp_path / "map.png").exists()
    assert main(["briefing", "--out", str(tmp_path / "b.xlsx")]) == 0
    book = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert book.sheetnames == SHEETS and book["最需关注村"].max_row == 1
