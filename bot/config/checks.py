"""The checks: one converter per kind of value, each raising :class:`Invalid` with the message the
user reads (``<key>: <message>``). :mod:`bot.config.tables` applies them key by key; the wording of
every message is part of the interface (tests compare them byte for byte).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.schema import ARXIV_MIN_INTERVAL_SECONDS
from bot.urls import NOT_HTTP, http_url_problem

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")

_SNOWFLAKE_MAX = 2**63 - 1


# --- the building blocks: kinds of value --------------------------------------------------------


class Invalid(Exception):
    """A value is unusable; the message completes ``<key>: ...``."""


_T = TypeVar("_T")


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false, got {describe(value)}")
    return value


def integer(
    low: int | None = None, high: int | None = None, what: str = "an integer"
) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        # bool is a subclass of int in Python; `true` is not a number in a config file.
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"must be {what}{_range_text(low, high)}, got {describe(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise Invalid(f"must be {what}{_range_text(low, high)}, got {value}")
        return value

    return convert


def number(
    low: float | None = None, high: float | None = None, *, low_open: bool = False
) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        text = _range_text(low, high, low_open=low_open)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise Invalid(f"must be a number{text}, got {describe(value)}")
        given = float(value)
        too_low = low is not None and (given <= low if low_open else given < low)
        if too_low or (high is not None and given > high):
            raise Invalid(f"must be a number{text}, got {value}")
        return given

    return convert


def _range_text(low: float | None, high: float | None, *, low_open: bool = False) -> str:
    if low is not None and high is not None:
        if low_open:
            return f" greater than {_number_text(low)} and at most {_number_text(high)}"
        return f" between {_number_text(low)} and {_number_text(high)}"
    if low is not None:
        return f" greater than {_number_text(low)}" if low_open else f" >= {_number_text(low)}"
    if high is not None:
        return f" <= {_number_text(high)}"
    return ""


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def string(check: Callable[[str], str] | None = None, *, allow_empty: bool = False) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"must be a string, got {describe(value)}")
        value = value.strip()
        if not value and not allow_empty:
            raise Invalid("must not be empty")
        return check(value) if check is not None and value else value  # "" is "not set", when allowed

    return convert


def list_of(
    item: Callable[[Any], _T], *, allow_empty: bool = True, unique: bool = True
) -> Callable[[Any], tuple[_T, ...]]:
    def convert(value: Any) -> tuple[_T, ...]:
        if not isinstance(value, list):
            raise Invalid(f"must be a list, got {describe(value)}")
        if not value and not allow_empty:
            raise Invalid("must not be empty")
        out: list[_T] = []
        errors: list[str] = []
        for index, raw in enumerate(value):
            try:
                converted = item(raw)
            except Invalid as exc:
                errors.append(f"item {index + 1} {exc}")
                continue
            if unique and converted in out:
                errors.append(f"item {index + 1} repeats {describe(converted)}")
                continue
            out.append(converted)
        if errors:
            raise Invalid("; ".join(errors))
        return tuple(out)

    return convert


# --- ids and names: [discord], [digest], token_env ----------------------------------------------


def snowflake(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        raise Invalid(f"must be a positive integer id without quotes, got {describe(value)}")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _SNOWFLAKE_MAX:
        raise Invalid(f"must be a positive integer id, got {describe(value)}")
    return value


def id_or_name(kind: str) -> Callable[[Any], int | str]:
    def convert(value: Any) -> int | str:
        if isinstance(value, str):
            name = value.strip()
            if kind == "channel":
                name = name.removeprefix("#")
            if not name:
                raise Invalid(f"must be a {kind} id or a non-empty {kind} name")
            # A quoted id is still an id: Discord names are never matched against pure digits here.
            return int(name) if name.isdigit() and 0 < int(name) <= _SNOWFLAKE_MAX else name
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _SNOWFLAKE_MAX:
            raise Invalid(f"must be a positive {kind} id or a {kind} name, got {describe(value)}")
        return value

    return convert


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def variable_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        # Likely a pasted token: do not echo it.
        raise Invalid(
            "must be the NAME of an environment variable (letters, digits, underscores; e.g. DISCORD_TOKEN), "
            "not the token itself"
        )
    return value


# --- [database] ---------------------------------------------------------------------------------


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def database_url(value: str) -> str:
    if not _URL_SCHEME.match(value):
        raise Invalid(
            f"must be a SQLAlchemy URL such as 'sqlite+aiosqlite:///ptm-bot.sqlite3' or "
            f"'postgresql+asyncpg://user@host/db', got {describe(value)}"
        )
    return resolve_sqlite_url(value)


def resolve_sqlite_url(url: str) -> str:
    """Make a relative SQLite path absolute (against the current directory) so it survives a chdir."""
    scheme, _, rest = url.partition("://")
    if scheme.split("+", 1)[0].lower() != "sqlite" or not rest.startswith("/"):
        return url
    database, sep, query = rest[1:].partition("?")
    if not database or database == ":memory:" or database.startswith("file:") or Path(database).is_absolute():
        return url
    return f"{scheme}:///{Path(database).resolve().as_posix()}{sep}{query}"


# --- [feeds] ------------------------------------------------------------------------------------


_CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")


def category(value: Any) -> str:
    if not isinstance(value, str) or not _CATEGORY.match(value):
        raise Invalid(f"must be an arXiv category such as 'cs.CL' or 'eess.AS', got {describe(value)}")
    return value


def url_template(value: str) -> str:
    if "{categories}" not in value:
        raise Invalid(f"must contain '{{categories}}', got {describe(value)}")
    try:
        formatted = value.format(categories="cs.CL")
    except (KeyError, IndexError, ValueError):
        raise Invalid(
            "must contain no braces other than '{categories}' (write '{{' or '}}' for a literal brace)"
        ) from None
    _check_http_url(formatted, value)
    return value


def api_url_template(value: str) -> str:
    if "{id}" not in value:
        raise Invalid(f"must contain '{{id}}', got {describe(value)}")
    _check_http_url(value.replace("{id}", "2106.07447"), value)
    return value


def _check_http_url(url: str, value: str) -> None:
    """*url* (*value* as written) is an http(s) URL with a host that the fetcher can parse: a
    malformed one (``http://[::1``) would otherwise fail at every poll, or stop it with a traceback."""
    problem = http_url_problem(url)
    if problem == NOT_HTTP:
        raise Invalid(f"must be an http(s) URL, got {describe(value)}")
    if problem is not None:
        raise Invalid(f"is not a valid URL ({problem}), got {describe(value)}")


def contact(value: str) -> str:
    # It goes into an HTTP header: printable ASCII only, no line breaks.
    if any(not (32 <= ord(ch) < 127) for ch in value):
        raise Invalid("must be printable ASCII (it is sent in the User-Agent header)")
    return value


def arxiv_interval(value: Any) -> float:
    try:
        return number(ARXIV_MIN_INTERVAL_SECONDS, 3600)(value)
    except Invalid as exc:
        raise Invalid(f"{exc} (arXiv asks for at least 3 seconds between requests)") from None


# --- days and times: [schedule], [digest] -------------------------------------------------------


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun|[0-6])"

