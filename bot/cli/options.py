"""Options every subcommand's own sub-subcommands take again (``relevance show --db x``)."""

from __future__ import annotations

import argparse

__all__ = ["common_options"]


def common_options(p: argparse.ArgumentParser) -> None:
    """``--config``/``--db``/``-v``/``--log-format`` after the sub-subcommand too. Their defaults are suppressed so a
    value given before the sub-subcommand is not overwritten."""
    group = p.add_argument_group("common options")
    group.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="TOML config file")
    group.add_argument("--db", metavar="PATH_OR_URL", default=argparse.SUPPRESS, help="database file or URL")
    group.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logs")
    group.add_argument(
        "--log-format", choices=("text", "json"), default=argparse.SUPPRESS, help="log lines as text or JSON"
    )
