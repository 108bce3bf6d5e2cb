"""Revisions know what came after them (issue 23): a revert names every later revision and approval
it would undo and refuses without ``--force``; a forced one reopens the undone approvals (audited);
moderators' approvals and corrections are revisions too; a write into a catalog file deleted
meanwhile is refused; an import or revert that changes nothing records nothing; ``history
--limit 0`` is refused.

Everything goes through the command line (``bot.cli.main.main``) on a temp-file SQLite catalog,
with a real arXiv feed polled into it; the state is checked with the stdlib ``sqlite3`` afterwards.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from bot.catalog import importer
from bot.cli.main import main
from tests.plugins.feeds import FEEDS

FEED = FEEDS / "rss2-cs.CL-2026-04-27-trimmed.xml"
XLNET = (
    "1906: [XLNet](https://huggingface.co/docs/transformers/model_doc/xlnet) (from Google/CMU) released "
    "with the paper [XLNet: Generalized Autoregressive Pretraining for Language Understanding]"
    "(https://arxiv.org/abs/1906.08237.pdf) by Zhilin Yang*, Zihang Dai*, Yiming Yang, Jaime Carbonell, "
    "Ruslan Salakhutdinov, Quoc V. Le."
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def new_list(tmp_path: Path, name: str, arxiv: str) -> str:
    """A one-line list adding a model the shipped catalog does not hold."""
    line = XLNET.replace("[XLNet]", f"[{name}]").replace("1906.08237", arxiv).replace("XLNet:", f"{name}:")
    path = tmp_path / f"{name}.md"
    path.write_text(f"## PTM\n{line}\n", encoding="utf-8")
    return str(path)


def export(db: str, capsys) -> str:
    code, out, err = run(capsys, "export", "--db", db)
    assert code == 0, err
    return out


def query(db: str, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def import_revision(db: str, capsys, path: str) -> int:
    code, out, err = run(capsys, "import", path, "--db", db, "--json")
    assert code == 0, err
    return int(json.loads(out)["revision"])


@pytest.fixture
def polled(tmp_path, capsys, db_path) -> tuple[str, str, Path]:
    """The shipped catalog with a real feed polled into it: (db, the first suggested arXiv id, config)."""
    db = str(db_path)
    config = tmp_path / "config.toml"
    # The feed's papers score below the default threshold; this is about what a revert undoes.
    config.write_text("[relevance]\nthreshold = 0.001\n", encoding="utf-8")
    code, out, err = run(capsys, "poll", "--feed", str(FEED), "--db", db, "--config", str(config), "--json")
    assert code == 0, err
    suggested = [c["arxiv_id"] for c in json.loads(out)["candidates"] if c["suggest"]]
    assert suggested
    return db, suggested[0], config


def approve(db: str, capsys, arxiv_id: str, name: str) -> None:
    code, out, _ = run(capsys, "ask", f"/ptm-admin approve {arxiv_id} name={name}", "--db", db)
    assert code == 0 and name in out


def test_a_revert_names_the_later_work_refuses_without_force_and_reopens_approvals(polled, capsys, tmp_path):
    db, paper, _ = polled
    original = export(db, capsys)
    rev2 = import_revision(db, capsys, new_list(tmp_path, "RevNetA", "2101.00001"))
    approve(db, capsys, paper, "ApprovedNet")
    rev3 = import_revision(db, capsys, new_list(tmp_path, "RevNetB", "2101.00002"))
    (approval_rev,) = query(db, "SELECT id FROM catalog_revisions WHERE action = 'approve'")[0]
    assert rev2 < approval_rev < rev3  # the approval is a revision too
    now = export(db, capsys)

    # Without --force: the later work listed, one line on stderr, exit 2, nothing changed.
    code, out, err = run(capsys, "revert", str(rev2), "--db", db)
    assert code == 2
    assert err.count("\n") == 1 and "--force" in err and f"revision {rev2}" in err
    assert "also undoes 2 later revisions and 1 approval" in out
    assert f"{rev3}  " in out and f"{approval_rev}  " in out and "approve" in out
    assert f"approval of arXiv {paper} ('ApprovedNet')" in out
    assert export(db, capsys) == now
    assert query(db, "SELECT status FROM suggestions WHERE arxiv_id = ?", paper) == [("approved",)]

    # --dry-run --diff prints the same list, the diff, and writes nothing.
    code, out, err = run(capsys, "revert", str(rev2), "--db", db, "--dry-run", "--diff")
    assert code == 0, err
    assert f"approval of arXiv {paper} ('ApprovedNet')" in out and f"{rev3}  " in out
    assert "-1906: [ApprovedNet]" in out or "ApprovedNet" in out.split("+++", 1)[1]
    assert out.rstrip().endswith("dry run: nothing was written")
    assert export(db, capsys) == now

    # --force: back to before revision 2, the approval undone and audited, its paper pending again.
    code, out, err = run(capsys, "revert", str(rev2), "--db", db, "--force")
    assert code == 0, err
    assert export(db, capsys) == original
    assert query(db, "SELECT status, entry_id FROM suggestions WHERE arxiv_id = ?", paper) == [
        ("pending", None)
    ]
    audit = query(
        db,
        "SELECT d.action, d.via, d.reason FROM review_decisions d JOIN suggestions s "
        "ON s.id = d.suggestion_id WHERE s.arxiv_id = ? ORDER BY d.id",
        paper,
    )
    assert [a[0] for a in audit] == ["approve", "undo"] and audit[1][1] == "cli"
    assert f"before revision {rev2}" in audit[1][2]
    summary, change = query(db, "SELECT summary, change FROM catalog_revisions ORDER BY id DESC LIMIT 1")[0]
    assert "undid 2 later revisions and 1 approval" in summary
    assert json.loads(change) == {
        "undid_revisions": [rev3, approval_rev],
        "reopened": [paper],
        "approved_again": [],
    }
    # No orphan: the paper can be approved again.
    approve(db, capsys, paper, "ApprovedAgain")


def test_reverting_a_forced_revert_approves_its_reopened_papers_again(polled, capsys, tmp_path):
    db, paper, _ = polled
    rev = import_revision(db, capsys, new_list(tmp_path, "RevNetE", "2101.00007"))
    approve(db, capsys, paper, "BackNet")
    approved = export(db, capsys)
    code, _, err = run(capsys, "revert", str(rev), "--db", db, "--force")
    assert code == 0, err
    (forced,) = query(db, "SELECT max(id) FROM catalog_revisions")[0]
    # The newest revision: no --force needed; the approval it undid is made again, linked.
    code, out, err = run(capsys, "revert", str(forced), "--db", db)
    assert code == 0, err
    assert f"undo of the approval of arXiv {paper}: approved again, 'BackNet' is back" in out
    assert export(db, capsys) == approved
    ((status, entry),) = query(
        db,
        "SELECT s.status, e.name FROM suggestions s JOIN entries e ON e.id = s.entry_id WHERE s.arxiv_id = ?",
        paper,
    )
    assert (status, entry) == ("approved", "BackNet")
    audit = query(
        db,
        "SELECT d.action FROM review_decisions d JOIN suggestions s ON s.id = d.suggestion_id "
        "WHERE s.arxiv_id = ? ORDER BY d.id",
        paper,
    )
    assert audit == [("approve",), ("undo",), ("approve",)]


def test_a_later_undo_of_an_approval_is_later_work_and_made_good(polled, capsys, tmp_path):
    db, paper, _ = polled
    approve(db, capsys, paper, "UndoLater")
    with_it = export(db, capsys)
    rev = import_revision(db, capsys, new_list(tmp_path, "RevNetF", "2101.00008"))
    assert main(["ask", f"/ptm-admin undo {paper}", "--db", db]) == 0
    code, out, err = run(capsys, "revert", str(rev), "--db", db)
    assert code == 2 and "1 later revision and 1 undo of an approval" in err
    assert f"undo of the approval of arXiv {paper}: approved again, 'UndoLater' is back" in out
    code, out, err = run(capsys, "revert", str(rev), "--db", db, "--force")
    assert code == 0, err
    assert export(db, capsys) == with_it
    assert query(db, "SELECT status FROM suggestions WHERE arxiv_id = ?", paper) == [("approved",)]
    assert query(
        db,
        "SELECT count(*) FROM suggestions s JOIN entries e ON e.id = s.entry_id WHERE s.arxiv_id = ?",
        paper,
    ) == [(1,)]


def test_an_approval_whose_entry_a_moderator_removed_is_linked_again_by_a_revert(polled, capsys, tmp_path):
    db, paper, _ = polled
    approve(db, capsys, paper, "RemovedNet")
    rev = import_revision(db, capsys, new_list(tmp_path, "RevNetG", "2101.00009"))
    assert main(["ask", "/ptm-admin remove RemovedNet", "--db", db]) == 0
    assert query(db, "SELECT status, entry_id FROM suggestions WHERE arxiv_id = ?", paper) == [
        ("approved", None)
    ]
    code, out, err = run(capsys, "revert", str(rev), "--db", db, "--force")
    assert code == 0, err
    assert " remove " in out and "RemovedNet" in out  # the removal is named among the later work
    ((linked,),) = query(
        db, "SELECT e.name FROM suggestions s JOIN entries e ON e.id = s.entry_id WHERE s.arxiv_id = ?", paper
    )
    assert linked == "RemovedNet"


def test_the_latest_revision_reverts_without_force(polled, capsys, tmp_path):
    db, _, _ = polled
    before = export(db, capsys)
    rev = import_revision(db, capsys, new_list(tmp_path, "RevNetC", "2101.00003"))
    code, out, err = run(capsys, "revert", str(rev), "--db", db)
    assert code == 0, err
    assert "also undoes" not in out
    assert export(db, capsys) == before


def test_moderators_changes_are_revisions_and_cannot_be_reverted_to(polled, capsys):
    db, paper, _ = polled
    approve(db, capsys, paper, "HistoryNet")
    assert main(["ask", "/ptm-admin edit XLNet org Google Brain", "--db", db]) == 0
    assert main(["ask", "/ptm-admin tag XLNet speech", "--db", db]) == 0
    assert main(["ask", "/ptm-admin remove HistoryNet", "--db", db]) == 0
    code, out, err = run(capsys, "history", "--db", db, "--json")
    assert code == 0, err
    revisions = json.loads(out)["revisions"]
    assert [r["action"] for r in revisions[:4]] == ["remove", "tag", "edit", "approve"]
    edit = revisions[2]
    assert edit["change"]["field"] == "org" and edit["change"]["new"] == "Google Brain"
    assert edit["change"]["old"] == "Google/CMU" and "terminal via cli" in edit["summary"]
    assert (
        revisions[0]["change"]["lines"][0].startswith("2")
        and "HistoryNet" in revisions[0]["change"]["lines"][0]
    )
    assert revisions[3]["change"]["arxiv_id"] == paper
    # The change only: no export stored per decision.
    assert query(db, "SELECT count(*) FROM catalog_revisions WHERE before IS NULL") == [(4,)]
    code, out, _ = run(capsys, "history", "--db", db, "--limit", "2")
    assert len(out.splitlines()) == 2 and out.split()[3] == "remove"

    code, _, err = run(capsys, "revert", str(revisions[3]["id"]), "--db", db)
    assert code == 2 and err.count("\n") == 1 and "moderator's approve" in err


def test_undo_of_an_approval_is_a_revision(polled, capsys):
    db, paper, _ = polled
    approve(db, capsys, paper, "UndoneNet")
    assert main(["ask", f"/ptm-admin undo {paper}", "--db", db]) == 0
    actions = query(db, "SELECT action, summary FROM catalog_revisions ORDER BY id DESC LIMIT 2")
    assert [a for a, _ in actions] == ["undo", "approve"] and "'UndoneNet' removed" in actions[0][1]


def test_an_import_or_revert_that_changes_nothing_records_nothing(db_path, capsys, tmp_path):
    db = str(db_path)
    path = tmp_path / "xlnet.md"
    path.write_text(f"## PTM\n{XLNET}\n", encoding="utf-8")
    count = query(db, "SELECT count(*) FROM catalog_revisions")
    code, out, err = run(capsys, "import", str(path), "--db", db)
    assert code == 0, err
    assert out.splitlines()[-1] == "nothing changed: no revision recorded"
    assert query(db, "SELECT count(*) FROM catalog_revisions") == count
    rev = import_revision(db, capsys, new_list(tmp_path, "RevNetD", "2101.00004"))
    assert main(["revert", str(rev), "--db", db]) == 0
    count = query(db, "SELECT count(*) FROM catalog_revisions")
    code, out, err = run(capsys, "revert", str(rev), "--db", db)  # the catalog is already that
    assert code == 0 and out.splitlines()[-1] == "nothing changed: no revision recorded"
    assert query(db, "SELECT count(*) FROM catalog_revisions") == count


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_history_limit_below_one_is_refused(db_path, capsys, limit):
    code, out, err = run(capsys, "history", "--db", str(db_path), "--limit", limit)
    assert code == 2 and out == ""
    assert (
        err == f"ptm-bot: --limit must be at least 1 (it was {limit}); leave it out to list every revision\n"
    )


def test_an_import_into_a_catalog_file_deleted_meanwhile_is_refused(db_path, capsys, tmp_path, monkeypatch):
    db = str(db_path)
    real_apply = importer.apply_plan

    async def delete_then_apply(session, plan, **kwargs):
        os.unlink(db)  # the operator deletes the catalog while the import writes
        return await real_apply(session, plan, **kwargs)

    monkeypatch.setattr(importer, "apply_plan", delete_then_apply)
    code, out, err = run(capsys, "import", new_list(tmp_path, "LostNet", "2101.00005"), "--db", db)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "was deleted or replaced during the import" in err
    assert "added" not in out


def test_a_revert_into_a_replaced_catalog_file_is_refused(db_path, capsys, tmp_path, monkeypatch):
    db = str(db_path)
    rev = import_revision(db, capsys, new_list(tmp_path, "SwapNet", "2101.00006"))
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(Path(db).read_bytes())
    real_apply = importer.apply_plan

    async def replace_then_apply(session, plan, **kwargs):
        os.replace(copy, db)  # another file now has the catalog's name
        return await real_apply(session, plan, **kwargs)

    monkeypatch.setattr(importer, "apply_plan", replace_then_apply)
    code, out, err = run(capsys, "revert", str(rev), "--db", db)
    assert code == 2 and "was deleted or replaced during the revert" in err and out == ""
    monkeypatch.setattr(importer, "apply_plan", real_apply)
    assert "SwapNet" in export(db, capsys)  # the file at the path: not reverted, not damaged
