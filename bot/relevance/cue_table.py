"""The hand-written cues: phrases a human would name, with hand-set weights (features of the learned
model, whose training pulls their weights toward these values with a strength chosen on whole days).
"""

from __future__ import annotations

from bot.relevance.cue_pattern import _Cue, _cue

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
