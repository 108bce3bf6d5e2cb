"""``ptm-bot gate add|remove|list``: moderators' always / never gates from the terminal.

The same service and renderer as ``/ptm-admin gate ...`` (:mod:`bot.commands.gates`); a gate set
here is audited as ``cli:<login name>``. ``list --json`` prints ``{"gates": [...]}`` with each
gate's mode, kind, value, origin (``config`` / ``stored``), set_by and set_at.
"""

from __future__ import annotations

import argparse
import json

from bot.cli.options import add_subcommand, common_options
from bot.config import Config

__all__ = ["COMMANDS"]

_KINDS = (
    "term (title/abstract words), author (full name), org (abstract/comments), category (arXiv, e.g. cs.CL)"
)


def _gate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "mode", metavar="MODE", help="always (suggest whatever the score) or never (never suggest)"
    )
    p.add_argument("kind", metavar="KIND", help=_KINDS)
    p.add_argument(
        "value", metavar="VALUE", nargs="+", help="the word or phrase, author, organisation or category"
    )
    common_options(p)


def _configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Moderators' gates, applied by every poll before the relevance model: a never-gate keeps the papers "
        "it matches off the review channel, an always-gate suggests them whatever their score. Gates from "
        "[relevance.gates] in the config file count too. Example: ptm-bot gate add always author 'Kaiming He'"
    )
    sub = p.add_subparsers(dest="gate_command", metavar="{add,remove,list}", required=True)
    add = add_subcommand(
        sub,
        "gate",
        "add",
        "add a gate (audited as cli:<your login>)",
        "Add a gate, stored in the database (audited as cli:<your login>) and applied by every "
        "poll from then on, before the relevance model: MODE always suggests what it matches whatever the "
        "score, never keeps it off the review channel (never wins when both match). A term matches whole "
        "words of the title or abstract, an author a full name among the paper's authors, an organisation "
        "the abstract and author comments (feeds carry no affiliations), a category an arXiv category.",
    )
    _gate_arguments(add)
    remove = add_subcommand(
        sub,
        "gate",
        "remove",
        "remove a gate set with add or /ptm-admin gate add",
        "Remove a stored gate (one set with 'gate add' or /ptm-admin gate add); a gate of the "
        "config file's [relevance.gates] is removed there.",
    )
    _gate_arguments(remove)
    show = add_subcommand(
        sub,
        "gate",
        "list",
        "every gate in force, from the config file and the database",
        "Every gate in force: those of the config file's [relevance.gates] and those stored in "
        "the database, with who set them and when.",
    )
    show.add_argument("--json", action="store_true", help='print {"gates": [...]}')
    common_options(show)


async def cmd_gate(args: argparse.Namespace, config: Config) -> int:
    # In-function imports: `ptm-bot --help` stays fast (issue 11).
    from bot.cli.opening import open_catalog
    from bot.commands import gates as handlers
    from bot.present.render import render_text
    from bot.relevance import gate_store

    db = await open_catalog(config)
    try:
        if args.gate_command == "list":
            if args.json:
                gates = await gate_store.list_gates(db, config.relevance.gates)
                print(json.dumps({"gates": [g.as_dict() for g in gates]}, ensure_ascii=False))
                return 0
            payload = await handlers.gate_list(db, config)
        elif args.gate_command == "add":
            payload = await handlers.gate_add(
                db, config, args.mode, args.kind, " ".join(args.value), set_by=handlers.cli_user()
            )
        else:
            payload = await handlers.gate_remove(
                db, config, args.mode, args.kind, " ".join(args.value), removed_by=handlers.cli_user()
            )
        payload.ephemeral = False  # the terminal has one reader: no "(only you can see this)"
        print(render_text(payload))
        return 0
    finally:
        await db.close()


COMMANDS = [
    ("gate", "always / never suggest papers by term, author, organisation or category", _configure, cmd_gate),
]
