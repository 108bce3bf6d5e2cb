"""``ptm-bot poll`` and ``ptm-bot feeds``: the arXiv watcher from the command line.

``poll`` runs the same service as the bot's scheduled job (:func:`bot.watch.poll.poll`); with ``--feed``
it reads local files (or given URLs) instead of the configured feeds.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.cli.cells import cells, fit, pad
from bot.config import Config
from bot.redact import redact
from bot.urls import http_url_problem

if TYPE_CHECKING:
    from bot.database import Database
    from bot.watch.report import Candidate, PollReport
    from db.models import Feed

# The watcher (bot.watch.poll, bot.watch.feeds: SQLAlchemy, aiohttp) is imported inside the commands:
# this module is loaded for every ``ptm-bot`` call, ``--help`` included, and start-up must stay fast
# (issue 11).

__all__ = ["COMMANDS", "render_candidates_table", "render_feeds_table"]

_TITLE_WIDTH = 70


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def feed_source(text: str) -> str:
    """``--feed``: a file path, or an http(s) URL that parses (anything else is a usage error)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: give a feed file or an http(s) URL")
    m = _SCHEME.match(text)
    if m is None:
        return text  # a file
    shown = redact(text)
    shown = repr(shown if len(shown) <= 80 else shown[:77] + "...")
    if m.group(1).lower() not in ("http", "https"):
        raise argparse.ArgumentTypeError(
            f"{shown}: {m.group(1)}:// is not supported; give a feed file or an http(s) URL"
        )
    problem = http_url_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{shown} is not a valid URL ({problem})")
    return text


def _configure_poll(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Poll arXiv once: fetch the configured feeds (or the files / URLs given with --feed), skip papers "
        "already seen, suggested, decided or in the catalog, score the rest and store them; relevant ones "
        "within the caps become pending suggestions. Exit status 1 when a source failed or lost papers, "
        "3 when every failed source was unreachable (the network)."
    )
    p.add_argument(
        "--feed",
        action="append",
        type=feed_source,
        metavar="PATH_OR_URL",
        help="a feed document file (RSS 2.0, its Atom twin or an arXiv API response; a regular file, at most "
        "feeds.max_bytes) or URL; repeatable. "
        "Default: the feeds in [feeds]",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    p.add_argument("--json", action="store_true", help='print {"candidates": [...], "feeds": [...]} as JSON')


async def cmd_poll(args: argparse.Namespace, config: Config) -> int:
    from bot.actor import TERMINAL
    from bot.cli.opening import open_catalog
    from bot.watch.feeds import is_url
    from bot.watch.poll import poll

    sources: list[str] | None = list(args.feed) if args.feed else None
    # A dry run writes nothing: a catalog that needs migrating is refused rather than migrated.
    db = await open_catalog(config, seed=not args.dry_run, migrate=not args.dry_run)
    try:
        if sources is not None and not any(is_url(s) for s in sources):
            report = await poll(
                db,
                config,
                fetcher=None,
                sources=sources,
                dry_run=args.dry_run,
                all_topics=True,
                actor=TERMINAL,
            )
        else:
            report = await _poll_over_http(db, config, sources, args.dry_run)
    finally:
        await db.close()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_candidates_table(report.candidates))
        print()
        print(_summary(report))
    from bot.textsafe import escape_controls

    for feed in report.failed:
        print(redact(escape_controls(f"ptm-bot: {feed.source}: {feed.error}")), file=sys.stderr)
    for feed in report.partial:
        print(redact(escape_controls(f"ptm-bot: {feed.source}: partial: {feed.error}")), file=sys.stderr)
    if report.failed and all(feed.unreachable for feed in report.failed):
        return 3  # the network is the cause (README: exit statuses)
    return 1 if report.failed or report.partial else 0


async def _poll_over_http(
    db: Database, config: Config, sources: list[str] | None, dry_run: bool
) -> PollReport:
    import aiohttp

    from bot.actor import TERMINAL
    from bot.watch.feeds import make_fetcher
    from bot.watch.poll import poll

    async with aiohttp.ClientSession() as http:
        return await poll(
            db,
            config,
            fetcher=make_fetcher(http, config, interactive=True),
            sources=sources,
            dry_run=dry_run,
            all_topics=True,
            actor=TERMINAL,
        )


