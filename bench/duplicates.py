"""Time the duplicate check of one suggested paper against catalogs of 400 to 100,000 entries.

    python bench/duplicates.py [--sizes 400 10000 100000] [--queries 50]

Real titles: the papers of the shipped whole days and corpus (about 8,500), each given a numbered
coined name ("M17: ...") to reach the size asked, so the words are distributed as in real titles. Side by side in one run: every title compared
(the first version of the check) against :meth:`bot.catalog.duplicates.RelatedIndex.match` (only
titles sharing one of the query's rarer words); both must find the same near titles. Prints the
median and p99 per paper, in ms, and the time to build the index from the titles (in memory).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.catalog.duplicates import Known, RelatedIndex, _similar  # noqa: E402
from db.normalize import norm_title  # noqa: E402


def real_titles() -> list[str]:
    from bot.relevance.corpus import load_corpus

    return sorted({" ".join(i.title.split()) for i in load_corpus(None) if len(i.title.split()) >= 3})


def every_title(index: RelatedIndex, title: str) -> list[Known]:
    key = norm_title(title)
    words = frozenset(key.split())
    return [k for other, ow, k in index.titled if other != key and _similar(key, words, other, ow)]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args(argv)
    pool = real_titles()
    for size in args.sizes:
        rng = random.Random(size)
        titles = [f"M{i}: {pool[i % len(pool)]}" if i >= len(pool) else pool[i] for i in range(size)]
        start = time.perf_counter()
        index = RelatedIndex.of(Known(f"Model{i}", t, None, entry_id=i) for i, t in enumerate(titles))
        built = time.perf_counter() - start
        queries = []
        for q in range(args.queries):  # half near copies (one word dropped), half unseen real titles
            base = titles[rng.randrange(size)].split()
            queries.append(" ".join(base[:-1]) if q % 2 else f"N{q}: {pool[rng.randrange(len(pool))]}")
        old: list[float] = []
        new: list[float] = []
        for query in queries:
            start = time.perf_counter()
            expected = every_title(index, query)
            old.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            found = index._near(norm_title(query))
            new.append((time.perf_counter() - start) * 1000)
            assert {id(k) for k in found} == {id(k) for k in expected}, query
        print(
            f"{size:>7} entries: every title median {statistics.median(old):8.2f} ms p99 {pct(old, 0.99):8.2f}"
            f" | rarer words median {statistics.median(new):7.2f} ms p99 {pct(new, 0.99):7.2f}"
            f" | index built in {built:.2f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
