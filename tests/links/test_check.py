"""The link checker against a real aiohttp server on 127.0.0.1: what each kind of answer comes out
as, HEAD then GET, redirects, Retry-After honoured, pacing and concurrency per host, timeouts and
resets. Waits run on a virtual clock (no real sleeping beyond a fraction of a second); host names
all lead to the local server (``support.localhosts``: the DNS is the one thing replaced)."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from aiohttp import web

from bot.links.check import CheckOutcome, LinkChecker
from support.localhosts import local_session
from tests.links.helpers import VirtualTime, script
from tests.plugins.http import ScriptedServer


@pytest.fixture
async def server():
    async with ScriptedServer() as s:
        script(s)
        yield s


def checker(http, time: VirtualTime, **kw) -> LinkChecker:
    options = {"timeout": 0.3, "per_host_interval": 3.0, "concurrency": 8, "per_host_concurrency": 1}
    return LinkChecker(
        http,
        user_agent="ptm-bot/test (+mailto:t@example.org)",
        clock=time.clock,
        sleep=time.sleep,
        **options | kw,
    )


async def test_each_kind_of_answer(server) -> None:
    time = VirtualTime()
    url = lambda path, host="links.test": f"http://{host}:{server.port}{path}"  # noqa: E731
    async with local_session() as http:
        c = checker(http, time)
        got = {r.url.rsplit("/", 1)[1]: r for r in await c.check_all([url("/" + p) for p in PATHS])}
        dns = await c.check(url("/ok", "nowhere.invalid"))

    assert (
        got["ok"].outcome is CheckOutcome.OK and got["ok"].http_status == 200 and got["ok"].final_url is None
    )
    moved = got["moved"]
    assert moved.outcome is CheckOutcome.MOVED and moved.final_url == url("/ok")
    assert moved.hops == ((301, url("/ok")),)
    assert got["moved-twice"].outcome is CheckOutcome.MOVED and got["moved-twice"].final_url == url("/ok")
    # A temporary redirect anywhere on the way: reported, never proposed as the entry's new URL.
    assert got["found"].outcome is CheckOutcome.REDIRECTED and got["found"].final_url == url("/ok")
    assert got["moved-then-found"].outcome is CheckOutcome.REDIRECTED
    assert (got["missing"].outcome, got["missing"].http_status) == (CheckOutcome.MISSING, 404)
    assert (got["gone"].outcome, got["gone"].http_status) == (CheckOutcome.MISSING, 410)
    assert got["moved-to-missing"].outcome is CheckOutcome.MISSING
    assert got["moved-to-missing"].final_url == url("/missing")
    assert got["head-refused"].outcome is CheckOutcome.OK and got["head-refused"].attempts == 2
    assert [r.method for r in server.requests_to("/head-refused")] == ["HEAD", "GET"]
    assert got["slow"].outcome is CheckOutcome.ERROR and got["slow"].error == "timeout after 0.3s"
    assert got["reset"].outcome is CheckOutcome.ERROR and "reset" in (got["reset"].error or "")
    assert got["error"].outcome is CheckOutcome.ERROR and got["error"].failed
    assert got["forbidden"].outcome is CheckOutcome.UNVERIFIED and not got["forbidden"].failed
    assert [r.method for r in server.requests_to("/forbidden")] == ["HEAD", "GET"]  # 403 to HEAD: GET
    assert dns.outcome is CheckOutcome.UNREACHABLE and dns.failed and "DNS" in (dns.error or "")
    # Every request says who is asking.
    assert {r.headers["User-Agent"] for r in server.requests} == {"ptm-bot/test (+mailto:t@example.org)"}


PATHS = (
    "ok moved moved-twice found moved-then-found missing gone moved-to-missing head-refused slow reset error "
    "forbidden"
).split()


async def test_retry_after_is_honoured_and_holds_the_host_back(server) -> None:
    time = VirtualTime()
    async with local_session() as http:
        c = checker(http, time, per_host_interval=1.0, concurrency=1)
        busy, other = await c.check_all(
            [f"http://busy.test:{server.port}/busy", f"http://busy.test:{server.port}/ok"]
        )
        patient = await c.check(f"http://far.test:{server.port}/always-busy")

    assert busy.outcome is CheckOutcome.OK and busy.attempts == 2 and busy.waited == 7.0
    assert 7.0 in time.sleeps
    assert other.outcome is CheckOutcome.OK
    sent = [(s.url.rsplit("/", 1)[1], s.at) for s in c.sent if s.host == "busy.test"]
    first_busy, again = (at for path, at in sent if path == "busy")
    assert again - first_busy >= 7.0  # asked again only after the wait it asked for
    # A wait longer than we allow: not waited for, not a failure, asked no more than once.
    assert patient.outcome is CheckOutcome.UNVERIFIED and not patient.failed and patient.attempts == 1
    assert len(server.requests_to("/always-busy")) == 1


async def test_pacing_holds_per_host_and_hosts_do_not_wait_for_each_other(server) -> None:
    time = VirtualTime()
    urls = [f"http://{host}.test:{server.port}/ok?{i}" for host in ("a", "b") for i in range(4)]
    async with local_session() as http:
        c = checker(http, time, per_host_interval=3.0, concurrency=8)
        results = await c.check_all(urls + urls[:2])  # duplicates are checked once

    assert len(results) == 8 and all(r.outcome is CheckOutcome.OK for r in results)
    for host in ("a.test", "b.test"):
        times = sorted(s.at for s in c.sent if s.host == host)
        assert len(times) == 4
        assert all(later - earlier >= 3.0 for earlier, later in itertools.pairwise(times))
    # b's first request did not wait behind a's four.
    assert min(s.at for s in c.sent if s.host == "b.test") < 3.0


async def test_concurrency_per_host_and_overall(server) -> None:
    in_flight: dict[str, int] = {}
    peaks = {"all": 0}
    seen: dict[str, int] = {}

    async def slow_ok(request: web.Request) -> web.StreamResponse:
        host = request.host.split(":")[0]
        in_flight[host] = in_flight.get(host, 0) + 1
        seen[host] = max(seen.get(host, 0), in_flight[host])
        peaks["all"] = max(peaks["all"], sum(in_flight.values()))
        await asyncio.sleep(0.03)
        in_flight[host] -= 1
        return web.Response()

    server.script("/slow-ok", slow_ok)
    time = VirtualTime()
    urls = [f"http://{h}.test:{server.port}/slow-ok?{i}" for h in ("a", "b", "c") for i in range(5)]
    async with local_session() as http:
        c = checker(http, time, per_host_interval=0.0, concurrency=3, per_host_concurrency=2)
        results = await c.check_all(urls)

    assert all(r.outcome is CheckOutcome.OK for r in results)
    assert max(seen.values()) <= 2 and peaks["all"] <= 3
    assert peaks["all"] >= 2  # it does check in parallel


async def test_not_http_urls_are_not_asked(server) -> None:
    async with local_session() as http:
        c = checker(http, VirtualTime())
        result = await c.check("mailto:someone@example.org")
    assert result.outcome is CheckOutcome.UNVERIFIED and c.sent == []
