"""The catalog's subcommands: ``init``, ``import``, ``history``, ``revert``, ``export``, ``stats``.

Each opens the catalog (:mod:`bot.cli.opening`), calls the catalog's door (``bot.catalog.actions``)
to change it or reads through ``db.read`` (``init``'s and ``stats``' counts), and prints; the
services are imported inside the handlers (start-up time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.errors import CLIError
from bot.cli.opening import open_catalog, open_for_dry_run
from bot.config import Config
from bot.inputfile import read_input
from bot.redact import redact
from bot.textsafe import escape_controls

__all__ = ["cmd_export", "cmd_history", "cmd_import", "cmd_init", "cmd_revert", "cmd_stats"]


async def cmd_init(args: argparse.Namespace, config: Config) -> int:
    from bot.actor import TERMINAL
    from bot.catalog import actions
    from bot.catalog.queries.stats import catalog_stats

    db = await open_catalog(config, seed=not args.empty, create=True)
    try:
        if args.empty:
            await actions.start_empty(db, TERMINAL)
        stats = await db.read(catalog_stats)
    finally:
        await db.close()
    k = stats["kinds"]
    print(
        f"catalog ready at {redact(config.database.url)}: {k['survey']} surveys, {k['model']} models, "
        f"{k['resource']} resources"
    )
    return 0


class _Progress:
    """A one-line counter on stderr, only when stderr is a terminal (never in pipes or logs)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        count = f" {done}/{total}" if total else ""
        sys.stderr.write(f"\r\x1b[Kptm-bot: {stage}{count}")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


def _diff(args: argparse.Namespace, plan: Any) -> dict[str, str]:
    """``{"diff": ...}`` with ``--diff`` (the export's unified diff), else nothing: a field of the JSON
    document with ``--json`` (stdout stays one JSON document), printed ahead of the report without."""
    from bot.catalog.importer import unified_diff

    if not getattr(args, "diff", False):
        return {}
    return {"diff": unified_diff(plan.before, plan.after, source=plan.report.source)}


def _print_plan(args: argparse.Namespace, plan: Any, *, dry_run: bool) -> None:
    report = plan.report
    diff = _diff(args, plan)
    if args.json:
        print(json.dumps({**report.as_dict(), "dry_run": dry_run, **diff}, ensure_ascii=False, indent=2))
        return
    if diff:
        sys.stdout.write(diff["diff"])
    lines = report.lines()
    for line in lines[-1:] if args.quiet else lines:
        print(escape_controls(line))  # the names are clean already (the importer strips them)
    if dry_run:
        print("dry run: nothing was written")
    elif not plan.changes and not args.quiet:
        print("nothing changed: no revision recorded")
    elif report.revision is not None and not args.quiet:
        print(f"recorded as revision {report.revision} ('ptm-bot revert {report.revision}' undoes it)")


async def cmd_import(args: argparse.Namespace, config: Config) -> int:
    from bot.actor import TERMINAL
    from bot.catalog import actions, importer

    path = Path(args.path)
    # A regular file only, within catalog.import_max_bytes (a FIFO or /dev/zero: one line, never a hang).
    data = await asyncio.to_thread(
        read_input, str(path), config.catalog.import_max_bytes, setting="catalog.import_max_bytes"
    )
    try:
        text, decode_problems = importer.decode_list_bytes(data)
    except importer.ImportRefused as exc:
        raise CLIError(f"{path}: refused: {exc}") from None
    progress = _Progress(not args.quiet and not args.json)
    # A dry run never writes a byte: not even a new file, nor a migration of an old catalog.
    db = await (open_for_dry_run(config) if args.dry_run else open_catalog(config, create=True))
    try:
        plan = await actions.import_list(
            db,
            text,
            TERMINAL,
            source=escape_controls(str(path)),  # stored in the revision, shown by history
            options=importer.ImportOptions(overwrite=args.overwrite, allow_structure=args.allow_structure),
            extra=decode_problems,
            dry_run=args.dry_run,
            progress=progress,
        )
    except importer.ImportRefused as exc:
        raise CLIError(f"{path}: refused: {exc}") from None
    finally:
        progress.clear()
        await db.close()
    _print_plan(args, plan, dry_run=args.dry_run)
    return 0


