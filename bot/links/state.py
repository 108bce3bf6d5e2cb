"""What one check means for a link's stored state (pure: no I/O, the time given).

A link that answers is ``ok``, ``redirected`` (a temporary redirect on the way) or ``moved`` (only
permanent redirects: the new URL is proposed to moderators). A failed check (404, 410, a failed
DNS look-up, a timeout, a reset connection, a 5xx) makes it ``failing``, with the time of its first
failure kept; it is ``dead`` only once it has failed on two checks at least ``dead_after`` apart
(the first failure and this one), so a server down for an afternoon is never reported dead. A
check that could not tell (``unverified``: 403 to GET, a 429 beyond our patience) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.links.check import CheckOutcome, LinkResult
from db.enums import LinkStatus

__all__ = ["DEAD_AFTER", "StoredCheck", "next_check"]

DEAD_AFTER = timedelta(days=1)

_ANSWERED = {
    CheckOutcome.OK: LinkStatus.OK,
    CheckOutcome.REDIRECTED: LinkStatus.REDIRECTED,
    CheckOutcome.MOVED: LinkStatus.MOVED,
}
_FAILED = (LinkStatus.FAILING, LinkStatus.DEAD)


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """A ``link_checks`` row's values (migration 0020)."""

    url: str
    status: LinkStatus
    http_status: int | None
    final_url: str | None
    error: str | None
    first_failed_at: datetime | None
    last_checked_at: datetime
    consecutive_failures: int

    def as_dict(self) -> dict[str, object]:
        return {
            "status": str(self.status),
            "first_failed_at": self.first_failed_at.isoformat() if self.first_failed_at else None,
            "last_checked_at": self.last_checked_at.isoformat(),
            "consecutive_failures": self.consecutive_failures,
        }


def next_check(
    previous: StoredCheck | None, result: LinkResult, now: datetime, *, dead_after: timedelta = DEAD_AFTER
) -> StoredCheck | None:
    """The link's state after *result*, checked at *now*; ``None`` when the check changes nothing."""
    if result.outcome is CheckOutcome.UNVERIFIED:
        return None
    if not result.failed:
        # What the link itself answered: a redirect's 3xx (where it led answered 2xx), else the 2xx.
        status = result.hops[0][0] if result.hops else result.http_status
        return StoredCheck(
            result.url, _ANSWERED[result.outcome], status, result.final_url, None, None, now, 0
        )
    was_failing = previous is not None and previous.status in _FAILED
    since = previous.first_failed_at if was_failing and previous and previous.first_failed_at else now
    failures = (previous.consecutive_failures if was_failing and previous else 0) + 1
    dead = failures >= 2 and now - since >= dead_after
    return StoredCheck(
        result.url,
        LinkStatus.DEAD if dead else LinkStatus.FAILING,
        result.http_status,
        result.final_url,
        result.error,
        since,
        now,
        failures,
    )
