"""The typed configuration: one frozen dataclass per TOML table, :class:`Config` holding them all, and
:class:`ConfigError`, which lists every problem at once. Defaults live here; ``config.example.toml``
documents every key.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import PTMError

__all__ = [
    "ARXIV_MIN_INTERVAL_SECONDS",
    "DEFAULT_CATEGORIES",
    "DEFAULT_DATABASE_URL",
    "GATE_KEY_KINDS",
    "TABLES",
    "CatalogConfig",
    "Config",
    "ConfigError",
    "DatabaseConfig",
    "DigestConfig",
    "DiscordConfig",
    "EnrichConfig",
    "FeedsConfig",
    "GatesConfig",
    "LinksConfig",
    "LoggingConfig",
    "MetricsConfig",
    "PublishConfig",
    "RelevanceConfig",
    "ReviewConfig",
    "RouteConfig",
    "ScheduleConfig",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///ptm-bot.sqlite3"
DEFAULT_CATEGORIES = ("cs.CL", "cs.LG", "cs.CV", "cs.AI", "cs.SD", "eess.AS")
# arXiv's robots policy asks automated clients to wait at least this long between requests.
ARXIV_MIN_INTERVAL_SECONDS = 3.0


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
    lock_timeout_ms: int = 10_000
    """PostgreSQL only, for ``ptm-bot`` commands: give up waiting for a lock after this long (0: never)."""
    statement_timeout_ms: int = 120_000
    """PostgreSQL only, for ``ptm-bot`` commands: cancel a statement running this long (0: never)."""


@dataclass(frozen=True, slots=True)
class CatalogConfig:
    import_max_bytes: int = 32 * 1024 * 1024
    """``ptm-bot import`` refuses a file larger than this (the real list is 43 KB: about 780 times
    over; a generated 100,000-line list is about 23 MB)."""


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
    daily_papers_url: str = ""
    """Hugging Face Daily Papers (``https://huggingface.co/api/daily_papers``) polled with the arXiv
    feeds: a paper seen in both is one suggestion showing both sources and its upvotes. Empty: off."""


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    enabled: bool = True
    days: str = "mon-fri"
    hour: int = 0
    minute: int = 30
    timezone: str = "America/New_York"
    jitter_seconds: int = 600


@dataclass(frozen=True, slots=True)
class LinksConfig:
    """The catalog's link check (``ptm-bot links check``, the weekly job, ``/ptm-admin links``)."""

    enabled: bool = True
    """Check every link on a schedule (every ``interval_days``); false: only ``ptm-bot links check``."""
    interval_days: int = 7
    timeout_seconds: float = 20.0
    per_host_interval_seconds: float = 3.0
    """At least this long between two requests to one host (arXiv asks for 3 s)."""
    concurrency: int = 8
    """Links checked at once, over all hosts."""
    per_host_concurrency: int = 1
    """Requests in flight to one host at once."""
    max_attempts: int = 3
    """Tries of one link when the host says "come back later" (429/503 with Retry-After)."""
    max_retry_after_seconds: float = 120.0
    """A longer Retry-After is not waited for: the link is left for the next check (not a failure)."""
    dead_after_hours: float = 24.0
    """A link is dead after failing on two checks at least this far apart."""
    contact: str = ""
    """Sent in the User-Agent like ``feeds.contact``; empty: ``feeds.contact``."""


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
        out: list[tuple[str, str, str]] = []
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
    daily_papers_weight: float = 0.0
    """How much a paper's Hugging Face Daily Papers upvotes move its score: the calibrated log-odds
    go up by this times ``ln(1 + upvotes)``. 0 (the default, measured in docs/relevance.md "Votes and
    upvotes"): the upvotes are shown on the card, not scored."""
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
    card_min_score: float = 0.3
    """A paper above the line gets a card only with a calibrated score at least this; the others are
    listed in the "also above the line" message (still suggested). A gate's paper always may. 0: off."""
    member_suggestions: bool = True
    """Members may suggest papers with ``/ptm suggest`` (moderators can also turn it off at run time:
    ``/ptm-admin member-suggestions off``)."""
    member_suggestions_per_day: int = 3
    """At most this many ``/ptm suggest`` per member in 24 hours."""


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
    page_path: str = ""
    """Also publish the catalog as one self-contained HTML page at this path in the repository
    (e.g. ``docs/index.html``, for GitHub Pages), in the same commit; empty: the list only."""
    branch_prefix: str = "ptm-bot/list-"
    author: str = "ptm-bot <ptm-bot@users.noreply.github.com>"
    github_repo: str = ""
    """``owner/name``: also open a pull request on GitHub (token from ``token_env``); empty: no PR."""
    github_api_url: str = "https://api.github.com"
    token_env: str = "GITHUB_TOKEN"
    """The NAME of the environment variable holding the GitHub token."""


@dataclass(frozen=True, slots=True)
class EnrichConfig:
    enabled: bool = True
    """Ask the Hugging Face Hub what it links to each suggested paper and entry (models, code)."""
    hub_url: str = "https://huggingface.co"
    """The Hub's base URL; the paper API is ``{hub_url}/api/papers/{arxiv_id}``."""
    min_interval_seconds: float = 1.0
    """At most one request to the Hub this often (polite: the Hub is shared)."""
    timeout_seconds: float = 20.0
    max_attempts: int = 3
    """Tries per paper; a 429 waits for Retry-After, other failures back off."""
    every_hours: int = 24
    """The bot asks again about pending and snoozed papers this often (a snoozed paper wakes when
    the Hub first lists a model for it)."""


@dataclass(frozen=True, slots=True)
class RouteConfig:
    """One ``[[routes]]`` entry: review cards of papers on a topic (or matching a query) go to their
    own channel, with their own role mentioned; the first matching route wins."""

    topic: str = ""
    """A topic slug (docs/topics.md): a paper whose proposed topics include it takes this route."""
    query: str = ""
    """Or words that must all be in the paper's title or abstract (case-insensitive)."""
    channel: int | str | None = None
    """The text channel (id or name) the route's cards go to."""
    role: int | str | None = None
    """A role (id or name) mentioned with each of the route's cards: the route's only mention."""
    tag: str = ""
    """When the channel is a forum: the name of the forum tag each of the route's card posts gets."""
    cards: bool = True
    """The route takes review cards."""
    digest: bool = True
    """The route takes the digest's entries of its topic (posted in its channel, with its role)."""


@dataclass(frozen=True, slots=True)
class Config:
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    catalog: CatalogConfig = field(default_factory=CatalogConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    links: LinksConfig = field(default_factory=LinksConfig)
    relevance: RelevanceConfig = field(default_factory=RelevanceConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    enrich: EnrichConfig = field(default_factory=EnrichConfig)
    routes: tuple[RouteConfig, ...] = ()
    """``[[routes]]``: review cards routed by topic or query (the first match; others: the review channel)."""
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

    @property
    def links_user_agent(self) -> str:
        """The link check's User-Agent: :attr:`user_agent` with ``links.contact`` when it is set."""
        contact = self.links.contact.strip()
        if not contact:
            return self.user_agent
        return f"{self.user_agent.split(' ', 1)[0]} (+{contact})"


TABLES: dict[str, type] = {
    "discord": DiscordConfig,
    "database": DatabaseConfig,
    "catalog": CatalogConfig,
    "feeds": FeedsConfig,
    "schedule": ScheduleConfig,
    "links": LinksConfig,
    "relevance": RelevanceConfig,
    "review": ReviewConfig,
    "digest": DigestConfig,
    "logging": LoggingConfig,
    "metrics": MetricsConfig,
    "publish": PublishConfig,
    "enrich": EnrichConfig,
}


"""The file's tables, in the order they are read and listed in messages."""
