"""The learned relevance model at run time: features, a calibrated linear score, its reasons.

A paper is turned into sparse binary features that a person can read back:

- ``t:<word>`` / ``t:<word> <word>``: a word or a two-word phrase of the title;
- ``a:<word>`` / ``a:<word> <word>``: the same in the abstract;
- ``cat:<category>``: an arXiv category the paper is listed in;
- ``s:<shape>``: how the paper is built: it introduces a new artefact (a coined name in the title,
  "Technical Report", "we introduce NAME", parameter counts, released weights) or studies and applies
  existing ones (a question title, "Revisiting", "LLMs for X", "we evaluate whether");
  :mod:`bot.relevance.structure`;
- ``cue:survey``: survey wording together with PTM words (the hand-written cue of
  :mod:`bot.relevance.cues` that n-grams cannot express: it looks at the title and the abstract's
  opening together).

The score is ``sigmoid(a * (bias + sum of weights) + b)``: a logistic regression (trained by
:mod:`bot.relevance.train`) followed by Platt calibration, so it reads as a probability. A paper
without an abstract is scored by a second weight set trained on titles alone, with its own
calibration and threshold: a title says less, and the same threshold cannot serve both.

Every score comes with its strongest contributions, signed: ``'we release' in abstract +0.8``.
Scoring is pure Python over dict look-ups: no dependency beyond the standard library at run time.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import repeat
from typing import Any

from bot.relevance.cues import CUE_FINGERPRINT, CueText, cue_hits_in
from bot.relevance.propose import propose_kind, propose_name, propose_topics
from bot.relevance.structure import structure_hits

__all__ = [
    "MODEL_FORMAT",
    "Relevance",
    "RelevanceModel",
    "Scored",
    "WeightSet",
    "feature_set",
    "features",
    "score_paper",
    "shipped_model",
]

#: Bumped when the feature definitions change: a stored model of another format is not used.
MODEL_FORMAT = 2


def _grams(words: list[str]) -> set[str]:
    """A text's words and two-word phrases: its ``t:`` or ``a:`` features without the prefix."""
    grams = set(words)
    grams.update(map(" ".join, itertools.pairwise(words)))
    return grams


@dataclass(frozen=True, slots=True)
class _Paper:
    """A paper's features by where they come from (the title's and the abstract's n-grams without
    their prefix, so scoring builds no prefixed string), and what each cue or structure feature matched."""

    title_grams: set[str]
    abstract_grams: set[str]
    other: set[str]  # ``cat:``, ``cue:`` and ``s:`` features
    matched: dict[str, str]

    @classmethod
    def of(cls, title: str, abstract: str, categories: Sequence[str]) -> _Paper:
        title_text, abstract_text = CueText.of(title), CueText.of(abstract)
        matched = {name: text for name, _weight, text in cue_hits_in(title_text, abstract_text)}
        matched.update(structure_hits(title, abstract))
        other = {"cat:" + c for c in categories}
        other.update(matched)
        abstract_grams = _grams(abstract_text.words) if abstract else set()
        return cls(_grams(title_text.words), abstract_grams, other, matched)


def feature_set(title: str, abstract: str, categories: Sequence[str] = ()) -> tuple[set[str], dict[str, str]]:
    """The paper's binary features, and for the cues among them what they matched.

    *title* and *abstract* are whitespace-normalised; an empty abstract adds no ``a:`` feature.
    Words are the ``[a-z0-9]+`` runs of the lowercased text (:class:`CueText`, shared with the cues).
    """
    paper = _Paper.of(title, abstract, categories)
    out = set(map("t:".__add__, paper.title_grams))  # map() over a C-level callable: no frame per word
    out.update(map("a:".__add__, paper.abstract_grams))
    out.update(paper.other)
    return out, paper.matched


def features(title: str, abstract: str, categories: Sequence[str] = ()) -> dict[str, str]:
    """The paper's features, each with what matched for a cue (``""`` otherwise)."""
    out, matched = feature_set(title, abstract, categories)
    return {f: matched.get(f, "") for f in out}


def describe(feature: str, weight: float, matched: str = "") -> str:
    """How a contribution reads on a review card: ``'we release' in abstract +0.8``."""
    if matched:
        return f"{matched} {weight:+.1f}"
    kind, _, value = feature.partition(":")
    if kind == "t":
        text = f"'{value}' in title"
    elif kind == "a":
        text = f"'{value}' in abstract"
    elif kind == "cat":
        text = f"category {value}"
    else:
        text = feature
    return f"{text} {weight:+.1f}"


