"""Every key from the environment (``PTM_BOT_<SECTION>_<KEY>``) and ``ptm-bot config show``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import CONFIG_PATH_ENV, ConfigError, load_config
from bot.config.env import env_name

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("PTM_BOT_") and not name.startswith("PTM_BOT_TEST_"):
            monkeypatch.delenv(name)


def test_every_kind_of_value_from_the_environment(tmp_path: Path) -> None:
    config = load_config(
        env={
            "PTM_BOT_RELEVANCE_PER_POLL_CAP": "10",
            "PTM_BOT_RELEVANCE_THRESHOLD": "0.4",
            "PTM_BOT_SCHEDULE_ENABLED": "false",
            "PTM_BOT_SCHEDULE_DAYS": "mon,wed,fri",
            "PTM_BOT_SCHEDULE_TIMEZONE": '"Europe/Berlin"',
            "PTM_BOT_FEEDS_CATEGORIES": "cs.CL, cs.LG",
            "PTM_BOT_DISCORD_GUILD_IDS": "[123456789012345678, 234567890123456789]",
            "PTM_BOT_DISCORD_MODERATOR_ROLES": "345678901234567890,PTM curators",
            "PTM_BOT_DISCORD_REVIEW_CHANNEL": "ptm-review",
            "PTM_BOT_DATABASE_URL": "sqlite+aiosqlite:///cat.sqlite3",
            "PTM_BOT_LOGGING_LEVEL": "debug",
            "PTM_BOT_FEEDS_CONTACT": "",  # empty: unset
            "PTM_BOT_CONFIG_UNRELATED": "x",  # not a config table: not ours
            "PTM_BOT_TEST_POSTGRES_URL": "postgresql://x",
        }
    )
    assert config.relevance.per_poll_cap == 10 and config.relevance.threshold == 0.4
    assert config.schedule.enabled is False and config.schedule.days == "mon,wed,fri"
    assert config.schedule.timezone == "Europe/Berlin"
    assert config.feeds.categories == ("cs.CL", "cs.LG")
    assert config.discord.guild_ids == (123456789012345678, 234567890123456789)
    assert config.discord.moderator_roles == (345678901234567890, "PTM curators")
    assert config.discord.review_channel == "ptm-review"
    assert config.database.url == f"sqlite+aiosqlite:///{(tmp_path / 'cat.sqlite3').as_posix()}"
    assert config.logging.level == "DEBUG"
    assert config.feeds.contact == ""
    assert config.origins["relevance.per_poll_cap"] == "environment (PTM_BOT_RELEVANCE_PER_POLL_CAP)"
    assert "feeds.contact" not in config.origins


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[relevance]\nper_poll_cap = 3\ndaily_cap = 7\n", encoding="utf-8")
    config = load_config(path, env={"PTM_BOT_RELEVANCE_PER_POLL_CAP": "5"})
    assert (config.relevance.per_poll_cap, config.relevance.daily_cap) == (5, 7)
    assert config.origins["relevance.daily_cap"] == "file"
    assert config.origins["relevance.per_poll_cap"].startswith("environment")


def test_errors_name_the_variable_and_come_with_the_file_s(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[logging]\nlevel = "loud"\n', encoding="utf-8")
    env = {
        "PTM_BOT_RELEVANCE_PER_POLL_CAP": "many",
        "PTM_BOT_SCHEDULE_HOURS": "3",
        "PTM_BOT_FEEDS_CATEGORIES": "cs.CL,12",
        "PTM_BOT_DISCORD_TOKEN": "abc.def",
    }
    with pytest.raises(ConfigError) as info:
        load_config(path, env=env)
    text = str(info.value).splitlines()
    assert (
        text[0]
        == f"{path}:2: logging.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'loud'"
    )
    assert (
        "environment: PTM_BOT_RELEVANCE_PER_POLL_CAP (relevance.per_poll_cap): must be an integer >= 1, got 'many'"
        in text
    )
    assert any(
        line.startswith("environment: PTM_BOT_FEEDS_CATEGORIES (feeds.categories): item 2") for line in text
    )
    assert (
        "environment: PTM_BOT_SCHEDULE_HOURS: no such setting [schedule] hours (did you mean PTM_BOT_SCHEDULE_HOUR?)"
        in text
    )
    token_line = next(line for line in text if "PTM_BOT_DISCORD_TOKEN" in line)
    assert "DISCORD_TOKEN" in token_line and "abc.def" not in str(info.value)
    assert len(text) == 5


def test_the_example_file_documents_the_environment() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "PTM_BOT_<SECTION>_<KEY>" in text
    assert env_name("relevance", "per_poll_cap") == "PTM_BOT_RELEVANCE_PER_POLL_CAP"


def test_config_show_names_each_origin_and_masks_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text("[relevance]\ndaily_cap = 7\n", encoding="utf-8")
    monkeypatch.setenv("PTM_BOT_DATABASE_URL", "postgresql+asyncpg://ptm:hunter2@db/ptm")
    monkeypatch.setenv("PTM_BOT_SCHEDULE_HOUR", "4")
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.secret.token")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out and "MTIz" not in out
    lines = out.splitlines()
    assert lines[0] == f"# config file: {(tmp_path / 'config.toml').resolve()}"
    assert lines[1] == "# Discord token: DISCORD_TOKEN is set (masked)"

    def line(key: str) -> str:
        return next(x for x in lines if x.startswith(f"{key} = "))

    assert line("url").startswith('url = "postgresql+asyncpg://ptm:***@db/ptm"')
    assert line("url").endswith("# environment (PTM_BOT_DATABASE_URL)")
    assert line("hour").endswith("# environment (PTM_BOT_SCHEDULE_HOUR)")
    assert line("daily_cap").endswith("# file")
    assert line("per_poll_cap").endswith("# default")

    assert main(["config", "show", "--json", "--db", str(tmp_path / "x.sqlite3")]) == 0
    payload = json.loads(capsys.readouterr().out)
    settings = {s["key"]: s for s in payload["settings"]}
    assert settings["database.url"]["origin"] == "command line (--db)"
    assert settings["schedule.hour"] == {
        "key": "schedule.hour",
        "value": 4,
        "origin": "environment (PTM_BOT_SCHEDULE_HOUR)",
        "env": "PTM_BOT_SCHEDULE_HOUR",
    }
    assert payload["token"] == {"variable": "DISCORD_TOKEN", "set": True}
    # Every key of every table is listed, so an operator sees the whole effective configuration.
    config = load_config(env={})
    expected = set()
    from bot.config.schema import TABLES

    for t in TABLES:
        for f in dataclasses.fields(getattr(config, t)):
            value = getattr(getattr(config, t), f.name)
            if dataclasses.is_dataclass(value):  # a sub-table ([relevance.gates]): each of its keys
                expected |= {f"{t}.{f.name}.{sub.name}" for sub in dataclasses.fields(value)}
            else:
                expected.add(f"{t}.{f.name}")
    assert set(settings) == expected
    assert settings["relevance.gates.never_terms"] == {
        "key": "relevance.gates.never_terms",
        "value": [],
        "origin": "default",
        "env": "PTM_BOT_RELEVANCE_GATES",
    }


def test_config_show_lists_the_gates_of_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config.toml").write_text(
        '[relevance.gates]\nnever_terms = ["ChatGPT for"]\n', encoding="utf-8"
    )
    assert main(["config", "show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    line = next(x for x in lines if x.startswith("gates.never_terms = "))
    assert line.startswith('gates.never_terms = ["ChatGPT for"]') and line.endswith("# file")


def test_a_typo_in_the_section_is_reported_like_a_typo_in_the_key(capsys, monkeypatch) -> None:
    """Issue 23: PTM_BOT_RELEVENCE_THRESHOLD was silently ignored (PTM_BOT_RELEVANCE_THRESHHOLD was not)."""
    with pytest.raises(ConfigError) as info:
        load_config(
            env={
                "PTM_BOT_RELEVENCE_THRESHOLD": "0.4",
                "PTM_BOT_DATABSE_URL": "sqlite+aiosqlite:///x.sqlite3",
                "PTM_BOT_SHEDULE_HOURR": "4",
                "PTM_BOT_CONFIG_UNRELATED": "x",  # still not ours
                "PTM_BOT_TEST_POSTGRES_URL": "postgresql://x",
            }
        )
    assert str(info.value).splitlines() == [
        "environment: PTM_BOT_DATABSE_URL: no such setting [databse] url (did you mean PTM_BOT_DATABASE_URL?)",
        "environment: PTM_BOT_RELEVENCE_THRESHOLD: no such setting [relevence] threshold "
        "(did you mean PTM_BOT_RELEVANCE_THRESHOLD?)",
        "environment: PTM_BOT_SHEDULE_HOURR: no such setting [shedule] hourr (did you mean PTM_BOT_SCHEDULE_HOUR?)",
    ]
    monkeypatch.setenv("PTM_BOT_RELEVENCE_THRESHOLD", "0.4")
    assert main(["config", "show"]) == 2
    assert "PTM_BOT_RELEVENCE_THRESHOLD: no such setting [relevence] threshold" in capsys.readouterr().err


def test_a_nested_table_or_the_routes_from_the_environment_say_how(capsys, monkeypatch) -> None:
    """Session 8: PTM_BOT_RELEVANCE_GATES_NEVER_TERMS was refused without saying that [relevance.gates]
    is set as a whole, and PTM_BOT_ROUTES_* was silently ignored."""
    with pytest.raises(ConfigError) as info:
        load_config(env={"PTM_BOT_RELEVANCE_GATES_NEVER_TERMS": "quantum", "PTM_BOT_ROUTES_TOPIC": "speech"})
    assert str(info.value).splitlines() == [
        "environment: PTM_BOT_RELEVANCE_GATES_NEVER_TERMS: no such setting [relevance] gates_never_terms "
        "([relevance.gates] is set as a whole, as a TOML inline table: "
        "PTM_BOT_RELEVANCE_GATES='{never_terms = ...}')",
        "environment: PTM_BOT_ROUTES_TOPIC: [[routes]] can only be set in the config file (an array of tables)",
    ]
    config = load_config(env={"PTM_BOT_RELEVANCE_GATES": '{never_terms = ["quantum"]}'})
    assert config.relevance.gates.never_terms == ("quantum",)
    monkeypatch.setenv("PTM_BOT_ROUTES_CHANNEL", "speech-review")
    assert main(["config", "show"]) == 2
    assert "PTM_BOT_ROUTES_CHANNEL: [[routes]] can only be set in the config file" in capsys.readouterr().err


def test_a_bad_variable_stops_the_cli_with_exit_2(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTM_BOT_SCHEDULE_MINUTE", "61")
    assert main(["config", "show"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "ptm-bot: invalid configuration:\n"
        "environment: PTM_BOT_SCHEDULE_MINUTE (schedule.minute): must be an integer between 0 and 59, got 61\n"
    )


def test_config_show_lists_every_table(capsys) -> None:
    """Issue 23: a new table ([catalog]) and the older [review] and [digest] are shown too."""
    from bot.config.schema import TABLES

    assert main(["config", "show", "--json"]) == 0
    keys = {row["key"].split(".")[0] for row in json.loads(capsys.readouterr().out)["settings"]}
    assert keys == set(TABLES)
