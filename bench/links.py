"""The link check on the shipped list, every link pointed at this machine: pacing per host, total
time and counts by outcome (docs/benchmarks.md, "The link check").

A fresh catalog is filled from the shipped list; each of its hosts gets a loopback address of
its own (127.0.0.2, 127.0.0.3, ... : Linux routes all of 127/8 to this machine), where a local
aiohttp server answers a realistic mix chosen per URL (mostly 200; HEAD refused then 200 on GET;
301; 302; 404; 410; 429 with Retry-After then 200; a timeout; a reset). Then the real command
runs, ``ptm-bot links check --json``, with the pacing set through the environment, and the
server's own clock measures the requests per minute each host received.

    python bench/links.py [--interval 0.25] [--timeout 1]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
PTM_BOT = [sys.executable, "-c", "from bot.cli import console; console()"]


def kind_of(path: str) -> str:
    """The answer a URL gets: fixed by its path, so every run is the same mix."""
    n = zlib.crc32(path.encode()) % 100
    for limit, kind in ((80, "ok"), (85, "head-refused"), (89, "moved"), (91, "found"), (93, "missing")):
        if n < limit:
            return kind
    return {93: "gone", 94: "gone", 95: "busy", 96: "busy", 97: "slow", 98: "reset"}.get(n, "ok")


class Server:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.seen: dict[str, list[tuple[float, str]]] = defaultdict(list)  # local address -> (time, path)
        self.busy_asked: set[str] = set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        address = request.transport.get_extra_info("sockname")[0]
        self.seen[address].append((time.monotonic(), request.path))
        kind = kind_of(request.path.split("/~", 1)[0])
        if request.path.endswith("/~target"):
            return web.Response()
        if kind == "head-refused" and request.method == "HEAD":
            return web.Response(status=405)
        if kind in ("moved", "found"):
            return web.Response(
                status=301 if kind == "moved" else 302, headers={"Location": request.path + "/~target"}
            )
        if kind in ("missing", "gone"):
            return web.Response(status=404 if kind == "missing" else 410)
        if kind == "busy" and request.path not in self.busy_asked:
            self.busy_asked.add(request.path)
            return web.Response(status=429, headers={"Retry-After": "1"})
        if kind == "slow":
            await asyncio.sleep(self.timeout * 3)
        if kind == "reset":
            sock = request.transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.transport.abort()
            await asyncio.sleep(5)
        return web.Response()


def catalog(path: Path) -> list[str]:
    subprocess.run([*PTM_BOT, "init", "--db", str(path)], check=True, capture_output=True)
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT docs_url FROM entries WHERE docs_url IS NOT NULL UNION SELECT paper_url FROM entries "
            "WHERE paper_url IS NOT NULL UNION SELECT url FROM entry_links"
        ).fetchall()
    return [url for (url,) in rows]


def rewrite(path: Path, where: dict[str, str]) -> None:
    def local(url: str | None) -> str | None:
        if not url:
            return url
        parts = urlsplit(url)
        return f"http://{where[parts.hostname or '']}/{parts.hostname}{parts.path or '/'}" + (
            f"?{parts.query}" if parts.query else ""
        )

    with sqlite3.connect(path) as conn:
        for i, docs, paper in conn.execute("SELECT id, docs_url, paper_url FROM entries").fetchall():
            conn.execute(
                "UPDATE entries SET docs_url = ?, paper_url = ? WHERE id = ?", (local(docs), local(paper), i)
            )
        for i, pos, url in conn.execute("SELECT entry_id, position, url FROM entry_links").fetchall():
            conn.execute(
                "UPDATE entry_links SET url = ? WHERE entry_id = ? AND position = ?", (local(url), i, pos)
            )


async def serve(server: Server, hosts: list[str]) -> tuple[web.AppRunner, dict[str, str]]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    where = {}
    for n, host in enumerate(hosts, start=2):
        site = web.TCPSite(runner, f"127.0.0.{n}", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        where[host] = f"127.0.0.{n}:{port}"
    return runner, where


async def run(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        urls = catalog(db)
        hosts = sorted({urlsplit(u).hostname or "" for u in urls})
        server = Server(args.timeout)
        runner, where = await serve(server, hosts)
        rewrite(db, where)
        env = {
            **os.environ,
            "PTM_BOT_LINKS_PER_HOST_INTERVAL_SECONDS": str(args.interval),
            "PTM_BOT_LINKS_TIMEOUT_SECONDS": str(args.timeout),
        }
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            *PTM_BOT, "links", "check", "--json", "--db", str(db),
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        out, _ = await proc.communicate()
        wall = time.monotonic() - started
        await runner.cleanup()
    report = json.loads(out)
    by_address = {address: host for host, address in ((h, w.split(":")[0]) for h, w in where.items())}
    per_host = {}
    for address, seen in server.seen.items():
        seen.sort()
        times = [t for t, _ in seen]
        # aiohttp sends a request again at once, on a new connection, when the kept-alive one it
        # used was reset (the "reset" links); the checker never asks one URL twice sooner than the
        # interval, so the same path again within it is such a resend: counted apart.
        pairs = list(itertools.pairwise(seen))
        resends = [a[1] == b[1] and b[0] - a[0] < 0.8 * args.interval for a, b in pairs]
        gaps = [b[0] - a[0] for (a, b), resend in zip(pairs, resends, strict=True) if not resend]
        resent = [r for r in resends if r]
        span = times[-1] - times[0]
        per_host[by_address[address]] = {
            "requests": len(times),
            "per_minute": round((len(times) - 1) / span * 60, 1) if span > 0 else None,
            "min_gap_s": round(min(gaps), 3) if gaps else None,
            "resent_by_aiohttp": len(resent),
        }
    busiest = sorted(per_host.items(), key=lambda kv: -kv[1]["requests"])[:4]
    return {
        "per_host_interval_s": args.interval,
        "urls": report["counts"]["urls"],
        "links": report["counts"]["links"],
        "hosts": len(hosts),
        "requests": report["counts"]["requests"],
        "check_seconds": report["counts"]["seconds"],
        "command_wall_seconds": round(wall, 1),
        "outcomes": report["counts"]["outcomes"],
        "statuses": report["counts"]["statuses"],
        "mix": dict(Counter(kind_of("/" + urlsplit(u).hostname + (urlsplit(u).path or "/")) for u in urls)),  # type: ignore[operator]
        "busiest_hosts": dict(busiest),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=0.25, help="links.per_host_interval_seconds")
    parser.add_argument("--timeout", type=float, default=1.0, help="links.timeout_seconds")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
