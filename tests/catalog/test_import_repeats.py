"""A block of the list pasted twice (issue 21): repeated free-form lines are read once and reported
once, like repeated model lines, never merged into descriptions nor imported as "(2)" copies."""

from __future__ import annotations

import json
from pathlib import Path

from bot.catalog.listformat import parse_list
from bot.cli.main import main

SHIPPED = Path(__file__).resolve().parents[2] / "bot" / "data" / "ptm-list.md"


def _tail_pasted_twice() -> str:
    """The shipped list with its last ten resource blocks (40 lines) pasted again at its end."""
    text = SHIPPED.read_text(encoding="utf-8")
    return text.rstrip("\n") + "\n\n" + "".join(text.splitlines(keepends=True)[-40:])


def test_repeated_blocks_are_read_once_and_reported_once(tmp_path: Path, db_path: Path, capsys) -> None:
    doubled = _tail_pasted_twice()
    path = tmp_path / "doubled.md"
    path.write_text(doubled, encoding="utf-8")
    assert main(["import", str(path), "--db", str(db_path), "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    shipped = parse_list(SHIPPED.read_text(encoding="utf-8"))
    shipped_resources = sum(1 for e in shipped.entries if str(e.kind) == "resource")
    assert report["counts"]["resource"] == shipped_resources  # no "(2)" copies
    assert report["added"] == [] and report["updated"] == [] and report["skipped"] == []
    repeats = [p for p in report["problems"] if p["problem"].startswith("the same block as line ")]
    assert len(repeats) >= 9 and len({p["line"] for p in repeats}) == len(repeats)
    assert not [p for p in report["problems"] if "duplicate resource name" in p["problem"]]


def test_a_block_pasted_twice_in_place_is_halved() -> None:
    block = "《CogLTX: Applying BERT to Long Texts》\n论文链接：\nhttps://example.org/cogltx.pdf\n"
    text = "# T\n## PTM\n\n2006: [X](https://x.org) free line\n\n\n\n" + block + block
    doc = parse_list(text)
    (resource,) = [e for e in doc.entries if str(e.kind) == "resource"]
    assert resource.description == "《CogLTX: Applying BERT to Long Texts》"
    assert [link.url for link in resource.links] == ["https://example.org/cogltx.pdf"]
    assert any(p.problem.startswith("the same lines as line ") for p in doc.problems)
