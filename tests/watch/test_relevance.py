from __future__ import annotations

import pytest

from bot.watch.relevance import DEFAULT_THRESHOLD, Relevance, propose_kind, propose_name, score_paper
from support.relevance_set import load_items, metrics, score_items
from tests.plugins.feeds import FIXTURES

DEV = FIXTURES / "relevance-dev.jsonl"


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
        ("A Survey of Large Language Models", "Survey of Large Language Models"),
        ("  Memory   Transformer ", "Memory Transformer"),
    ],
)
def test_propose_name(title: str, name: str) -> None:
    assert propose_name(title) == name


def test_propose_name_ignores_long_text_before_colon() -> None:
    title = "When Cow Urine Cures Constipation on YouTube: Limits of LLMs"
    assert propose_name(title) != "When Cow Urine Cures Constipation on YouTube"
    assert len(propose_name(title).split()) <= 6


@pytest.mark.parametrize(
    ("title", "abstract", "kind"),
    [
        ("Pre-trained Models for Natural Language Processing: A Survey", "", "survey"),
        ("A Survey of Large Language Models", "", "survey"),
        ("A Primer on Pretrained Multilingual Language Models", "", "survey"),
        (
            "Recent Advances in Natural Language Processing via Large Pre-Trained Language Models",
            "",
            "survey",
        ),
        ("Foundation models in medicine", "This paper reviews foundation models for clinical use.", "survey"),
        ("BERTje: A Dutch BERT Model", "", "model"),
        (
            "A Survey on Optimal Transport",
            "We review optimal transport.",
            "survey",
        ),  # kind describes the paper
        ("Optimal Transport for Domain Adaptation", "We review prior work, then propose a solver.", "model"),
    ],
)
def test_propose_kind(title: str, abstract: str, kind: str) -> None:
    assert propose_kind(title, abstract) == kind
    assert score_paper(title, abstract).kind == kind


def test_reasons_name_the_matched_phrases() -> None:
    rel = score_paper(
        "XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale",
        "We pre-train XLS-R on 436K hours of speech and release the pretrained models.",
        ["cs.CL", "eess.AS"],
    )
    assert isinstance(rel, Relevance)
    assert rel.score >= DEFAULT_THRESHOLD
    assert rel.name == "XLS-R" and rel.kind == "model"
    text = " | ".join(rel.reasons)
    assert 'phrase "Self-supervised"' in text
    assert '"pre-train"' in text.lower() or '"we pre-train"' in text.lower()
    assert "category cs.CL" in text


def test_negative_cues_are_reasons_too() -> None:
    rel = score_paper(
        "Jailbreak Attacks on Chat Models via Prompting",
        "We evaluate how prompting bypasses safety. We fine-tune nothing; we benchmark eight LLMs.",
        ["cs.CL"],
    )
    assert rel.score < DEFAULT_THRESHOLD
    text = " | ".join(rel.reasons)
    assert 'negative cue "Jailbreak"' in text
    assert 'negative cue "Prompting"' in text


def test_known_catalog_name_is_a_reason() -> None:
    without = score_paper("Gopher scales further", "")
    with_name = score_paper("Gopher scales further", "", known_names={"Gopher"})
    assert with_name.score > without.score
    assert any('known model name "Gopher"' in r for r in with_name.reasons)


def test_far_categories_lower_the_score() -> None:
    title, abstract = "Einstein solvmanifolds", "We prove a theorem on Einstein manifolds."
    assert score_paper(title, abstract, ["math.DG"]).score < score_paper(title, abstract).score


@pytest.mark.parametrize(
    ("title", "abstract", "categories"),
    [
        ("", "", ()),
        ("BERT " * 200, "pre-train " * 500, ("cs.CL",)),
        ("On the regret of bandits", "We prove a lower bound. Theorem 1. " * 50, ("math.ST",)),
    ],
)
def test_score_in_unit_interval(title: str, abstract: str, categories: tuple[str, ...]) -> None:
    rel = score_paper(title, abstract, categories)
    assert 0.0 <= rel.score <= 1.0


def test_topics_is_a_tuple() -> None:
    # bot.topics is owned by another module; until it exists topics are empty.
    assert isinstance(score_paper("BioBERT: a biomedical language model").topics, tuple)


def test_dev_set_figures() -> None:
    items = load_items(DEV)
    scores = score_items(items)
    m = metrics(items, scores, DEFAULT_THRESHOLD)
    assert m["positives"] == 162 and m["clear_negatives"] == 107
    assert m["recall"] >= 0.95
    assert m["fpr_clear"] <= 0.05
    with_abstract = [k for k, i in enumerate(items) if i.abstract]
    ma = metrics([items[k] for k in with_abstract], [scores[k] for k in with_abstract], DEFAULT_THRESHOLD)
    assert ma["recall"] >= 0.95
    assert ma["fpr_clear"] <= 0.05


def test_llm_usage_paper_is_not_suggested_and_says_why() -> None:
    rel = score_paper(
        "Can LLMs Detect Health Misinformation on YouTube?",
        "We evaluate six large language models using GPT-4 as a judge in an LLM-assisted annotation study.",
        ["cs.CL"],
    )
    assert rel.score < DEFAULT_THRESHOLD
    text = " | ".join(rel.reasons)
    assert 'studies a model "Can"' in text
    assert 'evaluates models "We evaluate six large language models"' in text


def test_own_named_model_outweighs_a_bare_family_name() -> None:
    own = score_paper("FinBERT: A Pretrained Language Model for Financial Communications")
    uses = score_paper("Detecting Adverse Drug Reactions from Tweets using BERT")
    assert own.score >= DEFAULT_THRESHOLD > uses.score
    assert any('model family "FinBERT"' in r for r in own.reasons)
    assert any('uses a PTM "using BERT"' in r for r in uses.reasons)
