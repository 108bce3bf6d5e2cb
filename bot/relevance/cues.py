"""The hand-written knowledge behind relevance: cues, and what to propose for a suggested paper.

Every cue is a phrase a human would name ("pre-train", "foundation model", "we fine-tune",
"benchmark", ...) with a hand-set weight. The cues are no longer a scorer of their own: they are
features of the learned model (:mod:`bot.relevance.model`), whose training pulls their weights
toward the hand-set ones (:func:`cue_priors`), so a moderator still reads "phrase "pre-trained" in
title +2.1" on a card.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

__all__ = [
    "CUE_FINGERPRINT",
    "CueText",
    "cue_hits",
    "cue_hits_in",
    "cue_priors",
    "survey_match",
]

log = logging.getLogger(__name__)

# A cue found in the title counts fully; found only in the abstract it counts ABSTRACT_FACTOR times
# unless the cue says otherwise. Titles say what a paper *is*; abstracts also mention what it uses.
ABSTRACT_FACTOR = 0.6


_UPPER_ESCAPE_RE = re.compile(r"\\[A-Z]")
_BOUNDARY_RE = re.compile(r"\b")


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A cue's regex, searched faster with exactly its matches.

    ``re`` scans fastest for a case-sensitive pattern that begins with literals: it skips to the
    positions holding one of them. Most cues ignore case and begin with ``\\b``, so they are tried
    at every position. ``fast`` is the regex (1) without the leading ``\\b`` of every alternative, that
    boundary being checked at each match start instead (the first start where it holds is the
    first where the regex matches, with the same match), and (2) for an IGNORECASE regex,
    lowercased and case-sensitive, to run on ``CueText.lowered``: on a text without case twins
    (``_CASE_TWINS_RE``) ``str.lower`` maps every character to one that the regex's atoms (ASCII
    letters and classes of them, ``\\w``, ``\\d``, ``\\s``, ``\\b``, ``[^.]``) treat as IGNORECASE treats
    the original (``tests/watch/test_cue_matcher.py`` checks this over all of Unicode). A regex whose
    lowercased source would not mean the same (non-ASCII, ``\\B``, ...) keeps its case.
    """

    regex: re.Pattern[str]  # as written
    fast: re.Pattern[str]
    lowered: bool  # ``fast`` runs on the lowercased text
    bounded: bool  # ``fast`` lost a leading ``\\b``: checked at each match start

    @classmethod
    def compile(cls, source: str, flags: int = re.IGNORECASE) -> _Pattern:
        lowered = bool(flags & re.IGNORECASE) and source.isascii() and not _UPPER_ESCAPE_RE.search(source)
        fast = source.lower() if lowered else source
        alternatives = _top_level_alternatives(fast)
        bounded = all(alt.startswith(r"\b") for alt in alternatives)
        if bounded:
            fast = "|".join(alt[2:] for alt in alternatives)
        fast_flags = flags & ~re.IGNORECASE if lowered else flags
        return cls(re.compile(source, flags), re.compile(fast, fast_flags), lowered, bounded)

    def search(self, text: CueText, end: int | None = None) -> str | None:
        """What the regex first matches in *text* (in its first *end* characters)."""
        if end is None:
            end = len(text.text)
        if self.lowered and text.plain:
            m = self.regex.search(text.text, 0, end)
            return None if m is None else m.group(0)
        subject = text.lowered if self.lowered else text.text
        m = self.fast.search(subject, 0, end)
        while m is not None:
            start = m.start()
            if not self.bounded or _BOUNDARY_RE.match(subject, start, end):
                return text.text[start : m.end()]
            m = self.fast.search(subject, start + 1, end)
        return None


