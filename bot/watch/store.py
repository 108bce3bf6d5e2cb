"""The poll's fifth step: the suggestions a poll stores, in the poll's write unit of work.

Every new paper, same-title copy and unknown replacement becomes a ``suggestions`` row (``pending`` when suggested,
``waiting`` when a cap held it back, else ``seen``) through one ``INSERT ... ON CONFLICT DO NOTHING
RETURNING``: a poll reports and posts only the rows it stored itself, so of two concurrent polls of
one feed only one counts a paper.
"""

from __future__ import annotations

import json
import logging
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.watch.arxiv import FeedPaper
from bot.watch.caps import CAP_REASONS
from bot.watch.daily_papers import SOURCE as DAILY_PAPERS
from bot.watch.daily_papers import upvotes_text
from bot.watch.report import RELISTED, Candidate, CandidateStatus
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["store_later_listings", "store_placement", "store_suggestions"]

# The watcher's log lines keep the logger name they had before the poll was split into steps:
# operators' log filters and alerts select on it.
log = logging.getLogger("bot.watch.poll")

_STORED = (CandidateStatus.NEW, CandidateStatus.SAME_TITLE, CandidateStatus.REPLACEMENT)


async def store_suggestions(
    session: AsyncSession,
    papers: Sequence[FeedPaper],
    candidates: Sequence[Candidate],
    norm_titles: dict[str, str],
    now: datetime,
) -> None:
    """Store new papers and replacements; a row another poll stored meanwhile makes its candidate
    a ``duplicate`` (not suggested: "stored by a concurrent poll")."""
    by_id = {p.arxiv_id: p for p in papers}
    plain = _PlainSuggestionInsert.for_dialect(session.get_bind().dialect)
    rows = [
        _row(cand, by_id[cand.arxiv_id], norm_titles[cand.arxiv_id], now)
        for cand in candidates
        if cand.status in _STORED
    ]
    if not rows:
        return
    # A Core executemany on the table: the ORM's bulk-insert bookkeeping buys nothing for plain rows.
    # RETURNING names the rows this poll stored: a row another poll stored meanwhile is skipped by
    # the insert, and this poll neither counts nor posts it.
    if plain is None:
        insert = _insert_ignoring_duplicates(session, m.Suggestion.__table__)
        statement = insert.returning(m.Suggestion.__table__.c.arxiv_id, m.Suggestion.__table__.c.id)
        result = await session.execute(statement, rows)
    else:
        result = await session.execute(plain.statement, plain.render(rows, now))
    stored = {arxiv_id: row_id for arxiv_id, row_id in result.all()}
    for cand in candidates:
        if cand.status not in _STORED:
            continue
        row_id = stored.get(cand.arxiv_id)
        if row_id is None:
            cand.status = CandidateStatus.DUPLICATE
            if cand.suggest:
                cand.suggest, cand.why_not = False, "stored by a concurrent poll"
        elif cand.suggest:
            cand.suggestion_id = row_id


# Rows a later listing may still change: not yet decided.
_OPEN = (SuggestionStatus.SEEN, SuggestionStatus.WAITING, SuggestionStatus.PENDING)


