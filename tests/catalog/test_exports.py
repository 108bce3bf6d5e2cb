"""``ptm-bot export --format md|json|atom|bibtex|html`` on a copy of the shipped catalog, through the
CLI (``bot.cli.main.main``), plus the formats' registry; the page's behaviour in a browser is
tests/catalog/test_export_page.py."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import Actor
from bot.catalog import actions
from bot.catalog.exports import FORMATS
from bot.catalog.exports.bibtex import latex_escape
from bot.catalog.service import shipped_list_text
from bot.cli.main import main
from bot.cli.parser import EXPORT_FORMATS
from bot.database import Database, open_database
from bot.errors import UserFacingError
from bot.review import actions as review
from bot.review.service import Decision
from db import models as m
from tests.plugins.database import XLSR_TITLE, add_pending

MOD = Actor(7, "mod", via="command")


def export(db_path: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    out = tmp_path / f"out.{fmt}"
    assert main(["export", "--db", str(db_path), "--format", fmt, "-o", str(out)]) == 0
    assert f"wrote {out} ({fmt}," in capsys.readouterr().err
    return out.read_text(encoding="utf-8")


def test_the_parser_offers_every_registered_format() -> None:
    assert EXPORT_FORMATS == tuple(FORMATS)


def test_md_stays_the_default_and_the_shipped_list_byte_for_byte(db_path, tmp_path, capsys):
    assert main(["export", "--db", str(db_path)]) == 0
    default = capsys.readouterr().out
    assert default == shipped_list_text()
    assert export(db_path, tmp_path, "md", capsys) == default


def test_a_mistyped_format_is_refused_with_a_suggestion(db_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", "--db", str(db_path), "--format", "jsn"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'jsn' (did you mean 'json'?)" in err
    assert "usage: ptm-bot export" in err


def test_json_is_the_catalog_as_data_in_a_fixed_key_order(db_path, tmp_path, capsys):
    text = export(db_path, tmp_path, "json", capsys)
    doc = json.loads(text)
    assert list(doc) == ["format", "version", "title", "sections"]
    assert doc["title"] == "NLP PTM(pre-training model)"
    keys = [s["key"] for s in doc["sections"]]
    assert keys[0] == "Survey" and "PTM" in keys
    entries = [e for s in doc["sections"] for e in s["entries"]]
    kinds = [e["kind"] for e in entries]
    assert (kinds.count("survey"), kinds.count("model"), kinds.count("resource")) == (17, 102, 34)
    bert = next(e for e in entries if e["name"] == "BERT")
    assert list(bert) == [
        "kind", "name", "date", "org", "paper_title", "paper_url", "arxiv_id", "docs_url",
        "authors", "topics", "aliases", "links", "description",
    ]  # fmt: skip
    assert bert["arxiv_id"] == "1810.04805" and bert["authors"][0] == "Jacob Devlin"
    assert bert["paper_title"].startswith("BERT: Pre-training of Deep Bidirectional Transformers")
    # The same catalog, the same bytes (no ids, no times in the data).
    assert export(db_path, tmp_path, "json", capsys) == text


async def _approve_xlsr(db: Database) -> None:
    await add_pending(db)
    outcome = await review.decide(db, "2111.09296", Decision.APPROVE, MOD)
    assert outcome.applied


def test_atom_is_a_valid_feed_of_the_newest_with_stable_ids(db_path, tmp_path, capsys):
    before = feedparser.parse(export(db_path, tmp_path, "atom", capsys).encode("utf-8"))
    assert not before.bozo, before.bozo_exception
    assert before.version == "atom10" and len(before.entries) == 50
    ids = [e.id for e in before.entries]
    assert len(set(ids)) == 50 and all(i.startswith("tag:ptm-bot.github.io,2024:") for i in ids)
    # One import: newest by the entries' own dates (Data2Vec, 2202, is the newest model).
    assert before.entries[0].title.startswith("Data2Vec: A General Framework")
    assert before.entries[0].link == "https://arxiv.org/abs/2202.03555"

    async def run() -> datetime:
        db = await open_database(f"sqlite+aiosqlite:///{db_path}")
        try:
            started = datetime.now(UTC).replace(microsecond=0)
            await _approve_xlsr(db)
            return started
        finally:
            await db.close()

    started = asyncio.run(run())
    after = feedparser.parse(export(db_path, tmp_path, "atom", capsys).encode("utf-8"))
    assert not after.bozo and len(after.entries) == 50
    new = after.entries[0]
    assert new.title == f"XLS-R 2: {XLSR_TITLE}"
    assert new.id == "tag:ptm-bot.github.io,2024:model/XLS-R%202"
    assert new.link == "https://arxiv.org/abs/2111.09296"
    assert [a.name for a in new.authors] == ["Arun Babu", "Changhan Wang", "Michael Auli"]
    published = datetime(*new.published_parsed[:6], tzinfo=UTC)
    assert started <= published <= datetime.now(UTC)
    assert datetime(*after.feed.updated_parsed[:6], tzinfo=UTC) >= published
    # Every other item keeps its id (the oldest of the 50 dropped out).
    assert [e.id for e in after.entries[1:]] == ids[:49]


def test_bibtex_has_one_entry_per_arxiv_paper_with_unique_keys(db_path, tmp_path, capsys):
    text = export(db_path, tmp_path, "bibtex", capsys)
    blocks = re.findall(r"@misc\{([^,]+),\n(.*?)\n\}\n", text, re.S)
    doc = json.loads(export(db_path, tmp_path, "json", capsys))
    arxiv = {e["arxiv_id"] for s in doc["sections"] for e in s["entries"] if e["arxiv_id"]}
    assert len(blocks) == len(arxiv) == text.count("@misc{")
    keys = [k for k, _ in blocks]
    assert len(set(keys)) == len(keys) and all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    bert = dict(blocks)["devlin2018bert"]
    assert "  eprint = {1810.04805},\n  archivePrefix = {arXiv}," in bert
    assert "author = {Jacob Devlin and Ming-Wei Chang and Kenton Lee and Kristina Toutanova}" in bert
    assert "year = {2018}" in bert and "url = {https://arxiv.org/abs/1810.04805}" in bert
    assert export(db_path, tmp_path, "bibtex", capsys) == text  # stable


async def test_bibtex_escapes_latex_keeps_utf8_and_tells_colliding_keys_apart(db):
    for arxiv_id, name in (("2401.05678", "NewNet 2"), ("2401.01234", "NewNet")):
        await add_pending(db, arxiv_id, f"XLS-R again: {name}", name=name)
        assert (await review.decide(db, arxiv_id, Decision.APPROVE, MOD)).applied
    await actions.edit(db, "NewNet", "paper_title", "XLS-R & co: 100% {speech}_at $scale# ~x^2 \\o/", MOD)
    await actions.edit(db, "NewNet", "authors", "Arun Babu, Changhan Wang, Michaël Auli", MOD)
    text = await actions.export(db, "bibtex")
    blocks = dict(re.findall(r"@misc\{([^,]+),\n(.*?)\n\}\n", text, re.S))
    # Same first author, year and first title word: the older arXiv id keeps the bare key.
    first, second = blocks["babu2024xls"], blocks["babu2024xlsb"]
    assert "eprint = {2401.01234}" in first and "eprint = {2401.05678}" in second
    assert (
        r"title = {{XLS-R \& co: 100\% \{speech\}\_at \$scale\# \textasciitilde{}x\textasciicircum{}2 "
        r"\textbackslash{}o/}}" in first
    )
    assert "author = {Arun Babu and Changhan Wang and Michaël Auli}" in first
    assert "primaryClass = {cs.CL}" in first  # the watcher saw it: its first category
    assert "note = {NewNet}" in first


def test_latex_escape_of_every_special_character() -> None:
    assert latex_escape("a&b%c$d#e_f{g}h~i^j\\k") == (
        r"a\&b\%c\$d\#e\_f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k"
    )


def test_html_is_one_self_contained_page(db_path, tmp_path, capsys):
    page = export(db_path, tmp_path, "html", capsys)
    assert page.startswith("<!doctype html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<style>" in page and "<script>" in page
    # Nothing fetched: no external script, style sheet, font or image.
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", page)
    assert "@import" not in page and "url(" not in page
    assert page.count('<li class="entry"') == 153
    assert page.count('<button type="button" class="topic"') >= 10
    assert '<input id="q" type="search"' in page


async def test_html_escapes_every_text_and_drops_unsafe_links(db):
    await _approve_xlsr(db)  # "XLS-R 2"
    hostile = "XLS-R <script>alert(\"x\")</script> & 'quotes'"
    await actions.edit(db, "XLS-R 2", "paper_title", hostile, MOD)
    await actions.edit(db, "XLS-R 2", "org", 'Meta" onmouseover="alert(1)', MOD)
    with pytest.raises(UserFacingError, match="must be an http"):  # the edit door refuses it ...
        await actions.edit(db, "XLS-R 2", "docs_url", "javascript:alert(1)", MOD)

    async def stored_before_the_door_checked(session: AsyncSession) -> None:  # ... an older catalog
        entry = m.Entry
        stmt = update(entry).where(entry.name == "XLS-R 2").values(docs_url="javascript:alert(1)")
        await session.execute(stmt)

    await db.run(stored_before_the_door_checked)
    page = await actions.export(db, "html")
    assert "<script>alert" not in page and "javascript:" not in page
    assert "XLS-R &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in page
    assert "from Meta&quot; onmouseover=&quot;alert(1)" in page
    assert page.count("<script>") == 1  # the page's own


async def test_every_format_renders_an_empty_catalog(tmp_path):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'e.sqlite3'}", seed=False)
    try:
        for fmt in FORMATS:
            text = await actions.export(db, fmt)
            assert isinstance(text, str)
        assert json.loads(await actions.export(db, "json"))["sections"] == []
        assert not feedparser.parse((await actions.export(db, "atom")).encode()).bozo
    finally:
        await db.close()
