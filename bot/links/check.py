"""Checking links over HTTP, politely: HEAD (GET when HEAD is refused), redirects followed one hop
at a time, per-host spacing and concurrency, a global concurrency limit, ``Retry-After`` honoured.

This module only asks hosts; it knows nothing about the database or the catalog. One
:class:`LinkChecker` checks a batch (:meth:`LinkChecker.check_all`); what a result means for the
link's stored state (failing, dead) is :mod:`bot.links.state`'s. Network problems never raise:
they come back as a :class:`LinkResult` with an ``error``.

*clock* and *sleep* are injectable like :class:`bot.watch.fetch.PoliteFetcher`'s, so tests run the
spacing and the ``Retry-After`` waits in virtual time; the per-request *timeout* is aiohttp's, on
the event loop's real clock.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import aiohttp
from yarl import URL

from bot.pacing import HostPacing, host_of
from bot.watch.fetch import parse_retry_after

__all__ = [
    "FAILURES",
    "CheckOutcome",
    "LinkChecker",
    "LinkResult",
    "SentRequest",
    "host_of",
]

log = logging.getLogger(__name__)

# HEAD refused (not allowed, forbidden to HEAD, not implemented): ask again with GET.
_HEAD_REFUSED = frozenset({405, 403, 501})
_PERMANENT = frozenset({301, 308})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MISSING = frozenset({404, 410})
_COME_BACK_LATER = frozenset({429, 503})
MAX_HOPS = 10
MAX_URL_LENGTH = 2000  # longer URLs are not checked (nor stored: a unique index has limits)


class CheckOutcome(StrEnum):
    """What one check of a link found."""

    OK = "ok"  # answered 2xx, no redirect
    REDIRECTED = "redirected"  # answered 2xx after a temporary redirect (302/303/307) on the way
    MOVED = "moved"  # answered 2xx after permanent redirects only (301/308): propose the new URL
    MISSING = "missing"  # 404 / 410 (at the end of the redirects, if any)
    UNREACHABLE = "unreachable"  # DNS look-up failed, connection refused
    ERROR = "error"  # timeout, connection reset, 5xx, too many redirects, a broken answer
    UNVERIFIED = "unverified"  # the host would not say (401/403 to GET, 429 beyond our patience)


# Outcomes that count as a failed check (a link is dead after two, at least a day apart).
FAILURES = frozenset({CheckOutcome.MISSING, CheckOutcome.UNREACHABLE, CheckOutcome.ERROR})


@dataclass(frozen=True, slots=True)
class LinkResult:
    url: str
    outcome: CheckOutcome
    http_status: int | None = None  # the last status seen; None when no answer came
    final_url: str | None = None  # where the redirects led; None without a redirect
    hops: tuple[tuple[int, str], ...] = ()  # (status, location) of each redirect followed
    error: str | None = None  # "HTTP 404", "timeout after 20s", "DNS lookup failed for x", ...
    attempts: int = 0  # requests sent
    waited: float = 0.0  # seconds waited because a host said Retry-After

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "outcome": str(self.outcome),
            "http_status": self.http_status,
            "final_url": self.final_url,
            "redirects": [{"status": s, "location": loc} for s, loc in self.hops],
            "error": self.error,
            "attempts": self.attempts,
            "waited_seconds": round(self.waited, 3),
        }


@dataclass(frozen=True, slots=True)
class SentRequest:
    """One request as sent: when (on the checker's clock), to which host, how."""

    host: str
    method: str
    url: str
    at: float


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int | None = None
    location: str | None = None
    retry_after: float | None = None
    error: str | None = None
    unreachable: bool = False


class LinkChecker:
    """Checks links through a shared :class:`aiohttp.ClientSession`, politely and without raising."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        user_agent: str,
        timeout: float = 20.0,
        per_host_interval: float = 3.0,
        concurrency: int = 8,
        per_host_concurrency: int = 1,
        max_attempts: int = 3,
        max_retry_after: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("user_agent must not be empty")
        if timeout <= 0 or per_host_interval < 0 or max_retry_after < 0:
            raise ValueError("timeout > 0, per_host_interval >= 0 and max_retry_after >= 0 required")
        if concurrency < 1 or per_host_concurrency < 1 or max_attempts < 1:
            raise ValueError("concurrency, per_host_concurrency and max_attempts must be >= 1")
        self._session = session
        self._headers = {"User-Agent": user_agent, "Accept": "*/*"}
        self._timeout = timeout
        self._interval = per_host_interval
        self._concurrency = concurrency
        self._per_host = per_host_concurrency
        self._max_attempts = max_attempts
        self._max_retry_after = max_retry_after
        self._clock = clock
        self._sleep = sleep
        self._pacing = HostPacing(per_host_interval, clock=clock, sleep=sleep)
        self._slots: dict[str, asyncio.Semaphore] = {}  # per host: at most per_host_concurrency in flight
        self.sent: list[SentRequest] = []
        """Every request sent, in order (the figures and the tests read the pacing off it)."""

    async def check_all(self, urls: Iterable[str]) -> list[LinkResult]:
        """Check each URL once (duplicates are checked once), at most ``concurrency`` at a time;
        results in the order of the first appearance of each URL."""
        unique = list(dict.fromkeys(urls))
        gate = asyncio.Semaphore(self._concurrency)

        async def one(url: str) -> LinkResult:
            async with gate:
                return await self.check(url)

        return list(await asyncio.gather(*(one(url) for url in unique)))

    async def check(self, url: str) -> LinkResult:
        """HEAD *url* (GET when HEAD is refused), following redirects; never raises for the network."""
        if host_of(url) is None or len(url) > MAX_URL_LENGTH:
            return LinkResult(url, CheckOutcome.UNVERIFIED, error="not an http(s) URL this check reads")
        walk = _Walk(url)
        current, method = url, "HEAD"
        while True:
            answer = await self._ask(method, current, walk)
            if answer.status in _HEAD_REFUSED and method == "HEAD":
                method = "GET"
                continue
            if answer.status in _REDIRECTS and answer.location:
                if len(walk.hops) >= MAX_HOPS:
                    return walk.result(CheckOutcome.ERROR, answer.status, error="too many redirects")
                current = str(URL(current).join(URL(answer.location)))
                walk.hops.append((answer.status, current))
                method = "HEAD"
                continue
            return walk.finish(answer)

    async def _ask(self, method: str, url: str, walk: _Walk) -> _Answer:
        """One URL with one method, asked again after the wait a 429 / 503 asks for."""
        host = host_of(url) or ""
        answer = _Answer()
        for attempt in range(1, self._max_attempts + 1):
            answer = await self._request(method, url, host)
            walk.attempts += 1
            if answer.status not in _COME_BACK_LATER or attempt == self._max_attempts:
                return answer
            wait = answer.retry_after if answer.retry_after is not None else self._interval * 2**attempt
            if wait > self._max_retry_after:
                return answer  # not worth waiting for now: the next check asks again
            self._pacing.hold_back(host, wait)  # the host asked everybody to slow down
            log.info("link check %s: HTTP %s, waiting %.1fs as asked", url, answer.status, wait)
            walk.waited += wait
            await self._sleep(wait)
        return answer

    async def _request(self, method: str, url: str, host: str) -> _Answer:
        slots = self._slots.get(host)
        if slots is None:
            slots = self._slots[host] = asyncio.Semaphore(self._per_host)
        async with slots:
            await self._pacing.wait_turn(host)
            self.sent.append(SentRequest(host, method, url, self._clock()))
            return await self._send(method, url)

    async def _send(self, method: str, url: str) -> _Answer:
        try:
            async with self._session.request(
                method,
                url,
                headers=self._headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                raise_for_status=False,
            ) as resp:
                retry_after = None
                if resp.status in _COME_BACK_LATER:
                    retry_after = parse_retry_after(
                        resp.headers.get("Retry-After"), date_header=resp.headers.get("Date")
                    )
                return _Answer(resp.status, resp.headers.get("Location"), retry_after)
        except TimeoutError:
            return _Answer(error=f"timeout after {self._timeout:g}s")
        except aiohttp.ClientError as exc:
            return _describe(exc)
        except OSError as exc:  # a reset below aiohttp's wrappers
            return _Answer(error=f"connection error: {exc.strerror or exc}")


@dataclass(slots=True)
class _Walk:
    """One link's way through its redirects: what the result reports."""

    url: str
    hops: list[tuple[int, str]] = field(default_factory=list)
    attempts: int = 0
    waited: float = 0.0

    def result(self, outcome: CheckOutcome, status: int | None, *, error: str | None = None) -> LinkResult:
        final = self.hops[-1][1] if self.hops else None
        return LinkResult(
            self.url, outcome, status, final, tuple(self.hops), error, self.attempts, self.waited
        )

    def finish(self, answer: _Answer) -> LinkResult:
        status = answer.status
        if status is None:
            outcome = CheckOutcome.UNREACHABLE if answer.unreachable else CheckOutcome.ERROR
            return self.result(outcome, None, error=answer.error)
        if 200 <= status < 300:
            if not self.hops:
                return self.result(CheckOutcome.OK, status)
            permanent = all(hop_status in _PERMANENT for hop_status, _ in self.hops)
            return self.result(CheckOutcome.MOVED if permanent else CheckOutcome.REDIRECTED, status)
        if status in _MISSING:
            return self.result(CheckOutcome.MISSING, status, error=f"HTTP {status}")
        if (status >= 500 and status != 503) or (status == 503 and answer.retry_after is None):
            return self.result(CheckOutcome.ERROR, status, error=f"HTTP {status}")
        # 401/403 to GET, 429 (or 503 asking to wait) beyond our patience, a redirect without
        # Location, another 1xx/3xx/4xx: the host did not say whether the page is there.
        return self.result(CheckOutcome.UNVERIFIED, status, error=f"HTTP {status}")


def _describe(exc: aiohttp.ClientError) -> _Answer:
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return _Answer(error="TLS certificate error")
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        if isinstance(os_error, socket.gaierror) or "DNS" in type(exc).__name__:
            return _Answer(error=f"DNS lookup failed for {exc.host}", unreachable=True)
        if isinstance(os_error, ConnectionRefusedError):
            return _Answer(error="connection refused", unreachable=True)
        return _Answer(error=f"cannot connect to {exc.host}: {os_error.strerror or os_error}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return _Answer(error="connection reset (server disconnected)")
    if isinstance(exc, aiohttp.ClientOSError):
        return _Answer(error=f"connection reset: {exc.strerror or exc}")
    if isinstance(exc, aiohttp.InvalidURL):
        return _Answer(error="invalid URL")
    return _Answer(error=f"{type(exc).__name__}: {exc}"[:200])