def _top_level_alternatives(source: str) -> list[str]:
    """*source* split at the ``|`` outside groups and character classes."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A "]" first in the class (after an optional "^") is a literal.
            if source.startswith("]", i + 1) or source.startswith("^]", i + 1):
                i += 2 if source[i + 1] == "]" else 3
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


@dataclass(frozen=True, slots=True)
class _Cue:
    label: str  # how the reason reads: 'phrase', 'negative cue', 'model family', ...
    pattern: _Pattern
    weight: float
    abstract_weight: float  # the weight when the cue is found only in the abstract
    # A pre-filter, never a cue of its own: every match of ``pattern`` contains one of these whole
    # words (lowercase, as ``\w+`` tokens) or, for entries written ``"word*"``, this lowercase text,
    # and also one word of each further group (``anchors="a b + c d"``: a or b, and c or d).
    # A text without them is not searched at all (see ``_possible_cues``).
    anchor_words: frozenset[str]
    anchor_parts: re.Pattern[str] | None
    anchor_groups: tuple[frozenset[str], ...]
    key: str  # a stable short id ('' for most cues); bench/relevance_eval.py cross-validates keyed weights
    excludes: str  # the key of a weaker cue that does not count when this one fired ('' for none)


def _cue(
    label: str,
    pattern: str,
    weight: float,
    *,
    anchors: str,
    abstract: float | None = None,
    flags: int = re.IGNORECASE,
    key: str = "",
    excludes: str = "",
) -> _Cue:
    abstract_weight = weight * ABSTRACT_FACTOR if abstract is None else abstract
    first, *more = (group.split() for group in anchors.split("+"))
    words = frozenset(a for a in first if not a.endswith("*"))
    parts = [re.escape(a[:-1]) for a in first if a.endswith("*")]
    parts_re = re.compile("|".join(parts)) if parts else None
    groups = tuple(frozenset(group) for group in more)
    return _Cue(
        label,
        _Pattern.compile(pattern, flags),
        weight,
        abstract_weight,
        words,
        parts_re,
        groups,
        key,
        excludes,
    )


_PRETRAIN = r"pre-?train(?:ed|ing|s)?|pre-?training"
_FAMILY = (
    r"BERT|BERTa|GPT|CLIP|ELECTRA|ERNIE|XLNet|XLM|Megatron|wav2vec|HuBERT|BEiT|ViLT|ViT|T5|BART|LLaMA|PaLM"
)
_FAMILY_ANCHORS = (
    "bert* gpt* clip* electra* ernie* xlnet* xlm* megatron* wav2vec* beit* vilt* vit* t5* bart* llama* palm*"
)
_CUES: tuple[_Cue, ...] = (
    # --- what a PTM paper says about itself ---
    _cue(
        "phrase",
        rf"\b(?:{_PRETRAIN})\b",
        2.6,
        abstract=1.0,
        anchors="pre pretrain pretrained pretraining pretrains",
        key="pretrain",
    ),
    _cue(
        "phrase",
        r"\bpre-?train(?:ed|ing)? (?:\w+ ){0,2}(?:on|from scratch)\b|"
        r"\bpre-?training (?:objectives?|tasks?|corpus|corpora|data|stage|phase|recipes?|methods?|framework|paradigm)\b",
        1.0,
        anchors="pre pretrain pretrained pretraining + on scratch objective objectives task tasks corpus corpora data stage phase recipe recipes method methods framework paradigm",
    ),
    _cue(
        "phrase",
        r"\b(?:we|to) (?:pre-?train|continue pre-?training|further pre-?train)\b",
        1.0,
        anchors="pre pretrain pretraining",
    ),
    _cue(
        "phrase",
        r"\bpre-?trained (?:\w+ ){0,2}(?:language |vision |speech |)(?:models?|transformers?|encoders?)\b",
        0.8,
        anchors="pre pretrained",
    ),
    _cue("phrase", r"\bfoundation models?\b", 2.4, abstract=0.8, anchors="foundation", key="foundation"),
    _cue(
        "phrase",
        r"\b(?:large |)language models?\b|\blanguage modell?ing\b|\bLLMs?\b",
        1.2,
        abstract=0.7,
        anchors="language llm llms",
        key="language_model",
    ),
    _cue("phrase", r"\bmasked (?:language|image|acoustic|autoencoder|sequence)\w*", 1.6, anchors="masked"),
    _cue("phrase", r"\bmasked autoencoders?\b", 1.2, anchors="masked"),
    _cue("phrase", r"\bself-supervised\b", 0.9, anchors="self"),
    _cue(
        "phrase",
        r"\b(?:language|linguistic|text|speech|audio|visual|cross-lingual|contextuali[sz]ed) representations?\b",
        1.2,
        anchors="representation representations",
    ),
    _cue(
        "phrase",
        r"\b(?:vision[- ]and[- ]language|vision-language|visual-linguistic|image-text|video-text|cross-modal|multi-?modal)\b",
        1.0,
        anchors="vision visual image video cross multi multimodal",
    ),
    _cue("phrase", r"\btransfer(?: learning)?\b", 0.6, anchors="transfer"),
    _cue(
        "phrase",
        r"\b(?:text-to-text|sequence[- ]to[- ]sequence|seq2seq)\b",
        0.5,
        anchors="text sequence seq2seq",
    ),
    _cue(
        "phrase",
        r"\b(?:encoders?|contextuali[sz]ed|embeddings?)\b",
        0.5,
        anchors="encoder encoders contextualised contextualized embedding embeddings",
    ),
    _cue(
        "phrase",
        r"\b(?:generative pre-?trained|unified|universal|generalist) (?:\w+ ){0,2}(?:model|transformer|encoder)s?\b",
        0.8,
        anchors="generative unified universal generalist",
    ),
    _cue(
        "phrase",
        r"\b(?:billion|trillion)[- ](?:parameters?|tokens?|scale)\b|\b\d+(?:\.\d+)?[BM] parameters?\b",
        1.0,
        anchors="billion trillion parameter parameters",
    ),
    _cue(
        "phrase",
        r"\b(?:we|and) (?:publicly |)(?:release|open-source|make (?:\w+ ){0,3}(?:publicly |freely |)available)\b",
        0.8,
        anchors="release open make",
    ),
    _cue("phrase", r"\b(?:zero|few)-shot\b", 0.4, anchors="zero few"),
    _cue(
        "phrase",
        r"\bnatural language (?:understanding|generation|processing)\b|\blanguage (?:understanding|generation)\b",
        0.8,
        anchors="language + understanding generation processing",
    ),
    _cue(
        "phrase",
        r"\b(?:multi-?lingual|cross-?lingual)\b",
        0.6,
        anchors="multi multilingual cross crosslingual",
    ),
    _cue(
        "phrase",
        r"\b(?:unsupervised|contrastive) (?:\w+ ){0,2}(?:learning|training|representations?)\b",
        0.6,
        anchors="unsupervised contrastive",
    ),
    _cue("phrase", r"\brepresentation learning\b", 0.6, anchors="representation"),
    _cue("phrase", r"\b(?:large-scale|at scale|web-scale|scaling)\b", 0.5, anchors="scale scaling"),
    _cue("phrase", r"\btransformers?\b", 0.3, anchors="transformer transformers"),
    _cue("phrase", r"\btext-to-image\b|\b(?:text|image) generation\b", 0.6, anchors="image generation"),
    _cue(
        "phrase",
        r"\b(?:scaling laws?|compute-optimal|tokeni[sz]ation-free|token-free)\b",
        1.0,
        anchors="law laws optimal free",
    ),
    _cue(
        "phrase",
        r"\b(?:continual|domain|task)-(?:adaptive|specific) pre-?training\b|\bdomain adaptation of (?:\w+ ){0,2}language models?\b",
        0.8,
        anchors="pre pretraining adaptation + continual domain task",
    ),
    # A paper that names its own model after a family: FinBERT, BioMegatron, e-CLIP, JASMINE-GPT, or
    # "XLNet: ..." (the family word is the title's name). A bare "BERT" or "GPT-4" is a model the paper
    # uses or studies far more often than one it releases, so it counts less (and not on top).
    _cue(
        "model family",
        rf"\b(?:\w+-?(?:{_FAMILY})\w*|(?:{_FAMILY})(?!s\b)[A-Za-z]\w*)|^(?:{_FAMILY})(?=\s*:)",
        2.4,
        abstract=1.4,
        flags=0,
        anchors=_FAMILY_ANCHORS,
        key="family_named",
        excludes="family_bare",
    ),
    _cue(
        "model family",
        rf"\b(?:{_FAMILY})\b",
        1.2,
        abstract=0.8,
        flags=0,
        anchors=_FAMILY_ANCHORS,
        key="family_bare",
    ),
    _cue("phrase", r"\bBERTology\b|\btransformer-based language\b", 1.0, anchors="bertology transformer"),
    _cue(
        "phrase",
        r"\b(?:we|this paper|this work) (?:present|introduce|propose|release|train|build|develop)s? (?:\w+, )?(?:a |an |the )?"
        r"(?:\w+[ -]){0,3}(?:pre-?trained|foundation|language|vision-language) models?\b",
        1.0,
        anchors="model models + present presents introduce introduces propose proposes release releases train trains build builds develop develops",
    ),
    # --- surveys ---
    _cue(
        "survey wording",
        r"\b(?:a survey|survey (?:of|on)|a review of|a primer|past, present and future|an overview of|recent advances)\b|: a survey\b",
        0.8,
        anchors="survey review primer future overview advances",
    ),
    # --- what a paper that only *uses* PTMs says ---
    _cue(
        "negative cue",
        r"\bwe fine-?tune\b|\bfine-?tun(?:e|ing) (?:\w+ ){0,3}for\b",
        -0.9,
        anchors="fine finetune finetuning",
    ),
    _cue(
        "uses a PTM",
        r"\b(?:using|uses?|leverag\w+|utili[sz]\w+|relies on|rely on|based on|built on|employ\w*|adopts?|with|from|of|in|into|on top of) "
        r"(?:a |an |the |existing |off-the-shelf |)(?:large |)(?:\w+ ){0,1}pre-?trained\b",
        -1.3,
        anchors="pre pretrained",
        key="uses_pretrained",
    ),
    _cue("negative cue", r"\bbenchmark(?:s|ing)?\b", -1.0, anchors="benchmark benchmarks benchmarking"),
    _cue(
        "negative cue",
        r"\bwe (?:evaluate|assess|investigate|analy[sz]e|examine|probe|study)\b|\b(?:evaluating|probing|analy[sz]ing|investigating)\b",
        -0.7,
        anchors="evaluate assess investigate analyse analyze examine probe study evaluating probing analysing analyzing investigating",
    ),
    # A paper that studies, evaluates or merely uses a model someone else released (title wording a
    # human would name: "Assessing BERT's ...", "What Does BERT Look At?", "When ... LLMs ...").
    _cue(
        "studies a model",
        r"(?:^|: )(?:Assessing|Evaluating|Probing|Analy[sz]ing|Interpreting|Revealing|Examining|Investigating|"
        r"Understanding|Measuring|Quantifying|Explaining|Dissecting|Identifying|Inducing|Towards Interpreting|"
        r"What|How|Why|Is|Are|Does|Do|Can|When)\b|\w['’]s (?:\w+ ){0,2}"
        r"(?:abilit\w+|knowledge|attention|representations?|behaviou?r|capabilit\w+|story|multilinguality)\b",
        -1.5,
        abstract=0.0,
        flags=0,
        anchors="assessing evaluating probing analysing analyzing interpreting revealing examining investigating "
        "understanding measuring quantifying explaining dissecting identifying inducing towards what how why is are "
        "does do can when s",
        key="study_title",
    ),
    _cue(
        "uses a PTM",
        r"\b(?:using|with|via|from|by|fine-?tun\w*|apply\w*|leverag\w*|prompting|querying) "
        r"(?:a |the |)(?:pre-?trained |multilingual |large |off-the-shelf |)"
        r"(?:BERT|GPT-?\d\w*|ChatGPT|CLIP|LLMs?|RoBERTa|wav2vec ?2\.0)\b|\b(?:BERT|LLM|GPT|CLIP)-(?:based|assisted|powered|driven|generated)\b|"
        r"\b(?:using|with|via|from|by|leveraging|applying) (?:\w+ ){0,2}(?:language models|LLMs)\b",
        -1.2,
        anchors="bert gpt* chatgpt clip llm llms roberta wav2vec* models",
        key="uses_named",
    ),
    _cue(
        "evaluates models",
        r"\b(?:we|this (?:paper|study|work)) (?:\w+ly |)(?:evaluate|benchmark|test|compare|prompt|query|assess|probe|"
        r"analy[sz]e|investigate|examine|study|explore)s? (?:\w+[ -]){0,4}?(?:LLMs?|language models?|VLMs?|"
        r"foundation models?|pre-?trained models?|models)\b",
        -1.2,
        abstract=-1.0,
        anchors="evaluate evaluates benchmark test compare prompt query assess probe analyse analyze investigate "
        "investigates examine study explore + llm llms model models vlm vlms",
        key="evaluates_models",
    ),
    _cue(
        "phrase",
        r"\b(?:release|releasing|open-source|make|publicly available)\b[^.]{0,60}?\b(?:weights|checkpoints|"
        r"pre-?trained models?)\b",
        1.0,
        anchors="weights checkpoints pre pretrained + release releasing open make available",
        key="release_weights",
    ),
    _cue(
        "negative cue",
        r"\b(?:empirical study|case study|analysis of|what does|how (?:much|well|do))\b",
        -0.6,
        anchors="empirical case analysis what how",
    ),
    _cue(
        "negative cue",
        r"\bprompt(?:s|ing| engineering| design)?\b|\bin-context learning\b|\bchain-of-thought\b",
        -0.9,
        anchors="prompt prompts prompting context chain",
    ),
    _cue(
        "negative cue",
        r"\bjailbreak\w*|\bred[- ]teaming\b|\bharmful\b|\bmisinformation\b",
        -1.5,
        anchors="red teaming harmful misinformation jailbreak*",
    ),
    _cue("negative cue", r"\b(?:agents?|agentic|tool use)\b", -0.7, anchors="agent agents agentic tool"),
    _cue(
        "negative cue",
        r"\b(?:hallucinations?|attacks?|adversarial|watermark\w*|backdoor)\b",
        -0.6,
        anchors="hallucination hallucinations attack attacks adversarial backdoor watermark*",
    ),
    _cue(
        "negative cue",
        r"\b(?:quanti[sz]ation|quanti[sz]ed|pruning|early exit\w*|distill\w*|compress\w*)\b",
        -1.2,
        abstract=-0.5,
        anchors="quantisation quantization quantised quantized pruning early distill* compress*",
        key="compression",
    ),
    _cue(
        "negative cue",
        r"\b(?:reinforcement learning|policy|reward)\b",
        -0.5,
        anchors="reinforcement policy reward",
    ),
    _cue(
        "negative cue",
        r"\b(?:we prove|theorem|lemma|regret|convergence|manifolds?|lower bound)\b",
        -1.2,
        anchors="prove theorem lemma regret convergence manifold manifolds lower",
    ),
    _cue(
        "negative cue",
        r"\b(?:linear attention|efficient transformers?|attention span|long-range|self-attention)\b",
        -0.6,
        anchors="attention transformer transformers range",
    ),
)

# The cue pre-filter, built once. Searching ~45 patterns in every title and abstract dominated a
# poll; the text's tokens say which few cues can match at all, and only those are searched, so every
# score, reason and match text is exactly what searching every cue gives. The tokens are the ones
# the learned model's n-gram features use (``CueText.words``): each text is tokenised once.
_CUES_BY_WORD: dict[str, tuple[int, ...]] = {}
for _i, _c in enumerate(_CUES):
    for _w in _c.anchor_words:
        _CUES_BY_WORD[_w] = (*_CUES_BY_WORD.get(_w, ()), _i)
_ANCHOR_WORDS = frozenset(_CUES_BY_WORD)
_GROUP_WORDS = frozenset(w for _c in _CUES for _g in _c.anchor_groups for w in _g)
_GROUPED_CUES = tuple(_i for _i, _c in enumerate(_CUES) if _c.anchor_groups)
# Cues sharing one parts pattern (the model-family cues) are checked with one search.
_PART_GROUPS: dict[str, tuple[re.Pattern[str], tuple[int, ...]]] = {}
for _i, _c in enumerate(_CUES):
    if _c.anchor_parts is not None:
        _pattern, _indexes = _PART_GROUPS.get(_c.anchor_parts.pattern, (_c.anchor_parts, ()))
        _PART_GROUPS[_c.anchor_parts.pattern] = (_pattern, (*_indexes, _i))
_CUES_BY_PART = tuple(_PART_GROUPS.values())
_ALL_CUES = frozenset(range(len(_CUES)))
_EXCLUDING = tuple(_i for _i, _c in enumerate(_CUES) if _c.excludes)
# The only non-ASCII characters that an IGNORECASE ASCII letter matches ("İ", "ı", "ſ", Kelvin "K");
# "İ" and "K" are also the only characters that ``str.lower`` turns into two, or into ASCII. A text
# holding one is searched with every cue and the patterns as written (``CueText.plain``).
_CASE_TWINS_RE = re.compile("[\u0130\u0131\u017f\u212a]")
_TOKEN_RE = re.compile(r"[a-z0-9]+")


@dataclass(slots=True)
class CueText:
    """A whitespace-normalised title or abstract, lowercased and tokenised once for the cues and
    the learned model's n-gram features."""

    text: str
    lowered: str
    words: list[str]  # the ``[a-z0-9]+`` runs of ``lowered``, in order
    plain: bool  # holds a case twin: ``lowered`` is not searched, nor are cues pre-filtered

    @classmethod
    def of(cls, text: str) -> CueText:
        lowered = text.lower()
        plain = not text.isascii() and _CASE_TWINS_RE.search(text) is not None
        return cls(text, lowered, _TOKEN_RE.findall(lowered), plain)


