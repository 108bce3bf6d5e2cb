"""Learning from moderators: decisions are labels, retraining, model versions, exploration, the
simulated feedback loop. Through ``ptm-bot poll`` / ``ptm-bot ask`` / ``ptm-bot relevance``."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.relevance.simulate import simulate_feedback
from bot.relevance.store import quality
from bot.relevance.train import TrainConfig, frozen_test, load_corpus
from support.feedgen import Item, write_feed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FEED = FIXTURES / "feeds" / "rss2-cs.CL-2026-04-27-trimmed.xml"
SMALL = FIXTURES / "relevance-small.jsonl"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def new_catalog(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str = "c.sqlite3") -> str:
    db = str(tmp_path / name)
    assert run(capsys, "init", "--db", db)[0] == 0
    return db


def poll_all(capsys, db: str, tmp_path: Path, *, exploration: bool = False) -> list[dict]:
    config = tmp_path / "config.toml"
    config.write_text(
        f"[relevance]\nthreshold = 0.0\nexploration = {str(exploration).lower()}\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "poll", "--feed", str(FEED), "--db", db, "--config", str(config), "--json")
    assert code == 0
    return json.loads(out)["candidates"]


def show(capsys, db: str) -> dict:
    code, out, _ = run(capsys, "relevance", "show", "--db", db, "--json")
    assert code == 0
    return json.loads(out)


def test_show_reports_the_shipped_model_with_figures_and_named_features(tmp_path, capsys) -> None:
    db = new_catalog(capsys, tmp_path)
    doc = show(capsys, db)
    assert doc["source"] == "shipped" and doc["decisions"] == 0 and doc["models"] == []
    for name in ("abstract", "title_only", "days"):
        assert {"recall", "fpr_clear", "borderline_flag_rate", "precision", "positives"} <= set(
            doc["metrics"][name]
        )
    positive = doc["strongest"]["with_abstract"]["positive"]
    assert positive and all(w > 0 for _, w in positive)
    assert not any(name.startswith("cue:") for name, _ in positive)  # named, not ids
    code, out, _ = run(capsys, "relevance", "show", "--db", db)
    assert code == 0 and "frozen test split:" in out and "strongest features (with abstract):" in out


@pytest.mark.slow
def test_every_decision_is_a_label_and_undo_withdraws_it(tmp_path, capsys) -> None:
    db = new_catalog(capsys, tmp_path)
    suggested = [c["arxiv_id"] for c in poll_all(capsys, db, tmp_path) if c["suggest"]]
    assert len(suggested) >= 3
    a, b, c = suggested[:3]
    assert run(capsys, "ask", f"/ptm-admin approve {a}", "--db", db)[0] == 0
    assert run(capsys, "ask", f"/ptm-admin reject {b}", "--db", db)[0] == 0
    assert show(capsys, db)["decisions"] == 2
    assert run(capsys, "ask", f"/ptm-admin undo {b}", "--db", db)[0] == 0
    assert show(capsys, db)["decisions"] == 1
    assert run(capsys, "ask", f"/ptm-admin reject {c}", "--db", db)[0] == 0
    assert show(capsys, db)["decisions"] == 2


@pytest.mark.slow
def test_retrain_is_deterministic_and_counts_local_decisions(tmp_path, capsys) -> None:
    db = new_catalog(capsys, tmp_path)
    suggested = [c["arxiv_id"] for c in poll_all(capsys, db, tmp_path) if c["suggest"]]
    for arxiv_id in suggested[:4]:
        assert run(capsys, "ask", f"/ptm-admin reject {arxiv_id}", "--db", db)[0] == 0
    args = ("relevance", "train", "--db", db, "--corpus", str(SMALL), "--dry-run", "--json")
    code, out, _ = run(capsys, *args)
    first = json.loads(out)
    code2, out2, _ = run(capsys, *args)
    assert code == code2 == 0
    # Decisions on papers of the corpus's frozen test split are not trained on.
    frozen = {i.id for i in load_corpus(SMALL) if frozen_test(i)}
    assert first["decisions"] == len([a for a in suggested[:4] if a not in frozen]) >= 1
    assert first["version"].rsplit("-", 1)[1] == json.loads(out2)["version"].rsplit("-", 1)[1]
    assert first["metrics"] == json.loads(out2)["metrics"]
    assert show(capsys, db)["models"] == []  # --dry-run stored nothing
    assert first["dry_run"] is True
    # Session 8: the text said "activated" for a dry run.
    code, text, _ = run(capsys, *args[:-1])
    head = text.splitlines()[0]
    assert code == 0 and head.startswith("relevance model ") and ": would be " in head
    assert head.endswith(
        f"(dry run: nothing stored) ({first['items']} training items, {first['decisions']} of them your decisions)"
    )
    assert show(capsys, db)["models"] == []


@pytest.mark.slow
def test_a_worse_model_is_kept_aside_with_its_reason_and_a_better_one_activated(tmp_path, capsys) -> None:
    db = new_catalog(capsys, tmp_path)
    # Labels flipped on the training part only: whatever is learned from it is worse on the frozen
    # split (which keeps its true labels) than the shipped model.
    flipped = tmp_path / "flipped.jsonl"
    rows = [json.loads(line) for line in SMALL.read_text().splitlines()]
    items = {i.id: i for i in load_corpus(SMALL)}
    for row in rows:
        if not frozen_test(items[row["id"]]):
            row["label"] = 1 - row["label"]
    flipped.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run(capsys, "relevance", "train", "--db", db, "--corpus", str(flipped), "--json")
    result = json.loads(out)
    assert code == 0 and not result["activated"]
    assert result["reason"].startswith("kept aside: scored slices quality")
    assert result["failed"] == ["scored slices"]
    doc = show(capsys, db)
    assert doc["source"] == "shipped"
    assert [(m["version"], m["status"]) for m in doc["models"]] == [(result["version"], "kept_aside")]

    # Judged against an active model that is worse (the flipped one, activated by hand), a model
    # trained on the true labels replaces it, and the old one is retired.
    # (The small corpus has only 3 core positives with an abstract, so its own model flags every paper
    # with one; with its positives counted as core the threshold is set on 24 and the model is sound.)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE relevance_models SET status = 'active'")
    core = tmp_path / "core.jsonl"
    core.write_text(
        "".join(
            json.dumps({**r, "borderline": False} if r["label"] == 1 else r) + "\n"
            for r in map(json.loads, SMALL.read_text().splitlines())
        ),
    )
    code, out, _ = run(capsys, "relevance", "train", "--db", db, "--corpus", str(core), "--json")
    better = json.loads(out)
    assert better["activated"], better["reason"]
    assert better["previous_version"] == result["version"]
    doc = show(capsys, db)
    assert doc["source"] == "database" and doc["version"] == better["version"]
    assert {m["version"]: m["status"] for m in doc["models"]} == {
        better["version"]: "active",
        result["version"]: "retired",
    }
    # Polls now score with the stored model.
    code, out, _ = run(capsys, "poll", "--feed", str(FEED), "--db", db, "--dry-run", "--json")
    assert {c["model_version"] for c in json.loads(out)["candidates"]} == {better["version"]}


def test_bad_corpus_is_one_line_and_exit_2(tmp_path, capsys) -> None:
    db = new_catalog(capsys, tmp_path)
    code, _, err = run(capsys, "relevance", "train", "--db", db, "--corpus", str(tmp_path / "missing.jsonl"))
    assert code == 2 and err.startswith("ptm-bot: cannot read the corpus") and len(err.splitlines()) == 1


@pytest.mark.slow
def test_train_output_writes_a_model_file_without_a_database(tmp_path, capsys) -> None:
    out_file = tmp_path / "model.json"
    code, out, _ = run(
        capsys, "relevance", "train", "--corpus", str(SMALL), "--output", str(out_file), "--json"
    )
    assert code == 0
    data = json.loads(out_file.read_text())
    assert data["version"] == json.loads(out)["version"] and data["with_abstract"]["weights"]
    assert not list(tmp_path.glob("*.sqlite3"))


def _day_feed(tmp_path: Path) -> str:
    """A feed of 40 real papers from the corpus's 2026-08-21 arXiv day (titles, abstracts, categories
    as arXiv announced them; see bot/relevance/data/RELEVANCE-SOURCES.md)."""
    day = sorted((i for i in load_corpus(SMALL) if i.slice == "day:2026-08-21"), key=lambda i: i.id)
    items = [Item(i.id, i.title, i.abstract, i.categories or ("cs.CL",)) for i in day[:40]]
    return write_feed(tmp_path, "day.xml", items)


def test_poll_explores_one_paper_just_below_the_threshold(tmp_path, capsys) -> None:
    db = new_catalog(capsys, tmp_path)
    feed = _day_feed(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("[relevance]\nexploration = true\n", encoding="utf-8")
    code, out, _ = run(capsys, "poll", "--feed", feed, "--db", db, "--config", str(config), "--json")
    assert code == 0
    cands = json.loads(out)["candidates"]
    below = [
        c for c in cands if c["status"] == "new" and not c["relevant"] and c["score"] >= c["threshold"] / 2
    ]
    assert below, "the day holds a paper just below the threshold"
    explored = [c for c in cands if c["exploration"]]
    assert len(explored) == 1
    (x,) = explored
    assert x["suggest"] and not x["relevant"] and x["threshold"] / 2 <= x["score"] < x["threshold"]
    assert x["reasons"][-1].startswith("exploration:")
    assert max(c["score"] / c["threshold"] for c in below) == x["score"] / x["threshold"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT arxiv_id FROM suggestions WHERE exploration").fetchall() == [
            (x["arxiv_id"],)
        ]
    # Off: nothing below the threshold is suggested.
    config.write_text("[relevance]\nexploration = false\n", encoding="utf-8")
    code, out, _ = run(
        capsys,
        "poll",
        "--feed",
        feed,
        "--db",
        new_catalog(capsys, tmp_path, "d.sqlite3"),
        "--config",
        str(config),
        "--json",
    )
    assert not [c for c in json.loads(out)["candidates"] if c["suggest"] and not c["relevant"]]


def test_simulated_moderators_make_the_model_no_worse() -> None:
    """Replay the small corpus as polls; moderators decide what is suggested; retrain every 15."""
    items = load_corpus(SMALL)
    train = sorted(
        (i for i in items if not frozen_test(i)), key=lambda i: hashlib.sha256(i.id.encode()).digest()
    )
    test = [i for i in items if frozen_test(i)]
    cut = len(train) * 2 // 5
    history = simulate_feedback(
        train[:cut], train[cut:], test, every=15, poll_size=20, cfg=TrainConfig(l2_grid=(1e-2,), folds=3)
    )
    assert len(history) >= 3 and history[-1]["decisions"] >= 30
    assert quality(history[-1]) >= quality(history[0])
