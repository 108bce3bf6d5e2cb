"""Feeds say what they lost; the old RDF feed is read right; HTML never reaches the catalog (issue 11)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp

from bot.cli.main import main
from bot.present.watch import render_health_changes
from bot.watch.arxiv import parse_feed, strip_tags
from bot.watch.poll import make_fetcher, mark_health_announced, poll
from db import models as m
from support.feedgen import Item, rss2
from tests.plugins.feeds import FEEDS, make_config
from tests.plugins.http import ScriptedServer, conditional_feed

NOW = datetime(2026, 4, 27, 4, 30, tzinfo=UTC)
REAL = (FEEDS / "rss2-cs.CL-2026-04-27-trimmed.xml").read_bytes()
RDF = FEEDS / "rdf-cs.CL-2018-constructed.xml"


def truncated_real_feed() -> bytes:
    """The real cs.CL feed cut inside its second item (a dropped connection, a full disk)."""
    second = REAL.index(b"<item>", REAL.index(b"<item>") + 1)
    return REAL[: second + 80]


def without_ids(doc: bytes, count: int) -> bytes:
    """*doc* with the arXiv ids of its first *count* items removed (guid, link and description)."""
    import re

    out = doc
    for _ in range(count):
        m_ = re.search(rb"<item>.*?</item>", out[out.find(b"<item>") :], re.DOTALL)
        assert m_ is not None
    ids = re.findall(rb"oai:arXiv.org:([0-9.]+)v\d+", doc)[:count]
    for arxiv_id in ids:
        out = out.replace(b"oai:arXiv.org:" + arxiv_id, b"urn:nothing")
        out = out.replace(b"arxiv.org/abs/" + arxiv_id, b"example.org/x")
        out = out.replace(b"arXiv:" + arxiv_id, b"arXiv:none")
    return out


def test_truncated_document_is_partial_with_what_was_kept() -> None:
    whole = parse_feed(REAL)
    cut = parse_feed(truncated_real_feed())
    assert len(cut.papers) < len(whole.papers)
    assert cut.broken is not None and cut.lost is not None
    assert f"broken off after {len(cut.papers)} paper(s)" in cut.lost
    assert parse_feed(REAL).lost is None


def test_entries_without_an_id_are_counted() -> None:
    parsed = parse_feed(without_ids(REAL, 2))
    assert len(parsed.skipped) == 2
    assert parsed.lost == "2 entries without an arXiv id skipped"


async def test_a_truncated_feed_is_partial_degraded_announced_and_fetched_whole_next_time(
    db, db_path
) -> None:
    config = make_config(db_path, max_attempts=1)
    async with ScriptedServer() as server, aiohttp.ClientSession() as http:
        server.script("/cl", conditional_feed(truncated_real_feed(), etag='"cut"'))
        fetcher = make_fetcher(http, config)
        url = server.url("/cl")
        report = await poll(db, config, fetcher=fetcher, sources=[url], now=NOW)
        (feed,) = report.feeds
        assert (feed.outcome, feed.health, feed.announce) == ("partial", "degraded", True)
        assert "broken off" in feed.error and report.partial == [feed] and report.counts["feeds_partial"] == 1
        async with db.begin() as session:
            row = await session.get(m.Feed, 1)
            assert (row.health, row.consecutive_failures, row.etag) == (
                "degraded",
                0,
                None,
            )  # no 304 next time
            assert await mark_health_announced(session, report.health_changes) == 1
        text = render_health_changes([feed])
        assert "is now **degraded** (papers lost: " in text and "document broken off after 1 paper(s)" in text

        server.script("/cl", conditional_feed(REAL, etag='"whole"'))
        report = await poll(db, config, fetcher=fetcher, sources=[url], now=NOW + timedelta(hours=1))
        (feed,) = report.feeds
        assert (feed.outcome, feed.health, feed.announce) == ("ok", "ok", True)  # recovery announced
        assert "If-None-Match" not in server.requests_to("/cl")[-1].headers


async def test_entries_without_ids_make_the_feed_partial_not_empty_and_ok(db, db_path, tmp_path) -> None:
    config = make_config(db_path)
    path = tmp_path / "noids.xml"
    path.write_bytes(without_ids(rss2([Item("2604.1", "A"), Item("2604.2", "B")]), 2))
    report = await poll(db, config, fetcher=None, sources=[str(path)], now=NOW)
    (feed,) = report.feeds
    assert (feed.outcome, feed.lost, feed.papers) == ("partial", 2, 0)


def test_cli_poll_of_a_truncated_file_exits_1_and_says_so(db_path, tmp_path, capsys) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(truncated_real_feed())
    assert main(["poll", "--db", str(db_path), "--feed", str(path), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: partial: " in err
    assert "document broken off after 1 paper(s): XML error at line 30: no element found" in err


def test_old_rdf_feed_is_read_right() -> None:
    parsed = parse_feed(RDF.read_bytes())
    assert parsed.format == "rdf" and parsed.lost is None
    papers = {p.arxiv_id: p for p in parsed.papers}
    new = papers["1810.01234"]
    assert new.title == "Constructed: Transliteration Pairs for Low-Resource Scripts"
    assert new.authors == ("Richard Roe", "Mary-Ann Moe", "Kim Poe")
    assert (new.version, new.categories, new.primary_category, new.announce_type) == (
        1,
        ("cs.CL",),
        "cs.CL",
        "new",
    )
    assert new.abstract.startswith("We collect transliteration pairs")
    attention = papers["1706.03762"]
    assert (attention.title, attention.version, attention.announce_type) == (
        "Attention Is All You Need",
        5,
        "replace",
    )
    cross = papers["1805.08875"]
    assert (cross.categories, cross.announce_type, cross.authors) == (
        ("hep-ex",),
        "cross",
        ("CMS Collaboration",),
    )
    for paper in parsed.papers:
        assert "(arXiv:" not in paper.title and "<" not in paper.title
        assert all("<" not in a and "href" not in a for a in paper.authors)


def test_cli_poll_of_an_rdf_feed_treats_updated_as_replacement(db_path, capsys) -> None:
    import json

    assert main(["poll", "--db", str(db_path), "--feed", str(RDF), "--dry-run", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    status = {c["arxiv_id"]: c["status"] for c in doc["candidates"]}
    assert status["1706.03762"] == "replacement"  # UPDATED: never "new"
    assert status["1810.09999"] == "replacement"  # v2 without a flag: a replacement too
    assert status["1810.01234"] == "new"


def test_html_tags_in_external_titles_are_removed() -> None:
    parsed = parse_feed(RDF.read_bytes())
    marked = next(p for p in parsed.papers if p.arxiv_id == "1810.09999")
    assert marked.title == "A constructed title with markup in it"
    doc = rss2([Item("2604.00001", 'Safe <script>alert(1)</script> <img src=x onerror="x()"> title')])
    (paper,) = parse_feed(doc).papers
    assert "<" not in paper.title and "onerror" not in paper.title
    assert strip_tags("a &lt;b&gt;bold&lt;/b&gt; move") == "a bold move"
    assert strip_tags("x < y and y > z") == "x < y and y > z"
