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

The package: ``taxonomy`` (the data: slugs, labels, descriptions, cues), ``cues`` (the cues as
patterns, compiled on first use, and their pre-filter), ``classify`` (:func:`explain`,
:func:`topics_for`, :func:`cue_counts`) and ``lookup`` (:func:`parse_topic`, :func:`topic_hint`, :func:`topic_label`).
Import from ``bot.catalog.topics``.
"""

from __future__ import annotations

from bot.catalog.topics.classify import cue_counts, explain, topics_for
from bot.catalog.topics.lookup import parse_topic, topic_hint, topic_label
from bot.catalog.topics.taxonomy import TOPICS, TopicInfo

__all__ = [
    "TOPICS",
    "TopicInfo",
    "cue_counts",
    "explain",
    "parse_topic",
    "topic_hint",
    "topic_label",
    "topics_for",
]
