"""Votes (issue 22): the persistent vote controls and 👍 reactions (``/ptm top`` is in ``/ptm``:
cogs/ptm.py).

Registers the Vote button of ``/ptm model`` and the digest's vote menus as dynamic items (so
messages sent before a restart keep working) and hands 👍 reactions, added or removed, to
:func:`bot.client.votes.vote_by_reaction` (raw events: any message, cached or not).
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.client.bot import PTMBot
from bot.client.votes import DigestVoteSelect, VoteButton, vote_by_reaction


class VotesCog(commands.Cog, name="Votes"):
    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(VoteButton, DigestVoteSelect)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(VoteButton, DigestVoteSelect)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await vote_by_reaction(self.bot, payload, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await vote_by_reaction(self.bot, payload, added=False)


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(VotesCog(bot))
