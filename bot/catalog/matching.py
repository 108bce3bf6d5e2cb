"""Forgiving name matching (pure): ranks candidate entries against what a user typed.

Names and aliases compare by :func:`db.normalize.norm_key` (case, spaces, hyphens, punctuation
and diacritics ignored), so ``deberta v2`` is ``DeBERTa-v2`` and ``nystromformer`` is
``Nyströmformer``. The tiers, best first:

1. exact name, 2. exact alias ("ViT", "wav2vec 2.0"), 3. name or alias starts with the query,
4. every query word is a word of the name or alias (or the search index found it there),
5. the query occurs inside the name or alias, 6. fuzzy ("did you mean", difflib ratio).

Within a tier models come before surveys and resources, then the closer and shorter name.
The database side (which candidates to look at) lives in :mod:`bot.catalog.queries`.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import NamedTuple

from db.normalize import fold, norm_key

__all__ = ["Candidate", "Match", "Tier", "family_stem", "rank", "similarity"]


class Tier(IntEnum):
    EXACT_NAME = 0
    EXACT_ALIAS = 1
    PREFIX = 2
    WORDS = 3
    SUBSTRING = 4
    FUZZY = 5


class Candidate(NamedTuple):
    # A named tuple, not a dataclass: a look-up builds a few hundred of these, and a tuple is
    # made in under half the time (issue 14). Immutable and compared by value all the same.
    entry_id: int
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    # ``norm_key`` of the name and of each alias when the caller has them (the database stores
    # them as ``entries.norm_name`` / ``aliases.norm_alias``); computed here otherwise.
    name_key: str | None = None
    alias_keys: tuple[str, ...] | None = None

    def keyed_texts(self) -> list[tuple[str, str, bool]]:
        """``(text, key, is_name)`` for the name and every alias."""
        out = [(self.name, self.name_key if self.name_key is not None else norm_key(self.name), True)]
        if self.alias_keys is not None and len(self.alias_keys) == len(self.aliases):
            out += [(a, k, False) for a, k in zip(self.aliases, self.alias_keys, strict=True)]
        else:
            out += [(a, norm_key(a), False) for a in self.aliases]
        return out


class Match(NamedTuple):
    candidate: Candidate
    tier: Tier
    score: float  # 0..1, closeness of the matched name/alias to the query
    via: str  # the name or alias that matched

    def sort_key(self) -> tuple:
        c = self.candidate
        return (self.tier, c.kind != "model", -self.score, len(c.name), fold(c.name), c.entry_id)


_WORD = re.compile(r"[0-9a-z\u4e00-\u9fff]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(fold(text)))


def similarity(a: str, b: str) -> float:
    """How alike two names are (0..1) on their keys."""
    ka, kb = norm_key(a), norm_key(b)
    if not ka or not kb:
        return 0.0
    return difflib.SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def _match_one(query: str, qkey: str, qwords: set[str], cand: Candidate, word_hit: bool) -> Match | None:
    # The best (tier, -ratio) over the name and the aliases, first text first on a tie; one
    # Match object at the end rather than one per improving text.
    best_tier: Tier | None = None
    best_ratio = 0.0
    best_text = ""
    for text, key, is_name in cand.keyed_texts():
        if not key:
            continue
        if key == qkey:
            tier = Tier.EXACT_NAME if is_name else Tier.EXACT_ALIAS
        elif key.startswith(qkey):
            tier = Tier.PREFIX
        # A word of the text is a run of its key, so a query word missing from the key rules
        # the tier out without splitting the text into words.
        elif qwords and all(w in key for w in qwords) and qwords <= _words(text):
            tier = Tier.WORDS
        elif qkey in key:
            tier = Tier.SUBSTRING
        else:
            continue
        if best_tier is not None and tier > best_tier:
            continue  # a worse tier cannot win, whatever its ratio
        # The ratio only orders matches, so it is computed for texts that matched a tier. When
        # the query key occurs in the text's key (every tier but WORDS), the matching blocks
        # are the query key itself, so the ratio is what difflib would return, without difflib.
        if tier is Tier.WORDS and qkey not in key:
            ratio = difflib.SequenceMatcher(None, qkey, key, autojunk=False).ratio()
        else:
            ratio = 2.0 * len(qkey) / (len(qkey) + len(key))
        # Same candidate, so of the sort key only (tier, -score) can differ.
        if best_tier is None or tier < best_tier or ratio > best_ratio:
            best_tier, best_ratio, best_text = tier, ratio, text
    if best_tier is not None:
        return Match(cand, best_tier, best_ratio, best_text)
    if word_hit:
        return Match(cand, Tier.WORDS, similarity(query, cand.name), cand.name)
    return None


def _fuzzy_best(qkey: str, texts: Sequence[tuple[str, str, bool]], cutoff: float) -> tuple[float, str] | None:
    """``max((similarity, text))`` over ``texts`` when it reaches ``cutoff``, else None.

    The fuzzy tier looks at a pool of up to a few thousand names per "did you mean", so texts
    whose cheap upper bounds (``real_quick_ratio`` from lengths, ``quick_ratio`` from letter
    counts) are already under the cutoff are skipped without the full ``ratio()``; the ones
    left get exactly :func:`similarity`. Same result as scoring every text.
    """
    scored: list[tuple[float, str]] = []
    for text, key, _ in texts:
        if not key or not qkey:
            scored.append((0.0, text))
            continue
        matcher = difflib.SequenceMatcher(None, qkey, key, autojunk=False)
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue  # its ratio is below the cutoff, and so cannot be the kept maximum
        scored.append((matcher.ratio(), text))
    if not scored:
        return None
    score, via = max(scored)
    return (score, via) if score >= cutoff else None


def rank(
    query: str,
    candidates: Iterable[Candidate],
    *,
    limit: int = 10,
    word_hits: Iterable[int] = (),
    fuzzy: bool = False,
    cutoff: float = 0.6,
    margin: float | None = None,
) -> list[Match]:
    """The candidates that match ``query``, best first (see the module docstring for tiers).

    ``word_hits`` are entry ids the search index found by words (stemmed, prefixed): they rank
    as word matches when nothing stronger applies. With ``fuzzy``, the rest are kept when their
    name or an alias is at least ``cutoff`` alike and, with a ``margin``, at least the best
    fuzzy score minus ``margin`` (the running best raises the bar as candidates are scored, so
    fewer full ratios are computed; the result is the same as filtering afterwards).
    """
    qkey = norm_key(query)
    if not qkey:
        return []
    qwords = _words(query)
    hits = set(word_hits)
    out: dict[int, Match] = {}
    bar = cutoff
    top = 0.0
    for cand in candidates:
        m = _match_one(query, qkey, qwords, cand, cand.entry_id in hits)
        if m is None and fuzzy:
            best = _fuzzy_best(qkey, cand.keyed_texts(), bar)
            if best is not None:
                m = Match(cand, Tier.FUZZY, best[0], best[1])
                if margin is not None and best[0] > top:
                    top = best[0]
                    bar = max(cutoff, top - margin)
        if m is not None:
            prev = out.get(cand.entry_id)
            if (
                prev is None
                or (prev.candidate != cand and m.sort_key() < prev.sort_key())
                or (prev.candidate == cand and (m.tier, -m.score) < (prev.tier, -prev.score))
            ):
                out[cand.entry_id] = m
    found: Iterable[Match] = out.values()
    if margin is not None:
        found = [m for m in found if m.tier is not Tier.FUZZY or m.score >= top - margin]
    # The first ``limit`` of the sorted matches (``heapq.nsmallest`` is documented as
    # ``sorted(...)[:n]``), without sorting all of them when only a few are wanted.
    return heapq.nsmallest(max(0, limit), found, key=Match.sort_key)


# --------------------------------------------------------------------------------------------
# Families

# A family is one model line under version, size and language variants. The stem of a name is
# its key with a variant marker taken off the end (a last "-D"/"-XL"/"-50"/"-v2" part,
# "v2", "phoneme", "sat", "small", a trailing number) and a variant prefix taken off the front
# ("xlsr", "xlm", "m" for the multilingual twins, "distil"), as long as three characters remain
# (two for T5). DeBERTa-v2 -> deberta, MBart-50 -> bart, XLSR-Wav2Vec2 -> wav2vec,
# Wav2Vec2Phoneme -> wav2vec, SEW-D -> sew, mT5 -> t5, LayoutLMv2 -> layoutlm.
_LAST_PART = {"d", "xl", "50", "v2", "v3", "small", "large", "base", "sat", "phoneme"}
_SUFFIX = re.compile(r"(?:v\d+|phoneme|sat|small|large|base|xl|\d+)$")
FAMILY_PREFIXES = ("xlsr", "xlm", "distil", "m")


def family_stem(name: str) -> str:
    parts = [p for p in re.split(r"[\s\-_]+", name.strip()) if p]
    if len(parts) > 1 and norm_key(parts[-1]) in _LAST_PART:
        parts = parts[:-1]
    key = norm_key(" ".join(parts))
    for _ in range(3):
        stripped = _SUFFIX.sub("", key)
        if stripped == key or len(stripped) < 2 or (len(stripped) < 3 and not stripped[-1].isdigit()):
            break
        key = stripped
    for prefix in FAMILY_PREFIXES:
        rest = key[len(prefix) :]
        if key.startswith(prefix) and (len(rest) >= 3 or (len(rest) == 2 and rest[-1].isdigit())):
            key = rest
            break
    return key


def same_family(a: str, b: str) -> bool:
    sa, sb = family_stem(a), family_stem(b)
    return bool(sa) and sa == sb


def unique_names(matches: Sequence[Match], *, limit: int, max_len: int = 100) -> list[str]:
    """Entry names of matches, once each, cut to ``max_len`` characters (Discord's choice limit)."""
    out: list[str] = []
    for m in matches:
        name = m.candidate.name
        if len(name) > max_len:
            name = name[: max_len - 1] + "…"
        if name not in out:
            out.append(name)
        if len(out) >= limit:
            break
    return out
