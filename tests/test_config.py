"""bot.config: defaults, the example file, every kind of error, path/env resolution."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.config import (
    CONFIG_PATH_ENV,
    CatalogConfig,
    Config,
    ConfigError,
    DatabaseConfig,
    DiscordConfig,
    FeedsConfig,
    LinksConfig,
    LoggingConfig,
    RelevanceConfig,
    ScheduleConfig,
    database_url_from_path,
    discord_token,
    load_config,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
TABLES = {
    "discord": DiscordConfig,
    "database": DatabaseConfig,
    "catalog": CatalogConfig,
    "feeds": FeedsConfig,
    "schedule": ScheduleConfig,
    "links": LinksConfig,
    "relevance": RelevanceConfig,
    "logging": LoggingConfig,
}


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No ./config.toml and no PTM_BOT_CONFIG leak in from the developer's machine.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return info.value.problems


def only_problem(tmp_path: Path, text: str) -> str:
    problems = problems_for(tmp_path, text)
    assert len(problems) == 1, problems
    return problems[0]


# --- defaults and the example file --------------------------------------------------------------


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(env={})
    assert config.source is None
    assert config.discord == DiscordConfig()
    assert config.discord.guild_ids == ()
    assert config.discord.review_channel is None
    assert config.discord.token_env == "DISCORD_TOKEN"
    assert config.feeds.categories == ("cs.CL", "cs.LG", "cs.CV", "cs.AI", "cs.SD", "eess.AS")
    assert config.feeds.min_interval_seconds == 3.0
    assert config.feeds.max_bytes == 10 * 1024 * 1024
    assert config.schedule == ScheduleConfig()
    assert config.relevance == RelevanceConfig()
    assert config.logging.level == "INFO"
    # The relative default SQLite path is resolved against the current directory.
    assert config.database.url == f"sqlite+aiosqlite:///{(tmp_path / 'ptm-bot.sqlite3').as_posix()}"


def test_config_objects_are_frozen() -> None:
    config = load_config(env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.relevance.threshold = 0.9  # type: ignore[misc]


def test_example_file_loads_and_equals_defaults() -> None:
    example = load_config(EXAMPLE, env={})
    assert example.source == EXAMPLE
    assert dataclasses.replace(example, source=None) == load_config(env={})


def test_example_file_documents_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for table, cls in TABLES.items():
        assert re.search(rf"^\[{table}\]$", text, re.MULTILINE), table
        for f in dataclasses.fields(cls):
            value = getattr(cls(), f.name)
            if dataclasses.is_dataclass(value):  # a sub-table: [relevance.gates] and each of its keys
                section = text.split(f"[{table}.{f.name}]", 1)
                assert len(section) == 2, f"[{table}.{f.name}]"
                for sub in dataclasses.fields(value):
                    assert re.search(rf"^{sub.name} = ", section[1], re.MULTILINE), (
                        f"{table}.{f.name}.{sub.name}"
                    )
                continue
            # Set, or shown commented out (review_channel has no TOML spelling for "unset").
            assert re.search(rf"^#? ?{f.name} = ", text, re.MULTILINE), f"{table}.{f.name}"


def test_empty_file_and_empty_tables_are_defaults(tmp_path: Path) -> None:
    defaults = load_config(env={})
    empty = load_config(write(tmp_path, "", name="empty.toml"))
    assert dataclasses.replace(empty, source=None) == defaults
    text = "[discord]\n[database]\n[feeds]\n[schedule]\n[relevance]\n[logging]\n"
    tables = load_config(write(tmp_path, text, name="tables.toml"))
    assert dataclasses.replace(tables, source=None) == defaults


def test_values_are_read(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """
            [discord]
            guild_ids = [123456789012345678]
            sync_on_start = false
            review_channel = "#ptm-review"
            moderator_roles = [345678901234567890, "PTM curators", "456"]
            post_interval_seconds = 2
            token_env = "PTM_TOKEN"
            [database]
            url = "postgresql+asyncpg://ptm@localhost/ptm"
            busy_timeout_ms = 0
            [feeds]
            categories = ["cs.CL", "astro-ph.CO", "hep-th"]
            combined = false
            contact = "mailto:admin@example.org"
            min_interval_seconds = 5
            [schedule]
            days = "mon,wed,fri"
            timezone = "UTC"
            [relevance]
            threshold = 1
            [logging]
            level = "debug"
            """,
        )
    )
    assert config.discord.guild_ids == (123456789012345678,)
    assert config.discord.sync_on_start is False
    assert config.discord.review_channel == "ptm-review"
    assert config.discord.moderator_roles == (345678901234567890, "PTM curators", 456)
    assert config.discord.post_interval_seconds == 2.0
    assert isinstance(config.discord.post_interval_seconds, float)
    assert config.database.url == "postgresql+asyncpg://ptm@localhost/ptm"
    assert config.feeds.categories == ("cs.CL", "astro-ph.CO", "hep-th")
    assert config.feeds.min_interval_seconds == 5.0
    assert config.schedule.days == "mon,wed,fri"
    assert config.relevance.threshold == 1.0
    assert config.logging.level == "DEBUG"
    assert config.user_agent.startswith("ptm-bot/")
    assert config.user_agent.endswith(" (+mailto:admin@example.org)")


def test_review_channel_id(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[discord]\nreview_channel = 123456789012345678\n"))
    assert config.discord.review_channel == 123456789012345678


@pytest.mark.parametrize("days", ["mon-fri", "mon,wed,fri", "*", "0-4", "*/2", "sat,sun", "MON-FRI"])
def test_day_specs_accepted(tmp_path: Path, days: str) -> None:
    config = load_config(write(tmp_path, f'[schedule]\ndays = "{days}"\n'))
    assert config.schedule.days == days.lower()


def test_with_database_url_and_user_agent() -> None:
    config = load_config(env={})
    other = config.with_database_url("sqlite+aiosqlite:///:memory:")
    assert other.database.url == "sqlite+aiosqlite:///:memory:"
    assert other.feeds == config.feeds
    assert config.database.url != other.database.url  # the original is untouched
    assert re.fullmatch(r"ptm-bot/\S+", config.user_agent)


# --- errors: every kind names its key -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[relevance]\nthreshold = "high"\n',
            "relevance.threshold: must be a number between 0 and 1, got 'high'",
        ),
        ("[relevance]\nthreshold = 1.5\n", "relevance.threshold: must be a number between 0 and 1, got 1.5"),
        ("[relevance]\nthreshold = nan\n", "relevance.threshold: must be a number"),
        ("[relevance]\nper_poll_cap = 0\n", "relevance.per_poll_cap: must be an integer >= 1, got 0"),
        ("[schedule]\nhour = true\n", "schedule.hour: must be an integer between 0 and 23, got true"),
        ("[schedule]\nminute = 60\n", "schedule.minute: must be an integer between 0 and 59, got 60"),
        ("[schedule]\nhour = 1.0\n", "schedule.hour: must be an integer"),
        ('[schedule]\nenabled = "yes"\n', "schedule.enabled: must be true or false, got 'yes'"),
        ("[schedule]\nenabled = 1\n", "schedule.enabled: must be true or false, got 1"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "schedule.timezone: must be an IANA time zone"),
        ('[schedule]\ntimezone = "../etc/passwd"\n', "schedule.timezone: must be an IANA time zone"),
        ('[schedule]\ndays = "funday"\n', "schedule.days: must be a day-of-week spec"),
        ('[schedule]\ndays = "mon-"\n', "schedule.days: must be a day-of-week spec"),
        ('[schedule]\ndays = "sun-mon"\n', "schedule.days: must be a day-of-week spec"),
        ('[schedule]\ndays = "7"\n', "schedule.days: must be a day-of-week spec"),
        ('[schedule]\ndays = ""\n', "schedule.days: must not be empty"),
        ("[feeds]\ncategories = []\n", "feeds.categories: must not be empty"),
        ('[feeds]\ncategories = "cs.CL"\n', "feeds.categories: must be a list, got 'cs.CL'"),
        ('[feeds]\ncategories = ["cs.CL", "cs CL"]\n', "feeds.categories: item 2 must be an arXiv category"),
        ('[feeds]\ncategories = ["cs.CL", "cs.CL"]\n', "feeds.categories: item 2 repeats 'cs.CL'"),
        (
            '[feeds]\nurl_template = "https://rss.arxiv.org/rss/"\n',
            "feeds.url_template: must contain '{categories}'",
        ),
        (
            '[feeds]\nurl_template = "https://x/{categories}/{x}"\n',
            "feeds.url_template: must contain no braces",
        ),
        ('[feeds]\nurl_template = "ftp://x/{categories}"\n', "feeds.url_template: must be an http(s) URL"),
        ("[feeds]\nmin_interval_seconds = 1\n", "feeds.min_interval_seconds: must be a number between 3 and"),
        ("[feeds]\ntimeout_seconds = 0\n", "feeds.timeout_seconds: must be a number greater than 0"),
        ("[feeds]\nmax_bytes = -1\n", "feeds.max_bytes: must be a whole number of bytes"),
        ("[feeds]\nmax_attempts = 0\n", "feeds.max_attempts: must be an integer between 1 and 20, got 0"),
        ("[feeds]\nbackfill = -1\n", "feeds.backfill: must be an integer between 0 and 1000, got -1"),
        ('[feeds]\ncontact = "a\\r\\nX-Evil: 1"\n', "feeds.contact: must be printable ASCII"),
        ("[discord]\nguild_ids = [0]\n", "discord.guild_ids: item 1 must be a positive integer id, got 0"),
        (
            '[discord]\nguild_ids = ["123"]\n',
            "discord.guild_ids: item 1 must be a positive integer id without quotes",
        ),
        (
            "[discord]\nguild_ids = [true]\n",
            "discord.guild_ids: item 1 must be a positive integer id, got true",
        ),
        ("[discord]\nguild_ids = 123\n", "discord.guild_ids: must be a list, got 123"),
        ("[discord]\nreview_channel = -5\n", "discord.review_channel: must be a positive channel id"),
        (
            '[discord]\nreview_channel = ""\n',
            "discord.review_channel: must be a channel id or a non-empty channel name",
        ),
        (
            "[discord]\nmoderator_roles = [1.5]\n",
            "discord.moderator_roles: item 1 must be a positive role id",
        ),
        (
            '[discord]\ntoken_env = "MTIz.abc.def"\n',
            "discord.token_env: must be the NAME of an environment variable",
        ),
        (
            "[discord]\npost_interval_seconds = -1\n",
            "discord.post_interval_seconds: must be a number between 0 and 60",
        ),
        ('[database]\nurl = "ptm.sqlite3"\n', "database.url: must be a SQLAlchemy URL"),
        ("[database]\necho = 0\n", "database.echo: must be true or false, got 0"),
        (
            "[database]\nbusy_timeout_ms = 1.5\n",
            "database.busy_timeout_ms: must be a whole number of milliseconds",
        ),
        (
            "[database]\nread_threads = 33\n",
            "database.read_threads: must be a whole number of threads",
        ),
        (
            '[logging]\nlevel = "LOUD"\n',
            "logging.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
        ),
        ("[logging]\nlevel = 10\n", "logging.level: must be a string, got 10"),
        ("discord = 5\n", "discord: must be a table ([discord]), got 5"),
    ],
)
def test_invalid_value_names_the_key(tmp_path: Path, text: str, expected: str) -> None:
    assert only_problem(tmp_path, text).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[discord]\nguild_id = [1]\n", "discord.guild_id: unknown key (did you mean 'guild_ids'?)"),
        ("[relevance]\ntreshold = 0.4\n", "relevance.treshold: unknown key (did you mean 'threshold'?)"),
        ("[feeds]\nzzz = 1\n", "feeds.zzz: unknown key (known keys: categories, url_template,"),
        ("[relevence]\nthreshold = 0.4\n", "relevence: unknown table (did you mean [relevance]?)"),
        ("threshold = 0.4\n", "threshold: unknown key (did you mean 'threshold' under [relevance]?)"),
        # (not [plugins]: it reads like [links], which is suggested then)
        ("[webhooks]\nx = 1\n", "webhooks: unknown table (expected tables: [discord], [database],"),
    ],
)
def test_unknown_keys_and_tables_with_suggestions(tmp_path: Path, text: str, expected: str) -> None:
    assert only_problem(tmp_path, text).startswith(expected)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[discord]\ntoken = "MTIz.secret.value"\n', "discord.token"),
        ('token = "MTIz.secret.value"\n', "token"),
        ('[database]\ntoken = "MTIz.secret.value"\n', "database.token"),
        ('[discord]\nbot_token = "MTIz.secret.value"\n', "discord.bot_token"),
        ('[plugins.github]\ntoken = "MTIz.secret.value"\n', "plugins.github.token"),
    ],
)
def test_token_in_file_is_rejected_without_echoing_it(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    token_problems = [p for p in info.value.problems if p.startswith(f"{key}: ")]
    assert len(token_problems) == 1, info.value.problems
    assert "environment variable" in token_problems[0]
    assert "secret" not in str(info.value)


def test_toml_syntax_error_reports_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "[discord]\nsync_on_start = true\nreview_channel = \n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert problem.startswith("invalid TOML at line 3, column 18:")
    assert str(info.value).startswith(f"{path}:3: invalid TOML at line 3, column 18:")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[logging]\nlevel = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_many_errors_are_all_listed_in_file_order_with_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
[discord]
guild_id = [1]
guild_ids = [1, -2]
token = "MTIz.secret.value"
[feeds]
categories = []
min_interval_seconds = 1
[schedule]
days = "someday"
timezone = "Nowhere/Land"
[relevance]
threshold = "high"
[logging]
level = "LOUD"
""",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    keys = [problem.split(":", 1)[0] for problem in err.problems]
    assert keys == [
        "discord.guild_id",
        "discord.guild_ids",
        "discord.token",
        "feeds.categories",
        "feeds.min_interval_seconds",
        "schedule.days",
        "schedule.timezone",
        "relevance.threshold",
        "logging.level",
    ]
    assert err.lines == (2, 3, 4, 6, 7, 9, 10, 12, 14)
    lines = str(err).splitlines()
    assert len(lines) == len(err.problems)
    assert lines[7] == f"{path}:12: relevance.threshold: must be a number between 0 and 1, got 'high'"
    assert all(line.startswith(f"{path}:") for line in lines)


