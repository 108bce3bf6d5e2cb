"""Review buttons on suggestion cards: Approve, Keep (borderline), Reject (with a reason), Needs info
(snooze), Edit; on a possible duplicate of an entry also Approve as new version / as alias. Approve is a core yes; Keep (borderline) enters the catalog too, and the relevance
model learns it as a borderline positive (:mod:`bot.relevance.labels`).

Persistent across restarts without in-memory state: each button is a
:class:`discord.ui.DynamicItem` whose custom id names the action and the suggestion
(``ptm:review:approve:42``), registered once with ``bot.add_dynamic_items``; a click on a card
posted before a restart is routed to a fresh item built from the id alone. Every click is
authorized at run time with :func:`bot.client.review.access.refuse_non_moderator` (a member gets
an ephemeral "moderators only" and nothing changes), then goes through the one door,
:mod:`bot.review.actions`: the same first-decision-wins update and the same audit row as a reaction
or a command.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.client.review.access import button_actor, client_of, refuse_non_moderator
from bot.client.review.listing import refresh_listing
from bot.client.review.threads import post_decision_in_thread
from bot.enrich.paper import HubPaper
from bot.present.hub import hub_buttons
from bot.present.review import render_decision_reply, render_suggestion_embed
from bot.review import actions
from bot.review.service import Decision, DecisionOutcome, ReviewError, SuggestionView
from db.models import SuggestionStatus

log = logging.getLogger(__name__)

__all__ = ["EditModal", "RejectModal", "ReviewButton", "refuse_non_moderator", "review_view"]

ACTIONS = ("approve", "keep", "reject", "snooze", "edit")
# On the card of a possible duplicate of an entry (bot.catalog.duplicates): approve into that entry.
INTO_ACTIONS = ("version", "alias")
_LOOK: dict[str, tuple[discord.ButtonStyle, str, str]] = {
    "approve": (discord.ButtonStyle.success, "Approve", "✅"),
    # "Keep it, but borderline": enters the catalog; the model learns a borderline positive.
    "keep": (discord.ButtonStyle.success, "Keep (borderline)", "☑"),
    "reject": (discord.ButtonStyle.danger, "Reject", "❌"),
    "snooze": (discord.ButtonStyle.secondary, "Needs info", "⏸"),
    "edit": (discord.ButtonStyle.primary, "Edit", "✏"),
    "version": (discord.ButtonStyle.secondary, "Approve as new version", "🔁"),
    "alias": (discord.ButtonStyle.secondary, "Approve as alias", "🏷"),
}


def review_view(s: SuggestionView) -> discord.ui.View | None:
    """The buttons of a card: on a pending suggestion only (a decided card has none)."""
    if s.status != SuggestionStatus.PENDING:
        return None
    view = discord.ui.View(timeout=None)
    for action in ACTIONS + (INTO_ACTIONS if s.duplicate_of is not None else ()):
        view.add_item(ReviewButton(action, s.id))
    # What the Hugging Face Hub links to the paper: Weights, Code, Project (link buttons).
    for label, url in hub_buttons(HubPaper.of(s.hub) if s.hub else None):
        view.add_item(discord.ui.Button(style=discord.ButtonStyle.link, label=label, url=url))
    return view


async def _show(interaction: discord.Interaction, outcome: DecisionOutcome) -> None:
    """Answer a click or modal: the card edited in place, or one ephemeral line if nothing changed;
    a decision is then posted in the card's thread (if it has one), which is archived."""
    # Imported here: cards renders cards with review_view from this module.
    from bot.client.review.cards import refresh_message

    s = outcome.suggestion
    if not outcome.applied:
        payload = render_decision_reply(outcome)
        await interaction.response.send_message(payload.content, ephemeral=True)
        return
    if interaction.message is not None and interaction.message.id == s.message_id:
        await interaction.response.edit_message(embed=render_suggestion_embed(s), view=review_view(s))
        await post_decision_in_thread(client_of(interaction), s)
        await refresh_listing(client_of(interaction), s)  # a promoted paper's listing shows the decision
    else:  # not clicked on the card itself: confirm, then edit the card (and post in its thread)
        await interaction.response.send_message("Done.", ephemeral=True)
        await refresh_message(client_of(interaction), s)


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ptm:review:(?P<action>approve|keep|reject|snooze|edit|version|alias):(?P<id>[0-9]{1,19})",
):
    def __init__(self, action: str, suggestion_id: int) -> None:
        style, label, emoji = _LOOK[action]
        super().__init__(
            discord.ui.Button(
                style=style, label=label, emoji=emoji, custom_id=f"ptm:review:{action}:{suggestion_id}"
            )
        )
        self.action = action
        self.suggestion_id = suggestion_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReviewButton:
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if await refuse_non_moderator(interaction):
            return
        bot = client_of(interaction)
        try:
            if self.action in ("approve", "keep"):
                outcome = await actions.decide(
                    bot.db,
                    self.suggestion_id,
                    Decision.APPROVE,
                    button_actor(interaction),
                    approval="borderline" if self.action == "keep" else "core",
                )
            elif self.action in INTO_ACTIONS:
                outcome = await actions.decide_into(
                    bot.db, self.suggestion_id, self.action, button_actor(interaction)
                )
            elif self.action == "snooze":
                outcome = await actions.snooze(
                    bot.db,
                    self.suggestion_id,
                    button_actor(interaction),
                    days=bot.config.review.snooze_days,
                    now=discord.utils.utcnow(),
                )
            else:
                current = await actions.suggestion(bot.db, self.suggestion_id)
                if current is None:
                    raise ReviewError("This suggestion no longer exists.")
                if current.status != SuggestionStatus.PENDING:
                    await interaction.response.send_message(
                        f"arXiv {current.arxiv_id} was already {current.status}; nothing changed.",
                        ephemeral=True,
                    )
                    return
                modal = RejectModal(current) if self.action == "reject" else EditModal(current)
                await interaction.response.send_modal(modal)
                return
        except ReviewError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        await _show(interaction, outcome)


