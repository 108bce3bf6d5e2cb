"""Polite, robust HTTP fetching of feeds: conditional GET, per-host spacing, retries, size and time limits.

This module only downloads bytes. It knows nothing about the database or about feed formats: the caller
stores the returned :class:`Validators` and hands :attr:`FetchResult.body` to the parser.

HTTP and network problems never raise; they come back as ``FetchOutcome.FAILED`` with a short ``error``
string. Only programming errors (and cancellation) propagate.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import aiohttp

from bot.pacing import HostPacing, host_of
from db.enums import FeedHealth

__all__ = [
    "FeedHealth",
    "FetchOutcome",
    "FetchResult",
    "PoliteFetcher",
    "Validators",
    "next_health",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

_CHUNK_SIZE = 64 * 1024
# 429/503 mean "come back later" and usually say when; 500/502/504 are worth a blind retry.
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_RETRY_STATUSES = frozenset({500, 502, 504})
_JITTER = 0.1  # up to +10 % on exponential backoff so many feeds do not retry in lockstep


@dataclass(frozen=True, slots=True)
class Validators:
    """Conditional-GET state stored per feed."""

    etag: str | None = None
    last_modified: str | None = None


class FetchOutcome(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    outcome: FetchOutcome
    body: bytes | None  # only for OK (decoded: gzip is undone by aiohttp)
    validators: Validators  # new ones on OK; the caller's ones on NOT_MODIFIED/FAILED
    http_status: int | None  # last status seen; None when no response arrived
    attempts: int  # requests actually sent
    error: str | None  # short cause for FAILED: "HTTP 500", "timeout after 30s", ...
    elapsed: float  # seconds on the injected clock, including throttling and backoff
    unreachable: bool = False  # FAILED because no answer came (refused, DNS, timeout): the network


def next_health(consecutive_failures: int, succeeded: bool, *, disable_after: int) -> tuple[FeedHealth, int]:
    """The feed's health and failure count after one poll.

    Success (OK or NOT_MODIFIED) resets the count; each failure adds one, and the feed is DISABLED once
    the count reaches *disable_after*.
    """
    if disable_after < 1:
        raise ValueError(f"disable_after must be >= 1, got {disable_after}")
    if succeeded:
        return FeedHealth.OK, 0
    failures = consecutive_failures + 1
    return (FeedHealth.DISABLED if failures >= disable_after else FeedHealth.FAILING), failures


def parse_retry_after(value: str | None, *, date_header: str | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date), ``None`` if unusable.

    An HTTP-date is measured against the response's own ``Date`` header when there is one, so a skewed
    local clock does not matter; otherwise against the local UTC time. Dates in the past give 0.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    target = _parse_http_date(value)
    if target is None:
        return None
    now = _parse_http_date(date_header) if date_header else None
    if now is None:
        now = datetime.now(UTC)
    return max(0.0, (target - now).total_seconds())


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000" means UTC for HTTP dates
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What one request produced, before the retry policy decides what to do with it."""

    outcome: FetchOutcome
    status: int | None = None
    body: bytes | None = None
    validators: Validators | None = None
    error: str | None = None
    retry: bool = False
    retry_after: float | None = None
    unreachable: bool = False


# A host that could not be reached is not tried again for this long (other feeds on it fail at
# once), so a poll with the network down ends in seconds instead of retrying every feed.
UNREACHABLE_MEMORY = 60.0