def _possible_cues(text: CueText) -> frozenset[int] | set[int]:
    """Indexes of the cues that may match *text*: those with their anchors in it.

    Sound on ``words``: an anchor that is a ``\\w+`` run of the text lowercased is ASCII, and the
    characters either side are no word characters, so it is an ``[a-z0-9]+`` run of ``lowered`` too
    (without case twins, see ``_CASE_TWINS_RE``).
    """
    if not text.text:
        return frozenset()
    if text.plain:
        return _ALL_CUES
    found = set().union(*map(_CUES_BY_WORD.__getitem__, _ANCHOR_WORDS.intersection(text.words)))
    for parts_re, indexes in _CUES_BY_PART:
        if not found.issuperset(indexes) and parts_re.search(text.lowered):
            found.update(indexes)
    grouped = found.intersection(_GROUPED_CUES)
    if grouped:
        present = _GROUP_WORDS.intersection(text.words)
        for index in grouped:
            if any(map(present.isdisjoint, _CUES[index].anchor_groups)):
                found.discard(index)
    return found


# Survey wording only matters together with PTM words.
_PTM_WORDS = (
    rf"\b(?:{_PRETRAIN}|foundation models?|language models?|LLMs?|transformers?|BERT\w*|GPT\w*|"
    r"vision-language|multimodal|self-supervised)\b"
)
_SURVEY = r"\b(?:survey|review|primer|overview|past, present and future|recent advances|tutorial)\b"
_SURVEY_OPENING = r"\b(?:this|we|our) (?:paper |article |work |)(?:survey|review)s?\b|\bthis survey\b"
_PTM_WORDS_RE, _SURVEY_RE, _SURVEY_OPENING_RE = map(_Pattern.compile, (_PTM_WORDS, _SURVEY, _SURVEY_OPENING))
SURVEY_WITH_PTM_WEIGHT = 2.2

