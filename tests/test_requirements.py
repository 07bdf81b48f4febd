"""Every third-party import is pinned (``==``) in the requirements files, and every pin is
used: the app's code (``geo/``, ``ui/``, ``app_pages/``, ``app.py``) in ``requirements.txt``,
tests and benchmarks in ``requirements-test.txt`` (which includes it with ``-r``)."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import os
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

FIRST_PARTY = {"geo", "ui", "tests", "app_pages", "app", "benchmarks"}
RUNTIME_PARTS = {"geo", "ui", "app_pages"}  # top-level folders of the app's own code
SKIPPED_PARTS = {"__pycache__", "node_modules", "static", "venv", "build", "dist"}
# Pinned although no source imports them by name.
UNIMPORTED_PINS = {
    "psycopg": "the PostgreSQL driver: SQLAlchemy loads it for postgresql+psycopg:// URLs",
    "ruff": "the linter, run as a command (`ruff check .`)",
    "pytest-xdist": "runs the tests on two workers (`-n 2` in pyproject.toml's addopts)",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==\S+$")


def normalise(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sources(root: Path) -> list[Path]:
    """Every ``.py`` file under ``root``, not descending into hidden or skipped folders."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in SKIPPED_PARTS]
        found += [Path(folder) / name for name in files if name.endswith(".py")]
    return sorted(found)


@functools.cache
def imported_modules(path: Path) -> frozenset[str]:
    """Top-level names of absolute imports, and of ``import_module("...")`` literals."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                node.func, "id", None)) == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)
    return frozenset(name.split(".")[0] for name in names)


def third_party(names: frozenset[str]) -> set[str]:
    return {n for n in names if n not in sys.stdlib_module_names and n not in FIRST_PARTY}


def pins(path: Path) -> dict[str, str]:
    """Normalised distribution name -> requirement line, following ``-r`` includes.

    Every requirement line must pin one version with ``==``.
    """
    found: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            found.update(pins(path.parent / line.split(maxsplit=1)[1]))
            continue
        match = PIN.match(line)
        assert match, f"{path.name}: not pinned with ==: {raw!r}"
        found[normalise(match.group(1))] = line
    return found


def unpinned(modules: dict[str, set[Path]], pinned: dict[str, str],
             distributions: dict[str, list[str]]) -> list[str]:
    """One line per imported module that no pinned distribution provides."""
    problems = []
    for module, files in sorted(modules.items()):
        provided_by = {normalise(d) for d in distributions.get(module, [])}
        if not provided_by & set(pinned):
            where = ", ".join(sorted(str(f) for f in files)[:3])
            found = ", ".join(sorted(provided_by)) or "no installed distribution"
            problems.append(f"{module} (from {found}) imported in {where}")
    return problems


@functools.cache
def installed_distributions() -> dict[str, list[str]]:
    """Top-level import name -> the installed distributions that provide it."""
    return importlib.metadata.packages_distributions()


@functools.cache
def imports_by_module(root: Path, runtime_only: bool) -> dict[str, set[Path]]:
    modules: dict[str, set[Path]] = {}
    for path in sources(root):
        relative = path.relative_to(root)
        if runtime_only and not (relative.parts[0] in RUNTIME_PARTS or relative == Path("app.py")):
            continue
        for module in third_party(imported_modules(path)):
            modules.setdefault(module, set()).add(relative)
    return modules


def test_the_app_imports_only_what_requirements_txt_pins():
    modules = imports_by_module(ROOT, runtime_only=True)
    assert {"streamlit", "pandas", "geopandas", "sqlalchemy", "pyarrow"} <= set(modules)
    problems = unpinned(modules, pins(ROOT / "requirements.txt"),
                        installed_distributions())
    assert problems == [], "pin these in requirements.txt:\n" + "\n".join(problems)


def test_tests_and_benchmarks_import_only_what_requirements_test_txt_pins():
    modules = imports_by_module(ROOT, runtime_only=False)
    assert {"pytest", "playwright"} <= set(modules)
    problems = unpinned(modules, pins(ROOT / "requirements-test.txt"),
                        installed_distributions())
    assert problems == [], "pin these in requirements-test.txt:\n" + "\n".join(problems)


def test_every_pin_is_imported_or_explained():
    distributions = installed_distributions()
    used = {normalise(d) for module in imports_by_module(ROOT, runtime_only=False)
            for d in distributions.get(module, [])}
    pinned = pins(ROOT / "requirements-test.txt")
    assert set(UNIMPORTED_PINS) <= set(pinned)  # the list holds no stale entry
    assert set(UNIMPORTED_PINS).isdisjoint(used)  # nor one that is imported after all
    unused = sorted(set(pinned) - used - set(UNIMPORTED_PINS))
    assert unused == [], f"pinned, never imported (drop, or add to UNIMPORTED_PINS): {unused}"


def test_an_unpinned_import_is_reported(tmp_path: Path):
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "a.py").write_text(
        "import os, json\nimport pandas as pd\nfrom yaml import safe_load\nfrom . import b\n"
        "from geo import c\nimportlib.import_module('bcrypt.x')\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("# runtime\npandas==3.1.1  # frames\n",
                                               encoding="utf-8")
    (tmp_path / "requirements-test.txt").write_text("-r requirements.txt\nPyYAML==6.0.2\n",
                                                    encoding="utf-8")
    modules = imports_by_module(tmp_path, runtime_only=True)
    assert set(modules) == {"pandas", "yaml", "bcrypt"}
    distributions = {"pandas": ["pandas"], "yaml": ["PyYAML"], "bcrypt": ["bcrypt"]}
    assert [p.split(" ")[0] for p in unpinned(
        modules, pins(tmp_path / "requirements.txt"), distributions)] == ["bcrypt", "yaml"]
    assert [p.split(" ")[0] for p in unpinned(
        modules, pins(tmp_path / "requirements-test.txt"), distributions)] == ["bcrypt"]
    (tmp_path / "requirements.txt").write_text("pandas>=3\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="not pinned with =="):
        pins(tmp_path / "requirements.txt")
