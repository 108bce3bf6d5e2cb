"""``/ptm top``'s latency on the shipped catalog with many votes (issue 22, part 2).

    ptm-bot init --db /tmp/topbench.sqlite3 && python bench/top_votes.py /tmp/topbench.sqlite3 [--votes 20000]

Fills the votes table with VOTES random votes (2,000 members, spread over the last 60 days, one
per member and entry), then times the whole handler (``bot.commands.votes.top``: the read on a
SQLite read thread, loading the page's entries, rendering) 30 times per case: the week, the
month, the month of one topic. Prints the median and the worst, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.commands import votes as vote_handlers
from bot.database import open_database
from db import models as m


async def main(path: str, votes: int) -> None:
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    rng = random.Random(22)
    now = datetime.now(UTC)

    async def fill(session):
        ids = list((await session.scalars(select(m.Entry.id))).all())
        seen: set[tuple[int, int]] = set()
        rows = []
        while len(rows) < votes:
            pair = (rng.choice(ids), rng.randrange(2000))
            if pair in seen:
                continue
            seen.add(pair)
            ago = timedelta(seconds=rng.randrange(60 * 86400))
            rows.append({"entry_id": pair[0], "member_id": pair[1], "voted_at": now - ago})
        await session.execute(m.Vote.__table__.insert(), rows)

    await db.run(fill)
    for period, topic in (("week", None), ("month", None), ("month", "speech")):
        times = []
        for _ in range(30):
            start = time.perf_counter()
            await vote_handlers.top(db, period, topic, now=now)
            times.append(time.perf_counter() - start)
        median, worst = statistics.median(times) * 1000, max(times) * 1000
        print(f"{period:5} {topic or 'all':6}  median {median:6.2f} ms  worst {worst:6.2f} ms")
    await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--votes", type=int, default=20000)
    args = parser.parse_args()
    asyncio.run(main(args.path, args.votes))
