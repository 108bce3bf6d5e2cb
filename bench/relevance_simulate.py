"""Simulate the moderators' feedback loop on the shipped corpus and print how the model changes.

    python bench/relevance_simulate.py [--every 50] [--poll-size 25] [--seed-share 0.4] [--json]
    python bench/relevance_simulate.py --days [DAYS.jsonl] [--every-days 2] [--explore 1] [--json]

``--days``: the loop replayed forward in time over whole days (``bot.relevance.guard.simulate_days``):
poll a day with the active model, moderators decide every paper above the line plus ``--explore``
just below it by the true label, retrain through the guard after every ``--every-days`` days.
Days come from a JSONL whose items have ``slice`` = ``day:YYYY-MM-DD`` (default: the corpus's own
whole days, then removed from the guard's frozen split). Per day: precision of what is flagged and
recall, for the starting model (before) and the model the loop had (after).

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

from bot.relevance.corpus import frozen_test, load_corpus  # noqa: E402
from bot.relevance.guard import simulate_days  # noqa: E402
from bot.relevance.simulate import simulate_feedback  # noqa: E402
from bot.relevance.train import TrainConfig  # noqa: E402


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def run_days(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.corpus)
    days = (
        load_corpus(args.days)
        if isinstance(args.days, Path)
        # the training days only: the frozen test days are never replayed (they judge in the guard)
        else [i for i in corpus if i.slice.startswith("day:") and not frozen_test(i)]
    )
    if args.last:
        keep = sorted({i.slice for i in days})[-args.last :]
        days = [i for i in days if i.slice in keep]
    start = time.perf_counter()
    result = simulate_days(
        corpus,
        days,
        every=args.every_days,
        explore=args.explore,
        cfg=TrainConfig(l2_grid=(0.01,), folds=3, decision_weight=args.decision_weight),
    )
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{len(result['days'])} whole days, {len(days)} papers; {time.perf_counter() - start:.0f} s")
    print(
        f"{'day':<15} {'papers':>6} {'pos':>4} {'decided':>7}  {'flagged':>11} {'precision':>11} {'recall':>11}"
    )
    for r in result["days"]:
        b, a = r["before"], r["after"]
        print(
            f"{r['day'][4:]:<15} {r['papers']:>6} {r['positives']:>4} {r['decided']:>7}  "
            f"{b['flagged']:>4} -> {a['flagged']:<4} {_fmt(b['precision']):>4} -> {_fmt(a['precision']):<4} "
            f"{_fmt(b['recall']):>4} -> {_fmt(a['recall']):<4}"
        )
    for t in result["retrains"]:
        print(f"retrain after {t['after_day'][4:]} ({t['decisions']} decisions): {t['reason']}")
    s = result["summary"]
    print(
        f"days after the first retrain ({s['days_after_first_retrain']}): precision of flagged "
        f"{_fmt(s['before']['precision'])} -> {_fmt(s['after']['precision'])}, recall "
        f"{_fmt(s['before']['recall'])} -> {_fmt(s['after']['recall'])} (before = never retrained)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--poll-size", type=int, default=25)
    parser.add_argument("--seed-share", type=float, default=0.4)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--days",
        nargs="?",
        const=True,
        type=Path,
        metavar="DAYS.jsonl",
        help="replay whole days forward in time (default: the corpus's own days)",
    )
    parser.add_argument("--every-days", type=int, default=2)
    parser.add_argument("--explore", type=int, default=1)
    parser.add_argument(
        "--decision-weight",
        type=float,
        default=TrainConfig().decision_weight,
        help="a decision against a corpus item",
    )
    parser.add_argument(
        "--last", type=int, default=0, metavar="N", help="replay only the N latest days (0: all)"
    )
    args = parser.parse_args(argv)
    if args.days is not None:
        return run_days(args)
    items = load_corpus(args.corpus)
    train = sorted(
        (i for i in items if not frozen_test(i)), key=lambda i: hashlib.sha256(i.id.encode()).digest()
    )
    test = [i for i in items if frozen_test(i)]
    cut = int(len(train) * args.seed_share)
    start = time.perf_counter()
    history = simulate_feedback(
        train[:cut],
        train[cut:],
        test,
        every=args.every,
        poll_size=args.poll_size,
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
