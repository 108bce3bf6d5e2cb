"""Moved to :mod:`bot.client.review` (issue 19 part 4): ``cards``, ``channels``, ``threads``; this name
stays for old imports."""

from bot.client.review.cards import refresh_message
from bot.client.review.channels import ReviewChannel, review_channel, review_destination
from bot.client.review.threads import post_decision_in_thread, thread_name

__all__ = [
    "ReviewChannel",
    "post_decision_in_thread",
    "refresh_message",
    "review_channel",
    "review_destination",
    "thread_name",
]
