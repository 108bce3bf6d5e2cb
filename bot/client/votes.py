"""Voting for entries in Discord (issue 22): the "👍 Vote" button of ``/ptm model``, the digest's
vote menu, and 👍 reactions. Every vote goes through the door :mod:`bot.votes.actions`.

Why these controls. A reaction belongs to a whole message, so it names one entry only on a message
that shows one: a ``/ptm model`` answer (public) or a digest of a single entry. A digest lists
several entries, so it carries select menus instead ("Vote for an entry of this digest"): a select
holds 25 options and a message 5 rows, so up to 125 entries, one line each, where buttons (5 a
row, 25 a message, each a long name) would bury the digest. The entries beyond 125 are voted for
from ``/ptm model``.

Persistent without stored state: the button is a :class:`discord.ui.DynamicItem` whose custom id
names the entry (``ptm:vote:42``); a digest menu's custom id is ``ptm:vote:digest:<row>`` and its
options' values are the entries' ids. Both are registered once (``bot.add_dynamic_items``), so a
click on a message sent before a restart works. A 👍 reaction is read off the message itself: the
entry ids its vote button or menu carry (a message of the bot's, with exactly one such id).

A click or a choice toggles the member's vote and answers privately ("Your vote for BERT is
counted (3 votes)"); a 👍 casts it and removing the 👍 withdraws it. Nothing is ever posted in
public about a vote, and nothing mentions anyone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.actor import Actor
from bot.client.review.access import client_of
from bot.client.tree import APOLOGY, reply_ephemeral, user_message
from bot.present.render import truncate
from bot.present.votes import VOTE_EMOJI, render_vote
from bot.votes import actions

if TYPE_CHECKING:
    from bot.catalog.model import EntryHit
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = [
    "DIGEST_MENU_ROWS",
    "DigestVoteSelect",
    "VoteButton",
    "digest_vote_view",
    "entry_ids_on",
    "vote_by_reaction",
]

OPTIONS_PER_MENU = 25  # Discord: at most 25 options in a select
DIGEST_MENU_ROWS = 5  # Discord: at most 5 action rows in a message
_BUTTON_ID = re.compile(r"ptm:vote:([0-9]{1,19})")
_MENU_ID = re.compile(r"ptm:vote:digest:[0-9]")


async def _answer(interaction: discord.Interaction, entry_id: int, via: str) -> None:
    """Toggle the member's vote for *entry_id* and tell them privately."""
    actor = Actor(interaction.user.id, None, via=via)
    try:
        outcome = await actions.toggle(client_of(interaction).db, entry_id, actor, now=discord.utils.utcnow())
    except Exception as exc:  # as the command tree's funnel: one private line, a logged traceback
        text = user_message(exc)
        if text is None:
            log.exception("could not record a vote for entry %s", entry_id)
            text = APOLOGY
        await reply_ephemeral(interaction, text)
        return
    await interaction.response.send_message(**render_vote(outcome).send_kwargs())


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"ptm:vote:(?P<id>[0-9]{1,19})"):
    """ "👍 Vote" under a ``/ptm model`` answer: toggles the member's vote for the entry."""

    def __init__(self, entry_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                label="Vote",
                emoji=VOTE_EMOJI,
                custom_id=f"ptm:vote:{entry_id}",
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _answer(interaction, self.entry_id, "button")


def _option(hit: EntryHit) -> discord.SelectOption:
    entry = hit.entry
    about = " · ".join(part for part in (entry.date, entry.org) if part)
    return discord.SelectOption(
        label=truncate(entry.name, 100), value=str(hit.id), description=truncate(about, 100) or None
    )


class DigestVoteSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"ptm:vote:digest:(?P<row>[0-9])"
):
    """A digest's vote menu (one of up to five): choosing an entry toggles the member's vote."""

    def __init__(self, row: int, options: Sequence[discord.SelectOption] = ()) -> None:
        placeholder = "Vote for an entry of this digest" + (f" ({row + 1})" if row else "")
        super().__init__(
            discord.ui.Select(
                custom_id=f"ptm:vote:digest:{row}",
                placeholder=placeholder,
                min_values=1,
                max_values=1,
                options=list(options) or [discord.SelectOption(label="-", value="0")],
            )
        )
        self.row_number = row

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DigestVoteSelect:
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(int(match["row"]), options)

    async def callback(self, interaction: discord.Interaction) -> None:
        values = self.item.values
        if not values or not values[0].isdigit():
            await reply_ephemeral(interaction, "Choose an entry to vote for.")
            return
        await _answer(interaction, int(values[0]), "menu")


def digest_vote_view(hits: Sequence[EntryHit]) -> discord.ui.View | None:
    """The digest's vote menus: 25 entries a menu, at most 5 menus (125 entries); None when empty."""
    if not hits:
        return None
    view = discord.ui.View(timeout=None)
    shown = hits[: OPTIONS_PER_MENU * DIGEST_MENU_ROWS]
    for row, start in enumerate(range(0, len(shown), OPTIONS_PER_MENU)):
        view.add_item(DigestVoteSelect(row, [_option(h) for h in shown[start : start + OPTIONS_PER_MENU]]))
    return view


def _children(components: Iterable[Any]) -> Iterable[Any]:
    for component in components:
        yield component
        yield from _children(getattr(component, "children", ()))


def entry_ids_on(message: discord.Message) -> set[int]:
    """The entries a message of the bot's lets members vote for: its Vote button's, its menus'."""
    ids: set[int] = set()
    for component in _children(message.components):
        custom_id = getattr(component, "custom_id", None) or ""
        if match := _BUTTON_ID.fullmatch(custom_id):
            ids.add(int(match[1]))
        elif _MENU_ID.fullmatch(custom_id):
            ids.update(int(o.value) for o in getattr(component, "options", ()) if o.value.isdigit())
    return ids


async def _bot_message(bot: PTMBot, payload: discord.RawReactionActionEvent) -> discord.Message | None:
    """The reacted message if the bot sent it (from the cache, else fetched once)."""
    cached = discord.utils.get(bot.cached_messages, id=payload.message_id)
    if cached is not None:
        message = cached
    else:
        channel = bot.get_channel(payload.channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel):
            return None
        try:
            message = await channel.fetch_message(payload.message_id)
        except discord.HTTPException as exc:  # deleted meanwhile, or no access: nothing to count
            log.debug("could not read message %s for a vote: %s", payload.message_id, exc)
            return None
    return message if bot.user is not None and message.author.id == bot.user.id else None


async def vote_by_reaction(bot: PTMBot, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
    """A 👍 on a message showing one entry casts the member's vote; removing it withdraws it.
    Guards first (a guild? a member, not the bot? 👍? the bot's message? one entry?), then one
    door call."""
    if payload.guild_id is None or bot.user is None or payload.user_id == bot.user.id:
        return
    if str(payload.emoji) != VOTE_EMOJI or (payload.member is not None and payload.member.bot):
        return
    if payload.message_author_id is not None and payload.message_author_id != bot.user.id:
        return  # (Discord names the author on an add; simcord does not, so the message is read)
    message = await _bot_message(bot, payload)
    ids = entry_ids_on(message) if message is not None else set()
    if len(ids) != 1:
        return  # not a vote message, or a digest of several entries: its menu says which
    (entry_id,) = ids
    actor = Actor(payload.user_id, None, via="reaction")
    if added:
        await actions.cast(bot.db, entry_id, actor, now=discord.utils.utcnow())
    else:
        await actions.withdraw(bot.db, entry_id, actor)
