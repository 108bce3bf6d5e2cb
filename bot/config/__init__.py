"""Configuration: one TOML file, parsed once into frozen, typed objects.

``config.example.toml`` documents every key. :func:`load_config` validates the whole file before it
raises, so one start-up lists every missing or invalid key (and the line it is on) instead of failing
on the first. Secrets never live in the file: the Discord token is read from the environment variable
named by ``discord.token_env``.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import PTMError

__all__ = [
    "CONFIG_PATH_ENV",
    "DEFAULT_CONFIG_FILENAME",
    "Config",
    "ConfigError",
    "DatabaseConfig",
    "DigestConfig",
    "DiscordConfig",
    "FeedsConfig",
    "GatesConfig",
    "LoggingConfig",
    "MetricsConfig",
    "PublishConfig",
    "RelevanceConfig",
    "ReviewConfig",
    "ScheduleConfig",
    "database_url_from_path",
    "discord_token",
    "load_config",
]

log = logging.getLogger(__name__)

CONFIG_PATH_ENV = "PTM_BOT_CONFIG"
DEFAULT_CONFIG_FILENAME = "config.toml"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///ptm-bot.sqlite3"
DEFAULT_CATEGORIES = ("cs.CL", "cs.LG", "cs.CV", "cs.AI", "cs.SD", "eess.AS")
# arXiv's robots policy asks automated clients to wait at least this long between requests.
ARXIV_MIN_INTERVAL_SECONDS = 3.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_SNOWFLAKE_MAX = 2**63 - 1


class ConfigError(PTMError):
    """The configuration cannot be used; :attr:`problems` lists every reason, each naming its key."""

    problems: tuple[str, ...]
    source: Path | None
    lines: tuple[int | None, ...]

    def __init__(
        self,
        problems: Iterable[str],
        *,
        source: str | os.PathLike[str] | None = None,
        lines: Iterable[int | None] | None = None,
        origins: Iterable[str | None] | None = None,
    ) -> None:
        self.problems = tuple(problems)
        self.source = Path(source) if source is not None else None
        self.lines = tuple(lines) if lines is not None else (None,) * len(self.problems)
        # Where each problem comes from when not the file (e.g. "environment"); None: the file.
        self.origins = tuple(origins) if origins is not None else (None,) * len(self.problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        prefix = str(self.source) if self.source is not None else "config"
        out = []
        for problem, line, origin in zip(self.problems, self.lines, self.origins, strict=True):
            where = origin if origin is not None else f"{prefix}:{line}" if line is not None else prefix
            out.append(f"{where}: {problem}")
        return "\n".join(out)


# --- the typed configuration ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    guild_ids: tuple[int, ...] = ()
    """Development guilds: slash commands are synced there on start (when ``sync_on_start``)."""
    sync_on_start: bool = True
    review_channel: int | str | None = None
    """Channel id or name where suggestions are posted for moderators; ``None`` disables posting."""
    moderator_roles: tuple[int | str, ...] = ()
    """Role ids or names that may moderate; members with Manage Server always count."""
    post_interval_seconds: float = 1.5
    token_env: str = "DISCORD_TOKEN"
    """The NAME of the environment variable holding the bot token."""


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    url: str = DEFAULT_DATABASE_URL
    echo: bool = False
    busy_timeout_ms: int = 5000
    read_threads: int = 2
    """SQLite only: threads that run read-only commands, each on its own connection (0: in sessions)."""


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    url_template: str = "https://rss.arxiv.org/rss/{categories}"
    api_url_template: str = "https://export.arxiv.org/api/query?id_list={id}"
    """arXiv API query for one paper's metadata (``/ptm-admin add``); "{id}" is the arXiv id."""
    combined: bool = True
    """One ``cat+cat`` feed for all categories (True) or one feed per category (False)."""
    contact: str = ""
    min_interval_seconds: float = ARXIV_MIN_INTERVAL_SECONDS
    timeout_seconds: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_attempts: int = 4
    disable_after_failures: int = 5
    backfill: int = 10
    """At most this many suggestions from the first poll of a newly added feed."""


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    enabled: bool = True
    days: str = "mon-fri"
    hour: int = 0
    minute: int = 30
    timezone: str = "America/New_York"
    jitter_seconds: int = 600


# [relevance.gates] keys are <mode>_<plural kind>: always_terms, never_categories, ...
GATE_KEY_KINDS = {"terms": "term", "authors": "author", "orgs": "org", "categories": "category"}


