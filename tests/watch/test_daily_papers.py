"""Hugging Face Daily Papers as a second source (issue 22, part 4): the documented answer read
(tests/fixtures/hub/SOURCES.md), and ``ptm-bot poll`` over an arXiv feed and the Daily Papers
answer: a paper in both is one candidate showing both sources and its upvotes; an item without an
arXiv id is reported (partial), never a paper."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.watch.arxiv import FeedError
from bot.watch.daily_papers import SOURCE, parse_daily_papers
from bot.watch.report import RELISTED
from support.feedgen import Item, rss2

DAILY = Path(__file__).resolve().parents[1] / "fixtures" / "hub" / "daily-papers.json"


def test_the_documented_answer_is_read():
    parsed = parse_daily_papers(DAILY.read_bytes())
    otter, beaver = parsed.papers
    assert (otter.arxiv_id, otter.upvotes, otter.sources) == ("2604.70001", 42, (SOURCE,))
    assert otter.title == "Otter-7B: An Open Pre-trained Language Model" and otter.authors == (
        "Grace Hopper",
    )
    assert otter.url == "https://arxiv.org/abs/2604.70001" and otter.published is not None
    assert beaver.upvotes == 7 and beaver.abstract.startswith("We pre-train Beaver-VL")
    assert parsed.skipped == ("item 3: no arXiv id or title",) and parsed.lost is not None
    for body in (b"{}", b"[1", b'{"error": "x"}'):
        with pytest.raises(FeedError):
            parse_daily_papers(body)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_paper_in_both_sources_is_one_candidate_with_its_upvotes(tmp_path, db_path, capsys):
    feed = tmp_path / "cs.CL.xml"
    abstract = "We introduce Otter-7B, a pre-trained language model, and release the weights."
    feed.write_bytes(rss2([Item("2604.70001", "Otter-7B: An Open Pre-trained Language Model", abstract)]))
    argv = ("poll", "--feed", str(feed), "--feed", str(DAILY), "--db", str(db_path), "--dry-run", "--json")
    code, out, err = run(capsys, *argv)
    assert code == 1  # the Daily Papers answer lost an item: reported as partial
    assert "partial: 1 entry without an arXiv id skipped" in err
    report = json.loads(out)
    by_id = {c["arxiv_id"]: c for c in report["candidates"]}
    assert sorted(by_id) == ["2604.70001", "2604.70002"]  # one candidate for the paper in both
    otter = by_id["2604.70001"]
    assert otter["categories"] == ["cs.CL"]  # the arXiv record, merged with the Daily Papers one
    assert otter["reasons"][0] == f"also on {SOURCE}: 42 upvotes"
    assert by_id["2604.70002"]["reasons"][0] == f"on {SOURCE}: 7 upvotes"
    feeds = {f["source"]: f for f in report["feeds"]}
    assert feeds[str(DAILY)]["outcome"] == "partial" and feeds[str(DAILY)]["papers"] == 2


def test_the_upvotes_move_the_score_only_when_a_weight_is_set(tmp_path, db_path, capsys, monkeypatch):
    """``relevance.daily_papers_weight``: off, the score is the model's; at 0.4 the calibrated
    log-odds go up by 0.4 * ln(1 + upvotes), and the source's reason says by how much."""
    argv = ("poll", "--feed", str(DAILY), "--db", str(db_path), "--dry-run", "--json")
    _, out, _ = run(capsys, *argv)
    plain = {c["arxiv_id"]: c for c in json.loads(out)["candidates"]}
    monkeypatch.setenv("PTM_BOT_RELEVANCE_DAILY_PAPERS_WEIGHT", "0.4")
    _, out, _ = run(capsys, *argv)
    scored = {c["arxiv_id"]: c for c in json.loads(out)["candidates"]}
    for arxiv_id, upvotes in (("2604.70001", 42), ("2604.70002", 7)):
        before, after = plain[arxiv_id]["score"], scored[arxiv_id]["score"]
        shift = 0.4 * math.log1p(upvotes)
        expected = 1 / (1 + math.exp(-(math.log(before / (1 - before)) + shift)))
        assert after == pytest.approx(expected, abs=2e-4) and after > before
        assert scored[arxiv_id]["reasons"][0] == f"on {SOURCE}: {upvotes} upvotes {shift:+.1f}"
        assert scored[arxiv_id]["threshold"] == plain[arxiv_id]["threshold"]  # the line stays
    monkeypatch.setenv("PTM_BOT_RELEVANCE_DAILY_PAPERS_WEIGHT", "-1")
    code, _, err = run(capsys, *argv)
    assert code == 2 and "daily_papers_weight" in err


