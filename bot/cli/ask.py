"""``ptm-bot ask '/ptm model DeBERTa'``: run a slash command offline and print what Discord would show.

The command line is parsed against the bot's real command tree: the bot is built with
:func:`bot.client.bot.create_bot` and its extensions loaded, without logging in. The words after the
command name map to the command's options in order (``name=value`` names one explicitly; extra
words join into the last text option, so ``/ptm model deberta v2`` works unquoted), and values are
checked against the options' metadata (type, choices, ranges and lengths) as Discord would.
Then the command's own handler (:data:`bot.commands.HANDLERS`) runs, and its payload is printed with
:func:`bot.present.render.render_text`, or as JSON (``{content, embeds, ephemeral}``).

Permission checks are not applied: whoever can run the CLI already has the database.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import shlex
from dataclasses import dataclass
from typing import Any

from discord import AppCommandOptionType, app_commands
from discord.utils import MISSING

from bot.config import Config
from bot.database import Database
from bot.errors import PTMError, UserFacingError
from bot.present.render import MessagePayload, render_empty, render_text
from bot.suggest import did_you_mean
from bot.textsafe import escape_controls

__all__ = ["AskError", "ParsedCommand", "ask", "parse_command_line"]


# Control characters json.dumps(ensure_ascii=False) leaves as they are, and lone surrogates: the
# bytes of a command line that is not UTF-8 (a raw 0x9b is a CSI), which print writes back raw.
_UNESCAPED_BY_JSON = re.compile("[\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# Discord's bounds for an integer or number option (its API documentation: -2^53 to 2^53).
_DISCORD_NUMBER_LIMIT = 2**53


class AskError(PTMError):
    """The command line does not name a command, or its options are wrong (exit status 2)."""


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    command: app_commands.Command[Any, ..., Any]
    values: dict[str, Any]
    """Keyword arguments for the handler, by the command's parameter (Python) names."""

    @property
    def qualified_name(self) -> str:
        return self.command.qualified_name


def _listing(names: list[str]) -> str:
    return ", ".join(sorted(names))


def _resolve(
    tree: app_commands.CommandTree, tokens: list[str]
) -> tuple[app_commands.Command[Any, ..., Any], list[str]]:
    if not tokens:
        raise AskError("give a slash command, e.g. '/ptm model DeBERTa'")
    top = [c.name for c in tree.get_commands()]
    found = tree.get_command(tokens[0].lstrip("/"))
    if found is None:
        typed = tokens[0].lstrip("/")
        hint = did_you_mean(typed, top)
        hint = hint.replace("mean ", "mean /") if hint else ""
        typed = typed if len(typed) <= 40 else typed[:37] + "..."
        raise AskError(f"no command /{typed}{hint}; commands: {_listing(['/' + n for n in top])}")
    rest = tokens[1:]
    while isinstance(found, app_commands.Group):
        subs = [c.name for c in found.commands]
        if not rest:
            raise AskError(f"/{found.qualified_name} needs a subcommand: {_listing(subs)}")
        sub = found.get_command(rest[0])
        if sub is None:
            raise AskError(
                f"/{found.qualified_name} has no subcommand {_shown(rest[0])}{did_you_mean(rest[0], subs)}; "
                f"subcommands: {_listing(subs)}"
            )
        found, rest = sub, rest[1:]
    if not isinstance(found, app_commands.Command):
        raise AskError(f"/{tokens[0]} is not a slash command")
    return found, rest


def _shown(raw: str) -> str:
    """*raw* quoted for a message, at most 40 characters: never a whole 100 KB argument back."""
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")


def _convert(param: app_commands.Parameter, raw: str) -> Any:
    """*raw* as the option's type, checked like Discord checks it (choices, ranges, lengths)."""
    name = param.display_name
    if param.choices:
        for choice in param.choices:
            if str(choice.value) == raw or choice.name.casefold() == raw.casefold():
                return choice.value
        values = [str(c.value) for c in param.choices]
        hint = did_you_mean(raw, values)
        raise AskError(f"{name}: {_shown(raw)} is not one of the choices{hint}: {_listing(values)}")
    kind = param.type
    value: Any
    if kind is AppCommandOptionType.string:
        low, high = param.min_value, param.max_value
        if low is not None and len(raw) < low:
            raise AskError(f"{name}: must be at least {low} characters")
        if high is not None and len(raw) > high:
            raise AskError(f"{name}: must be at most {high} characters")
        return raw
    if kind is AppCommandOptionType.integer:
        try:
            value = int(raw)
        except ValueError:
            raise AskError(f"{name}: {_shown(raw)} is not a whole number") from None
    elif kind is AppCommandOptionType.number:
        try:
            value = float(raw)
        except ValueError:
            raise AskError(f"{name}: {_shown(raw)} is not a number") from None
    elif kind is AppCommandOptionType.boolean:
        lowered = raw.casefold()
        if lowered not in ("true", "false", "yes", "no", "1", "0"):
            raise AskError(f"{name}: {_shown(raw)} is not true or false")
        return lowered in ("true", "yes", "1")
    else:
        raise AskError(f"{name}: options of type {kind.name} cannot be given on the command line")
    # Without a range of its own, an option is still bounded: Discord takes integers and numbers
    # from -2**53 to 2**53 only.
    low = param.min_value if param.min_value is not None else -_DISCORD_NUMBER_LIMIT
    high = param.max_value if param.max_value is not None else _DISCORD_NUMBER_LIMIT
    if value < low:
        raise AskError(f"{name}: must be at least {low}")
    if value > high:
        raise AskError(f"{name}: must be at most {high}")
    return value


