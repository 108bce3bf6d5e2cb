"""``ptm-bot health`` and ``ptm-bot config show``: what an operator (or a container's health check) asks."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from typing import Any

from bot.cli.options import add_subcommand, common_options
from bot.config import Config, discord_token
from bot.config.env import env_name
from bot.config.schema import TABLES
from bot.redact import redact

__all__ = ["COMMANDS", "effective_settings", "example_config", "render_config"]


# --- health -------------------------------------------------------------------------------------


def _configure_health(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Check the deployment: the database answers and is at the newest migration, catalog counts, the "
        "last successful arXiv poll against the schedule, each configured feed's health, a running bot "
        "holding the poller lock, a review channel configured. Changes nothing (the database is opened "
        "read-only). Exit status 0 when healthy, 1 when not (one line per problem; a damaged or unreadable "
        "database, a foreign database or a catalog needing migration is a problem line too, with --json as "
        "well): usable as a container or monitoring health check. Times are shown in UTC, the schedule's "
        "own zone beside them."
    )
    p.add_argument("--json", action="store_true", help='print {"healthy", "problems", "checks"} as JSON')


async def cmd_health(args: argparse.Namespace, config: Config) -> int:
    from bot.ops.health import HealthReport, check_health

    try:
        report = await check_health(config)
    except Exception as exc:  # health answers 0 or 1, never 2: whatever broke is the problem line
        report = HealthReport()
        report.add(
            "health",
            False,
            f"cannot check: {str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__}",
        )
    return _print_health(args, report)


def health_without_config(args: argparse.Namespace, problem: Exception) -> int:
    """``health`` when the configuration cannot be used (a bad file, variable or ``--db``): the problem
    is the report's one line, ``--json`` too, and the exit status 1: health never exits 2."""
    from bot.ops.health import HealthReport

    report = HealthReport()
    lines = [" ".join(line.split()) for line in str(problem).splitlines() if line.strip()]
    report.add("config", False, f"cannot use the configuration: {'; '.join(lines) or type(problem).__name__}")
    return _print_health(args, report)


def _print_health(args: argparse.Namespace, report: Any) -> int:
    if getattr(args, "json", False):
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        for line in report.lines():
            print(line)
        print("healthy" if report.healthy else f"unhealthy: {len(report.problems)} problem(s)")
    return 0 if report.healthy else 1


# --- config show ----------------------------------------------------------------------------------

_TABLE_NAMES = tuple(TABLES)  # every table, in the file's order (a new one is never left out)


def _mask(key: str, value: Any) -> Any:
    """Secrets never reach the output: a password or token in a URL becomes ``***`` (bot.redact)."""
    if isinstance(value, str):
        return redact(value)
    return value


def effective_settings(config: Config) -> list[dict[str, Any]]:
    """Every key: its effective value (secrets masked), where it came from and its variable."""
    out: list[dict[str, Any]] = []
    for table in _TABLE_NAMES:
        section = getattr(config, table, None)
        if section is None:
            continue
        for f in dataclasses.fields(section):
            dotted = f"{table}.{f.name}"
            value = getattr(section, f.name)
            if dataclasses.is_dataclass(value):  # a sub-table ([relevance.gates]): one row per key
                origin = config.origins.get(dotted, "default")
                out.extend(
                    {
                        "key": f"{dotted}.{sub.name}",
                        "value": list(getattr(value, sub.name)),
                        "origin": origin,
                        "env": env_name(table, f.name),
                    }
                    for sub in dataclasses.fields(value)
                )
                continue
            if isinstance(value, tuple):
                value = list(value)
            out.append(
                {
                    "key": dotted,
                    "value": _mask(dotted, value),
                    "origin": config.origins.get(dotted, "default"),
                    "env": env_name(table, f.name),
                }
            )
    out.extend(_route_settings(config))
    return out


