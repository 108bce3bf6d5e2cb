"""Options every subcommand's own sub-subcommands take again (``relevance show --db x``)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.examples import examples_epilog

__all__ = ["add_subcommand", "common_options"]


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


def add_subcommand(
    sub: Any, command: str, name: str, help_: str, description: str
) -> argparse.ArgumentParser:
    """``ptm-bot COMMAND NAME``'s parser: its help line, its description and the examples kept for it
    in :data:`bot.cli.examples.EXAMPLES` under ``"COMMAND NAME"``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_, description=description, epilog=examples_epilog(f"{command} {name}")
    )
    return parser
