"""What members see of their suggestions (issue 22): the answer to ``/ptm suggest``, the state of
members' suggestions, and the DM telling a member the moderators' decision. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.present.render import MessagePayload, make_payload
from bot.present.render.markup import safe

if TYPE_CHECKING:
    from bot.review.service import SuggestionView
    from bot.review.service.member import MemberSuggestion

__all__ = ["render_member_notice", "render_member_suggestion", "render_member_suggestions_state"]


def render_member_suggestion(outcome: MemberSuggestion) -> MessagePayload:
    s, arxiv = outcome.suggestion, f"arXiv {outcome.arxiv_id}"
    if outcome.outcome == "suggested" and s is not None:
        text = (
            f"Thanks! {arxiv} (**{safe(s.title)}**) is in the review queue (score {s.score:.2f}). "
            "Moderators decide; you will get a DM with the outcome if your DMs are open."
        )
    elif outcome.outcome == "in catalog":
        text = f"{arxiv} is already in the catalog as **{safe(outcome.entry_name or '')}**."
    elif outcome.outcome == "pending":
        text = f"{arxiv} is already waiting for the moderators' review; nothing to do."
    elif outcome.outcome == "approved":
        text = f"{arxiv} was already reviewed and approved: it is in the catalog."
    else:
        why = f" ({safe(s.decision_reason)})" if s is not None and s.decision_reason else ""
        text = f"{arxiv} was already reviewed and not added{why}."
    return make_payload(text, ephemeral=True)


def render_member_suggestions_state(off_by: str | None) -> MessagePayload:
    if off_by is None:
        text = "Members' suggestions are **on**: any member can use `/ptm suggest`."
    elif off_by == "config":
        text = "Members' suggestions are turned off on this server (`review.member_suggestions`)."
    else:
        text = f"Members' suggestions are **off** (turned off by {safe(off_by)})."
    return make_payload(text, ephemeral=True)


def render_member_notice(s: SuggestionView) -> str:
    """The DM: the decision on a paper the member suggested (never a mention)."""
    head = f"Your suggestion arXiv {s.arxiv_id} (**{safe(s.title)}**)"
    if s.status == "approved":
        return f"{head} was approved: **{safe(s.proposed_name)}** is in the catalog. Thank you!"
    why = f" Reason: {safe(s.decision_reason)}" if s.decision_reason else ""
    return f"{head} was reviewed and not added.{why}"