def _summary(report: PollReport) -> str:
    c = report.counts
    line = (
        f"{c['papers']} papers: {c['new']} new, {c['duplicate']} duplicate, {c['known']} known, "
        + (f"{c['same_title']} same title as an entry, " if c["same_title"] else "")
        + f"{c['replacement']} replacement; {c['relevant']} relevant, {c['suggested']} suggested "
        f"({c['cards']} as cards, {c['listed']} listed above the line)"
    )
    if report.dry_run:
        line += "\ndry run: nothing was written"
    return line


def render_candidates_table(candidates: Sequence[Candidate]) -> str:
    """Score, status, suggest, name, title: one line per paper, highest score first."""
    if not candidates:
        return "no papers"
    rows = sorted(candidates, key=lambda c: (-c.score, c.arxiv_id))
    name_w = min(24, max(4, *(cells(c.name) for c in rows)))  # terminal cells: CJK is two
    lines = [f"{'score':>5}  {'status':<11}  {'suggest':<7}  {'id':<12}  {pad('name', name_w)}  title"]
    for c in rows:
        title = fit(c.title, _TITLE_WIDTH)
        name = pad(fit(c.name, name_w), name_w)
        suggest = (c.placement or "yes") if c.suggest else ("(cap)" if c.why_not else "-")
        lines.append(f"{c.score:5.2f}  {c.status:<11}  {suggest:<7}  {c.arxiv_id:<12}  {name}  {title}")
    return "\n".join(lines)


def render_feeds_table(feeds: Sequence[Feed]) -> str:
    """Health of every stored feed (rows of ``feeds``)."""
    if not feeds:
        return "no feeds polled yet"
    lines = [f"{'health':<9} {'fails':>5} {'polls':>5}  {'last ok':<16}  url / last error"]
    for f in feeds:
        last_ok = f.last_ok_at.strftime("%Y-%m-%d %H:%M") if f.last_ok_at else "never"
        lines.append(
            f"{f.health:<9} {f.consecutive_failures:>5} {f.polls:>5}  {last_ok:<16}  {redact(f.url)}"
        )
        if f.last_error:
            lines.append(f"{'':<41}  last error: {redact(f.last_error)}")
    return "\n".join(lines)


def _configure_feeds(p: argparse.ArgumentParser) -> None:
    p.description = "Show every polled feed's health (ok / failing / disabled), failures and last success."
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--enable",
        metavar="URL",
        action="append",
        help="reset a failing or disabled feed to ok (repeatable)",
    )


async def cmd_feeds(args: argparse.Namespace, config: Config) -> int:
    from bot.actor import TERMINAL
    from bot.cli.opening import open_catalog
    from bot.watch import actions

    db = await open_catalog(config)
    try:
        if args.enable:  # an unknown URL: "no such feed: URL", exit 2, none enabled
            feeds = await actions.enable_feeds(db, args.enable, TERMINAL)
        else:
            feeds = await actions.feeds(db)
    finally:
        await db.close()
    if args.json:
        doc = {
            "feeds": [
                {
                    "url": redact(f.url),
                    "health": f.health,
                    "consecutive_failures": f.consecutive_failures,
                    "polls": f.polls,
                    "last_error": f.last_error and redact(f.last_error),
                    "last_polled_at": f.last_polled_at.isoformat() if f.last_polled_at else None,
                    "last_ok_at": f.last_ok_at.isoformat() if f.last_ok_at else None,
                    "etag": f.etag,
                    "last_modified": f.last_modified,
                }
                for f in feeds
            ]
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(render_feeds_table(feeds))
    return 0


COMMANDS = [
    ("poll", "poll arXiv feeds (or feed files) once and suggest new PTM papers", _configure_poll, cmd_poll),
    ("feeds", "show the health of the polled arXiv feeds", _configure_feeds, cmd_feeds),
]
