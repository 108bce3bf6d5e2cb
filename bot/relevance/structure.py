"""How a paper is built: does it introduce a new artefact, or study and apply existing ones?

Words alone confuse "we pre-train X" with "we probe what pre-trained models know": both say
"pre-trained". The shape of the title and of the abstract's claims tells them apart, and these
features say which shape a paper has. Each is a binary feature of the learned model (``s:<name>``),
with what matched, so a card reads ``introduces "Kimi-VL" in abstract +0.9``.

Introduction structure (a new artefact):

- ``s:t_named``: the title opens with a coined name and a colon ("Qwen3-VL: ...", "SAM 2: ...");
- ``s:t_short``: the whole title is a name of one to three capitalised words ("Segment Anything");
- ``s:t_report``: "Technical Report", "System Card", "Model Card" in the title;
- ``s:a_introduce``: "we introduce / present / release NAME", NAME a coined word (in the abstract's
  first 500 characters, where a paper says what it introduces);
- ``s:a_is_model``: "NAME, a (family of) ... model(s)" or "NAME is a ... model" (also the opening);
- ``s:a_scale``: parameter or token counts ("7B parameters", "2T tokens", "15B");
- ``s:a_release``: weights, checkpoints or code released ("we release", "open-weight", "publicly available").

Study and application structure (using what exists):

- ``s:t_question``: a question title ("Can LLMs ...?", "Do ...", "How ...");
- ``s:t_study``: a title that studies ("Revisiting", "Rethinking", "Evaluating", "Probing", "Towards
  understanding", "An empirical study", "Benchmarking", "On the ...");
- ``s:t_ptm_for``: an existing model put to a use ("LLMs for X", "Foundation Models for X",
  "Leveraging / Using / with LLMs");
- ``s:a_study``: "we evaluate / benchmark / probe / investigate / analyse / study whether / how / ...";
- ``s:a_adapt``: "fine-tune / prompt / adapt (a / the) pre-trained / existing / off-the-shelf" models;
- ``s:t_survey_other``: a survey whose title names no pre-trained-model words (the topic is a task).

Interactions (the factorised score's cheap form): ``s:new&ptm`` when an introduction feature and a
PTM word both fire, ``s:study&ptm`` likewise for study features.
"""

from __future__ import annotations

import re

from bot.relevance.regex_search import SplitSearch

__all__ = ["STRUCTURE_FEATURES", "structure_hits"]

_F = re.IGNORECASE

# A coined name: a word with an inner capital or a digit, or an all-capitals acronym ("LLaMA",
# "Qwen2.5", "GPT-4o", "SAM", "XLS-R"), or a capitalised word followed by a version ("Gemma 3").
_COINED = r"(?:[A-Za-z]*[A-Z][a-z0-9]*[A-Z0-9][\w.+-]*|[A-Z][a-z]+-?\d[\w.+-]*|[A-Z]{2,}[\w.+-]*)"
_GENERIC_HEADS = frozenset(
    "a an the on towards toward survey position review revisiting rethinking beyond understanding "
    "evaluating benchmarking probing when why how what can do does is are should focus session "
    "technical report overview tutorial perspective vision case study".split()
)
_TITLE_NAME_RE = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+\S")
_COINED_RE = re.compile(rf"^{_COINED}$")
_PTM_RE = re.compile(
    r"\b(?:pre-?train\w*|foundation models?|language models?|LLMs?|MLLMs?|VLMs?|LMMs?|transformers?|"
    r"BERT\w*|GPT\w*|ChatGPT|self-supervised|vision-language|multimodal models?|speech models?|"
    r"base models?|checkpoints?)\b",
    _F,
)

