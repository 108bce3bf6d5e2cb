"""``ptm-bot``: the command line. Every subcommand takes ``--config`` and ``--db``.

The CLI is the bot's offline face: it uses the same services (and, for ``ask``, the same
slash-command handlers and renderers) as the Discord bot.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError, database_url_from_path, load_config
from bot.errors import PTMError, UserFacingError

log = logging.getLogger(__name__)

# The services (SQLAlchemy, alembic, the catalog, charts, discord.py's client) are imported inside
# the subcommands that use them, not here: start-up, so `ptm-bot --help`, a usage error or a bad
# config answer without loading them.

Handler = Callable[[argparse.Namespace, Config], Awaitable[int]]


class CLIError(PTMError):
    """A user mistake on the command line: printed as one line, exit status 2."""


# --------------------------------------------------------------------------------------------
# Subcommands


async def open_catalog(config: Config, *, seed: bool = True, create: bool = False, migrate: bool = True):  # type: ignore[no-untyped-def]
    """Open the configured catalog. Only ``init``, ``run`` and ``import`` pass *create*: for every
    other command a missing file is ``no catalog at PATH (run ptm-bot init)`` (bot.database)."""
    from bot.database import open_database

    return await open_database(
        config.database.url,
        seed=seed,
        create=create,
        migrate_schema=migrate,
        echo=config.database.echo,
        busy_timeout_ms=config.database.busy_timeout_ms,
        read_threads=config.database.read_threads,
    )


async def _open_for_dry_run(config: Config):  # type: ignore[no-untyped-def]
    """A dry run writes nothing: an existing catalog is opened but not migrated (nor seeded); a
    missing one is stood in for by a new in-memory catalog, as ``import`` would have created it."""
    from bot.database import check_url, open_database, sqlite_path

    path = sqlite_path(check_url(config.database.url))
    if path is not None and not os.path.exists(path):
        from db.guard import check_sqlite_file

        check_sqlite_file(path, create=True)  # a missing directory is still an error
        return await open_database("sqlite+aiosqlite:///:memory:", seed=True)
    return await open_catalog(config, seed=False, migrate=False)


async def cmd_init(args: argparse.Namespace, config: Config) -> int:
    from bot.catalog import service as catalog

    db = await open_catalog(config, seed=not args.empty, create=True)
    try:
        async with db.begin() as session:
            if args.empty:
                await catalog.start_empty(session)
            stats = await catalog.catalog_stats(session)
    finally:
        await db.close()
    k = stats["kinds"]
    print(
        f"catalog ready at {config.database.url}: {k['survey']} surveys, {k['model']} models, "
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


def _print_plan(args: argparse.Namespace, plan: Any, *, dry_run: bool) -> None:
    from bot.catalog.importer import unified_diff

    report = plan.report
    if getattr(args, "diff", False):
        sys.stdout.write(unified_diff(plan.before, plan.after, source=report.source))
    if args.json:
        print(json.dumps({**report.as_dict(), "dry_run": dry_run}, ensure_ascii=False, indent=2))
        return
    lines = report.lines()
    for line in lines[-1:] if args.quiet else lines:
        print(line)
    if dry_run:
        print("dry run: nothing was written")
    elif report.revision is not None and not args.quiet:
        print(f"recorded as revision {report.revision} ('ptm-bot revert {report.revision}' undoes it)")


async def cmd_import(args: argparse.Namespace, config: Config) -> int:
    from bot.actor import TERMINAL
    from bot.catalog import actions, importer

    path = Path(args.path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text, decode_problems = importer.decode_list_bytes(data)
    except importer.ImportRefused as exc:
        raise CLIError(f"{path}: refused: {exc}") from None
    progress = _Progress(not args.quiet and not args.json)
    # A dry run never writes a byte: not even a new file, nor a migration of an old catalog.
    db = await (_open_for_dry_run(config) if args.dry_run else open_catalog(config, create=True))
    try:
        plan = await actions.import_list(
            db,
            text,
            TERMINAL,
            source=str(path),
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

    db = await open_catalog(config)
    try:
        rows = await actions.history(db, limit=args.limit)
    finally:
        await db.close()
    if args.json:
        print(json.dumps({"revisions": [r.as_dict() for r in rows]}, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r.id:>5}  {r.at:%Y-%m-%d %H:%M:%S}  {r.action:<6}  {r.source}: {r.summary}")
    if not rows:
        print("no revisions yet")
    return 0


async def cmd_revert(args: argparse.Namespace, config: Config) -> int:
    from bot.actor import TERMINAL
    from bot.catalog import actions

    db = await open_catalog(config)
    try:
        plan = await actions.revert(db, args.revision, TERMINAL, dry_run=args.dry_run)
    except actions.UnknownRevision:
        raise CLIError(f"no revision {args.revision} ('ptm-bot history' lists them)") from None
    finally:
        await db.close()
    _print_plan(args, plan, dry_run=args.dry_run)
    return 0


async def cmd_export(args: argparse.Namespace, config: Config) -> int:
    from bot.catalog import actions
    from bot.cli.outfile import check_output_path, write_output

    to_file = args.output is not None and args.output != "-"
    if to_file:
        check_output_path(args.output)  # refused before the database is opened
    db = await open_catalog(config)
    try:
        text = await actions.export(db)
    finally:
        await db.close()
    if to_file:
        # atomic: a failed export never leaves half a list (nor a temporary file) behind
        write_output(args.output, text.encode("utf-8"))
        print(f"wrote {args.output} ({len(text.splitlines())} lines)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


async def cmd_stats(args: argparse.Namespace, config: Config) -> int:
    from bot.catalog import service as catalog

    fmt = None
    if args.chart is not None:
        from bot.cli.outfile import check_output_path

        fmt = _chart_format(args.chart)
        check_output_path(args.chart)  # refused before the database is opened
    db = await open_catalog(config)
    try:
        async with db.begin() as session:
            stats = await catalog.catalog_stats(session)
            chart_data = None
            if args.chart:
                from bot.catalog.chart_data import stats_chart_data

                chart_data = await stats_chart_data(session)
    finally:
        await db.close()
    if chart_data is not None and fmt is not None:
        from bot.cli.outfile import write_output
        from bot.present.charts import render_chart_png

        write_output(args.chart, await render_chart_png(chart_data, fmt))
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
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
    if args.chart:
        print(f"\nchart written to {args.chart}")
    return 0


async def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from bot.config import discord_token

    token = discord_token(config)
    if not token:  # before anything is opened or created
        raise CLIError(
            f"no Discord token: set the environment variable {config.discord.token_env} to your bot's token "
            "(Discord Developer Portal > your application > Bot > Reset Token); it is never read from the config file"
        )
    db = await open_catalog(config, create=True)
    await db.close()
    try:
        from bot.client.runner import run_bot
    except ImportError:
        raise CLIError(
            "the Discord bot is not part of this build yet; config and database are valid"
        ) from None
    return await run_bot(config, token)


_CHART_FORMATS = ("png", "svg", "pdf")  # bot.present.charts.CHART_FORMATS, without importing it


def _chart_format(path: str) -> str:
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in _CHART_FORMATS:
        raise CLIError(f"cannot tell the chart format from {path!r}: name the file .png, .svg or .pdf")
    return fmt


# --------------------------------------------------------------------------------------------
# Parser


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument(
        "--config",
        metavar="PATH",
        help="TOML config file (default: $PTM_BOT_CONFIG, else ./config.toml if present, else built-in defaults)",
    )
    group.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="database file or SQLAlchemy URL, overriding database.url (e.g. catalog.sqlite3 or "
        "postgresql+asyncpg://user@host/ptm)",
    )
    group.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    group.add_argument(
        "--log-format",
        choices=("text", "json"),
        help="log lines as plain text (default) or one JSON object per line (overrides logging.format)",
    )
    return common


# Later features register more subcommands here: (name, help, configure-parser, handler).
EXTRA_COMMANDS: list[tuple[str, str, Callable[[argparse.ArgumentParser], None], Handler]] = []


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ptm-bot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="ptm-bot",
        description="A Discord bot and command line for a community-curated catalog of pre-trained models.",
        epilog="Run 'ptm-bot COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, help_: str, handler: Handler, description: str | None = None
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=description or help_, parents=[common])
        p.set_defaults(handler=handler)
        return p

    p = add("init", "create the database (if needed), migrate it and fill it from the shipped list", cmd_init)
    p.add_argument(
        "--empty",
        action="store_true",
        help="leave a new catalog empty (then 'ptm-bot import' fills it from your own list, its structure included)",
    )

    p = add(
        "import",
        "merge a list file (the list's markdown) into the catalog and report what changed",
        cmd_import,
        description="Merge a list file into the catalog. Entries match by (kind, name), else by arXiv id; new "
        "ones are added, nothing stored is removed. A stored field is replaced only by a field read from a fully "
        "read line: a line that could not be fully read (or a free sentence) may add an entry but never clears "
        "or overwrites one; disagreements are reported as conflicts (entry, field, stored, incoming). New "
        "sections, a new title and section intros are reported and made only with --allow-structure (an empty "
        "catalog, see 'init --empty', takes the file's structure). A file that is not a list of this kind "
        "(binary, no section, mostly unreadable) is refused (exit 2); UTF-16/32 with a byte-order mark is read. "
        "Every import is recorded as a revision: 'ptm-bot history' lists them, 'ptm-bot revert REV' undoes one.",
    )
    p.add_argument("path", metavar="PATH", help="the list's markdown file")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument(
        "--diff",
        action="store_true",
        help="print the unified diff of the export (with --dry-run: what it would be)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="in a conflict take the incoming value (never used silently)"
    )
    p.add_argument(
        "--allow-structure",
        action="store_true",
        help="also create the file's new sections, set its title and section intros",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="print the summary line only (and no progress)")

    p = add("history", "list the catalog's revisions (every import and revert), newest first", cmd_history)
    p.add_argument("--limit", type=int, metavar="N", help="show the newest N only")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add(
        "revert",
        "bring the catalog back to its state before a revision",
        cmd_revert,
        description="Bring the catalog back to its state before revision REV ('ptm-bot history'): its export "
        "becomes byte for byte what it was. The revert is itself a revision, so it can be reverted too.",
    )
    p.add_argument("revision", metavar="REV", type=int, help="the revision number")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--diff", action="store_true", help="print the unified diff of the export")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="print the summary line only")

    p = add("export", "write the catalog as the list's markdown", cmd_export)
    p.add_argument("-o", "--output", metavar="PATH", help="write to PATH (atomically) instead of stdout")

    p = add("stats", "counts by kind, section, year and topic", cmd_stats)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--chart",
        metavar="PATH",
        help="also write a chart of entries per year, stacked by topic (PNG, SVG or PDF, by PATH's extension)",
    )

    add(
        "run",
        "start the Discord bot (needs DISCORD_TOKEN in the environment)",
        cmd_run,
        description="Start the Discord bot. The token is read only from the environment variable named by "
        "discord.token_env (default DISCORD_TOKEN).",
    )
    for name, help_, configure, handler in EXTRA_COMMANDS:
        configure(add(name, help_, handler))
    return parser


def _load_extra_commands() -> None:
    """Subcommands contributed by feature modules (queries, ask, sync, poll)."""
    if EXTRA_COMMANDS:
        return
    for module in (
        "bot.cli.query",
        "bot.cli.watch",
        "bot.cli.relevance",
        "bot.cli.gates",
        "bot.cli.discord_cmds",
        "bot.cli.ops",
    ):
        try:
            mod = __import__(module, fromlist=["COMMANDS"])
        except ImportError as exc:
            if exc.name != module:
                raise
            continue
        EXTRA_COMMANDS.extend(mod.COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    _load_extra_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if getattr(args, "log_format", None):  # before reading the config, so its own logs follow the flag
        _format_cli_logs(args.log_format)
    try:
        try:
            config = load_config(args.config)
        except OSError as exc:  # e.g. a config directory this user may not enter
            where = exc.filename or args.config or "the config file"
            raise CLIError(f"cannot read config file {where}: {exc.strerror or exc}") from exc
        if args.db is not None:
            if not args.db.strip():
                raise CLIError("--db is empty: give a database file or URL")
            config = config.with_database_url(database_url_from_path(args.db))
        import asyncio  # here, not at the top: ``--help`` needs no event loop (start-up time)

        config = _apply_log_format(config, args)
        return asyncio.run(args.handler(args, config))
    except ConfigError as exc:
        print(f"ptm-bot: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    except (CLIError, UserFacingError) as exc:
        print(f"ptm-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `ptm-bot export | head`: the reader left; say nothing more (and not at exit either).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        from bot.cli.failures import describe

        found = describe(exc)
        if found is None:
            raise
        message, status = found
        log.debug("%s", message, exc_info=exc)  # -v shows where it came from
        print(f"ptm-bot: {message}", file=sys.stderr)
        return status


def _apply_log_format(config: Config, args: argparse.Namespace) -> Config:
    """``--log-format`` over ``logging.format``; the CLI's own stderr handler takes the format too."""
    import dataclasses

    fmt = getattr(args, "log_format", None)
    if fmt:
        config = dataclasses.replace(
            config,
            logging=dataclasses.replace(config.logging, format=fmt),
            origins={**config.origins, "logging.format": "command line (--log-format)"},
        )
    if config.logging.format != "text":
        _format_cli_logs(config.logging.format)
    return config


def _format_cli_logs(fmt: str) -> None:
    from bot.ops.logs import make_formatter

    for handler in logging.getLogger().handlers:
        handler.setFormatter(make_formatter(fmt))


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
