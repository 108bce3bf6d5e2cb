"""The project's exceptions: one root, :class:`PTMError`, that knows nothing of Discord.

- :class:`UserFacingError`: a user mistake (unknown topic, empty query, ...). Its message is
  shown to the person who ran the command as one short line: by the command tree's error funnel
  (:mod:`bot.client.tree`, an ephemeral reply), by ``ptm-bot ask`` and by the CLI. Not logged.
- Domain errors (:class:`bot.review.service.ReviewError`, :class:`bot.watch.arxiv.FeedError`,
  :class:`bot.config.ConfigError`, the CLI's own) subclass :class:`PTMError` too, so a caller can
  catch everything the project raises on purpose in one ``except``.
"""

from __future__ import annotations

__all__ = ["PTMError", "UserFacingError"]


class PTMError(Exception):
    """Root of every exception ptm-bot raises on purpose (as opposed to a bug)."""


class UserFacingError(PTMError):
    """A user mistake; ``str(error)`` is the line to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
