"""Pure renderers for the review loop: a suggestion's message, its decided state, moderator replies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.catalog.duplicates import Related
from bot.enrich.paper import HubPaper
from bot.present.hub import HUB_FIELD, hub_text
from bot.present.render import (
    DESCRIPTION_LIMIT,
    MessagePayload,
    fit_embed,
    fit_lines,
    link,
    make_payload,
    safe,
    short_authors,
    truncate,
)
from bot.words import counted
from db.enums import SuggestionStatus

if TYPE_CHECKING:
    from bot.review.service import DecisionOutcome, SuggestionView

__all__ = [
    "APPROVE_EMOJI",
    "LISTING_SHOWN",
    "REJECT_EMOJI",
    "render_decision_reply",
    "render_listing",
    "render_pending",
    "render_score",
    "render_suggestion_embed",
    "render_thread_decision",
]

APPROVE_EMOJI = "✅"
REJECT_EMOJI = "❌"
ABSTRACT_SHOWN = 700
REASONS_SHOWN = 6

_COLOURS = {
    SuggestionStatus.PENDING: discord.Colour(0xF59E0B),
    SuggestionStatus.APPROVED: discord.Colour(0x22C55E),
    SuggestionStatus.REJECTED: discord.Colour(0xEF4444),
    "seen": discord.Colour(0x9CA3AF),
}


def footer_text(arxiv_id: str) -> str:
    """The footer names the arXiv id: it is how a message posted before a crash is recognised."""
    return f"arXiv:{arxiv_id} · buttons, or react {APPROVE_EMOJI} to approve, {REJECT_EMOJI} to reject (moderators)"


def render_suggestion_embed(s: SuggestionView) -> discord.Embed:
    """The review message of one suggestion; after a decision, the same embed shows the outcome."""
    embed = discord.Embed(
        title=truncate(safe(s.title), 256),
        url=s.url,
        description=truncate(safe(s.abstract), ABSTRACT_SHOWN) if s.abstract else None,
        colour=_COLOURS.get(s.status, _COLOURS[SuggestionStatus.PENDING]),
    )
    if s.authors:
        embed.add_field(name="Authors", value=safe(short_authors(s.authors)), inline=False)
    if s.categories:
        embed.add_field(name="Categories", value=safe(", ".join(s.categories)), inline=True)
    if s.version:
        embed.add_field(name="Version", value=f"v{s.version}", inline=True)
    embed.add_field(name="Score", value=render_score(s), inline=True)
    proposal = f"{safe(s.proposed_kind)} **{safe(s.proposed_name)}**"
    if s.proposed_org:
        proposal += f"\norganisation: {safe(s.proposed_org)}"
    if s.proposed_topics:
        proposal += f"\ntopics: {safe(', '.join(s.proposed_topics))}"
    embed.add_field(name="Proposed entry", value=proposal, inline=False)
    if s.suggested_by is not None or s.suggested_by_name:
        # A mention inside an embed never pings; the card is posted with no allowed mentions anyway.
        who = f"<@{s.suggested_by}>" if s.suggested_by is not None else safe(s.suggested_by_name or "")
        note = f"\n“{safe(truncate(s.member_note, 300))}”" if s.member_note else ""
        embed.add_field(name="💡 Suggested by a member", value=f"{who}{note}", inline=False)
    if s.hub:
        embed.add_field(name=HUB_FIELD, value=hub_text(HubPaper.of(s.hub)), inline=False)
    if s.related and s.status == SuggestionStatus.PENDING:
        embed.add_field(name="⚠ Possible duplicate", value=render_related(s), inline=False)
    if s.reasons:
        reasons = "\n".join(f"• {safe(r)}" for r in s.reasons[:REASONS_SHOWN])
        if len(s.reasons) > REASONS_SHOWN:
            reasons += f"\n… and {len(s.reasons) - REASONS_SHOWN} more"
        embed.add_field(name="Why", value=reasons, inline=False)
    if s.snoozed:
        until = f"<t:{int(s.snoozed_until.timestamp())}:D>" if s.snoozed_until else "later"
        who = f" by <@{s.snoozed_by}>" if s.snoozed_by else ""
        embed.add_field(
            name="⏸ Needs info",
            value=f"Snoozed{who}: back in the queue {until}, or as soon as arXiv announces a new version.",
            inline=False,
        )
    if s.status in (SuggestionStatus.APPROVED, SuggestionStatus.REJECTED):
        mark = APPROVE_EMOJI if s.status == SuggestionStatus.APPROVED else REJECT_EMOJI
        who = f"<@{s.decided_by}>" if s.decided_by else "a moderator"  # a mention in an embed never pings
        when = f"<t:{int(s.decided_at.timestamp())}:f>" if s.decided_at else ""
        outcome = f"{mark} **{_decided(s)}** by {who} {when}".rstrip()
        if s.decision_reason:
            outcome += f"\nreason: {safe(s.decision_reason)}"
        embed.add_field(name="Decision", value=outcome, inline=False)
        embed.set_footer(text=f"arXiv:{s.arxiv_id} · decided; /ptm-admin undo {s.arxiv_id} to reopen")
    else:
        embed.set_footer(text=footer_text(s.arxiv_id))
    return fit_embed(embed)


def render_related(s: SuggestionView) -> str:
    """What the paper may duplicate, one line each, and what the card offers for it."""
    lines = [f"• {safe(Related.of(r).line())}" for r in s.related[:3]]
    target = s.duplicate_of
    if target is not None:
        lines.append(
            f"Approve as new version (the entry points at this paper, one line) or as alias of "
            f"**{safe(str(target.get('name', '')))}** below."
        )
    return "\n".join(lines)


def render_score(s: SuggestionView) -> str:
    """The score against the line and the paper's place in its poll: "0.62 (suggest ≥ 0.15) · #2 of
    11 above the line"; an exploration paper says it is below the line on purpose."""
    text = f"{s.score:.2f}"
    if s.threshold is not None:
        text += f" (suggest ≥ {s.threshold:.2f})"
    if s.exploration:
        return text + " · exploration: just below the line, suggested so the model learns from your call"
    if s.poll_rank is not None and s.poll_ranked is not None:
        text += f" · #{s.poll_rank} of {s.poll_ranked} above the line"
    return text


