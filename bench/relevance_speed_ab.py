"""Score the same 2,000 papers with two checkouts' code in ONE process, alternating run by run.

    python bench/relevance_speed_ab.py OLD_CHECKOUT [--runs 15]

On a noisy machine two processes timed one after the other differ by more than a small change
saves; here both models are loaded side by side (each checkout's ``bot`` package imported in turn)
and every run of one is followed by a run of the other, so both see the same load. Prints the
median and slowest of each, and the median of the per-pair ratios new / old.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from relevance_speed import papers  # noqa: E402


def _scorer(root: Path) -> Callable[[str, str, list[str]], object]:
    for name in [m for m in sys.modules if m == "bot" or m.startswith("bot.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root.resolve()))
    try:
        from bot.relevance.model import shipped_model

        model = shipped_model()
        model.score("warm", "up")
        return model.score  # type: ignore[return-value]
    finally:
        sys.path.remove(str(root.resolve()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the other checkout (e.g. a git worktree of main)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--papers", type=int, default=2000)
    args = parser.parse_args(argv)
    rows = [(r["title"], r["abstract"], r["categories"]) for r in papers(args.papers)]
    scorers = {"old": _scorer(args.old), "new": _scorer(ROOT)}
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(args.runs):
        for name, score in scorers.items():
            start = time.perf_counter()
            for title, abstract, categories in rows:
                score(title, abstract, categories)
            times[name].append(time.perf_counter() - start)
    for name, ts in times.items():
        print(f"{name}: {len(rows)} papers, median {statistics.median(ts):.3f} s, slowest {max(ts):.3f} s")
    ratios = [n / o for n, o in zip(times["new"], times["old"], strict=True)]
    print(f"new / old, median of {args.runs} pairs: {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