def _bind(command: app_commands.Command[Any, ..., Any], tokens: list[str]) -> dict[str, Any]:
    params = list(command.parameters)
    by_name: dict[str, app_commands.Parameter] = {}
    for p in params:
        by_name[p.display_name] = p
        by_name[p.name] = p
    raw: dict[str, str] = {}
    positional: list[str] = []
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep and key in by_name:
            raw[by_name[key].name] = value
        else:
            positional.append(token)
    free = [p for p in params if p.name not in raw]
    if len(positional) > len(free):
        # Extra words belong to the last text option: "/ptm search knowledge distillation".
        if free and free[-1].type is AppCommandOptionType.string and not free[-1].choices:
            keep = len(free) - 1
            positional = [*positional[:keep], " ".join(positional[keep:])]
        else:
            usage = " ".join(p.display_name for p in params) or "(no options)"
            raise AskError(
                f"/{command.qualified_name} takes: {usage}; too many values: {_shown(' '.join(tokens))}"
            )
    for param, token in zip(free, positional, strict=False):
        raw[param.name] = token

    values: dict[str, Any] = {}
    for param in params:
        if param.name in raw:
            values[param.name] = _convert(param, raw[param.name])
        elif param.required:
            raise AskError(f"/{command.qualified_name}: missing {param.display_name} ({param.description})")
        elif param.default is not MISSING:
            values[param.name] = param.default
    return values


def parse_command_line(tree: app_commands.CommandTree, line: str) -> ParsedCommand:
    """``'/ptm recent speech count=5'`` -> the Command and its handler's keyword arguments."""
    try:
        tokens = shlex.split(line)
    except ValueError as exc:
        raise AskError(f"cannot split the command line: {exc}") from None
    if len(tokens) == 1 and " " in tokens[0]:  # the whole command was quoted twice
        tokens = shlex.split(tokens[0])
    command, rest = _resolve(tree, tokens)
    return ParsedCommand(command, _bind(command, rest))


async def ask(config: Config, db: Database, line: str, *, member_id: int = 0) -> tuple[MessagePayload, int]:
    """Run *line* like Discord would; returns the payload and an exit status (1 for a user mistake).

    Commands that act for a member (the follow commands) act for *member_id*."""
    # Imported here, not at the top: building the bot and its command handlers pulls in
    # discord.py's client and every service, which the CLI's other subcommands never need.
    from bot.client.bot import create_bot
    from bot.commands import HANDLERS

    # discord.py warns about voice support when a client is built; irrelevant for an offline run.
    client_log = logging.getLogger("discord.client")
    level = client_log.level
    client_log.setLevel(logging.ERROR)
    try:
        bot = create_bot(config, db)
    finally:
        client_log.setLevel(level)
    try:
        await bot.load_extensions()
        parsed = parse_command_line(bot.tree, line)
    finally:
        await bot.close()
    handler = HANDLERS.get(parsed.qualified_name)
    if handler is None:
        raise AskError(f"/{parsed.qualified_name} cannot be run offline")
    values = dict(parsed.values)
    parameters = inspect.signature(handler).parameters
    if "member_id" in parameters:
        values["member_id"] = member_id
    if "config" in parameters:  # gates show [relevance.gates]; /ptm-admin add reads arXiv as the bot does
        values["config"] = config
    try:
        return await handler(db, **values), 0
    except UserFacingError as exc:
        # What the error funnel would show in Discord.
        return render_empty(str(exc)), 1


def format_payload(payload: MessagePayload, *, as_json: bool) -> str:
    """The payload for the terminal. Control characters a reply echoes (the name typed in ``/ptm model
    ESC]0;title BEL``) are shown escaped here, at the terminal's edge: what Discord gets is unchanged."""
    if as_json:
        text = json.dumps(payload.to_dict(), ensure_ascii=False, indent=2)
        # JSON escapes C0 itself; DEL and C1 (U+009B is a CSI) too, as JSON escapes.
        return _UNESCAPED_BY_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    text = "\n".join(escape_controls(line) for line in render_text(payload).split("\n"))
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
