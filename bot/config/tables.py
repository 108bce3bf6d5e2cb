"""One reader per TOML table: each key converted by its check from :mod:`bot.config.checks`, a
problem recorded (not raised) so that one start-up lists them all, then unknown keys reported with a
suggestion. :func:`read_tables` builds the whole :class:`~bot.config.schema.Config`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from bot.config.checks import (
    Invalid,
    api_url_template,
    arxiv_interval,
    author,
    boolean,
    branch_name,
    category,
    contact,
    database_url,
    day_of_week,
    describe,
    gate_values,
    github_repo,
    http_url,
    id_or_name,
    integer,
    list_of,
    log_format,
    log_level,
    metrics_address,
    number,
    one_day,
    period,
    relative_path,
    resolve_sqlite_url,
    snowflake,
    string,
    time_zone,
    topic_slug,
    url_template,
    variable_name,
)
from bot.config.schema import (
    GATE_KEY_KINDS,
    CatalogConfig,
    Config,
    DatabaseConfig,
    DigestConfig,
    DiscordConfig,
    EnrichConfig,
    FeedsConfig,
    GatesConfig,
    LinksConfig,
    LoggingConfig,
    MetricsConfig,
    PublishConfig,
    RelevanceConfig,
    ReviewConfig,
    RouteConfig,
    ScheduleConfig,
)
from bot.suggest import did_you_mean

__all__ = ["Table", "read_tables"]

_T = TypeVar("_T")


class Table:
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
        except Invalid as exc:
            self.problem(key, str(exc))
            return default

    def problem(self, key: str, message: str) -> None:
        self.problems.append((f"{self.name}.{key}", message))

    def check_unknown(self, cls: type) -> None:
        known = [f.name for f in dataclasses.fields(cls)]
        for key in self.data:
            if key in known or f"{self.name}.{key}" in self.token_keys:
                continue
            hint = did_you_mean(key, known, quote=True) or f" (known keys: {', '.join(known)})"
            self.problem(key, f"unknown key{hint}")


def read_tables(
    data: Mapping[str, Any],
    problems: list[tuple[str, str]],
    token_keys: set[str],
    *,
    source: Path | None,
    origins: Mapping[str, str],
) -> Config:
    """Every table of *data* read into a :class:`Config`; problems are appended to *problems*."""

    def table(name: str) -> Table:
        value = data.get(name, {})
        return Table(name, value if isinstance(value, dict) else {}, problems, token_keys)

    return Config(
        discord=_read_discord(table("discord")),
        database=_read_database(table("database")),
        catalog=_read_catalog(table("catalog")),
        feeds=_read_feeds(table("feeds")),
        schedule=_read_schedule(table("schedule")),
        links=_read_links(table("links")),
        relevance=_read_relevance(table("relevance")),
        review=_read_review(table("review")),
        digest=_read_digest(table("digest")),
        logging=_read_logging(table("logging")),
        metrics=_read_metrics(table("metrics")),
        publish=_read_publish(table("publish")),
        enrich=_read_enrich(table("enrich")),
        routes=_read_routes(data.get("routes", []), problems, token_keys),
        source=source,
        origins=origins,
    )


# --- one reader per table -----------------------------------------------------------------------


def _read_discord(t: Table) -> DiscordConfig:
    d = DiscordConfig()
    result = DiscordConfig(
        guild_ids=t.get("guild_ids", d.guild_ids, list_of(snowflake)),
        sync_on_start=t.get("sync_on_start", d.sync_on_start, boolean),
        review_channel=t.get("review_channel", d.review_channel, id_or_name("channel")),
        moderator_roles=t.get("moderator_roles", d.moderator_roles, list_of(id_or_name("role"))),
        post_interval_seconds=t.get("post_interval_seconds", d.post_interval_seconds, number(0, 60)),
        token_env=t.get("token_env", d.token_env, string(variable_name)),
    )
    t.check_unknown(DiscordConfig)
    return result


def _read_database(t: Table) -> DatabaseConfig:
    d = DatabaseConfig()
    result = DatabaseConfig(
        url=t.get("url", resolve_sqlite_url(d.url), string(database_url)),
        echo=t.get("echo", d.echo, boolean),
        busy_timeout_ms=t.get(
            "busy_timeout_ms", d.busy_timeout_ms, integer(0, 600_000, "a whole number of milliseconds")
        ),
        read_threads=t.get("read_threads", d.read_threads, integer(0, 32, "a whole number of threads")),
        lock_timeout_ms=t.get(
            "lock_timeout_ms", d.lock_timeout_ms, integer(0, 3_600_000, "a whole number of milliseconds")
        ),
        statement_timeout_ms=t.get(
            "statement_timeout_ms",
            d.statement_timeout_ms,
            integer(0, 3_600_000, "a whole number of milliseconds"),
        ),
    )
    t.check_unknown(DatabaseConfig)
    return result


def _read_catalog(t: Table) -> CatalogConfig:
    d = CatalogConfig()
    result = CatalogConfig(
        import_max_bytes=t.get(
            "import_max_bytes", d.import_max_bytes, integer(1024, 1024**3, "a whole number of bytes")
        ),
    )
    t.check_unknown(CatalogConfig)
    return result


def _read_feeds(t: Table) -> FeedsConfig:
    d = FeedsConfig()
    result = FeedsConfig(
        categories=t.get("categories", d.categories, list_of(category, allow_empty=False)),
        url_template=t.get("url_template", d.url_template, string(url_template)),
        api_url_template=t.get("api_url_template", d.api_url_template, string(api_url_template)),
        combined=t.get("combined", d.combined, boolean),
        contact=t.get("contact", d.contact, string(contact, allow_empty=True)),
        min_interval_seconds=t.get("min_interval_seconds", d.min_interval_seconds, arxiv_interval),
        timeout_seconds=t.get("timeout_seconds", d.timeout_seconds, number(0, 600, low_open=True)),
        max_bytes=t.get("max_bytes", d.max_bytes, integer(1024, 1024**3, "a whole number of bytes")),
        max_attempts=t.get("max_attempts", d.max_attempts, integer(1, 20)),
        disable_after_failures=t.get("disable_after_failures", d.disable_after_failures, integer(1)),
        backfill=t.get("backfill", d.backfill, integer(0, 1000)),
        daily_papers_url=t.get("daily_papers_url", d.daily_papers_url, string(http_url, allow_empty=True)),
    )
    t.check_unknown(FeedsConfig)
    return result


def _read_schedule(t: Table) -> ScheduleConfig:
    d = ScheduleConfig()
    result = ScheduleConfig(
        enabled=t.get("enabled", d.enabled, boolean),
        days=t.get("days", d.days, string(day_of_week)),
        hour=t.get("hour", d.hour, integer(0, 23)),
        minute=t.get("minute", d.minute, integer(0, 59)),
        timezone=t.get("timezone", d.timezone, string(time_zone)),
        jitter_seconds=t.get(
            "jitter_seconds", d.jitter_seconds, integer(0, 6 * 3600, "a whole number of seconds")
        ),
    )
    t.check_unknown(ScheduleConfig)
    return result


def _read_links(t: Table) -> LinksConfig:
    d = LinksConfig()
    result = LinksConfig(
        enabled=t.get("enabled", d.enabled, boolean),
        interval_days=t.get("interval_days", d.interval_days, integer(1, 365, "a whole number of days")),
        timeout_seconds=t.get("timeout_seconds", d.timeout_seconds, number(0, 600, low_open=True)),
        per_host_interval_seconds=t.get(
            "per_host_interval_seconds", d.per_host_interval_seconds, number(0, 600)
        ),
        concurrency=t.get("concurrency", d.concurrency, integer(1, 64)),
        per_host_concurrency=t.get("per_host_concurrency", d.per_host_concurrency, integer(1, 16)),
        max_attempts=t.get("max_attempts", d.max_attempts, integer(1, 10)),
        max_retry_after_seconds=t.get("max_retry_after_seconds", d.max_retry_after_seconds, number(0, 3600)),
        dead_after_hours=t.get("dead_after_hours", d.dead_after_hours, number(1, 24 * 365)),
        contact=t.get("contact", d.contact, string(contact, allow_empty=True)),
    )
    t.check_unknown(LinksConfig)
    return result


def _read_relevance(t: Table) -> RelevanceConfig:
    d = RelevanceConfig()
    result = RelevanceConfig(
        threshold=t.get("threshold", d.threshold, number(0, 1)),
        exploration=t.get("exploration", d.exploration, boolean),
        corpus=t.get("corpus", d.corpus, string()),
        per_poll_cap=t.get("per_poll_cap", d.per_poll_cap, integer(1)),
        daily_cap=t.get("daily_cap", d.daily_cap, integer(1)),
        daily_papers_weight=t.get("daily_papers_weight", d.daily_papers_weight, number(0, 3)),
        gates=_read_gates(t),
    )
    t.check_unknown(RelevanceConfig)
    return result


def _read_gates(relevance: Table) -> GatesConfig:
    """``[relevance.gates]``: lists of strings, each a valid gate; a value both always and never is refused."""
    d = GatesConfig()
    raw = relevance.data.get("gates", {})
    if not isinstance(raw, dict):
        relevance.problem("gates", f"must be a table ([relevance.gates]), got {describe(raw)}")
        return d
    t = Table(f"{relevance.name}.gates", raw, relevance.problems, relevance.token_keys)
    values = {}
    for f in dataclasses.fields(GatesConfig):
        kind = GATE_KEY_KINDS[f.name.partition("_")[2]]
        values[f.name] = t.get(f.name, getattr(d, f.name), gate_values(kind))
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


def _read_review(t: Table) -> ReviewConfig:
    d = ReviewConfig()
    result = ReviewConfig(
        snooze_days=t.get("snooze_days", d.snooze_days, integer(1, 365, "a whole number of days")),
        threads=t.get("threads", d.threads, boolean),
        cards_per_poll=t.get("cards_per_poll", d.cards_per_poll, integer(0, 100, "a whole number of cards")),
        card_min_score=t.get("card_min_score", d.card_min_score, number(0, 1)),
        member_suggestions=t.get("member_suggestions", d.member_suggestions, boolean),
        member_suggestions_per_day=t.get(
            "member_suggestions_per_day", d.member_suggestions_per_day, integer(1, 100, "a whole number")
        ),
    )
    t.check_unknown(ReviewConfig)
    return result


def _read_digest(t: Table) -> DigestConfig:
    d = DigestConfig()
    result = DigestConfig(
        channel=t.get("channel", d.channel, id_or_name("channel")),
        every=t.get("every", d.every, period),
        day=t.get("day", d.day, string(one_day)),
        hour=t.get("hour", d.hour, integer(0, 23)),
        minute=t.get("minute", d.minute, integer(0, 59)),
        timezone=t.get("timezone", d.timezone, string(time_zone)),
        role=t.get("role", d.role, id_or_name("role")),
        dm_interval_seconds=t.get("dm_interval_seconds", d.dm_interval_seconds, number(0, 60)),
    )
    t.check_unknown(DigestConfig)
    return result


def _read_logging(t: Table) -> LoggingConfig:
    d = LoggingConfig()
    result = LoggingConfig(
        level=t.get("level", d.level, string(log_level)),
        format=t.get("format", d.format, string(log_format)),
    )
    t.check_unknown(LoggingConfig)
    return result


def _read_metrics(t: Table) -> MetricsConfig:
    d = MetricsConfig()
    result = MetricsConfig(address=t.get("address", d.address, string(metrics_address, allow_empty=True)))
    t.check_unknown(MetricsConfig)
    return result


def _read_publish(t: Table) -> PublishConfig:
    d = PublishConfig()
    result = PublishConfig(
        repository=t.get("repository", d.repository, string(allow_empty=True)),
        branch=t.get("branch", d.branch, string(branch_name)),
        path=t.get("path", d.path, string(relative_path)),
        page_path=t.get("page_path", d.page_path, string(relative_path, allow_empty=True)),
        branch_prefix=t.get("branch_prefix", d.branch_prefix, string(branch_name)),
        author=t.get("author", d.author, string(author)),
        github_repo=t.get("github_repo", d.github_repo, string(github_repo, allow_empty=True)),
        github_api_url=t.get("github_api_url", d.github_api_url, string(http_url)),
        token_env=t.get("token_env", d.token_env, string(variable_name)),
    )
    t.check_unknown(PublishConfig)
    return result


def _read_enrich(t: Table) -> EnrichConfig:
    d = EnrichConfig()
    result = EnrichConfig(
        enabled=t.get("enabled", d.enabled, boolean),
        hub_url=t.get("hub_url", d.hub_url, string(http_url)),
        min_interval_seconds=t.get("min_interval_seconds", d.min_interval_seconds, number(0, 60)),
        timeout_seconds=t.get("timeout_seconds", d.timeout_seconds, number(1, 300)),
        max_attempts=t.get("max_attempts", d.max_attempts, integer(1, 10)),
        every_hours=t.get("every_hours", d.every_hours, integer(1, 24 * 7)),
    )
    t.check_unknown(EnrichConfig)
    return result


def _read_routes(raw: Any, problems: list[tuple[str, str]], token_keys: set[str]) -> tuple[RouteConfig, ...]:
    """``[[routes]]``: each a topic (a known slug) or a query, and a channel; an optional role."""
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        problems.append(("routes", f"must be an array of tables ([[routes]]), got {describe(raw)}"))
        return ()
    routes = []
    for n, item in enumerate(raw, start=1):
        t = Table(f"routes[{n}]", item, problems, token_keys)
        d = RouteConfig()
        route = RouteConfig(
            topic=t.get("topic", d.topic, string(topic_slug, allow_empty=True)),
            query=t.get("query", d.query, string(allow_empty=True)),
            channel=t.get("channel", d.channel, id_or_name("channel")),
            role=t.get("role", d.role, id_or_name("role")),
            tag=t.get("tag", d.tag, string(allow_empty=True)),
            cards=t.get("cards", d.cards, boolean),
            digest=t.get("digest", d.digest, boolean),
        )
        t.check_unknown(RouteConfig)
        if bool(route.topic) == bool(route.query.strip()):
            t.problem("topic", "give a topic or a query (one of them)")
        if route.channel is None:
            t.problem("channel", "a route needs a channel (id or name)")
        routes.append(route)
    return tuple(routes)
