"""Time the relevance model scoring 2,000 real papers with full abstracts (the shipped whole days).

    python bench/relevance_speed.py [--root CHECKOUT] [--runs 7] [--papers 2000]

``--root`` scores with another checkout's code and shipped model (e.g. a ``git worktree`` of an
earlier commit), on the same papers: run both alternately in one session for a side-by-side figure
(the machine is noisy). Prints the model version, the median and the slowest of the runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def papers(n: int) -> list[dict]:
    rows: list[dict] = []
    for f in sorted((ROOT / "bot" / "relevance" / "data" / "days").glob("*.jsonl.gz")):
        rows += [json.loads(line) for line in gzip.open(f, "rt", encoding="utf-8")]
    return rows[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code and model to time")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--papers", type=int, default=2000)
    args = parser.parse_args(argv)
    rows = papers(args.papers)
    sys.path.insert(0, str(args.root.resolve()))
    try:
        from bot.relevance.model import shipped_model
    except ImportError:  # before issue 18 the model lived in the watcher
        from bot.watch.relevance_model import shipped_model  # type: ignore[no-redef]
    model = shipped_model()
    model.score("warm", "up")
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        for r in rows:
            model.score(r["title"], r["abstract"], r["categories"])
        times.append(time.perf_counter() - start)
    print(
        f"{model.version}: {len(rows)} papers, median {statistics.median(times):.3f} s, slowest {max(times):.3f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
