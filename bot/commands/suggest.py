"""``/ptm suggest`` (any member) and ``/ptm-admin member-suggestions`` (moderators): members bring
papers to the review queue (issue 22, part 1). The door is :mod:`bot.review.actions`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp

from bot.actor import TERMINAL, Actor
from bot.commands.admin import paper_to_add
from bot.config import Config
from bot.database import Database
from bot.present.member import render_member_suggestion, render_member_suggestions_state
from bot.present.render import MessagePayload
from bot.review import actions
from bot.review.service import SuggestionView

__all__ = ["HANDLERS", "member_suggestions", "suggest"]


async def suggest(
    db: Database,
    http_session: aiohttp.ClientSession | None,
    config: Config,
    paper: str,
    note: str | None,
    actor: Actor,
) -> tuple[MessagePayload, SuggestionView | None]:
    """The answer, and the new pending suggestion (to post its card) when there is one."""
    review = config.review
    if not review.member_suggestions:  # off in the config: no network, no database write
        return render_member_suggestions_state("config"), None
    state = await actions.known_to_members(db, paper)  # a known paper: no need to read arXiv
    if state is not None:
        return render_member_suggestion(state), None
    found = await paper_to_add(db, http_session, config, paper)
    outcome = await actions.suggest(
        db,
        found,
        actor,
        note=note,
        per_day=review.member_suggestions_per_day,
        enabled=review.member_suggestions,
    )
    return render_member_suggestion(outcome), outcome.suggestion if outcome.outcome == "suggested" else None


async def member_suggestions(db: Database, state: str | None, actor: Actor) -> MessagePayload:
    """``on`` / ``off`` (a moderator), or nothing: say whether members may suggest."""
    on = None if state in (None, "", "status") else state == "on"
    off_by = await actions.member_suggestions(db, on, actor)
    return render_member_suggestions_state(off_by)


async def ask_suggest(db: Database, paper: str, note: str | None = None, *, config: Config) -> MessagePayload:
    """``ptm-bot ask '/ptm suggest ID note=...'``: as the terminal (no daily limit)."""
    if await actions.stored_paper(db, paper) is not None:
        return (await suggest(db, None, config, paper, note, TERMINAL))[0]
    timeout = aiohttp.ClientTimeout(total=config.feeds.timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        return (await suggest(db, http, config, paper, note, TERMINAL))[0]


async def ask_member_suggestions(db: Database, state: str | None = None) -> MessagePayload:
    return await member_suggestions(db, state, TERMINAL)


HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {
    "ptm suggest": ask_suggest,
    "ptm-admin member-suggestions": ask_member_suggestions,
}
