"""Pure name matching and family stems."""

from __future__ import annotations

import pytest

from bot.catalog.matching import Candidate, Tier, family_stem, rank, same_family

CANDS = [
    Candidate(1, "Nyströmformer", "model"),
    Candidate(2, "DeBERTa", "model"),
    Candidate(3, "DeBERTa-v2", "model"),
    Candidate(4, "Vision Transformer (ViT)", "model", ("ViT", "Vision Transformer")),
    Candidate(5, "ViTMAE", "model"),
    Candidate(6, "Wav2Vec2", "model", ("wav2vec 2.0",)),
    Candidate(7, "Transformer", "resource"),
    Candidate(8, "Transformer-XL", "model"),
    Candidate(9, "Transformer-XL", "resource"),
]


@pytest.mark.parametrize(
    ("query", "first", "tier"),
    [
        ("nystromformer", "Nyströmformer", Tier.EXACT_NAME),
        ("NYSTRÖM-FORMER", "Nyströmformer", Tier.EXACT_NAME),
        ("deberta v2", "DeBERTa-v2", Tier.EXACT_NAME),
        ("vit", "Vision Transformer (ViT)", Tier.EXACT_ALIAS),
        ("wav2vec 2.0", "Wav2Vec2", Tier.EXACT_ALIAS),
        ("deb", "DeBERTa", Tier.PREFIX),
        ("transformer xl", "Transformer-XL", Tier.EXACT_NAME),
    ],
)
def test_rank_first(query, first, tier):
    best = rank(query, CANDS)[0]
    assert (best.candidate.name, best.tier) == (first, tier)


def test_models_before_resources_in_a_tier():
    names = [(m.candidate.name, m.candidate.kind) for m in rank("transformer-xl", CANDS)]
    assert names[:2] == [("Transformer-XL", "model"), ("Transformer-XL", "resource")]


def test_exact_before_prefix_before_substring():
    names = [m.candidate.name for m in rank("vit", CANDS)]
    assert names[:2] == ["Vision Transformer (ViT)", "ViTMAE"]


def test_fuzzy_only_when_asked():
    assert rank("nystomformer", CANDS) == []
    best = rank("nystomformer", CANDS, fuzzy=True)[0]
    assert (best.candidate.name, best.tier) == ("Nyströmformer", Tier.FUZZY)
    assert rank("zzzz", CANDS, fuzzy=True) == []


def test_empty_query():
    assert rank("  -- ", CANDS) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("DeBERTa", "DeBERTa-v2"),
        ("MBart", "MBart-50"),
        ("Wav2Vec2", "Wav2Vec2Phoneme"),
        ("Wav2Vec2", "XLSR-Wav2Vec2"),
        ("SEW", "SEW-D"),
        ("UniSpeech", "UniSpeechSat"),
        ("LayoutLM", "LayoutLMv2"),
        ("T5", "MT5"),
        ("T5", "T5v1.1"),
        ("RoBERTa", "XLM-RoBERTa-XL"),
        ("GPT", "GPT-2"),
    ],
)
def test_same_family(a, b):
    assert same_family(a, b)


@pytest.mark.parametrize(
    ("a", "b"), [("BERT", "ALBERT"), ("BERT", "BERTweet"), ("LED", "Longformer"), ("BART", "BARThez")]
)
def test_not_same_family(a, b):
    assert not same_family(a, b)


def test_family_stem_keeps_short_names():
    assert family_stem("LED") == "led"
    assert family_stem("T5") == "t5"
