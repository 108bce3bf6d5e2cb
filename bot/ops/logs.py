"""Log formats: plain text in discord.py's style (the default) or one JSON object per line.

``--log-format json`` (or ``logging.format = "json"``, ``PTM_BOT_LOGGING_FORMAT=json``) writes each
record as ``{"time", "level", "logger", "message"}`` plus the context a call passed with ``extra=``
(``command``, ``guild``, ``feed``, ``arxiv_id``, ...) and ``exception`` with the traceback, so log
collectors (journald, Loki, CloudWatch) can filter on fields instead of parsing text.

Both formats pass every line through :func:`bot.redact.redact`: a URL with credentials or a token
logged by any module reaches the log without its secret.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from bot.redact import redact

__all__ = ["CONTEXT_FIELDS", "TEXT_FORMAT", "JsonFormatter", "TextFormatter", "make_formatter"]

TEXT_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

# The context the bot attaches with ``extra=``; listed first and in this order when present.
CONTEXT_FIELDS = ("command", "guild", "channel", "user", "feed", "arxiv_id", "job", "outcome", "duration")

# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then the context."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        for key in CONTEXT_FIELDS:
            if key in extra:
                out[key] = extra.pop(key)
        out.update(sorted(extra.items()))
        for key, value in out.items():
            if isinstance(value, str) and key not in ("time", "level", "logger", "message"):
                out[key] = redact(value)  # a feed's URL passed as context, say
        if record.exc_info:
            out["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            out["exception"] = redact(record.exc_text)
        if record.stack_info:
            out["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Plain text, secrets redacted (message and traceback alike)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def make_formatter(kind: str, fmt: str = TEXT_FORMAT) -> logging.Formatter:
    """The formatter for ``text`` (with *fmt*) or ``json``."""
    if kind == "json":
        return JsonFormatter()
    return TextFormatter(fmt)
