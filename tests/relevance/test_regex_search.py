"""``SplitSearch`` finds exactly the first match ``re`` finds; ``required_literals`` only what a match must hold."""

from __future__ import annotations

import random
import re

import pytest

from bot.relevance.regex_search import SplitSearch, required_literals

PATTERNS = [
    (r"a|ab", 0),  # a tie at one start: the earlier alternative wins
    (r"ab|a", 0),
    (r"\bfoo bar\b|bar baz|\bba\w+", 0),  # leftmost across alternatives; dropped \b checked
    (r"^bar|baz", 0),  # an anchored alternative: the start only
    (r"^bar|baz", re.MULTILINE),
    (r"\b(?:pre-?train\w*|foundation models?)\b|\bllms?\b", 0),
    (r"(?:using|with) (?:a |the |)(?:bert|gpt-?\d\w*)\b|(?:bert|gpt)-(?:based|driven)\b", 0),
    (r"\d(?:\.\d+)?\s?(?:[bmt]\b|billion)(?: tokens)?|(?:trillion|billion) tokens\b", 0),
    (r"\bFoo(?=\s*:)|(?<!x)Bar(?!s\b)\w*|\w+-?Baz", 0),
    (r"(?i:foo)bar|BAZ", 0),
    (r"foo|bar", re.IGNORECASE),
    (r"(?:x|)(?:foo){1,2}y|z{0,2}bar", 0),
]
_WORDS = "a ab b bar baz Bar Bars BAZ foo Foo FOO xBar e-Baz bert gpt-4 gpt4o using with the 7b 1.5 billion trillion tokens pre-training pretrained foundation model models llm llms : - ,".split()


def _texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_WORDS) + rng.choice([" ", "", "\n", "-"]) for _ in range(rng.randint(0, 9)))
        for _ in range(count)
    ]


@pytest.mark.parametrize(("source", "flags"), PATTERNS)
def test_the_first_match_is_the_regexs(source: str, flags: int) -> None:
    fast, regex = SplitSearch.compile(source, flags), re.compile(source, flags)
    for text in _texts(1500):
        for end in (None, len(text) // 2):
            m = regex.search(text, 0, len(text) if end is None else end)
            assert fast.span(text, end) == (None if m is None else m.span()), (source, text, end)


def test_what_a_match_must_hold() -> None:
    # One literal of each branch: a match of the whole takes one branch.
    whole = re.compile(r"\b(?:large |)language models?\b|\bllms?\b")
    assert required_literals(whole) == (("language model", "llm"),)
    # Per alternative of a split search: a group is one literal of each branch; optional parts,
    # classes, look-arounds and case-insensitive parts say nothing.
    fast = SplitSearch.compile(r"(?:using|with) (?:a |)(?:bert|gpt-?\d)\b|x?(?=abc)\w+|(?i:foo)bar")
    assert [a.needs for a in fast.alternatives] == [(("using", "with"), ("bert", "gpt")), (), (("bar",),)]
    assert required_literals(re.compile("foo|bar", re.IGNORECASE)) == ()
    assert required_literals(re.compile(r"(?:ab){2,}c+d")) == (("ab",),)  # single letters say too little
