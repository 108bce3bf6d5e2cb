"""Secrets out of everything shown: one helper for every line, reply and log record that can carry a
URL or a token.

:func:`redact` replaces, in any text:

- the credentials in a URL (``https://x-access-token:SECRET@host/...`` -> ``https://x-access-token:***@host/...``;
  a bare token as the user, ``https://ghp_abc@host``, becomes ``***``);
- a secret-looking query parameter's value (``?token=``, ``api_key=``, ``access_token=``, ``key=``,
  ``sig=``, ``password=`` ...);
- tokens by their shape (GitHub ``ghp_`` / ``github_pat_`` tokens, Discord bot tokens,
  ``Bearer ...``);
- the value of every secret the process was given (:func:`remember_secret`: the Discord token and
  the GitHub token variables named in the config, the database URL's password), wherever it appears.

Every log record's message is redacted as the record is made (:func:`install_log_redaction`, which
the CLI and the bot install at start), so no handler ever sees a secret a module logged; the log
formatters (:mod:`bot.ops.logs`) redact the traceback and the context too; the publish results, health report, feed errors and metrics labels call it directly.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "MASK",
    "forget_secrets",
    "install_log_redaction",
    "redact",
    "remember_secret",
    "remember_secrets_from_env",
    "remember_url_password",
]

MASK = "***"

# scheme://user:password@ or scheme://token@. The user has no "/", "@", ":" or blank in it; the
# password may hold what a URL should have escaped and a database driver still reads ("/", "?", "#",
# and "@" up to the last one before the host: "ptm:ab/c@d@host" is password "ab/c@d"), but not a
# port and path ("host:8080/a?q=x@y" has no password).
_USERINFO = re.compile(
    r"(?i)\b([a-z][a-z0-9+.-]*://)([^/@\s:?#]*)(?::(?!\d*(?:[/?#]|$))([^\s@]*(?:@[^\s@/?#]*(?=@))*))?@"
)
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:[\w.-]*(?:token|secret|signature|password|passwd|api_?key|apikey|credential)|"
    r"key|pwd|auth|sig)=)[^&#\s'\"]+"
)
_SHAPES = (
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),  # a Discord bot token
    re.compile(r"(?i)(?<=\bbearer )[A-Za-z0-9._~+/=-]{8,}"),
)
# A URL's user alone (no password) is a token when it is this long (``https://ghp_...@host``); shorter
# ones name an account (``git@``, ``ptm@``) and are kept.
_TOKEN_AS_USER = 16
_MIN_SECRET = 6  # shorter "secrets" would mask ordinary words
_secrets: set[str] = set()


def remember_secret(value: str | None) -> None:
    """Mask *value* wherever it appears from now on (the Discord token, the GitHub token)."""
    if value and len(value.strip()) >= _MIN_SECRET:
        _secrets.add(value.strip())


def remember_url_password(url: str | None) -> None:
    """Mask the password of a database URL as its driver reads it (``database.url``), wherever it
    appears: a password with a blank or other unescaped characters defeats any pattern."""
    if not url or "://" not in url or "@" not in url:  # no credentials (a SQLite path): nothing to import
        return
    from sqlalchemy.engine import make_url  # only when a URL is configured: start-up time

    try:
        remember_secret(make_url(url).password)
    except Exception:  # not a URL SQLAlchemy reads: the pattern still applies
        return


def remember_secrets_from_env(names: Iterable[str]) -> None:
    """:func:`remember_secret` for the value of each environment variable in *names* that is set."""
    for name in names:
        remember_secret(os.environ.get(name))


def forget_secrets() -> None:
    """Forget what :func:`remember_secret` was told (tests)."""
    _secrets.clear()


def _userinfo(match: re.Match[str]) -> str:
    scheme, user, password = match.group(1), match.group(2), match.group(3)
    if password is not None:
        return f"{scheme}{user}:{MASK}@"
    return f"{scheme}{user if len(user) < _TOKEN_AS_USER else MASK}@"


def redact(text: str) -> str:
    """*text* with every credential and known secret replaced by ``***`` (see the module docstring)."""
    if not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    if "://" in text:
        text = _USERINFO.sub(_userinfo, text)
    if "=" in text:
        text = _SECRET_PARAM.sub(lambda m: m.group(1) + MASK, text)
    for shape in _SHAPES:
        text = shape.sub(MASK, text)
    return text


def _redacting_factory(make: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging reports it later, as it always has
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    factory._ptm_redacts = True  # type: ignore[attr-defined]
    return factory


def install_log_redaction() -> None:
    """Redact every log record's message as it is made, for every handler (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "_ptm_redacts", False):
        logging.setLogRecordFactory(_redacting_factory(current))
