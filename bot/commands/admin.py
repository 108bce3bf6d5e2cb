"""Handlers of the moderator commands (``/ptm-admin ...``): one call, one renderer.

Shared by the cog and ``ptm-bot ask``. Review decisions go through their door,
:mod:`bot.review.actions` (a reaction goes through it too); catalog corrections (edit, remove,
tag) and the export through the catalog's, :mod:`bot.catalog.actions`. Decision handlers return the reply and, where a
suggestion changed, its new state so the cog can refresh the suggestion's review message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp

from bot.actor import TERMINAL, Actor
from bot.catalog import actions as catalog_actions
from bot.catalog.actions import EDITABLE
from bot.catalog.topics import parse_topic
from bot.commands.member import clean_text
from bot.commands.relevance import (
    ask_relevance_activate,
    ask_relevance_rollback,
    relevance_retrain,
    relevance_show,
)
from bot.config import Config
from bot.database import Database
from bot.errors import UserFacingError
from bot.links import actions as link_actions
from bot.present import render
from bot.present.links import render_link_report
from bot.present.render import Attachment, MessagePayload, safe
from bot.present.review import render_decision_reply, render_message, render_pending
from bot.present.watch import render_feeds
from bot.review import actions
from bot.review.service import Decision, SuggestionView
from bot.suggest import did_you_mean
from bot.watch import actions as watch_actions
from bot.watch.arxiv import FeedError, FeedPaper, parse_feed
from bot.watch.fetch import FetchOutcome, PoliteFetcher
from db.enums import SuggestionStatus

__all__ = [
    "EDITABLE",
    "HANDLERS",
    "add",
    "decide",
    "edit",
    "export",
    "feeds",
    "fetch_paper",
    "links",
    "paper_to_add",
    "parse_topic_list",
    "pending",
    "remove",
    "tag",
    "undo",
]

log = logging.getLogger(__name__)

PER_PAGE = 10


async def pending(db: Database, *, page: int = 0) -> MessagePayload:
    items, total = await actions.pending(db, limit=PER_PAGE, offset=page * PER_PAGE)
    return render_pending(items, total, page, PER_PAGE)


async def decide(
    db: Database,
    ref: str,
    decision: Decision,
    actor: Actor,
    *,
    reason: str | None = None,
    name: str | None = None,
    kind: str | None = None,
    approval: str | None = None,
    into: str | None = None,
) -> tuple[MessagePayload, SuggestionView | None]:
    if into and decision is Decision.APPROVE:  # a possible duplicate approved into its entry
        outcome = await actions.decide_into(db, ref, into, actor)
    else:
        outcome = await actions.decide(
            db, ref, decision, actor, reason=reason, name=name, kind=kind, approval=approval
        )
    return render_decision_reply(outcome), outcome.suggestion if outcome.applied else None


async def undo(db: Database, ref: str, actor: Actor) -> tuple[MessagePayload, SuggestionView]:
    done = await actions.undo(db, ref, actor)
    view = done.suggestion
    if done.was == SuggestionStatus.REJECTED:
        return render_message(
            f"arXiv {view.arxiv_id} is pending again; its rejection is undone (a rejection never "
            "changed the catalog)."
        ), view
    return render_message(
        f"arXiv {view.arxiv_id} is pending again; the catalog is as it was before the approval."
    ), view


async def edit(db: Database, name: str, field: str, value: str, actor: Actor = TERMINAL) -> MessagePayload:
    """Change one field of a catalog entry; the export shows it in the list's format."""
    shown = await catalog_actions.edit(db, name, field, value, actor)
    return render_message(f"Updated {safe(field)} of **{safe(shown)}**.")


async def remove(db: Database, name: str, actor: Actor = TERMINAL) -> MessagePayload:
    shown = await catalog_actions.remove(db, name, actor)
    return render_message(f"Removed **{safe(shown)}** from the catalog.")


