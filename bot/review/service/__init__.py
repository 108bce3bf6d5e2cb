"""Moderator review of suggestions: the state machine, in the database.

A suggestion moves ``pending -> approved | rejected`` exactly once, by a conditional update
(``UPDATE ... WHERE status = 'pending'``): when two moderators race, the database picks one and
the other learns that the suggestion was already decided. ``undo`` moves a decided suggestion
back to ``pending`` (and takes an approved entry back out of the catalog). Every decision is
written to the ``review_decisions`` audit table. Functions take an open session and never commit.

The package by job:

===================================  =====================================================
:mod:`bot.review.service.model`      ``SuggestionView``, ``DecisionOutcome``, ``Decision``,
                                     ``ApprovalKind``, ``ReviewError``: pure data
:mod:`bot.review.service.queue`      the pending queue and its review cards
:mod:`bot.review.service.listing`    the compact "also above the line" listing, promote
:mod:`bot.review.service.decisions`  approve / reject (first decision wins), undo, add a paper
:mod:`bot.review.service.snooze`     "needs info" and its waking; a new version of a paper
:mod:`bot.review.service.proposal`   a moderator's edit of the proposed entry
:mod:`bot.review.service.audit`      the ``review_decisions`` rows, written and read back
===================================  =====================================================

Every public name of the former module ``bot/review/service.py`` is importable from here.
"""

from __future__ import annotations

from bot.review.service.audit import decisions_for
from bot.review.service.decisions import add_paper, decide, entry_from_suggestion, undo
from bot.review.service.into import INTO_MODES, approve_into
from bot.review.service.listing import listing, mark_listing_posted, promote, unposted_listed
from bot.review.service.model import (
    APPROVAL_KINDS,
    ApprovalKind,
    Decision,
    DecisionOutcome,
    ReviewError,
    SuggestionView,
    approval_kind,
)
from bot.review.service.proposal import edit_proposal
from bot.review.service.queue import (
    get_suggestion,
    list_pending,
    mark_posted,
    suggestion_by_message,
    unposted,
)
from bot.review.service.snooze import NewVersion, refresh_replaced, snooze, wake_due

__all__ = [
    "APPROVAL_KINDS",
    "INTO_MODES",
    "ApprovalKind",
    "Decision",
    "DecisionOutcome",
    "NewVersion",
    "ReviewError",
    "SuggestionView",
    "add_paper",
    "approval_kind",
    "approve_into",
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
