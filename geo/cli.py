"""The command line (``python -m geo …``); every command reads PAIRMAP_DATABASE_URL.

Errors are translated here, once, into the language of ``PAIRMAP_LANG``: a
``PairMapError`` (and a database or file-system error) becomes one plain sentence on
standard error and exit code 2; anything unexpected too, with its traceback only under
``--debug``. A database kept locked by another writer for longer than
``PAIRMAP_BUSY_TIMEOUT`` is exit code 3 (``EXIT_BUSY``): nothing was written.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from geo import auth, bench, db, department_report, plan_service, reports, store
from geo.access import Role
from geo.briefing.data import load_briefing
from geo.briefing.files import NEEDS_CJK_FONT, briefing_kind, write_briefing
from geo.briefing.fonts import cjk_font_path
from geo.demo import seed
from geo.errors import PairMapError
from geo.i18n import DEFAULT_LANG, translate, translate_error
from geo.io.plan_files import read_plan_file
from geo.io.table_files import EXPORT_COLUMNS, GEO_TABLES, csv_bytes, write_table, xlsx_bytes
from geo.period import Period
from geo.planner import PLANNED_REASONS, PlanSettings
from geo.settings import (
    DEFAULT_DATABASE_URL,
    SAMPLE_DIR,
    Settings,
    local_today,
    resolve_database_url,
)

EXIT_BUSY = 3
"""Exit code when another writer held the database longer than ``PAIRMAP_BUSY_TIMEOUT``:
nothing was written; run the command again later."""


def _sentence(exc: Exception, lang: str) -> str:
    """The one sentence a person reads for ``exc``, in ``lang``."""
    if isinstance(exc, PairMapError):
        return translate_error(exc, lang)
    if isinstance(exc, SQLAlchemyError):
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return translate("cli.database", lang, detail=detail)
    if isinstance(exc, OSError):
        return translate("cli.os", lang, detail=exc.strerror or str(exc),
                         path=exc.filename or "")
    return translate("cli.unexpected", lang, kind=type(exc).__name__)


def _argument_types(lang: str) -> tuple[Callable[[str], date], Callable[[str], int]]:
    """The parsers of a date (``YYYY-MM-DD``) and of a positive whole number, refusing
    in ``lang``."""

    def iso_date(text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                translate("cli.bad_date", lang, value=text)) from None

    def positive(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                translate("cli.not_whole", lang, value=text)) from None
        if value <= 0:
            raise argparse.ArgumentTypeError(translate("cli.not_positive", lang, value=value))
        return value

    return iso_date, positive


def _bench_types(lang: str) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """The parsers of ``bench``'s ``--scale`` and ``--pg-url``, refusing in ``lang``."""

    def scale(text: str) -> str:
        if text not in bench.SCALES:
            raise argparse.ArgumentTypeError(translate("error.unknown_scale", lang, scale=text))
        return text

    def pg_url(text: str) -> str:
        try:
            backend = make_url(text).get_backend_name()
        except ArgumentError:
            backend = None
        if backend != "postgresql":
            raise argparse.ArgumentTypeError(translate("cli.bench_pg_url", lang, value=text))
        return text

    return scale, pg_url


