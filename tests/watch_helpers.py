"""Shared pieces for the watcher tests: a seeded catalog database per test, a hand-made feed builder,
and the "a logged ERROR fails the test" guard."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from bot.config import Config, database_url_from_path
from bot.database import Database, open_database
from db import models as m

FEEDS = Path(__file__).parent / "fixtures" / "feeds"

# A PTM-paper abstract (scores high) and an unrelated one (scores low), for hand-made items.
PTM_ABSTRACT = (
    "We pre-train {name}, a transformer language model on 40 billion tokens with a masked language "
    "modelling objective, and release the pretrained model. {name} outperforms BERT on eleven "
    "downstream tasks after fine-tuning."
)
OTHER_ABSTRACT = "We prove a regret bound for online convex optimisation with delayed feedback."


@dataclass(frozen=True, slots=True)
class Item:
    arxiv_id: str
    title: str
    abstract: str = OTHER_ABSTRACT
    categories: tuple[str, ...] = ("cs.CL",)
    announce_type: str = "new"
    version: int = 1
    authors: str = "Ada Lovelace, Alan Turing"


def ptm_item(arxiv_id: str, name: str, **kw: object) -> Item:
    return Item(
        arxiv_id,
        f"{name}: Pre-training Multilingual Language Models for Legal Text",
        PTM_ABSTRACT.format(name=name),
        **kw,  # type: ignore[arg-type]
    )


def rss2(items: Sequence[Item], *, category: str = "cs.CL") -> bytes:
    """A document in the current rss.arxiv.org RSS 2.0 layout with exactly *items*."""
    date = "Mon, 27 Apr 2026 00:00:00 -0400"
    parts = [
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'version="2.0"><channel>'
        f"<title>{category} updates on arXiv.org</title><link>http://rss.arxiv.org/rss/{category}</link>"
        f"<description>{category} updates</description><pubDate>{date}</pubDate>"
    ]
    for it in items:
        cats = "".join(f"<category>{c}</category>" for c in it.categories)
        parts.append(
            f"<item><title>{escape(it.title)}</title><link>https://arxiv.org/abs/{it.arxiv_id}</link>"
            f"<description>arXiv:{it.arxiv_id}v{it.version} Announce Type: {it.announce_type} \n"
            f"Abstract: {escape(it.abstract)}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{it.arxiv_id}v{it.version}</guid>{cats}'
            f"<pubDate>{date}</pubDate><arxiv:announce_type>{it.announce_type}</arxiv:announce_type>"
            f"<dc:creator>{escape(it.authors)}</dc:creator></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def write_feed(tmp_path: Path, name: str, items: Sequence[Item], **kw: object) -> str:
    path = tmp_path / name
    path.write_bytes(rss2(items, **kw))  # type: ignore[arg-type]
    return str(path)


def make_config(tmp_db: Path, **relevance_or_feeds: object) -> Config:
    """Defaults plus overrides: keys of [relevance] or [feeds] by name (threshold=..., backfill=...)."""
    config = Config().with_database_url(database_url_from_path(str(tmp_db)))
    rel = {k: v for k, v in relevance_or_feeds.items() if hasattr(config.relevance, k)}
    feeds = {k: v for k, v in relevance_or_feeds.items() if hasattr(config.feeds, k) and k not in rel}
    feeds.setdefault("contact", "mailto:ops@example.org")
    feeds.setdefault("min_interval_seconds", 0.0)
    # Exploration adds a paper below the threshold; tests of it turn it on explicitly.
    rel.setdefault("exploration", False)
    return replace(config, relevance=replace(config.relevance, **rel), feeds=replace(config.feeds, **feeds))


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database with the shipped catalog, built once; tests get copies."""
    path = tmp_path_factory.mktemp("template") / "catalog.sqlite3"

    async def build() -> None:
        db = await open_database(database_url_from_path(str(path)))
        await db.close()

    asyncio.run(build())
    return path


@pytest.fixture
def db_path(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "catalog.sqlite3"
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    database = await open_database(database_url_from_path(str(db_path)))
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(autouse=True)
def no_logged_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A test that logs an ERROR fails; one that expects an error asserts it, then ``caplog.clear()``."""
    caplog.set_level(logging.INFO)
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def suggestion_rows(database: Database) -> dict[str, tuple[str, float]]:
    async with database.begin() as session:
        rows = await session.execute(select(m.Suggestion.arxiv_id, m.Suggestion.status, m.Suggestion.score))
        return {a: (s, sc) for a, s, sc in rows.all()}


async def table_counts(database: Database) -> dict[str, int]:
    out = {}
    async with database.begin() as session:
        for model in (m.Suggestion, m.Feed, m.Entry, m.Paper):
            out[model.__tablename__] = int(await session.scalar(select(func.count()).select_from(model)) or 0)
    return out