async def add(
    db: Database,
    paper: FeedPaper,
    *,
    name: str | None,
    kind: str | None,
    actor: Actor,
    approval: str | None = None,
) -> tuple[MessagePayload, SuggestionView]:
    """Add a paper (a parsed arXiv API entry) straight into the catalog."""
    outcome = await actions.add(db, paper, actor, name=name, kind=kind, approval=approval)
    return render_decision_reply(outcome), outcome.suggestion


async def paper_to_add(
    db: Database, http_session: aiohttp.ClientSession | None, config: Config, ref: str
) -> FeedPaper:
    """What ``/ptm-admin add`` adds: the metadata a poll stored (a paper seen and not suggested:
    no network needed), else arXiv's answer for it."""
    stored = await actions.stored_paper(db, ref)
    if stored is not None:
        return stored
    if http_session is None:
        raise UserFacingError(
            f"arXiv {actions.arxiv_ref(ref)} was never seen by a poll and the bot is not connected to the network."
        )
    return await fetch_paper(http_session, config, ref)


async def fetch_paper(http_session: aiohttp.ClientSession, config: Config, ref: str) -> FeedPaper:
    """The arXiv API's metadata for one paper, fetched politely; a clear error when it cannot be had."""
    arxiv_id = actions.arxiv_ref(ref)
    fetcher = PoliteFetcher(
        http_session,
        user_agent=config.user_agent,
        min_interval=config.feeds.min_interval_seconds,
        timeout=config.feeds.timeout_seconds,
        max_attempts=2,
    )
    result = await fetcher.fetch(config.feeds.api_url_template.format(id=arxiv_id))
    if result.outcome is not FetchOutcome.OK or result.body is None:
        raise UserFacingError(
            f"Could not reach arXiv for {arxiv_id}: {result.error or 'no answer'}. Try again later."
        )
    try:
        feed = parse_feed(result.body)
    except FeedError as exc:
        raise UserFacingError(f"arXiv's answer for {arxiv_id} could not be read: {exc}") from None
    for paper in feed.papers:
        if paper.arxiv_id == arxiv_id:
            return paper
    raise UserFacingError(f"arXiv has no paper {arxiv_id}.")


async def feeds(db: Database) -> MessagePayload:
    """``/ptm-admin feeds``: each feed's health."""
    return render_feeds(await watch_actions.feeds(db))


async def links(db: Database, page: int = 1) -> MessagePayload:
    """``/ptm-admin links``: the dead and moved catalog links from the stored checks (page 1 first),
    each permanent move with a "Use the new URL" button (nothing changes until a moderator clicks)."""
    return render_link_report(await link_actions.report(db), page=page - 1)


async def export(db: Database, format: str = "md") -> MessagePayload:
    """``/ptm-admin export [format]``: the catalog attached, as the list's markdown by default, or
    as JSON, an Atom feed, BibTeX or the HTML page (:data:`bot.catalog.exports.FORMATS`)."""
    from bot.catalog.exports import FORMATS

    chosen = FORMATS.get(format)
    if chosen is None:
        hint = did_you_mean(format, FORMATS, quote=True)
        raise UserFacingError(f"Unknown format {format[:40]!r}{hint}; one of: {', '.join(FORMATS)}.")
    text = await catalog_actions.export(db, chosen.name)
    if chosen.name == "md":
        return MessagePayload(
            content=f"The catalog as the list's markdown ({len(text.splitlines())} lines).",
            files=[Attachment("ptm-list.md", text.encode("utf-8"), "the PTM list")],
            ephemeral=True,
        )
    data = text.encode("utf-8")
    return MessagePayload(
        content=f"The catalog as {chosen.description} ({len(data):,} bytes).",
        files=[Attachment(f"ptm-list{chosen.suffix}", data, chosen.description)],
        ephemeral=True,
    )


# --------------------------------------------------------------------------------------------
# /ptm-admin tag


