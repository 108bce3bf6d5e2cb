"""Simulate the moderators' feedback loop on the shipped corpus and print how the model changes.

    python bench/relevance_simulate.py [--every 50] [--poll-size 25] [--seed-share 0.4] [--json]

The training part of the corpus is ordered by a hash of the id (a stand-in for arrival order) and
split: the first ``--seed-share`` is what the first model is trained on, the rest arrives as polls
of ``--poll-size`` papers. Moderators decide every suggested paper (their decision is the corpus
label) plus one exploration paper per poll; the model is retrained every ``--every`` decisions on
the seed plus all decisions. Figures are on the frozen test split, which nothing here trains on.
Training uses a single L2 value and 3 folds (``TrainConfig(l2_grid=(0.01,), folds=3)``) so the
run takes minutes, not an hour.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.relevance.train import TrainConfig, frozen_test, load_corpus, simulate_feedback  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--poll-size", type=int, default=25)
    parser.add_argument("--seed-share", type=float, default=0.4)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    items = load_corpus(args.corpus)
    train = sorted((i for i in items if not frozen_test(i)), key=lambda i: hashlib.sha256(i.id.encode()).digest())
    test = [i for i in items if frozen_test(i)]
    cut = int(len(train) * args.seed_share)
    start = time.perf_counter()
    history = simulate_feedback(
        train[:cut], train[cut:], test, every=args.every, poll_size=args.poll_size,
        cfg=TrainConfig(l2_grid=(0.01,), folds=3),
    )
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps({"seed": cut, "stream": len(train) - cut, "test": len(test), "history": history}))
        return 0
    print(f"seed {cut} papers, stream {len(train) - cut}, frozen test {len(test)}; {elapsed:.0f} s")
    print(f"{'decisions':>9}  {'slice':<10} {'recall':>7} {'fpr':>7} {'border':>7} {'prec':>7}")
    for row in history:
        for name in ("abstract", "title_only", "days"):
            s = row.get(name)
            if s:
                print(
                    f"{row['decisions']:>9}  {name:<10} {s['recall']!s:>7} {s['fpr_clear']!s:>7} "
                    f"{s['borderline_flag_rate']!s:>7} {s['precision']!s:>7}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