class PoliteFetcher:
    """Fetches feeds through a shared :class:`aiohttp.ClientSession`, politely and without raising.

    One instance should serve the whole bot so the per-host spacing holds across all feeds. *clock* and
    *sleep* are injectable so tests run throttling and backoff in virtual time; the per-request
    *timeout* is enforced by aiohttp on the event loop's real clock.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        user_agent: str,
        min_interval: float = 3.0,
        timeout: float = 30.0,
        max_bytes: int = 10 * 2**20,
        max_attempts: int = 4,
        backoff_base: float = 5.0,
        max_backoff: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        expected_statuses: frozenset[int] = frozenset(),
    ) -> None:
        if not user_agent.strip():
            raise ValueError("user_agent must not be empty")
        self._expected = expected_statuses
        if min_interval < 0 or timeout <= 0 or max_bytes < 1 or max_attempts < 1:
            raise ValueError("min_interval >= 0, timeout > 0, max_bytes >= 1 and max_attempts >= 1 required")
        if backoff_base < 0 or max_backoff < 0:
            raise ValueError("backoff_base and max_backoff must be >= 0")
        # A session built with auto_decompress=False would hand gzip bytes to the feed parser.
        if not getattr(session, "auto_decompress", True):
            raise ValueError("PoliteFetcher needs a ClientSession with auto_decompress=True")
        self._session = session
        self._user_agent = user_agent
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._max_backoff = max_backoff
        self._down: dict[str, float] = {}  # host -> when it was last found unreachable
        self._clock = clock
        self._sleep = sleep
        self._pacing = HostPacing(min_interval, clock=clock, sleep=sleep)

    async def fetch(self, url: str, validators: Validators = Validators()) -> FetchResult:
        """GET *url* conditionally, retrying transient failures; never raises for HTTP/network problems."""
        started = self._clock()
        host = host_of(url)
        if host is None:
            return self._result(
                url, started, FetchOutcome.FAILED, validators, error="invalid URL", attempts=0
            )

        down_since = self._down.get(host)
        if down_since is not None and self._clock() - down_since < UNREACHABLE_MEMORY:
            return self._result(
                url,
                started,
                FetchOutcome.FAILED,
                validators,
                error=f"{host} unreachable moments ago; not tried again",
                attempts=0,
                unreachable=True,
            )

        attempts = 0
        last: _Attempt | None = None
        while attempts < self._max_attempts:
            await self._pacing.wait_turn(host)
            attempts += 1
            last = await self._attempt(url, validators)
            if last.outcome is not FetchOutcome.FAILED:
                return self._result(
                    url,
                    started,
                    last.outcome,
                    last.validators or validators,  # only OK carries new validators
                    body=last.body,
                    status=last.status,
                    attempts=attempts,
                )
            if not last.retry:
                break
            delay = self._retry_delay(attempts, last.retry_after)
            if last.status in _RETRY_AFTER_STATUSES:
                # The host asked everybody to slow down, not just this feed.
                self._pacing.hold_back(host, delay)
            if attempts >= self._max_attempts:
                break
            log.info(
                "fetch %s: %s (attempt %d/%d), retrying in %.1fs",
                url,
                last.error,
                attempts,
                self._max_attempts,
                delay,
            )
            await self._sleep(delay)

        assert last is not None  # max_attempts >= 1
        # An answer the caller expects (the Hub's 404: no page for that paper yet) is not a warning.
        level = logging.DEBUG if last.status in self._expected else logging.WARNING
        log.log(
            level, "fetch %s failed after %d attempt(s): %s", url, attempts, last.error, extra={"feed": url}
        )
        if last.unreachable:
            self._down[host] = self._clock()
        else:
            self._down.pop(host, None)
        return self._result(
            url,
            started,
            FetchOutcome.FAILED,
            validators,
            status=last.status,
            attempts=attempts,
            error=last.error,
            unreachable=last.unreachable,
        )

    def _retry_delay(self, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self._max_backoff)
        base = self._backoff_base * 2 ** (attempts - 1)
        return min(base * (1 + random.uniform(0, _JITTER)), self._max_backoff)

    async def _attempt(self, url: str, validators: Validators) -> _Attempt:
        headers = {"User-Agent": self._user_agent, "Accept-Encoding": "gzip"}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        try:
            async with self._session.get(
                url,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                raise_for_status=False,
            ) as resp:
                return await self._handle(resp)
        except TimeoutError:  # also aiohttp's ServerTimeoutError / ConnectionTimeoutError
            return _Attempt(
                FetchOutcome.FAILED, error=f"timeout after {self._timeout:g}s", retry=True, unreachable=True
            )
        except aiohttp.ClientError as exc:
            error, retry = _describe_client_error(exc)
            unreachable = isinstance(exc, aiohttp.ClientConnectorError) and not isinstance(
                exc, aiohttp.ClientConnectorCertificateError
            )
            return _Attempt(FetchOutcome.FAILED, error=error, retry=retry, unreachable=unreachable)

    async def _handle(self, resp: aiohttp.ClientResponse) -> _Attempt:
        status = resp.status
        if status == 304:
            return _Attempt(FetchOutcome.NOT_MODIFIED, status=status)
        if 200 <= status < 300:
            too_big = f"body exceeds {self._max_bytes} bytes"
            if resp.content_length is not None and resp.content_length > self._max_bytes:
                resp.close()
                return _Attempt(FetchOutcome.FAILED, status=status, error=too_big)
            body = bytearray()
            # Counted after decompression, so a small gzip bomb is caught too.
            async for chunk in resp.content.iter_chunked(_CHUNK_SIZE):
                body += chunk
                if len(body) > self._max_bytes:
                    resp.close()
                    return _Attempt(FetchOutcome.FAILED, status=status, error=too_big)
            new = Validators(etag=resp.headers.get("ETag"), last_modified=resp.headers.get("Last-Modified"))
            return _Attempt(FetchOutcome.OK, status=status, body=bytes(body), validators=new)
        error = f"HTTP {status}"
        if status in _RETRY_AFTER_STATUSES:
            retry_after = parse_retry_after(
                resp.headers.get("Retry-After"), date_header=resp.headers.get("Date")
            )
            return _Attempt(
                FetchOutcome.FAILED, status=status, error=error, retry=True, retry_after=retry_after
            )
        return _Attempt(FetchOutcome.FAILED, status=status, error=error, retry=status in _RETRY_STATUSES)

    def _result(
        self,
        url: str,
        started: float,
        outcome: FetchOutcome,
        validators: Validators,
        *,
        body: bytes | None = None,
        status: int | None = None,
        attempts: int,
        error: str | None = None,
        unreachable: bool = False,
    ) -> FetchResult:
        return FetchResult(
            url=url,
            outcome=outcome,
            body=body,
            validators=validators,
            http_status=status,
            attempts=attempts,
            error=error,
            elapsed=self._clock() - started,
            unreachable=unreachable,
        )


def _describe_client_error(exc: aiohttp.ClientError) -> tuple[str, bool]:
    """A short human-readable cause and whether trying again could help."""
    if isinstance(exc, aiohttp.InvalidURL):
        return "invalid URL", False
    if isinstance(exc, aiohttp.TooManyRedirects):
        return "too many redirects", False
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return "TLS certificate error", False
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        if isinstance(os_error, ConnectionRefusedError):
            return "connection refused", True
        if isinstance(os_error, socket.gaierror):
            return f"DNS lookup failed for {exc.host}", True
        return f"cannot connect to {exc.host}: {os_error.strerror or os_error}", True
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server disconnected", True
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "broken response body", True
    if isinstance(exc, aiohttp.ClientResponseError):  # malformed response line / headers
        return f"bad response: {exc.message}"[:200], True
    return f"{type(exc).__name__}: {exc}"[:200], True