@dataclass(frozen=True, slots=True)
class GatesConfig:
    """``[relevance.gates]``: moderators' always / never rules kept in the file (docs/relevance.md,
    "Gates"); they add to the gates stored with ``/ptm-admin gate add``. Each value is checked and
    normalised like a stored gate's (:func:`bot.relevance.gates.normalise`)."""

    always_terms: tuple[str, ...] = ()
    never_terms: tuple[str, ...] = ()
    always_authors: tuple[str, ...] = ()
    never_authors: tuple[str, ...] = ()
    always_orgs: tuple[str, ...] = ()
    never_orgs: tuple[str, ...] = ()
    always_categories: tuple[str, ...] = ()
    never_categories: tuple[str, ...] = ()

    def items(self) -> list[tuple[str, str, str]]:
        """(mode, kind, value) of every gate, in the file's key order."""
        out = []
        for f in dataclasses.fields(self):
            mode, _, kinds = f.name.partition("_")
            out.extend((mode, GATE_KEY_KINDS[kinds], v) for v in getattr(self, f.name))
        return out


@dataclass(frozen=True, slots=True)
class RelevanceConfig:
    threshold: float | None = None  # None: the model's own thresholds (with / without an abstract)
    exploration: bool = True
    corpus: str | None = None  # a labelled corpus to retrain from instead of the shipped one
    per_poll_cap: int = 15
    daily_cap: int = 30
    gates: GatesConfig = field(default_factory=GatesConfig)


@dataclass(frozen=True, slots=True)
class ReviewConfig:
    snooze_days: int = 7
    """"Needs info" takes a suggestion out of the queue this long (a new arXiv version ends it sooner)."""
    threads: bool = False
    """Each review card opens a thread for discussion; the decision is posted there, then archived."""
    cards_per_poll: int = 8
    """At most this many review cards per poll, best first; the rest above the line go into one
    compact "also above the line" message (0: that message only). The exploration card is extra."""


@dataclass(frozen=True, slots=True)
class DigestConfig:
    channel: int | str | None = None
    """Public channel (id or name) where newly approved entries are posted; ``None``: no digest."""
    every: str = "weekly"
    """``daily`` or ``weekly``: the digest's period (also how often followers get their DM)."""
    day: str = "mon"
    """For a weekly digest: the day it is posted."""
    hour: int = 9
    minute: int = 0
    timezone: str = "UTC"
    role: int | str | None = None
    """A role (id or name) mentioned with each digest: the only mention the bot ever makes."""
    dm_interval_seconds: float = 1.0
    """Pause between two followers' DMs (Discord rate-limits DMs)."""

    @property
    def period_days(self) -> int:
        return 1 if self.every == "daily" else 7


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    level: str = "INFO"
    format: str = "text"
    """``text`` (discord.py's style) or ``json`` (one object per line, for log collectors)."""


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    address: str = ""
    """``host:port`` where ``ptm-bot run`` serves Prometheus metrics (``/metrics``); empty: off."""


@dataclass(frozen=True, slots=True)
class PublishConfig:
    repository: str = ""
    """The list's git repository: a local path or a URL git can push to; empty: publishing is off."""
    branch: str = "main"
    """The branch the list lives on; each publish starts a new branch from it."""
    path: str = "README.md"
    """The list's file inside the repository."""
    branch_prefix: str = "ptm-bot/list-"
    author: str = "ptm-bot <ptm-bot@users.noreply.github.com>"
    github_repo: str = ""
    """``owner/name``: also open a pull request on GitHub (token from ``token_env``); empty: no PR."""
    github_api_url: str = "https://api.github.com"
    token_env: str = "GITHUB_TOKEN"
    """The NAME of the environment variable holding the GitHub token."""


