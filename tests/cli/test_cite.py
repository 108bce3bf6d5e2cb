"""``ptm-bot cite NAME`` and ``ptm-bot ask '/ptm cite NAME'``: the same read, the same BibTeX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PTM_BOT_CONFIG", raising=False)


def test_cite_prints_the_entrys_bibtex_like_the_export(db_path, capsys):
    assert main(["cite", "deberta", "v2", "--db", str(db_path)]) == 0
    cited = capsys.readouterr().out
    assert cited.startswith("@misc{he2020deberta,\n") and cited.endswith("}\n")
    assert "eprint = {2006.03654}" in cited and "note = {DeBERTa-v2 (from Microsoft)}" in cited
    assert main(["export", "--format", "bibtex", "--db", str(db_path)]) == 0
    assert cited.replace("DeBERTa-v2", "DeBERTa") in capsys.readouterr().out  # the paper's first entry


def test_cite_of_an_unknown_name_exits_1_with_the_closest(db_path, capsys):
    assert main(["cite", "debrta", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("no entry named debrta; did you mean: ") and "DeBERTa" in err


def test_ask_cite_runs_the_slash_commands_handler(db_path, capsys):
    assert main(["ask", "/ptm cite BERT", "--json", "--db", str(db_path)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ephemeral"] is False and payload["embeds"] == []
    assert payload["content"].startswith("BibTeX for **BERT**:\n```bibtex\n@misc{devlin2018bert,")
    assert main(["ask", "/ptm cite BERT", "--db", str(db_path)]) == 0
    assert "@misc{devlin2018bert," in capsys.readouterr().out
