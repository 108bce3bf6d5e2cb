"""Evaluate the relevance model on the frozen whole days and the frozen test split, per slice, and time it.

    python bench/relevance_eval.py [--model FILE] [--days DIR] [--cards N] [--corpus JSONL] [--mistakes N]
                                   [--json] [--timing]

First, per frozen whole day (``bot.relevance.train.frozen_days``, or the labelled days in ``--days``),
what a moderator meets: papers, core and borderline-core papers, flagged and the precision of them,
precision of the best ``--cards`` (the review budget), recall of core and of core+borderline, average
precision of the day's ranking, pooled with 95% intervals (:mod:`bot.relevance.days`). Then the
sealed-style slices below.

Figures per slice of the frozen test split (``bot.relevance.train.frozen_test``: the whole-day
slices and a hash-chosen fifth of the rest, never used for training, thresholds or hyper-parameters):
recall on label-1 papers, false-positive rate on clear negatives (label 0, not borderline), the flag
rate on borderline negatives (papers that use or evaluate PTMs), precision of what is flagged, and
precision at a realistic base rate (2% and 5% core papers in a day's listing). Also the reliability
(calibration) table and the worst mistakes. ``--timing`` scores 2,000 corpus papers 7 times and
prints the median and p99 of the whole batch.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.present.relevance import metrics_lines  # noqa: E402
from bot.relevance.corpus import frozen_days, frozen_test, load_corpus  # noqa: E402
from bot.relevance.days import DEFAULT_CARD_MIN_SCORE, DEFAULT_CARDS, day_lines, evaluate_days, load_days  # noqa: E402
from bot.relevance.evaluate import evaluate  # noqa: E402
from bot.relevance.model import RelevanceModel, shipped_model  # noqa: E402


def _load_model(path: Path | None) -> RelevanceModel:
    return shipped_model() if path is None else RelevanceModel.from_bytes(path.read_bytes())


def mistakes(model: RelevanceModel, items: list, n: int) -> dict[str, list[dict[str, object]]]:
    """The most confident misses (label 1 scored lowest) and false alarms (label 0 scored highest)."""
    scored = [(i, model.score(i.title, i.abstract, i.categories)) for i in items]
    misses = sorted(
        (x for x in scored if x[0].label == 1 and not x[1].relevant), key=lambda x: x[1].probability
    )
    alarms = sorted((x for x in scored if x[0].label == 0 and x[1].relevant), key=lambda x: -x[1].probability)

    def row(x: tuple) -> dict[str, object]:
        item, s = x
        return {
            "id": item.id,
            "title": item.title,
            "borderline": item.borderline,
            "slice": item.slice or ("abstract" if item.abstract else "title_only"),
            "score": round(s.probability, 3),
            "reasons": list(s.reasons[:3]),
        }

    return {"missed": [row(x) for x in misses[:n]], "false_alarms": [row(x) for x in alarms[:n]]}


def timing(model: RelevanceModel, items: list, runs: int = 7) -> dict[str, float]:
    batch = (items * (2000 // max(1, len(items)) + 1))[:2000]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for i in batch:
            model.score(i.title, i.abstract, i.categories)
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        "papers": len(batch),
        "median_s": round(statistics.median(times), 4),
        "p99_s": round(times[min(len(times) - 1, int(0.99 * len(times)))], 4),
        "per_paper_ms": round(1000 * statistics.median(times) / len(batch), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a model file (default: the shipped model)")
    parser.add_argument("--corpus", type=Path, help="a labelled corpus (default: the shipped one)")
    parser.add_argument("--mistakes", type=int, default=8, metavar="N", help="worst mistakes to list")
    parser.add_argument("--timing", action="store_true", help="also time scoring 2,000 papers")
    parser.add_argument("--days", type=Path, help="labelled day files (default: the frozen test days)")
    parser.add_argument("--cards", type=int, default=DEFAULT_CARDS, help="cards per poll (default 8)")
    parser.add_argument(
        "--card-min-score",
        type=float,
        default=DEFAULT_CARD_MIN_SCORE,
        help=f"a card needs at least this score (review.card_min_score; default {DEFAULT_CARD_MIN_SCORE})",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    model = _load_model(args.model)
    items = load_corpus(args.corpus)
    test = [i for i in items if frozen_test(i) and not i.slice.startswith("day:")]
    days = frozen_days() if args.days is None else load_days(args.days)
    out: dict[str, object] = {
        "model": model.version,
        "days": evaluate_days(
            model, days, cards=args.cards, mistakes=args.mistakes, card_min_score=args.card_min_score
        ),
        "test_items": len(test),
        "metrics": evaluate(model, test),
        "mistakes": mistakes(model, test, args.mistakes),
    }
    if args.timing:
        out["timing"] = timing(model, [i for i in items if i.abstract])
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    metrics = out["metrics"]
    print(f"model {model.version}, {len(out['days']['days'])} frozen whole days, {len(days)} papers:")  # type: ignore[index]
    for line in day_lines(out["days"]):  # type: ignore[arg-type]
        print("  " + line)
    for kind, rows in out["days"]["mistakes"].items():  # type: ignore[index]
        print(f"  worst {kind.replace('_', ' ')} on the days:")
        for r in rows:
            print(f"    {r['score']:.3f} {r['grade']:<10} {r['id']} {r['title'][:80]}")
    print(f"frozen test split (not days): {len(test)} papers")
    for line in metrics_lines(metrics):  # type: ignore[arg-type]
        print("  " + line)
    ab = metrics.get("abstract", {})  # type: ignore[union-attr]
    print(
        f"  precision at a 2% / 5% base rate (abstract slice's rates): {ab.get('precision_at_2pct')} / "
        f"{ab.get('precision_at_5pct')}"
    )
    print("reliability (all non-day test papers):")
    for row in metrics["reliability"]:  # type: ignore[index]
        print(
            f"  {row['bin']}: n={row['n']:4d} mean score={row['mean_score']} observed={row['positive_rate']}"
        )
    for kind, rows in out["mistakes"].items():  # type: ignore[union-attr]
        print(f"worst {kind.replace('_', ' ')}:")
        for r in rows:
            print(f"  {r['score']:.3f} [{r['slice']}] {r['id']} {r['title'][:90]}")
    if "timing" in out:
        t = out["timing"]
        print(f"scoring {t['papers']} papers: median {t['median_s']} s, p99 {t['p99_s']} s")  # type: ignore[index]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
