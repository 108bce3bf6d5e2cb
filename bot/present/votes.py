"""Pure renderers for members' votes: what a vote did (an ephemeral line) and ``/ptm top`` (a page
of the period's most voted entries, numbered like the other lists, each with its count). A vote is
never shown with anyone's name: only counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.present.render import MessagePayload, make_payload, safe
from bot.present.render.entries import entry_line
from bot.present.render.limits import DESCRIPTION_LIMIT, fit_lines
from bot.present.render.lists import page_count
from bot.present.render.markup import COLOUR
from bot.words import counted

if TYPE_CHECKING:
    from bot.votes.queries import VotedHit
    from bot.votes.service import VoteOutcome

__all__ = ["VOTE_EMOJI", "render_top", "render_top_empty", "render_vote", "votes_word"]

VOTE_EMOJI = "\N{THUMBS UP SIGN}"
PERIOD_WORDS = {"week": "the last 7 days", "month": "the last 30 days"}


def votes_word(count: int) -> str:
    return counted(count, "vote")


def render_vote(outcome: VoteOutcome | None) -> MessagePayload:
    """The member's private answer to a vote (a button, the digest's menu)."""
    if outcome is None:
        return make_payload("That entry is no longer in the catalog.", ephemeral=True)
    name, count = safe(outcome.name), votes_word(outcome.votes)
    if outcome.voted:
        verb = "is counted" if outcome.changed else "was already counted"
        text = f"Your vote for **{name}** {verb} ({count}). Click again to withdraw it."
    else:
        verb = "is withdrawn" if outcome.changed else "was not counted"
        text = f"Your vote for **{name}** {verb} ({count})."
    return make_payload(text, ephemeral=True)


def _title(period: str, topic_label: str | None) -> str:
    where = f" in {safe(topic_label)}" if topic_label else ""
    return f"Most voted{where}, {PERIOD_WORDS[period].removeprefix('the ')}"


def render_top_empty(period: str, topic_label: str | None) -> MessagePayload:
    where = f" about {safe(topic_label)}" if topic_label else ""
    return make_payload(
        f"No votes for entries{where} in {PERIOD_WORDS[period]}. Vote with the {VOTE_EMOJI} Vote button "
        "of /ptm model, or the digest's menu.",
        ephemeral=True,
    )


def render_top(
    rows: Sequence[VotedHit], total: int, page: int, per_page: int, *, period: str, topic_label: str | None
) -> MessagePayload:
    """``/ptm top``: one page of the entries with the most votes cast in the period, ranked, each
    with its count; a "Showing a–b of n" footer like the other lists."""
    first = page * per_page
    lines = fit_lines(
        list(enumerate(rows)),
        lambda pair, limit: (
            f"{first + pair[0] + 1}. {VOTE_EMOJI} {pair[1].votes} · {entry_line(pair[1].hit.entry, limit=limit)}"
        ),
        room=DESCRIPTION_LIMIT,
    )
    embed = discord.Embed(
        title=_title(period, topic_label),
        description="\n".join(lines) if lines else "Nothing on this page.",
        colour=COLOUR,
    )
    pages = page_count(total, per_page)
    if rows:
        footer = f"Showing {first + 1}–{first + len(rows)} of {total} voted entries"
        if pages > 1:
            footer += f" · page {page + 1}/{pages}"
        embed.set_footer(text=footer + f" · votes cast in {PERIOD_WORDS[period]}")
    return make_payload(embeds=[embed], page=page, page_count=pages)
