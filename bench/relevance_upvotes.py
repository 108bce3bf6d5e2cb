"""Do Hugging Face Daily Papers upvotes help the relevance model rank a day? (issue 22: "the upvote
count a feature of the score"; also the nearest real stand-in for members' votes.)

    python bench/relevance_upvotes.py [--json]

Data: ``bench/data/daily-papers-upvotes.jsonl``, the papers of the 40 labelled whole days that
archived Daily Papers listings show within four days of the day (sources and coverage in
``bench/data/DAILY-PAPERS-SOURCES.md``; a paper found in none is taken as "not listed").

1. **The choice, on the training days only**: out-of-fold scores of the shipped design (the same
   whole-day folds as training), calibrated with the shipped model's Platt fit, then a shift
   ``b * listed + c * ln(1 + upvotes)`` fitted on the other folds' days and applied to the held-out
   fold. Reported beside the plain scores: mean day average precision and, at the line keeping core
   recall 0.9, precision, recall and flagged a day. Also on the days whose listings are known from a
   late snapshot (the others rest on an early-morning one that holds about half the final list).
2. **Report only, after the choice**: the shift fitted on every training day, applied to the shipped
   model's scores of the frozen days, at the model's own line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from relevance_cv import _at_recall  # noqa: E402

from bot.relevance import train as t  # noqa: E402
from bot.relevance.model import shipped_model  # noqa: E402

DATA = ROOT / "bench" / "data" / "daily-papers-upvotes.jsonl"
# Days whose window a late snapshot covers (l-yohai/daily_papers_ko, Senmo996/hugginggface_daily_paper).
LATE = frozenset(
    "cs.CL-2024-12-20 cs.AI-2024-12-23 cs.CL-2024-12-25 cs.AI-2025-01-08 cs.CL-2025-02-21 "
    "cs.CL-2025-03-12 cs.CL-2025-03-21 cs.AI-2025-04-07 cs.CV-2025-04-23 cs.CV-2025-04-29 "
    "cs.LG-2025-05-02 cs.LG-2025-05-06 cs.SD+eess.AS-2025-05-09 cs.CL-2026-05-01 cs.CL-2026-05-08".split()
)
VARIANTS = {
    "listed": (True, False),
    "listed + ln(1 + upvotes)": (True, True),
    "ln(1 + upvotes)": (False, True),
}


def day_key(item: t.Item) -> str | None:
    parts = item.slice.split(":")
    return f"{parts[2]}-{parts[1]}" if len(parts) == 3 and parts[0] == "day" else None


def listed_upvotes() -> dict[tuple[str, str], int]:
    """(arXiv id, day) -> upvotes, for the papers listed within their day's window."""
    out: dict[tuple[str, str], int] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for day, inside in row["in_window"].items():
            if inside:
                out[(row["arxiv_id"], day)] = int(row["upvotes"])
    return out


def design(
    items: list[t.Item], upvotes: dict[tuple[str, str], int], variant: tuple[bool, bool]
) -> np.ndarray:
    listed = [(i.id, day_key(i) or "") in upvotes for i in items]
    counts = [upvotes.get((i.id, day_key(i) or ""), 0) for i in items]
    cols = []
    if variant[0]:
        cols.append(np.array(listed, dtype=float))
    if variant[1]:
        cols.append(np.log1p(np.array(counts, dtype=float)))
    return np.stack(cols, axis=1)


def fit_shift(z: np.ndarray, x: np.ndarray, y: np.ndarray, l2: float = 0.1) -> np.ndarray:
    """Coefficients of *x* in a logistic regression with *z* as a fixed offset (Newton, a small L2)."""
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(z + x @ w)))
        grad = x.T @ (p - y) + l2 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w


def summary(name: str, z: np.ndarray, items: list[t.Item]) -> dict[str, object]:
    return {
        "variant": name,
        "days": len({i.slice for i in items}),
        "papers": len(items),
        "mean_day_ap": round(t._mean_day_ap(z, items), 3),
        "at_core_recall_0.90": _at_recall(z, items, 0.90),
    }