#: The compact "also above the line" message shows (and offers to promote) this many papers at most:
#: a select menu holds 25 options.
LISTING_SHOWN = 25
_LISTING_COLOUR = discord.Colour(0x6366F1)


def render_listing(items: Sequence[SuggestionView]) -> discord.Embed:
    """One poll's papers above the line but over its card budget, one line each (rank, score, title
    linked, the strongest reason), best first; promoted and decided ones are marked. At most
    :data:`LISTING_SHOWN` lines, then a count of the rest (all of them are in /ptm-admin pending)."""
    shown, rest = list(items[:LISTING_SHOWN]), len(items) - LISTING_SHOWN
    tail = f"… and {rest} more: /ptm-admin pending lists them all" if rest > 0 else ""
    lines = fit_lines(shown, _listing_line, room=DESCRIPTION_LIMIT, reserved=len(tail) + 1 if tail else 0)
    if tail:
        lines.append(tail)
    waiting = sum(s.status == SuggestionStatus.PENDING and s.listed for s in items)
    embed = discord.Embed(
        title=f"Also above the line: {counted(len(items), 'more paper')} from this poll",
        description="\n".join(lines),
        colour=_LISTING_COLOUR,
    )
    hint = "promote one to a review card with the menu (moderators)" if waiting else "nothing left to promote"
    embed.set_footer(text=f"Over this poll's card budget · {hint} · /ptm-admin approve|reject ARXIV_ID")
    return fit_embed(embed)


def _listing_mark(s: SuggestionView) -> str:
    if s.status == SuggestionStatus.APPROVED:
        return f" · {APPROVE_EMOJI} approved"
    if s.status == SuggestionStatus.REJECTED:
        return f" · {REJECT_EMOJI} rejected"
    if s.status == SuggestionStatus.PENDING and not s.listed:
        return " · ⬆ promoted to a card"
    return ""


def _listing_line(s: SuggestionView, limit: int) -> str:
    rank = f"**#{s.poll_rank}** " if s.poll_rank is not None else ""
    head = f"{rank}`{s.score:.2f}`"
    if limit == 0:
        return f"{head} arXiv {s.arxiv_id}{_listing_mark(s)}"
    reason = f" — {safe(truncate(s.reasons[0], min(80, limit)))}" if s.reasons else ""
    return f"{head} {link(truncate(' '.join(s.title.split()), limit), s.url)}{reason}{_listing_mark(s)}"


def _decided(s: SuggestionView) -> str:
    """ "Approved", "Approved (borderline-keep)" or "Rejected"."""
    if s.status == SuggestionStatus.APPROVED and s.approved_into:
        return f"Approved as {_into(s)}"
    if s.status == SuggestionStatus.APPROVED and s.approval_kind == "borderline":
        return "Approved (borderline-keep)"
    return s.status.capitalize()


