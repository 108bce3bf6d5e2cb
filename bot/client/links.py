"""The "Use the new URL" button under ``/ptm-admin links``: a persistent
:class:`discord.ui.DynamicItem` whose custom id names the stored check and the entry
(``ptm:links:use:<check>:<entry>``, built by :mod:`bot.present.links`), so a click routes after a
restart too. Every click is authorized at run time (a member gets an ephemeral "moderators only"
and nothing changes); a moderator's click applies the edit through the link check's door,
:func:`bot.links.actions.apply_move`, which goes through the catalog's (a revision, audited).
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.client.review.access import button_actor, client_of, refuse_non_moderator
from bot.errors import UserFacingError
from bot.links import actions
from bot.present.links import FIX_ID, FIX_ID_PATTERN, render_fix_applied

__all__ = ["LinkFixButton"]

log = logging.getLogger(__name__)


class LinkFixButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FIX_ID_PATTERN):
    def __init__(self, check_id: int, entry_id: int, label: str = "Use the new URL") -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.primary,
                label=label,
                custom_id=FIX_ID.format(check_id=check_id, entry_id=entry_id),
            )
        )
        self.check_id = check_id
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> LinkFixButton:
        return cls(int(match["check_id"]), int(match["entry_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if await refuse_non_moderator(interaction):
            return
        actor = button_actor(interaction)
        try:
            name, check = await actions.apply_move(
                client_of(interaction).db, self.check_id, self.entry_id, actor
            )
        except UserFacingError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        log.info("%s (%s) used a moved link's new URL on %r", interaction.user, interaction.user.id, name)
        payload = render_fix_applied(name, check)
        await interaction.response.send_message(**payload.send_kwargs())
