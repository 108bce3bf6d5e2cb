"""``ptm-bot``: the command line. Every subcommand takes ``--config`` and ``--db``.

The CLI is the bot's offline face: it uses the same services (and, for ``ask``, the same
slash-command handlers and renderers) as the Discord bot.

Where things are: the parser (:mod:`bot.cli.parser`), the catalog's subcommands
(:mod:`bot.cli.catalog`), ``run`` (:mod:`bot.cli.run`), opening the catalog (:mod:`bot.cli.opening`),
failures and exit statuses (:mod:`bot.cli.errors`); this module reads the arguments and the config
and runs the subcommand's handler. The names callers import from here are re-exported.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Coroutine, Sequence
from typing import Any

from bot.cli.catalog import cmd_export, cmd_history, cmd_import, cmd_init, cmd_revert, cmd_stats
from bot.cli.errors import CLIError, exit_status
from bot.cli.opening import open_catalog
from bot.cli.parser import EXTRA_COMMANDS, Handler, build_parser, load_extra_commands
from bot.cli.run import cmd_run
from bot.config import Config, ConfigError, database_url_from_path, load_config
from bot.redact import install_log_redaction

__all__ = [
    "EXTRA_COMMANDS",
    "CLIError",
    "Handler",
    "build_parser",
    "cmd_export",
    "cmd_history",
    "cmd_import",
    "cmd_init",
    "cmd_revert",
    "cmd_run",
    "cmd_stats",
    "main",
    "open_catalog",
]

log = logging.getLogger(__name__)

_CLI_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_LOG_FORMAT_ENV = "PTM_BOT_LOGGING_FORMAT"

# The services (SQLAlchemy, alembic, the catalog, charts, discord.py's client) are imported inside
# the subcommands that use them, not here: start-up, so `ptm-bot --help`, a usage error or a bad
# config answer without loading them.


def main(argv: Sequence[str] | None = None) -> int:
    load_extra_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format=_CLI_LOG_FORMAT, stream=sys.stderr
    )
    if not args.verbose:
        _quiet_interruptions()
    # Before reading the config, so its own lines follow the flag (or the variable); every line is
    # redacted (bot.redact) whatever the format.
    _format_cli_logs(_early_log_format(args))
    install_log_redaction()
    try:
        config = _read_config(args)
        _remember_secrets(config)
        import asyncio  # here, not at the top: ``--help`` needs no event loop (start-up time)

        config = _apply_log_format(config, args)
        return asyncio.run(_interruptible(args.handler(args, config)))
    except BaseException as exc:  # what the CLI can explain ends here; anything else goes on
        if args.command == "health" and isinstance(exc, (ConfigError, CLIError)):
            from bot.cli.ops import health_without_config

            return health_without_config(args, exc)  # a monitor reads 0 or 1, never 2
        status = exit_status(exc)
        if status is None:
            raise
        if isinstance(exc, KeyboardInterrupt):
            _quiet_after_interruption()
        return status


def _early_log_format(args: argparse.Namespace) -> str:
    """``--log-format``, else a valid ``PTM_BOT_LOGGING_FORMAT``, else text (the file is read later)."""
    import os

    flag = getattr(args, "log_format", None)
    if flag:
        return str(flag)
    env = os.environ.get(_LOG_FORMAT_ENV, "").strip().lower()
    return env if env in ("text", "json") else "text"


def _remember_secrets(config: Config) -> None:
    """The tokens this process holds are masked wherever they would be shown (bot.redact)."""
    from bot.redact import remember_secrets_from_env, remember_url_password

    remember_secrets_from_env((config.discord.token_env, config.publish.token_env))
    remember_url_password(config.database.url)


class _QuietInterruption(logging.Filter):
    """Ctrl-C is one line: a record whose exception is the interruption itself (``CancelledError``,
    ``KeyboardInterrupt``: not an ``Exception``), such as SQLAlchemy's pool failing to close a connection
    the interruption cancelled mid-statement, is dropped (``-v`` keeps it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return exc is None or isinstance(exc, Exception)


def _quiet_interruptions() -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _QuietInterruption) for f in handler.filters):
            handler.addFilter(_QuietInterruption())


def _quiet_after_interruption() -> None:
    """After Ctrl-C the one line is said: what the interruption leaves to finish on its own (a
    database driver's thread calling back into the closed event loop, an object's clean-up at exit,
    a coroutine never awaited) goes to the debug log, not to the terminal."""
    import threading
    import warnings

    def thread_done(info: threading.ExceptHookArgs) -> None:
        log.debug("after the interruption, thread %s: %r", info.thread, info.exc_value)

    def unraisable(info: Any) -> None:
        log.debug("after the interruption: %r in %r", info.exc_value, info.object)

    threading.excepthook = thread_done
    sys.unraisablehook = unraisable
    warnings.simplefilter("ignore")


async def _interruptible(command: Coroutine[Any, Any, int]) -> int:
    """Run *command*; Ctrl-C stays Ctrl-C (exit 130, one line) whatever the moment.

    On Ctrl-C, ``asyncio.run`` cancels the command's task and turns the ``CancelledError`` that comes
    out into ``KeyboardInterrupt``. But a clean-up running while it unwinds (a session's rollback, a
    connection closed mid-statement) may raise something else instead (SQLAlchemy's
    ``PendingRollbackError``), which would come out as a traceback and exit 1. A failure while this
    task is being cancelled is the interruption's: it is reported as one."""
    import asyncio

    try:
        return await command
    except asyncio.CancelledError:
        _quiet_after_interruption()  # now: the driver's threads may fail while the loop closes
        raise
    except Exception as exc:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            _quiet_after_interruption()
            log.debug("failure while interrupted", exc_info=exc)  # -v shows it
            raise KeyboardInterrupt from exc
        raise


def _read_config(args: argparse.Namespace) -> Config:
    """The config file (``--config``, else the usual places) with ``--db`` over ``database.url``."""
    try:
        config = load_config(args.config)
    except OSError as exc:  # e.g. a config directory this user may not enter
        where = exc.filename or args.config or "the config file"
        raise CLIError(f"cannot read config file {where}: {exc.strerror or exc}") from exc
    if args.db is not None:
        if not args.db.strip():
            raise CLIError("--db is empty: give a database file or URL")
        config = config.with_database_url(database_url_from_path(args.db))
    return config


def _apply_log_format(config: Config, args: argparse.Namespace) -> Config:
    """``--log-format`` over ``logging.format``; the CLI's own stderr handler takes the format too."""
    import dataclasses

    fmt = getattr(args, "log_format", None)
    if fmt:
        config = dataclasses.replace(
            config,
            logging=dataclasses.replace(config.logging, format=fmt),
            origins={**config.origins, "logging.format": "command line (--log-format)"},
        )
    _format_cli_logs(config.logging.format)
    return config


def _format_cli_logs(fmt: str) -> None:
    from bot.cli.errors import say_errors_as_json
    from bot.ops.logs import make_formatter

    say_errors_as_json(fmt == "json")
    for handler in logging.getLogger().handlers:
        handler.setFormatter(make_formatter(fmt, _CLI_LOG_FORMAT))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
