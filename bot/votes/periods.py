"""The periods of ``/ptm top``: the votes cast in the last 7 or 30 days (standard library only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.errors import UserFacingError

__all__ = ["DEFAULT_PERIOD", "PERIODS", "cutoff", "parse_period", "stored_time"]

PERIODS: dict[str, timedelta] = {"week": timedelta(days=7), "month": timedelta(days=30)}
DEFAULT_PERIOD = "week"
PERIOD_WORDS = {"week": "the last 7 days", "month": "the last 30 days"}


def parse_period(period: str | None) -> str:
    """``week`` or ``month`` (any case, surrounding spaces ignored); a :class:`UserFacingError`
    for anything else (choices are only hints)."""
    word = (period or DEFAULT_PERIOD).strip().casefold()
    if word not in PERIODS:
        raise UserFacingError(f"Unknown period **{word[:20]}**: use week or month.")
    return word


def cutoff(period: str, now: datetime | None = None) -> datetime:
    """The first moment of *period* that ends at *now* (UTC)."""
    return (now or datetime.now(UTC)) - PERIODS[period]


def stored_time(moment: datetime) -> str:
    """*moment* as the votes table stores it (UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``, the text SQLite
    keeps for a ``DateTime`` column), so a read compares text with text on SQLite and casts it on
    PostgreSQL: one parameter, no driver-specific datetime adapter."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