# --- finding the file ---------------------------------------------------------------------------


def test_explicit_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml")
    assert "not found" in str(info.value)
    assert "nope.toml" in str(info.value)


def test_path_from_environment_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "[relevance]\nthreshold = 0.7\n", name="elsewhere.toml")
    config = load_config(env={CONFIG_PATH_ENV: str(path)})
    assert config.relevance.threshold == 0.7
    assert config.source == path.resolve()


def test_path_from_environment_variable_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(env={CONFIG_PATH_ENV: str(tmp_path / "missing.toml")})
    assert CONFIG_PATH_ENV in str(info.value)
    assert "missing.toml" in str(info.value)


def test_os_environ_is_used_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[relevance]\nthreshold = 0.25\n", name="from-env.toml")
    monkeypatch.setenv(CONFIG_PATH_ENV, str(path))
    assert load_config().relevance.threshold == 0.25


def test_config_toml_in_current_directory(tmp_path: Path) -> None:
    write(tmp_path, "[relevance]\nthreshold = 0.9\n")
    config = load_config(env={})
    assert config.relevance.threshold == 0.9
    assert config.source == (tmp_path / "config.toml").resolve()


def test_explicit_path_beats_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[relevance]\nthreshold = 0.1\n", name="explicit.toml")
    config = load_config(path, env={CONFIG_PATH_ENV: str(tmp_path / "missing.toml")})
    assert config.relevance.threshold == 0.1


