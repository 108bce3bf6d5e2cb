"""The CLI's Discord side: ``ptm-bot ask`` (offline, same handlers and renderers), ``run`` and ``sync``."""

from __future__ import annotations

import json
from pathlib import Path

import discord
import pytest

from bot.catalog.topics import TOPICS
from bot.cli.main import main
from bot.client.bot import PTMBot


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No config.toml from the working directory, no token from the environment.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PTM_BOT_CONFIG", raising=False)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)


def ask(db_path: Path, *words: str) -> list[str]:
    return ["ask", *words, "--db", str(db_path)]


def test_ask_model_json(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ask(db_path, "/ptm model DeBERTa", "--json")) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"content", "embeds", "ephemeral", "links", "vote_entry_id"}  # + the Vote button
    assert payload["content"] is None and payload["ephemeral"] is False
    assert [link["label"] for link in payload["links"]] == ["Paper", "Docs"]  # the link buttons
    (embed,) = payload["embeds"]
    assert embed["title"] == "DeBERTa"
    assert embed["url"] == "https://huggingface.co/docs/transformers/model_doc/deberta"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Date"] == "2020-06"
    assert "DeBERTa-v2" in fields["Related"]


def test_ask_model_text(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ask(db_path, "/ptm model DeBERTa")) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "DeBERTa <https://huggingface.co/docs/transformers/model_doc/deberta>"
    assert "Date: 2020-06" in out
    assert "Organisation: Microsoft" in out
    assert any(line.startswith("Related: DeBERTa-v2") for line in out)


def test_ask_unquoted_words_join_the_last_text_option(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(ask(db_path, "/ptm", "model", "deberta", "v2", "--json")) == 0
    assert json.loads(capsys.readouterr().out)["embeds"][0]["title"] == "DeBERTa-v2"


def test_ask_not_found_is_ephemeral(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ask(db_path, "/ptm model debrta", "--json")) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ephemeral"] is True and payload["embeds"] == []
    assert payload["content"].startswith("No model called **debrta**") and "DeBERTa" in payload["content"]
    assert main(ask(db_path, "/ptm model debrta")) == 0
    assert capsys.readouterr().out.endswith("(only you can see this)\n")


def test_ask_recent_with_named_option(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ask(db_path, "/ptm recent speech count=3", "--json")) == 0
    payload = json.loads(capsys.readouterr().out)
    (embed,) = payload["embeds"]
    assert embed["title"] == "Newest in Speech (audio)"
    assert len(embed["description"].splitlines()) == 3
    assert payload["pages"] > 1 and payload["page"] == 1


def test_ask_search_chinese(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ask(db_path, "/ptm search 蒸馏", "--json")) == 0
    out = capsys.readouterr().out
    assert "知识蒸馏" in out  # not \\u-escaped


def test_ask_stats_lists_the_chart(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ask(db_path, "/ptm stats", "--json")) == 0
    payload = json.loads(capsys.readouterr().out)
    (chart,) = payload["files"]
    assert chart["filename"] == "ptm-stats.png" and chart["size"] > 5000
    assert main(ask(db_path, "/ptm stats")) == 0
    assert "[attachment: ptm-stats.png," in capsys.readouterr().out


def test_ask_user_mistake_prints_the_private_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ask(db_path, "/ptm-admin tag DeBERTa klingon")) == 1
    assert capsys.readouterr().out == "Unknown topic(s): klingon.\n(only you can see this)\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/ptm recent speech count=99", "count: must be at most 25"),
        ("/ptm recent speech count=many", "count: 'many' is not a whole number"),
        ("/ptm nope", "/ptm has no subcommand 'nope'"),
        ("/ptm", "/ptm needs a subcommand"),
        ("/nope", "no command /nope"),
        ("/ptm model", "/ptm model: missing name"),
        ("/ptm stats extra", "/ptm stats takes: (no options); too many values"),
        ("/ptm model 'unbalanced", "cannot split the command line"),
    ],
)
def test_ask_usage_errors(db_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str) -> None:
    assert main(ask(db_path, line)) == 2
    err = capsys.readouterr().err
    assert err.startswith("ptm-bot: ") and message in err
    assert err.count("\n") == 1


