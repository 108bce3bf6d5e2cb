"""Size and time of every export format (``ptm-bot export --format ...``).

    python bench/exports.py [--scale 65] [--runs 5]

1. The shipped catalog (a fresh temp-file SQLite filled by ``init``): the door
   ``bot.catalog.actions.export(db, fmt)``, read and render, median of ``--runs``; bytes of the text.
2. A larger synthetic catalog in memory: the shipped entries repeated ``--scale`` times under
   numbered names (``BERT 17``), each copy a minute newer, rendered by the pure renderer alone
   (``bot.catalog.exports.render_export``), median of ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.catalog import actions, service  # noqa: E402
from bot.catalog.exports import FORMATS, CatalogExport, StampedEntry, render_export  # noqa: E402
from bot.database import open_database  # noqa: E402


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def shipped(runs: int) -> CatalogExport:
    with tempfile.TemporaryDirectory() as tmp:
        db = await open_database(f"sqlite+aiosqlite:///{Path(tmp) / 'c.sqlite3'}")
        try:
            print(f"shipped catalog: {fmt_row('format', 'bytes', 'ms (read + render)')}")
            for fmt in FORMATS:
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    text = await actions.export(db, fmt)
                    times.append((time.perf_counter() - start) * 1000)
                size = len(text.encode("utf-8"))
                print(f"shipped catalog: {fmt_row(fmt, f'{size:,}', f'{statistics.median(times):.1f}')}")
            return await db.run(service.export_data)
        finally:
            await db.close()


def fmt_row(a: str, b: str, c: str) -> str:
    return f"{a:<8} {b:>12} {c:>20}"


def scaled(base: CatalogExport, scale: int) -> CatalogExport:
    entries = []
    for copy in range(scale):
        for s in base.entries:
            entry = replace(s.entry, name=f"{s.entry.name} {copy}" if copy else s.entry.name)
            if entry.arxiv_id and copy:
                entry = replace(entry, arxiv_id=f"{entry.arxiv_id}{copy:03d}"[:32])
            stamp = s.created_at + timedelta(minutes=copy)
            entries.append(StampedEntry(len(entries) + 1, entry, stamp, stamp))
    return replace(base, entries=entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=65)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = asyncio.run(shipped(args.runs))
    big = scaled(base, args.scale)
    label = f"{len(big.entries):,} entries"
    print(f"{label}: {fmt_row('format', 'bytes', 'ms (render only)')}")
    for fmt in FORMATS:
        text = render_export(fmt, big)
        ms = median_ms(lambda fmt=fmt: render_export(fmt, big), args.runs)
        print(f"{label}: {fmt_row(fmt, f'{len(text.encode()):,}', f'{ms:.1f}')}")


if __name__ == "__main__":
    main()
