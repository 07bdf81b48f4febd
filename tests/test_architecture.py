"""House rules that keep the layers apart."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from geo.i18n import CATALOGUE
from tests.conftest import ROOT

GEO_MODULES = sorted(
    "geo." + p.relative_to(ROOT / "geo").with_suffix("").as_posix().replace("/", ".")
    for p in (ROOT / "geo").rglob("*.py")
    if "migrations" not in p.parts and p.name not in ("__init__.py", "__main__.py")
)
PAGES = sorted((ROOT / "pages").glob("*.py"))
UI = sorted((ROOT / "ui").glob("*.py"))
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def test_importing_geo_does_not_import_streamlit():
    code = (
        "import importlib, sys\n"
        f"for name in {GEO_MODULES!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(bad)\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(GEO_MODULES) >= 10


def test_no_geo_source_mentions_streamlit_imports():
    for path in (ROOT / "geo").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert all(not a.name.startswith("streamlit") for a in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("streamlit"), path


def _string_literals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr)
                  and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docstrings]


def test_pages_hold_no_user_facing_literals():
    assert len(UI) >= 4 and not (ROOT / "ui.py").exists()
    for path in [*PAGES, ROOT / "app.py", *UI]:
        offenders = [s for s in _string_literals(path) if CJK.search(s)]
        assert offenders == [], f"{path.name}: text belongs in geo/i18n.py: {offenders}"


def test_pages_are_thin():
    forbidden = ("sqlalchemy", "geopandas", "shapely", "folium", "pandas", "geo.store",
                 "geo.db")
    for path in PAGES:
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 150, path.name
        tree = ast.parse(source)
        imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in imported if m.startswith(forbidden)], path.name


def test_every_translation_key_used_exists():
    from ui.session import PAGES as SPECS

    used = set()
    for path in [*PAGES, ROOT / "app.py", *UI]:
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text("utf-8")))
        used |= set(re.findall(r"""\bpage\(\s*Action\.\w+,\s*["']([\w.]+)["']""",
                               path.read_text("utf-8")))
    assert {"page.overview", "page.admin", "page.login", "guard.database"} <= used
    used |= {key for spec in SPECS for key in (spec.title_key, spec.section)}
    missing = used - set(CATALOGUE["zh"])
    assert missing == set()


def test_english_keys_are_a_subset_of_chinese():
    assert set(CATALOGUE["en"]) <= set(CATALOGUE["zh"])


def test_every_widget_has_a_key():
    calls = ("st_folium(", "st.dataframe(", "st.selectbox(", "st.date_input(", "st.button(",
             "st.download_button(", "st.text_input(", "st.number_input(", "st.radio(",
             "st.multiselect(", "st.slider(", "st.checkbox(", "st.file_uploader(")
    for path in [*PAGES, *UI]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func) + "("
                if name.endswith(calls):
                    assert any(k.arg == "key" for k in node.keywords), (path.name, name)
