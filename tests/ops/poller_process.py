"""A stand-in bot process for the poller election test: runs the scheduled job every TICK seconds.

Usage: python ops_poller_process.py DATABASE_URL LOG_FILE TICK. Each run of the job (only in the
process holding the poller lock) appends "<pid> <time>" to LOG_FILE; "ready <pid>" is printed once
the first tick is done.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from bot.ops.leader import LeaderOnlyJob, PollerLock


def _append(log_file: str) -> None:
    with open(log_file, "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()} {time.time():.3f}\n")


async def main(url: str, log_file: str, tick: float) -> None:
    lock = PollerLock(url)

    async def poll() -> None:
        _append(log_file)

    job = LeaderOnlyJob(lock, poll)
    first = True
    try:
        while True:
            await job()
            if first:
                print(f"ready {os.getpid()}", flush=True)
                first = False
            await asyncio.sleep(tick)
    finally:
        await lock.release()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
