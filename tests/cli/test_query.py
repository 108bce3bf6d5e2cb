"""The query subcommands through ``bot.cli.main.main`` on a copy of the shipped catalog."""

from __future__ import annotations

import json

import pytest

from bot.cli.main import main


def run(capsys, db_path, *argv):
    code = main([*argv, "--db", str(db_path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_model_json_best_first(capsys, db_path):
    code, out, _ = run(capsys, db_path, "model", "deberta v2", "--json")
    entries = json.loads(out)["entries"]
    assert code == 0 and entries[0]["name"] == "DeBERTa-v2" and entries[0]["date"] == "2020-06"


def test_model_unknown_suggests(capsys, db_path):
    code, out, err = run(capsys, db_path, "model", "nystomformer")
    assert code == 1 and out == ""
    assert err.strip() == "no entry named nystomformer; did you mean: Nyströmformer"


def test_recent_json_and_table(capsys, db_path):
    code, out, _ = run(capsys, db_path, "recent", "speech", "--count", "3", "--json")
    names = [e["name"] for e in json.loads(out)["entries"]]
    assert code == 0 and names == ["Data2Vec", "XLS-R", "UniSpeechSat"]
    code, out, _ = run(capsys, db_path, "recent", "speech", "--count", "3")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "DATE", "ORG", "TOPICS", "TITLE"]
    assert lines[1].startswith("Data2Vec") and "2022-02" in lines[1]
    assert lines[-1] == "... and 10 more (use --offset 3)"


def test_recent_unknown_topic_exit_2(capsys, db_path):
    code, _, err = run(capsys, db_path, "recent", "cooking")
    assert code == 2 and "speech" in err and "vision" in err


def test_search_survey_org_author(capsys, db_path):
    code, out, _ = run(capsys, db_path, "search", "蒸馏", "--json")
    assert code == 0 and json.loads(out)["entries"][0]["name"] == "知识蒸馏"
    code, out, _ = run(capsys, db_path, "search", 'NEAR("*', "--json")
    assert code == 0 and "entries" in json.loads(out)
    code, out, _ = run(capsys, db_path, "survey", "--limit", "2", "--json")
    assert [e["kind"] for e in json.loads(out)["entries"]] == ["survey", "survey"]
    code, out, _ = run(capsys, db_path, "org", "VinAI", "--json")
    assert {e["name"] for e in json.loads(out)["entries"]} == {"PhoBERT", "BERTweet", "BARTpho"}
    code, out, _ = run(capsys, db_path, "author", "Kaiming He")
    assert code == 0 and "ViTMAE" in out
    code, out, _ = run(capsys, db_path, "org", "Nobody Inc")
    assert code == 0 and out.strip() == "no entries from 'Nobody Inc'"


def test_negative_offset_is_a_usage_error(capsys, db_path):
    # Not clamped silently (the "use --offset N" hint would count from it) nor sent to PostgreSQL.
    with pytest.raises(SystemExit) as exc:
        run(capsys, db_path, "search", "bert", "--offset", "-3")
    assert exc.value.code == 2 and "--offset" in capsys.readouterr().err