def _into(s: SuggestionView) -> str:
    """ "new version of BERT" / "alias of BERT" for an approval into an existing entry."""
    into = s.approved_into or {}
    how = "new version" if into.get("as") == "version" else "alias"
    return f"{how} of {safe(str(into.get('name', '')))}"


def render_thread_decision(s: SuggestionView) -> str:
    """The line posted in a card's discussion thread before it is archived."""
    mark = APPROVE_EMOJI if s.status == SuggestionStatus.APPROVED else REJECT_EMOJI
    who = f"<@{s.decided_by}>" if s.decided_by else "a moderator"  # never pings: no allowed mentions
    text = f"{mark} **{s.status.capitalize()}** by {who}"
    if s.status == SuggestionStatus.APPROVED and s.approved_into:
        text += f" as {_into(s)}: still one line in the catalog"
    elif s.status == SuggestionStatus.APPROVED:
        text += f": **{safe(s.proposed_name)}** is in the catalog"
    if s.decision_reason:
        text += f"\nreason: {safe(s.decision_reason)}"
    return text + "\nThis thread is now archived."


def render_decision_reply(outcome: DecisionOutcome) -> MessagePayload:
    s = outcome.suggestion
    if not outcome.applied:
        return make_payload(f"arXiv {s.arxiv_id} was already {s.status}; nothing changed.", ephemeral=True)
    if s.status == SuggestionStatus.APPROVED and s.approved_into:
        text = f"{APPROVE_EMOJI} Approved arXiv {s.arxiv_id} as {_into(s)}: still one line in the catalog."
    elif s.status == SuggestionStatus.APPROVED:
        yes = " (borderline-keep)" if s.approval_kind == "borderline" else ""
        text = (
            f"{APPROVE_EMOJI} Approved{yes} arXiv {s.arxiv_id}: "
            f"**{safe(outcome.entry_name or s.proposed_name)}** is in the catalog."
        )
    else:
        text = f"{REJECT_EMOJI} Rejected arXiv {s.arxiv_id}; it will not be suggested again."
    for warning in outcome.warnings:
        text += f"\n⚠ {safe(warning)}"
    if outcome.warnings:
        text += f"\nIf it is one, `/ptm-admin undo {s.arxiv_id}` takes the new entry out again."
    return make_payload(text, ephemeral=True)


def render_pending(items: Sequence[SuggestionView], total: int, page: int, per_page: int) -> MessagePayload:
    if not total:
        return make_payload("No suggestions are waiting for review.", ephemeral=True)
    pages = max(1, -(-total // per_page))
    # Every suggestion of the page is shown whatever the lengths: each line is cut to its share of
    # the description, inside the title or name, never inside the link (fit_lines).
    lines = fit_lines(items, _pending_line, room=DESCRIPTION_LIMIT)
    embed = discord.Embed(
        title=f"Pending suggestions ({total})",
        description="\n".join(lines),
        colour=_COLOURS[SuggestionStatus.PENDING],
    )
    first = page * per_page
    shown = f"{first + 1}–{first + len(items)} of {total}" if items else f"none of {total} on this page"
    embed.set_footer(text=f"{shown} · page {page + 1}/{pages} · /ptm-admin approve|reject ARXIV_ID")
    return make_payload(embeds=[embed], ephemeral=True, page=page, page_count=pages)


def _why(s: SuggestionView, limit: int) -> str:
    """The strongest reason behind a pending suggestion's score, on its own short line."""
    if s.exploration:
        return "\n  ↳ exploration: just below the threshold"
    if not s.reasons:
        return ""
    return f"\n  ↳ {safe(truncate(s.reasons[0], min(80, limit)))}"


def _pending_line(s: SuggestionView, limit: int) -> str:
    score, arxiv = f"`{s.score:.2f}`", f"(arXiv {s.arxiv_id}{', listed' if s.listed else ''})"
    kind = safe(truncate(s.proposed_kind, 16))
    if limit == 0:
        return f"{score} {kind} **{safe(truncate(s.proposed_name, 40))}** {arxiv}"
    title = link(truncate(s.title, limit), s.url)
    return f"{score} {title} — {kind} **{safe(truncate(s.proposed_name, limit))}** {arxiv}" + _why(s, limit)


def render_message(text: str, *, ephemeral: bool = True) -> MessagePayload:
    return make_payload(text, ephemeral=ephemeral)
