"""The topic classifier on the shipped list, and parse_topic."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bot.catalog import service as catalog
from bot.catalog.listformat import parse_list
from bot.catalog.topics import TOPICS, explain, parse_topic, topics_for

SPEECH = {
    "Wav2Vec2", "Hubert", "WavLM", "XLS-R", "XLSR-Wav2Vec2", "SEW", "SEW-D", "UniSpeech", "UniSpeechSat",
    "SpeechToTextTransformer", "SpeechToTextTransformer2", "Wav2Vec2Phoneme", "Data2Vec",
}  # fmt: skip


@pytest.fixture(scope="module")
def members() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for e in parse_list(catalog.shipped_list_text()).entries:
        for slug in catalog.entry_topics(e):
            out[slug].add(e.name)
    return out


def test_speech_is_exactly_the_speech_models(members):
    assert members["speech"] == SPEECH


# topic: (must have, must not have)
EXPECTED = {
    "vision": ({"Vision Transformer (ViT)", "Swin Transformer", "BEiT", "DeiT", "DETR", "ConvNeXT", "ViTMAE",
                "SegFormer", "CLIP", "TrOCR"}, {"SqueezeBert", "BERT", "Wav2Vec2"}),
    "multimodal": ({"CLIP", "ViLT", "VisualBERT", "LXMERT", "LayoutLMv2", "Data2Vec", "Perceiver IO"},
                   {"BERT", "Swin Transformer", "Wav2Vec2"}),
    "multilingual": ({"XLM", "XLM-RoBERTa", "MBart", "MBart-50", "MT5", "M2M100", "mLUKE", "XGLM", "XLS-R"},
                     {"DistilBERT", "BERT", "CamemBERT"}),
    "generation": ({"GPT", "GPT-2", "GPT-J", "GPT Neo", "CTRL", "BART", "T5", "Pegasus", "DialoGPT", "CPM"},
                   {"BERT", "DPR", "Wav2Vec2"}),
    "efficiency": ({"DistilBERT", "ALBERT", "I-BERT", "QDQBert", "SqueezeBert", "Reformer", "Nyströmformer",
                    "YOSO", "Longformer", "知识蒸馏"}, {"BERT", "GPT-2", "Wav2Vec2"}),
    "long-context": ({"Longformer", "LED", "BigBird-RoBERTa", "BigBird-Pegasus", "Transformer-XL"},
                     {"BERT", "ALBERT"}),
    "retrieval": ({"DPR", "REALM", "LUKE"}, {"BERT", "GPT-2"}),
    "dialogue": ({"DialoGPT", "Blenderbot", "BlenderbotSmall"}, {"GPT-2", "Wav2Vec2"}),
    "code": ({"PLBart"}, {"BART", "BERT"}),
    "document": ({"LayoutLM", "LayoutLMv2", "LayoutXLM", "TrOCR"}, {"Longformer", "LED"}),
    "table": ({"TAPAS"}, {"BERT"}),
    "translation": ({"MarianMT", "M2M100", "MBart"}, {"BERT", "GPT-2"}),
    "summarization": ({"Pegasus", "BigBird-Pegasus"}, {"BERT"}),
    "question-answering": ({"DPR", "Splinter"}, {"BERT"}),
    "biomedical": ({"Pre-trained Language Models in Biomedical Domain: A Systematic Survey"}, {"BERT"}),
    "survey": ({"Pre-trained Models for Natural Language Processing: A Survey",
                "Federated Learning Meets Natural Language Processing: A Survey"}, {"BERT", "DistilBERT"}),
    "chinese": ({"CPM"}, {"BERT", "知识蒸馏"}),
    "french": ({"CamemBERT", "FlauBERT", "BARThez"}, {"BERT", "DistilBERT"}),
    "vietnamese": ({"PhoBERT", "BARTpho"}, {"BERTweet"}),
    "german": (set(), {"DistilBERT"}),
}  # fmt: skip


@pytest.mark.parametrize("slug", list(EXPECTED))
def test_topic_members(members, slug):
    must, must_not = EXPECTED[slug]
    assert must <= members[slug], must - members[slug]
    assert not (must_not & members[slug]), must_not & members[slug]


def test_every_topic_is_documented():
    for slug, info in TOPICS.items():
        assert info.slug == slug and info.label and info.description
    assert len(TOPICS) <= 25  # Discord choices


def test_explain_names_the_cue():
    why = explain(name="Hubert", title="HuBERT: Self-Supervised Speech Representation Learning")
    assert why["speech"] == 'title: "speech"'


def test_link_slugs_are_cues():
    assert "speech" in topics_for(
        name="X", urls=["https://huggingface.co/docs/transformers/model_doc/wav2vec2"]
    )
    assert topics_for(name="Recipes", title="Recipes for building an open-domain chatbot") == ("dialogue",)


def test_languages_ignore_the_description():
    assert "german" not in topics_for(name="DistilBERT", abstract="a German version of DistilBERT")
    assert "german" in topics_for(name="GBERT", title="German's Next Language Model")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Speech", "speech"),
        ("audio", "speech"),
        ("long context", "long-context"),
        ("Long-Context", "long-context"),
        ("efficient", "efficiency"),
        ("Efficiency", "efficiency"),
        ("surveys", "survey"),
        ("Vision (images)", "vision"),
        ("QA", "question-answering"),
        ("中文", "chinese"),
        ("multi-modal", "multimodal"),
    ],
)
def test_parse_topic(text, slug):
    assert parse_topic(text) == slug


def test_parse_topic_unknown():
    assert parse_topic("cooking") is None
    assert parse_topic("") is None
