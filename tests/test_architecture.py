"""House rules that keep the layers apart."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from geo.i18n import CATALOGUE
from tests.conftest import ROOT

GEO_MODULES = sorted(
    "geo." + p.relative_to(ROOT / "geo").with_suffix("").as_posix().replace("/", ".")
    for p in (ROOT / "geo").rglob("*.py")
    if "migrations" not in p.parts and p.name not in ("__init__.py", "__main__.py")
)
PAGES = sorted((ROOT / "app_pages").glob("*.py"))
UI = sorted((ROOT / "ui").glob("*.py"))
GUARD = ROOT / "ui" / "session.py"  # the one module that catches geo's errors
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


@pytest.mark.slow  # a fresh interpreter imports every geo module
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


def _geo_module_name(path) -> str:
    """``geo/io/readers.py`` -> ``geo.io.readers``; ``geo/io/__init__.py`` -> ``geo.io``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _geo_import_graph() -> dict[str, set[str]]:
    """Each geo module (packages by their ``__init__``) and the geo modules it imports,
    at the top or inside a function: a deferred import is still a dependency."""
    paths = [p for p in (ROOT / "geo").rglob("*.py") if "migrations" not in p.parts]
    modules = {_geo_module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        name = _geo_module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, up level - 1
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets.add(base)
                targets |= {f"{base}.{a.name}" for a in node.names}
        # The modules named, without the geo package itself (its __init__ imports nothing).
        graph[name] = {t for t in targets if t in modules and t not in (name, "geo")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_geo_modules():
    """Issue 11: no two geo modules import each other, even through others or inside a
    function (geo.coverage and geo.metrics did)."""
    graph = _geo_import_graph()
    assert {"geo.period", "geo.inputs", "geo.coverage", "geo.status"} <= set(graph)
    assert "geo.coverage" in graph["geo.status"]  # the graph sees imports at all
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_inside_a_function():
    graph = {"geo.a": {"geo.b"}, "geo.b": {"geo.c"}, "geo.c": {"geo.a"}, "geo.d": {"geo.a"}}
    assert _cycles(graph) == [["geo.a", "geo.b", "geo.c"]]


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


# The geo modules whose Chinese literals are data, not messages: what files hold, what the
# database stores and what DESIGN.md fixes in Chinese. Every message lives in geo/i18n.py.
GEO_CHINESE_DATA = {
    "geo/io/headers.py": "the Chinese headers an import reads (HEADER_ALIASES)",
    "geo/io/boundary_import.py": "the attribute names of a boundary file's code and name",
    "geo/io/plan_files.py": "the headers of the planner's capacity, lock and cost files",
    "geo/io/templates.py": "the templates' example rows, values under Chinese headers",
    "geo/io/readers.py": "yes/no words, date characters and spaces a cell is read with",
    "geo/schema.py": "the kinds the database stores (department, pairing, visit, village)",
    "geo/text.py": "the suffixes of official village names, cut for the short name",
    "geo/departments.py": "the separators between cadre names in a cell",
    "geo/planner.py": "the pairing kind a plan writes (a stored value)",
    "geo/plan_service.py": "the plan sheet's name and headers, fixed in Chinese by DESIGN.md",
    "geo/demo/reference.py": "the sample county's name",
    "geo/demo/sample.py": "the sample county's synthetic names and records",
    "geo/demo/province_sample.py": "the province sample's synthetic names and records",
    "geo/demo/seed.py": "the sample files' manifest note (for developers) names 示意边界",
    "geo/io/prepare.py": "the problem status words an import reads (STATUS_ALIASES)",
    "geo/problems.py": "the village's ratings the database stores (满意, 基本满意, 不满意)",
    "geo/problem_rules.py": "the full-width semicolon a co-departments cell is split at",
    "geo/bench.py": "the synthetic visit summaries of the timed import (data, not messages)",
}
GEO_CHINESE_LITERALS = {
    ("geo/maps.py", "&copy; 天地图"): "the basemap provider's name, in its attribution",
    ("geo/briefing/static_map.py", "（"):
        "a CJK legend title's bracket, where it breaks onto a second line",
    ("geo/briefing/static_map.py", "\n（"):
        "the same bracket, starting the second line",
}


def _text_literals(path) -> list[str]:
    """The string literals of ``path`` but its docstrings, an attribute's included (a
    string standing alone as a statement)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    standing = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)
                and isinstance(n.value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in standing]


def test_geo_holds_no_chinese_message_outside_the_catalogue():
    """Issue 13: a Chinese literal in geo is either in the catalogue or data (listed
    above with why); and every module listed still holds some, so the list stays exact."""
    found = {}
    for path in sorted((ROOT / "geo").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name == "geo/i18n.py" or "migrations" in path.parts:
            continue
        chinese = [s for s in _text_literals(path) if CJK.search(s)]
        if chinese:
            found[name] = chinese
    offenders = {name: [s for s in literals if (name, s) not in GEO_CHINESE_LITERALS]
                 for name, literals in found.items() if name not in GEO_CHINESE_DATA}
    assert {name: s for name, s in offenders.items() if s} == {}
    assert sorted(GEO_CHINESE_DATA) == sorted(n for n in found if n in GEO_CHINESE_DATA)
    assert all(s in found.get(name, []) for name, s in GEO_CHINESE_LITERALS)


SHOWN_TEXT_CALLS = (
    "button", "download_button", "form_submit_button", "link_button", "page_link", "caption",
    "write", "markdown", "title", "header", "subheader", "info", "warning", "error",
    "success", "toast", "metric", "expander", "tabs", "popover", "spinner", "text_input",
    "text_area", "number_input", "date_input", "selectbox", "multiselect", "radio",
    "checkbox", "toggle", "segmented_control", "pills", "file_uploader")
"""Streamlit calls whose label, body or help a person reads."""


def _holds_words(node: ast.AST) -> bool:
    """A literal (or an f-string's literal part) with a letter in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    return isinstance(node, ast.JoinedStr) and any(
        isinstance(v, ast.Constant) and any(c.isalpha() for c in v.value) for v in node.values)


def test_pages_and_ui_show_no_literal_text():
    """Issue 13: what a page shows comes from the catalogue in either language, English
    as much as Chinese ("CSV" is ``t("format.csv")``); a logger's message is no text
    shown."""
    offenders = []
    for path in [*PAGES, ROOT / "app.py", *UI]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SHOWN_TEXT_CALLS
                    and ast.unparse(node.func.value) != "log"):
                continue
            shown = [*node.args[:1], *(k.value for k in node.keywords
                                       if k.arg in ("label", "body", "help", "placeholder"))]
            offenders += [f"{path.name}:{node.lineno} {ast.unparse(a)}"
                          for a in shown if _holds_words(a)]
    assert offenders == []


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


def test_english_keys_are_the_chinese_keys():
    assert set(CATALOGUE["en"]) == set(CATALOGUE["zh"])  # tests/test_i18n.py: and more


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


def _geo_error_classes() -> set[str]:
    import geo.errors

    return {name for name, value in vars(geo.errors).items()
            if isinstance(value, type) and issubclass(value, Exception)}


def _caught_names(handler: ast.ExceptHandler) -> set[str]:
    """The class names an ``except`` clause catches ("*" for a bare ``except:``)."""
    if handler.type is None:
        return {"*"}
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "?")
            for node in nodes}