def build_parser(lang: str = DEFAULT_LANG) -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m geo``, its help in ``lang`` (argparse's
    own frame, "usage:" and its error lines, stays English)."""

    def h(key: str) -> str:
        return translate(f"cli.help.{key}", lang).replace("%", "%%")

    _iso_date, _positive = _argument_types(lang)
    parser = argparse.ArgumentParser(prog="python -m geo", description=h("description"))
    parser.add_argument("--debug", action="store_true",
                        help=h("debug"))
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("seed-demo", help=h("seed_demo"))
    demo.add_argument("--scale", choices=list(seed.SCALES), default="county",
                      help=h("scale"))
    demo.add_argument("--seed", type=int, default=seed.DEFAULT_SEED)
    demo.add_argument("--as-of", type=_iso_date, default=None,
                      help=h("demo_as_of"))
    demo.add_argument("--force", action="store_true", help=h("force"))

    export = commands.add_parser("export", help=h("export"))
    export.add_argument("table", choices=list(EXPORT_COLUMNS))
    export.add_argument("--out", type=Path, required=True,
                        help=h("export_out"))

    imports = commands.add_parser("import", help=h("import"))
    imports.add_argument("table", help=h("import_table"))
    imports.add_argument("path", type=Path)
    imports.add_argument("--level", choices=["township", "village"], default=None,
                         help=h("level"))
    imports.add_argument("--code-field", default=None)
    imports.add_argument("--name-field", default=None)
    imports.add_argument("--src-crs", default=None, help=h("src_crs"))
    imports.add_argument("--sheet", default=None, help=h("sheet"))
    imports.add_argument("--dry-run", action="store_true", help=h("dry_run"))
    imports.add_argument("--skip-invalid", action="store_true",
                         help=h("skip_invalid"))

    report = commands.add_parser("report", help=h("report"))
    report.add_argument("kind", choices=["coverage", "neglected", "departments", "problems"])
    report.add_argument("--as-of", type=_iso_date, default=None,
                        help=h("as_of"))
    report.add_argument("--window-days", type=_positive, default=None)
    report.add_argument("--neglect-days", type=_positive, default=None)
    report.add_argument("--from", dest="start", type=_iso_date, default=None,
                        help=h("from"))
    report.add_argument("--to", dest="end", type=_iso_date, default=None)
    report.add_argument("--format", choices=["json", "csv"], default="json")
    report.add_argument("--part", choices=["months", "warnings"], default=None,
                        help=h("part"))
    report.add_argument("--out", type=Path, default=None, help=h("report_out"))
    report.add_argument("--county", default=None, help=h("report_county"))

    users = commands.add_parser("users", help=h("users"))
    user_commands = users.add_subparsers(dest="users_command", required=True)
    add = user_commands.add_parser("add", help=h("users_add"))
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--department", default=None, help=h("department"))
    add.add_argument("--display-name", default="")
    reset = user_commands.add_parser("reset", help=h("users_reset"))
    reset.add_argument("name")
    deactivate = user_commands.add_parser("deactivate", help=h("users_deactivate"))
    deactivate.add_argument("name")

    plan = commands.add_parser("plan", help=h("plan"))
    plan.add_argument("--as-of", type=_iso_date, default=None,
                      help=h("plan_as_of"))
    plan.add_argument("--reasons", default=",".join(PLANNED_REASONS),
                      help=h("reasons"))
    plan.add_argument("--max-per-village", type=_positive, default=2,
                      help=h("max_per_village"))
    plan.add_argument("--members-per-village", type=_positive, default=15,
                      help=h("members_per_village"))
    plan.add_argument("--capacity", type=Path, default=None,
                      help=h("capacity"))
    plan.add_argument("--lock", type=Path, default=None,
                      help=h("lock"))
    plan.add_argument("--exclude", type=Path, default=None,
                      help=h("exclude"))
    plan.add_argument("--costs", type=Path, default=None,
                      help=h("costs"))
    plan.add_argument("--county", default=None, help=h("county"))
    plan.add_argument("--format", choices=["json"], default="json")
    plan.add_argument("--out", type=Path, default=None,
                      help=h("plan_out"))
    plan.add_argument("--commit", action="store_true",
                      help=h("commit"))
    plan.add_argument("--undo-last", action="store_true",
                      help=h("undo_last"))

    briefing = commands.add_parser("briefing", help=h("briefing"))
    briefing.add_argument("--out", type=Path, required=True,
                          help=h("briefing_out"))
    briefing.add_argument("--as-of", type=_iso_date, default=None,
                          help=h("as_of"))
    briefing.add_argument("--window-days", type=_positive, default=None)
    briefing.add_argument("--neglect-days", type=_positive, default=None)

    _scale, _pg_url = _bench_types(lang)
    timing = commands.add_parser("bench", help=h("bench"))
    timing.add_argument("--scale", type=_scale, default="county", metavar="county|province",
                        help=h("bench_scale"))
    timing.add_argument("--json", action="store_true", help=h("bench_json"))
    timing.add_argument("--runs", type=_positive, default=bench.DEFAULT_RUNS,
                        help=h("bench_runs"))
    timing.add_argument("--import-rows", type=_positive, default=bench.IMPORT_ROWS,
                        help=h("bench_import_rows"))
    timing.add_argument("--import-runs", type=_positive, default=1,
                        help=h("bench_import_runs"))
    timing.add_argument("--pg-url", type=_pg_url, default=None, help=h("bench_pg_url"))

    sample = commands.add_parser("make-sample",
                                 help=h("make_sample"))
    sample.add_argument("--seed", type=int, default=seed.DEFAULT_SEED)
    sample.add_argument("--as-of", type=_iso_date, default=None)
    sample.add_argument("--out", type=Path, default=SAMPLE_DIR)
    return parser


def _seed_demo(args: argparse.Namespace, settings: Settings) -> dict:
    engine = db.make_engine(settings.database_url, settings.busy_timeout)
    seconds: dict[str, float] = {}
    counts = seed.seed_demo(engine, seed=args.seed, anchor=args.as_of, force=args.force,
                            scale=args.scale, seconds=seconds)
    return {"scale": args.scale, "loaded": counts, "seconds": seconds}


def _bench(args: argparse.Namespace, settings: Settings) -> dict | str:
    """Time the main paths; notes (which database, what is missing, PostgreSQL's import)
    go to standard error, the figures to standard output."""
    lang = settings.lang
    # The configured database is timed only when PAIRMAP_DATABASE_URL names it (in the
    # environment or the secrets file) and it is already seeded.
    named = (os.environ.get("PAIRMAP_DATABASE_URL", "").strip()
             or settings.database_url != resolve_database_url(DEFAULT_DATABASE_URL))
    url = settings.database_url if named else None
    result = bench.run_bench(scale=args.scale, database_url=url, runs=args.runs,
                             import_rows=args.import_rows, import_runs=args.import_runs,
                             pg_url=args.pg_url, window_days=settings.window_days,
                             neglect_days=settings.neglect_days, lang=lang)
    notes = list(result.notes)
    if result.county_map_bytes is not None:
        notes.append(("bench.note_county_map", {"bytes": f"{result.county_map_bytes:,}"}))
    if result.import_postgresql is not None:
        notes.append(("bench.import_postgresql",
                      {"seconds": f"{result.import_postgresql:.2f}"}))
    for key, values in notes:
        print(translate(key, lang, **values), file=sys.stderr)
    report = result.as_dict()
    if args.json:
        return report
    lines = [translate("bench.header", lang, scale=report["scale"],
                       villages=f"{report['villages']:,}", visits=f"{report['visits']:,}",
                       runs=args.runs)]
    lines += [f"  {key:<16} {'null' if value is None else f'{value:.3f} s'}"
              for key, value in report["seconds"].items()]
    lines += [f"  {key:<16} {'null' if value is None else f'{value:,} B'}"
              for key, value in report["bytes"].items()]
    return "\n".join(lines)


def _export(args: argparse.Namespace, settings: Settings) -> dict:
    engine = db.make_engine(settings.database_url, settings.busy_timeout)
    db.upgrade(engine)
    frame = store.load_table(engine, args.table)
    if args.out.suffix.lower() == ".geojson" and args.table not in GEO_TABLES:
        raise PairMapError("no_geometry", table=args.table)
    path = write_table(frame, args.out, args.table)
    return {"table": args.table, "rows": len(frame), "out": str(path)}


def _make_sample(args: argparse.Namespace, settings: Settings) -> dict:
    anchor = args.as_of or local_today()
    demo = seed.build_demo_county(seed=args.seed, anchor=anchor)
    return seed.write_sample_files(demo, args.out, seed=args.seed, anchor=anchor)


def _period(args: argparse.Namespace, settings: Settings) -> Period:
    """The report's period: ``--from/--to``, else ``--as-of`` and ``--window-days``."""
    if (args.start is None) != (args.end is None):
        raise PairMapError("period_incomplete")
    if args.start is not None:
        if args.as_of is not None or args.window_days is not None:
            raise PairMapError("period_conflict")
        return Period.between(args.start, args.end)
    return Period(args.as_of or local_today(), args.window_days or settings.window_days)


def _write_report(args: argparse.Namespace, text: str) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.format == "csv":
        args.out.write_text(text, encoding="utf-8-sig")
    else:
        args.out.write_text(text + "\n", encoding="utf-8")


def _report_output(args: argparse.Namespace, report: dict, csv_rows: object,
                   summary: dict[str, object]) -> dict | str:
    """A report as the command prints it: the JSON (or ``csv_rows``, the report's rows as
    CSV) on standard output; with ``--out``, written there and ``summary`` printed."""
    if args.format == "csv":
        text = csv_bytes(csv_rows).decode("utf-8-sig")
    else:
        text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out is None:
        return text
    _write_report(args, text)
    return {"report": args.kind, **summary, "out": str(args.out)}


def _departments_report(args: argparse.Namespace, settings: Settings, period: Period,
                        engine: object) -> dict | str:
    report = department_report.departments_report(
        engine, auth.cli_user(), period, args.neglect_days or settings.neglect_days,
        args.county)
    part = args.part or "departments"
    rows = None
    if args.format == "csv":
        rows = {"departments": department_report.department_rows,
                "months": department_report.month_rows,
                "warnings": department_report.warning_rows}[part](report)
    elif args.part is not None:
        report = {"as_of": report["as_of"], "window_days": report["window_days"],
                  part: report[part]}
    return _report_output(args, report, rows, {"part": part, "rows": len(report[part])})


def _problems_report(args: argparse.Namespace, period: Period, engine: object) -> dict | str:
    """``report problems``: DESIGN.md's JSON, or its departments' rows as CSV."""
    report = reports.load_problems_report(engine, auth.cli_user(), period, args.county)
    rows = reports.problem_department_rows(report) if args.format == "csv" else None
    return _report_output(args, report, rows, {"departments": len(report["departments"]),
                                               "villages": len(report["villages"])})


def _report(args: argparse.Namespace, settings: Settings) -> dict | str:
    period = _period(args, settings)
    if args.part is not None and args.kind != "departments":
        raise PairMapError("part_departments_only", kind=args.kind)
    engine = db.make_engine(settings.database_url, settings.busy_timeout)
    db.upgrade(engine)
    if args.kind == "departments":
        return _departments_report(args, settings, period, engine)
    if args.kind == "problems":
        return _problems_report(args, period, engine)
    inputs = reports.load_coverage_inputs(engine, auth.cli_user(), period,
                                          args.neglect_days or settings.neglect_days,
                                          county=args.county)
    townships = store.load_townships(engine, args.county)
    report = reports.coverage_report(inputs, townships,
                                     neglected_only=args.kind == "neglected")
    rows = reports.village_rows(report) if args.format == "csv" else None
    return _report_output(args, report, rows, {"villages": len(report["villages"])})


def _briefing(args: argparse.Namespace, settings: Settings) -> dict:
    """``briefing``: write the PDF, workbook or map image that ``--out`` names."""
    kind = briefing_kind(args.out)  # an unknown ending is refused before any work
    if kind in NEEDS_CJK_FONT:
        cjk_font_path()  # and so is a PDF or an image without the Chinese font
    engine = db.make_engine(settings.database_url, settings.busy_timeout)
    db.upgrade(engine)
    period = Period(args.as_of or local_today(), args.window_days or settings.window_days)
    content = load_briefing(engine, auth.cli_user(), period,
                            args.neglect_days or settings.neglect_days, local_today())
    path = write_briefing(args.out, content, settings.lang)
    return {"briefing": kind, "out": str(path), "as_of": period.as_of.isoformat(),
            "window_days": period.window_days, "bytes": path.stat().st_size}


PLAN_OPTIONS = ("as_of", "capacity", "lock", "exclude", "costs", "county", "out", "commit")


def _plan(args: argparse.Namespace, settings: Settings) -> str | dict:
    """``plan``: DESIGN.md's plan JSON (with ``committed``, the new pairing ids, after
    ``--commit``); ``--undo-last`` takes back the last commit of today."""
    engine = db.make_engine(settings.database_url, settings.busy_timeout)
    db.upgrade(engine)
    actor = auth.cli_user()
    if args.undo_last:
        if any(getattr(args, name) not in (None, False) for name in PLAN_OPTIONS):
            raise PairMapError("plan_undo_alone")
        return plan_service.undo_last_commit(engine, actor, local_today())
    if args.out is not None and args.out.suffix.lower() != ".xlsx":
        raise PairMapError("plan_out_suffix", path=str(args.out))
    options = PlanSettings(tuple(r.strip() for r in args.reasons.split(",") if r.strip()),
                           args.max_per_village, args.members_per_village)
    data = plan_service.load_plan_data(engine, actor, args.as_of or local_today(),
                                       settings.window_days, settings.neglect_days,
                                       args.county)
    departments = set(store.load_departments(engine)["code"])
    villages = set(data.villages["code"])

    def pairs(path: Path | None, kind: str) -> list[tuple[str, str]]:
        if path is None:
            return []
        rows = read_plan_file(path, kind, departments, villages)
        return list(zip(rows["department_code"], rows["village_code"], strict=True))

    capacity = None
    if args.capacity is not None:
        rows = read_plan_file(args.capacity, "capacity", departments)
        capacity = dict(zip(rows["department_code"], rows["capacity"].astype(int),
                            strict=True))
    costs = (None if args.costs is None
             else read_plan_file(args.costs, "costs", departments, villages))
    plan = plan_service.make_plan(data, options, capacity, pairs(args.lock, "lock"),
                                  pairs(args.exclude, "exclude"), costs)
    result = plan.as_dict(settings.lang)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(xlsx_bytes(plan_service.plan_sheet(plan, data, settings.lang),
                                        plan_service.SHEET_NAME))
    if args.commit:
        result["committed"] = (list(plan_service.commit_plan(engine, actor, plan).pairing_ids)
                               if plan.proposals else [])
    return json.dumps(result, ensure_ascii=False, indent=2)


RECORD_TABLES = ("villages", "departments", "cadres", "pairings", "visits", "problems")


def _import(args: argparse.Namespace, settings: Settings) -> tuple[dict, int]:
    engine = db.make_engine(settings.database_url, settings.busy_timeout)
    db.upgrade(engine)
    actor = auth.cli_user()
    if args.table == "boundaries":
        if args.level is None:
            raise PairMapError("level_missing")
        # Imported here: GDAL (pyogrio) costs a record import some 30 MB for nothing.
        from geo.io import boundary_import

        report = boundary_import.import_boundaries(
            engine, actor, args.path, args.level, code_field=args.code_field,
            name_field=args.name_field, src_crs=args.src_crs, dry_run=args.dry_run)
        return report.as_dict(settings.lang), report.exit_code
    if args.table in ("townships", "audit"):
        raise PairMapError(f"{args.table}_not_importable")
    if args.table not in RECORD_TABLES:
        raise PairMapError("unknown_table", table=args.table,
                           choices=", ".join(("boundaries", *RECORD_TABLES)))
    from geo.io import imports

    report = imports.import_file(engine, actor, args.table, args.path, sheet=args.sheet,
                                 dry_run=args.dry_run, skip_invalid=args.skip_invalid,
                                 today=local_today(), lang=settings.lang)
    return report.as_dict(settings.lang), report.exit_code


def read_password() -> str:
    """Read a password from standard input without echoing it on a terminal."""
    if sys.stdin is None:
        raise PairMapError("no_stdin")
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise PairMapError("passwords_differ")
        return first
    line = sys.stdin.readline()
    if not line:
        raise PairMapError("no_password")
    return line.rstrip("\r\n")


def _users(args: argparse.Namespace, settings: Settings) -> dict:
    engine = db.make_engine(settings.database_url, settings.busy_timeout)
    db.upgrade(engine)
    actor = auth.cli_user()
    if args.users_command == "add":
        user = auth.create_user(engine, actor, args.name, args.role, args.department,
                                read_password(), args.display_name)
        return {"added": user.username, "role": user.role.value,
                "department": user.department_code}
    if args.users_command == "reset":
        auth.reset_password(engine, actor, args.name, read_password())
        return {"reset": args.name}
    auth.deactivate_user(engine, actor, args.name)
    return {"deactivated": args.name}


COMMANDS = {"seed-demo": _seed_demo, "export": _export, "make-sample": _make_sample,
            "users": _users, "report": _report, "import": _import, "plan": _plan,
            "briefing": _briefing, "bench": _bench}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    try:
        lang = Settings.from_env().lang
    except PairMapError:  # said below, once the command is known
        lang = DEFAULT_LANG
    args = build_parser(lang).parse_args(argv)
    settings = None
    try:
        settings = Settings.from_env()
        lang = settings.lang
        result = COMMANDS[args.command](args, settings)
        code = 0
        if isinstance(result, tuple):
            result, code = result
    except Exception as exc:
        if args.debug and not isinstance(exc, PairMapError):
            raise
        busy = db.busy_error(exc, settings.busy_timeout if settings else db.DEFAULT_BUSY_TIMEOUT)
        print(translate("cli.error", lang, message=_sentence(busy or exc, lang)),
              file=sys.stderr)
        return EXIT_BUSY if busy else 2
    try:
        print(result if isinstance(result, str) else
              json.dumps(result, ensure_ascii=False, default=str))
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
    return code
