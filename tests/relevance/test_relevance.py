"""The learned relevance model: proposals, scoring and reasons, the corpus, training, the frozen split."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from bot.relevance.days import evaluate_days
from bot.relevance.model import RelevanceModel, features, score_paper, shipped_model
from bot.relevance.propose import propose_kind, propose_name
from bot.relevance.train import (
    TrainConfig,
    evaluate,
    frozen_days,
    frozen_test,
    load_corpus,
    shipped_days,
    train_model,
)

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "relevance-small.jsonl"
SEALED = Path(__file__).resolve().parents[3] / "shared" / "sealed" / "holdout-ids.sha256"
FAST = TrainConfig(l2_grid=(1e-2,), folds=3)

LLAMA = (
    "LLaMA: Open and Efficient Foundation Language Models",
    "We introduce LLaMA, a collection of foundation language models ranging from 7B to 65B parameters. "
    "We train our models on trillions of tokens, and show that it is possible to train state-of-the-art "
    "models using publicly available datasets exclusively. We release all our models to the research "
    "community.",
)
USES_CHATGPT = (
    "Can ChatGPT Grade Essays? An Evaluation of Large Language Models for Automated Scoring",
    "We evaluate ChatGPT and GPT-4 on three essay scoring benchmarks with zero-shot and few-shot "
    "prompting, and find that prompt design matters more than model size.",
)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale", "XLS-R"),
        (
            "BioBERT: a pre-trained biomedical language representation model for biomedical text mining",
            "BioBERT",
        ),
        ("ZEN 2.0: Continue Training and Adaption for N-gram Enhanced Text Encoders", "ZEN 2.0"),
        ("AMMU -- A Survey of Transformer-based Biomedical Pretrained Language Models", "AMMU"),
        (
            "Unsupervised Pretraining for Sequence to Sequence Learning",
            "Unsupervised Pretraining for Sequence to Sequence",
        ),
        ("A Survey of Large Language Models", "Large Language Models"),  # no "A Survey of"
        ("  Memory   Transformer ", "Memory Transformer"),
    ],
)
def test_propose_name(title: str, name: str) -> None:
    assert propose_name(title) == name


@pytest.mark.parametrize(
    ("title", "abstract", "kind"),
    [
        ("A Survey of Large Language Models", "", "survey"),
        ("Pre-trained Models for Natural Language Processing: A Survey", "", "survey"),
        ("BERT: Pre-training of Deep Bidirectional Transformers", "", "model"),
        ("Foundation models in vision", "This paper surveys foundation models for vision.", "survey"),
    ],
)
def test_propose_kind(title: str, abstract: str, kind: str) -> None:
    assert propose_kind(title, abstract) == kind


def test_model_paper_scores_high_with_signed_named_reasons() -> None:
    rel = score_paper(*LLAMA, ["cs.CL"])
    assert rel.relevant and rel.score > 0.5
    assert rel.model_version == shipped_model().version
    assert rel.name == "LLaMA" and rel.kind == "model"
    assert 1 <= len(rel.reasons) <= 5
    assert any(r.startswith('model family "LLaMA" in title +') for r in rel.reasons), rel.reasons
    # Every reason ends with its signed weight; the strongest comes first.
    weights = [float(r.rsplit(" ", 1)[1]) for r in rel.reasons]
    assert all(r.rsplit(" ", 1)[1][0] in "+-" for r in rel.reasons)
    assert [abs(w) for w in weights] == sorted((abs(w) for w in weights), reverse=True)


def test_paper_that_evaluates_chatgpt_is_not_suggested_and_says_why() -> None:
    rel = score_paper(*USES_CHATGPT, ["cs.CL"])
    assert not rel.relevant
    assert any(float(r.rsplit(" ", 1)[1]) < 0 for r in rel.reasons), rel.reasons


def test_title_only_papers_use_the_title_model_and_its_threshold() -> None:
    model = shipped_model()
    with_abstract = score_paper(*LLAMA)
    title_only = score_paper(LLAMA[0])
    assert title_only.threshold == model.title_only.threshold != model.with_abstract.threshold
    assert with_abstract.threshold == model.with_abstract.threshold
    assert title_only.reasons[-1] == "title only: scored by the title model"


def test_threshold_override_from_config() -> None:
    rel = score_paper(*USES_CHATGPT, threshold=0.0)
    assert rel.threshold == 0.0 and rel.relevant


def test_shipped_corpus_size_provenance_and_no_sealed_paper() -> None:
    items = load_corpus()
    assert len(items) >= 3000
    assert sum(i.label for i in items) >= 500
    assert sum(1 for i in items if i.abstract) >= len(items) / 2
    assert len({i.id for i in items}) == len(items)
    assert all(i.source for i in items)
    assert {i.slice for i in items if i.slice} >= {"day:2023-10-25", "day:2024-02-21", "day:2026-08-21"}
    if not SEALED.exists():
        pytest.skip("the sealed id list is not next to this clone")
    sealed = set(SEALED.read_text().split())
    assert not [i.id for i in items if hashlib.sha256(i.id.encode()).hexdigest() in sealed]


def test_frozen_split_is_whole_days_and_a_fifth_of_the_rest() -> None:
    items = load_corpus()
    days: dict[str, set[bool]] = {}
    for i in items:
        if i.split:
            days.setdefault(i.slice, set()).add(frozen_test(i))
    # A day is never cut in two, at least 8 whole days are frozen, and training days exist too.
    assert all(len(v) == 1 for v in days.values())
    frozen = [d for d, v in days.items() if v == {True}]
    assert len(frozen) >= 8 and len(days) - len(frozen) >= 15
    assert {d.split(":")[2] for d in frozen} >= {"cs.CL", "cs.CV", "cs.LG", "cs.AI"}
    assert frozen_days() and {i.slice for i in frozen_days()} == set(frozen)
    # The first corpus's three days (the repo's own selection of papers) are training days now.
    assert not any(frozen_test(i) for i in items if i.slice in {"day:2023-10-25", "day:2024-02-21"})
    rest = [i for i in items if not i.slice]
    share = sum(frozen_test(i) for i in rest) / len(rest)
    assert 0.15 < share < 0.25


def test_shipped_days_are_whole_labelled_days_with_provenance() -> None:
    days = shipped_days()
    assert len({i.slice for i in days}) >= 25 and len(days) >= 2500
    assert all(i.source.startswith("github:") and "@" in i.source for i in days)
    for day in {i.slice for i in days}:  # a paper is listed once a day (but in each of its categories)
        ids = [i.id for i in days if i.slice == day]
        assert len(set(ids)) == len(ids)
    # No paper of a frozen day is trained on, even when another day or the corpus also holds it.
    frozen_ids = {i.id for i in frozen_days()}
    corpus = load_corpus()
    assert len({i.id for i in corpus}) == len(corpus)
    assert not [i for i in corpus if i.id in frozen_ids and not frozen_test(i)]
    for i in days:
        assert i.label in (0, 1) and i.abstract and i.title


@pytest.mark.slow
def test_shipped_model_figures_are_its_own_on_the_frozen_split() -> None:
    """The figures stored in the model file are reproduced from the frozen split, and hold floors."""
    model = shipped_model()
    test = [i for i in load_corpus() if frozen_test(i) and not i.slice]
    figures = evaluate(model, test)
    for name in ("abstract", "title_only"):
        assert figures[name] == model.metrics[name]
    assert figures["abstract"]["recall"] >= 0.9
    assert figures["abstract"]["fpr_clear"] <= 0.08
    days = evaluate_days(model, frozen_days())
    assert json.loads(json.dumps(days["pooled"])) == model.metrics["frozen_days"]
    assert days["pooled"]["recall_core"] >= 0.85
    # Calibration: in each well-filled bin the observed rate is near the mean score.
    for row in figures["reliability"]:
        if row["n"] >= 40:
            assert abs(row["mean_score"] - row["positive_rate"]) < 0.12, row


@pytest.mark.slow
def test_training_is_deterministic_and_never_sees_the_frozen_split() -> None:
    items = load_corpus(SMALL)
    train = [i for i in items if not frozen_test(i)]
    a = train_model(train, cfg=FAST, version="v")
    b = train_model(list(reversed(train)), cfg=FAST, version="v")
    assert a.dumps() == b.dumps()
    # A feature that occurs only in frozen-test items can never get a weight.
    seen = {f for i in train for f in features(i.title, i.abstract, i.categories)}
    unseen = {f for i in items if frozen_test(i) for f in features(i.title, i.abstract, i.categories)} - seen
    assert len(unseen) > 100
    assert not unseen & (set(a.title_only.weights) | set(a.with_abstract.weights))


def test_model_file_round_trips_and_refuses_other_formats() -> None:
    model = shipped_model()
    again = RelevanceModel.loads(model.dumps())
    assert again.score(*LLAMA).probability == model.score(*LLAMA).probability
    data = json.loads(model.dumps())
    data["cues"] = "something-else"
    with pytest.raises(ValueError, match="cue table"):
        RelevanceModel.from_json(data)


def test_shipped_model_file_is_gzip_json() -> None:
    path = Path(__file__).resolve().parents[2] / "bot" / "relevance" / "data" / "relevance-model.json.gz"
    data = json.loads(gzip.decompress(path.read_bytes()))
    assert data["format"] == 2 and data["with_abstract"]["weights"]
