"""Relevance by whole day: the metrics (bot.relevance.days) and ``ptm-bot relevance eval``.

Fixture: two real whole speech days, copied unchanged from the shipped day corpus
(``bot/relevance/data/days/cs.SD+eess.AS-2025-05-09.jsonl.gz`` and ``...-2025-06-25.jsonl.gz``; each
paper's ``source`` names its archive ``github:owner/repo@commit:path``; labels and provenance in
``bot/relevance/data/days/SOURCES.md``).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.relevance.days import DEFAULT_CARD_MIN_SCORE, evaluate_days, load_days, wilson
from bot.relevance.model import shipped_model
from bot.relevance.train import frozen_days

DAYS = Path(__file__).resolve().parents[1] / "fixtures" / "days"


@dataclass(frozen=True)
class _Paper:
    id: str
    label: int
    borderline: bool
    slice: str = "day:2026-01-01:cs.CL"
    title: str = ""
    abstract: str = "x"
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class _S:
    probability: float
    threshold: float
    reasons: tuple[str, ...] = ()


class _Fixed:
    """A scorer whose score is the paper's id read as a number: the arithmetic can be checked by hand."""

    def score(self, title: str, abstract: str = "", categories=(), *, reasons: int = 5) -> _S:
        return _S(float(title), 0.5)


def test_day_metrics_by_hand() -> None:
    # Ranked: 0.9 core, 0.8 no, 0.7 borderline-core, 0.6 no | line 0.5 | 0.4 core, 0.1 no
    papers = [
        _Paper("a", 1, False, title="0.9"),
        _Paper("b", 0, True, title="0.8"),
        _Paper("c", 1, True, title="0.7"),
        _Paper("d", 0, False, title="0.6"),
        _Paper("e", 1, False, title="0.4"),
        _Paper("f", 0, False, title="0.1"),
    ]
    r = evaluate_days(_Fixed(), papers, cards=2)
    day = r["days"]["day:2026-01-01:cs.CL"]
    assert (day["flagged"], day["flagged_right"], day["precision"]) == (4, 2, 0.5)
    assert (day["cards"], day["cards_right"], day["card_precision"]) == (2, 1, 0.5)
    assert (day["core"], day["borderline_core"], day["recall_core"]) == (2, 1, 0.5)
    assert day["recall_core_borderline"] == round(2 / 3, 4)
    assert day["average_precision"] == round((1 / 1 + 2 / 3 + 3 / 5) / 3, 4)
    assert [m["id"] for m in r["mistakes"]["false_alarms"]] == ["b", "d"]
    assert [m["id"] for m in r["mistakes"]["missed"]] == ["e"]
    # A line given by the caller replaces the model's.
    assert evaluate_days(_Fixed(), papers, threshold=0.95)["pooled"]["flagged"] == 0
    # A card needs review.card_min_score: at 0.85 only the 0.9 paper is a card (budget 2 unspent).
    day = evaluate_days(_Fixed(), papers, cards=2, card_min_score=0.85)["days"]["day:2026-01-01:cs.CL"]
    assert (day["flagged"], day["cards"], day["cards_right"], day["card_precision"]) == (4, 1, 1, 1.0)


def test_wilson_interval() -> None:
    assert wilson(0, 0) is None
    lo, hi = wilson(8, 10)  # type: ignore[misc]
    assert 0.44 < lo < 0.8 < hi < 0.98


def test_relevance_eval_json_on_real_days(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["relevance", "eval", "--days", str(DAYS), "--cards", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    items = load_days(DAYS)
    assert set(out["days"]) == {i.slice for i in items} and out["cards"] == 3
    model = shipped_model()
    for day, d in out["days"].items():
        papers = [i for i in items if i.slice == day]
        scored = [(i, model.score(i.title, i.abstract, i.categories)) for i in papers]
        flagged = [i for i, s in scored if s.relevant]
        assert d["n"] == len(papers) and d["flagged"] == len(flagged)
        assert d["flagged_right"] == sum(i.label for i in flagged)
        assert d["core"] == sum(1 for i in papers if i.label == 1 and not i.borderline)
        worth = [i for i, s in scored if s.relevant and s.probability >= DEFAULT_CARD_MIN_SCORE]
        assert d["cards"] == min(3, len(worth))
    assert out["pooled"]["n"] == len(items) == 29


@pytest.mark.slow
def test_relevance_eval_defaults_to_the_frozen_days(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["relevance", "eval", "--mistakes", "2"]) == 0
    text = capsys.readouterr().out
    days = {i.slice for i in frozen_days()}
    assert len(days) >= 8
    for day in days:
        assert day.removeprefix("day:") in text
    assert "all days (pooled)" in text and "recall of core" in text and "worst false alarms" in text


def test_relevance_eval_bad_input_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["relevance", "eval", "--days", str(tmp_path / "nowhere")]) != 0
    err = capsys.readouterr().err
    assert "cannot read the days" in err and "Traceback" not in err
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(gzip.compress(b'{"id": "1", "title": "t"}\n'))
    assert main(["relevance", "eval", "--days", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "bad.jsonl.gz line 1" in err and "Traceback" not in err
    (tmp_path / "bad.jsonl.gz").unlink()
    assert main(["relevance", "eval", "--days", str(tmp_path)]) != 0
    assert "no .jsonl" in capsys.readouterr().err
