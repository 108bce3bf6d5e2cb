"""Query subcommands of ``ptm-bot``: model, recent, search, survey, org, author, cite, top.

Each runs the read of its slash command (:data:`bot.commands.reads.READS`, which the handlers of
``/ptm model|recent|search|survey|org|author`` and so ``ptm-bot ask`` are built on) and prints
``{"entries": [...]}`` with ``--json`` (entries as :func:`bot.catalog.queries.entry_json`), else
an aligned table. The words of a query need no quotes: ``ptm-bot search knowledge distillation``.
Exit status: 0 found (or an empty list), 1 no entry by that name, 2 a usage error (unknown topic).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.catalog.model import EntryHit
from bot.catalog.topics import TOPICS
from bot.cli.cells import cells, fit, pad
from bot.cli.numbers import whole_number
from bot.config import Config
from bot.textsafe import escape_controls
from db.counts import AtLeast

# The reads (bot.commands.reads, bot.catalog.queries) are imported inside the commands, not here:
# this module is loaded for every ``ptm-bot`` call, ``--help`` included, and start-up must stay
# fast (issues 11, 19).

__all__ = ["COMMANDS", "format_table"]


def _truncate(text: str | None, width: int) -> str:
    """One line of at most *width* terminal cells (a CJK character is two)."""
    return fit(" ".join((text or "").split()), width)


def format_table(hits: Sequence[EntryHit]) -> list[str]:
    """Aligned rows: name, date, org, topics, paper title (truncated); widths in terminal cells."""
    from bot.catalog.listformat import full_paper_title

    rows = [
        (
            _truncate(h.entry.name, 36),
            h.entry.date or "-",
            _truncate(h.entry.org or "-", 24),
            _truncate(", ".join(h.entry.topics) or "-", 30),
            _truncate(full_paper_title(h.entry) or h.entry.description or "", 60),
        )
        for h in hits
    ]
    header = ("NAME", "DATE", "ORG", "TOPICS", "TITLE")
    widths = [max(cells(r[i]) for r in [header, *rows]) for i in range(4)]
    return [
        "  ".join(pad(c, w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4]
        for r in [header, *rows]
    ]


def _emit(args: argparse.Namespace, hits: Sequence[EntryHit], total: int, *, empty: str) -> None:
    from bot.catalog import queries

    if args.json:
        print(
            json.dumps({"entries": [queries.entry_json(h.entry) for h in hits]}, ensure_ascii=False, indent=2)
        )
        return
    if not hits:
        print(empty)
        return
    for line in format_table(hits):
        print(line)
    shown = getattr(args, "offset", 0) + len(hits)
    if total > shown:
        more = "at least " if isinstance(total, AtLeast) else ""
        print(f"... and {more}{total - shown} more (use --offset {shown})")


def _words(words: Sequence[str] | None) -> str | None:
    """The query's words as one text (``nargs``: unquoted words arrive one by one)."""
    return " ".join(words) if words else None


async def _run_read(config: Config, command: str, *args: Any, **kwargs: Any) -> Any:
    """Run the read of the slash command *command* (``"ptm search"``) on the configured catalog,
    opened on the first read (:class:`bot.cli.reading.CatalogForReading`)."""
    from bot.cli.reading import CatalogForReading
    from bot.commands.reads import READS

    db = CatalogForReading(config)
    try:
        return await READS[command](db, *args, **kwargs)
    finally:
        await db.close()


# --------------------------------------------------------------------------------------------
# Handlers


async def cmd_model(args: argparse.Namespace, config: Config) -> int:
    name = _words(args.name) or ""
    hits, closest = await _run_read(config, "ptm model", name, limit=args.limit)
    if not hits:
        if args.json:  # the same document as search's with no match; the exit status says "none"
            _emit(args, hits, 0, empty="")
        hint = f"; did you mean: {', '.join(closest)}" if closest else ""
        print(escape_controls(f"no entry named {name}{hint}"), file=sys.stderr)
        return 1
    _emit(args, hits, len(hits), empty="")
    return 0


async def cmd_cite(args: argparse.Namespace, config: Config) -> int:
    """The best match's BibTeX (``/ptm cite``'s read and text), or exit 1 as ``model`` does."""
    from bot.catalog.exports.bibtex import bibtex_entry

    name = _words(args.name) or ""
    hits, closest = await _run_read(config, "ptm cite", name, limit=1)
    if not hits:
        hint = f"; did you mean: {', '.join(closest)}" if closest else ""
        print(escape_controls(f"no entry named {name}{hint}"), file=sys.stderr)
        return 1
    entry = hits[0].entry
    if not entry.arxiv_id and not entry.paper_title:
        print(f"{entry.name} has no paper to cite", file=sys.stderr)
        return 1
    sys.stdout.write(bibtex_entry(entry))
    return 0


async def cmd_recent(args: argparse.Namespace, config: Config) -> int:
    from bot.catalog.queries import UnknownTopic

    topic = _words(args.topic) or ""
    try:
        hits, total = await _run_read(config, "ptm recent", topic, args.count, offset=args.offset)
    except UnknownTopic as exc:
        print(f"ptm-bot: {exc}", file=sys.stderr)
        return 2
    _emit(args, hits, total, empty=f"no entries in topic {topic}")
    return 0


async def cmd_search(args: argparse.Namespace, config: Config) -> int:
    query = _words(args.query) or ""
    hits, total = await _run_read(config, "ptm search", query, limit=args.limit, offset=args.offset)
    _emit(args, hits, total, empty=f"nothing found for {query!r}")
    return 0


