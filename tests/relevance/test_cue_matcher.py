"""The fast cue search (``relevance._Pattern``, ``CueText``) finds exactly what the regexes find."""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from importlib import resources
from pathlib import Path

import pytest

from bot.relevance import cues as rel
from bot.watch.arxiv import parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
TWINS = "\u0130\u0131\u017f\u212a"

PATTERNS = [c.pattern for c in rel._CUES] + [rel._PTM_WORDS_RE, rel._SURVEY_RE, rel._SURVEY_OPENING_RE]


def _regex_search(pattern: rel._Pattern, text: str, end: int | None = None) -> str | None:
    m = pattern.regex.search(text[:end] if end is not None else text)
    return None if m is None else m.group(0)


def _corpus_texts() -> list[str]:
    data = resources.files("bot.relevance").joinpath("data", "relevance-corpus.jsonl.gz").read_bytes()
    texts = []
    for line in gzip.decompress(data).decode().splitlines():
        row = json.loads(line)
        texts += [row["title"], row["abstract"] or ""]
    for path in sorted(FEEDS.glob("*.xml")):
        try:
            papers = parse_feed(path.read_bytes()).papers
        except Exception:
            continue
        for paper in papers:
            texts += [paper.title, paper.abstract]
    return [" ".join(t.split()) for t in texts]


_WORDS = (
    "pre pre-trained pretrained Pre-Training PRETRAINING pre_trained pre‐trained we to We model models "
    "language Language-Model LLM LLMs llms BERT bert RoBERTa FinBERT BERTs GPT-4 ChatGPT CLIP e-CLIP "
    "wav2vec 2.0 T5 XLNet foundation Foundation self-supervised Self-Supervised masked autoencoders "
    "benchmark benchmarking fine-tune Fine-tuning for using with a the of survey Survey A review primer "
    "this paper work release open-source make publicly available weights checkpoints 7B 1.5B parameters "
    "billion-scale zero-shot few-shot multi-lingual cross-lingual naïve Ωmega ſelf İnstruct BENCHMAR\u212a "
    "transformer-based jailbreaking red-teaming prompt prompting in-context chain-of-thought theorem lower "
    "bound x y_z 'BERT's abilities GPT’s knowledge"
).split()
_SEPARATORS = [" ", " ", " ", "-", ", ", ": ", ". ", "_", "", "'", "(", ") "]


def _adversarial(count: int, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            word = rng.choice(_WORDS)
            word = rng.choice([word, word.lower(), word.upper(), word.title()])
            parts += [word, rng.choice(_SEPARATORS)]
        texts.append("".join(parts).strip())
    return texts


def test_lowercasing_keeps_every_atom_the_cues_use() -> None:
    """Without the case twins, str.lower maps each character to one character of the same class."""
    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c) not in TWINS)
    lowered = chars.lower()
    assert len(lowered) == len(chars)
    for atom in (r"\w", r"\d", r"\s", r"\.", r"[\x00-\x7f]"):
        where = re.compile(atom)
        assert [m.start() for m in where.finditer(chars)] == [m.start() for m in where.finditer(lowered)], (
            atom
        )
    # An IGNORECASE ASCII letter matches no other non-ASCII character than the twins.
    non_ascii = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1))
    assert set(re.findall("[a-z]", non_ascii, re.IGNORECASE)) == set(TWINS)


def test_every_pattern_has_a_fast_form() -> None:
    case_sensitive = {i for i, c in enumerate(rel._CUES) if not c.pattern.regex.flags & re.IGNORECASE}
    assert all(p.lowered for i, p in enumerate(PATTERNS) if i not in case_sensitive)
    alternatives = [a for p in PATTERNS for a in p.fast.alternatives]
    # Every alternative is searched only where its literals occur; most drop their leading \b.
    assert all(a.needs for a in alternatives)
    assert sum(a.bounded for a in alternatives) >= len(alternatives) - 8


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        (r"a|b", ["a", "b"]),
        (r"\ba(?:b|c)|\bd", [r"\ba(?:b|c)", r"\bd"]),
        (r"[|]|\||x", ["[|]", r"\|", "x"]),
        (r"[]|]|[^]|]|y", ["[]|]", "[^]|]", "y"]),
        (r"(a|(b|c))", ["(a|(b|c))"]),
    ],
)
def test_top_level_alternatives(source: str, parts: list[str]) -> None:
    assert rel._top_level_alternatives(source) == parts


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Pre-Trained Language Models",
        "PRETRAINED LANGUAGE MODELS",
        "xpretrained models and pre_trained encoders",
        "pre‐trained (unicode hyphen) and pre--trained",
        "ſelf-supervised learning",  # long s: IGNORECASE "s" matches it
        "Self-ſupervised, İnstruction-tuned BENCHMAR\u212a",
        "naïve pretraining of Ωmega-BERT, a foundation model",
        "We fine-tune BERT for NER. We release the weights",
        "BERT: what does it look at? XLNet's abilities",
        "benchmarks,benchmarking;benchmark.",
        "a survey of large language models",
        "llms LLMs Llms",
        "7B parameters and 1.5B parameter",
    ],
)
def test_edge_cases(text: str) -> None:
    ct = rel.CueText.of(text)
    for pattern in PATTERNS:
        assert pattern.search(ct) == _regex_search(pattern, text), (pattern.regex.pattern, text)
        assert pattern.search(ct, min(10, len(text))) == _regex_search(pattern, text, 10)


def _reference_possible(text: str) -> set[int]:
    """The pre-filter as specified on ``\\w+`` words of the text (before ``CueText`` shared the tokens)."""
    if not text:
        return set()
    if any(t in text for t in TWINS):
        return set(range(len(rel._CUES)))
    words, lowered = {w.lower() for w in re.findall(r"\w+", text)}, text.lower()
    return {
        i
        for i, c in enumerate(rel._CUES)
        if (c.anchor_words & words or any(part in lowered for part in c.anchor_parts))
        and all(group & words for group in c.anchor_groups)
    }


@pytest.mark.slow
def test_fast_search_equals_the_regexes_on_the_corpus_and_adversarial_texts() -> None:
    texts = _corpus_texts() + _adversarial(3000)
    for text in texts:
        ct = rel.CueText.of(text)
        possible, reference = rel._possible_cues(ct), _reference_possible(text)
        for index, pattern in enumerate(PATTERNS):
            expected = _regex_search(pattern, text)
            assert pattern.search(ct) == expected, (pattern.regex.pattern, text)
            if index < len(rel._CUES):
                # The shared tokens may let a cue through that \w+ words did not ("pre_trained"
                # holds "pre"): its regex decides, and finds nothing there.
                assert index in possible if index in reference else expected is None or index not in possible
        assert reference <= possible
        opening = min(300, len(text))
        for pattern in (rel._SURVEY_OPENING_RE, rel._PTM_WORDS_RE):
            assert pattern.search(ct, opening) == _regex_search(pattern, text, opening)


def test_cue_text_tokens_are_the_ngram_words() -> None:
    ct = rel.CueText.of("Pre-trained BERT_base models: 7B, naïve!")
    assert ct.words == ["pre", "trained", "bert", "base", "models", "7b", "na", "ve"]
    assert not ct.plain and rel.CueText.of("ſelf").plain