_DAY_TERM = re.compile(rf"^(?:\*(?:/\d+)?|{_DAY}(?:-{_DAY}(?:/\d+)?)?)$")


def day_of_week(value: str) -> str:
    """APScheduler's ``day_of_week``: ``*``, ``*/2``, ``mon``, ``mon-fri``, ``mon,wed,fri``, ``0-4``."""
    spec = value.lower()
    bad = f"must be a day-of-week spec like 'mon-fri', 'mon,wed,fri' or '*', got {describe(value)}"
    terms = [term.strip() for term in spec.split(",")]
    if not all(_DAY_TERM.match(term) for term in terms):
        raise Invalid(bad)
    for term in terms:
        body, _, step = term.partition("/")
        if step and int(step) < 1:
            raise Invalid(f"{bad} (step must be at least 1)")
        if "-" in body:
            first, last = (_day_number(day) for day in body.split("-"))
            if first > last:
                raise Invalid(f"{bad} (a range must not wrap past sunday; write 'sat,sun,mon' instead)")
    try:
        # The scheduler is the final judge; our grammar is stricter than its parser.
        from apscheduler.triggers.cron.fields import DayOfWeekField
    except ImportError:  # pragma: no cover - APScheduler is a hard dependency
        return spec
    try:
        DayOfWeekField("day_of_week", spec)
    except ValueError as exc:
        raise Invalid(f"{bad} ({exc})") from None
    return spec