_CATEGORY_PRIOR: dict[str, float] = {
    "cs.CL": 0.6,
    "cs.CV": 0.3,
    "cs.LG": 0.2,
    "cs.AI": 0.2,
    "cs.IR": 0.2,
    "cs.SD": 0.3,
    "eess.AS": 0.4,
    "cs.MM": 0.3,
    "stat.ML": 0.0,
}


def cue_hits(title: str, abstract: str) -> list[tuple[str, float, str]]:
    """The hand-written cues that fire, as learned-model features: ``(feature, hand-set weight,
    what matched)``. The feature is ``cue:<n>@t`` (found in the title) or ``cue:<n>@a`` (only in
    the abstract), ``n`` the cue's position in the table; ``cue:survey`` for survey wording with PTM
    words. *title* and *abstract* are whitespace-normalised. :data:`CUE_FINGERPRINT` changes
    whenever the table does, so a model trained on another table is not used with this one."""
    return cue_hits_in(CueText.of(title), CueText.of(abstract))


def cue_hits_in(title: CueText, abstract: CueText) -> list[tuple[str, float, str]]:
    """:func:`cue_hits` on texts already prepared (the n-gram features share their tokens)."""
    found: list[tuple[str, float, str]] = []
    fired: dict[str, int] = {}
    in_title, in_abstract = _possible_cues(title), _possible_cues(abstract)
    for index in sorted(in_title | in_abstract):
        cue = _CUES[index]
        m = cue.pattern.search(title) if index in in_title else None
        weight, where = cue.weight, "t"
        if m is None and index in in_abstract and cue.abstract_weight:
            m = cue.pattern.search(abstract)
            weight, where = cue.abstract_weight, "a"
        if m is None or not weight:
            continue
        if cue.key:
            fired[cue.key] = index
        place = "title" if where == "t" else "abstract"
        found.append((f"cue:{index}@{where}", weight, f'{cue.label} "{m}" in {place}'))
    excluded = {_CUES[i].excludes for i in _EXCLUDING if _CUES[i].key in fired}
    if excluded:
        drop = {f"cue:{i}@" for i, c in enumerate(_CUES) if c.key in excluded}
        found = [f for f in found if f[0][: f[0].index("@") + 1] not in drop]
    survey = survey_match(title, abstract)
    if survey:
        found.append(("cue:survey", SURVEY_WITH_PTM_WEIGHT, f'survey wording "{survey}" with PTM words'))
    return found


