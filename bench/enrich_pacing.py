"""How politely ``ptm-bot enrich`` asks the Hub: requests per minute, and a second pass's cost.

    python bench/enrich_pacing.py [--papers 30] [--interval 1.0]

A stand-in Hub on 127.0.0.1 (aiohttp) answers ``/api/papers/{id}`` for the first ``--papers``
arXiv ids of the shipped catalog: two in three with a page (ETag'd, 304 to a matching
``If-None-Match``), the others 404. ``ptm-bot enrich ID ... --json`` runs twice on a temp copy
of the catalog with ``[enrich] min_interval_seconds = --interval``. Prints the requests per minute,
the smallest gap between two requests, and each run's time and outcome counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "hub" / "paper-2106.07447.json"
CLI = [sys.executable, "-c", "import sys; from bot.cli.main import main; sys.exit(main(sys.argv[1:]))"]


def catalog_ids(db: Path, n: int) -> list[str]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT DISTINCT arxiv_id FROM entries WHERE arxiv_id IS NOT NULL ORDER BY arxiv_id LIMIT ?", (n,)
        ).fetchall()
    return [r[0] for r in rows]


async def serve(arrivals: list[float]) -> tuple[web.AppRunner, int]:
    body = FIXTURE.read_bytes()

    async def paper(request: web.Request) -> web.StreamResponse:
        arrivals.append(time.monotonic())
        number = sum(map(ord, request.match_info["id"]))
        if number % 3 == 0:
            return web.json_response({"error": "Paper not found"}, status=404)
        etag = f'"{request.match_info["id"]}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/json", headers={"ETag": etag})

    app = web.Application()
    app.router.add_get("/api/papers/{id}", paper)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port


async def main_async(args: argparse.Namespace) -> int:
    arrivals: list[float] = []
    runner, port = await serve(arrivals)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "catalog.sqlite3"
        init = await asyncio.create_subprocess_exec(
            *CLI, "init", "--db", str(db), stdout=asyncio.subprocess.DEVNULL
        )
        await init.wait()
        ids = catalog_ids(db, args.papers)
        config = Path(tmp) / "config.toml"
        config.write_text(
            f'[enrich]\nhub_url = "http://127.0.0.1:{port}"\nmin_interval_seconds = {args.interval}\n',
            encoding="utf-8",
        )
        for label in ("first run", "second run"):
            start, before = time.monotonic(), len(arrivals)
            proc = await asyncio.create_subprocess_exec(
                *CLI,
                "enrich",
                *ids,
                "--db",
                str(db),
                "--config",
                str(config),
                "--json",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            out, _ = await proc.communicate()
            took = time.monotonic() - start
            report = json.loads(out)
            gaps = [b - a for a, b in zip(arrivals[before:], arrivals[before + 1 :], strict=False)]
            span = arrivals[-1] - arrivals[before] if len(arrivals) - before > 1 else 0.0
            rate = (len(arrivals) - before - 1) / span * 60 if span else 0.0
            print(
                f"{label}: {len(ids)} papers in {took:.1f} s; {rate:.1f} requests/min, smallest gap {min(gaps):.3f} s; "
                f"found {report['found']}, not on the Hub {report['absent']}, unchanged (304) {report['not_modified']}, "
                f"failed {len(report['failed'])}"
            )
    await runner.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=30)
    parser.add_argument("--interval", type=float, default=1.0)
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
