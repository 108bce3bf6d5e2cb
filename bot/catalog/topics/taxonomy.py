"""The topic taxonomy: every topic's slug, label and description, and the cues that give it.

Data only (the classifier that reads it is :mod:`bot.catalog.topics.classify`). ``docs/topics.md``
has the taxonomy with each topic's meaning and cues; the package docstring says how cues match.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "TOPICS", "TopicInfo", "TopicRule"]


@dataclass(frozen=True)
class TopicInfo:
    slug: str
    label: str
    description: str


@dataclass(frozen=True)
class TopicRule:
    text: tuple[str, ...] = ()  # words/phrases in name, title, section, abstract
    names: tuple[str, ...] = ()  # family names in the name and link slugs
    synonyms: tuple[str, ...] = ()  # what users type for this topic (parse_topic)
    name_and_title_only: bool = False  # language topics: the abstract does not count


def _t(slug: str, label: str, description: str, rule: TopicRule) -> tuple[str, TopicInfo, TopicRule]:
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

_DEFS: list[tuple[str, TopicInfo, TopicRule]] = [
    _t(
        "speech",
        "Speech (audio)",
        "Spoken language and audio: speech recognition and translation, speech representation learning.",
        TopicRule(
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
        TopicRule(
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
        TopicRule(
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
        TopicRule(
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
        TopicRule(
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
        TopicRule(
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
        TopicRule(
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
        TopicRule(
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
        TopicRule(
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
        TopicRule(
            text=("program", "programs", "programming", "source code", "code generation", "code search"),
            names=("plbart", "codebert", "codet5", "codegen", "codex"),
            synonyms=("programming", "source code", "program", "programs"),
        ),
    ),
    _t(
        "document",
        "Document understanding",
        "Documents as images: layout, OCR, forms and receipts (Hugging Face: document-question-answering).",
        TopicRule(
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
        TopicRule(
            text=("table", "tables", "tabular", "表格"),
            names=("tapas", "tapex"),
            synonyms=("tables", "tabular", "table qa", "table-question-answering"),
        ),
    ),
    _t(
        "translation",
        "Translation",
        "Machine translation, text or speech.",
        TopicRule(
            text=("translation", "translator", "translate", "翻译"),
            names=("marian", "marianmt", "m2m", "m2m 100"),
            synonyms=("machine translation", "mt", "translate", "nmt"),
        ),
    ),
    _t(
        "summarization",
        "Summarization",
        "Abstractive and extractive summarization.",
        TopicRule(
            text=("summarization", "summarisation", "summary", "summaries", "摘要"),
            names=("pegasus", "bigbird pegasus"),
            synonyms=("summarisation", "summary", "summaries", "summarize", "summarise"),
        ),
    ),
    _t(
        "question-answering",
        "Question answering",
        "Extractive and open-domain question answering, reading comprehension.",
        TopicRule(
            text=("question answering", "question-answering", "reading comprehension", "问答"),
            names=("splinter", "tapas", "dpr"),
            synonyms=("qa", "question answering", "questions", "reading comprehension"),
        ),
    ),
    _t(
        "biomedical",
        "Biomedical",
        "Biology, medicine and clinical text.",
        TopicRule(
            text=("biomedical", "biomedicine", "clinical", "medical", "biology", "生物医学", "医学"),
            names=("biobert", "pubmedbert", "scibert", "clinicalbert"),
            synonyms=("medical", "clinical", "bio", "biology", "health"),
        ),
    ),
    _t(
        "graph",
        "Graphs",
        "Graph-structured data and graph neural networks.",
        TopicRule(
            text=("graph", "graphs", "gnn", "gnns", "图神经"),
            synonyms=("graphs", "gnn", "graph neural network"),
        ),
    ),
    _t(
        "survey",
        "Surveys",
        "Surveys and overviews of the field (the list's Survey section).",
        TopicRule(
            text=("survey", "a survey", "systematic survey", "综述"),
            synonyms=("surveys", "overview", "review", "reviews"),
        ),
    ),
    *(
        _t(
            slug,
            label,
            f"Models and resources for {label}.",
            TopicRule(text=words, synonyms=syn, name_and_title_only=True),
        )
        for slug, (label, words, syn) in _LANGUAGES.items()
    ),
]

TOPICS: dict[str, TopicInfo] = {slug: info for slug, info, _ in _DEFS}
RULES: dict[str, TopicRule] = {slug: rule for slug, _, rule in _DEFS}