def _day_number(day: str) -> int:
    return int(day) if day.isdigit() else _WEEKDAYS.index(day)


def time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"must be an IANA time zone such as 'America/New_York' or 'UTC', got {describe(value)}"
        ) from None
    return value


def period(value: Any) -> str:
    if value not in ("daily", "weekly"):
        raise Invalid(f"must be 'daily' or 'weekly', got {describe(value)}")
    return str(value)


def one_day(value: str) -> str:
    day = value.strip().lower()[:3]
    if day not in _WEEKDAYS:
        raise Invalid(f"must be a day of the week such as 'mon' or 'friday', got {describe(value)}")
    return day


# --- [relevance.gates] --------------------------------------------------------------------------


def gate_values(kind: str) -> Callable[[Any], tuple[str, ...]]:
    from bot.relevance.gates import GateError, normalise

    def item(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"must be a string, got {describe(value)}")
        try:
            return normalise(kind, value)[0]
        except GateError as exc:
            raise Invalid(str(exc)) from None

    return list_of(item)


# --- [logging], [metrics] -----------------------------------------------------------------------


def log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise Invalid(f"must be one of {', '.join(LOG_LEVELS)}, got {describe(value)}")
    return level


def log_format(value: str) -> str:
    if value.lower() not in LOG_FORMATS:
        raise Invalid(f"must be one of {', '.join(LOG_FORMATS)}, got {describe(value)}")
    return value.lower()


def listen_address(value: str) -> tuple[str, int]:
    """``"127.0.0.1:9108"`` / ``":9108"`` / ``"[::1]:9108"`` -> (host, port); ``ValueError`` if not one."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(value)
    host = host.strip("[]") or "0.0.0.0"
    return host, int(port)


def metrics_address(value: str) -> str:
    try:
        listen_address(value)
    except ValueError:
        raise Invalid(
            f"must be HOST:PORT such as '127.0.0.1:9108' or ':9108' (all interfaces), got {describe(value)}"
        ) from None
    return value


# --- [publish] ----------------------------------------------------------------------------------


_AUTHOR = re.compile(r"^[^<>]+ <[^<>\s]+>$")

_GITHUB_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$")

_BRANCH = re.compile(r"^(?!/)(?!.*(?:\.\.|//|@\{|\\))[^\s~^:?*\[]+(?<![/.])$")


def author(value: str) -> str:
    if not _AUTHOR.match(value):
        raise Invalid(f"must be 'Name <email>', got {describe(value)}")
    return value


def github_repo(value: str) -> str:
    if not _GITHUB_REPO.match(value):
        raise Invalid(f"must be 'owner/name', got {describe(value)}")
    return value


def branch_name(value: str) -> str:
    if not _BRANCH.match(value) or value.endswith(".lock"):
        raise Invalid(f"must be a valid git branch name, got {describe(value)}")
    return value


def relative_path(value: str) -> str:
    if value.startswith("/") or ".." in Path(value).parts:
        raise Invalid(f"must be a path inside the repository, got {describe(value)}")
    return value


def http_url(value: str) -> str:
    _check_http_url(value, value)
    return value.rstrip("/")


def topic_slug(value: str) -> str:
    """A topic of docs/topics.md, by slug or label (``speech``, ``Speech (audio)``)."""
    from bot.catalog.topics.lookup import parse_topic

    slug = parse_topic(value)
    if slug is None:
        raise Invalid(f"unknown topic {describe(value)} (see docs/topics.md)")
    return slug
