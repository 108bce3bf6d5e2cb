"""Handlers of the moderator commands (``/ptm-admin ...``): one service call, one renderer.

Shared by the cog and ``ptm-bot ask``. Each returns the reply and, where a suggestion changed,
its new state so the cog can refresh the suggestion's review message.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import service as catalog
from bot.catalog.arxiv_ids import normalise_arxiv_id
from bot.catalog.listformat import DateStyle
from bot.commands.relevance import relevance_retrain, relevance_show
from bot.database import Database
from bot.errors import UserFacingError
from bot.present.render import Attachment, MessagePayload, safe
from bot.present.review import render_decision_reply, render_message, render_pending
from bot.review import service as review
from bot.review.service import Decision, ReviewError, SuggestionView
from db import models as m

log = logging.getLogger(__name__)

PER_PAGE = 10
EDITABLE = ("name", "org", "docs_url", "date", "paper_title", "paper_url", "authors", "description")


@dataclass(frozen=True, slots=True)
class Actor:
    id: int | None
    name: str | None


def _arxiv(ref: str) -> str:
    arxiv_id = normalise_arxiv_id(ref.strip())
    if arxiv_id is None:
        raise UserFacingError(
            f"{ref!r} is not an arXiv id or URL (e.g. 2106.07447 or https://arxiv.org/abs/2106.07447)."
        )
    return arxiv_id


async def pending(db: Database, *, page: int = 0) -> MessagePayload:
    async with db.begin() as session:
        items, total = await review.list_pending(session, limit=PER_PAGE, offset=page * PER_PAGE)
    return render_pending(items, total, page, PER_PAGE)


async def decide(
    db: Database,
    ref: str,
    decision: Decision,
    actor: Actor,
    *,
    via: str = "command",
    reason: str | None = None,
    name: str | None = None,
    kind: str | None = None,
) -> tuple[MessagePayload, SuggestionView | None]:
    arxiv_id = _arxiv(ref)

    async def work(session: AsyncSession) -> review.DecisionOutcome:
        current = await review.get_suggestion(session, arxiv_id)
        if current is None:
            raise UserFacingError(
                f"No suggestion for arXiv {arxiv_id}. Use /ptm-admin add to add a paper directly."
            )
        return await review.decide(
            session,
            current.id,
            decision,
            actor_id=actor.id,
            actor_name=actor.name,
            via=via,
            reason=reason,
            name=name,
            kind=kind,
        )

    try:
        # Retried if the database is locked (an import writing): the decision is not lost.
        outcome = await db.run(work)
    except ReviewError as exc:
        raise UserFacingError(str(exc)) from None
    return render_decision_reply(outcome), outcome.suggestion if outcome.applied else None


async def undo(
    db: Database, ref: str, actor: Actor, *, via: str = "command"
) -> tuple[MessagePayload, SuggestionView]:
    arxiv_id = _arxiv(ref)
    try:
        async with db.begin() as session:
            view = await review.undo(session, arxiv_id, actor_id=actor.id, actor_name=actor.name, via=via)
    except ReviewError as exc:
        raise UserFacingError(str(exc)) from None
    return render_message(f"arXiv {arxiv_id} is pending again; its entry (if any) left the catalog."), view


async def _entry_row(session, name: str) -> m.Entry:  # type: ignore[no-untyped-def]
    entry_id = await review.find_entry_id(session, name)
    if entry_id is None:
        raise UserFacingError(f"No entry named {name!r}.")
    row = await session.scalar(
        select(m.Entry).where(m.Entry.id == entry_id).options(*catalog.entry_load_options())
    )
    assert row is not None
    return row


async def edit(db: Database, name: str, field: str, value: str) -> MessagePayload:
    """Change one field of a catalog entry; the export shows it in the list's format."""
    if field not in EDITABLE:
        raise UserFacingError(f"Unknown field {field!r}; one of: {', '.join(EDITABLE)}.")
    value = value.strip()
    async with db.begin() as session:
        row = await _entry_row(session, name)
        entry = catalog.to_domain(row)
        if field == "date":
            dm = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", value)
            if dm is None or (dm.group(2) and not 1 <= int(dm.group(2)) <= 12):
                raise UserFacingError("date must be YYYY-MM or YYYY, e.g. 2021-06.")
            entry.year, entry.month = int(dm.group(1)), int(dm.group(2)) if dm.group(2) else None
            entry.date_style = DateStyle.YYMM if entry.month else DateStyle.YEAR
        elif field == "authors":
            entry.authors = [a.strip() for a in value.split(",") if a.strip()]
        elif field == "name":
            clash = await session.scalar(
                select(m.Entry.id).where(
                    m.Entry.kind == row.kind, m.Entry.name == value, m.Entry.id != row.id
                )
            )
            if clash is not None or not value:
                raise UserFacingError(f"An entry named {value!r} already exists.")
            entry.name = value
            entry.aliases = []
        else:
            setattr(entry, field, value or None)
        await catalog.update_entry(session, row, entry)
    return render_message(f"Updated {safe(field)} of **{safe(entry.name)}**.")