async def cmd_survey(args: argparse.Namespace, config: Config) -> int:
    query = _words(args.query)
    hits, total = await _run_read(config, "ptm survey", query, limit=args.limit, offset=args.offset)
    _emit(args, hits, total, empty="no surveys found")
    return 0


async def cmd_org(args: argparse.Namespace, config: Config) -> int:
    org = _words(args.org) or ""
    hits, total = await _run_read(config, "ptm org", org, limit=args.limit, offset=args.offset)
    _emit(args, hits, total, empty=f"no entries from {org!r}")
    return 0


async def cmd_author(args: argparse.Namespace, config: Config) -> int:
    name = _words(args.name) or ""
    hits, total = await _run_read(config, "ptm author", name, limit=args.limit, offset=args.offset)
    _emit(args, hits, total, empty=f"no entries by {name!r}")
    return 0


async def cmd_top(args: argparse.Namespace, config: Config) -> int:
    """The entries with the most votes cast in the period (``/ptm top``'s read), with their votes."""
    from bot.catalog import queries
    from bot.errors import UserFacingError

    topic = _words(args.topic)
    try:
        found = await _run_read(config, "ptm top", args.period, topic, limit=args.limit, offset=args.offset)
    except (queries.UnknownTopic, UserFacingError) as exc:
        print(f"ptm-bot: {exc}", file=sys.stderr)
        return 2
    if args.json:
        entries = [{**queries.entry_json(r.hit.entry), "votes": r.votes} for r in found.rows]
        doc = {"period": args.period, "topic": topic, "total": found.total, "entries": entries}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    if not found.rows:
        print(f"no votes in the last {args.period}" + (f" for topic {topic}" if topic else ""))
        return 0
    table = format_table([r.hit for r in found.rows])
    width = max(len(str(r.votes)) for r in found.rows)
    print(f"{'VOTES':>{max(width, 5)}}  {table[0]}")
    for row, line in zip(found.rows, table[1:], strict=True):
        print(f"{row.votes:>{max(width, 5)}}  {line}")
    shown = args.offset + len(found.rows)
    if found.total > shown:
        print(f"... and {found.total - shown} more (use --offset {shown})")
    return 0


# --------------------------------------------------------------------------------------------
# Parsers


_positive = whole_number(low=1)
_non_negative = whole_number(low=0)


def _paging(p: argparse.ArgumentParser, *, flag: str = "--limit", default: int = 10) -> None:
    p.add_argument(
        flag, type=_positive, default=default, metavar="N", help=f"show at most N entries (default {default})"
    )
    p.add_argument(
        "--offset", type=_non_negative, default=0, metavar="N", help="skip the first N entries (paging)"
    )
    p.add_argument("--json", action="store_true", help='print {"entries": [...]} as JSON')


def _conf_model(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "name",
        metavar="NAME",
        nargs="+",
        help="a model name or alias; case, spaces and hyphens do not matter (no quotes needed)",
    )
    p.add_argument(
        "--limit", type=_positive, default=10, metavar="N", help="show at most N matches (default 10)"
    )
    p.add_argument("--json", action="store_true", help='print {"entries": [...]} as JSON, best match first')


def _conf_cite(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "name", metavar="NAME", nargs="+", help="a model name or alias, as for 'model' (no quotes needed)"
    )


def _conf_recent(p: argparse.ArgumentParser) -> None:
    p.add_argument("topic", metavar="TOPIC", nargs="+", help=f"one of: {', '.join(TOPICS)}")
    _paging(p, flag="--count")


def _conf_search(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", metavar="QUERY", nargs="+", help="words to look for (Chinese works too)")
    _paging(p)


def _conf_survey(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", metavar="QUERY", nargs="*", help="only surveys matching these words")
    _paging(p)


def _conf_org(p: argparse.ArgumentParser) -> None:
    p.add_argument("org", metavar="ORG", nargs="+", help="an organisation, e.g. google or VinAI")
    _paging(p)


def _conf_author(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", nargs="+", help="an author, e.g. Kaiming He")
    _paging(p)


def _conf_top(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "topic", metavar="TOPIC", nargs="*", help=f"only entries of this topic: {', '.join(TOPICS)}"
    )
    p.add_argument(
        "--period",
        choices=("week", "month"),
        default="week",
        help="votes cast in the last 7 days (week, the default) or 30 days (month)",
    )
    _paging(p)


COMMANDS: list[
    tuple[
        str,
        str,
        Callable[[argparse.ArgumentParser], None],
        Callable[[argparse.Namespace, Config], Awaitable[int]],
    ]
] = [
    ("model", "look up a model by name or alias (forgiving), best match first", _conf_model, cmd_model),
    ("recent", "the newest entries of a topic", _conf_recent, cmd_recent),
    (
        "search",
        "full-text search over names, titles, authors, orgs and descriptions",
        _conf_search,
        cmd_search,
    ),
    ("survey", "surveys, newest first, optionally filtered", _conf_survey, cmd_survey),
    ("org", "entries from an organisation, newest first", _conf_org, cmd_org),
    ("author", "entries by an author, newest first", _conf_author, cmd_author),
    ("cite", "the BibTeX of a model's paper (the best match by name)", _conf_cite, cmd_cite),
    ("top", "the entries members voted for most in the last week or month", _conf_top, cmd_top),
]
