"""PairMap's domain package: everything testable without a browser. It never imports
streamlit; ``ui/`` is the Streamlit glue and ``python -m geo`` the command line.

Public API, by concern (import the module; nothing is re-exported here, so that
``import geo`` stays cheap):

Settings, errors and text
    ``geo.settings``  ``Settings.from_env()``, the as-of day (``local_today``).
    ``geo.errors``  ``PairMapError`` and its kinds; each carries a code and parameters.
    ``geo.i18n``  the one text catalogue: ``translate``, ``translate_error``,
    ``translate_issue``.
    ``geo.text``  the text normal form (``normalize_text``) and village short names.

Storage
    ``geo.schema`` tables and vocabularies · ``geo.db`` engine and Alembic upgrade ·
    ``geo.store`` frames in and out, the data version.

Access and records
    ``geo.access``  the role table (``can``, ``require``, ``IMPORT_ACTIONS``,
    ``EXPORT_ACTIONS``) · ``geo.auth`` users, logins, session tokens · ``geo.audit``
    the audit log · ``geo.records`` visit services behind the role table ·
    ``geo.visit_rules`` the rules of a visit, for the form and the file ·
    ``geo.pairings`` the pairings page's list and ``change_pairing`` (edit, end) ·
    ``geo.pairing_rules`` the rules of a pairing, for the page and the file ·
    ``geo.problem_service`` the problem ledger's services behind the role table
    (record, notes, status moves, reopen, reassign; no resident for a leader) ·
    ``geo.problem_rules`` the rules of a problem, for the services and the file ·
    ``geo.backup`` the SQLite copy.

Metrics and views
    ``geo.period`` the window, active pairings, their overlap, judged months,
    ``Period`` ·
    ``geo.inputs`` ``CoverageInputs`` (villages, pairings, visits, T, W, N, problems)
    and the required columns · ``geo.problems`` the problem ledger's figures (open,
    overdue, age, per department and village, ``report problems``) ·
    ``geo.coverage`` coverage, neglect reasons, need, priority, roll-ups and reports ·
    ``geo.status`` the map status classes · ``geo.formalism`` the formalism
    warnings (形式主义预警) and the visits they leave out of the department figures ·
    ``geo.reports`` the report command's loading · ``geo.overview`` (KPIs),
    ``geo.neglected``, ``geo.townships``, ``geo.village_card``, ``geo.layers`` what
    the pages show ·
    ``geo.maps`` folium maps, escaped · ``geo.offline`` vendored Leaflet instead of
    CDNs · ``geo.crs``, ``geo.geometry``, ``geo.values`` small shared helpers.

Planning new pairings
    ``geo.planner`` the pure planner (``PlanSettings``, ``plan_pairings`` → ``Plan``;
    candidates, places, anchors, the exact lexicographic min-cost flow
    ``solve_assignment``) · ``geo.plan_service`` load its inputs, the organisation
    department's sheet, ``commit_plan``, ``undo_last_commit``.

Files (``geo.io``)
    ``readers`` CSV/XLSX into text tables · ``headers`` → ``resolve`` → ``prepare`` →
    ``matching`` → ``plans`` → ``bulk_write``, driven by ``imports.import_file`` /
    ``imports.import_upload`` · ``report`` the ``Issue``/``Report`` of both importers ·
    ``boundary_files`` reading GIS files · ``boundary_import`` checking and applying
    them · ``table_files`` export columns and CSV/XLSX/GeoJSON writers · ``exports``
    exports limited to the role · ``templates`` import templates · ``gcj02`` ·
    ``plan_files`` the planner's places, locks, exclusions and distances.

The meeting briefing (``geo.briefing``, 会议简报)
    ``data`` the ``Briefing`` gathered from the overview, the neglected table and the
    department reports (``load_briefing``, ``build_briefing``) · ``files``
    ``write_briefing`` / ``briefing_bytes`` by ending: ``pdf`` (reportlab), ``xlsx``
    (openpyxl), ``static_map`` (the status map, matplotlib on Agg) · ``fonts`` the CJK
    TrueType font.

Benchmark
    ``geo.bench`` ``python -m geo bench``: ``run_bench`` (DESIGN.md's ``bench --json``),
    the DuckDB reference of the coverage figures (``duckdb_coverage``).

The sample county (``geo.demo``)
    ``reference`` real outline and codes · ``schematic`` schematic boundaries ·
    ``sample`` synthetic records · ``seed`` the sample database (``seed_demo``).
"""

__all__ = [
    "access", "audit", "auth", "backup", "bench",
    "briefing", "cli", "coverage", "crs", "db", "demo",
    "errors",
    "formalism", "geometry", "i18n", "inputs", "io", "layers", "maps", "neglected",
    "offline", "overview", "pairing_rules", "pairings", "period", "plan_service", "planner",
    "records", "reports",
    "schema", "settings", "status", "store", "text", "townships", "values", "village_card",
    "visit_rules",
]
