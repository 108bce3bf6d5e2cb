"""bot.watch.fetch against a real aiohttp server on 127.0.0.1; throttling and backoff run in virtual time."""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest

from bot.watch.fetch import (
    FeedHealth,
    FetchOutcome,
    PoliteFetcher,
    Validators,
    next_health,
    parse_retry_after,
)
from tests.plugins.http import Reply, ScriptedServer, VirtualTime, conditional_feed

UA = "ptm-bot/0.1 (+mailto:ops@example.org)"
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>cs.LG</title></channel></rss>'
ETAG = '"abc123"'
LAST_MODIFIED = "Tue, 25 Nov 2025 10:00:00 GMT"


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    async with ScriptedServer() as srv:
        yield srv


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as sess:
        yield sess


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


def make_fetcher(session: aiohttp.ClientSession, vt: VirtualTime, **overrides: Any) -> PoliteFetcher:
    options: dict[str, Any] = {"user_agent": UA, "timeout": 5.0, "clock": vt.clock, "sleep": vt.sleep}
    options.update(overrides)
    return PoliteFetcher(session, **options)


# --- success and conditional GET ----------------------------------------------------------------


async def test_200_returns_body_and_new_validators(server, session, vt) -> None:
    server.script("/feed", conditional_feed(RSS, etag=ETAG, last_modified=LAST_MODIFIED))

    result = await make_fetcher(session, vt).fetch(server.url("/feed"))

    assert result.outcome is FetchOutcome.OK
    assert result.body == RSS
    assert result.validators == Validators(etag=ETAG, last_modified=LAST_MODIFIED)
    assert (result.http_status, result.attempts, result.error) == (200, 1, None)
    assert result.url == server.url("/feed")
    assert vt.sleeps == []


async def test_second_fetch_sends_validators_and_gets_304(server, session, vt) -> None:
    server.script("/feed", conditional_feed(RSS, etag=ETAG, last_modified=LAST_MODIFIED))
    fetcher = make_fetcher(session, vt)

    first = await fetcher.fetch(server.url("/feed"))
    second = await fetcher.fetch(server.url("/feed"), first.validators)

    assert second.outcome is FetchOutcome.NOT_MODIFIED
    assert second.body is None
    assert second.validators == first.validators
    assert (second.http_status, second.attempts, second.error) == (304, 1, None)
    sent = server.requests_to("/feed")[1].headers
    assert sent["If-None-Match"] == ETAG
    assert sent["If-Modified-Since"] == LAST_MODIFIED
    assert "If-None-Match" not in server.requests_to("/feed")[0].headers
    # The second request waited its turn behind the first one (same host).
    assert vt.sleeps == [3.0]


async def test_if_modified_since_alone_gets_304(server, session, vt) -> None:
    server.script("/feed", conditional_feed(RSS, last_modified=LAST_MODIFIED))
    stored = Validators(last_modified=LAST_MODIFIED)

    result = await make_fetcher(session, vt).fetch(server.url("/feed"), stored)

    assert result.outcome is FetchOutcome.NOT_MODIFIED
    assert result.validators is stored
    assert "If-None-Match" not in server.requests[0].headers


async def test_200_without_validators_replaces_stale_ones(server, session, vt) -> None:
    server.script("/feed", Reply(body=RSS))

    result = await make_fetcher(session, vt).fetch(server.url("/feed"), Validators(etag='"old"'))

    assert result.outcome is FetchOutcome.OK
    assert result.validators == Validators()


async def test_request_headers_reach_the_server(server, session, vt) -> None:
    server.script("/feed", Reply(body=RSS))

    await make_fetcher(session, vt).fetch(server.url("/feed"))

    (request,) = server.requests
    assert request.method == "GET"
    assert request.headers["User-Agent"] == UA
    assert request.headers["Accept-Encoding"] == "gzip"


async def test_gzip_body_is_decoded(server, session, vt) -> None:
    server.script("/gz", Reply(body=RSS * 50, gzip=True, headers={"ETag": ETAG}))
    server.script("/gz-chunked", Reply(body=RSS * 50, gzip=True, chunked=True, chunk_size=100))
    fetcher = make_fetcher(session, vt)

    plain = await fetcher.fetch(server.url("/gz"))
    chunked = await fetcher.fetch(server.url("/gz-chunked"))

    assert plain.outcome is chunked.outcome is FetchOutcome.OK
    assert plain.body == chunked.body == RSS * 50
    assert plain.validators.etag == ETAG


