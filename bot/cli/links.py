"""``ptm-bot links check``: every link of the catalog checked now, as the weekly job does.

The same door as the job (:func:`bot.links.actions.check_links`, with ``[links]``'s pacing, timeout
and User-Agent), so the results are stored and ``/ptm-admin links`` (or ``ptm-bot ask
'/ptm-admin links'``) shows the dead and moved links afterwards. ``--json`` prints each URL's
result and state, then the counts: ``{"links": [...], "counts": {...}}``. Every URL printed is
redacted (:func:`bot.redact.redact`).
"""

from __future__ import annotations

import argparse
import json

from bot.cli.options import add_subcommand, common_options
from bot.config import Config

__all__ = ["COMMANDS"]


def _configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "The catalog's links (docs, paper and extra links; the same URL once): HEAD, or GET when HEAD is "
        "refused, redirects followed, at most one request every links.per_host_interval_seconds per host. "
        "A permanent move is proposed in /ptm-admin links; a link is dead after failing on two checks at "
        "least links.dead_after_hours apart. The bot checks them every links.interval_days days."
    )
    sub = p.add_subparsers(dest="links_command", metavar="{check}", required=True)
    check = add_subcommand(
        sub,
        "links",
        "check",
        "check every link now and store the results",
        "Check every link of the catalog now (the bot does it every links.interval_days) and "
        "store the results for /ptm-admin links; print each failing or moved link and the counts.",
    )
    check.add_argument("--json", action="store_true", help='print {"links": [...], "counts": {...}}')
    common_options(check)


async def cmd_links(args: argparse.Namespace, config: Config) -> int:
    # In-function imports: `ptm-bot --help` stays fast (issue 11).
    from datetime import timedelta

    import aiohttp

    from bot.cli.opening import open_catalog
    from bot.links.actions import check_links
    from bot.links.job import make_checker
    from bot.present.links import check_report_json, render_check_summary

    db = await open_catalog(config)
    try:
        async with aiohttp.ClientSession() as http:
            report = await check_links(
                db, make_checker(http, config), dead_after=timedelta(hours=config.links.dead_after_hours)
            )
    finally:
        await db.close()
    if args.json:
        print(json.dumps(check_report_json(report), ensure_ascii=False, indent=2))
    else:
        print(render_check_summary(report))
    return 0


COMMANDS = [
    ("links", "check the catalog's links: dead ones, permanent moves", _configure, cmd_links),
]