def training_days(upvotes: dict[tuple[str, str], int]) -> list[dict[str, object]]:
    items = sorted((i for i in t.load_corpus() if not t.frozen_test(i) and i.abstract), key=lambda i: i.id)
    ws = shipped_model().with_abstract
    z_all = ws.calib_a * t._oof(items, 3e-3, t.TrainConfig(), 1e-3) + ws.calib_b
    keep = [k for k, i in enumerate(items) if day_key(i) is not None and i.split]
    days = [items[k] for k in keep]
    z = z_all[keep]
    y = np.array([i.label for i in days], dtype=float)
    folds = np.array([t._fold(i, t.TrainConfig().folds) for i in days])
    late = np.array([day_key(i) in LATE for i in days])
    rows = [
        summary("plain (shipped)", z, days),
        summary("plain, late-snapshot days", z[late], _pick(days, late)),
    ]
    for name, variant in VARIANTS.items():
        x = design(days, upvotes, variant)
        for label, mask in (("", np.ones(len(days), bool)), (", late-snapshot days", late)):
            moved = z.copy()
            for k in sorted(set(folds)):
                fit = (folds != k) & mask
                moved[folds == k] += x[folds == k] @ fit_shift(z[fit], x[fit], y[fit])
            rows.append(summary(name + label, moved[mask], _pick(days, mask)))
            print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def _pick(items: list[t.Item], mask: np.ndarray) -> list[t.Item]:
    return [i for i, m in zip(items, mask, strict=True) if m]


def frozen_days(upvotes: dict[tuple[str, str], int]) -> list[dict[str, object]]:
    """The shift fitted on every training day, applied to the frozen days at the model's own line."""
    model = shipped_model()
    ws = model.with_abstract
    train = sorted((i for i in t.load_corpus() if not t.frozen_test(i) and i.abstract), key=lambda i: i.id)
    z_train = ws.calib_a * t._oof(train, 3e-3, t.TrainConfig(), 1e-3) + ws.calib_b
    keep = [k for k, i in enumerate(train) if day_key(i) is not None and i.split]
    days = [train[k] for k in keep]
    x_train = design(days, upvotes, (False, True))
    (c,) = fit_shift(z_train[keep], x_train, np.array([i.label for i in days], dtype=float))
    frozen = [i for i in t.load_corpus() if t.frozen_test(i) and day_key(i) is not None and i.split]
    p = np.array([model.score(i.title, i.abstract, i.categories).probability for i in frozen])
    line = np.array([model.score(i.title, i.abstract, i.categories).threshold for i in frozen])
    base = np.log(np.clip(p, 1e-6, 1 - 1e-6) / (1 - np.clip(p, 1e-6, 1 - 1e-6)))
    lines = np.log(line / (1 - line))
    rows = []
    for name, z in (
        ("plain (shipped)", base),
        (f"+ {c:.2f} * ln(1 + upvotes)", base + design(frozen, upvotes, (False, True))[:, 0] * c),
    ):
        rows.append({**summary(name, z, frozen), "at_the_line": _at_line(z >= lines, frozen)})
    return rows


def _at_line(flagged: np.ndarray, items: list[t.Item]) -> dict[str, object]:
    yes = np.array([i.label == 1 for i in items])
    core = np.array([i.label == 1 and not i.borderline for i in items])
    return {
        "flagged": int(flagged.sum()),
        "precision": round(float(yes[flagged].mean()), 3) if flagged.any() else None,
        "recall_core": f"{int((flagged & core).sum())}/{int(core.sum())}",
        "recall_core_borderline": round(float(flagged[yes].mean()), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    upvotes = listed_upvotes()
    result = {"training_days_out_of_fold": training_days(upvotes), "frozen_days": frozen_days(upvotes)}
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    for part, rows in result.items():
        print(part)
        for r in rows:
            b = r.get("at_the_line") or r["at_core_recall_0.90"]
            print(
                f"  {r['variant']:<44} days {r['days']:>2} papers {r['papers']:>5} day AP {r['mean_day_ap']} | {b}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
