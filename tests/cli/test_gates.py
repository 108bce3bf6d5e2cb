"""``ptm-bot gate add|remove|list`` and what the gates do to ``ptm-bot poll --dry-run --json``,
through the real entry point (bot.cli.main), on the captured arXiv feeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.plugins.feeds import FEEDS

LG = FEEDS / "rss2-cs.LG-2026-04-27-trimmed.xml"  # 2604.21952 suggested by the model; 2604.21956 scored ~0
CL = FEEDS / "rss2-cs.CL-2026-04-27-trimmed.xml"
SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "relevance-small.jsonl"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def dry_poll(capsys, db: Path, *more: str) -> dict:
    code, out, _ = run(capsys, "poll", "--feed", str(LG), "--db", str(db), "--dry-run", "--json", *more)
    assert code == 0
    return json.loads(out)


def by_id(doc: dict) -> dict[str, dict]:
    return {c["arxiv_id"]: c for c in doc["candidates"]}


def test_gates_set_from_the_terminal_decide_a_dry_run_poll(capsys, db_path) -> None:
    before = by_id(dry_poll(capsys, db_path))
    assert before["2604.21952"]["suggest"] and not before["2604.21956"]["suggest"]
    assert all(c["gate"] is None for c in before.values())

    code, out, err = run(capsys, "gate", "add", "never", "term", "focus", "session", "--db", str(db_path))
    assert code == 0 and out.startswith("Gate added: never term 'focus session'") and not err
    code, out, _ = run(capsys, "gate", "add", "always", "author", "Michal Valko", "--db", str(db_path))
    assert code == 0 and "(only you can see this)" not in out

    doc = dry_poll(capsys, db_path)
    after = by_id(doc)
    gated_out, gated_in = after["2604.21952"], after["2604.21956"]
    assert not gated_out["suggest"] and gated_out["gate"] == "never"
    assert gated_out["reasons"][0] == "gate: never term 'focus session'"
    assert gated_out["why_not"] == "gate: never term 'focus session'"
    assert gated_in["suggest"] and gated_in["gate"] == "always" and not gated_in["relevant"]
    assert gated_in["reasons"][0] == "gate: always author 'Michal Valko'"
    assert gated_in["score"] == before["2604.21956"]["score"]  # still scored
    assert len(gated_in["reasons"]) > 1  # and the model's own reasons follow
    assert doc["counts"]["gated"] == 1 and doc["counts"]["gated_always"] == 1
    assert doc["counts"]["suggested"] == 1

    # Removed: the next poll is the model's alone again.
    assert run(capsys, "gate", "remove", "never", "term", "Focus Session", "--db", str(db_path))[0] == 0
    assert run(capsys, "gate", "remove", "always", "author", "michal valko", "--db", str(db_path))[0] == 0
    assert by_id(dry_poll(capsys, db_path)) == before


def test_list_json_shows_config_and_stored_gates_with_their_origin(capsys, db_path, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[relevance.gates]\nnever_categories = ["cs.CY"]\n', encoding="utf-8")
    common = ("--db", str(db_path), "--config", str(config))
    assert run(capsys, "gate", "add", "always", "org", "Acme Labs", *common)[0] == 0
    code, out, _ = run(capsys, "gate", "list", "--json", *common)
    assert code == 0
    gates = json.loads(out)["gates"]
    assert [(g["mode"], g["kind"], g["value"], g["origin"]) for g in gates] == [
        ("never", "category", "cs.CY", "config"),
        ("always", "org", "Acme Labs", "stored"),
    ]
    assert gates[0]["set_by"] == "config" and gates[0]["set_at"] is None
    assert gates[1]["set_by"].startswith("cli:") and gates[1]["set_at"]
    code, out, _ = run(capsys, "gate", "list", *common)
    assert "category 'cs.CY' — config file" in out and "org 'Acme Labs' — cli:" in out

    # The config's never-category keeps 2604.21953 (cs.LG, cs.CY) out of the poll too.
    doc = dry_poll(capsys, db_path, "--config", str(config))
    assert by_id(doc)["2604.21953"]["gate"] == "never"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("add", "never", "planet", "Mars"),
            "unknown gate kind 'planet': use one of term, author, org, category",
        ),
        (("add", "sometimes", "term", "x y"), "unknown gate mode 'sometimes': use always or never"),
        (("add", "never", "term", " "), "a term gate needs a value"),
        (("add", "never", "term", "of", "the"), "would match almost every paper"),
        (("remove", "never", "term", "survey"), "there is no gate never term 'survey'"),
        (("add", "never", "category", "cs.XX"), "arXiv has no category 'cs.XX'"),
        (("add", "never", "category", "cs.CLL"), "arXiv has no category 'cs.CLL' (did you mean cs.CL?)"),
        (("add", "always", "category", "foo.BAR"), "arXiv has no category 'foo.BAR'; see https://arxiv.org/"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, db_path, argv, message) -> None:
    code, out, err = run(capsys, "gate", *argv, "--db", str(db_path))
    assert code == 2 and not out
    assert err == f"ptm-bot: {message}\n" or (err.startswith("ptm-bot: ") and message in err)


def test_category_gates_name_a_real_arxiv_category(capsys, db_path) -> None:
    db = ("--db", str(db_path))
    code, out, _ = run(capsys, "ask", "/ptm-admin gate add never category cs.XX", *db)
    assert code == 1 and "arXiv has no category 'cs.XX'" in out
    for category in ("q-bio.NC", "hep-th", "stat.ML"):
        assert run(capsys, "gate", "add", "never", "category", category, *db)[0] == 0
    code, out, _ = run(capsys, "gate", "add", "always", "category", "eess.as", *db)
    assert code == 0 and out.startswith("Gate added: always category 'eess.AS'")  # as arXiv spells it
    code, out, _ = run(capsys, "gate", "list", "--json", *db)
    values = [g["value"] for g in json.loads(out)["gates"] if g["kind"] == "category"]
    assert sorted(values) == ["eess.AS", "hep-th", "q-bio.NC", "stat.ML"]


def test_a_duplicate_is_refused(capsys, db_path) -> None:
    assert run(capsys, "gate", "add", "never", "author", "Ada Lovelace", "--db", str(db_path))[0] == 0
    code, _, err = run(capsys, "gate", "add", "never", "author", "ADA  lovelace", "--db", str(db_path))
    assert code == 2 and err == "ptm-bot: there is already a gate: never author 'Ada Lovelace'\n"


def test_ask_runs_the_same_gate_commands(capsys, db_path) -> None:
    code, out, _ = run(capsys, "ask", "/ptm-admin gate add never term survey of", "--db", str(db_path))
    assert code == 0 and out.startswith("Gate added: never term 'survey of'")
    code, out, _ = run(capsys, "ask", "/ptm-admin gate list", "--db", str(db_path))
    assert code == 0 and "term 'survey of' — cli:" in out


def test_a_gate_stores_no_escape_sequence_nor_bidi_override(capsys, db_path) -> None:
    db = ("--db", str(db_path))
    code, out, _ = run(capsys, "gate", "add", "never", "term", "\x1b[31mred\x1b[0m team\u202e", *db)
    assert code == 0 and out.startswith("Gate added: never term 'red team'")
    code, out, _ = run(capsys, "ask", "/ptm-admin gate add always author Ada\u202e\x1b]0;x\x07 Lovelace", *db)
    assert code == 0 and out.startswith("Gate added: always author 'Ada Lovelace'")
    code, out, _ = run(capsys, "gate", "list", "--json", *db)
    assert [g["value"] for g in json.loads(out)["gates"]] == ["red team", "Ada Lovelace"]
    code, out, _ = run(capsys, "gate", "list", *db)
    assert code == 0 and "term 'red team'" in out and "\x1b" not in out and "\u202e" not in out
    # Removed as typed, escape sequences and all: the same gate.
    assert run(capsys, "gate", "remove", "never", "term", "\x1b[1mred team", *db)[0] == 0


@pytest.mark.slow
def test_retraining_uses_every_decision_whatever_the_gates(capsys, tmp_path) -> None:
    db = str(tmp_path / "c.sqlite3")
    assert run(capsys, "init", "--db", db)[0] == 0
    config = tmp_path / "config.toml"
    config.write_text("[relevance]\nthreshold = 0.0\nexploration = false\n", encoding="utf-8")
    code, out, _ = run(capsys, "poll", "--feed", str(CL), "--db", db, "--config", str(config), "--json")
    assert code == 0
    decided = [c for c in json.loads(out)["candidates"] if c["suggest"]]
    assert len(decided) == 3
    for cand in decided:
        assert run(capsys, "ask", f"/ptm-admin reject {cand['arxiv_id']}", "--db", db)[0] == 0

    def training() -> tuple[int, int]:
        code, out, _ = run(capsys, "relevance", "show", "--db", db, "--json")
        shown = json.loads(out)["decisions"]
        code2, out2, _ = run(
            capsys, "relevance", "train", "--db", db, "--corpus", str(SMALL), "--dry-run", "--json"
        )
        assert code == code2 == 0
        return shown, json.loads(out2)["decisions"]

    without = training()
    # Gates on every decided paper, both ways: the decisions still all count as labels.
    for cand in decided:
        assert run(capsys, "gate", "add", "never", "author", cand["authors"][0], "--db", db)[0] == 0
    assert run(capsys, "gate", "add", "always", "category", "cs.CL", "--db", db)[0] == 0
    assert training() == without
    assert without[0] == 3