async def remove(db: Database, name: str) -> MessagePayload:
    async with db.begin() as session:
        row = await _entry_row(session, name)
        shown = row.name
        await catalog.remove_entries(session, [row.id])
        # A removed paper is not suggested again: its suggestion (if any) stays decided.
    return render_message(f"Removed **{safe(shown)}** from the catalog.")


async def add(
    db: Database,
    paper: object,
    *,
    name: str | None,
    kind: str | None,
    actor: Actor,
) -> tuple[MessagePayload, SuggestionView]:
    """Add a paper (a parsed arXiv API entry) straight into the catalog."""
    from bot.watch.relevance import propose_kind, propose_name, propose_topics

    title, abstract = paper.title, paper.abstract  # type: ignore[attr-defined]
    proposed_name = propose_name(title)
    try:
        async with db.begin() as session:
            outcome = await review.add_paper(
                session,
                arxiv_id=paper.arxiv_id,  # type: ignore[attr-defined]
                version=paper.version,  # type: ignore[attr-defined]
                title=paper.title,  # type: ignore[attr-defined]
                authors=list(paper.authors),  # type: ignore[attr-defined]
                categories=list(paper.categories),  # type: ignore[attr-defined]
                abstract=paper.abstract,  # type: ignore[attr-defined]
                kind=kind or propose_kind(title, abstract),
                name=name or proposed_name,
                topics=list(propose_topics(title, abstract, proposed_name)),
                actor_id=actor.id,
                actor_name=actor.name,
                via="command",
            )
    except ReviewError as exc:
        raise UserFacingError(str(exc)) from None
    return render_decision_reply(outcome), outcome.suggestion


async def fetch_paper(http_session, config, ref: str):  # type: ignore[no-untyped-def]
    """The arXiv API's metadata for one paper, fetched politely; a clear error when it cannot be had."""
    from bot.watch.arxiv import FeedError, parse_feed
    from bot.watch.fetch import FetchOutcome, PoliteFetcher

    arxiv_id = _arxiv(ref)
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


async def export(db: Database) -> MessagePayload:
    async with db.begin() as session:
        text = await catalog.export_markdown(session)
    return MessagePayload(
        content=f"The catalog as the list's markdown ({len(text.splitlines())} lines).",
        files=[Attachment("ptm-list.md", text.encode("utf-8"), "the PTM list")],
        ephemeral=True,
    )


# --------------------------------------------------------------------------------------------
# The same commands from the terminal (``ptm-bot ask '/ptm-admin pending'``): argument names are the
# slash options' names; decisions are audited as made ``via='cli'`` by the terminal user.

TERMINAL = Actor(None, "terminal")


async def _ask_pending(db: Database, page: int = 1) -> MessagePayload:
    return await pending(db, page=page - 1)


async def _ask_approve(
    db: Database, arxiv_id: str, name: str | None = None, kind: str | None = None
) -> MessagePayload:
    return (await decide(db, arxiv_id, Decision.APPROVE, TERMINAL, via="cli", name=name, kind=kind))[0]


async def _ask_reject(db: Database, arxiv_id: str, reason: str | None = None) -> MessagePayload:
    return (await decide(db, arxiv_id, Decision.REJECT, TERMINAL, via="cli", reason=reason))[0]


async def _ask_undo(db: Database, arxiv_id: str) -> MessagePayload:
    return (await undo(db, arxiv_id, TERMINAL, via="cli"))[0]


OFFLINE_HANDLERS = {
    "ptm-admin pending": _ask_pending,
    "ptm-admin approve": _ask_approve,
    "ptm-admin reject": _ask_reject,
    "ptm-admin undo": _ask_undo,
    "ptm-admin edit": edit,
    "ptm-admin remove": remove,
    "ptm-admin export": export,
    "ptm-admin relevance show": relevance_show,
    "ptm-admin relevance retrain": relevance_retrain,
}
