"""The moderator loop through the shipped commands (``ptm-bot`` main()): a missed paper added
offline, approve of a seen paper pointing to add, the kind of yes, no identical retrain, the
kept-aside reason naming its check, activate and rollback with an audit."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.relevance.train import frozen_test, load_corpus
from support.feedgen import Item, write_feed

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "relevance-small.jsonl"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path, capsys) -> str:
    path = str(tmp_path / "c.sqlite3")
    assert run(capsys, "init", "--db", path)[0] == 0
    return path


def polled(capsys, db: str, tmp_path: Path) -> list[dict]:
    """40 real papers of the corpus's 2026-08-21 arXiv day, polled with the shipped model."""
    day = sorted((i for i in load_corpus(SMALL) if i.slice == "day:2026-08-21"), key=lambda i: i.id)
    feed = write_feed(
        tmp_path, "day.xml", [Item(i.id, i.title, i.abstract, i.categories or ("cs.CL",)) for i in day[:40]]
    )
    config = tmp_path / "config.toml"
    config.write_text("[relevance]\nexploration = false\n", encoding="utf-8")
    code, out, _ = run(capsys, "poll", "--feed", feed, "--db", db, "--config", str(config), "--json")
    assert code == 0
    return json.loads(out)["candidates"]


def show(capsys, db: str) -> dict:
    code, out, _ = run(capsys, "relevance", "show", "--db", db, "--json")
    assert code == 0
    return json.loads(out)


def test_a_missed_paper_is_added_offline_and_approve_points_to_add(db, tmp_path, capsys) -> None:
    cands = polled(capsys, db, tmp_path)
    seen = min((c for c in cands if not c["suggest"]), key=lambda c: c["arxiv_id"])
    arxiv_id = seen["arxiv_id"]
    code, out, _ = run(capsys, "ask", f"/ptm-admin approve {arxiv_id}", "--db", db)
    assert code == 1
    assert (
        f"{arxiv_id} was seen but not suggested (score {seen['score']:.2f}); use /ptm-admin add {arxiv_id}"
        in out
    )
    assert "that also teaches the model" in out
    assert show(capsys, db)["decisions"] == 0

    # No network: the metadata the poll stored is enough. The kind of yes goes along.
    code, out, _ = run(capsys, "ask", f"/ptm-admin add {arxiv_id} approval=borderline-keep", "--db", db)
    assert code == 0, out
    assert f"Approved (borderline-keep) arXiv {arxiv_id}" in out
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT status, approval_kind, score FROM suggestions WHERE arxiv_id = ?", (arxiv_id,)
        ).fetchone() == ("approved", "borderline", seen["score"])
        assert conn.execute(
            "SELECT d.action, d.via, d.reason FROM review_decisions d JOIN suggestions s ON s.id = d.suggestion_id "
            "WHERE s.arxiv_id = ?",
            (arxiv_id,),
        ).fetchall() == [("approve", "cli", "borderline-keep")]
    assert show(capsys, db)["decisions"] == 1

    # An unknown kind of yes is refused, as Discord would refuse it.
    code, out, _ = run(capsys, "ask", "/ptm-admin approve 2608.00001 approval=maybe", "--db", db)
    assert code == 2 and "approval" in out + _


def test_reject_of_a_paper_below_the_line_says_what_happened(db, tmp_path, capsys) -> None:
    """Issue 21: not "was already seen; nothing changed", but why there is nothing to reject."""
    cands = polled(capsys, db, tmp_path)
    seen = min((c for c in cands if not c["suggest"]), key=lambda c: c["arxiv_id"])
    arxiv_id = seen["arxiv_id"]
    code, out, _ = run(capsys, "ask", f"/ptm-admin reject https://arxiv.org/abs/{arxiv_id}v1", "--db", db)
    assert code == 1
    assert out.splitlines()[0].startswith(
        f"{arxiv_id} scored {seen['score']:.2f}, below the line, so it was never suggested and is not "
        "waiting for review: there is nothing to reject, and nothing changed"
    )
    assert show(capsys, db)["decisions"] == 0


