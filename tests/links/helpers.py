"""Shared by the link-check tests: a virtual clock, the local server's script, the catalog's links
pointed at it, and the server run in a thread for the CLI (whose ``main`` runs its own loop)."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from tests.plugins.http import Reply, ScriptedServer

__all__ = ["VirtualTime", "point_links_at", "script", "server_in_thread", "special_entries"]


class VirtualTime:
    """A clock that moves only when someone sleeps on it (each sleep is recorded)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def head_refused(request: web.Request) -> web.StreamResponse:
    return web.Response(status=405 if request.method == "HEAD" else 200)


async def reset(request: web.Request) -> web.StreamResponse:
    """Drop the connection with a TCP reset (RST, not FIN): "connection reset by peer"."""
    assert request.transport is not None
    sock = request.transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.transport.abort()
    await asyncio.sleep(5)  # cancelled: the connection is gone
    return web.Response()


def script(server: ScriptedServer, *, slow: float = 1.0) -> None:
    server.script("/ok", Reply(200))
    server.script("/moved", Reply(301, headers={"Location": "/ok"}))
    server.script("/moved-twice", Reply(308, headers={"Location": "/moved"}))
    server.script("/found", Reply(302, headers={"Location": "/ok"}))
    server.script("/moved-then-found", Reply(301, headers={"Location": "/found"}))
    server.script("/missing", Reply(404))
    server.script("/gone", Reply(410))
    server.script("/moved-to-missing", Reply(301, headers={"Location": "/missing"}))
    server.script("/head-refused", head_refused)
    server.script("/busy", Reply(429, headers={"Retry-After": "7"}), Reply(200))
    server.script("/always-busy", Reply(429, headers={"Retry-After": "3600"}))
    server.script("/slow", Reply(200, delay=slow))
    server.script("/reset", reset)
    server.script("/error", Reply(500))
    server.script("/forbidden", Reply(403))


def special_entries(db_path: Path, count: int) -> list[tuple[int, str]]:
    """The first *count* entries with a docs URL: (id, name)."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT id, name FROM entries WHERE docs_url IS NOT NULL ORDER BY id LIMIT ?", (count,)
        ).fetchall()
    return [(int(i), str(n)) for i, n in rows]


def point_links_at(db_path: Path, new_url: Callable[[str], str], special: dict[int, str]) -> None:
    """Every catalog link rewritten by *new_url* (old URL -> new), and the docs URL of each entry in
    *special* set to the URL given for it."""
    with sqlite3.connect(db_path) as conn:
        for entry_id, docs, paper in conn.execute("SELECT id, docs_url, paper_url FROM entries").fetchall():
            conn.execute(
                "UPDATE entries SET docs_url = ?, paper_url = ? WHERE id = ?",
                (
                    special.get(entry_id) or (new_url(docs) if docs else None),
                    new_url(paper) if paper else None,
                    entry_id,
                ),
            )
        for entry_id, position, url in conn.execute(
            "SELECT entry_id, position, url FROM entry_links"
        ).fetchall():
            conn.execute(
                "UPDATE entry_links SET url = ? WHERE entry_id = ? AND position = ?",
                (new_url(url), entry_id, position),
            )


def same_host_ok(port: int) -> Callable[[str], str]:
    """An old URL -> ``http://<its host>:<port>/ok`` (its host name kept: pacing stays per host)."""
    return lambda url: f"http://{urlsplit(url).hostname}:{port}/ok"


@contextmanager
def server_in_thread(setup: Callable[[ScriptedServer], None]) -> Iterator[ScriptedServer]:
    """A :class:`ScriptedServer` on its own event loop in a thread (for code that runs its own loop)."""
    loop = asyncio.new_event_loop()
    server = ScriptedServer()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        setup(server)
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
