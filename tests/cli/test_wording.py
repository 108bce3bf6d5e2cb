"""The answers read as English (the sweep's findings): no "the catalog as the catalog as data", "an"
before a vowel, and a singular count in the singular."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.database import open_database
from tests.plugins.database import add_pending


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_json_export_says_what_it_attaches(capsys, db_path) -> None:
    code, out, _ = run(capsys, "ask", "--db", str(db_path), "/ptm-admin export json", "--json")
    assert code == 0
    content = json.loads(out)["content"]
    assert content.startswith("The catalog as JSON data (") and content.endswith(" bytes).")
    assert "as the catalog" not in content


@pytest.mark.parametrize(("command", "says"), [("org", "an organisation"), ("author", "an author name")])
def test_an_empty_name_asks_for_an_organisation(capsys, db_path, command, says) -> None:
    code, out, _ = run(capsys, "ask", "--db", str(db_path), f"/ptm {command} ' '")
    assert code == 1 and out.startswith(f"Please give {says}.")


def test_one_pending_suggestion_is_singular_in_health(capsys, db_path: Path) -> None:
    async def one_pending() -> None:
        db = await open_database(f"sqlite+aiosqlite:///{db_path}")
        try:
            await add_pending(db)
        finally:
            await db.close()

    asyncio.run(one_pending())
    _, out, _ = run(capsys, "health", "--db", str(db_path), "--json")  # exit 1: no poller runs
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert checks["catalog"]["detail"] == "17 surveys, 102 models, 34 resources; 1 suggestion pending"


def test_an_import_of_one_model_says_one_model(capsys, db_path: Path, tmp_path: Path) -> None:
    """Session 8: the import summary said "1 models", "1 conflicts", "1 lines not fully read"."""
    shipped = Path(__file__).resolve().parents[2] / "bot" / "data"
    listing = next(shipped.glob("*.md")).read_text(encoding="utf-8").splitlines()
    first_model = next(i for i, line in enumerate(listing) if line.startswith("## PTM")) + 1
    head = [line for line in listing[:first_model] if not line[:4].isdigit()]  # no survey line
    model = (
        "2401: [ZzModel](https://example.org/zz) (from Org) released with the paper "
        "[ZzModel: a test](https://arxiv.org/abs/2401.00001.pdf) by A B"
    )
    one = tmp_path / "one.md"
    for extra, tail in (
        ([], "0 conflicts, 0 lines not fully read"),
        (["2402: no entry ["], "1 line not fully read"),
    ):
        one.write_text("\n".join([*head, model, *extra]) + "\n", encoding="utf-8")
        code, out, _ = run(capsys, "import", str(one), "--dry-run", "--db", str(db_path))
        assert code in (0, 1), out  # 1: a line not fully read
        summary = next(line for line in out.splitlines() if line.startswith(f"{one}: "))
        assert summary.endswith(tail), summary
        if not extra:
            assert summary.startswith(
                f"{one}: 0 surveys, 1 model, 0 resources read (1 line fully read); 1 added"
            )
