"""Sending a :class:`~bot.present.render.MessagePayload` to Discord, with Prev/Next buttons for long lists.

:func:`send_payload` is what every cog command ends with. When the payload is one page of several
it attaches a :class:`PageView`, whose buttons call the same handler again for another page. Only
the person who ran the command can turn the pages; the buttons are removed when the view times out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.client.tree import APOLOGY, reply_ephemeral, user_message
from bot.client.votes import VoteButton
from bot.present.render import MessagePayload

__all__ = ["PAGE_TIMEOUT", "PageFetcher", "PageView", "send_payload"]

log = logging.getLogger(__name__)

PAGE_TIMEOUT = 300.0

PageFetcher = Callable[[int], Awaitable[MessagePayload]]
"""Re-runs a list handler for a 0-based page."""


class PageView(discord.ui.View):
    """Prev/Next buttons over a paged handler result."""

    def __init__(
        self, *, owner_id: int, fetch: PageFetcher, page: int, page_count: int, timeout: float = PAGE_TIMEOUT
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.fetch = fetch
        self.page = page
        self.page_count = page_count
        self.message: discord.InteractionMessage | discord.WebhookMessage | None = None
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.previous_page.disabled = self.page <= 0
        self.next_page.disabled = self.page >= self.page_count - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "Only the person who ran this command can turn its pages.", ephemeral=True
            )
            return False
        return True

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        payload = await self.fetch(page)
        self.page = payload.page
        self.page_count = max(payload.page_count, 1)
        self._update_buttons()
        payload.view = self
        await interaction.response.edit_message(**payload.edit_kwargs())

    @discord.ui.button(
        label="Prev", emoji="\N{BLACK LEFT-POINTING TRIANGLE}", style=discord.ButtonStyle.secondary
    )
    async def previous_page(
        self, interaction: discord.Interaction, button: discord.ui.Button[PageView]
    ) -> None:
        await self._show(interaction, max(self.page - 1, 0))

    @discord.ui.button(
        label="Next", emoji="\N{BLACK RIGHT-POINTING TRIANGLE}", style=discord.ButtonStyle.secondary
    )
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button[PageView]) -> None:
        await self._show(interaction, min(self.page + 1, self.page_count - 1))

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=None)
        except discord.HTTPException as exc:  # deleted message or expired token: nothing to clean up
            log.debug("could not remove page buttons: %s", exc)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[PageView]
    ) -> None:
        # Buttons do not go through the command tree; this mirrors PTMCommandTree.on_error.
        text = user_message(error)
        if text is None:
            log.exception("unhandled error turning a page (user %s)", interaction.user.id, exc_info=error)
            text = APOLOGY
        await reply_ephemeral(interaction, text)


async def send_payload(
    interaction: discord.Interaction, payload: MessagePayload, *, fetch: PageFetcher | None = None
) -> None:
    """Answer *interaction* with *payload* (a reply, or a follow-up after ``defer``).

    With *fetch* and more than one page, Prev/Next buttons are attached; a payload naming an
    entry to vote for (``/ptm model``) gets the persistent "👍 Vote" button.
    """
    view: PageView | None = None
    if fetch is not None and payload.page_count > 1:
        view = PageView(
            owner_id=interaction.user.id, fetch=fetch, page=payload.page, page_count=payload.page_count
        )
        payload.view = view
    if payload.vote_entry_id is not None and not payload.ephemeral:  # /ptm model: "👍 Vote"
        payload.view = payload.view or discord.ui.View(timeout=None)
        payload.view.add_item(VoteButton(payload.vote_entry_id))
    kwargs = payload.send_kwargs()
    if interaction.response.is_done():
        message = await interaction.followup.send(wait=True, **kwargs)
        if view is not None:
            view.message = message
    else:
        await interaction.response.send_message(**kwargs)
        if view is not None:
            view.message = await interaction.original_response()
