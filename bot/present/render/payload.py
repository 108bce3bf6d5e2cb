"""The payload: what one reply shows (content, embeds, attachments, paging), for Discord and for
``ptm-bot ask``, built within Discord's limits by :func:`make_payload`."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.present.render.limits import CONTENT_LIMIT, fit_embed, truncate

__all__ = ["Attachment", "MessagePayload", "make_payload"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to attach, as plain bytes (a ``discord.File`` is single-use, so it is made at send time)."""

    filename: str
    data: bytes
    description: str | None = None

    def to_file(self) -> discord.File:
        return discord.File(io.BytesIO(self.data), filename=self.filename, description=self.description)


@dataclass(slots=True)
class MessagePayload:
    """What one reply shows: the shared result of a handler, for Discord and for ``ptm-bot ask``."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    ephemeral: bool = False
    files: list[Attachment] = field(default_factory=list)
    view: discord.ui.View | None = None
    # Paging: which page this is (0-based) and how many there are. The cog adds Prev/Next buttons
    # when ``page_count > 1``.
    page: int = 0
    page_count: int = 1
    # Link buttons under the message, (label, url): data here, a discord.ui.View only at send time.
    links: list[tuple[str, str]] = field(default_factory=list)
    # Buttons that act, (label, custom id): data here too; the custom id names a persistent
    # DynamicItem the bot registered (``ptm:links:use:...``), which routes the click.
    actions: list[tuple[str, str]] = field(default_factory=list)
    # The entry a "👍 Vote" button votes for (``/ptm model``): data here; the persistent button
    # (``bot.client.votes.VoteButton``, custom id ``ptm:vote:<id>``) is added at send time.
    vote_entry_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """``{content, embeds, ephemeral}`` (+ ``files`` when there are attachments), JSON-ready."""
        out: dict[str, Any] = {
            "content": self.content,
            "embeds": [embed.to_dict() for embed in self.embeds],
            "ephemeral": self.ephemeral,
        }
        if self.files:
            out["files"] = [{"filename": f.filename, "size": len(f.data)} for f in self.files]
        if self.page_count > 1:
            out["page"] = self.page + 1
            out["pages"] = self.page_count
        if self.vote_entry_id is not None:
            out["vote_entry_id"] = self.vote_entry_id
        if self.links:
            out["links"] = [{"label": label, "url": url} for label, url in self.links]
        if self.actions:
            out["actions"] = [{"label": label, "custom_id": cid} for label, cid in self.actions]
        return out

    def _link_view(self) -> discord.ui.View | None:
        if not self.links and not self.actions:
            return self.view
        view = self.view or discord.ui.View(timeout=None)
        for label, custom_id in self.actions:
            view.add_item(
                discord.ui.Button(style=discord.ButtonStyle.primary, label=label[:80], custom_id=custom_id)
            )
        for label, url in self.links:
            view.add_item(discord.ui.Button(style=discord.ButtonStyle.link, label=label, url=url))
        return view

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``InteractionResponse.send_message`` / ``Webhook.send``."""
        kwargs: dict[str, Any] = {"ephemeral": self.ephemeral}
        if self.content:
            kwargs["content"] = self.content
        if self.embeds:
            kwargs["embeds"] = self.embeds
        if self.files:
            kwargs["files"] = [f.to_file() for f in self.files]
        view = self._link_view()
        if view is not None:
            kwargs["view"] = view
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``InteractionResponse.edit_message`` (page turns)."""
        return {"content": self.content, "embeds": self.embeds, "view": self.view}


def make_payload(
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    *,
    ephemeral: bool = False,
    files: Sequence[Attachment] = (),
    page: int = 0,
    page_count: int = 1,
) -> MessagePayload:
    return MessagePayload(
        content=truncate(content, CONTENT_LIMIT) if content else None,
        embeds=[fit_embed(e) for e in embeds],
        ephemeral=ephemeral,
        files=list(files),
        page=page,
        page_count=page_count,
    )
