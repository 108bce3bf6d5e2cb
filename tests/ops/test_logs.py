"""``--log-format json``: one JSON object per line with the context passed in ``extra=``."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.cli.errors import say_errors_as_json
from bot.cli.main import main
from bot.client.runner import configure_logging, use_log_format
from bot.config import CONFIG_PATH_ENV
from bot.ops.logs import JsonFormatter, make_formatter


def record(message: str, *args: object, exc: bool = False, **extra: object) -> logging.LogRecord:
    logger = logging.getLogger("bot.watch.poll")
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    return logger.makeRecord(logger.name, logging.WARNING, __file__, 1, message, args, exc_info, extra=extra)


def test_json_line_has_the_fields_and_the_context() -> None:
    line = JsonFormatter().format(
        record(
            "feed %s failed", "cs.CL", feed="https://rss.arxiv.org/rss/cs.CL", arxiv_id="2401.00001", guild=42
        )
    )
    assert "\n" not in line
    data = json.loads(line)
    assert list(data)[:7] == ["time", "level", "logger", "message", "guild", "feed", "arxiv_id"]
    assert data["level"] == "WARNING" and data["logger"] == "bot.watch.poll"
    assert data["message"] == "feed cs.CL failed"
    assert data["time"].endswith("+00:00")


def test_json_line_carries_the_traceback_in_one_line() -> None:
    data = json.loads(JsonFormatter().format(record("it failed", exc=True, command="ptm model")))
    assert data["command"] == "ptm model"
    assert "ValueError: boom" in data["exception"]


def test_text_is_the_default() -> None:
    line = make_formatter("text").format(record("plain %d", 1))
    assert line.endswith("WARNING  bot.watch.poll: plain 1")


def test_runner_logging_in_json(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    try:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        configure_logging("INFO")
        use_log_format("json")  # what run_bot does with logging.format
        logging.getLogger("bot.test").info("started", extra={"guild": 7})
        data = json.loads(stream.getvalue().splitlines()[-1])
        assert data["message"] == "started" and data["guild"] == 7
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


def _main_logging_to_stderr(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    """``main(argv)`` with the CLI's own stderr handler (pytest's handlers set aside), and its stderr."""
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    for handler in list(root.handlers):
        root.removeHandler(handler)
    try:
        code = main(argv)
        return code, capsys.readouterr().err
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        say_errors_as_json(False)


@pytest.mark.parametrize(
    ("command", "existing_catalog"),
    [
        (["init", "--db", "{db}", "-v", "--log-format", "json"], False),
        # Session 8: after a sub-subcommand --log-format was refused ("unrecognized arguments").
        (["relevance", "show", "--db", "{db}", "-v", "--log-format", "json"], True),
        (["config", "show", "-v", "--log-format", "json"], False),
    ],
    ids=["subcommand", "sub-subcommand", "config-show"],
)
def test_cli_log_format_json(
    command, existing_catalog, tmp_path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)
    db = str(tmp_path / "c.sqlite3")
    if existing_catalog:
        assert main(["init", "--db", db]) == 0
        capsys.readouterr()
    command = [db if part == "{db}" else part for part in command]
    # -v logs debug lines from opening the database; every stderr line must be JSON.
    code, err = _main_logging_to_stderr(capsys, command)
    assert code == 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, err
    for line in lines:
        data = json.loads(line)
        assert {"time", "level", "logger", "message"} <= set(data)


def test_cli_log_format_json_says_the_failure_as_json_too(tmp_path, capsys, monkeypatch) -> None:
    """Session 8: the final "ptm-bot: ..." line of a failed command was plain text in JSON mode."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)
    code, err = _main_logging_to_stderr(
        capsys, ["stats", "--db", str(tmp_path / "none.sqlite3"), "--log-format", "json"]
    )
    assert code == 2
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert records[-1]["level"] == "ERROR"
    assert records[-1]["message"] == f"ptm-bot: no catalog at {tmp_path / 'none.sqlite3'} (run ptm-bot init)"


def test_env_log_format_json_from_the_first_line(tmp_path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """``PTM_BOT_LOGGING_FORMAT=json``: the config loader's own first line is JSON too (issue 21)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)
    monkeypatch.setenv("PTM_BOT_LOGGING_FORMAT", "json")
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    for handler in list(root.handlers):
        root.removeHandler(handler)
    try:
        code = main(["stats", "--db", str(tmp_path / "none.sqlite3"), "-v"])
        err = capsys.readouterr().err
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("ptm-bot:")]
    assert code != 0 and lines, err
    first = json.loads(lines[0])
    assert first["logger"] == "bot.config.locate" and "using defaults" in first["message"]
    for line in lines:
        json.loads(line)