# Where each pattern looks: "title", "head" (the abstract's opening, where a paper says what it
# introduces), "lower" (the whole abstract, lowercased: the pattern is written in lower case and needs
# no IGNORECASE, so the regex engine can skip ahead to its first letters: scoring stays fast). Each is
# searched one alternative at a time, where the literals it needs occur (``SplitSearch``).
_HEAD = 500
_PATTERNS: dict[str, tuple[str, SplitSearch]] = {
    "s:t_report": (
        "title",
        SplitSearch.compile(r"\b(?:technical|tech) report\b|\b(?:system|model) card\b", _F),
    ),
    "s:a_introduce": (
        "head",
        SplitSearch.compile(
            r"(?:[Ww]e|[Tt]his (?:paper|report|work)) (?:introduce|present|release|open-source|unveil|propose|"
            r"build|train|develop)s? (?:the |a new |our )?"
            + rf"({_COINED}|[A-Z][a-z]+(?: [A-Z][a-z]+){{0,2}}(?=,| \(|:))"
        ),
    ),
    "s:a_is_model": (
        "head",
        SplitSearch.compile(
            rf"\b{_COINED},? (?:a|an|which is a|is a|is an) (?:new |novel |open |family of |series of |suite of |"
            r"[\w-]+ ){0,5}(?:models?|LLMs?|foundation models?|language models?|encoders?|transformers?)\b"
        ),
    ),
    "s:a_scale": (
        "lower",
        SplitSearch.compile(
            r"\d(?:\.\d+)?\s?(?:[bmt]\b|billion|million|trillion)(?:[- ](?:parameters?|params|tokens))?"
            r"|(?:trillion|billion) tokens\b"
        ),
    ),
    "s:a_release": (
        "lower",
        SplitSearch.compile(
            r"we (?:publicly )?(?:release|open-source|open source|make (?:\w+ ){0,3}(?:publicly )?available)\b|"
            r"open-weights?\b|(?:weights|checkpoints|models?) (?:are|is|will be) (?:publicly |freely |openly )?"
            r"(?:available|released)\b|huggingface\.co|hugging face hub"
        ),
    ),
    "s:t_short": ("title", SplitSearch.compile(r"^[A-Z][\w.+-]*(?: [A-Z0-9][\w.+-]*){0,2}$")),
    "s:t_question": (
        "title",
        SplitSearch.compile(
            r"^(?:can|do|does|did|how|what|why|is|are|when|should|which|where|will|to what)\b|\?\s*$", _F
        ),
    ),
    "s:t_study": (
        "title",
        SplitSearch.compile(
            r"^(?:revisiting|rethinking|understanding|evaluating|probing|benchmarking|analy[sz]ing|"
            r"investigating|exploring|assessing|measuring|quantifying|characteri[sz]ing|on the|"
            r"towards? (?:a )?(?:better )?understanding|an? (?:empirical|systematic|comprehensive|critical|"
            r"large-scale) (?:study|analysis|evaluation|investigation|assessment))\b|"
            r"\b(?:an empirical study|a case study|a systematic (?:study|evaluation|review))\b",
            _F,
        ),
    ),
    "s:t_ptm_for": (
        "title",
        SplitSearch.compile(
            r"\b(?:LLMs?|large language models?|foundation models?|language models?|ChatGPT|GPT-4\w*|VLMs?|"
            r"MLLMs?|vision-language models?) (?:for|in|as|meet|on)\b|"
            r"\b(?:using|leveraging|with|via|harnessing|prompting|adapting|fine-tuning) (?:pre-?trained |large )?"
            r"(?:LLMs?|language models?|foundation models?|ChatGPT|GPT-4\w*|VLMs?|MLLMs?|vision-language models?)\b",
            _F,
        ),
    ),
    "s:a_study": (
        "lower",
        SplitSearch.compile(
            r"we (?:systematically |empirically |comprehensively |further )?(?:evaluate|benchmark|probe|"
            r"investigate|analy[sz]e|study|examine|assess|explore|audit|measure) (?:whether|how|what|why|the|"
            r"a|\d|several|various|existing|state-of-the-art|popular)\b"
        ),
    ),
    "s:a_adapt": (
        "lower",
        SplitSearch.compile(
            r"(?:fine-?tun|prompt|adapt|leverag|utili[sz]|employ)\w* (?:a |an |the |several |)"
            r"(?:pre-?trained|existing|off-the-shelf|open-source|frozen|general-purpose|large) "
            r"(?:\w+ ){0,2}(?:models?|llms?|encoders?|backbones?|vlms?)\b"
        ),
    ),
}
_SURVEY_TITLE_RE = re.compile(r"\b(?:survey|review|overview|primer|tutorial)\b", _F)