def cue_priors() -> dict[str, float]:
    """The hand-set weight of every cue feature and category: the learned model is pulled toward them."""
    priors = {"cue:survey": SURVEY_WITH_PTM_WEIGHT}
    for index, cue in enumerate(_CUES):
        priors[f"cue:{index}@t"] = cue.weight
        if cue.abstract_weight:
            priors[f"cue:{index}@a"] = cue.abstract_weight
    priors.update({f"cat:{c}": w for c, w in _CATEGORY_PRIOR.items()})
    return priors


def survey_match(title: CueText, abstract: CueText) -> str | None:
    """Survey wording in the title together with PTM words (in the title, or the abstract start)."""
    m = _SURVEY_RE.search(title)
    opening = min(300, len(abstract.text))
    if m is None:
        m2 = _SURVEY_OPENING_RE.search(abstract, opening)
        if m2 is None or not (_PTM_WORDS_RE.search(title) or _PTM_WORDS_RE.search(abstract, opening)):
            return None
        return m2
    if _PTM_WORDS_RE.search(title) or _PTM_WORDS_RE.search(abstract, opening):
        return m
    return None


CUE_FINGERPRINT = hashlib.sha256(
    repr([(c.pattern.regex.pattern, c.weight, c.abstract_weight, c.excludes) for c in _CUES]).encode()
).hexdigest()[:12]
