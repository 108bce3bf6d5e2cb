"""Benchmark ``ptm-bot import``: a real list into the shipped catalog, and 10,000 new entries.

    python bench/import.py [--json] [--runs 7] [--big-runs 3] [--entries 10000]

* "real": the Hugging Face transformers README's model list (267 lines,
  tests/fixtures/lists/hf-transformers-model-list.md, read as a data file) imported into the
  shipped catalog (153 entries): 165 added, the rest updated or unchanged. Target <= 1 s.
* "big": a generated list of 10,000 new model lines (each with an organisation, a paper, an
  arXiv id and three authors out of a pool, like the real list) imported into the shipped
  catalog. Target <= 10 s.

Each timed run imports into its own copy of a freshly filled catalog, through the same call as
the command line (:func:`bot.catalog.actions.import_list`: read state, parse, plan, write in one
transaction, rebuild the search index of the touched entries, record the revision); timed from
the decoded text to the commit. One untimed run of each first (imports, first-call caches);
``gc.collect()`` before every timed run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.actor import TERMINAL  # noqa: E402
from bot.catalog.actions import import_list  # noqa: E402
from bot.config import database_url_from_path  # noqa: E402
from bot.database import open_database  # noqa: E402

REAL_LIST = ROOT / "tests" / "fixtures" / "lists" / "hf-transformers-model-list.md"


def generated_list(n: int) -> str:
    """``n`` new model lines in the list's own format (deterministic)."""
    lines = ["## PTM"]
    for i in range(n):
        yymm = f"{18 + i % 7:02d}{1 + i % 12:02d}"
        lines.append(
            f"{yymm}: [BenchModel-{i:05d}](https://example.org/models/bench-{i:05d}) (from Org {i % 97}) "
            f"released with the paper [BenchModel-{i:05d}: Pre-training number {i} at scale]"
            f"(https://arxiv.org/abs/{yymm}.{i:05d}) by Author {i % 1009}, Writer {i % 313} and Scholar {i % 71}."
        )
        lines.append("")
    return "\n".join(lines)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def _once(template: Path, workdir: Path, text: str, run: int) -> tuple[float, int]:
    db_file = workdir / f"run{run}.sqlite3"
    shutil.copy(template, db_file)
    db = await open_database(database_url_from_path(str(db_file)), seed=False)
    try:
        gc.collect()  # see the module docstring
        started = time.perf_counter()
        plan = await import_list(db, text, TERMINAL, source="bench")
        elapsed = time.perf_counter() - started
    finally:
        await db.close()
    return elapsed, len(plan.report.added)


async def _series(template: Path, workdir: Path, text: str, runs: int, expect_added: int) -> list[float]:
    await _once(template, workdir, text, -1)  # untimed warm-up
    times = []
    for run in range(runs):
        elapsed, added = await _once(template, workdir, text, run)
        assert added == expect_added, added
        times.append(elapsed)
    return times


async def main_async(runs: int, big_runs: int, entries: int) -> dict[str, object]:
    real = REAL_LIST.read_text(encoding="utf-8")
    big = generated_list(entries)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        template = workdir / "template.sqlite3"
        db = await open_database(database_url_from_path(str(template)))  # fills the shipped catalog
        await db.close()
        real_times = await _series(template, workdir, real, runs, 165)
        big_times = await _series(template, workdir, big, big_runs, entries)

    def figures(times: list[float]) -> dict[str, float]:
        return {"median": round(statistics.median(times), 3), "p99": round(_p99(times), 3)}

    result = {
        "real": {"lines": 267, "runs": runs, "seconds": figures(real_times), "target_s": 1.0},
        "big": {"entries": entries, "runs": big_runs, "seconds": figures(big_times), "target_s": 10.0},
    }
    result["meets_target"] = (
        statistics.median(real_times) <= 1.0 and statistics.median(big_times) <= 10.0 * entries / 10_000
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of the real list (default 7)")
    parser.add_argument(
        "--big-runs", type=int, default=3, help="timed runs of the generated list (default 3)"
    )
    parser.add_argument("--entries", type=int, default=10_000, help="generated entries (default 10000)")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args.runs, args.big_runs, args.entries))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    r, b = result["real"], result["big"]
    print(
        f"real list, 267 lines into the shipped catalog ({r['runs']} runs): median {r['seconds']['median']:.3f} s"  # type: ignore[index]
        f"   p99 {r['seconds']['p99']:.3f} s   (target <= 1 s)"  # type: ignore[index]
    )
    print(
        f"{b['entries']} new entries ({b['runs']} runs): median {b['seconds']['median']:.3f} s"  # type: ignore[index]
        f"   p99 {b['seconds']['p99']:.3f} s   (target <= 10 s)"  # type: ignore[index]
    )
    print(f"targets {'met' if result['meets_target'] else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
