"""The gates' matching rules (pure): whole words, phrases, accents, full author names, categories,
never over always, and the values refused because they would match almost everything."""

from __future__ import annotations

import pytest

from bot.relevance.gates import Gate, GateError, GateSet, normalise


def one(mode: str, kind: str, value: str) -> GateSet:
    return GateSet([Gate.of(mode, kind, value)])


def hit(gates: GateSet, **paper: object) -> str | None:
    paper.setdefault("title", "A Title")
    paper.setdefault("abstract", "")
    found = gates.match(**paper)  # type: ignore[arg-type]
    return None if found is None else found.mode


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("diffusion", "Latent Diffusion models", True),
        ("diffusion", "diffusions of heat", False),  # whole words only
        ("diffusion", "subdiffusion", False),
        ("system card", "The GPT-9 System\n  Card", True),  # any whitespace between a phrase's words
        ("GPT-4", "we compare with gpt-4 and others", True),
        ("GPT-4", "gpt-40 is different", False),
        ("C++", "written in c++ for speed", True),
        ("Nyström", "the nystrom method", True),  # accents ignored both ways
        ("nystrom", "Nyströmformer and the Nyström method", True),
    ],
)
def test_terms_are_whole_words_or_phrases_case_and_accent_insensitive(term, text, expected) -> None:
    gates = one("never", "term", term)
    assert (hit(gates, abstract=text) == "never") is expected
    assert (hit(gates, title=text) == "never") is expected


def test_authors_match_a_full_name_and_categories_exactly() -> None:
    gates = one("always", "author", "Kaiming  He")
    assert hit(gates, authors=["Ross Girshick", "kaiming he"]) == "always"
    assert hit(gates, authors=["K. He"]) is None and hit(gates, authors=["Kaiming Hex"]) is None
    assert hit(one("always", "author", "Jürgen Schmidhuber"), authors=["Jurgen Schmidhuber"]) == "always"
    cats = one("never", "category", "cs.cl")
    assert hit(cats, categories=["cs.LG", "cs.CL"]) == "never"
    assert hit(cats, categories=["cs.CLX"]) is None


def test_orgs_are_looked_for_in_the_abstract_and_the_comments_not_the_title() -> None:
    gates = one("always", "org", "Google DeepMind")
    assert hit(gates, abstract="Work from google deepmind.") == "always"
    assert hit(gates, comment="Work done at Google DeepMind; 12 pages") == "always"
    assert hit(gates, title="Google DeepMind says hello") is None


def test_never_wins_and_every_deciding_gate_is_a_reason() -> None:
    gates = GateSet(
        [
            Gate.of("always", "author", "Ada Lovelace"),
            Gate.of("always", "category", "cs.CL"),
            Gate.of("never", "term", "survey"),
        ]
    )
    found = gates.match(title="A Survey", abstract="", authors=["Ada Lovelace"], categories=["cs.CL"])
    assert found is not None and found.mode == "never" and found.reasons == ["gate: never term 'survey'"]
    found = gates.match(title="A Model", abstract="", authors=["Ada Lovelace"], categories=["cs.CL"])
    assert found is not None and found.reasons == [
        "gate: always author 'Ada Lovelace'",
        "gate: always category 'cs.CL'",
    ]
    assert GateSet().match(title="anything", abstract="at all") is None


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("term", "", "needs a value"),
        ("term", "   ", "needs a value"),
        ("term", "a", "would match almost every paper"),
        ("term", "The", "would match almost every paper"),
        ("term", "the model", "would match almost every paper"),
        ("org", "---", "has no letters or digits"),
        ("author", "X", "would match almost every paper"),
        ("category", "cs CL", "is not an arXiv category"),
        ("term", "x" * 201, "at most 200 characters"),
        ("planet", "Mars", "unknown gate kind 'planet'"),
    ],
)
def test_values_that_cannot_be_gates_are_refused_clearly(kind, value, message) -> None:
    with pytest.raises(GateError, match=message):
        normalise(kind, value)


def test_kinds_accept_plurals_and_spellings() -> None:
    assert Gate.of("Always", "Organisation", "Meta AI").label == "always org 'Meta AI'"
    assert Gate.of("never", "categories", "eess.AS").kind == "category"
