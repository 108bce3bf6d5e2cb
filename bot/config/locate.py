"""Where things are: the config file to read (an argument, ``$PTM_BOT_CONFIG`` or ``./config.toml``),
the line each key is on (so a problem names it), and the database file given as a path.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.config.schema import ConfigError

__all__ = [
    "CONFIG_PATH_ENV",
    "DEFAULT_CONFIG_FILENAME",
    "config_path",
    "database_url_from_path",
    "line_index",
]

log = logging.getLogger(__name__)

CONFIG_PATH_ENV = "PTM_BOT_CONFIG"
DEFAULT_CONFIG_FILENAME = "config.toml"


def config_path(path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    """The file to read: *path*; else the one named by ``$PTM_BOT_CONFIG``; else ``./config.toml`` if it
    exists; else ``None`` (run on defaults). A path that was asked for explicitly (argument or
    environment variable) must exist.
    """
    if path is None:
        from_env = env.get(CONFIG_PATH_ENV, "").strip()
        if from_env:
            if not Path(from_env).expanduser().is_file():
                raise ConfigError(
                    [f"config file not found (named by the {CONFIG_PATH_ENV} environment variable)"],
                    source=from_env,
                )
            return Path(from_env).expanduser()
        if Path(DEFAULT_CONFIG_FILENAME).is_file():
            return Path(DEFAULT_CONFIG_FILENAME)
        log.debug("no %s and no %s; using defaults", CONFIG_PATH_ENV, DEFAULT_CONFIG_FILENAME)
        return None
    path = Path(path).expanduser()
    if not path.is_file():
        what = "is not a file" if path.exists() else "config file not found"
        raise ConfigError([what], source=path)
    return path


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


# --- line numbers for problems ------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _normalise_dotted(raw: str) -> str:
    parts = re.split(r"\s*\.\s*(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", raw.strip())
    return ".".join(p.strip().strip("\"'") for p in parts)


def line_index(text: str) -> Callable[[str], int | None]:
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
