"""Configuration: one TOML file, parsed once into frozen, typed objects.

``config.example.toml`` documents every key. :func:`load_config` validates the whole file before it
raises, so one start-up lists every missing or invalid key (and the line it is on) instead of failing
on the first. Secrets never live in the file: the Discord token is read from the environment variable
named by ``discord.token_env``.

The rooms, in the order a load walks them:

- :mod:`~bot.config.locate`: which file to read, and the line each key is on;
- :mod:`~bot.config.load`: :func:`load_config`, reading the TOML and reporting every problem at once;
- :mod:`~bot.config.env`: the ``PTM_BOT_<SECTION>_<KEY>`` variables laid over the file, and the token;
- :mod:`~bot.config.tables`: one reader per table, building the objects;
- :mod:`~bot.config.checks`: the converters and validators, and the messages the user reads;
- :mod:`~bot.config.schema`: the frozen dataclasses, their defaults, and :class:`ConfigError`.

Import the public names from here (``from bot.config import Config, load_config``).
"""

from __future__ import annotations

from bot.config.checks import listen_address
from bot.config.env import discord_token
from bot.config.load import load_config
from bot.config.locate import CONFIG_PATH_ENV, DEFAULT_CONFIG_FILENAME, database_url_from_path
from bot.config.schema import (
    CatalogConfig,
    Config,
    ConfigError,
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

__all__ = [
    "CONFIG_PATH_ENV",
    "DEFAULT_CONFIG_FILENAME",
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
    "database_url_from_path",
    "discord_token",
    "listen_address",
    "load_config",
]