def parse_topic_list(text: str) -> list[str]:
    """``"speech, Chinese"`` -> ``["speech", "chinese"]`` (slugs); unknown topics are a user error."""
    raw = [part.strip() for part in text.replace(";", ",").split(",")]
    raw = [part for part in raw if part]
    if not raw:
        raise UserFacingError("Give at least one topic, separated by commas (e.g. `speech, multilingual`).")
    slugs: list[str] = []
    unknown: list[str] = []
    for part in raw:
        slug = parse_topic(part)
        if slug is None:
            unknown.append(part)
        elif slug not in slugs:
            slugs.append(slug)
    if unknown:
        raise UserFacingError("Unknown topic(s): " + ", ".join(f"**{safe(u[:40])}**" for u in unknown) + ".")
    return slugs


async def tag(db: Database, name: str, topics: str, actor: Actor = TERMINAL) -> MessagePayload:
    """``/ptm-admin tag <name> <topics>``: replace an entry's topics (a moderator correction)."""
    name = clean_text(name, "model name")
    slugs = parse_topic_list(topics)
    tagged = await catalog_actions.tag(db, name, slugs, actor)
    if tagged.hit is None:
        return render.render_not_found(name, tagged.closest)
    return render.render_tagged(tagged.hit)


# --------------------------------------------------------------------------------------------
# The same commands from the terminal (``ptm-bot ask '/ptm-admin pending'``): argument names are the
# slash options' names; decisions are audited as made ``via='cli'`` by the terminal user
# (:data:`bot.actor.TERMINAL`).


async def ask_pending(db: Database, page: int = 1) -> MessagePayload:
    return await pending(db, page=page - 1)


async def ask_approve(
    db: Database,
    arxiv_id: str,
    name: str | None = None,
    kind: str | None = None,
    approval: str | None = None,
    into: str | None = None,
) -> MessagePayload:
    payload, _ = await decide(
        db, arxiv_id, Decision.APPROVE, TERMINAL, name=name, kind=kind, approval=approval, into=into
    )
    return payload


async def ask_add(
    db: Database,
    paper: str,
    name: str | None = None,
    kind: str | None = None,
    approval: str | None = None,
    *,
    config: Config,
) -> MessagePayload:
    """``ptm-bot ask '/ptm-admin add ID'``: the same code as the slash command. A paper a poll
    stored needs no network; another is read from arXiv's API (a session for this one call)."""
    if await actions.stored_paper(db, paper) is not None:
        found = await paper_to_add(db, None, config, paper)
    else:
        timeout = aiohttp.ClientTimeout(total=config.feeds.timeout_seconds)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            found = await paper_to_add(db, http, config, paper)
    return (await add(db, found, name=name, kind=kind, actor=TERMINAL, approval=approval))[0]


async def ask_reject(db: Database, arxiv_id: str, reason: str | None = None) -> MessagePayload:
    return (await decide(db, arxiv_id, Decision.REJECT, TERMINAL, reason=reason))[0]


async def ask_undo(db: Database, arxiv_id: str) -> MessagePayload:
    return (await undo(db, arxiv_id, TERMINAL))[0]


# The moderator commands ``ptm-bot ask`` can run, by qualified name (merged into
# :data:`bot.commands.HANDLERS`). ``poll`` needs the running watcher (``ptm-bot poll`` is its
# terminal face); ``feeds`` only reads the stored feed health, so it runs offline too.
HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {
    "ptm-admin pending": ask_pending,
    "ptm-admin approve": ask_approve,
    "ptm-admin add": ask_add,
    "ptm-admin reject": ask_reject,
    "ptm-admin undo": ask_undo,
    "ptm-admin edit": edit,
    "ptm-admin remove": remove,
    "ptm-admin export": export,
    "ptm-admin feeds": feeds,
    "ptm-admin links": links,
    "ptm-admin tag": tag,
    "ptm-admin relevance show": relevance_show,
    "ptm-admin relevance retrain": relevance_retrain,
    "ptm-admin relevance activate": ask_relevance_activate,
    "ptm-admin relevance rollback": ask_relevance_rollback,
}