def test_only_the_page_guard_catches_domain_errors():
    """Errors from geo are translated in one place: pages hold no ``except`` at all, and
    no ui module but the guard catches a geo error class (or everything)."""
    domain = _geo_error_classes() | {"Exception", "BaseException", "*"}
    assert {"PairMapError", "DataError", "AccessDeniedError", "ConfigError"} <= domain
    catching = {}
    for path in [*PAGES, ROOT / "app.py", *UI]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        handlers = [n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)]
        suppressed = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                      and ast.unparse(n.func).endswith("suppress")]
        if path in PAGES:
            assert handlers == [] and suppressed == [], f"{path.name} catches an error"
        names = set().union(*(_caught_names(h) for h in handlers), *(
            {ast.unparse(arg).rsplit(".", 1)[-1] for arg in call.args} for call in suppressed))
        if names & domain:
            catching[path.relative_to(ROOT).as_posix()] = sorted(names & domain)
    assert list(catching) == [GUARD.relative_to(ROOT).as_posix()], catching


def test_the_app_runs_every_page_inside_the_guard():
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    guarded = [node for node in ast.walk(tree) if isinstance(node, ast.With)
               and [ast.unparse(item.context_expr) for item in node.items]
               == ["ui.reporting_errors()"]]
    assert len(guarded) == 1
    calls = [ast.unparse(n.func) for stmt in guarded[0].body for n in ast.walk(stmt)
             if isinstance(n, ast.Call)]
    assert "page.run" in calls and "ui.navigation" in calls and "ui.current_user" in calls


def test_every_page_makes_one_setup_call():
    """``ui.page(action, title_key)`` checks login and role and draws the title: each
    page calls it exactly once and draws no title of its own."""
    for path in PAGES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
        assert calls.count("ui.page") == 1, path.name
        assert "st.title" not in calls, path.name
        setup = next(n for n in ast.walk(tree) if isinstance(n, ast.Call)
                     and ast.unparse(n.func) == "ui.page")
        assert ast.unparse(setup.args[0]).startswith("Action."), path.name
