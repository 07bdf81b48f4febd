"""Run one real import in a process whose address space is capped, and report on it.

``python -m tests.upload_child AS_MIB KIND URL TABLE_OR_LEVEL PATH [dry-run]`` sets
``RLIMIT_AS`` to ``AS_MIB`` MiB before importing anything heavy (numpy, pyarrow, GDAL),
then runs ``geo.io.imports.import_file`` (``KIND`` ``table``) or
``geo.io.boundary_import.import_boundaries`` (``KIND`` ``boundary``) against the database
at ``URL`` as the command line's administrator, and prints one JSON object: the error's
code and its Chinese and English sentences (or the report's counts), the peak resident
memory (``maxrss_mib``: ``VmHWM``, see ``peak_rss_kib``; ``ru_maxrss_mib`` beside it)
and the seconds taken. The bounds come from the environment
(``PAIRMAP_UPLOAD_*``), as for the command line.

Used by ``tests/test_upload_bounds.py``: a regression that reads a hostile file whole
fails with ``MemoryError`` in this child instead of taking the test machine down.
"""

from __future__ import annotations

import resource
import sys
import time


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB: ``VmHWM``, the high-water mark of
    the memory map ``exec`` made. Not ``ru_maxrss``: Linux carries the parent's
    high-water mark across ``fork``/``vfork`` and ``exec`` into it, so a child of a
    pytest process that once held 1.2 GB reports 1.2 GB however little it used."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    limit_mib, kind, url, target, path = argv[1:6]
    dry_run = argv[6:7] == ["dry-run"]
    cap = int(limit_mib) * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    import json
    from datetime import date

    from geo import db
    from geo.auth import cli_user
    from geo.errors import PairMapError
    from geo.i18n import translate_error

    started = time.monotonic()
    result: dict[str, object] = {}
    engine = db.make_engine(url)
    try:
        if kind == "table":
            from geo.io.imports import import_file

            report = import_file(engine, cli_user(), target, path, today=date(2026, 11, 28),
                                 dry_run=dry_run)
        else:
            from geo.io.boundary_import import import_boundaries

            report = import_boundaries(engine, cli_user(), path, target, dry_run=dry_run)
        result["report"] = {"rows": report.rows, "errors": len(report.errors),
                            "inserted": report.inserted, "updated": report.updated,
                            "unchanged": report.unchanged, "rejected": report.rejected,
                            "written": report.changed and not dry_run}
    except PairMapError as exc:
        result.update(code=exc.code, zh=translate_error(exc, "zh"),
                      en=translate_error(exc, "en"))
    except MemoryError:
        result["code"] = "MemoryError"
    finally:
        engine.dispose()
    result["seconds"] = round(time.monotonic() - started, 2)
    result["maxrss_mib"] = round(peak_rss_kib() / 1024, 1)
    result["ru_maxrss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
