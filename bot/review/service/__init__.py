"""Moderator review of suggestions: the state machine, in the database.

A suggestion moves ``pending -> approved | rejected`` exactly once, by a conditional update
(``UPDATE ... WHERE status = 'pending'``): when two moderators race, the database picks one and
the other learns that the suggestion was already decided. ``undo`` moves a decided suggestion
back to ``pending`` (and takes an approved entry back out of the catalog). Every decision is
written to the ``review_decisions`` audit table. Functions take an open session and never commit.

Every public name of the former module ``bot/review/service.py`` is importable from here.
"""

from __future__ import annotations

from bot.review.service.decisions import (
    APPROVAL_KINDS,
    ApprovalKind,
    Decision,
    DecisionOutcome,
    NewVersion,
    ReviewError,
    SuggestionView,
    add_paper,
    approval_kind,
    decide,
    decisions_for,
    edit_proposal,
    entry_from_suggestion,
    get_suggestion,
    list_pending,
    listing,
    mark_listing_posted,
    mark_posted,
    promote,
    refresh_replaced,
    snooze,
    suggestion_by_message,
    undo,
    unposted,
    unposted_listed,
    wake_due,
)

__all__ = [
    "APPROVAL_KINDS",
    "ApprovalKind",
    "Decision",
    "DecisionOutcome",
    "NewVersion",
    "ReviewError",
    "SuggestionView",
    "add_paper",
    "approval_kind",
    "decide",
    "decisions_for",
    "edit_proposal",
    "entry_from_suggestion",
    "get_suggestion",
    "list_pending",
    "listing",
    "mark_listing_posted",
    "mark_posted",
    "promote",
    "refresh_replaced",
    "snooze",
    "suggestion_by_message",
    "undo",
    "unposted",
    "unposted_listed",
    "wake_due",
]