def test_ask_validates_topic_choices(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(ask(db_path, "/ptm recent klingon"))
    if len(TOPICS) <= 25:  # topics are choices: checked like Discord checks them
        assert status == 2 and "not one of the choices" in capsys.readouterr().err
    else:  # autocomplete: the handler re-validates
        assert status == 1 and "Unknown topic" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# run and sync: a rejected token is one clear line, exit status 2


@pytest.fixture
def rejected_token(monkeypatch: pytest.MonkeyPatch) -> None:
    async def static_login(self: discord.http.HTTPClient, token: str) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", static_login)
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-token")
    monkeypatch.setattr("bot.client.runner.configure_logging", lambda level: None)


@pytest.mark.usefixtures("rejected_token")
def test_run_with_rejected_token(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ptm-bot: Discord rejected the token in DISCORD_TOKEN")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.usefixtures("rejected_token")
def test_sync_with_rejected_token(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--guild", "123", "--db", str(db_path)]) == 2
    assert capsys.readouterr().err.startswith("ptm-bot: Discord rejected the token in DISCORD_TOKEN")


def test_run_and_sync_without_token(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--db", str(db_path)]) == 2
    assert "no Discord token" in capsys.readouterr().err
    assert main(["sync", "--db", str(db_path)]) == 2
    assert "no Discord token" in capsys.readouterr().err


def test_run_shuts_down_cleanly_on_sigterm(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio
    import os
    import signal

    seen: dict[str, object] = {}

    async def start(self: PTMBot, token: str) -> None:  # stands in for login + gateway
        await self.setup_hook()
        seen["session"] = self.http_session
        os.kill(os.getpid(), signal.SIGTERM)  # handled by run_bot's signal handler
        while not self.is_closed():  # noqa: ASYNC110 - mimics Client.start returning after close()
            await asyncio.sleep(0.01)

    monkeypatch.setattr(PTMBot, "start", start)
    monkeypatch.setattr("bot.client.runner.configure_logging", lambda level: None)
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    assert main(["run", "--db", str(db_path)]) == 0
    assert seen["session"] is not None and seen["session"].closed  # type: ignore[attr-defined]
    assert capsys.readouterr().err == ""


def test_run_when_discord_is_unreachable(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on: connection refused, for real
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.setattr("bot.client.runner.configure_logging", lambda level: None)
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    assert main(["run", "--db", str(db_path)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("ptm-bot: cannot reach Discord") and err.count("\n") == 1


def test_sync_when_discord_is_unreachable(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    assert main(["sync", "--guild", "123", "--db", str(db_path)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("ptm-bot: cannot connect") and "Traceback" not in err


def test_ask_reply_echoing_controls_is_escaped_on_the_terminal(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Escaped where the reply reaches the terminal; the payload (what Discord gets) is unchanged.
    assert main(ask(db_path, "/ptm model \x1b]0;pwned\x07x\x1b[31mred\x9b")) == 0
    out = capsys.readouterr().out
    assert out.startswith("No model called \\x1b]0;pwned\\x07x\\x1b[31mred\\x9b in the catalog.\n")
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert main(ask(db_path, "/ptm model \x1b[31mred\x9b", "--json")) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out and "\\u009b" in out
    assert "\x1b[31mred\x9b" in json.loads(out)["content"]
    # A command line that is not UTF-8: its bytes arrive as lone surrogates (0x9b: a CSI).
    assert main(ask(db_path, "/ptm model zz\udc9bzz")) == 0
    out = capsys.readouterr().out
    assert out.startswith("No model called zz\\udc9bzz in the catalog.\n") and "\udc9b" not in out
