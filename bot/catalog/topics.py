"""The topic taxonomy and the rule-based classifier that tags entries with it.

Every topic has cues, and an entry gets a topic when one of its cues occurs. Cues are matched
on folded text (case and diacritics ignored), at word boundaries (a cue never matches inside a
longer Latin word, so "sew" is not found in "sewing", but "ocr" is found in "bert的ocr"):

* **text cues** (words and phrases, e.g. "speech", "question answering") are looked for in the
  name, the paper title, the section and the entry's description (the abstract);
* **name cues** (model families, e.g. "wav2vec", "layoutlm") are looked for only in the name
  and in link slugs: the Hugging Face docs slug (``model_doc/speech_to_text`` reads as
  "speech to text") and a GitHub repository's name;
* **language topics** (Chinese, French, ...) and ``multilingual`` use the name and title only:
  a note such as "a German version of DistilBERT" does not make DistilBERT a German model;
* ``survey`` also comes from the section (the list's "Survey" section);
* an entry that is both ``speech`` and ``vision`` is also ``multimodal``.

Decisions worth knowing: Data2Vec ("Self-supervised Learning in Speech, Vision and Language",
with speech, vision and text checkpoints) is ``speech``, ``vision`` and ``multimodal``; the
Longformer/BigBird family is ``long-context`` *and* ``efficiency`` (sparse attention is an
efficient attention); OCR and layout models are ``document``. ``docs/topics.md`` has the
taxonomy with each topic's meaning and cues. The classifier is explainable on purpose:
:func:`explain` returns, per topic, the cue that fired.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from db.normalize import fold, norm_key

__all__ = ["TOPICS", "TopicInfo", "cue_counts", "explain", "parse_topic", "topic_label", "topics_for"]


@dataclass(frozen=True)
class TopicInfo:
    slug: str
    label: str
    description: str


@dataclass(frozen=True)
class _Rule:
    text: tuple[str, ...] = ()  # words/phrases in name, title, section, abstract
    names: tuple[str, ...] = ()  # family names in the name and link slugs
    synonyms: tuple[str, ...] = ()  # what users type for this topic (parse_topic)
    name_and_title_only: bool = False  # language topics: the abstract does not count


def _t(slug: str, label: str, description: str, rule: _Rule) -> tuple[str, TopicInfo, _Rule]:
    return slug, TopicInfo(slug, label, description), rule


_LANGUAGES = {
    # The languages the list names (the taxonomy stays within Discord's 25 choices).
    # slug: (label, words in name/title, synonyms)
    "chinese": ("Chinese", ("chinese", "中文", "汉语", "mandarin"), ("zh", "中文")),
    "french": ("French", ("french", "français", "francais"), ("fr",)),
    "vietnamese": ("Vietnamese", ("vietnamese",), ("vi",)),
    "german": ("German", ("german", "deutsch"), ("de",)),
    "swedish": ("Swedish", ("swedish",), ("sv",)),
}

_DEFS: list[tuple[str, TopicInfo, _Rule]] = [
    _t(
        "speech",
        "Speech (audio)",
        "Spoken language and audio: speech recognition and translation, speech representation learning.",
        _Rule(
            text=("speech", "audio", "spoken", "phoneme", "phonemes", "acoustic", "speaker", "asr", "语音"),
            names=(
                "wav2vec",
                "wav2vec2",
                "hubert",
                "wavlm",
                "unispeech",
                "sew",
                "sew d",
                "xls r",
                "xlsr",
                "speech2text",
                "whisper",
                "data2vec",
            ),
            synonyms=("audio", "asr", "speech recognition", "voice", "automatic speech recognition"),
        ),
    ),
    _t(
        "vision",
        "Vision (images)",
        "Computer vision: image classification, detection, segmentation, image generation, OCR.",
        _Rule(
            text=(
                "image",
                "images",
                "visual",
                "pixel",
                "pixels",
                "vision transformer",
                "vision transformers",
                "for vision",
                "vision learners",
                "vision and language",
                "vision-and-language",
                "object detection",
                "segmentation",
                "convnet",
                "convnets",
                "optical character recognition",
                "图像",
                "视觉",
            ),
            names=(
                "vit",
                "vit mae",
                "beit",
                "deit",
                "swin",
                "convnext",
                "detr",
                "segformer",
                "poolformer",
                "maskformer",
                "imagegpt",
                "clip",
                "data2vec",
                "trocr",
            ),
            synonyms=("image", "images", "computer vision", "cv", "visual", "image classification"),
        ),
    ),
    _t(
        "multimodal",
        "Multimodal",
        "More than one modality: vision-and-language, text and layout, speech with vision.",
        _Rule(
            text=(
                "multimodal",
                "multi-modal",
                "multi modal",
                "cross-modality",
                "cross-modal",
                "vision and language",
                "vision-and-language",
                "natural language supervision",
                "text and layout",
                "多模态",
            ),
            names=(
                "clip",
                "vilt",
                "visualbert",
                "visual bert",
                "lxmert",
                "layoutlm",
                "layoutlmv2",
                "layoutxlm",
                "data2vec",
                "perceiver",
            ),
            synonyms=("multi-modal", "multi modal", "vision language", "vision-language", "vl"),
        ),
    ),
    _t(
        "multilingual",
        "Multilingual",
        "Many languages in one model, cross-lingual transfer.",
        _Rule(
            text=(
                "multilingual",
                "cross-lingual",
                "cross lingual",
                "crosslingual",
                "english-centric",
                "多语言",
                "跨语言",
            ),
            names=(
                "xlm",
                "xlm roberta",
                "xlm prophetnet",
                "mbart",
                "mt5",
                "m2m",
                "m2m 100",
                "mluke",
                "xglm",
                "layoutxlm",
                "xls r",
                "xlsr",
                "rembert",
                "labse",
            ),
            synonyms=("cross-lingual", "crosslingual", "many languages", "polyglot"),
            name_and_title_only=True,
        ),
    ),
    _t(
        "generation",
        "Text generation",
        "Generative and sequence-to-sequence language models (Hugging Face task: text-generation).",
        _Rule(
            text=(
                "generation",
                "generative",
                "generating",
                "sequence-to-sequence",
                "sequence to sequence",
                "seq2seq",
                "text-to-text",
                "autoregressive",
                "nlg",
                "生成",
            ),
            names=(
                "gpt",
                "gpt2",
                "gpt 2",
                "gpt j",
                "gptj",
                "gpt neo",
                "openai gpt",
                "megatron gpt2",
                "ctrl",
                "xglm",
                "cpm",
                "t5",
                "mt5",
                "byt5",
                "t5v1.1",
                "bart",
                "mbart",
                "pegasus",
                "prophetnet",
                "xlm prophetnet",
                "blenderbot",
                "dialogpt",
            ),
            synonyms=("text generation", "text-generation", "generative", "nlg", "seq2seq", "gpt"),
        ),
    ),
    _t(
        "efficiency",
        "Efficiency",
        "Smaller, faster, cheaper: distillation, compression, quantisation, pruning, efficient attention.",
        _Rule(
            text=(
                "efficient",
                "efficiency",
                "lite",
                "light",
                "lightweight",
                "distillation",
                "distilled",
                "distil",
                "compress",
                "compression",
                "compressing",
                "quantization",
                "quantisation",
                "quantized",
                "pruning",
                "integer-only",
                "integer quantization",
                "smaller, faster",
                "subarchitecture",
                "linear cost",
                "linear complexity",
                "approximating self-attention",
                "sparse attention",
                "fourier transforms",
                "serving system",
                "轻量级",
                "蒸馏",
                "压缩",
                "量化",
            ),
            names=(
                "albert",
                "distilbert",
                "squeezebert",
                "ibert",
                "i bert",
                "qdqbert",
                "bort",
                "mobilebert",
                "tinybert",
                "reformer",
                "nystromformer",
                "yoso",
                "funnel",
                "fnet",
                "performer",
                "performers",
                "longformer",
                "led",
                "big bird",
                "bigbird",
                "bigbird pegasus",
                "deit",
                "textbrewer",
            ),
            synonyms=(
                "efficient",
                "compression",
                "distillation",
                "quantization",
                "quantisation",
                "pruning",
                "efficient attention",
                "small",
                "fast",
            ),
        ),
    ),
    _t(
        "long-context",
        "Long context",
        "Long inputs: long documents and sequences beyond the usual 512 tokens.",
        _Rule(
            text=(
                "long document",
                "long-document",
                "long documents",
                "longer sequences",
                "long sequences",
                "long texts",
                "long text",
                "fixed-length context",
                "长文本",
            ),
            names=(
                "longformer",
                "led",
                "big bird",
                "bigbird",
                "bigbird pegasus",
                "bigbird roberta",
                "reformer",
                "transformer xl",
                "transfo xl",
                "cogltx",
            ),
            synonyms=("long context", "long-document", "long documents", "long sequences", "longcontext"),
        ),
    ),
    _t(
        "retrieval",
        "Retrieval & knowledge",
        "Retrieval, dense passage search, knowledge-enhanced and entity-aware models.",
        _Rule(
            text=(
                "retrieval",
                "retriever",
                "retrieval-augmented",
                "passage",
                "passages",
                "knowledge",
                "knowledge-intensive",
                "knowledge enhanced",
                "entity",
                "entities",
                "检索",
                "知识图谱",
            ),
            names=("dpr", "realm", "rag", "luke", "mluke", "erica", "colbert"),
            synonyms=("knowledge", "search", "information retrieval", "ir", "dense retrieval", "rag"),
        ),
    ),
    _t(
        "dialogue",
        "Dialogue",
        "Conversational models and chatbots.",
        _Rule(
            text=(
                "dialogue",
                "dialog",
                "dialogues",
                "conversational",
                "conversation",
                "chatbot",
                "chat",
                "对话",
            ),
            names=("dialogpt", "blenderbot", "blenderbot small"),
            synonyms=("dialog", "chat", "chatbot", "conversational", "conversation"),
        ),
    ),
    _t(
        "code",
        "Code",
        "Programming languages: code understanding and generation.",
        _Rule(
            text=("program", "programs", "programming", "source code", "code generation", "code search"),
            names=("plbart", "codebert", "codet5", "codegen", "codex"),
            synonyms=("programming", "source code", "program", "programs"),
        ),
    ),
    _t(
        "document",
        "Document understanding",
        "Documents as images: layout, OCR, forms and receipts (Hugging Face: document-question-answering).",
        _Rule(
            text=(
                "document understanding",
                "document image",
                "visually-rich document",
                "layout",
                "ocr",
                "optical character recognition",
                "版面",
            ),
            names=("layoutlm", "layoutlmv2", "layoutxlm", "trocr", "donut"),
            synonyms=("documents", "layout", "ocr", "document ai", "document understanding"),
        ),
    ),
    _t(
        "table",
        "Tables",
        "Tables and structured data (Hugging Face: table-question-answering).",
        _Rule(
            text=("table", "tables", "tabular", "表格"),
            names=("tapas", "tapex"),
            synonyms=("tables", "tabular", "table qa", "table-question-answering"),
        ),
    ),
    _t(
        "translation",
        "Translation",
        "Machine translation, text or speech.",
        _Rule(
            text=("translation", "translator", "translate", "翻译"),
            names=("marian", "marianmt", "m2m", "m2m 100"),
            synonyms=("machine translation", "mt", "translate", "nmt"),
        ),
    ),
    _t(
        "summarization",
        "Summarization",
        "Abstractive and extractive summarization.",
        _Rule(
            text=("summarization", "summarisation", "summary", "summaries", "摘要"),
            names=("pegasus", "bigbird pegasus"),
            synonyms=("summarisation", "summary", "summaries", "summarize", "summarise"),
        ),
    ),
    _t(
        "question-answering",
        "Question answering",
        "Extractive and open-domain question answering, reading comprehension.",
        _Rule(
            text=("question answering", "question-answering", "reading comprehension", "问答"),
            names=("splinter", "tapas", "dpr"),
            synonyms=("qa", "question answering", "questions", "reading comprehension"),
        ),
    ),
    _t(
        "biomedical",
        "Biomedical",
        "Biology, medicine and clinical text.",
        _Rule(
            text=("biomedical", "biomedicine", "clinical", "medical", "biology", "生物医学", "医学"),
            names=("biobert", "pubmedbert", "scibert", "clinicalbert"),
            synonyms=("medical", "clinical", "bio", "biology", "health"),
        ),
    ),
    _t(
        "graph",
        "Graphs",
        "Graph-structured data and graph neural networks.",
        _Rule(
            text=("graph", "graphs", "gnn", "gnns", "图神经"),
            synonyms=("graphs", "gnn", "graph neural network"),
        ),
    ),
    _t(
        "survey",
        "Surveys",
        "Surveys and overviews of the field (the list's Survey section).",
        _Rule(
            text=("survey", "a survey", "systematic survey", "综述"),
            synonyms=("surveys", "overview", "review", "reviews"),
        ),
    ),
    *(
        _t(
            slug,
            label,
            f"Models and resources for {label}.",
            _Rule(text=words, synonyms=syn, name_and_title_only=True),
        )
        for slug, (label, words, syn) in _LANGUAGES.items()
    ),
]

TOPICS: dict[str, TopicInfo] = {slug: info for slug, info, _ in _DEFS}
_RULES: dict[str, _Rule] = {slug: rule for slug, _, rule in _DEFS}


def _cue_pattern(cues: Sequence[str]) -> re.Pattern[str] | None:
    """Cues at Latin word boundaries (CJK characters are never a boundary problem)."""
    words = sorted({fold(c) for c in cues if c}, key=len, reverse=True)
    if not words:
        return None
    alts = []
    for word in words:
        # Spaces, hyphens and underscores are interchangeable (and optional) inside a cue.
        body = r"[\s\-_]*".join(re.escape(p) for p in re.split(r"[\s\-_]+", word) if p)
        # Boundaries only where the cue begins or ends with a Latin letter or digit.
        head = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", word) else ""
        tail = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", word) else ""
        alts.append(head + body + tail)
    return re.compile("|".join(alts))


@functools.cache
def _patterns() -> tuple[dict[str, re.Pattern[str] | None], dict[str, re.Pattern[str] | None]]:
    """Each topic's text and name cue patterns, compiled on first use rather than at import: every
    ``ptm-bot`` call imports this module (start-up time), few classify anything."""
    return (
        {slug: _cue_pattern(rule.text) for slug, rule in _RULES.items()},
        {slug: _cue_pattern(rule.names) for slug, rule in _RULES.items()},
    )


class _CueFilter:
    """Which topics' cue patterns (:func:`_patterns`) can match a folded text at all.

    A pre-filter for speed (a poll classifies hundreds of papers), never a cue of its own: every
    topic it rules out has no match in the text, so :func:`explain` gives exactly what searching
    every pattern gives. Why it holds: a cue that begins with a Latin letter or digit matches only
    where a run of ``[a-z0-9]`` begins (its look-behind), and that run starts with the cue's own
    leading run; any other cue's match contains the cue's first piece verbatim.
    """

    def __init__(self, cues_by_slug: dict[str, tuple[str, ...]]) -> None:
        self.by_head: dict[str, list[tuple[str, str]]] = {}  # a run's first 3 chars -> (lead, slug)
        self.short: dict[str, set[str]] = {}  # leads of 1 or 2 chars -> slugs
        self.pieces: list[tuple[str, str]] = []  # (first piece, slug) of cues without a boundary
        self.always: set[str] = set()  # a cue of separators only matches everywhere
        for slug, cues in cues_by_slug.items():
            for word in {fold(c) for c in cues if c}:  # as _cue_pattern sees them
                pieces = [p for p in re.split(r"[\s\-_]+", word) if p]
                lead = re.match(r"[a-z0-9]+", word)
                if not pieces:
                    self.always.add(slug)
                elif lead is None:
                    self.pieces.append((pieces[0], slug))
                elif len(lead.group()) < 3:
                    self.short.setdefault(lead.group(), set()).add(slug)
                else:
                    self.by_head.setdefault(lead.group()[:3], []).append((lead.group(), slug))
        self.ascii_pieces = [(p, slug) for p, slug in self.pieces if p.isascii()]

    def starts_in(self, value: str) -> dict[str, list[int]]:
        """Topic -> every index in *value* where one of its cues can begin, ascending; a topic
        that is not a key cannot match."""
        found: dict[str, list[int]] = {slug: list(range(len(value) + 1)) for slug in self.always}
        short, by_head = self.short, self.by_head
        for mt in _RUN_RE.finditer(value):
            run = mt.group()
            slugs = {slug for lead, slug in by_head.get(run[:3], ()) if run.startswith(lead)}
            if run[:1] in short:
                slugs |= short[run[:1]]
            if run[:2] in short:
                slugs |= short[run[:2]]
            for slug in slugs:
                found.setdefault(slug, []).append(mt.start())
        for piece, slug in self.ascii_pieces if value.isascii() else self.pieces:
            start = value.find(piece)
            while start >= 0:
                found.setdefault(slug, []).append(start)
                start = value.find(piece, start + 1)
        for starts in found.values():
            starts.sort()
        return found

    @staticmethod
    def first_match(pattern: re.Pattern[str], value: str, starts: list[int]) -> re.Match[str] | None:
        """``pattern.search(value)``, trying only where a match can begin: the leftmost position
        that matches is the one search() finds, and a match at a position sees the characters
        before it (the look-behinds) just as search() does."""
        for start in starts:
            if mt := pattern.match(value, start):
                return mt
        return None


_RUN_RE = re.compile(r"[a-z0-9]+")


@functools.cache
def _filters() -> tuple[_CueFilter, _CueFilter]:
    """The text and name pre-filters, built on first use (see :func:`_patterns`)."""
    return (
        _CueFilter({slug: rule.text for slug, rule in _RULES.items()}),
        _CueFilter({slug: rule.names for slug, rule in _RULES.items()}),
    )


def _fold(text: str) -> str:
    # fold() of ASCII text is its lowercase form (nothing to decompose); skip the per-character work.
    return text.lower() if text.isascii() else fold(text)


def _slugs(urls: Sequence[str]) -> list[str]:
    """Readable words from links: the Hugging Face docs slug, a GitHub repository's name."""
    out = []
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        path = [p for p in parts.path.split("/") if p]
        if "model_doc" in path and path.index("model_doc") + 1 < len(path):
            out.append(path[path.index("model_doc") + 1])
        elif parts.netloc.endswith("github.com") and len(path) >= 2:
            out.append(path[1])
    return [s.replace("_", " ").replace("-", " ") for s in out]