# --- retries ------------------------------------------------------------------------------------


async def test_429_honours_retry_after_seconds(server, session, vt) -> None:
    server.script("/feed", Reply(status=429, headers={"Retry-After": "7"}), Reply(body=RSS))

    result = await make_fetcher(session, vt).fetch(server.url("/feed"))

    assert result.outcome is FetchOutcome.OK
    assert result.body == RSS
    assert result.attempts == 2
    assert vt.sleeps and vt.sleeps[0] >= 7
    assert sum(vt.sleeps) == pytest.approx(7.0)
    assert result.elapsed == pytest.approx(7.0)
    assert len(server.requests) == 2


async def test_503_honours_retry_after_http_date(server, session, vt) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    headers = {
        "Date": format_datetime(now, usegmt=True),
        "Retry-After": format_datetime(now + timedelta(seconds=120), usegmt=True),
    }
    server.script("/feed", Reply(status=503, headers=headers), Reply(body=RSS))

    result = await make_fetcher(session, vt).fetch(server.url("/feed"))

    assert result.outcome is FetchOutcome.OK
    assert result.attempts == 2
    assert vt.sleeps[0] == pytest.approx(120.0, abs=1.0)


async def test_retry_after_is_capped_at_max_backoff(server, session, vt) -> None:
    server.script("/feed", Reply(status=429, headers={"Retry-After": "86400"}), Reply(body=RSS))

    result = await make_fetcher(session, vt, max_backoff=60.0).fetch(server.url("/feed"))

    assert result.outcome is FetchOutcome.OK
    assert vt.sleeps == [60.0]


async def test_429_slows_down_other_feeds_on_the_same_host(server, session, vt) -> None:
    server.script("/a", Reply(status=429, headers={"Retry-After": "30"}))
    server.script("/b", Reply(body=RSS))
    fetcher = make_fetcher(session, vt, max_attempts=1)

    first = await fetcher.fetch(server.url("/a"))
    second = await fetcher.fetch(server.url("/b"))

    assert (first.outcome, first.error, first.attempts) == (FetchOutcome.FAILED, "HTTP 429", 1)
    assert second.outcome is FetchOutcome.OK
    assert vt.sleeps == [30.0]


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_5xx_retries_with_backoff_then_fails_keeping_validators(server, session, vt, status) -> None:
    server.script("/feed", Reply(status=status, body=b"oops"))
    stored = Validators(etag=ETAG, last_modified=LAST_MODIFIED)

    result = await make_fetcher(session, vt, max_attempts=4).fetch(server.url("/feed"), stored)

    assert result.outcome is FetchOutcome.FAILED
    assert result.error == f"HTTP {status}"
    assert (result.http_status, result.attempts, result.body) == (status, 4, None)
    assert result.validators is stored
    assert len(server.requests) == 4
    # Exponential backoff from backoff_base=5 with at most 10 % jitter, no sleep after the last try.
    assert len(vt.sleeps) == 3
    for slept, base in zip(vt.sleeps, (5.0, 10.0, 20.0), strict=True):
        assert base <= slept <= base * 1.1
    assert all(r.headers["If-None-Match"] == ETAG for r in server.requests)


async def test_backoff_is_capped_at_max_backoff(server, session, vt) -> None:
    server.script("/feed", Reply(status=500))

    await make_fetcher(session, vt, max_attempts=5, backoff_base=50.0, max_backoff=120.0).fetch(
        server.url("/feed")
    )

    assert len(vt.sleeps) == 4
    assert 50.0 <= vt.sleeps[0] <= 55.0
    assert vt.sleeps[2:] == [120.0, 120.0]


