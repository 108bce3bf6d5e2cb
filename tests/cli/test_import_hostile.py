"""What an imported file cannot do (issue 23): terminal control bytes are never stored nor echoed, and
a foreign list's table of contents (links to its own headings) never becomes entries."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.cli.main import main

CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
HOSTILE = (
    "# L\n\n## PTM\n\n"
    "1906: [New\x1b[2JNet\x07](https://example.org/newnet) (from Org\x1b]0;pwned\x07) released with the "
    "paper [NewNet: a \x1b[31mmodel\x1b[0m](https://arxiv.org/abs/1906.00001) by Ada\x08\x08\x08 Lovelace.\n"
)
CONTENTS = (
    "# Awesome things\n\n## Contents\n\n"
    "* [Applications](#applications)\n* [Models](#models)\n  * [Sub models](#sub-models)\n\n"
    "## Applications\n\n"
    "1906: [NewNet](https://example.org/newnet) released with the paper "
    "[NewNet: a model](https://arxiv.org/abs/1906.00001) by Ada Lovelace.\n"
)


def stored(capsys, db: Path, name: str) -> dict | None:
    code = main(["model", name, "--db", str(db), "--json"])
    out = capsys.readouterr().out
    if code != 0:
        return None
    return json.loads(out)["entries"][0]


def printed_lines(out: str) -> list[str]:
    return out.splitlines()


def test_control_bytes_are_stripped_from_names_and_reported(db_path, tmp_path, capsys):
    path = tmp_path / "hostile.md"
    path.write_text(HOSTILE, encoding="utf-8")
    assert main(["import", str(path), "--db", str(db_path)]) == 0
    captured = capsys.readouterr()
    assert not any(CONTROL.search(line) for line in printed_lines(captured.out)), captured.out
    assert "line 5: control characters (terminal escape sequences) removed: 1906: [NewNet]" in captured.out
    assert "  added model 'NewNet'" in captured.out
    entry = stored(capsys, db_path, "NewNet")
    assert entry is not None
    assert (entry["name"], entry["org"], entry["paper_title"], entry["authors"]) == (
        "NewNet",
        "Org",
        "NewNet: a model",
        ["Ada Lovelace"],
    )


def test_bidi_overrides_are_stripped_like_control_bytes(db_path, tmp_path, capsys):
    path = tmp_path / "bidi.md"
    path.write_text(CONTENTS.replace("[NewNet]", "[New\u202eteNweN\u202c]"), encoding="utf-8")
    assert main(["import", str(path), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "control characters (terminal escape sequences) removed" in out and "\u202e" not in out
    entry = stored(capsys, db_path, "NewteNweN")
    assert entry is not None and entry["name"] == "NewteNweN"


def test_a_file_name_with_control_bytes_is_shown_escaped(db_path, tmp_path, capsys):
    path = tmp_path / "list\x1b]0;pwned\x07.md"
    path.write_text(CONTENTS.replace("Awesome things", "L"), encoding="utf-8")
    assert main(["import", str(path), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert not any(CONTROL.search(line) for line in printed_lines(out)), out
    assert "list\\x1b]0;pwned\\x07.md: 0 surveys, 1 model," in out, out
    assert main(["history", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "list\\x1b]0;pwned\\x07.md" in out and not CONTROL.search(out.replace("\n", ""))
    missing = tmp_path / "gone\x1b[2J.md"
    assert main(["import", str(missing), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"ptm-bot: cannot read {tmp_path}/gone\\x1b[2J.md: No such file or directory\n"


def test_a_table_of_contents_is_reported_not_imported(db_path, tmp_path, capsys):
    path = tmp_path / "awesome.md"
    path.write_text(CONTENTS, encoding="utf-8")
    assert main(["import", str(path), "--db", str(db_path), "--allow-structure"]) == 0
    out = capsys.readouterr().out
    assert (
        "line 5: a table of contents (3 link(s) to headings of this page, lines 5-7); links within the "
        "page are not entries: not imported" in out
    )
    assert "Applications'" not in out and "Models'" not in out and "Contents" not in out
    assert "  added model 'NewNet'" in out
    assert main(["export", "--db", str(db_path)]) == 0
    exported = capsys.readouterr().out
    assert "[NewNet](https://example.org/newnet)" in exported
    assert (
        "#applications" not in exported and "[Sub models]" not in exported and "## Contents" not in exported
    )


def test_a_table_of_contents_never_fills_an_empty_catalog(tmp_path, capsys):
    db = tmp_path / "empty.sqlite3"
    assert main(["init", "--empty", "--db", str(db)]) == 0
    path = tmp_path / "awesome.md"
    path.write_text(CONTENTS, encoding="utf-8")
    assert main(["import", str(path), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "a table of contents (3 link(s)" in out and "1 added" in out
    assert main(["export", "--db", str(db)]) == 0
    exported = capsys.readouterr().out
    assert "#applications" not in exported and "#sub-models" not in exported and "Contents" not in exported