def explain(
    *, name: str = "", title: str = "", section: str = "", urls: Sequence[str] = (), abstract: str = ""
) -> dict[str, str]:
    """Each topic the entry gets, with the cue that gave it (``{'speech': 'title: "speech"'}``)."""
    name_f, title_f, section_f, abstract_f = _fold(name), _fold(title), _fold(section), _fold(abstract)
    slug_f = [_fold(s) for s in _slugs(urls)]
    # Per field, the topics whose patterns can match it and where a match can begin (see
    # _CueFilter): other topics are not searched at all, the others only at those positions.
    text_filter, names_filter = _filters()
    text_patterns, name_patterns = _patterns()
    text_starts = [text_filter.starts_in(v) if v else {} for v in (name_f, title_f, section_f, abstract_f)]
    names_starts = [names_filter.starts_in(v) if v else {} for v in (name_f, *slug_f)]
    all_fields = [("name", name_f), ("title", title_f), ("section", section_f), ("description", abstract_f)]
    name_fields = [("name", name_f), *(("link", s) for s in slug_f)]
    found: dict[str, str] = {}
    for slug, rule in _RULES.items():
        fields = all_fields[:2] if rule.name_and_title_only else all_fields
        text_re, names_re = text_patterns[slug], name_patterns[slug]
        hit = None
        if text_re:
            for (where, value), starts in zip(fields, text_starts, strict=False):
                if slug in starts and (mt := _CueFilter.first_match(text_re, value, starts[slug])):
                    hit = f'{where}: "{mt.group(0)}"'
                    break
        if hit is None and names_re:
            for (where, value), starts in zip(name_fields, names_starts, strict=True):
                if slug in starts and (mt := _CueFilter.first_match(names_re, value, starts[slug])):
                    hit = f'{where}: "{mt.group(0)}"'
                    break
        if hit:
            found[slug] = hit
    if "speech" in found and "vision" in found and "multimodal" not in found:
        found["multimodal"] = "speech and vision"
    return found


