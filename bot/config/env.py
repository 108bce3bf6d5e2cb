"""Configuration from the environment: ``PTM_BOT_<SECTION>_<KEY>`` for every key of the file.

``PTM_BOT_RELEVANCE_PER_POLL_CAP=10`` sets ``relevance.per_poll_cap``, over the file's value. Values
are read the way TOML reads them (``10``, ``0.5``, ``true``, ``"quoted text"``, ``[1, 2]``); a value
that is not TOML is taken as plain text (``mon-fri``, ``postgresql+asyncpg://bot@db/ptm``), and a list
may also be written comma-separated (``cs.CL,cs.LG``). An empty variable counts as unset (compose files
often pass ``${VAR:-}``); write ``[]`` for an empty list. The values then go through the same checks as
the file's, and a problem names the variable.

A table inside a table (``[relevance.gates]``) is set as a whole, as a TOML inline table
(``PTM_BOT_RELEVANCE_GATES='{never_terms = ["quantum"]}'``); ``[[routes]]`` only in the file (a
``PTM_BOT_ROUTES_...`` variable is reported, not ignored).

Variables whose section is not a config table (``PTM_BOT_CONFIG``, ``PTM_BOT_TEST_POSTGRES_URL``) are
not configuration keys and are left alone, unless the section is a typo of a table's name and the key
one of its keys (``PTM_BOT_RELEVENCE_THRESHOLD``): that is reported like a typo in the key.

Secrets come from the environment too, but never through this overlay: :func:`discord_token` reads
the variable named by ``discord.token_env``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.suggest import closest

if TYPE_CHECKING:
    from bot.config.schema import Config

__all__ = ["ENV_PREFIX", "EnvOverrides", "discord_token", "env_name", "read_environment"]

ENV_PREFIX = "PTM_BOT_"


def env_name(section: str, key: str) -> str:
    """``("relevance", "per_poll_cap")`` -> ``"PTM_BOT_RELEVANCE_PER_POLL_CAP"``."""
    return f"{ENV_PREFIX}{section.upper()}_{key.upper()}"


def discord_token(config: Config, env: Mapping[str, str] | None = None) -> str | None:
    """The bot token from the environment variable named by ``discord.token_env`` (None if unset/blank)."""
    env = os.environ if env is None else env
    token = env.get(config.discord.token_env, "").strip()
    return token or None


@dataclass(slots=True)
class EnvOverrides:
    """What the environment sets: ``data[section][key]`` plus, per dotted key, the variable's name."""

    data: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    variables: dict[str, str] = dataclasses.field(default_factory=dict)
    problems: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    """(variable, message) for variables that name no key."""


def read_environment(env: Mapping[str, str], tables: Mapping[str, type]) -> EnvOverrides:
    """Collect the ``PTM_BOT_<SECTION>_<KEY>`` variables of *env* for the dataclasses in *tables*."""
    out = EnvOverrides()
    for variable in sorted(env):
        if not variable.startswith(ENV_PREFIX):
            continue
        raw = env[variable]
        section, _, key = variable[len(ENV_PREFIX) :].lower().partition("_")
        if section == "routes":  # an array of tables: no one variable can say which entry
            out.problems.append(
                (variable, "[[routes]] can only be set in the config file (an array of tables)")
            )
            continue
        if section not in tables:
            meant = _meant(section, key, tables)
            if meant is not None:  # a typo in the section, not someone else's variable
                hint = f" (did you mean {env_name(*meant)}?)"
                out.problems.append((variable, f"no such setting [{section}] {key}{hint}"))
            continue
        fields = {f.name: f for f in dataclasses.fields(tables[section])}
        if key not in fields:
            close = closest(key, fields)
            hint = f" (did you mean {env_name(section, close[0])}?)" if close else ""
            table = next((f for f in fields if key.startswith(f + "_") and _is_table(fields[f])), None)
            if table is not None:
                hint = (
                    f" ([{section}.{table}] is set as a whole, as a TOML inline table: "
                    f"{env_name(section, table)}='{{{key[len(table) + 1 :]} = ...}}')"
                )
            if key == "token" or key.endswith("token"):
                hint = " (the token is read from the variable named by discord.token_env, e.g. DISCORD_TOKEN)"
            out.problems.append((variable, f"no such setting [{section}] {key or '(empty)'}{hint}"))
            continue
        if not raw.strip():
            continue  # empty means unset
        out.data.setdefault(section, {})[key] = _value(raw, str(fields[key].type))
        out.variables[f"{section}.{key}"] = variable
    return out


def _is_table(f: dataclasses.Field[Any]) -> bool:
    """A key whose value is a table of its own (``[relevance.gates]``)."""
    return f.default_factory is not dataclasses.MISSING and dataclasses.is_dataclass(f.default_factory)


def _meant(section: str, key: str, tables: Mapping[str, type]) -> tuple[str, str] | None:
    """The (table, key) a variable whose section is no table was meant to set: its section close to a
    table's name and its key one of that table's (or close to one). ``PTM_BOT_RELEVENCE_THRESHOLD`` ->
    ``("relevance", "threshold")``; ``None`` for variables that are not settings at all
    (``PTM_BOT_CONFIG``, ``PTM_BOT_TEST_POSTGRES_URL``)."""
    for table in closest(section, tables, n=3, cutoff=0.75):
        fields = [f.name for f in dataclasses.fields(tables[table])]
        close = [key] if key in fields else closest(key, fields, n=1, cutoff=0.8)
        if close:
            return table, close[0]
    return None


def _value(raw: str, annotation: str) -> Any:
    text = raw.strip()
    kind = annotation.replace(" ", "")
    if kind in ("str", "str|None"):
        # A string setting is taken as written, quotes optional ("America/New_York" or America/New_York).
        parsed = _toml(text)
        return parsed if isinstance(parsed, str) else text
    if kind.startswith("tuple["):
        parsed = _toml(text)
        if isinstance(parsed, list):
            return parsed
        return [_item(part) for part in text.split(",") if part.strip()]
    parsed = _toml(text)
    return text if parsed is _NOT_TOML else parsed


_NOT_TOML = object()


def _toml(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, KeyError):
        return _NOT_TOML


def _item(part: str) -> Any:
    parsed = _toml(part.strip())
    return part.strip() if parsed is _NOT_TOML else parsed