def _route_settings(config: Config) -> list[dict[str, Any]]:
    """``[[routes]]``: one row per set key of each route (``routes[1].topic``), from the file."""
    return [
        {
            "key": f"routes[{n}].{f.name}",
            "value": getattr(route, f.name),
            "origin": "file" if config.source is not None else "default",
            "env": None,
        }
        for n, route in enumerate(config.routes, start=1)
        for f in dataclasses.fields(route)
        if getattr(route, f.name) not in (None, "")
    ]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def render_config(config: Config) -> list[str]:
    """The effective configuration as TOML, each key annotated with its origin."""
    source = str(config.source) if config.source is not None else "none (defaults)"
    lines = [f"# config file: {source}"]
    token_var = config.discord.token_env
    token = "set (masked)" if discord_token(config) else "NOT set"
    lines.append(f"# Discord token: {token_var} is {token}")
    if config.publish.github_repo:
        github = config.publish.token_env
        state = "set (masked)" if os.environ.get(github, "").strip() else "NOT set"
        lines.append(f"# GitHub token (pull requests): {github} is {state}")
    current = None
    rows = effective_settings(config)
    width = max(
        len(f"{r['key'].split('.', 1)[1]} = {_toml_value(r['value'])}")
        for r in rows
        if r["value"] is not None
    )
    for row in rows:
        table, key = row["key"].split(".", 1)
        if table != current:
            lines.extend(["", "[[routes]]" if table.startswith("routes[") else f"[{table}]"])
            current = table
        if row["value"] is None:
            text = f"# {key} (unset)"
        else:
            text = f"{key} = {_toml_value(row['value'])}"
        lines.append(f"{text:<{min(width, 48)}}  # {row['origin']}")
    return lines


def _configure_config(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Show the effective configuration: every key with its value and where it came from (default, the "
        "file, or the environment variable PTM_BOT_<SECTION>_<KEY>); secrets are masked."
    )
    sub = p.add_subparsers(dest="config_command", metavar="{show,example}", required=True)
    add_subcommand(
        sub,
        "config",
        "example",
        "print the documented example config (every key, its default and what it does)",
        "Print config.example.toml, shipped with the package: 'ptm-bot config example > "
        "config.toml' starts a config file. Every key is documented there; the defaults need no file.",
    )
    show = add_subcommand(
        sub,
        "config",
        "show",
        "print the effective configuration and each value's origin",
        "Every key with its value and where it came from (default, the file, the environment "
        "variable PTM_BOT_<SECTION>_<KEY>, the command line); secrets are masked.",
    )
    show.add_argument("--json", action="store_true", help="print JSON")
    common_options(show)


def example_config() -> str:
    """The documented example config, as shipped in the package (``bot/data/config.example.toml``)."""
    from importlib.resources import files

    return files("bot").joinpath("data", "config.example.toml").read_text(encoding="utf-8")


async def cmd_config(args: argparse.Namespace, config: Config) -> int:
    if args.config_command == "example":
        print(example_config(), end="")
        return 0
    if args.json:
        payload = {
            "source": str(config.source) if config.source is not None else None,
            "token": {"variable": config.discord.token_env, "set": discord_token(config) is not None},
            "settings": effective_settings(config),
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print("\n".join(render_config(config)))
    return 0


COMMANDS = [
    (
        "health",
        "check the database, the catalog, the last poll and the feeds (exit 1 when unhealthy)",
        _configure_health,
        cmd_health,
    ),
    (
        "config",
        "show the effective configuration and where each value came from",
        _configure_config,
        cmd_config,
    ),
]


# --- publish -----------------------------------------------------------------------------------------


def _configure_publish(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Commit the catalog's export to the list's git repository (publish.repository: a local path or a "
        "remote) on a new branch, with a message naming the entries added and changed since the last "
        "publish, and push that branch (never with force); with publish.github_repo also open a pull "
        "request, or, while the bot's pull request is open, commit on its branch and update it. Nothing to "
        "publish (exit 0, nothing pushed) when the export is the one published last time. A conflict (the list was edited in the repository since the last publish) or a rejected "
        "push is reported in one line, exit status 1, and nothing is changed."
    )
    p.add_argument("--repository", metavar="PATH_OR_URL", help="publish here instead of publish.repository")
    p.add_argument(
        "--branch",
        metavar="NAME",
        help="the new branch's name, NAME or refs/heads/NAME (default: publish.branch_prefix + time)",
    )
    p.add_argument("--dry-run", action="store_true", help="say what would be published; push nothing")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


async def cmd_publish(args: argparse.Namespace, config: Config) -> int:
    import sys

    from bot.actor import TERMINAL
    from bot.cli.opening import open_catalog
    from bot.ops.publish import PublishError, publish

    if args.repository:
        config = dataclasses.replace(
            config, publish=dataclasses.replace(config.publish, repository=args.repository)
        )
    db = await open_catalog(config)
    try:
        result = await publish(db, config, branch=args.branch, dry_run=args.dry_run, actor=TERMINAL)
    except PublishError as exc:
        from bot.textsafe import escape_controls

        print(f"ptm-bot: publish: {escape_controls(str(exc))}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.line())
    return 0


COMMANDS.append(
    (
        "publish",
        "commit the exported list to its git repository on a new branch and push it",
        _configure_publish,
        cmd_publish,
    )
)
