"""A real aiohttp web server on 127.0.0.1 with scripted responses, for HTTP behaviour tests.

Usage::

    async with ScriptedServer() as server:
        server.script("/feed", Reply(status=500), Reply(body=b"<rss/>", headers={"ETag": '"v1"'}))
        url = server.url("/feed")
        ...  # the first GET gets 500, every later one the 200 (the last step repeats)
        assert server.requests_to("/feed")[0].headers["User-Agent"].startswith("ptm-bot/")

A step is either a :class:`Reply` (status, headers, body, plus delays, chunking and gzip) or any
``async def handler(request) -> web.StreamResponse``; :func:`conditional_feed` is a ready-made handler
that answers conditional GETs like a real feed server. Unscripted paths answer 404.
"""

from __future__ import annotations

import asyncio
import gzip as gzip_module
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["RecordedRequest", "Reply", "ScriptedServer", "conditional_feed"]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted response."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # real seconds to wait before sending anything (for timeout tests)
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length
    gzip: bool = False  # gzip the body and send Content-Encoding: gzip
    chunk_size: int = 64 * 1024
    chunk_delay: float = 0.0  # real seconds between chunks (a slow body); implies streaming


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    headers: CIMultiDictProxy[str]
    received_at: float  # event-loop time when the request arrived


Step = Reply | Handler


class ScriptedServer:
    """An aiohttp application on ``127.0.0.1:<free port>`` that plays scripted responses per path."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._scripts: dict[str, deque[Step]] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    async def start(self) -> ScriptedServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # handler_cancellation: a client that gives up (timeout, size limit) cancels the handler, so a
        # sleeping handler does not hold up shutdown.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ScriptedServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/feed") -> str:
        return self.base_url + path

    def script(self, path: str, *steps: Step) -> None:
        """Answer requests to *path* with *steps* in order; the last step then repeats forever."""
        if not steps:
            raise ValueError("script() needs at least one step")
        self._scripts[path] = deque(steps)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                headers=CIMultiDictProxy(CIMultiDict(request.headers)),
                received_at=asyncio.get_running_loop().time(),
            )
        )
        queue = self._scripts.get(request.path)
        if not queue:
            return web.Response(status=404, text="not scripted")
        step = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(step, Reply):
            return await _play(step, request)
        return await step(request)


async def _play(reply: Reply, request: web.Request) -> web.StreamResponse:
    if reply.delay:
        await asyncio.sleep(reply.delay)
    body = gzip_module.compress(reply.body) if reply.gzip else reply.body
    headers = CIMultiDict(reply.headers)
    if reply.gzip:
        headers["Content-Encoding"] = "gzip"
    if not (reply.chunked or reply.chunk_delay):
        return web.Response(status=reply.status, body=body, headers=headers)

    response = web.StreamResponse(status=reply.status, headers=headers)
    if reply.chunked:
        response.enable_chunked_encoding()
    else:
        response.content_length = len(body)
    await response.prepare(request)
    try:
        for start in range(0, len(body), reply.chunk_size):
            if start and reply.chunk_delay:
                await asyncio.sleep(reply.chunk_delay)
            await response.write(body[start : start + reply.chunk_size])
        await response.write_eof()
    except ConnectionResetError:  # the client hung up on purpose (size limit); not a server error
        log.debug("client went away while streaming %s", request.path)
    return response


def conditional_feed(
    body: bytes,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    content_type: str = "application/rss+xml",
    gzip: bool = False,
) -> Handler:
    """A handler that serves *body* and answers 304 to matching ``If-None-Match`` / ``If-Modified-Since``.

    As in RFC 9110, ``If-None-Match`` wins when present; ``If-Modified-Since`` is compared as a date.
    """
    headers: dict[str, str] = {"Content-Type": content_type}
    if etag:
        headers["ETag"] = etag
    if last_modified:
        headers["Last-Modified"] = last_modified

    async def handler(request: web.Request) -> web.StreamResponse:
        if _not_modified(request, etag, last_modified):
            return web.Response(status=304, headers=headers)
        return await _play(Reply(body=body, headers=headers, gzip=gzip), request)

    return handler


def _not_modified(request: web.Request, etag: str | None, last_modified: str | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return etag is not None and ("*" in tags or etag.removeprefix("W/") in tags)
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False


class VirtualTime:
    """An injectable clock + sleep: sleeping records the duration and advances the clock at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)