@dataclass(frozen=True, slots=True)
class Config:
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    relevance: RelevanceConfig = field(default_factory=RelevanceConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    source: Path | None = None
    """The file this was loaded from; ``None`` when running on defaults."""
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Where each set key came from: ``{"relevance.per_poll_cap": "environment (PTM_BOT_...)"}``;
    a key not listed has its default. See ``ptm-bot config show``."""

    def with_database_url(self, url: str) -> Config:
        """A copy using *url* as the database (e.g. from ``--db``)."""
        origins = {**self.origins, "database.url": "command line (--db)"}
        return dataclasses.replace(
            self, database=dataclasses.replace(self.database, url=url), origins=origins
        )

    @property
    def user_agent(self) -> str:
        """``ptm-bot/<version> (+<contact>)``, as arXiv asks bots to identify themselves."""
        from importlib import metadata  # here: ~0.1 s to import, and only the watcher needs it

        try:
            version = metadata.version("ptm-bot")
        except metadata.PackageNotFoundError:
            version = "0"
        contact = self.feeds.contact.strip()
        return f"ptm-bot/{version} (+{contact})" if contact else f"ptm-bot/{version}"


_TABLES: dict[str, type] = {
    "discord": DiscordConfig,
    "database": DatabaseConfig,
    "feeds": FeedsConfig,
    "schedule": ScheduleConfig,
    "relevance": RelevanceConfig,
    "review": ReviewConfig,
    "digest": DigestConfig,
    "logging": LoggingConfig,
    "metrics": MetricsConfig,
    "publish": PublishConfig,
}


# --- public helpers -----------------------------------------------------------------------------


def database_url_from_path(path: str) -> str:
    """``"x.sqlite3"`` -> ``"sqlite+aiosqlite:///<absolute path>"``; a URL (has ``://``) is returned as-is."""
    if "://" in path:
        return path
    if not path.strip():
        raise ValueError("database path is empty")
    if path == ":memory:":
        return "sqlite+aiosqlite:///:memory:"
    # POSIX: "sqlite+aiosqlite:////abs/path" (four slashes); Windows: "sqlite+aiosqlite:///C:/abs/path".
    return "sqlite+aiosqlite:///" + Path(path).expanduser().resolve().as_posix()


def discord_token(config: Config, env: Mapping[str, str] | None = None) -> str | None:
    """The bot token from the environment variable named by ``discord.token_env`` (None if unset/blank)."""
    env = os.environ if env is None else env
    token = env.get(config.discord.token_env, "").strip()
    return token or None


def load_config(
    path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> Config:
    """Read and validate the configuration.

    *path* ``None`` means: the file named by ``$PTM_BOT_CONFIG``, else ``./config.toml`` if it exists,
    else all defaults (so the CLI can be tried without writing a file). A path that was asked for
    explicitly (argument or environment variable) must exist.
    """
    env = os.environ if env is None else env
    if path is None:
        from_env = env.get(CONFIG_PATH_ENV, "").strip()
        if from_env:
            if not Path(from_env).expanduser().is_file():
                raise ConfigError(
                    [f"config file not found (named by the {CONFIG_PATH_ENV} environment variable)"],
                    source=from_env,
                )
            return _load_file(Path(from_env).expanduser(), env)
        if Path(DEFAULT_CONFIG_FILENAME).is_file():
            return _load_file(Path(DEFAULT_CONFIG_FILENAME), env)
        log.debug("no %s and no %s; using defaults", CONFIG_PATH_ENV, DEFAULT_CONFIG_FILENAME)
        return _build({}, source=None, env=env)
    path = Path(path).expanduser()
    if not path.is_file():
        what = "is not a file" if path.exists() else "config file not found"
        raise ConfigError([what], source=path)
    return _load_file(path, env)


# --- loading ------------------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _load_file(path: Path, env: Mapping[str, str] | None = None) -> Config:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([f"cannot read config file: {exc.strerror or exc}"], source=path) from exc
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM some Windows editors add
    except UnicodeDecodeError as exc:
        raise ConfigError([f"not UTF-8 text (byte {exc.start})"], source=path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_POSITION.search(message)
        if m is None:
            raise ConfigError([f"invalid TOML: {message}"], source=path) from exc
        line, column = int(m.group(1)), int(m.group(2))
        detail = message[: m.start()]
        raise ConfigError(
            [f"invalid TOML at line {line}, column {column}: {detail}"], source=path, lines=[line]
        ) from exc
    return _build(data, source=path.resolve(), text=text, display=path, env=env)


def _build(
    data: Mapping[str, Any],
    *,
    source: Path | None,
    text: str = "",
    display: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    from bot.config.env import read_environment

    problems: list[tuple[str, str]] = []
    token_keys = _find_token_keys(data, (), problems)
    origins = {
        f"{name}.{key}": "file"
        for name, table in data.items()
        if name in _TABLES and isinstance(table, dict)
        for key in table
    }
    overrides = read_environment(os.environ if env is None else env, _TABLES)
    if overrides.data:
        # The environment wins over the file, key by key.
        data = {
            **data,
            **{
                name: {**(data[name] if isinstance(data.get(name), dict) else {}), **values}
                for name, values in overrides.data.items()
            },
        }
        for dotted, variable in overrides.variables.items():
            origins[dotted] = f"environment ({variable})"

    for key, value in data.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                problems.append((key, f"must be a table ([{key}]), got {_describe(value)}"))
        elif key not in token_keys:
            problems.append((key, _unknown_top_level(key, isinstance(value, dict))))

    def table(name: str) -> _Table:
        value = data.get(name, {})
        return _Table(name, value if isinstance(value, dict) else {}, problems, token_keys)

    config = Config(
        discord=_read_discord(table("discord")),
        database=_read_database(table("database")),
        feeds=_read_feeds(table("feeds")),
        schedule=_read_schedule(table("schedule")),
        relevance=_read_relevance(table("relevance")),
        review=_read_review(table("review")),
        digest=_read_digest(table("digest")),
        logging=_read_logging(table("logging")),
        metrics=_read_metrics(table("metrics")),
        publish=_read_publish(table("publish")),
        source=source,
        origins=origins,
    )
    if problems or overrides.problems:
        locate = _line_index(text)
        file_problems = [p for p in problems if p[0] not in overrides.variables]
        located = [(locate(key), f"{key}: {message}") for key, message in file_problems]
        # Report in file order, so the list reads alongside the file; unlocated problems last.
        located.sort(key=lambda item: math.inf if item[0] is None else item[0])
        env_problems = [
            f"{overrides.variables[key]} ({key}): {message}"
            for key, message in problems
            if key in overrides.variables
        ] + [f"{variable}: {message}" for variable, message in overrides.problems]
        raise ConfigError(
            [problem for _, problem in located] + env_problems,
            source=display if display is not None else source,
            lines=[line for line, _ in located] + [None] * len(env_problems),
            origins=[None] * len(located) + ["environment"] * len(env_problems),
        )
    return config


def _find_token_keys(
    data: Mapping[str, Any], prefix: tuple[str, ...], problems: list[tuple[str, str]]
) -> set[str]:
    """Report every ``token``-like key anywhere; return their dotted names so they are not reported twice."""
    found: set[str] = set()
    for key, value in data.items():
        dotted = ".".join((*prefix, key))
        lowered = key.lower()
        if lowered == "token" or (lowered.endswith("token") and lowered != "token_env"):
            # Never echo the value: it may be a real token.
            problems.append(
                (
                    dotted,
                    "tokens are never read from the config file; set the environment variable named by "
                    "discord.token_env (default DISCORD_TOKEN) instead, and revoke this token if it was real",
                )
            )
            found.add(dotted)
        elif isinstance(value, dict):
            found |= _find_token_keys(value, (*prefix, key), problems)
    return found


def _unknown_top_level(key: str, is_table: bool) -> str:
    tables = difflib.get_close_matches(key, list(_TABLES), n=1)
    if tables:
        return f"unknown {'table' if is_table else 'key'} (did you mean [{tables[0]}]?)"
    if not is_table:
        # A key written above every [table] header: suggest the table it belongs in.
        for name, cls in _TABLES.items():
            names = [f.name for f in dataclasses.fields(cls)]
            close = difflib.get_close_matches(key, names, n=1)
            if close:
                return f"unknown key (did you mean '{close[0]}' under [{name}]?)"
    expected = ", ".join(f"[{name}]" for name in _TABLES)
    return f"unknown {'table' if is_table else 'key'} (expected tables: {expected})"


# --- line numbers for problems ------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _normalise_dotted(raw: str) -> str:
    parts = re.split(r"\s*\.\s*(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", raw.strip())
    return ".".join(p.strip().strip("\"'") for p in parts)


def _line_index(text: str) -> Callable[[str], int | None]:
    """Best effort: map a dotted key (``discord.guild_ids``) to the first line that defines it."""
    lines: dict[str, int] = {}
    current = ""
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_multiline = not in_multiline
            if not in_multiline:
                continue
        elif in_multiline:
            continue
        header = _HEADER.match(line)
        if header:
            current = _normalise_dotted(header.group(1))
            lines.setdefault(current, number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            dotted = _normalise_dotted(key.group(1))
            lines.setdefault(f"{current}.{dotted}" if current else dotted, number)

    def locate(key: str) -> int | None:
        key = key.split("[", 1)[0]
        while key:
            if key in lines:
                return lines[key]
            key = key.rpartition(".")[0]
        return None

    return locate


# --- reading one table --------------------------------------------------------------------------


class _Invalid(Exception):
    """A value is unusable; the message completes ``<key>: ...``."""


_T = TypeVar("_T")


class _Table:
    """One TOML table. Reads keys with converters and records problems instead of raising."""

    def __init__(
        self, name: str, data: Mapping[str, Any], problems: list[tuple[str, str]], token_keys: set[str]
    ) -> None:
        self.name = name
        self.data = data
        self.problems = problems
        self.token_keys = token_keys

    def get(self, key: str, default: _T, convert: Callable[[Any], _T]) -> _T:
        if key not in self.data:
            return default
        try:
            return convert(self.data[key])
        except _Invalid as exc:
            self.problem(key, str(exc))
            return default

    def problem(self, key: str, message: str) -> None:
        self.problems.append((f"{self.name}.{key}", message))

    def check_unknown(self, cls: type) -> None:
        known = [f.name for f in dataclasses.fields(cls)]
        for key in self.data:
            if key in known or f"{self.name}.{key}" in self.token_keys:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(known)})"
            self.problem(key, f"unknown key{hint}")


def _describe(value: Any) -> str:
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


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, got {_describe(value)}")
    return value


def _int(low: int | None = None, high: int | None = None, what: str = "an integer") -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        # bool is a subclass of int in Python; `true` is not a number in a config file.
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"must be {what}{_range_text(low, high)}, got {_describe(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise _Invalid(f"must be {what}{_range_text(low, high)}, got {value}")
        return value

    return convert


def _float(
    low: float | None = None, high: float | None = None, *, low_open: bool = False
) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        text = _range_text(low, high, low_open=low_open)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _Invalid(f"must be a number{text}, got {_describe(value)}")
        number = float(value)
        too_low = low is not None and (number <= low if low_open else number < low)
        if too_low or (high is not None and number > high):
            raise _Invalid(f"must be a number{text}, got {value}")
        return number

    return convert


def _range_text(low: float | None, high: float | None, *, low_open: bool = False) -> str:
    if low is not None and high is not None:
        if low_open:
            return f" greater than {_number(low)} and at most {_number(high)}"
        return f" between {_number(low)} and {_number(high)}"
    if low is not None:
        return f" greater than {_number(low)}" if low_open else f" >= {_number(low)}"
    if high is not None:
        return f" <= {_number(high)}"
    return ""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _str(check: Callable[[str], str] | None = None, *, allow_empty: bool = False) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise _Invalid(f"must be a string, got {_describe(value)}")
        value = value.strip()
        if not value and not allow_empty:
            raise _Invalid("must not be empty")
        return check(value) if check is not None and value else value  # "" is "not set", when allowed

    return convert


def _list(
    item: Callable[[Any], _T], *, allow_empty: bool = True, unique: bool = True
) -> Callable[[Any], tuple[_T, ...]]:
    def convert(value: Any) -> tuple[_T, ...]:
        if not isinstance(value, list):
            raise _Invalid(f"must be a list, got {_describe(value)}")
        if not value and not allow_empty:
            raise _Invalid("must not be empty")
        out: list[_T] = []
        errors: list[str] = []
        for index, raw in enumerate(value):
            try:
                converted = item(raw)
            except _Invalid as exc:
                errors.append(f"item {index + 1} {exc}")
                continue
            if unique and converted in out:
                errors.append(f"item {index + 1} repeats {_describe(converted)}")
                continue
            out.append(converted)
        if errors:
            raise _Invalid("; ".join(errors))
        return tuple(out)

    return convert


def _snowflake(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        raise _Invalid(f"must be a positive integer id without quotes, got {_describe(value)}")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _SNOWFLAKE_MAX:
        raise _Invalid(f"must be a positive integer id, got {_describe(value)}")
    return value


def _id_or_name(kind: str) -> Callable[[Any], int | str]:
    def convert(value: Any) -> int | str:
        if isinstance(value, str):
            name = value.strip()
            if kind == "channel":
                name = name.removeprefix("#")
            if not name:
                raise _Invalid(f"must be a {kind} id or a non-empty {kind} name")
            # A quoted id is still an id: Discord names are never matched against pure digits here.
            return int(name) if name.isdigit() and 0 < int(name) <= _SNOWFLAKE_MAX else name
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _SNOWFLAKE_MAX:
            raise _Invalid(f"must be a positive {kind} id or a {kind} name, got {_describe(value)}")
        return value

    return convert


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        # Likely a pasted token: do not echo it.
        raise _Invalid(
            "must be the NAME of an environment variable (letters, digits, underscores; e.g. DISCORD_TOKEN), "
            "not the token itself"
        )
    return value


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _database_url(value: str) -> str:
    if not _URL_SCHEME.match(value):
        raise _Invalid(
            f"must be a SQLAlchemy URL such as 'sqlite+aiosqlite:///ptm-bot.sqlite3' or "
            f"'postgresql+asyncpg://user@host/db', got {_describe(value)}"
        )
    return _resolve_sqlite_url(value)


def _resolve_sqlite_url(url: str) -> str:
    """Make a relative SQLite path absolute (against the current directory) so it survives a chdir."""
    scheme, _, rest = url.partition("://")
    if scheme.split("+", 1)[0].lower() != "sqlite" or not rest.startswith("/"):
        return url
    database, sep, query = rest[1:].partition("?")
    if not database or database == ":memory:" or database.startswith("file:") or Path(database).is_absolute():
        return url
    return f"{scheme}:///{Path(database).resolve().as_posix()}{sep}{query}"


_CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")


def _category(value: Any) -> str:
    if not isinstance(value, str) or not _CATEGORY.match(value):
        raise _Invalid(f"must be an arXiv category such as 'cs.CL' or 'eess.AS', got {_describe(value)}")
    return value


def _url_template(value: str) -> str:
    if "{categories}" not in value:
        raise _Invalid(f"must contain '{{categories}}', got {_describe(value)}")
    try:
        formatted = value.format(categories="cs.CL")
    except (KeyError, IndexError, ValueError):
        raise _Invalid(
            "must contain no braces other than '{categories}' (write '{{' or '}}' for a literal brace)"
        ) from None
    if not formatted.lower().startswith(("http://", "https://")):
        raise _Invalid(f"must be an http(s) URL, got {_describe(value)}")
    return value


def _api_url_template(value: str) -> str:
    if "{id}" not in value:
        raise _Invalid(f"must contain '{{id}}', got {_describe(value)}")
    if not value.lower().startswith(("http://", "https://")):
        raise _Invalid(f"must be an http(s) URL, got {_describe(value)}")
    return value


def _contact(value: str) -> str:
    # It goes into an HTTP header: printable ASCII only, no line breaks.
    if any(not (32 <= ord(ch) < 127) for ch in value):
        raise _Invalid("must be printable ASCII (it is sent in the User-Agent header)")
    return value


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun|[0-6])"
_DAY_TERM = re.compile(rf"^(?:\*(?:/\d+)?|{_DAY}(?:-{_DAY}(?:/\d+)?)?)$")


def _day_of_week(value: str) -> str:
    """APScheduler's ``day_of_week``: ``*``, ``*/2``, ``mon``, ``mon-fri``, ``mon,wed,fri``, ``0-4``."""
    spec = value.lower()
    bad = f"must be a day-of-week spec like 'mon-fri', 'mon,wed,fri' or '*', got {_describe(value)}"
    terms = [term.strip() for term in spec.split(",")]
    if not all(_DAY_TERM.match(term) for term in terms):
        raise _Invalid(bad)
    for term in terms:
        body, _, step = term.partition("/")
        if step and int(step) < 1:
            raise _Invalid(f"{bad} (step must be at least 1)")
        if "-" in body:
            first, last = (_day_number(day) for day in body.split("-"))
            if first > last:
                raise _Invalid(f"{bad} (a range must not wrap past sunday; write 'sat,sun,mon' instead)")
    try:
        # The scheduler is the final judge; our grammar is stricter than its parser.
        from apscheduler.triggers.cron.fields import DayOfWeekField
    except ImportError:  # pragma: no cover - APScheduler is a hard dependency
        return spec
    try:
        DayOfWeekField("day_of_week", spec)
    except ValueError as exc:
        raise _Invalid(f"{bad} ({exc})") from None
    return spec


def _day_number(day: str) -> int:
    return int(day) if day.isdigit() else _WEEKDAYS.index(day)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Invalid(
            f"must be an IANA time zone such as 'America/New_York' or 'UTC', got {_describe(value)}"
        ) from None
    return value


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise _Invalid(f"must be one of {', '.join(LOG_LEVELS)}, got {_describe(value)}")
    return level


LOG_FORMATS = ("text", "json")


def _log_format(value: str) -> str:
    if value.lower() not in LOG_FORMATS:
        raise _Invalid(f"must be one of {', '.join(LOG_FORMATS)}, got {_describe(value)}")
    return value.lower()


# --- one reader per table -----------------------------------------------------------------------


def _read_discord(t: _Table) -> DiscordConfig:
    d = DiscordConfig()
    result = DiscordConfig(
        guild_ids=t.get("guild_ids", d.guild_ids, _list(_snowflake)),
        sync_on_start=t.get("sync_on_start", d.sync_on_start, _bool),
        review_channel=t.get("review_channel", d.review_channel, _id_or_name("channel")),
        moderator_roles=t.get("moderator_roles", d.moderator_roles, _list(_id_or_name("role"))),
        post_interval_seconds=t.get("post_interval_seconds", d.post_interval_seconds, _float(0, 60)),
        token_env=t.get("token_env", d.token_env, _str(_env_name)),
    )
    t.check_unknown(DiscordConfig)
    return result


def _read_database(t: _Table) -> DatabaseConfig:
    d = DatabaseConfig()
    result = DatabaseConfig(
        url=t.get("url", _resolve_sqlite_url(d.url), _str(_database_url)),
        echo=t.get("echo", d.echo, _bool),
        busy_timeout_ms=t.get(
            "busy_timeout_ms", d.busy_timeout_ms, _int(0, 600_000, "a whole number of milliseconds")
        ),
        read_threads=t.get("read_threads", d.read_threads, _int(0, 32, "a whole number of threads")),
    )
    t.check_unknown(DatabaseConfig)
    return result


def _read_feeds(t: _Table) -> FeedsConfig:
    d = FeedsConfig()
    result = FeedsConfig(
        categories=t.get("categories", d.categories, _list(_category, allow_empty=False)),
        url_template=t.get("url_template", d.url_template, _str(_url_template)),
        api_url_template=t.get("api_url_template", d.api_url_template, _str(_api_url_template)),
        combined=t.get("combined", d.combined, _bool),
        contact=t.get("contact", d.contact, _str(_contact, allow_empty=True)),
        min_interval_seconds=t.get("min_interval_seconds", d.min_interval_seconds, _arxiv_interval),
        timeout_seconds=t.get("timeout_seconds", d.timeout_seconds, _float(0, 600, low_open=True)),
        max_bytes=t.get("max_bytes", d.max_bytes, _int(1024, 1024**3, "a whole number of bytes")),
        max_attempts=t.get("max_attempts", d.max_attempts, _int(1, 20)),
        disable_after_failures=t.get("disable_after_failures", d.disable_after_failures, _int(1)),
        backfill=t.get("backfill", d.backfill, _int(0, 1000)),
    )
    t.check_unknown(FeedsConfig)
    return result


def _arxiv_interval(value: Any) -> float:
    try:
        return _float(ARXIV_MIN_INTERVAL_SECONDS, 3600)(value)
    except _Invalid as exc:
        raise _Invalid(f"{exc} (arXiv asks for at least 3 seconds between requests)") from None


def _read_schedule(t: _Table) -> ScheduleConfig:
    d = ScheduleConfig()
    result = ScheduleConfig(
        enabled=t.get("enabled", d.enabled, _bool),
        days=t.get("days", d.days, _str(_day_of_week)),
        hour=t.get("hour", d.hour, _int(0, 23)),
        minute=t.get("minute", d.minute, _int(0, 59)),
        timezone=t.get("timezone", d.timezone, _str(_timezone)),
        jitter_seconds=t.get(
            "jitter_seconds", d.jitter_seconds, _int(0, 6 * 3600, "a whole number of seconds")
        ),
    )
    t.check_unknown(ScheduleConfig)
    return result


def _read_relevance(t: _Table) -> RelevanceConfig:
    d = RelevanceConfig()
    result = RelevanceConfig(
        threshold=t.get("threshold", d.threshold, _float(0, 1)),
        exploration=t.get("exploration", d.exploration, _bool),
        corpus=t.get("corpus", d.corpus, _str()),
        per_poll_cap=t.get("per_poll_cap", d.per_poll_cap, _int(1)),
        daily_cap=t.get("daily_cap", d.daily_cap, _int(1)),
        gates=_read_gates(t),
    )
    t.check_unknown(RelevanceConfig)
    return result


def _gate_values(kind: str) -> Callable[[Any], tuple[str, ...]]:
    from bot.relevance.gates import GateError, normalise

    def item(value: Any) -> str:
        if not isinstance(value, str):
            raise _Invalid(f"must be a string, got {_describe(value)}")
        try:
            return normalise(kind, value)[0]
        except GateError as exc:
            raise _Invalid(str(exc)) from None

    return _list(item)


def _read_gates(relevance: _Table) -> GatesConfig:
    """``[relevance.gates]``: lists of strings, each a valid gate; a value both always and never is refused."""
    d = GatesConfig()
    raw = relevance.data.get("gates", {})
    if not isinstance(raw, dict):
        relevance.problem("gates", f"must be a table ([relevance.gates]), got {_describe(raw)}")
        return d
    t = _Table(f"{relevance.name}.gates", raw, relevance.problems, relevance.token_keys)
    values = {}
    for f in dataclasses.fields(GatesConfig):
        kind = GATE_KEY_KINDS[f.name.partition("_")[2]]
        values[f.name] = t.get(f.name, getattr(d, f.name), _gate_values(kind))
    t.check_unknown(GatesConfig)
    result = GatesConfig(**values)
    from bot.relevance.gates import normalise

    for f in dataclasses.fields(GatesConfig):
        mode, _, kinds = f.name.partition("_")
        if mode != "always":
            continue
        kind = GATE_KEY_KINDS[kinds]
        never = {normalise(kind, v)[1] for v in getattr(result, f"never_{kinds}")}
        both = [v for v in getattr(result, f.name) if normalise(kind, v)[1] in never]
        if both:
            t.problem(
                f.name, f"{', '.join(repr(v) for v in both)} also in never_{kinds}: a gate is always or never"
            )
    return result


def _read_review(t: _Table) -> ReviewConfig:
    d = ReviewConfig()
    result = ReviewConfig(
        snooze_days=t.get("snooze_days", d.snooze_days, _int(1, 365, "a whole number of days")),
        threads=t.get("threads", d.threads, _bool),
        cards_per_poll=t.get("cards_per_poll", d.cards_per_poll, _int(0, 100, "a whole number of cards")),
    )
    t.check_unknown(ReviewConfig)
    return result


def _period(value: Any) -> str:
    if value not in ("daily", "weekly"):
        raise _Invalid(f"must be 'daily' or 'weekly', got {_describe(value)}")
    return str(value)


def _one_day(value: str) -> str:
    day = value.strip().lower()[:3]
    if day not in _WEEKDAYS:
        raise _Invalid(f"must be a day of the week such as 'mon' or 'friday', got {_describe(value)}")
    return day


def _read_digest(t: _Table) -> DigestConfig:
    d = DigestConfig()
    result = DigestConfig(
        channel=t.get("channel", d.channel, _id_or_name("channel")),
        every=t.get("every", d.every, _period),
        day=t.get("day", d.day, _str(_one_day)),
        hour=t.get("hour", d.hour, _int(0, 23)),
        minute=t.get("minute", d.minute, _int(0, 59)),
        timezone=t.get("timezone", d.timezone, _str(_timezone)),
        role=t.get("role", d.role, _id_or_name("role")),
        dm_interval_seconds=t.get("dm_interval_seconds", d.dm_interval_seconds, _float(0, 60)),
    )
    t.check_unknown(DigestConfig)
    return result


def _read_logging(t: _Table) -> LoggingConfig:
    d = LoggingConfig()
    result = LoggingConfig(
        level=t.get("level", d.level, _str(_log_level)),
        format=t.get("format", d.format, _str(_log_format)),
    )
    t.check_unknown(LoggingConfig)
    return result


def listen_address(value: str) -> tuple[str, int]:
    """``"127.0.0.1:9108"`` / ``":9108"`` / ``"[::1]:9108"`` -> (host, port); ``ValueError`` if not one."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(value)
    host = host.strip("[]") or "0.0.0.0"
    return host, int(port)


def _metrics_address(value: str) -> str:
    try:
        listen_address(value)
    except ValueError:
        raise _Invalid(
            f"must be HOST:PORT such as '127.0.0.1:9108' or ':9108' (all interfaces), got {_describe(value)}"
        ) from None
    return value


def _read_metrics(t: _Table) -> MetricsConfig:
    d = MetricsConfig()
    result = MetricsConfig(address=t.get("address", d.address, _str(_metrics_address, allow_empty=True)))
    t.check_unknown(MetricsConfig)
    return result


_AUTHOR = re.compile(r"^[^<>]+ <[^<>\s]+>$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$")
_BRANCH = re.compile(r"^(?!/)(?!.*(?:\.\.|//|@\{|\\))[^\s~^:?*\[]+(?<![/.])$")


def _author(value: str) -> str:
    if not _AUTHOR.match(value):
        raise _Invalid(f"must be 'Name <email>', got {_describe(value)}")
    return value


def _github_repo(value: str) -> str:
    if not _GITHUB_REPO.match(value):
        raise _Invalid(f"must be 'owner/name', got {_describe(value)}")
    return value


def _branch_name(value: str) -> str:
    if not _BRANCH.match(value) or value.endswith(".lock"):
        raise _Invalid(f"must be a valid git branch name, got {_describe(value)}")
    return value


def _relative_path(value: str) -> str:
    if value.startswith("/") or ".." in Path(value).parts:
        raise _Invalid(f"must be a path inside the repository, got {_describe(value)}")
    return value


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise _Invalid(f"must be an http(s) URL, got {_describe(value)}")
    return value.rstrip("/")


def _read_publish(t: _Table) -> PublishConfig:
    d = PublishConfig()
    result = PublishConfig(
        repository=t.get("repository", d.repository, _str(allow_empty=True)),
        branch=t.get("branch", d.branch, _str(_branch_name)),
        path=t.get("path", d.path, _str(_relative_path)),
        branch_prefix=t.get("branch_prefix", d.branch_prefix, _str(_branch_name)),
        author=t.get("author", d.author, _str(_author)),
        github_repo=t.get("github_repo", d.github_repo, _str(_github_repo, allow_empty=True)),
        github_api_url=t.get("github_api_url", d.github_api_url, _str(_http_url)),
        token_env=t.get("token_env", d.token_env, _str(_env_name)),
    )
    t.check_unknown(PublishConfig)
    return result
