"""Follow matching and normalisation (pure)."""

from __future__ import annotations

import pytest

from bot.catalog.model import Entry, EntryKind
from bot.digest.follows import FollowError, matches, normalise

ENTRY = Entry(
    kind=EntryKind.MODEL,
    name="XLS-R",
    org="Facebook AI",
    paper_title="XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale",
    authors=["Arun Babu", "Changhan Wang", "Michael Auli"],
    topics=["speech", "multilingual"],
)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("topic", "Speech", True),
        ("topic", "vision", False),
        ("author", "michael auli", True),
        ("author", "Auli", True),
        ("author", "Michael Wang", False),  # words from two different authors
        ("org", "facebook", True),
        ("org", "Facebook-AI", True),
        ("org", "Google", False),
        ("query", "cross-lingual speech", True),
        ("query", "speech diffusion", False),
    ],
)
def test_matches(kind: str, value: str, expected: bool) -> None:
    _, key = normalise(kind, value)
    assert matches(kind, key, ENTRY) is expected


def test_an_entry_without_an_organisation_matches_no_org_follow() -> None:
    assert not matches("org", "google", Entry(kind=EntryKind.MODEL, name="X"))


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("topic", "underwater basket", "unknown topic"),
        ("org", "   ", "say what"),
        ("query", "!!", "no letters"),
    ],
)
def test_refused(kind: str, value: str, message: str) -> None:
    with pytest.raises(FollowError, match=message):
        normalise(kind, value)