# --- secrets and database paths -----------------------------------------------------------------


def test_discord_token_from_named_environment_variable(tmp_path: Path) -> None:
    config = load_config(env={})
    assert discord_token(config, {"DISCORD_TOKEN": " abc.def \n"}) == "abc.def"
    assert discord_token(config, {}) is None
    assert discord_token(config, {"DISCORD_TOKEN": "  "}) is None
    custom = load_config(write(tmp_path, '[discord]\ntoken_env = "PTM_TOKEN"\n'))
    assert discord_token(custom, {"PTM_TOKEN": "xyz", "DISCORD_TOKEN": "other"}) == "xyz"


def test_discord_token_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "from-os")
    assert discord_token(Config()) == "from-os"


def test_database_url_from_path(tmp_path: Path) -> None:
    assert database_url_from_path("x.sqlite3") == f"sqlite+aiosqlite:///{(tmp_path / 'x.sqlite3').as_posix()}"
    absolute = tmp_path / "sub" / "y.sqlite3"
    assert database_url_from_path(str(absolute)) == f"sqlite+aiosqlite:///{absolute.as_posix()}"
    assert database_url_from_path("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert database_url_from_path("sqlite+aiosqlite:///rel.db") == "sqlite+aiosqlite:///rel.db"
    assert database_url_from_path(":memory:") == "sqlite+aiosqlite:///:memory:"
    with pytest.raises(ValueError):
        database_url_from_path("")


def test_relative_sqlite_url_in_file_is_resolved_against_cwd(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[database]\nurl = "sqlite+aiosqlite:///data/bot.db?timeout=5"\n'))
    assert config.database.url == f"sqlite+aiosqlite:///{(tmp_path / 'data/bot.db').as_posix()}?timeout=5"
    memory = load_config(write(tmp_path, '[database]\nurl = "sqlite+aiosqlite:///:memory:"\n'))
    assert memory.database.url == "sqlite+aiosqlite:///:memory:"


def test_review_and_digest_keys(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "[review]\nsnooze_days = 3\nthreads = true\n"
            '[digest]\nchannel = "news"\nevery = "daily"\nday = "Friday"\nrole = 42\ndm_interval_seconds = 0.5\n',
        )
    )
    assert (config.review.snooze_days, config.review.threads) == (3, True)
    assert (config.digest.channel, config.digest.every, config.digest.day, config.digest.role) == (
        "news",
        "daily",
        "fri",
        42,
    )
    assert config.digest.period_days == 1 and load_config(write(tmp_path, "")).digest.period_days == 7


def test_review_and_digest_problems_are_listed_per_key(tmp_path: Path) -> None:
    problems = problems_for(
        tmp_path,
        '[review]\nsnooze_days = 0\n[digest]\nevery = "monthly"\nday = "someday"\nhour = 24\nrole = ""\n',
    )
    text = "\n".join(problems)
    assert len(problems) == 5
    for key in ("review.snooze_days", "digest.every", "digest.day", "digest.hour", "digest.role"):
        assert key in text


# --- [relevance.gates] --------------------------------------------------------------------------


def test_gates_are_read_into_a_frozen_table(tmp_path: Path) -> None:
    text = (
        "[relevance]\nper_poll_cap = 5\n\n[relevance.gates]\n"
        'always_authors = ["Kaiming  He"]\nnever_terms = ["systematic review", "ChatGPT for"]\n'
        'always_categories = ["eess.AS"]\nnever_orgs = ["Acme Labs"]\n'
    )
    gates = load_config(write(tmp_path, text), env={}).relevance.gates
    assert gates.always_authors == ("Kaiming He",)  # whitespace collapsed, as shown
    assert gates.never_terms == ("systematic review", "ChatGPT for")
    assert gates.items() == [
        ("never", "term", "systematic review"),
        ("never", "term", "ChatGPT for"),
        ("always", "author", "Kaiming He"),
        ("never", "org", "Acme Labs"),
        ("always", "category", "eess.AS"),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        gates.never_terms = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('never_terms = "survey"\n', "relevance.gates.never_terms: must be a list, got 'survey'"),
        ('never_terms = [""]\n', "relevance.gates.never_terms: item 1 a term gate needs a value"),
        ("never_terms = [3]\n", "relevance.gates.never_terms: item 1 must be a string, got 3"),
        (
            'always_terms = ["the"]\n',
            "relevance.gates.always_terms: item 1 a term gate on 'the' would match almost",
        ),
        (
            'never_categories = ["computer science"]\n',
            "relevance.gates.never_categories: item 1 'computer science' is not an arXiv category",
        ),
        (
            'always_author = ["X Y"]\n',
            "relevance.gates.always_author: unknown key (did you mean 'always_authors'?)",
        ),
        (
            'always_authors = ["Ada Lovelace"]\nnever_authors = ["ada  LOVELACE"]\n',
            "relevance.gates.always_authors: 'Ada Lovelace' also in never_authors",
        ),
    ],
)
def test_gate_problems_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    assert only_problem(tmp_path, "[relevance.gates]\n" + text).startswith(expected)


