"""How ``ptm-bot`` fails: :class:`CLIError` (a user mistake on the command line) and the one place
that turns a failure into a line on stderr and an exit status (:func:`exit_status`)."""

from __future__ import annotations

import logging
import os
import sys

from bot.config import ConfigError
from bot.errors import PTMError, UserFacingError
from bot.redact import redact
from bot.textsafe import escape_controls

__all__ = ["CLIError", "exit_status", "say_errors_as_json"]

log = logging.getLogger(__name__)
_as_json = False  # ``--log-format json``: the last line is a log record too (one JSON object a line)


def say_errors_as_json(on: bool) -> None:
    """With the JSON log format, what went wrong is said as an ERROR record, not a plain line."""
    global _as_json
    _as_json = on


def _say(text: str) -> None:
    if _as_json:
        log.error("%s", text)
    else:
        print(text, file=sys.stderr)


class CLIError(PTMError):
    """A user mistake on the command line: printed as one line, exit status 2."""


def exit_status(exc: BaseException) -> int | None:
    """Say what went wrong on stderr (one line, or the config's list of problems) and return the exit
    status; ``None`` for a failure nobody described (a bug: the caller re-raises it, traceback and all)."""
    if isinstance(exc, ConfigError):
        _say(redact(f"ptm-bot: invalid configuration:\n{exc}"))
        return 2
    if isinstance(exc, CLIError | UserFacingError):
        _say(redact(f"ptm-bot: {escape_controls(str(exc))}"))
        return 2
    if isinstance(exc, KeyboardInterrupt):
        _say("ptm-bot: interrupted")
        return 130
    if isinstance(exc, BrokenPipeError):
        # `ptm-bot export | head`: the reader left; say nothing more (and not at exit either).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    if not isinstance(exc, Exception):  # SystemExit and the like go on as they are
        return None
    from bot.cli.failures import describe

    found = describe(exc)
    if found is None:
        return None
    message, status = found
    log.debug("%s", message, exc_info=exc)  # -v shows where it came from
    _say(redact(f"ptm-bot: {escape_controls(message)}"))
    return status
