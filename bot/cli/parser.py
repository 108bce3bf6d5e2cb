"""``ptm-bot``'s argument parser: the common options, one helper per group of subcommands, and the
subcommands that feature modules contribute (:data:`EXTRA_COMMANDS`, each module's ``COMMANDS``).

The handlers' modules import their services inside the handlers, so building the parser (``--help``,
a usage error) loads none of them.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn, Protocol

from bot.cli.catalog import cmd_export, cmd_history, cmd_import, cmd_init, cmd_revert, cmd_stats
from bot.cli.examples import examples_epilog
from bot.cli.numbers import whole_number
from bot.cli.run import cmd_run
from bot.config import Config
from bot.suggest import did_you_mean

__all__ = [
    "EXTRA_COMMANDS",
    "AddCommand",
    "CLIParser",
    "Handler",
    "HelpFormatter",
    "build_parser",
    "load_extra_commands",
]

Handler = Callable[[argparse.Namespace, Config], Awaitable[int]]

# bot.catalog.exports.FORMATS' names, written out: building the parser loads no renderer (start-up
# time); tests/catalog/test_exports.py checks they are the same.
EXPORT_FORMATS = ("md", "json", "atom", "bibtex", "html")


class AddCommand(Protocol):
    """Adds one subcommand (its help, handler and description) and returns its parser."""

    def __call__(
        self, name: str, help_: str, handler: Handler, description: str | None = None
    ) -> argparse.ArgumentParser: ...


class HelpFormatter(argparse.HelpFormatter):
    """Wraps at spaces only (never inside "ptm-bot" or "long-context"); an "examples:" block, or any
    paragraph whose lines are indented, is kept as written."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = " ".join(text.split())
        return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for para in text.split("\n\n"):
            lines = para.splitlines()
            if lines and (lines[0].endswith(":") or any(line.startswith("  ") for line in lines)):
                out.append("\n".join(indent + line for line in lines))
            else:
                out.append(
                    textwrap.fill(
                        " ".join(para.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                        break_on_hyphens=False,
                        break_long_words=False,
                    )
                )
        return "\n\n".join(out)


class CLIParser(argparse.ArgumentParser):
    """``ptm-bot``'s parsers: "did you mean" on a mistyped choice (a subcommand, an option's value),
    and an argument error shows the subcommand's usage, not the top-level one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is not None and value not in choices:
            names = [str(c) for c in choices]
            hint = did_you_mean(str(value), names, quote=True)
            raise argparse.ArgumentError(
                action, f"invalid choice: {value!r}{hint} (choose from {', '.join(map(repr, names))})"
            )

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            owner: CLIParser = getattr(parsed, "_parser", self)
            owner.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def error(self, message: str) -> NoReturn:
        super().error(message)


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
    parser = CLIParser(
        prog="ptm-bot",
        description="A Discord bot and command line for a community-curated catalog of pre-trained models.",
        epilog="Run 'ptm-bot COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub: Any = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, help_: str, handler: Handler, description: str | None = None
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name, help=help_, description=description or help_, parents=[common], epilog=examples_epilog(name)
        )
        p.set_defaults(handler=handler, _parser=p)
        return p

    # The order of the groups is the order of ``ptm-bot --help``.
    for add_group in (_add_init, _add_import, _add_revisions, _add_export_and_stats, _add_run):
        add_group(add)
    for name, help_, configure, handler in EXTRA_COMMANDS:
        configure(add(name, help_, handler))
    return parser


def _add_init(add: AddCommand) -> None:
    """``init``: create, migrate and fill the catalog."""
    p = add("init", "create the database (if needed), migrate it and fill it from the shipped list", cmd_init)
    p.add_argument(
        "--empty",
        action="store_true",
        help="leave a new catalog empty (then 'ptm-bot import' fills it from your own list, its structure included)",
    )


def _add_import(add: AddCommand) -> None:
    """``import``: merge a list file into the catalog."""
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
        "Every import that changes the catalog is recorded as a revision ('nothing changed' otherwise): "
        "'ptm-bot history' lists them, 'ptm-bot revert REV' undoes one. If the catalog file is deleted or "
        "replaced while the import runs, nothing is written (exit 2).",
    )
    p.add_argument(
        "path",
        metavar="PATH",
        help="the list's markdown file (a regular file, at most catalog.import_max_bytes)",
    )
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


def _add_revisions(add: AddCommand) -> None:
    """``history`` and ``revert``: the catalog's revisions."""
    p = add(
        "history",
        "list the catalog's revisions (imports, reverts, approvals, moderators' edits), newest first",
        cmd_history,
        description="List the catalog's revisions, newest first: every import and revert that changed the "
        "catalog (with its export from before, so 'ptm-bot revert REV' can go back), and every moderator's "
        "change (an approval, its undo, an edit, a removal, new topics: the change only).",
    )
    p.add_argument("--limit", type=whole_number(), metavar="N", help="show the newest N only (N at least 1)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add(
        "revert",
        "bring the catalog back to its state before a revision",
        cmd_revert,
        description="Bring the catalog back to its state before revision REV (an import, revert or first "
        "fill in 'ptm-bot history'): its export becomes byte for byte what it was. Everything recorded after "
        "REV is undone with it: the revert lists those later revisions and the approvals whose entries it "
        "removes, and refuses (exit 2) unless --force is given; a forced revert sends those approvals back to "
        "pending (audited), and approves again a paper whose approval was undone after REV if it brings its "
        "entry back. A moderator's change (approve, undo, edit, remove, tag) has no export to go back to: "
        "undo it where it was made. A revert that changes nothing records nothing. The revert is itself a "
        "revision, so it can be reverted too.",
    )
    p.add_argument("revision", metavar="REV", type=whole_number(), help="the revision number")
    p.add_argument(
        "--force", action="store_true", help="also undo the later revisions and approvals it lists"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="list what would change and what it would undo; write nothing"
    )
    p.add_argument("--diff", action="store_true", help="print the unified diff of the export")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="print the summary line only")


def _add_export_and_stats(add: AddCommand) -> None:
    """``export`` and ``stats``: the catalog written out and counted."""
    p = add(
        "export",
        "write the catalog as the list's markdown (or JSON, an Atom feed, BibTeX, an HTML page)",
        cmd_export,
    )
    p.add_argument(
        "-f",
        "--format",
        choices=EXPORT_FORMATS,
        default="md",
        help="md: the list's markdown (default); json: the catalog as data; atom: a feed of the 50 newest "
        "entries; bibtex: every arXiv paper; html: one self-contained page with search and topic filters",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write to PATH (atomically) instead of stdout (- or /dev/stdout: stdout)",
    )

    p = add("stats", "counts by kind, section, year and topic", cmd_stats)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--chart",
        metavar="PATH",
        help="also write a chart of entries per year, stacked by topic (PNG, SVG or PDF, by PATH's extension)",
    )


def _add_run(add: AddCommand) -> None:
    """``run``: the Discord bot."""
    add(
        "run",
        "start the Discord bot (needs DISCORD_TOKEN in the environment)",
        cmd_run,
        description="Start the Discord bot. The token is read only from the environment variable named by "
        "discord.token_env (default DISCORD_TOKEN).",
    )


def load_extra_commands() -> None:
    """Subcommands contributed by feature modules (queries, ask, sync, poll)."""
    if EXTRA_COMMANDS:
        return
    for module in (
        "bot.cli.query",
        "bot.cli.watch",
        "bot.cli.enrich",
        "bot.cli.relevance",
        "bot.cli.gates",
        "bot.cli.links",
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
