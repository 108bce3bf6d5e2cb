"""Two trees (or two settings) side by side, paired: each input through both, back to back.

    python bench/paired.py DB --before-root /tmp/old-tree [--rounds 3]
    python bench/paired.py DB --before-threads 0 --after-threads 2

``DB`` is a catalog built by ``bench/commands.py --db PATH``. Two long-lived bot processes are
set up as ``bench/commands.py``'s measured child is (``bot.client.bot`` and every cog imported,
``open_database``, the same seeded inputs per command, 10 warm-up calls of each), one per side:
``--before-root`` / ``--after-root`` name the source trees they import (default: this one),
``--before-threads`` / ``--after-threads`` their ``database.read_threads``. Every input is sent
to both, in random order, ``--rounds`` times; a call's time is taken inside its process. Printed
per command: each side's median and p99, and the median over inputs of after / before. On a
shared machine the load changes between two separate runs of ``bench/commands.py``; here it hits
both sides of each pair alike.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def worker(root: str, path: str, threads: int, runs: int, seed: int) -> None:
    """One side: read ``command index`` lines, answer the call's milliseconds."""
    sys.path.insert(0, root)
    spec = importlib.util.spec_from_file_location("bench_commands", f"{root}/bench/commands.py")
    assert spec is not None and spec.loader is not None
    commands = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(commands)

    async def setup() -> tuple[Any, dict[str, Any], dict[str, Any], type[BaseException]]:
        import bot.client.bot  # noqa: F401  (the bot process has all of this imported)
        from bot.client.bot import EXTENSIONS
        from bot.commands import member as handlers
        from bot.config import database_url_from_path
        from bot.database import open_database
        from bot.errors import UserFacingError

        for ext in EXTENSIONS:
            importlib.import_module(ext)
        db = await open_database(database_url_from_path(path), read_threads=threads)
        inputs = await commands._inputs(db, random.Random(seed), runs)
        calls = {
            "autocomplete": lambda a: handlers.model_names(db, a[0]),
            "ptm model": lambda a: handlers.model(db, a[0]),
            "ptm recent": lambda a: handlers.recent(db, a[0], a[1], page=a[2]),
            "ptm search": lambda a: handlers.search(db, a[0], page=a[1]),
            "ptm survey": lambda a: handlers.survey(db, a[0]),
            "ptm org": lambda a: handlers.org(db, a[0]),
            "ptm author": lambda a: handlers.author(db, a[0]),
        }
        return db, inputs, calls, UserFacingError

    loop = asyncio.new_event_loop()
    db, inputs, calls, expected = loop.run_until_complete(setup())

    async def one(command: str, i: int) -> float:
        started = time.perf_counter()
        try:
            await calls[command](inputs[command][i])
        except expected:
            pass
        return (time.perf_counter() - started) * 1000

    print(json.dumps({k: len(v) for k, v in inputs.items()}), flush=True)
    for line in sys.stdin:
        command, i = line.rsplit(" ", 1)
        print(f"{loop.run_until_complete(one(command, int(i))):.4f}", flush=True)
    loop.run_until_complete(db.close())


def _p99(xs: list[float]) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", help="a catalog built by bench/commands.py --db PATH")
    parser.add_argument("--before-root", default=str(ROOT))
    parser.add_argument("--after-root", default=str(ROOT))
    parser.add_argument("--before-threads", type=int, default=2)
    parser.add_argument("--after-threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="times each input is sent to each side")
    parser.add_argument("--runs", type=int, default=300, help="inputs per command (as bench/commands.py)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs=2, metavar=("ROOT", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        root, threads = args.worker
        worker(root, args.db, int(threads), args.runs, args.seed)
        return 0

    sides = {
        "before": (args.before_root, args.before_threads),
        "after": (args.after_root, args.after_threads),
    }
    procs = {
        side: subprocess.Popen(
            [
                sys.executable,
                __file__,
                args.db,
                "--worker",
                root,
                str(threads),
                "--runs",
                str(args.runs),
                "--seed",
                str(args.seed),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for side, (root, threads) in sides.items()
    }
    sizes: dict[str, int] = {}
    for proc in procs.values():
        assert proc.stdout is not None
        sizes = json.loads(proc.stdout.readline())

    def call(side: str, command: str, i: int) -> float:
        proc = procs[side]
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{command} {i}\n")
        proc.stdin.flush()
        return float(proc.stdout.readline())

    rng = random.Random(args.seed + 2)
    out: dict[str, Any] = {}
    for command, n in sizes.items():
        for side in procs:
            for i in range(min(10, n)):
                call(side, command, i)
        times: dict[str, list[float]] = {side: [] for side in procs}
        ratios = []
        for _ in range(args.rounds):
            for i in range(n):
                order = list(procs)
                rng.shuffle(order)
                took = {side: call(side, command, i) for side in order}
                for side, ms in took.items():
                    times[side].append(ms)
                ratios.append(took["after"] / took["before"])
        out[command] = {
            **{
                side: {"median_ms": round(statistics.median(t), 3), "p99_ms": round(_p99(t), 2)}
                for side, t in times.items()
            },
            "after_over_before_per_input": round(statistics.median(ratios), 3),
        }
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
