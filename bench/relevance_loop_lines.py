"""Which line should a model retrained on moderators' decisions keep? (issue 18, the loop)

    python bench/relevance_loop_lines.py [--decision-weight 3] [--implicit] [--as-day] [--last 8 --decided 4]

The 8 latest training days (never a frozen one): a starting model trained without them polls the
first 4; moderators decide every flagged paper plus one just below the line by the true label (as
``bot.relevance.guard.simulate_days`` does); one retrain on the training part plus those decisions;
both models judged on the last 4 days, with the retrained model's own line, with the starting
model's line kept, and with a line flagging as many papers on the first 4 days as the starting model
did. ``--implicit`` adds every undecided paper of the first 4 days as a negative (what a poll saw
below the line), ``--as-day`` makes those 4 days training days (so the line is chosen on them too).
``--last N --decided K``: the N latest training days, the first K of them decided (default 8 and 4).
Training uses one L2 value and 3 folds, as the replay does (about 20-30 s a model here).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.relevance.corpus import Item, frozen_test, load_corpus  # noqa: E402
from bot.relevance.days import average_precision  # noqa: E402
from bot.relevance.guard import _explore  # noqa: E402
from bot.relevance.model import RelevanceModel  # noqa: E402
from bot.relevance.train import TrainConfig, train_model  # noqa: E402


def _decisions(model: RelevanceModel, by_day: dict[str, list[Item]], days: list[str], args) -> list[Item]:
    out: list[Item] = []
    for day in days:
        items = by_day[day]
        flagged = [i for i in items if model.score(i.title, i.abstract, i.categories, reasons=0).relevant]
        chosen = flagged + _explore(model, [i for i in items if i not in flagged], 1)
        for item in chosen:
            status = "approved" if item.label else "rejected"
            out.append(
                replace(
                    item,
                    slice=day if args.as_day else "",
                    source=f"decision:{status}",
                    borderline=item.borderline and item.label == 1,
                )
            )
        if args.implicit:
            decided = {i.id for i in chosen}
            out += [
                replace(i, label=0, borderline=False, slice=day if args.as_day else "", source="seen:below")
                for i in items
                if i.id not in decided
            ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decision-weight", type=float, default=TrainConfig().decision_weight)
    parser.add_argument("--implicit", action="store_true")
    parser.add_argument("--as-day", action="store_true")
    parser.add_argument("--last", type=int, default=8, help="the N latest training days")
    parser.add_argument("--decided", type=int, default=4, help="the first K of them decided")
    args = parser.parse_args(argv)
    if not 0 < args.decided < args.last:
        parser.error("--decided must be between 1 and --last - 1")
    corpus = load_corpus(None)
    days = [i for i in corpus if i.slice.startswith("day:") and not frozen_test(i)]
    keep = sorted({i.slice for i in days})[-args.last :]
    by_day = {d: sorted((i for i in days if i.slice == d), key=lambda i: i.id) for d in keep}
    replayed = {i.id for v in by_day.values() for i in v}
    base = [i for i in corpus if i.id not in replayed and not frozen_test(i)]
    cfg = TrainConfig(l2_grid=(0.01,), folds=3, decision_weight=args.decision_weight)
    start = train_model(base, cfg=cfg, version="start")
    first, later = keep[: args.decided], keep[args.decided :]
    decisions = _decisions(start, by_day, first, args)
    decided_ids = {d.id for d in decisions}
    retrained = train_model(
        [i for i in base if i.id not in decided_ids] + decisions, cfg=cfg, version="retrained"
    )
    late = [i for d in later for i in by_day[d]]
    early = [i for d in first for i in by_day[d]]
    y = np.array([i.label for i in late])
    core = np.array([i.label == 1 and not i.borderline for i in late])

    def scores(model: RelevanceModel, items: list[Item]) -> tuple[np.ndarray, np.ndarray]:
        s = [model.score(i.title, i.abstract, i.categories, reasons=0) for i in items]
        return np.array([x.probability for x in s]), np.array([x.threshold for x in s])

    p_start, line_start = scores(start, late)
    p_new, line_new = scores(retrained, late)
    n_early = int((scores(start, early)[0] >= scores(start, early)[1]).sum())
    anchored = np.sort(scores(retrained, early)[0])[::-1][n_early - 1]
    print(
        f"decisions {sum(1 for d in decisions if d.source.startswith('decision:'))}, items added {len(decisions)}"
    )
    for name, flags in (
        ("starting model", p_start >= line_start),
        ("retrained, its own line", p_new >= line_new),
        ("retrained, the starting model's line", p_new >= line_start),
        (f"retrained, {n_early} flagged on the decided days", p_new >= anchored),
    ):
        print(
            f"{name:<40} flagged {int(flags.sum()):3d}  precision {y[flags].mean():.2f}  "
            f"recall c+b {flags[y == 1].mean():.2f}  core {flags[core].mean():.2f}"
        )
    for name, p in (("starting model", p_start), ("retrained", p_new)):
        print(
            f"{name}: pooled AP of the judged days {average_precision([bool(y[k]) for k in np.argsort(-p)]):.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