async def store_later_listings(
    session: AsyncSession,
    papers: Sequence[FeedPaper],
    candidates: Sequence[Candidate],
    *,
    dry_run: bool = False,
) -> list[str]:
    """Papers an earlier poll stored that Hugging Face Daily Papers lists now (it often does a day or
    two after arXiv announced them): the stored row's reasons show the listing and its current
    upvotes (the listing's line replaced where it stood, else first). Only a note: the stored score
    stays (``relevance.daily_papers_weight`` moves the score of papers scored with their listing).
    Decided papers stay as they were decided. *dry_run*: nothing written, the candidates still
    marked. The arXiv ids of the rows changed."""
    on_daily = {p.arxiv_id: p.upvotes for p in papers if DAILY_PAPERS in p.sources and p.upvotes is not None}
    listed = {
        c.arxiv_id: on_daily[c.arxiv_id]
        for c in candidates
        if c.status == CandidateStatus.DUPLICATE and c.arxiv_id in on_daily
    }
    if not listed:
        return []
    s = m.Suggestion
    rows = (
        await session.execute(
            select(s.id, s.arxiv_id, s.reasons).where(s.arxiv_id.in_(listed), s.status.in_(_OPEN))
        )
    ).all()
    changed = []
    for row_id, arxiv_id, stored in rows:
        reasons = _with_listing(list(stored or []), listed[arxiv_id])
        if reasons is None:
            continue  # the same count already shown
        if not dry_run:
            # Guarded by the status: a decision committed meanwhile is left as it was decided.
            result = await session.execute(
                update(s).where(s.id == row_id, s.status.in_(_OPEN)).values(reasons=reasons)
            )
            if not rowcount(result):
                continue
        changed.append(arxiv_id)
    for cand in candidates:
        if cand.arxiv_id in changed:
            cand.why_not = RELISTED
    if changed and not dry_run:
        log.info("%d stored paper(s) now listed on %s: upvotes noted", len(changed), DAILY_PAPERS)
    return changed


_LISTING = re.compile(rf"^(also )?on {re.escape(DAILY_PAPERS)}: (\d+) upvotes?\b")


def _with_listing(reasons: list[str], upvotes: int) -> list[str] | None:
    """*reasons* showing the listing with *upvotes*, or None when they already show that count."""
    line = f"on {DAILY_PAPERS}: {upvotes_text(upvotes)}"
    for k, reason in enumerate(reasons):
        found = _LISTING.match(reason)
        if found:
            if int(found.group(2)) == upvotes:
                return None
            return [*reasons[:k], (found.group(1) or "") + line, *reasons[k + 1 :]]
    # Not shown yet: a paper arXiv announced is "also on" Daily Papers.
    return [f"also {line}", *reasons]


def _row(cand: Candidate, paper: FeedPaper, norm_title: str, now: datetime) -> dict[str, Any]:
    return {
        "arxiv_id": cand.arxiv_id,
        "version": cand.version,
        "title": cand.title,
        "norm_title": norm_title,
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "abstract": paper.abstract,
        "announce_type": cand.announce_type,
        "url": cand.url,
        "score": min(1.0, max(0.0, cand.score)),
        "reasons": cand.reasons,
        "proposed_kind": cand.kind,
        "proposed_name": cand.name[:300],
        "proposed_topics": cand.topics,
        "status": (
            SuggestionStatus.PENDING
            if cand.suggest
            else SuggestionStatus.WAITING
            if cand.why_not in CAP_REASONS
            else SuggestionStatus.SEEN
        ),
        "first_seen_at": now,
        "suggested_at": now if cand.suggest else None,
        "exploration": cand.exploration,
        "listed": cand.placement == "listed",
        "threshold": cand.threshold,
        "poll_rank": cand.rank,
        "poll_ranked": cand.ranked,
        "related": cand.related or None,
    }


async def store_placement(session: AsyncSession, waited: Sequence[Candidate]) -> None:
    """Papers taken from the waiting list were made pending by :func:`bot.watch.caps.take_waiting`;
    their place in this poll's ranking is known only now."""
    s = m.Suggestion
    for cand in waited:
        if cand.suggestion_id is None:
            continue
        await session.execute(
            update(s)
            .where(s.id == cand.suggestion_id, s.status == SuggestionStatus.PENDING)
            .values(
                listed=cand.placement == "listed",
                poll_rank=cand.rank,
                poll_ranked=cand.ranked,
                related=cand.related or None,
            )
        )


