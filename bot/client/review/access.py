"""Who clicked: the bot behind an interaction, its actor, and the moderator check every review
button, menu and modal passes at run time (a member gets an ephemeral "moderators only")."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.client.checks import NotModerator, is_moderator
from bot.review.actions import Actor

if TYPE_CHECKING:
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = ["button_actor", "client_of", "refuse_non_moderator"]


def client_of(interaction: discord.Interaction) -> PTMBot:
    return interaction.client  # type: ignore[return-value]


def button_actor(interaction: discord.Interaction) -> Actor:
    return Actor(interaction.user.id, str(interaction.user), via="button")


async def refuse_non_moderator(interaction: discord.Interaction) -> bool:
    """The runtime check every click and modal passes; True when the user was refused."""
    if interaction.guild is not None and is_moderator(interaction.user, client_of(interaction).config):
        return False
    log.info("review button pressed by non-moderator %s; nothing changed", interaction.user.id)
    await interaction.response.send_message(str(NotModerator()), ephemeral=True)
    return True