_INTRO = ("s:t_named", "s:t_short", "s:t_report", "s:a_introduce", "s:a_is_model", "s:a_release")
_STUDY = ("s:t_question", "s:t_study", "s:t_ptm_for", "s:a_study", "s:a_adapt")

STRUCTURE_FEATURES = (
    *_PATTERNS,
    "s:t_named",
    "s:t_survey_other",
    "s:new&ptm",
    "s:study&ptm",
)


def _coined_title_name(title: str) -> str | None:
    m = _TITLE_NAME_RE.match(title)
    if m is None:
        return None
    head = m.group(1).strip(" $*\"'")
    words = head.split()
    if not words or len(words) > 4 or words[0].lower() in _GENERIC_HEADS:
        return None
    if any(_COINED_RE.match(w) for w in words) or (len(words) == 1 and head[:1].isupper()):
        return head
    return None


def structure_hits(title: str, abstract: str) -> dict[str, str]:
    """The structure features that fire for a paper, each with what matched (for its reason).

    *title* and *abstract* are whitespace-normalised; the abstract features need an abstract."""
    found: dict[str, str] = {}
    name = _coined_title_name(title)
    if name:
        found["s:t_named"] = f'names "{name}" in title'
    texts = {"title": title, "head": abstract[:_HEAD], "lower": abstract.lower()}
    for feature, (where, pattern) in _PATTERNS.items():
        text = texts[where]
        if not text:
            continue
        span = pattern.span(text)
        if span is not None:
            place = "title" if where == "title" else "abstract"
            start, end = span
            while start and (text[start - 1].isdigit() or text[start - 1] == "."):  # "235b", not "5b"
                start -= 1
            found[feature] = f'{_LABELS[feature]} "{text[start:end][:40].strip(", ")}" in {place}'
    if _SURVEY_TITLE_RE.search(title) and not _PTM_RE.search(title):
        found["s:t_survey_other"] = "survey of a topic, no PTM words in title"
    intro = any(f in found for f in _INTRO)
    study = any(f in found for f in _STUDY)
    if intro or study:  # the PTM-word search only when an interaction can fire
        ptm = _ptm_word(title.lower()) or _ptm_word(texts["lower"])
        if ptm and intro:
            found["s:new&ptm"] = f'introduces a model, PTM word "{ptm}"'
        if ptm and study:
            found["s:study&ptm"] = f'studies or applies, PTM word "{ptm}"'
    return found


# Substrings of lowercased text that say "pre-trained models" (a substring test is far cheaper than
# a word-boundary regex over a whole abstract; the interaction features only need a yes).
_PTM_SUBSTRINGS = (
    "pre-train",
    "pretrain",
    "foundation model",
    "language model",
    "llm",
    "transformer",
    "bert",
    "gpt",
    "self-supervised",
    "vision-language",
    "multimodal model",
    "speech model",
    "base model",
    "checkpoint",
)


def _ptm_word(lowered: str) -> str | None:
    for word in _PTM_SUBSTRINGS:
        if word in lowered:
            return word
    return None


_LABELS = {
    "s:t_report": "report or card",
    "s:t_short": "a name for a title",
    "s:a_introduce": "introduces",
    "s:a_is_model": "names a model",
    "s:a_scale": "scale",
    "s:a_release": "releases",
    "s:t_question": "question title",
    "s:t_study": "study title",
    "s:t_ptm_for": "applies a model",
    "s:a_study": "studies",
    "s:a_adapt": "adapts a model",
}
