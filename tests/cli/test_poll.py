"""``ptm-bot poll`` / ``ptm-bot feeds`` through the real entry point (bot.cli.main)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.cli.main import main
from bot.watch.arxiv import parse_feed
from support.feedgen import Item, ptm_item, write_feed
from tests.plugins.feeds import FEEDS

CL = FEEDS / "rss2-cs.CL-2026-04-27-trimmed.xml"
CAND_KEYS = {
    "arxiv_id",
    "title",
    "authors",
    "categories",
    "announce_type",
    "status",
    "score",
    "relevant",
    "suggest",
    "reasons",
    "kind",
    "name",
    "topics",
}


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["poll", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def dump(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return [
            tuple(conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall())
            for t in ("suggestions", "feeds", "entries", "papers")
        ]


@pytest.mark.parametrize("name", sorted(p.name for p in FEEDS.glob("*.xml")))
def test_shared_feed_dry_run_json(capsys, db_path, name) -> None:
    parsed = parse_feed((FEEDS / name).read_bytes())
    code, doc = run_json(capsys, "--db", str(db_path), "--feed", str(FEEDS / name), "--dry-run")
    assert code == 0
    cands = doc["candidates"]
    assert [c["arxiv_id"] for c in cands] == [p.arxiv_id for p in parsed.papers]
    for cand in cands:
        assert CAND_KEYS <= set(cand)
        assert cand["status"] in ("new", "replacement")
        # A relevant new paper within the caps, or the one exploration paper just below the threshold.
        wanted = cand["relevant"] and cand["status"] == "new" and cand["why_not"] is None
        assert cand["suggest"] == (wanted or cand["exploration"])
        assert not (cand["exploration"] and cand["relevant"])


def test_cs_cl_feed_has_three_new_papers(capsys, db_path) -> None:
    code, doc = run_json(capsys, "--db", str(db_path), "--feed", str(CL), "--dry-run")
    assert code == 0
    assert [(c["arxiv_id"], c["status"]) for c in doc["candidates"]] == [
        ("2604.22002", "new"),
        ("2604.22027", "new"),
        ("2604.22038", "new"),
    ]
    assert all(c["categories"][0] == "cs.CL" for c in doc["candidates"])


def test_dry_run_leaves_the_database_unchanged(capsys, db_path, tmp_path) -> None:
    feed = write_feed(tmp_path, "f.xml", [ptm_item("2604.40001", "LexLM"), Item("2604.40002", "Bounds")])
    before = dump(db_path)
    code, doc = run_json(capsys, "--db", str(db_path), "--feed", feed, "--feed", str(CL), "--dry-run")
    assert code == 0 and len(doc["candidates"]) == 5 and doc["dry_run"] is True
    assert dump(db_path) == before


def test_real_run_stores_then_reports_duplicates(capsys, db_path, tmp_path) -> None:
    feed = write_feed(tmp_path, "f.xml", [ptm_item("2604.40001", "LexLM"), Item("2604.40002", "Bounds")])
    code, doc = run_json(capsys, "--db", str(db_path), "--feed", feed)
    assert code == 0
    assert [(c["status"], c["suggest"]) for c in doc["candidates"]] == [("new", True), ("new", False)]
    with sqlite3.connect(db_path) as conn:
        assert dict(conn.execute("SELECT arxiv_id, status FROM suggestions")) == {
            "2604.40001": "pending",
            "2604.40002": "seen",
        }
    code, doc = run_json(capsys, "--db", str(db_path), "--feed", feed)
    assert [c["status"] for c in doc["candidates"]] == ["duplicate", "duplicate"]


def test_table_output_and_failed_source_exit_status(capsys, db_path, tmp_path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<html><body>Oops</body></html>")
    code = main(["poll", "--db", str(db_path), "--feed", str(CL), "--feed", str(bad), "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines()[0].split()[:4] == ["score", "status", "suggest", "id"]
    assert "2604.22038" in out and "3 papers: 3 new" in out and "dry run" in out
    assert "bad.xml" in err and "not a feed" in err


def test_feeds_command_lists_health(capsys, db_path) -> None:
    assert main(["feeds", "--db", str(db_path)]) == 0
    assert "no feeds polled yet" in capsys.readouterr().out
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO feeds (url, health, consecutive_failures, polls, announced_health, last_error) "
            "VALUES ('https://rss.arxiv.org/rss/cs.CL', 'disabled', 5, 9, 'ok', 'HTTP 500')"
        )
    assert main(["feeds", "--db", str(db_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["feeds"][0]["health"] == "disabled"
    assert main(["feeds", "--db", str(db_path), "--enable", "https://rss.arxiv.org/rss/cs.CL"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("ok")


def test_feeds_enable_refuses_an_unknown_feed_and_enables_none(capsys, db_path) -> None:
    """Through the watcher's door: one unit of work, so a known feed given before an unknown one
    stays as it was."""
    known = "https://rss.arxiv.org/rss/cs.CL"
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO feeds (url, health, consecutive_failures, polls, announced_health, last_error) "
            f"VALUES ('{known}', 'disabled', 5, 9, 'ok', 'HTTP 500')"
        )
    code = main(["feeds", "--db", str(db_path), "--enable", known, "--enable", "https://example.org/nope"])
    assert code == 2
    assert capsys.readouterr().err == "ptm-bot: no such feed: https://example.org/nope\n"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT health, consecutive_failures FROM feeds").fetchall() == [("disabled", 5)]


def _ptm_papers(n: int) -> list[Item]:
    """*n* PTM papers with different scores (more pre-training cues for some)."""
    cues = [
        "We pre-train the model.",
        "We release the pretrained model.",
        "It is a foundation model.",
        "We continue pre-training on 40 billion tokens.",
        "A masked language modelling objective is used.",
    ]
    return [
        Item(
            f"2604.{41000 + i}", f"M{i}: Pre-training Language Models, part {i}", " ".join(cues[: 1 + i % 5])
        )
        for i in range(n)
    ]


def test_dry_run_json_ranks_the_papers_above_the_line_as_cards_or_listed(
    capsys, db_path, tmp_path, monkeypatch
) -> None:
    # The real cs.LG day ("Focus Session: ...", above the line), the constructed cs.CL RDF day (one
    # paper just below the line: the exploration card) and eight PTM papers; a budget of 3 cards.
    monkeypatch.setenv("PTM_BOT_REVIEW_CARDS_PER_POLL", "3")
    monkeypatch.setenv("PTM_BOT_REVIEW_CARD_MIN_SCORE", "0")  # the budget alone (the floor: below)
    monkeypatch.setenv("PTM_BOT_FEEDS_BACKFILL", "100")
    # A line of 0.07 keeps "Focus Session" (0.19 with the shipped model) above it and the RDF day's
    # best paper (0.04) within half of it: the exploration card.
    monkeypatch.setenv("PTM_BOT_RELEVANCE_THRESHOLD", "0.07")
    feed = write_feed(tmp_path, "ptm.xml", _ptm_papers(8))
    lg, rdf = FEEDS / "rss2-cs.LG-2026-04-27-trimmed.xml", FEEDS / "rdf-cs.CL-2018-constructed.xml"
    code, doc = run_json(
        capsys, "--db", str(db_path), "--feed", str(lg), "--feed", str(rdf), "--feed", feed, "--dry-run"
    )
    assert code == 0
    cands = doc["candidates"]
    above = sorted(
        (c for c in cands if c["suggest"] and not c["exploration"]),
        key=lambda c: (-c["score"], c["arxiv_id"]),
    )
    assert len(above) == 9 and doc["counts"]["cards"] == 4 and doc["counts"]["listed"] == 6
    assert [c["rank"] for c in above] == list(range(1, 10))
    assert all(c["ranked"] == 9 for c in above)
    assert [c["placement"] for c in above] == ["card"] * 3 + ["listed"] * 6
    (explore,) = [c for c in cands if c["exploration"]]
    assert (
        explore["placement"] == "card" and explore["rank"] is None and explore["score"] < explore["threshold"]
    )
    assert all(c["placement"] is None and c["rank"] is None for c in cands if not c["suggest"])
    focus = next(c for c in cands if c["arxiv_id"] == "2604.21952")
    assert focus["suggest"] and "Focus Session" not in focus["name"]
    assert len(focus["topics"]) == 3 and focus["topics"][0] == "multimodal"
    assert all(len(c["topics"]) <= 3 for c in cands)

    # The table says the same; a budget of 0 lists them all.
    assert main(["poll", "--db", str(db_path), "--feed", feed, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "(3 as cards, 5 listed above the line)" in out and " listed " in out
    monkeypatch.setenv("PTM_BOT_REVIEW_CARDS_PER_POLL", "0")
    code, doc = run_json(capsys, "--db", str(db_path), "--feed", feed, "--dry-run")
    assert {c["placement"] for c in doc["candidates"] if c["suggest"]} == {"listed"}

    # review.card_min_score: with budget to spare, a paper above the line scoring under the floor is
    # listed, not carded; the papers over it take the cards, best first.
    monkeypatch.setenv("PTM_BOT_REVIEW_CARDS_PER_POLL", "8")
    code, doc = run_json(capsys, "--db", str(db_path), "--feed", str(lg), "--feed", feed, "--dry-run")
    above = [c for c in doc["candidates"] if c["suggest"] and not c["exploration"]]
    floor = sorted(c["score"] for c in above)[len(above) // 2]  # half of them under it
    monkeypatch.setenv("PTM_BOT_REVIEW_CARD_MIN_SCORE", str(floor))
    code, doc = run_json(capsys, "--db", str(db_path), "--feed", str(lg), "--feed", feed, "--dry-run")
    above = [c for c in doc["candidates"] if c["suggest"] and not c["exploration"]]
    assert len(above) == 9 and any(c["score"] < floor for c in above)
    assert all(c["placement"] == ("card" if c["score"] >= floor else "listed") for c in above)


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        ("http://[::1", "argument --feed: 'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
        (
            "https://u:secret@[::1/x",
            "argument --feed: 'https://u:***@[::1/x' is not a valid URL (Invalid IPv6 URL)",
        ),
        ("http://example.org:99999/x", "is not a valid URL (Port out of range 0-65535)"),
        ("https://", "argument --feed: 'https://' is not a valid URL (no host)"),
        ("", "argument --feed: is empty: give a feed file or an http(s) URL"),
        ("ftp://example.org/x.xml", "ftp:// is not supported; give a feed file or an http(s) URL"),
        ("file:///etc/hosts", "file:// is not supported; give a feed file or an http(s) URL"),
    ],
)
def test_poll_feed_that_is_no_file_and_no_http_url_is_a_usage_error(db_path, capsys, feed, message):
    # Was a ValueError traceback (urlsplit), or "cannot read: No such file" with exit 1.
    with pytest.raises(SystemExit) as exit_:
        main(["poll", "--dry-run", "--feed", feed, "--db", str(db_path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "secret" not in err
    assert err.splitlines()[-1].startswith("ptm-bot poll: error: ") and message in err


@pytest.mark.parametrize(
    ("variable", "value", "key"),
    [
        ("PTM_BOT_FEEDS_URL_TEMPLATE", "http://[::1/{categories}", "feeds.url_template"),
        ("PTM_BOT_FEEDS_API_URL_TEMPLATE", "http://[::1/{id}", "feeds.api_url_template"),
        ("PTM_BOT_FEEDS_DAILY_PAPERS_URL", "https://:443/papers", "feeds.daily_papers_url"),
    ],
)
def test_poll_with_a_malformed_feed_url_in_the_config(db_path, capsys, monkeypatch, variable, value, key):
    monkeypatch.setenv(variable, value)
    assert main(["poll", "--dry-run", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{variable} ({key}): is not a valid URL (" in err


def test_a_malformed_url_is_still_a_url_to_the_fetcher():
    from bot.watch.feeds import is_url

    # Fetched, and reported as an invalid URL by the fetcher, rather than urlsplit's ValueError.
    assert is_url("http://[::1/rss") and is_url("HTTPS://[::1") and not is_url("feed[1.xml")
