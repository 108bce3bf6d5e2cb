"""Whole numbers beyond what a database column holds are usage errors (exit 2), never an
``OverflowError`` from the driver: the CLI's options (bot.cli.numbers) and ``ask``'s slash options."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.cli.ask import AskError, parse_command_line
from bot.cli.main import main

HUGE = "99999999999999999999"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PTM_BOT_CONFIG", raising=False)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "OverflowError" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["revert", HUGE], "argument REV: must be at most 2147483647"),
        (["history", "--limit", HUGE], "argument --limit: must be at most 2147483647"),
        (["search", "bert", "--offset", HUGE], "argument --offset: must be at most 2147483647"),
        (
            ["search", "bert", "--limit", "9223372036854775807"],
            "argument --limit: must be at most 2147483647",
        ),
        (["top", "--offset", "9223372036854775808"], "argument --offset: must be at most 2147483647"),
        (["model", "bert", "--limit", HUGE], "argument --limit: must be at most 2147483647"),
        (["search", "bert", "--offset", "x"], "argument --offset: 'x' is not a whole number"),
        (["ask", "--member", HUGE, "/ptm following"], f"argument --member: '{HUGE}' is not a Discord id"),
        (["ask", "--member", "-5", "/ptm following"], "argument --member: '-5' is not a Discord id"),
        (["ask", "--member", "0", "/ptm following"], "argument --member: '0' is not a Discord id"),
        (["sync", "--guild", "-1"], "argument --guild: '-1' is not a Discord id"),
    ],
)
def test_out_of_range_numbers_are_usage_errors(db_path, capsys, argv, message):
    assert message in usage_error(capsys, *argv, "--db", str(db_path))


def test_largest_page_is_still_answered(db_path, capsys):
    # Both at the bound: the search adds them up, still inside SQLite's 64 bits.
    top = str(2**31 - 1)
    assert main(["search", "bert", "--offset", top, "--limit", top, "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == "nothing found for 'bert'\n"


def test_member_id_is_used(db_path, capsys):
    assert main(["ask", "--member", "1234567890123", "/ptm follow topic speech", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["ask", "--member", "1234567890123", "/ptm following", "--db", str(db_path)]) == 0
    assert "speech" in capsys.readouterr().out.lower()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"/ptm recent speech count={HUGE}", "count: must be at most 25"),
        (f"/ptm-admin route remove {HUGE}", "number: must be at most 2147483647"),
    ],
)
def test_slash_numbers_beyond_their_range(db_path, capsys, line, message):
    assert main(["ask", line, "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"ptm-bot: {message}\n"


def test_slash_arxiv_version_beyond_three_digits_is_not_an_id(db_path, capsys):
    assert main(["ask", f"/ptm-admin approve 2604.21952v{HUGE}", "--db", str(db_path)]) == 1
    assert "is not an arXiv id or URL" in capsys.readouterr().out
    assert main(["ask", "/ptm-admin approve 2604.21952v12", "--db", str(db_path)]) == 1
    assert "No suggestion for arXiv 2604.21952." in capsys.readouterr().out


def test_slash_integer_without_a_range_takes_discords_bounds():
    # An integer option with no range of its own: Discord itself takes -2**53..2**53 only.
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.default()))

    @tree.command(name="pick", description="pick")
    async def pick(interaction, number: int) -> None:  # type: ignore[no-untyped-def]
        """Pick."""

    assert parse_command_line(tree, f"/pick {2**53}").values == {"number": 2**53}
    with pytest.raises(AskError, match=r"number: must be at most 9007199254740992"):
        parse_command_line(tree, f"/pick {HUGE}")
    with pytest.raises(AskError, match=r"number: must be at least -9007199254740992"):
        parse_command_line(tree, f"/pick -{HUGE}")
