"""Model choices compared by cross-validation over the TRAINING days only (the frozen days are never read).

    python bench/relevance_cv.py [--json]

Every variant is trained 5 times, each time without one fold of whole days (and of the other training
papers), and scored on the held-out fold: out-of-fold scores for every training paper with an abstract.
Per variant, on the training days: mean average precision of a day's ranking, and at the line that
keeps out-of-fold recall of core papers at 0.95 / 0.9: precision of what is flagged, recall of core and
of core+borderline, and papers flagged a day. Variants: without the structure features (the shipped
model before issue 18), with them but without the interaction features, all features, and day papers
weighing 3x; each with the cue pull at the old 0.1 and at a weaker one.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.relevance import train as t  # noqa: E402

VARIANTS: dict[str, dict[str, object]] = {
    "words+cues (before)": {"drop_features": ("s:",)},
    "+structure, no interactions": {"drop_features": ("s:new&", "s:study&")},
    "+structure and interactions": {},
    "+structure, days weigh 3": {"drop_features": ("s:new&", "s:study&"), "day_weight": 3.0},
    "+structure and interactions, days weigh 3": {"day_weight": 3.0},
}


def _at_recall(z: np.ndarray, items: list[t.Item], target: float) -> dict[str, float | int | None]:
    core = np.array([i.label == 1 and not i.borderline for i in items])
    yes = np.array([i.label == 1 for i in items])
    line = t._threshold(z, core.astype(float), target)
    flagged = z >= line
    days = len({i.slice for i in items})
    return {
        "precision": round(float(yes[flagged].mean()), 3) if flagged.any() else None,
        "recall_core": round(float(flagged[core].mean()), 3) if core.any() else None,
        "recall_core_borderline": round(float(flagged[yes].mean()), 3) if yes.any() else None,
        "flagged_per_day": round(int(flagged.sum()) / days, 1),
    }


def run(l2: float, pulls: tuple[float, ...], only: list[str] | None = None) -> list[dict[str, object]]:
    items = sorted((i for i in t.load_corpus() if not t.frozen_test(i) and i.abstract), key=lambda i: i.id)
    day_mask = np.array([i.slice.startswith("day:") and bool(i.split) for i in items])
    day_items = [i for i, m in zip(items, day_mask, strict=True) if m]
    rows = []
    for name, overrides in VARIANTS.items():
        if only and name not in only:
            continue
        for pull in pulls:
            cfg = replace(t.TrainConfig(), **overrides)  # type: ignore[arg-type]
            z = t._oof(items, l2, cfg, pull)[day_mask]
            rows.append(
                {
                    "variant": name,
                    "cue_pull": pull,
                    "training_days": len({i.slice for i in day_items}),
                    "papers": len(day_items),
                    "mean_day_ap": round(t._mean_day_ap(z, day_items), 3),
                    "at_core_recall_0.95": _at_recall(z, day_items, 0.95),
                    "at_core_recall_0.90": _at_recall(z, day_items, 0.90),
                }
            )
            print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--l2", type=float, default=3e-3, help="n-gram penalty (default: the chosen 0.003)")
    parser.add_argument("--pulls", type=float, nargs="+", default=[0.1, 0.01], help="cue pulls to compare")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS), help="only these (repeatable)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = run(args.l2, tuple(args.pulls), args.variant)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(
        f"{'variant':<30} {'pull':>5} {'day AP':>6} | at core recall 0.95: prec R core R c+b /day | at 0.90: same"
    )
    for r in rows:
        a, b = r["at_core_recall_0.95"], r["at_core_recall_0.90"]
        print(
            f"{r['variant']:<30} {r['cue_pull']:>5} {r['mean_day_ap']:>6} | {a['precision']} {a['recall_core']} "
            f"{a['recall_core_borderline']} {a['flagged_per_day']} | {b['precision']} {b['recall_core']} "
            f"{b['recall_core_borderline']} {b['flagged_per_day']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