def test_gates_must_be_a_table(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, '[relevance]\ngates = ["survey"]\n')
    assert problem.startswith("relevance.gates: must be a table ([relevance.gates]), got a list")


def test_review_card_min_score_from_file_and_environment(tmp_path: Path) -> None:
    from bot.relevance.days import DEFAULT_CARD_MIN_SCORE

    # The default is the one the evaluation reports with (chosen on the training days).
    assert load_config(write(tmp_path, "")).review.card_min_score == DEFAULT_CARD_MIN_SCORE == 0.3
    assert load_config(write(tmp_path, "[review]\ncard_min_score = 0\n")).review.card_min_score == 0.0
    env = {"PTM_BOT_REVIEW_CARD_MIN_SCORE": "0.55"}
    assert load_config(write(tmp_path, ""), env=env).review.card_min_score == 0.55
    problem = only_problem(tmp_path, "[review]\ncard_min_score = 1.5\n")
    assert "review.card_min_score" in problem and "1.5" in problem


def test_review_cards_per_poll_from_file_and_environment(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).review.cards_per_poll == 8
    assert load_config(write(tmp_path, "[review]\ncards_per_poll = 0\n")).review.cards_per_poll == 0
    from_env = load_config(
        write(tmp_path, "[review]\ncards_per_poll = 3\n"), env={"PTM_BOT_REVIEW_CARDS_PER_POLL": "5"}
    )
    assert from_env.review.cards_per_poll == 5
    problem = only_problem(tmp_path, "[review]\ncards_per_poll = -1\n")
    assert "review.cards_per_poll" in problem and "-1" in problem
    problem = only_problem(tmp_path, '[review]\ncards_per_poll = "many"\n')
    assert "review.cards_per_poll" in problem
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, ""), env={"PTM_BOT_REVIEW_CARDS_PER_POLL": "lots"})
    assert any("PTM_BOT_REVIEW_CARDS_PER_POLL (review.cards_per_poll)" in p for p in info.value.problems)