def test_a_later_listing_of_a_stored_paper_notes_its_upvotes(tmp_path, db_path, capsys):
    """arXiv announced the paper yesterday (stored, suggested); Daily Papers lists it today: one
    paper still, its stored reasons now show the listing and its upvotes first; a decided paper is
    left as it was decided."""
    feed = tmp_path / "cs.CL.xml"
    abstract = "We introduce Otter-7B, a pre-trained language model, and release the weights."
    feed.write_bytes(rss2([Item("2604.70001", "Otter-7B: An Open Pre-trained Language Model", abstract)]))
    code, out, _ = run(capsys, "poll", "--feed", str(feed), "--db", str(db_path), "--json")
    assert code == 0 and [c["status"] for c in json.loads(out)["candidates"]] == ["new"]
    before = stored_reasons(db_path, "2604.70001")
    assert not any(SOURCE in r for r in before)

    _, out, _ = run(capsys, "poll", "--feed", str(DAILY), "--db", str(db_path), "--json")
    by_id = {c["arxiv_id"]: c for c in json.loads(out)["candidates"]}
    assert by_id["2604.70001"]["status"] == "duplicate"  # one paper, not a second suggestion
    assert by_id["2604.70001"]["why_not"] == RELISTED  # what changed, for the terminal
    after = stored_reasons(db_path, "2604.70001")
    assert after == [f"also on {SOURCE}: 42 upvotes", *before]
    _, _, _ = run(capsys, "poll", "--feed", str(DAILY), "--db", str(db_path), "--json")
    assert stored_reasons(db_path, "2604.70001") == after  # listed again: not noted twice

    listed_only = stored_reasons(db_path, "2604.70002")
    assert listed_only[0] == f"on {SOURCE}: 7 upvotes"  # first seen on Daily Papers: "on", not "also on"
    code, _, _ = run(capsys, "ask", "/ptm-admin reject 2604.70002", "--db", str(db_path))
    assert code == 0
    decided = stored_reasons(db_path, "2604.70002")
    run(capsys, "poll", "--feed", str(DAILY), "--db", str(db_path), "--json")
    assert stored_reasons(db_path, "2604.70002") == decided
    later = json.loads(DAILY.read_text())
    for item in later:
        if isinstance(item.get("paper"), dict):
            item["paper"]["upvotes"] = item["paper"].get("upvotes", 0) + 10
    newer = tmp_path / "daily-later.json"
    newer.write_text(json.dumps(later))
    run(capsys, "poll", "--feed", str(newer), "--db", str(db_path), "--json")
    assert stored_reasons(db_path, "2604.70001") == [
        f"also on {SOURCE}: 52 upvotes",
        *before,
    ]  # the new count
    assert stored_reasons(db_path, "2604.70002") == decided


def stored_reasons(db_path: Path, arxiv_id: str) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        (raw,) = conn.execute("SELECT reasons FROM suggestions WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
    return json.loads(raw)


def test_the_same_listing_polled_again_changes_nothing(tmp_path, db_path, capsys, monkeypatch):
    """The listing's line is found wherever it stands (after a gate's reason) and compared by its
    count: polled again unchanged, nothing is rewritten (the scored "+1.5" stays) nor redrawn."""
    feed = tmp_path / "cs.CL.xml"
    abstract = "We introduce Otter-7B, a pre-trained language model, and release the weights."
    feed.write_bytes(rss2([Item("2604.70001", "Otter-7B: An Open Pre-trained Language Model", abstract)]))
    assert run(capsys, "gate", "add", "always", "term", "Otter", "--db", str(db_path))[0] == 0
    monkeypatch.setenv("PTM_BOT_RELEVANCE_DAILY_PAPERS_WEIGHT", "0.4")
    run(capsys, "poll", "--feed", str(feed), "--feed", str(DAILY), "--db", str(db_path), "--json")
    first = stored_reasons(db_path, "2604.70001")
    assert first[0].startswith("gate: always") and first[1] == f"also on {SOURCE}: 42 upvotes +1.5"
    _, out, _ = run(capsys, "poll", "--feed", str(DAILY), "--db", str(db_path), "--json")
    by_id = {c["arxiv_id"]: c for c in json.loads(out)["candidates"]}
    assert by_id["2604.70001"]["status"] == "duplicate" and by_id["2604.70001"]["why_not"] is None
    assert stored_reasons(db_path, "2604.70001") == first


def test_a_dry_run_says_what_a_later_listing_would_note_and_writes_nothing(tmp_path, db_path, capsys):
    feed = tmp_path / "cs.CL.xml"
    feed.write_bytes(
        rss2([Item("2604.70001", "Otter-7B: An Open Pre-trained Language Model", "We pre-train.")])
    )
    run(capsys, "poll", "--feed", str(feed), "--db", str(db_path), "--json")
    before = stored_reasons(db_path, "2604.70001")
    _, out, _ = run(capsys, "poll", "--feed", str(DAILY), "--db", str(db_path), "--dry-run", "--json")
    by_id = {c["arxiv_id"]: c for c in json.loads(out)["candidates"]}
    assert by_id["2604.70001"]["why_not"] == RELISTED
    assert stored_reasons(db_path, "2604.70001") == before


def test_a_new_version_listed_on_daily_papers_the_same_day_stays_a_new_version(tmp_path, db_path, capsys):
    """Daily Papers calls every paper "new": merged with arXiv's "replace" record, arXiv's type wins,
    so the stored paper's new version is still recognised (its card refreshed, a snooze ended)."""
    feed = tmp_path / "cs.CL.xml"
    title = "Otter-7B: An Open Pre-trained Language Model"
    feed.write_bytes(rss2([Item("2604.70001", title, "We pre-train Otter.")]))
    run(capsys, "poll", "--feed", str(feed), "--db", str(db_path), "--json")
    feed.write_bytes(
        rss2([Item("2604.70001", title, "We pre-train Otter.", announce_type="replace", version=2)])
    )
    _, out, _ = run(capsys, "poll", "--feed", str(DAILY), "--feed", str(feed), "--db", str(db_path), "--json")
    otter = next(c for c in json.loads(out)["candidates"] if c["arxiv_id"] == "2604.70001")
    assert otter["announce_type"] == "replace" and otter["version"] == 2
