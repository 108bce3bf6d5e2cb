"""The review loop from the terminal: poll a real feed file, then decide with ``ptm-bot ask``."""

from __future__ import annotations

import json

from bot.cli.main import main
from tests.plugins.feeds import FEEDS

FEED = FEEDS / "rss2-cs.CL-2026-04-27-trimmed.xml"


def ask(capsys, db, line, *extra):
    code = main(["ask", line, "--db", db, *extra])
    return code, capsys.readouterr().out


def test_poll_then_approve_reject_undo_from_the_terminal(tmp_path, capsys):
    db = str(tmp_path / "c.sqlite3")
    # This real cs.CL feed holds no core PTM paper (its LLM-usage papers score below the default
    # threshold); the test is about the review loop, so a low threshold makes the poll suggest some.
    config = tmp_path / "config.toml"
    config.write_text("[relevance]\nthreshold = 0.001\n", encoding="utf-8")
    assert main(["init", "--db", db]) == 0  # only init (run, import) creates a catalog
    capsys.readouterr()
    assert main(["poll", "--feed", str(FEED), "--db", db, "--config", str(config), "--json"]) == 0
    suggested = [c for c in json.loads(capsys.readouterr().out)["candidates"] if c["suggest"]]
    assert suggested
    first = suggested[0]["arxiv_id"]

    code, out = ask(capsys, db, "/ptm-admin pending", "--json")
    assert code == 0 and first in json.loads(out)["embeds"][0]["description"]

    code, out = ask(capsys, db, f"/ptm-admin approve {first} name=TerminalModel")
    assert code == 0 and "TerminalModel" in out
    assert main(["export", "--db", db]) == 0
    exported = capsys.readouterr().out
    assert f"[TerminalModel](https://arxiv.org/abs/{first})" in exported

    code, out = ask(capsys, db, f"/ptm-admin approve {first}")
    assert "already approved" in out

    code, out = ask(capsys, db, f"/ptm-admin undo {first}")
    assert code == 0 and "pending again; the catalog is as it was before the approval." in out
    assert main(["export", "--db", db]) == 0
    before = capsys.readouterr().out
    assert "TerminalModel" not in before

    # An undone rejection says so: there was no approval, and the catalog never changed.
    code, out = ask(capsys, db, f"/ptm-admin reject {first}")
    assert code == 0 and "rejected" in out.lower()
    code, out = ask(capsys, db, f"/ptm-admin undo {first}")
    assert code == 0 and out.startswith(
        f"arXiv {first} is pending again; its rejection is undone (a rejection never changed the catalog)."
    )
    assert "approval" not in out
    assert main(["export", "--db", db]) == 0
    assert capsys.readouterr().out == before

    code, out = ask(capsys, db, "/ptm-admin reject nonsense")
    assert code == 1 and "not an arXiv id" in out