class RejectModal(discord.ui.Modal):
    """Reject with an optional reason (stored, shown on the card and in the audit)."""

    reason: discord.ui.TextInput[RejectModal] = discord.ui.TextInput(
        label="Reason (optional, shown on the card)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=500,
        custom_id="reason",
    )

    def __init__(self, s: SuggestionView) -> None:
        super().__init__(title=f"Reject arXiv {s.arxiv_id}"[:45], custom_id=f"ptm:reject-modal:{s.id}")
        self.suggestion_id = s.id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if await refuse_non_moderator(interaction):
            return
        reason = " ".join(str(self.reason.value or "").split()) or None
        try:
            outcome = await actions.decide(
                client_of(interaction).db,
                self.suggestion_id,
                Decision.REJECT,
                button_actor(interaction),
                reason=reason,
            )
        except ReviewError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        await _show(interaction, outcome)


class EditModal(discord.ui.Modal):
    """Correct the proposed entry (name, kind, topics, organisation); approve afterwards."""

    def __init__(self, s: SuggestionView) -> None:
        super().__init__(title=f"Edit arXiv {s.arxiv_id}"[:45], custom_id=f"ptm:edit-modal:{s.id}")
        self.suggestion_id = s.id
        self.name: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label="Name", default=s.proposed_name[:300], max_length=300, custom_id="name"
        )
        self.kind: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label="Kind (model or survey)", default=s.proposed_kind, max_length=16, custom_id="kind"
        )
        self.topics: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label="Topics (comma separated)",
            default=", ".join(s.proposed_topics)[:400],
            required=False,
            max_length=400,
            custom_id="topics",
        )
        self.org: discord.ui.TextInput[EditModal] = discord.ui.TextInput(
            label="Organisation (optional)",
            default=(s.proposed_org or "")[:300],
            required=False,
            max_length=300,
            custom_id="org",
        )
        for item in (self.name, self.kind, self.topics, self.org):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if await refuse_non_moderator(interaction):
            return
        try:
            outcome = await actions.edit_proposal(
                client_of(interaction).db,
                self.suggestion_id,
                button_actor(interaction),
                name=str(self.name.value),
                kind=str(self.kind.value),
                topics=str(self.topics.value or ""),
                org=str(self.org.value or "") or None,
            )
        except ReviewError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        await _show(interaction, outcome)
