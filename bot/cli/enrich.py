"""``ptm-bot enrich``: ask the Hugging Face Hub what it links to pending suggestions and catalog
entries (models, datasets, Spaces, code), through the same door as the bot's daily job
(:func:`bot.enrich.actions.enrich`)."""

from __future__ import annotations

import argparse
import json
import sys

from bot.config import Config
from bot.redact import redact
from bot.words import counted

# aiohttp, SQLAlchemy and the door are imported inside the command: this module is loaded for every
# ``ptm-bot`` call (issue 11: fast start-up).

__all__ = ["COMMANDS"]


def _configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Ask the Hugging Face Hub's paper pages what they link to papers: models (weights), datasets, "
        "Spaces, the GitHub repository and project page. Default: every pending suggestion and every "
        "catalog entry never asked about; --all asks about every entry again (answers are cached: "
        "an unchanged page costs a 304). One request per [enrich] min_interval_seconds. Exit status 1 "
        "when a paper could not be asked about."
    )
    p.add_argument("arxiv_ids", nargs="*", metavar="ARXIV_ID", help="only these papers")
    p.add_argument("--all", action="store_true", help="every catalog entry, not only those never asked about")
    p.add_argument("--json", action="store_true", help="print the counts and failures as JSON")


async def cmd_enrich(args: argparse.Namespace, config: Config) -> int:
    import aiohttp

    from bot.cli.errors import CLIError
    from bot.cli.opening import open_catalog
    from bot.enrich.actions import enrich, make_hub_fetcher, targets
    from bot.review.actions import arxiv_ref

    if not config.enrich.enabled:
        raise CLIError("Hub enrichment is off ([enrich] enabled = false)")
    db = await open_catalog(config)
    try:
        ids = [arxiv_ref(a) for a in args.arxiv_ids] or await targets(db, every_entry=args.all)
        async with aiohttp.ClientSession() as http:
            report = await enrich(db, make_hub_fetcher(http, config), config.enrich, ids)
    finally:
        await db.close()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(
            f"{counted(report.checked, 'paper')} asked about: {report.found} on the Hub ({report.with_weights} with "
            f"weights, {len(report.new_weights)} new), {report.absent} not on the Hub, "
            f"{report.not_modified} unchanged, {len(report.failed)} failed"
            + (f"; {len(report.woken)} snoozed paper(s) back in the review queue" if report.woken else "")
        )
    for arxiv_id, error in report.failed:
        print(redact(f"ptm-bot: arXiv {arxiv_id}: {error}"), file=sys.stderr)
    return 1 if report.failed else 0


COMMANDS = [
    ("enrich", "ask the Hugging Face Hub what it links to papers (weights, code)", _configure, cmd_enrich),
]
