"""List replies page correctly whatever the lengths (issue 11)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.catalog.model import EntryHit
from bot.catalog.queries import search_entries
from bot.commands.admin import pending
from bot.present.render import DESCRIPTION_LIMIT, render_entry_list
from db import models as m

LINK = re.compile(r"\[(?:\\.|[^\]\\])*\]\(https://[^\s)]+\)")


def assert_whole_markdown(line: str) -> None:
    """No link, bold or escape is cut: removing whole links leaves no link syntax, bold pairs match."""
    rest = LINK.sub("", line)
    assert "](" not in rest and "](http" not in line.replace("](https://", ""), line
    assert line.count("**") % 2 == 0, line
    assert not re.search(r"(?<!\\)\\$", line), line


async def test_pending_shows_every_suggestion_of_the_page_with_a_5000_character_title(db) -> None:
    now = datetime(2026, 4, 27, tzinfo=UTC)
    async with db.begin() as session:
        for i in range(12):
            title = ("A *very* [long] _title_ " * 250)[:5000] if i == 3 else f"Paper {i}"
            session.add(
                m.Suggestion(
                    arxiv_id=f"2604.{90000 + i}",
                    version=1,
                    title=title,
                    norm_title=f"paper {i}",
                    url=f"https://arxiv.org/abs/2604.{90000 + i}",
                    score=0.9 - i / 100,
                    proposed_name=("Name*_" * 50)[:300] if i == 5 else f"Model{i}",
                    status="pending",
                    first_seen_at=now,
                    suggested_at=now,
                )
            )
    payload = await pending(db, page=0)
    (embed,) = payload.embeds
    lines = embed.description.split("\n")
    assert len(embed.description) <= DESCRIPTION_LIMIT
    assert len(lines) == 10
    ids = [re.search(r"\(arXiv (\d{4}\.\d+)\)$", line).group(1) for line in lines]  # type: ignore[union-attr]
    assert len(set(ids)) == 10
    for line in lines:
        assert_whole_markdown(line)
    assert embed.footer.text.startswith("1–10 of 12 · page 1/2")
    assert payload.page_count == 2
    second = await pending(db, page=1)
    assert len(second.embeds[0].description.split("\n")) == 2
    assert second.embeds[0].footer.text.startswith("11–12 of 12 · page 2/2")


@pytest.mark.parametrize("size", [10, 300])
async def test_entry_lists_show_every_entry_whatever_the_lengths(db, size) -> None:
    found, _total = await db.read(search_entries, "model", limit=10)
    assert len(found) == 10
    hits = [
        EntryHit(
            id=h.id,
            entry=replace(
                h.entry,
                name=("Name_*[x] " * 40)[:size],
                org=("Org* " * 100)[:size],
                paper_title=("Title <b> *bold* [x](y) " * 200)[: size * 10],
            ),
        )
        for h in found
    ]
    payload = render_entry_list("Results", hits, total=25, page=0, per_page=10, description="Matches for *x*")
    (embed,) = payload.embeds
    body = embed.description.split("\n\n", 1)[1]
    lines = body.split("\n")
    assert len(embed.description) <= DESCRIPTION_LIMIT
    assert [line.split(".", 1)[0] for line in lines] == [str(i) for i in range(1, 11)]
    for line in lines:
        assert_whole_markdown(line)
    assert embed.footer.text == "Showing 1–10 of 25 · page 1/3 · 15 more"