def test_links_table_from_file_and_environment(tmp_path: Path) -> None:
    defaults = load_config(write(tmp_path, "")).links
    assert defaults == LinksConfig() and defaults.enabled and defaults.interval_days == 7
    text = (
        "[links]\nenabled = false\ninterval_days = 14\ntimeout_seconds = 5\nper_host_interval_seconds = 0.5\n"
        'concurrency = 4\nper_host_concurrency = 2\ncontact = "mailto:links@example.org"\n'
    )
    config = load_config(write(tmp_path, text))
    assert config.links == LinksConfig(
        enabled=False,
        interval_days=14,
        timeout_seconds=5.0,
        per_host_interval_seconds=0.5,
        concurrency=4,
        per_host_concurrency=2,
        contact="mailto:links@example.org",
    )
    assert config.links_user_agent.endswith(" (+mailto:links@example.org)")
    feeds_contact = load_config(write(tmp_path, '[feeds]\ncontact = "mailto:a@example.org"\n'))
    assert feeds_contact.links_user_agent == feeds_contact.user_agent  # empty: the feeds' contact
    env = {"PTM_BOT_LINKS_INTERVAL_DAYS": "3", "PTM_BOT_LINKS_ENABLED": "false"}
    from_env = load_config(write(tmp_path, text), env=env)
    assert from_env.links.interval_days == 3 and not from_env.links.enabled
    assert from_env.origins["links.interval_days"].startswith("environment")
    problems = problems_for(tmp_path, "[links]\ninterval_days = 0\nconcurency = 3\ntimeout_seconds = 0\n")
    assert any("links.interval_days" in p for p in problems)
    assert any("links.timeout_seconds" in p for p in problems)
    assert any("links.concurency" in p and "concurrency" in p for p in problems)