async def test_500_then_200_recovers(server, session, vt) -> None:
    server.script("/feed", Reply(status=500), Reply(status=502), Reply(body=RSS, headers={"ETag": ETAG}))

    result = await make_fetcher(session, vt).fetch(server.url("/feed"))

    assert (result.outcome, result.attempts, result.body) == (FetchOutcome.OK, 3, RSS)
    assert result.validators.etag == ETAG


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 501])
async def test_other_errors_fail_at_once(server, session, vt, status) -> None:
    server.script("/feed", Reply(status=status))
    stored = Validators(etag=ETAG)

    result = await make_fetcher(session, vt).fetch(server.url("/feed"), stored)

    assert result.outcome is FetchOutcome.FAILED
    assert (result.http_status, result.attempts, result.error) == (status, 1, f"HTTP {status}")
    assert result.validators is stored
    assert len(server.requests) == 1
    assert vt.sleeps == []


# --- time and size limits -----------------------------------------------------------------------


async def test_timeout_is_retried_then_fails(server, session, vt) -> None:
    server.script("/slow", Reply(body=RSS, delay=5.0))

    result = await make_fetcher(session, vt, timeout=0.2, max_attempts=2).fetch(server.url("/slow"))

    assert result.outcome is FetchOutcome.FAILED
    assert result.error == "timeout after 0.2s"
    assert "timeout" in result.error
    assert (result.attempts, result.http_status) == (2, None)
    assert len(server.requests) == 2
    assert len(vt.sleeps) == 1  # one backoff between the two attempts


async def test_timeout_covers_a_slow_body(server, session, vt) -> None:
    server.script("/trickle", Reply(body=RSS * 10, chunk_size=len(RSS), chunk_delay=0.1))

    result = await make_fetcher(session, vt, timeout=0.25, max_attempts=1).fetch(server.url("/trickle"))

    assert (result.outcome, result.error) == (FetchOutcome.FAILED, "timeout after 0.25s")
    assert result.http_status is None


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(body=b"x" * 5000), id="content-length"),
        pytest.param(Reply(body=b"x" * 5000, chunked=True, chunk_size=512), id="chunked"),
        pytest.param(Reply(body=b"x" * 5000, gzip=True), id="gzip-bomb"),
        pytest.param(Reply(body=b"x" * 5000, gzip=True, chunked=True, chunk_size=8), id="chunked-gzip"),
    ],
)
async def test_oversized_body_fails_without_retry(server, session, vt, reply) -> None:
    server.script("/big", reply)
    stored = Validators(etag=ETAG)

    result = await make_fetcher(session, vt, max_bytes=1000).fetch(server.url("/big"), stored)

    assert result.outcome is FetchOutcome.FAILED
    assert result.error == "body exceeds 1000 bytes"
    assert (result.http_status, result.attempts, result.body) == (200, 1, None)
    assert result.validators is stored
    assert len(server.requests) == 1


async def test_too_large_content_length_is_rejected_before_reading(server, session, vt) -> None:
    # The body trickles in far slower than the timeout allows: only an early rejection on the
    # Content-Length header (not one after reading past max_bytes) answers "body exceeds".
    server.script("/big", Reply(body=b"x" * 5000, chunk_size=500, chunk_delay=5.0))

    result = await make_fetcher(session, vt, max_bytes=1000, timeout=1.0).fetch(server.url("/big"))

    assert (result.outcome, result.error) == (FetchOutcome.FAILED, "body exceeds 1000 bytes")


async def test_body_of_exactly_max_bytes_is_accepted(server, session, vt) -> None:
    server.script("/edge", Reply(body=b"x" * 1000, chunked=True, chunk_size=300))

    result = await make_fetcher(session, vt, max_bytes=1000).fetch(server.url("/edge"))

    assert result.outcome is FetchOutcome.OK
    assert result.body == b"x" * 1000


# --- network problems ---------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused_is_retried_then_fails(session, vt) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/feed"

    result = await make_fetcher(session, vt, max_attempts=3).fetch(url)

    assert result.outcome is FetchOutcome.FAILED
    assert result.error == "connection refused"
    assert (result.attempts, result.http_status) == (3, None)
    assert len(vt.sleeps) == 2


@pytest.mark.parametrize("url", ["not a url", "ftp://example.org/feed", "/relative/feed", ""])
async def test_invalid_url_fails_without_a_request(session, vt, url) -> None:
    result = await make_fetcher(session, vt).fetch(url)

    assert (result.outcome, result.error, result.attempts) == (FetchOutcome.FAILED, "invalid URL", 0)


