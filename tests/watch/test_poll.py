"""bot.watch.poll: dedup, caps, storage and feed health, on a temp-file SQLite with the shipped catalog."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select, update

from bot.config import Config
from bot.present.watch import render_poll_report
from bot.relevance.model import score_paper
from bot.watch.actions import record_health_announced
from bot.watch.arxiv import parse_feed
from bot.watch.poll import Candidate, PollReport, feed_urls, make_fetcher, mark_health_announced, poll
from db import models as m
from support.feedgen import Item, generate_rss2_feed, ptm_item, rss2, write_feed
from tests.plugins.database import suggestion_rows, table_counts
from tests.plugins.feeds import FEEDS, make_config
from tests.plugins.http import Reply, ScriptedServer, conditional_feed

NOW = datetime(2026, 4, 27, 4, 30, tzinfo=UTC)


def test_feed_urls_combined_and_per_category() -> None:
    config = Config()
    combined = replace(config, feeds=replace(config.feeds, categories=("cs.CL", "cs.LG"), combined=True))
    assert feed_urls(combined) == ["https://rss.arxiv.org/rss/cs.CL+cs.LG"]
    split = replace(combined, feeds=replace(combined.feeds, combined=False))
    assert feed_urls(split) == ["https://rss.arxiv.org/rss/cs.CL", "https://rss.arxiv.org/rss/cs.LG"]


async def test_cross_listed_paper_is_one_candidate_with_merged_categories(db, db_path, tmp_path) -> None:
    config = make_config(db_path)
    shared = ptm_item("2604.30001", "LexLM", categories=("cs.CL", "cs.AI"))
    cl = write_feed(tmp_path, "cl.xml", [shared, Item("2604.30002", "Unrelated bounds")])
    lg = write_feed(
        tmp_path,
        "lg.xml",
        [replace(shared, categories=("cs.LG", "cs.CL"), announce_type="cross")],
        category="cs.LG",
    )
    report = await poll(db, config, fetcher=None, sources=[cl, lg], now=NOW)
    by_id = {c.arxiv_id: c for c in report.candidates}
    assert sorted(by_id) == ["2604.30001", "2604.30002"]
    lex = by_id["2604.30001"]
    assert lex.categories == ["cs.CL", "cs.AI", "cs.LG"]
    assert lex.announce_type == "new" and lex.status == "new" and lex.suggest
    rows = await suggestion_rows(db)
    assert rows["2604.30001"][0] == "pending" and rows["2604.30002"][0] == "seen"
    assert report.suggested_ids and len(report.suggested_ids) == 1


async def test_replacement_never_creates_a_suggestion(db, db_path, tmp_path) -> None:
    config = make_config(db_path)
    v2 = ptm_item("2604.30010", "LexLM", announce_type="replace", version=2)
    v2x = ptm_item("2604.30011", "CodeLM", announce_type="replace-cross", version=3)
    path = write_feed(tmp_path, "f.xml", [v2, v2x])
    report = await poll(db, config, fetcher=None, sources=[path], now=NOW)
    assert [(c.status, c.version, c.relevant, c.suggest) for c in report.candidates] == [
        ("replacement", 2, True, False),
        ("replacement", 3, True, False),
    ]
    assert {a: s for a, (s, _) in (await suggestion_rows(db)).items()} == {
        "2604.30010": "seen",
        "2604.30011": "seen",
    }


async def test_seen_suggested_decided_and_catalog_papers_are_never_suggested_again(
    db, db_path, tmp_path
) -> None:
    config = make_config(db_path)
    first = write_feed(tmp_path, "a.xml", [ptm_item("2604.30020", "LexLM"), ptm_item("2604.30021", "CodeLM")])
    report = await poll(db, config, fetcher=None, sources=[first], now=NOW)
    assert [c.suggest for c in report.candidates] == [True, True]
    async with db.begin() as session:  # a moderator rejects one
        await session.execute(
            update(m.Suggestion).where(m.Suggestion.arxiv_id == "2604.30021").values(status="rejected")
        )

    again = write_feed(
        tmp_path,
        "b.xml",
        [
            ptm_item("2604.30020", "LexLM"),  # pending
            ptm_item("2604.30021", "CodeLM", announce_type="cross"),  # rejected
            ptm_item("1810.04805", "BERT"),  # in the catalog by arXiv id
            # GPT-2's catalog entry has no arXiv id: matched by normalised title.
            Item("2604.30022", "Language  models are unsupervised multitask learners!", PTM_TEXT),
        ],
    )
    report = await poll(db, config, fetcher=None, sources=[again], now=NOW + timedelta(days=1))
    assert {c.arxiv_id: (c.status, c.suggest) for c in report.candidates} == {
        "2604.30020": ("duplicate", False),
        "2604.30021": ("duplicate", False),
        "1810.04805": ("known", False),
        "2604.30022": ("known", False),
    }
    rows = await suggestion_rows(db)
    assert rows["2604.30021"][0] == "rejected" and rows["2604.30020"][0] == "pending"
    assert "1810.04805" not in rows and "2604.30022" not in rows


PTM_TEXT = "We pre-train a large transformer language model and release the pretrained weights."


def _scored_items(n: int) -> list[Item]:
    """*n* relevant items with distinct scores (more PTM cues for higher ids)."""
    items = []
    cues = [
        "We pre-train the model.",
        "We release the pretrained model.",
        "It is a foundation model.",
        "We continue pre-training on 40 billion tokens.",
        "A masked language modelling objective is used.",
        "The pre-training corpus is new.",
    ]
    for i in range(n):
        abstract = " ".join(cues[: 1 + i % len(cues)]) + f" Variant {i}."
        items.append(
            Item(f"2604.{31000 + i}", f"M{i}: Pre-training Language Models at scale, part {i}", abstract)
        )
    return items


def _expected_top(items: list[Item], k: int, threshold: float | None) -> list[str]:
    scored = [score_paper(i.title, i.abstract, i.categories, threshold=threshold) for i in items]
    relevant = sorted((-s.score, i.arxiv_id) for s, i in zip(scored, items, strict=True) if s.relevant)
    return sorted(a for _, a in relevant[:k])


async def test_per_poll_cap_keeps_the_highest_scores(db, db_path, tmp_path) -> None:
    config = make_config(db_path, per_poll_cap=3, daily_cap=100)
    items = _scored_items(12)
    report = await poll(db, config, fetcher=None, sources=[write_feed(tmp_path, "f.xml", items)], now=NOW)
    suggested = sorted(c.arxiv_id for c in report.candidates if c.suggest)
    assert suggested == _expected_top(items, 3, config.relevance.threshold)
    capped = [c for c in report.candidates if c.relevant and not c.suggest]
    assert capped and all(c.why_not == "per-poll cap" for c in capped)
    assert min(c.score for c in report.candidates if c.suggest) >= max(c.score for c in capped)


async def test_daily_cap_counts_the_last_24_hours(db, db_path, tmp_path) -> None:
    config = make_config(db_path, per_poll_cap=10, daily_cap=4)
    first = _scored_items(3)
    await poll(db, config, fetcher=None, sources=[write_feed(tmp_path, "a.xml", first)], now=NOW)
    second = [replace(i, arxiv_id=f"2604.{32000 + n}") for n, i in enumerate(_scored_items(6))]
    report = await poll(
        db,
        config,
        fetcher=None,
        sources=[write_feed(tmp_path, "b.xml", second)],
        now=NOW + timedelta(hours=6),
    )
    suggested = sorted(c.arxiv_id for c in report.candidates if c.suggest)
    assert suggested == _expected_top(second, 1, config.relevance.threshold)
    assert {c.why_not for c in report.candidates if c.relevant and not c.suggest} == {"daily cap"}
    # A day later the window has moved on.
    third = [replace(i, arxiv_id=f"2604.{33000 + n}") for n, i in enumerate(_scored_items(2))]
    report = await poll(
        db,
        config,
        fetcher=None,
        sources=[write_feed(tmp_path, "c.xml", third)],
        now=NOW + timedelta(hours=30),
    )
    # The window holds the second poll's one suggestion, so 3 places are free; they go to the papers
    # the daily cap held back yesterday (issue 11: over a cap means waiting, not forgotten), and
    # today's relevant papers wait in turn.
    assert sum(c.suggest for c in report.candidates) == 3
    assert all(c.status == "waiting" for c in report.candidates if c.suggest)
    assert {c.why_not for c in report.candidates if c.relevant and not c.suggest} == {"daily cap"}


async def test_dry_run_writes_nothing(db, db_path, tmp_path) -> None:
    config = make_config(db_path)
    before = await table_counts(db)
    path = write_feed(tmp_path, "f.xml", [ptm_item("2604.30030", "LexLM"), Item("2604.30031", "Bounds")])
    report = await poll(db, config, fetcher=None, sources=[path], dry_run=True, now=NOW)
    assert report.dry_run and [c.status for c in report.candidates] == ["new", "new"]
    assert report.candidates[0].suggest and report.candidates[0].suggestion_id is None
    assert await table_counts(db) == before


@pytest.mark.slow
async def test_2000_item_feed(db, db_path, tmp_path) -> None:
    config = make_config(db_path)
    path = tmp_path / "big.xml"
    path.write_bytes(generate_rss2_feed(2000, seed=7, duplicates=25))
    started = time.perf_counter()
    report = await poll(db, config, fetcher=None, sources=[str(path)], now=NOW)
    elapsed = time.perf_counter() - started
    assert len(report.candidates) == 2000  # the 25 repeated ids are merged
    assert len({c.arxiv_id for c in report.candidates}) == 2000
    assert sum(c.suggest for c in report.candidates) == config.relevance.per_poll_cap
    replacements = [c for c in report.candidates if c.announce_type.startswith("replace")]
    assert replacements and all(c.status == "replacement" and not c.suggest for c in replacements)
    rows = await suggestion_rows(db)
    assert len(rows) == 2000
    assert elapsed < 10, elapsed
    # The same feed again: every paper of it is a duplicate; the places of this poll go to relevant
    # papers the cap held back the first time (issue 11: they wait instead of being forgotten).
    report = await poll(db, config, fetcher=None, sources=[str(path)], now=NOW + timedelta(days=2))
    waited = [c for c in report.candidates if c.status == "waiting"]
    assert {c.status for c in report.candidates if c not in waited} == {"duplicate"}
    assert len(waited) == config.relevance.per_poll_cap and all(c.suggest for c in waited)
    assert report.counts["papers"] == 2000 and report.counts["waited"] == len(waited)


# --- bad documents ---------------------------------------------------------------------------------


async def test_bad_files_are_logged_and_skipped_while_others_proceed(db, db_path, tmp_path, caplog) -> None:
    config = make_config(db_path)
    good = write_feed(tmp_path, "good.xml", [ptm_item("2604.30040", "LexLM")])
    broken = tmp_path / "broken.xml"
    broken.write_bytes(rss2([ptm_item("2604.30041", "X")])[:-200])  # cut mid-document
    html = tmp_path / "error.html"
    html.write_bytes(b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>")
    utf16 = tmp_path / "utf16.xml"
    utf16.write_bytes(rss2([ptm_item("2604.30042", "Y")]).decode().encode("utf-16-le"))
    cp1252 = tmp_path / "cp1252.xml"  # declared utf-8 (by default), bytes are Windows-1252: recovered
    cp1252.write_bytes(rss2([Item("2604.30043", "Caf\u00e9 bounds")]).replace("é".encode(), b"\xe9"))
    sources = [str(broken), str(html), good, str(utf16), str(cp1252), str(tmp_path / "missing.xml")]
    report = await poll(db, config, fetcher=None, sources=sources, now=NOW)
    outcomes = {Path(f.source).name: f.outcome for f in report.feeds}
    assert outcomes == {
        "broken.xml": "partial",  # the entries before the cut are kept; the loss is reported (issue 11)
        "error.html": "failed",
        "good.xml": "ok",
        "utf16.xml": "failed",
        "cp1252.xml": "ok",
        "missing.xml": "failed",
    }
    ids = {c.arxiv_id: c for c in report.candidates}
    assert set(ids) >= {"2604.30040", "2604.30043"}
    assert ids["2604.30043"].title == "Café bounds"
    assert all("not a feed" in f.error or "cannot read" in f.error for f in report.failed)
    assert any(r.levelname == "WARNING" and "error.html" in r.getMessage() for r in caplog.records)


async def _feed_row(db, url):
    async with db.begin() as session:
        return await session.scalar(select(m.Feed).where(m.Feed.url == url))


async def test_http_failures_keep_validators_and_suggestions_and_health_progresses(db, db_path) -> None:
    """200 -> 304 (sends the stored ETag) -> HTML served as 200 -> 500s -> failing -> disabled; the
    other feed is unaffected throughout."""
    config = make_config(db_path, max_attempts=1, disable_after_failures=3, backfill=5)
    body = rss2([ptm_item("2604.30050", "LexLM")])
    other = rss2([Item("2604.30060", "Other bounds")], category="cs.LG")
    async with ScriptedServer() as server, aiohttp.ClientSession() as http:
        server.script("/cl", conditional_feed(body, etag='"v1"'))
        server.script("/lg", conditional_feed(other, etag='"o1"'))
        fetcher = make_fetcher(http, config)
        cl, lg = server.url("/cl"), server.url("/lg")

        report = await poll(db, config, fetcher=fetcher, sources=[cl, lg], now=NOW)
        assert [f.outcome for f in report.feeds] == ["ok", "ok"]
        assert [f.first_poll for f in report.feeds] == [True, True]
        assert [c.suggest for c in report.candidates] == [True, False]
        assert (await _feed_row(db, cl)).etag == '"v1"'

        report = await poll(db, config, fetcher=fetcher, sources=[cl, lg], now=NOW + timedelta(days=1))
        assert [f.outcome for f in report.feeds] == ["not_modified", "not_modified"]
        assert server.requests_to("/cl")[-1].headers["If-None-Match"] == '"v1"'

        server.script(
            "/cl",
            Reply(body=b"<!DOCTYPE html><html><body>Maintenance</body></html>", headers={"ETag": '"html"'}),
            Reply(status=500),
        )
        health = []
        for day in range(2, 6):
            report = await poll(db, config, fetcher=fetcher, sources=[cl, lg], now=NOW + timedelta(days=day))
            health.append((report.feeds[0].outcome, report.feeds[0].health, report.feeds[1].health))
        assert health == [
            ("failed", "failing", "ok"),
            ("failed", "failing", "ok"),
            ("failed", "disabled", "ok"),
            ("skipped", "disabled", "ok"),  # disabled feeds are not fetched at all
        ]
        requests_before = len(server.requests_to("/cl"))
        await poll(db, config, fetcher=fetcher, sources=[cl, lg], now=NOW + timedelta(days=7))
        assert len(server.requests_to("/cl")) == requests_before

    row = await _feed_row(db, cl)
    assert (row.health, row.consecutive_failures, row.etag) == ("disabled", 3, '"v1"')  # validators kept
    assert row.last_error == "HTTP 500"
    assert (await _feed_row(db, lg)).health == "ok"
    assert (await suggestion_rows(db))["2604.30050"][0] == "pending"


async def test_health_changes_are_reported_until_announced(db, db_path) -> None:
    config = make_config(db_path, max_attempts=1, disable_after_failures=2)
    async with ScriptedServer() as server, aiohttp.ClientSession() as http:
        server.script("/feed", Reply(status=404))
        fetcher = make_fetcher(http, config)
        url = server.url("/feed")
        report = await poll(db, config, fetcher=fetcher, sources=[url], now=NOW)
        assert [(f.health, f.announce) for f in report.health_changes] == [("failing", True)]
        assert await record_health_announced(db, report.health_changes) == 1  # the watcher's door
        report = await poll(db, config, fetcher=fetcher, sources=[url], now=NOW)
        assert [f.health for f in report.health_changes] == ["disabled"]
        async with db.begin() as session:
            await mark_health_announced(session, report.health_changes)
        report = await poll(db, config, fetcher=fetcher, sources=[url], now=NOW)
        assert report.health_changes == []


async def test_an_unannounced_disable_is_still_reported_while_the_feed_is_skipped(db, db_path) -> None:
    """The review channel was unreachable when the feed was disabled: the next polls skip the feed,
    and must keep reporting the change until it is announced, or nobody ever hears of it."""
    config = make_config(db_path, max_attempts=1, disable_after_failures=1)
    async with ScriptedServer() as server, aiohttp.ClientSession() as http:
        server.script("/feed", Reply(status=404))
        fetcher = make_fetcher(http, config)
        url = server.url("/feed")
        report = await poll(db, config, fetcher=fetcher, sources=[url], now=NOW)
        assert [(f.outcome, f.health) for f in report.health_changes] == [("failed", "disabled")]
        # (not announced: no mark_health_announced)
        report = await poll(db, config, fetcher=fetcher, sources=[url], now=NOW + timedelta(days=1))
        assert [(f.outcome, f.health) for f in report.health_changes] == [("skipped", "disabled")]
        async with db.begin() as session:
            assert await mark_health_announced(session, report.health_changes) == 1
        report = await poll(db, config, fetcher=fetcher, sources=[url], now=NOW + timedelta(days=2))
        assert report.feeds[0].outcome == "skipped" and report.health_changes == []


async def test_first_poll_of_a_new_feed_suggests_at_most_backfill(db, db_path) -> None:
    config = make_config(db_path, backfill=2, per_poll_cap=10, daily_cap=100)
    items = _scored_items(6)
    async with ScriptedServer() as server, aiohttp.ClientSession() as http:
        server.script("/feed", Reply(body=rss2(items)), Reply(body=rss2(_later_items())))
        fetcher = make_fetcher(http, config)
        report = await poll(db, config, fetcher=fetcher, sources=[server.url("/feed")], now=NOW)
        assert sorted(c.arxiv_id for c in report.candidates if c.suggest) == _expected_top(
            items, 2, config.relevance.threshold
        )
        assert len(await suggestion_rows(db)) == 6  # everything seen is stored
        report = await poll(db, config, fetcher=fetcher, sources=[server.url("/feed")], now=NOW)
        assert sum(c.suggest for c in report.candidates) == len(_later_items())


def _later_items() -> list[Item]:
    return [replace(i, arxiv_id=f"2604.{34000 + n}") for n, i in enumerate(_scored_items(4))]


async def test_empty_weekend_feed_is_normal(db, db_path) -> None:
    config = make_config(db_path)
    path = FEEDS / "rss2-cs-2026-03-29-empty-weekend.xml"
    report = await poll(db, config, fetcher=None, sources=[str(path)], now=NOW)
    assert report.candidates == [] and report.feeds[0].outcome == "ok" and not report.failed


@pytest.mark.parametrize("name", sorted(p.name for p in FEEDS.glob("*.xml")))
async def test_every_shared_feed_goes_through(db, db_path, name) -> None:

    parsed = parse_feed((FEEDS / name).read_bytes())
    report = await poll(
        db, make_config(db_path), fetcher=None, sources=[str(FEEDS / name)], dry_run=True, now=NOW
    )
    assert [c.arxiv_id for c in report.candidates] == [p.arxiv_id for p in parsed.papers]
    for cand, paper in zip(report.candidates, parsed.papers, strict=True):
        expected = "replacement" if paper.announce_type.startswith("replace") else "new"
        assert cand.status == expected, (cand.arxiv_id, cand.status)
        assert 0 <= cand.score <= 1 and cand.reasons is not None


# --- rendering -------------------------------------------------------------------------------------


def _suggested(n: int, title: str) -> list[Candidate]:
    return [
        Candidate(
            arxiv_id=f"2604.{35000 + i}",
            version=1,
            title=f"{title} {i}",
            authors=[],
            categories=["cs.CL"],
            announce_type="new",
            status="new",
            score=0.9 - i / 100,
            relevant=True,
            suggest=True,
            reasons=[],
            kind="model",
            name=f"Model_{i}",
            topics=[],
            url=f"https://arxiv.org/abs/2604.{35000 + i}",
            abstract="",
        )
        for i in range(n)
    ]


def test_poll_report_lists_whole_suggestion_lines_within_the_field_limit() -> None:
    """Ten long titles (markdown escaped) overflow a field's 1024 characters: the list ends at a whole
    line and says how many more there are, never in the middle of a link."""
    title = "Pre_training *Large* Language Models: " + "a very long title " * 6
    report = PollReport(candidates=_suggested(12, title))
    (embed,) = render_poll_report(report).embeds
    (field,) = [f for f in embed.fields if f.name == "Suggested"]
    assert len(field.value) <= 1024
    lines = field.value.split("\n")
    *shown, more = lines
    link = re.compile(r"^`0\.\d\d` \[.+\]\(https://arxiv\.org/abs/2604\.35\d{3}\) — Model\\_\d+$")
    assert shown and all(link.match(line) for line in shown), lines
    assert more == f"… and {12 - len(shown)} more"


@pytest.mark.parametrize(
    "value",
    [[], ["a"], ['Nyström \u2028 "q" \\', "cs.CL", ""], [1, 2.5, None, True, {"b": 1, "a": [1]}], "x", 3.0],
)
def test_suggestion_json_encoder_is_json_dumps(value: object) -> None:
    from bot.watch.store import _json_encoder

    assert _json_encoder()(value) == json.dumps(value)