def _insert_ignoring_duplicates(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    """INSERT that skips rows whose arXiv id another poll stored meanwhile (unique constraint)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=["arxiv_id"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=["arxiv_id"])


_JSON_COLUMNS = ("authors", "categories", "reasons", "proposed_topics", "related")
_TIME_COLUMNS = ("first_seen_at", "suggested_at")


def _json_encoder() -> Callable[[Any], str]:
    """``json.dumps`` with its defaults (what the ORM's JSON type writes on SQLite).

    ``JSONEncoder.encode`` sets up a C encoder on every call (a third of its time on a short
    list); this one is set up once, without the circular-reference check that lists of strings
    never need. ``_PlainSuggestionInsert._build`` compares its output with the JSON type's.
    """
    from json import encoder

    defaults = json.JSONEncoder()
    # The C accelerator: None when it is not built; typeshed leaves the private name out.
    make_encoder = getattr(encoder, "c_make_encoder", None)
    if make_encoder is None:
        return defaults.encode
    chunks = make_encoder(
        None,
        defaults.default,
        encoder.encode_basestring_ascii,
        None,
        defaults.key_separator,
        defaults.item_separator,
        defaults.sort_keys,
        defaults.skipkeys,
        defaults.allow_nan,
    )
    return lambda value: "".join(chunks(value, 0))


@dataclass(frozen=True, slots=True)
class _PlainSuggestionInsert:
    """The bulk INSERT of a poll's suggestions on SQLite with its JSON and timestamp values
    rendered once here rather than per value by the column types: 2,000 rows carry 8,000 JSON
    lists and 4,000 timestamps, all with the same stamp. The stored text is byte-identical to what
    the ORM types write (checked against them once per dialect), and the ORM's JSON type reads it
    back as lists. PostgreSQL keeps the typed path: asyncpg casts every bind to its column's type.
    """

    statement: Any
    encode_json: Callable[[Any], str]
    render_time: Callable[[Any], Any]

    @staticmethod
    def for_dialect(dialect: Any) -> _PlainSuggestionInsert | None:
        if dialect.name != "sqlite":
            return None
        cached = _PLAIN_INSERTS.get(dialect)
        if cached is None and dialect not in _PLAIN_INSERTS:
            cached = _PLAIN_INSERTS[dialect] = _PlainSuggestionInsert._build(dialect)
        return cached

    @staticmethod
    def _build(dialect: Any) -> _PlainSuggestionInsert | None:
        from sqlalchemy import Text, column, table
        from sqlalchemy.dialects.sqlite import insert

        columns = m.Suggestion.__table__.columns
        encode_json = _json_encoder()
        # What the ORM types do on this dialect (dialect_impl: SQLite's DATETIME renders the text).
        json_bind = columns["authors"].type.dialect_impl(dialect).bind_processor(dialect)
        render_time = columns["first_seen_at"].type.dialect_impl(dialect).bind_processor(dialect)
        probe = ['Nyström \u2028 "q" \\', "cs.CL", ""]
        if json_bind is None or json_bind(probe) != encode_json(probe) or json_bind([]) != encode_json([]):
            log.debug("JSON columns are not plain json.dumps text on this engine; typed inserts")
            return None
        if render_time is None or not isinstance(render_time(datetime(2000, 1, 2, tzinfo=UTC)), str):
            return None
        plain = {*_JSON_COLUMNS, *_TIME_COLUMNS}
        shadow = table(
            m.Suggestion.__tablename__,
            *(column(c.name, Text() if c.name in plain else c.type) for c in columns),
        )
        statement = (
            insert(shadow)
            .on_conflict_do_nothing(index_elements=["arxiv_id"])
            .returning(shadow.c.arxiv_id, shadow.c.id)
        )
        return _PlainSuggestionInsert(statement, encode_json, render_time)

    def render(self, rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        encode, stamp = self.encode_json, self.render_time(now)
        for row in rows:
            row["authors"] = encode(row["authors"])
            row["categories"] = encode(row["categories"])
            row["reasons"] = encode(row["reasons"])
            row["proposed_topics"] = encode(row["proposed_topics"])
            if row["related"] is not None:
                row["related"] = encode(row["related"])
            row["first_seen_at"] = stamp
            if row["suggested_at"] is not None:
                row["suggested_at"] = (
                    stamp if row["suggested_at"] is now else self.render_time(row["suggested_at"])
                )
        return rows


_PLAIN_INSERTS: weakref.WeakKeyDictionary[Any, _PlainSuggestionInsert | None] = weakref.WeakKeyDictionary()