def cue_counts(slugs: Sequence[str], text: str) -> dict[str, int]:
    """How many times each topic's text cues occur in *text* (the weight of the evidence for it)."""
    folded = _fold(text)
    text_patterns = _patterns()[0]
    counts: dict[str, int] = {}
    for slug in slugs:
        pattern = text_patterns.get(slug)
        counts[slug] = sum(1 for _ in pattern.finditer(folded)) if pattern is not None else 0
    return counts


def topics_for(
    *, name: str = "", title: str = "", section: str = "", urls: Sequence[str] = (), abstract: str = ""
) -> tuple[str, ...]:
    """The topics of an entry, in taxonomy order."""
    found = explain(name=name, title=title, section=section, urls=urls, abstract=abstract)
    return tuple(slug for slug in TOPICS if slug in found)


_LOOKUP: dict[str, str] = {}
for _slug, _info in TOPICS.items():
    for _word in (_slug, _info.label, *_RULES[_slug].synonyms):
        _LOOKUP.setdefault(norm_key(_word), _slug)
    _LOOKUP.setdefault(norm_key(_info.label.split("(")[0]), _slug)


def parse_topic(text: str) -> str | None:
    """A topic slug from what a user typed: 'Speech', 'audio', 'long context', 'efficient'."""
    key = norm_key(text or "")
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    # Plurals and simple endings: 'surveys', 'tables', 'efficiently'.
    for cut in ("s", "es", "ly", "al"):
        if key.endswith(cut) and key[: -len(cut)] in _LOOKUP:
            return _LOOKUP[key[: -len(cut)]]
    starts = [slug for k, slug in _LOOKUP.items() if len(key) >= 4 and k.startswith(key)]
    if len(set(starts)) == 1:
        return starts[0]
    return None


def topic_label(slug: str) -> str:
    """The topic's label ("Speech (audio)"), or the slug itself for one not in the taxonomy."""
    info = TOPICS.get(slug)
    return info.label if info is not None else slug
