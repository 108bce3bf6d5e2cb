"""Moved to :mod:`bot.client.review.buttons` (issue 19 part 4); this name stays for old imports."""

from bot.client.review.access import refuse_non_moderator
from bot.client.review.buttons import EditModal, RejectModal, ReviewButton, review_view

__all__ = ["EditModal", "RejectModal", "ReviewButton", "refuse_non_moderator", "review_view"]
