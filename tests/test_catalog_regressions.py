"""Catalog regressions found in review: each test failed before its fix."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.catalog import service as catalog
from bot.database import open_database
from db import models as m


@pytest.fixture
async def cdb(tmp_path):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path}/catalog.sqlite3")
    yield db
    await db.close()


async def test_every_import_is_recorded_in_import_runs(cdb):
    async with cdb.begin() as s:
        await catalog.import_text(s, catalog.shipped_list_text(), source="again")
    async with cdb.begin() as s:
        runs = [(r.source, r.added, r.updated, r.unchanged) for r in await s.scalars(select(m.ImportRun))]
    # The table existed but nothing ever wrote to it.
    assert runs == [("shipped list", 153, 0, 0), ("again", 0, 0, 153)]


def previous_line(text: str, line_start: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    i = next(i for i, line in enumerate(lines) if line.startswith(line_start))
    return lines[i - 1]


async def test_an_entry_missing_from_a_newer_list_keeps_its_place(cdb):
    from bot.catalog.listformat import Entry, EntryKind

    async with cdb.begin() as s:
        await catalog.add_entry(
            s,
            Entry(
                kind=EntryKind.MODEL,
                name="OmniSpeech",
                year=2024,
                month=1,
                docs_url="https://arxiv.org/abs/2401.00001",
                paper_title="OmniSpeech",
                paper_url="https://arxiv.org/abs/2401.00001",
                arxiv_id="2401.00001",
                authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"],
            ),
        )
        before = previous_line(await catalog.export_markdown(s), "2401: [OmniSpeech]")
    # Upstream gained a line at the top of the PTM section, and does not list OmniSpeech yet.
    newer = catalog.shipped_list_text().replace(
        "## PTM\n",
        "## PTM\n2401: [AAA-Net](https://example.org/aaa) released with the paper "
        "[AAA](https://arxiv.org/abs/2401.00002) by Ada Lovelace.\n\n",
        1,
    )
    async with cdb.begin() as s:
        report = await catalog.import_text(s, newer, source="newer")
        assert report.added == [("model", "AAA-Net")]
        text = await catalog.export_markdown(s)
    # Before the fix OmniSpeech kept its old number, which now sits one entry higher up.
    assert previous_line(text, "2401: [OmniSpeech]") == before
    # And importing that list again changes nothing.
    async with cdb.begin() as s:
        assert not (await catalog.import_text(s, newer, source="again")).changed
        assert await catalog.export_markdown(s) == text