@pytest.mark.parametrize(
    "pasted",
    [
        "https://huggingface.co/papers/{id}",
        "https://www.alphaxiv.org/abs/{id}v2",
        "https://www.alphaxiv.org/overview/{id}",
        "https://www.semanticscholar.org/arxiv/{id}",
        "https://arxiv.org/pdf/{id}v3",
        "https://arxiv.org/html/{id}v1",
        "<https://arxiv.org/abs/{id}>",
    ],
)
def test_add_accepts_the_urls_people_paste(db, tmp_path, capsys, pasted: str) -> None:
    cands = polled(capsys, db, tmp_path)
    arxiv_id = min((c for c in cands if not c["suggest"]), key=lambda c: c["arxiv_id"])["arxiv_id"]
    code, out, err = run(capsys, "ask", f"/ptm-admin add {pasted.format(id=arxiv_id)}", "--db", db)
    assert code == 0, out + err
    assert f"Approved arXiv {arxiv_id}" in out


@pytest.mark.slow
def test_retrain_twice_kept_aside_names_the_check_then_activate_and_rollback(db, tmp_path, capsys) -> None:
    # A corpus whose training part has its labels flipped: the model learned from it is worse on
    # the frozen split's scored slices, beyond the noise.
    flipped = tmp_path / "flipped.jsonl"
    rows = [json.loads(line) for line in SMALL.read_text().splitlines()]
    items = {i.id: i for i in load_corpus(SMALL)}
    for row in rows:
        if not frozen_test(items[row["id"]]):
            row["label"] = 1 - row["label"]
    flipped.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run(capsys, "relevance", "train", "--db", db, "--corpus", str(flipped))
    assert code == 0
    assert "kept aside: scored slices quality" in out and "90% interval" in out
    assert "check scored slices: FAILED" in out and "check newer decisions: skipped" in out
    assert "day:2024-02-21 (38 papers" in out  # per whole day, with counts
    version = show(capsys, db)["models"][0]["version"]

    # Nothing new since that version: no identical version is added.
    code, out, _ = run(capsys, "relevance", "train", "--db", db, "--corpus", str(flipped))
    assert code == 0 and out.startswith(f"nothing new to learn from since version {version}")
    doc = show(capsys, db)
    assert [(m["version"], m["status"], m["failed"]) for m in doc["models"]] == [
        (version, "kept_aside", ["scored slices"])
    ]
    code, text, _ = run(capsys, "relevance", "show", "--db", db)
    assert f"{version}  kept aside (failed: scored slices)  kept aside: scored slices quality" in text

    # A moderator activates it anyway, then rolls back to the shipped model; both audited.
    code, out, _ = run(capsys, "relevance", "activate", version, "--db", db)
    assert code == 0 and out.startswith(f"Relevance model activated: {version} now scores new papers")
    doc = show(capsys, db)
    assert doc["source"] == "database" and doc["version"] == version
    assert doc["models"][0]["last_change"].startswith("activate by terminal (cli)")
    code, out, err = run(capsys, "relevance", "activate", version, "--db", db)
    assert code == 2 and "already active" in err
    code, out, err = run(capsys, "relevance", "activate", "20990101-000000-nope", "--db", db)
    assert code == 2 and f"versions: {version}" in err

    code, out, _ = run(capsys, "ask", "/ptm-admin relevance rollback", "--db", db)
    assert code == 0 and "rolled back" in out and "(the shipped model)" in out
    doc = show(capsys, db)
    assert doc["source"] == "shipped"
    assert [(m["version"], m["status"]) for m in doc["models"]] == [(version, "retired")]
    code, out, err = run(capsys, "relevance", "rollback", "--db", db)
    assert code == 2 and "nothing to roll back" in err
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT action, version, previous_version, actor_name, via FROM relevance_model_events ORDER BY id"
        ).fetchall() == [
            ("activate", version, None, "terminal", "cli"),
            ("rollback", None, version, "terminal", "cli"),
        ]
