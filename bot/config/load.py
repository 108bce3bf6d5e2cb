"""Loading: read and decode the file, lay the environment over it, read every table, and report every
problem at once (the file's in file order, each with its line; the environment's after them).

``load_config`` is the one way in; the checks themselves live in :mod:`bot.config.checks`, the tables'
readers in :mod:`bot.config.tables`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.config.checks import describe
from bot.config.env import EnvOverrides, read_environment
from bot.config.locate import config_path, line_index
from bot.config.schema import TABLES, Config, ConfigError
from bot.config.tables import read_tables

__all__ = ["load_config"]

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOKEN_IN_FILE = (
    "tokens are never read from the config file; set the environment variable named by "
    "discord.token_env (default DISCORD_TOKEN) instead, and revoke this token if it was real"
)


def load_config(
    path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> Config:
    """Read and validate the configuration.

    *path* ``None`` means: the file named by ``$PTM_BOT_CONFIG``, else ``./config.toml`` if it exists,
    else all defaults (so the CLI can be tried without writing a file). A path that was asked for
    explicitly (argument or environment variable) must exist.
    """
    env = os.environ if env is None else env
    found = config_path(path, env)
    if found is None:
        return _build({}, source=None, env=env)
    return _load_file(found, env)


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
    problems: list[tuple[str, str]] = []  # (dotted key, message), in the order they are found
    token_keys = _find_token_keys(data, (), problems)
    origins = {
        f"{name}.{key}": "file"
        for name, table in data.items()
        if name in TABLES and isinstance(table, dict)
        for key in table
    }
    overrides = read_environment(os.environ if env is None else env, TABLES)
    data = _overlay(data, overrides, origins)
    _check_top_level(data, token_keys, problems)
    config = read_tables(data, problems, token_keys, source=source, origins=origins)
    if problems or overrides.problems:
        raise _config_error(problems, overrides, text, display if display is not None else source)
    return config


def _overlay(data: Mapping[str, Any], overrides: EnvOverrides, origins: dict[str, str]) -> Mapping[str, Any]:
    """*data* with the environment's values laid over it; *origins* notes each key they set."""
    if not overrides.data:
        return data
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
    return data


def _check_top_level(data: Mapping[str, Any], token_keys: set[str], problems: list[tuple[str, str]]) -> None:
    """Every top-level name must be one of the tables (token keys are already reported)."""
    for key, value in data.items():
        if key == "routes":  # an array of tables ([[routes]]): read and checked by read_tables
            continue
        if key in TABLES:
            if not isinstance(value, dict):
                problems.append((key, f"must be a table ([{key}]), got {describe(value)}"))
        elif key not in token_keys:
            problems.append((key, _unknown_top_level(key, isinstance(value, dict))))


def _config_error(
    problems: list[tuple[str, str]], overrides: EnvOverrides, text: str, source: Path | None
) -> ConfigError:
    """One error listing every problem: the file's in file order, with lines; then the environment's."""
    locate = line_index(text)
    file_problems = [p for p in problems if p[0] not in overrides.variables]
    located = [(locate(key), f"{key}: {message}") for key, message in file_problems]
    # Report in file order, so the list reads alongside the file; unlocated problems last.
    located.sort(key=lambda item: math.inf if item[0] is None else item[0])
    env_problems = [
        f"{overrides.variables[key]} ({key}): {message}"
        for key, message in problems
        if key in overrides.variables
    ] + [f"{variable}: {message}" for variable, message in overrides.problems]
    return ConfigError(
        [problem for _, problem in located] + env_problems,
        source=source,
        lines=[line for line, _ in located] + [None] * len(env_problems),
        origins=[None] * len(located) + ["environment"] * len(env_problems),
    )


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
            problems.append((dotted, _TOKEN_IN_FILE))
            found.add(dotted)
        elif isinstance(value, dict):
            found |= _find_token_keys(value, (*prefix, key), problems)
    return found


def _unknown_top_level(key: str, is_table: bool) -> str:
    tables = difflib.get_close_matches(key, list(TABLES), n=1)
    if tables:
        return f"unknown {'table' if is_table else 'key'} (did you mean [{tables[0]}]?)"
    if not is_table:
        # A key written above every [table] header: suggest the table it belongs in.
        for name, cls in TABLES.items():
            names = [f.name for f in dataclasses.fields(cls)]
            close = difflib.get_close_matches(key, names, n=1)
            if close:
                return f"unknown key (did you mean '{close[0]}' under [{name}]?)"
    expected = ", ".join(f"[{name}]" for name in TABLES)
    return f"unknown {'table' if is_table else 'key'} (expected tables: {expected})"