# --- politeness across concurrent callers -------------------------------------------------------


async def test_concurrent_fetches_to_one_host_are_spaced(server, session, vt) -> None:
    for name in ("a", "b", "c"):
        server.script(f"/{name}", Reply(body=name.encode()))
    fetcher = make_fetcher(session, vt, min_interval=3.0)

    results = await asyncio.gather(*(fetcher.fetch(server.url(f"/{n}")) for n in ("a", "b", "c")))

    assert [r.body for r in results] == [b"a", b"b", b"c"]
    assert vt.sleeps == [3.0, 3.0]
    assert len(server.requests) == 3


async def test_no_wait_once_min_interval_has_passed(server, session, vt) -> None:
    server.script("/feed", Reply(body=RSS))
    fetcher = make_fetcher(session, vt, min_interval=3.0)

    await fetcher.fetch(server.url("/feed"))
    vt.now += 3.0
    await fetcher.fetch(server.url("/feed"))

    assert vt.sleeps == []


async def test_spacing_in_real_time(server, session) -> None:
    server.script("/feed", Reply(body=RSS))
    fetcher = PoliteFetcher(session, user_agent=UA, min_interval=0.15)

    await asyncio.gather(fetcher.fetch(server.url("/feed")), fetcher.fetch(server.url("/feed")))

    first, second = server.requests
    assert second.received_at - first.received_at >= 0.14


async def test_different_hosts_are_not_throttled_together(server, session, vt) -> None:
    server.script("/feed", Reply(body=RSS))
    fetcher = make_fetcher(session, vt, min_interval=3.0)

    await fetcher.fetch(server.url("/feed"))
    other = await fetcher.fetch(f"http://localhost:{server.port}/feed")

    assert other.outcome is FetchOutcome.OK
    assert vt.sleeps == []


# --- construction -------------------------------------------------------------------------------


async def test_rejects_session_without_auto_decompress(vt) -> None:
    async with aiohttp.ClientSession(auto_decompress=False) as sess:
        with pytest.raises(ValueError, match="auto_decompress"):
            make_fetcher(sess, vt)


@pytest.mark.parametrize(
    "overrides",
    [{"user_agent": " "}, {"max_attempts": 0}, {"timeout": 0}, {"max_bytes": 0}, {"min_interval": -1}],
)
async def test_rejects_bad_settings(session, vt, overrides) -> None:
    with pytest.raises(ValueError):
        make_fetcher(session, vt, **overrides)


# --- pure helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "date", "expected"),
    [
        ("7", None, 7.0),
        (" 0 ", None, 0.0),
        ("1.5", None, 1.5),
        ("-3", None, None),
        ("soon", None, None),
        ("", None, None),
        (None, None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:27:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:29:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None, 0.0),  # long past against the local clock
        ("Wed, 21 Oct 2015 07:28:00 GMT", "garbage", 0.0),
    ],
)
def test_parse_retry_after(value, date, expected) -> None:
    assert parse_retry_after(value, date_header=date) == expected


def test_parse_retry_after_future_date_uses_local_clock() -> None:
    target = datetime.now(UTC) + timedelta(seconds=90)
    assert parse_retry_after(format_datetime(target, usegmt=True)) == pytest.approx(90, abs=2)


def test_next_health() -> None:
    assert next_health(0, True, disable_after=3) == (FeedHealth.OK, 0)
    assert next_health(2, True, disable_after=3) == (FeedHealth.OK, 0)
    assert next_health(0, False, disable_after=3) == (FeedHealth.FAILING, 1)
    assert next_health(1, False, disable_after=3) == (FeedHealth.FAILING, 2)
    assert next_health(2, False, disable_after=3) == (FeedHealth.DISABLED, 3)
    assert next_health(3, False, disable_after=3) == (FeedHealth.DISABLED, 4)
    assert next_health(0, False, disable_after=1) == (FeedHealth.DISABLED, 1)
    with pytest.raises(ValueError):
        next_health(0, False, disable_after=0)


def test_gzip_helper_sanity() -> None:
    # The gzip-bomb case above relies on the compressed body being far below the limit.
    assert len(gzip.compress(b"x" * 5000)) < 1000
