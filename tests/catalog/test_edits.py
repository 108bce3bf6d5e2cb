"""``/ptm-admin edit`` stores only what the list's markdown can carry and read back (the sweep's
findings): no terminal escape sequence or bidi override, no markdown link syntax that breaks the
line, no URL that is not a link, no date the list cannot write; the catalog's own export re-imports
cleanly after every refused (and every accepted) edit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def export(capsys, db: Path) -> str:
    code, out, err = run(capsys, "export", "--db", str(db))
    assert code == 0, err
    return out


def reimport_report(capsys, db: Path, tmp_path: Path) -> str:
    """What ``import --dry-run`` of the catalog's own export says (its summary line)."""
    listing = tmp_path / "export.md"
    listing.write_text(export(capsys, db), encoding="utf-8")
    code, out, err = run(capsys, "import", "--dry-run", "--quiet", "--db", str(db), str(listing))
    assert code == 0, err
    return out


def test_an_edit_stores_no_escape_sequence_nor_bidi_override(capsys, db_path) -> None:
    code, out, _ = run(capsys, "ask", "--db", str(db_path), "/ptm-admin edit BERT org Goo\x1b[2Jgle\u202e")
    assert code == 0 and "Updated org of BERT." in out
    text = export(capsys, db_path)
    assert "(from Google) released with the paper [BERT:" in text
    assert "\x1b" not in text and "\u202e" not in text
    code, out, _ = run(capsys, "ask", "--db", str(db_path), "/ptm model BERT")
    assert code == 0 and "Google" in out and "\x1b" not in out and "\u202e" not in out
    code, out, _ = run(capsys, "history", "--db", str(db_path), "--json", "--limit", "1")
    assert '"new": "Google"' in out


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("name", "Foo](http://evil) (from X", "The list's line cannot hold name 'Foo](http://evil) (from X'"),
        ("org", "Goo(gle", "The list's line cannot hold org 'Goo(gle'"),
        ("paper_title", "A ] B", "The list's line cannot hold paper_title 'A ] B'"),
        ("docs_url", "javascript:alert(1)", "docs_url must be an http(s) URL with a host"),
        ("paper_url", "notaurl", "paper_url must be an http(s) URL with a host"),
        ("paper_url", "https://exa mple.org/x", "paper_url must be an http(s) URL with a host"),
        ("date", "1700", "date must be between 1950 and "),
        ("date", f"{datetime.now(UTC).year + 2}", "date must be between 1950 and "),
        ("date", "1999-05", "a date with a month is from 2000 on"),
        ("date", "2010", "the list would read the bare year 2010 as 2020-10"),
    ],
)
def test_an_edit_the_list_cannot_hold_is_refused_and_nothing_changes(
    capsys, db_path, tmp_path, field, value, says
) -> None:
    before = export(capsys, db_path)
    code, out, _ = run(capsys, "ask", "--db", str(db_path), f"/ptm-admin edit BERT {field} {value}")
    assert code == 1
    assert says in out and "nothing changed" in out and "Updated" not in out
    assert export(capsys, db_path) == before
    code, out, _ = run(capsys, "history", "--db", str(db_path), "--json")
    assert '"action": "edit"' not in out
    report = reimport_report(capsys, db_path, tmp_path)
    assert "0 added, 0 updated, 153 unchanged, 0 conflicts, 2 lines not fully read" in report


def test_edits_the_list_can_hold_read_back_as_written(capsys, db_path, tmp_path) -> None:
    for field, value in [
        ("date", "2019-05"),
        ("date", "2019"),
        ("docs_url", "https://en.wikipedia.org/wiki/BERT_(language_model)"),
        ("paper_url", "https://arxiv.org/abs/1810.04806"),
        ("paper_title", "BERT [v2]: deep bidirectional transformers"),
        ("org", "Google (Mountain View)"),
        ("name", "BERT-base"),
    ]:
        code, out, _ = run(capsys, "ask", "--db", str(db_path), f"/ptm-admin edit BERT {field} {value}")
        assert code == 0 and "Updated" in out, (field, out)
    line = next(ln for ln in export(capsys, db_path).splitlines() if "[BERT-base]" in ln)
    assert line.startswith(
        "2019: [BERT-base](https://en.wikipedia.org/wiki/BERT_(language_model)) (from Google (Mountain View)) "
        "released with the paper [BERT [v2]: deep bidirectional transformers](https://arxiv.org/abs/1810.04806)"
    )
    report = reimport_report(capsys, db_path, tmp_path)
    assert "0 added, 0 updated, 153 unchanged, 0 conflicts, 2 lines not fully read" in report