async def cmd_history(args: argparse.Namespace, config: Config) -> int:
    from bot.catalog import actions

    if args.limit is not None and args.limit < 1:  # refused before the database is opened
        raise CLIError(
            f"--limit must be at least 1 (it was {args.limit}); leave it out to list every revision"
        )
    db = await open_catalog(config)
    try:
        rows = await actions.history(db, limit=args.limit)
    finally:
        await db.close()
    if args.json:
        print(json.dumps({"revisions": [r.as_dict() for r in rows]}, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(r.line())
    if not rows:
        print("no revisions yet")
    return 0


async def cmd_revert(args: argparse.Namespace, config: Config) -> int:
    from bot.actor import TERMINAL
    from bot.catalog import actions

    db = await open_catalog(config)
    try:
        done = await actions.revert(db, args.revision, TERMINAL, dry_run=args.dry_run, force=args.force)
    except actions.UnknownRevision:
        raise CLIError(f"no revision {args.revision} ('ptm-bot history' lists them)") from None
    except actions.RevertRefused as exc:
        if not args.json:  # what it would undo, then the one line of the refusal (stderr)
            print("\n".join(exc.later.lines()))
        raise CLIError(str(exc)) from None
    finally:
        await db.close()
    if args.json:
        report = {
            **done.plan.report.as_dict(),
            "dry_run": args.dry_run,
            "undoes": done.later.as_dict(),
            **_diff(args, done.plan),
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    if not args.quiet:
        for line in done.later.lines():
            print(line)
    _print_plan(args, done.plan, dry_run=args.dry_run)
    return 0


async def cmd_export(args: argparse.Namespace, config: Config) -> int:
    from bot.catalog import actions
    from bot.cli.outfile import check_output_path, database_file, is_stdout, write_output

    # `-o /dev/stdout` (into a pipe, a terminal or a redirected file) is stdout, not a file to replace.
    to_file = args.output is not None and args.output != "-" and not is_stdout(args.output)
    catalog_file = database_file(config.database.url)
    if to_file:
        check_output_path(args.output, database=catalog_file)  # refused before the database is opened
    db = await open_catalog(config)
    try:
        text = await actions.export(db, args.format)
    finally:
        await db.close()
    if to_file:
        # atomic: a failed export never leaves half a list (nor a temporary file) behind
        data = text.encode("utf-8")
        write_output(args.output, data, database=catalog_file)
        print(
            f"wrote {args.output} ({args.format}, {len(text.splitlines())} lines, {len(data)} bytes)",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    return 0


async def cmd_stats(args: argparse.Namespace, config: Config) -> int:
    from bot.catalog.queries.stats import stats as read_stats

    fmt = None
    catalog_file = None
    if args.chart is not None:
        from bot.cli.outfile import check_output_path, database_file

        fmt = _chart_format(args.chart)
        catalog_file = database_file(config.database.url)
        check_output_path(args.chart, database=catalog_file)  # refused before the database is opened
    db = await open_catalog(config)
    try:
        found = await db.read(read_stats, chart=bool(args.chart))
    finally:
        await db.close()
    stats, chart_data = found.numbers, found.chart
    if chart_data is not None and fmt is not None:
        from bot.cli.outfile import write_output
        from bot.present.charts import render_chart_png

        png = await render_chart_png(chart_data, fmt, undated=stats["undated"])
        write_output(args.chart, png, database=catalog_file)
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        _print_stats(stats, chart=args.chart)
    return 0


def _print_stats(stats: dict[str, Any], *, chart: str | None) -> None:
    print(f"{stats['total']} entries")
    for title, key in (
        ("by kind", "kinds"),
        ("by section", "sections"),
        ("by year", "years"),
        ("by topic", "topics"),
    ):
        if not stats.get(key):
            continue
        print(f"\n{title}:")
        width = max(len(str(k)) for k in stats[key])
        for k, v in stats[key].items():
            print(f"  {k!s:<{width}}  {v:>5}")
    if stats["undated"]:
        print(f"\nundated: {stats['undated']}")
    if chart:
        print(f"\nchart written to {chart}")


_CHART_FORMATS = ("png", "svg", "pdf")  # bot.present.charts.CHART_FORMATS, without importing it


def _chart_format(path: str) -> str:
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in _CHART_FORMATS:
        raise CLIError(f"cannot tell the chart format from {path!r}: name the file .png, .svg or .pdf")
    return fmt