@dataclass(frozen=True, slots=True)
class WeightSet:
    """One logistic regression plus its calibration and decision threshold."""

    bias: float
    weights: Mapping[str, float]
    calib_a: float = 1.0
    calib_b: float = 0.0
    threshold: float = 0.5

    # The weights split by where a feature comes from (title n-grams and abstract n-grams, both
    # without their prefix, and the rest), and the same split of those whose contribution would show
    # as a reason (|weight| >= 0.05 once calibrated): built on first use (:meth:`_lookups`).
    _split: tuple[tuple[dict[str, float], ...], tuple[dict[str, float], ...]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def logit(self, feats: Iterable[str]) -> float:
        """The raw score of a set of features (most have no weight)."""
        return self.bias + sum(map(self.weights.get, feats, repeat(0.0)))

    def _lookups(self) -> tuple[tuple[dict[str, float], ...], tuple[dict[str, float], ...]]:
        if self._split is None:
            split: tuple[dict[str, float], ...] = ({}, {}, {})
            for name, weight in self.weights.items():
                if name.startswith(("t:", "a:")):
                    split[name[0] == "a"][name[2:]] = weight
                else:
                    split[2][name] = weight
            floor = 0.05 / abs(self.calib_a) if self.calib_a else 0.0
            shown = tuple({f: w for f, w in part.items() if w >= floor or w <= -floor} for part in split)
            object.__setattr__(self, "_split", (split, shown))
        assert self._split is not None
        return self._split

    def score_paper(self, paper: _Paper, *, hits: bool) -> tuple[float, list[tuple[float, str]]]:
        """The raw score of *paper* and, if *hits*, the ``(weight, feature)`` pairs that fired and
        would show as reasons: one dict probe per feature, the reasons from the few shown weights."""
        split, shown = self._lookups()
        total = self.bias
        fired: list[tuple[float, str]] = []
        sources = (paper.title_grams, paper.abstract_grams, paper.other)
        for prefix, feats, weights, strong in zip(("t:", "a:", ""), sources, split, shown, strict=True):
            total += sum(map(weights.get, feats, repeat(0.0)))
            if hits:
                fired += [(strong[f], prefix + f) for f in strong.keys() & feats]
        return total, fired

    def probability(self, logit: float) -> float:
        z = self.calib_a * logit + self.calib_b
        if z < -35:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, Any]:
        return {
            "bias": self.bias,
            "calib_a": self.calib_a,
            "calib_b": self.calib_b,
            "threshold": self.threshold,
            "weights": dict(sorted(self.weights.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WeightSet:
        return cls(
            bias=float(data["bias"]),
            weights={str(k): float(v) for k, v in data["weights"].items()},
            calib_a=float(data.get("calib_a", 1.0)),
            calib_b=float(data.get("calib_b", 0.0)),
            threshold=float(data.get("threshold", 0.5)),
        )


def _strength(hit: tuple[float, str]) -> tuple[float, str]:
    """Strongest contribution first, then by feature name (unique, so the order is total)."""
    return -abs(hit[0]), hit[1]


@dataclass(frozen=True, slots=True)
class Scored:
    probability: float
    threshold: float
    reasons: tuple[str, ...]  # strongest contributions first, signed
    title_only: bool

    @property
    def relevant(self) -> bool:
        return self.probability >= self.threshold


@dataclass(frozen=True, slots=True)
class RelevanceModel:
    """Two weight sets (papers with an abstract, titles alone) and the figures they were shipped with."""

    version: str
    with_abstract: WeightSet
    title_only: WeightSet
    metrics: Mapping[str, Any] = field(default_factory=dict)
    trained_on: Mapping[str, Any] = field(default_factory=dict)
    # For each cue feature, the text it most often matched in training: how a cue is named where no
    # paper is at hand (``relevance show``).
    examples: Mapping[str, str] = field(default_factory=dict)

    def score(
        self, title: str, abstract: str = "", categories: Sequence[str] = (), *, reasons: int = 5
    ) -> Scored:
        return self._score(title, abstract, categories, reasons)[0]

    def _score(
        self, title: str, abstract: str, categories: Sequence[str], reasons: int
    ) -> tuple[Scored, dict[str, str]]:
        """:meth:`score`, and what each cue feature matched."""
        title = " ".join(title.split())
        abstract = " ".join(abstract.split())
        title_only = not abstract
        ws = self.title_only if title_only else self.with_abstract
        paper = _Paper.of(title, abstract, categories)
        logit, hits = ws.score_paper(paper, hits=bool(reasons))
        top: list[str] = []
        if reasons:
            # ``hits`` holds only contributions that would show (|weight| >= 0.05 once calibrated).
            strongest = sorted(hits, key=_strength)[:reasons]  # what heapq.nsmallest gives, faster here
            top = [describe(f, w * ws.calib_a, paper.matched.get(f, "")) for w, f in strongest]
            if title_only:
                top.append("title only: scored by the title model")
        return Scored(ws.probability(logit), ws.threshold, tuple(top), title_only), paper.matched

    def name(self, feature: str) -> str:
        """A feature as people read it: ``'we release' in abstract``, ``phrase "pre-trained" in title``."""
        return describe(feature, 0.0, self.examples.get(feature, "")).rsplit(" ", 1)[0]

    def strongest(self, n: int = 10, *, title_only: bool = False) -> list[tuple[str, float]]:
        """The features with the largest weights, positive first then negative (for ``relevance show``)."""
        ws = self.title_only if title_only else self.with_abstract
        ranked = sorted(ws.weights.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:n] + ranked[::-1][:n]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "cues": CUE_FINGERPRINT,
            "version": self.version,
            "with_abstract": self.with_abstract.to_json(),
            "title_only": self.title_only.to_json(),
            "metrics": dict(self.metrics),
            "trained_on": dict(self.trained_on),
            "examples": dict(self.examples),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RelevanceModel:
        if data.get("format") != MODEL_FORMAT or data.get("cues") != CUE_FINGERPRINT:
            raise ValueError(
                f"relevance model of format {data.get('format')!r} with cue table {data.get('cues')!r}; "
                f"this version reads format {MODEL_FORMAT} with cue table {CUE_FINGERPRINT}"
            )
        return cls(
            version=str(data["version"]),
            with_abstract=WeightSet.from_json(data["with_abstract"]),
            title_only=WeightSet.from_json(data["title_only"]),
            metrics=data.get("metrics", {}),
            trained_on=data.get("trained_on", {}),
            examples=data.get("examples", {}),
        )

    @classmethod
    def loads(cls, text: str) -> RelevanceModel:
        return cls.from_json(json.loads(text))

    @classmethod
    def from_bytes(cls, data: bytes) -> RelevanceModel:
        """A model file's bytes: JSON, gzipped or not."""
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        return cls.loads(data.decode("utf-8"))


SHIPPED_MODEL = "relevance-model.json.gz"


@cache
def shipped_model() -> RelevanceModel:
    """The model shipped with the package (``bot/relevance/data/relevance-model.json.gz``), read once."""
    return RelevanceModel.from_bytes(
        resources.files("bot.relevance").joinpath("data", SHIPPED_MODEL).read_bytes()
    )


@dataclass(frozen=True, slots=True)
class Relevance:
    """A scored paper, as a poll and ``/ptm-admin add`` use it."""

    score: float  # calibrated probability in [0, 1]
    threshold: float  # the model's threshold for this kind of paper (with or without an abstract)
    reasons: tuple[str, ...]  # strongest contributions first, signed
    kind: str  # 'model' | 'survey'
    name: str  # proposed short name
    topics: tuple[str, ...]
    model_version: str

    @property
    def relevant(self) -> bool:
        return self.score >= self.threshold


def score_paper(
    title: str,
    abstract: str = "",
    categories: Sequence[str] = (),
    *,
    model: RelevanceModel | None = None,
    threshold: float | None = None,
    with_topics: bool = True,
) -> Relevance:
    """Score a paper with *model* (default: the shipped one) and propose its kind, name and topics.

    *threshold* overrides the model's own (``relevance.threshold`` in the config).
    ``with_topics=False`` skips the topic classifier: a poll classifies only what it suggests.
    """
    model = model or shipped_model()
    scored, matched = model._score(title, abstract, categories, 5)
    name = propose_name(title)
    return Relevance(
        score=round(scored.probability, 4),
        threshold=scored.threshold if threshold is None else threshold,
        reasons=scored.reasons,
        kind=propose_kind(title, abstract, survey_wording="cue:survey" in matched),
        name=name,
        topics=propose_topics(title, abstract, name) if with_topics else (),
        model_version=model.version,
    )
