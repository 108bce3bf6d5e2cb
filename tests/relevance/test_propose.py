"""Proposed names and topics on real arXiv titles: no generic title prefix is proposed as a name
("Focus Session", "Position", "Towards ...", "Technical Report"), and at most three topics,
the strongest evidence first."""

from __future__ import annotations

import pytest

from bot.relevance.propose import MAX_TOPICS, is_generic_name, propose_name, topics_by_evidence
from bot.watch.arxiv import parse_feed
from tests.plugins.feeds import FEEDS

# (arXiv id, real title, proposed name)
NAMES = [
    (
        "2604.21952",
        "Focus Session: Hardware and Software Techniques for Accelerating Multimodal Foundation Models",
        "Hardware and Software Techniques for Accelerating",
    ),
    (
        "2402.02018",
        "Position Paper: The Landscape and Challenges of HPC Research and LLMs",
        "Landscape and Challenges of HPC Research",
    ),
    (
        "2311.07590",
        "Technical Report: Large Language Models can Strategically Deceive their Users when Put Under Pressure",
        "Large Language Models can Strategically Deceive",
    ),
    ("2402.12867", "Towards MLOps: A DevOps Tools Recommender System for Machine Learning System", "MLOps"),
    (
        "2608.14590",
        "Toward Safe LLM Agents: A Survey of Specification, Verification, and Enforcement",
        "Safe LLM Agents",
    ),
    (
        "2601.06161",
        "Beyond Accuracy: A Decision-Theoretic Framework for Allocation-Aware Healthcare AI",
        "Decision-Theoretic Framework for Allocation-Aware Healthcare AI",
    ),
    (
        "2310.07521",
        "Survey on Factuality in Large Language Models: Knowledge, Retrieval and Domain-Specificity",
        "Factuality in Large Language Models",
    ),
    (
        "2108.07258",
        "On the Opportunities and Risks of Foundation Models",
        "Opportunities and Risks of Foundation Models",
    ),
    ("2412.15115", "Qwen2.5 Technical Report", "Qwen2.5"),
    ("2412.19437", "DeepSeek-V3 Technical Report", "DeepSeek-V3"),
    ("2602.04705", "ERNIE 5.0 Technical Report", "ERNIE 5.0"),
    (
        "2604.06296",
        "AgentOpt v0.1 Technical Report: Client-Side Optimization for LLM-Based Agent",
        "AgentOpt v0.1",
    ),
    ("2310.07488", "KwaiYiiMath: Technical Report", "KwaiYiiMath"),
    # Names that are not generic stay as they were.
    ("2111.09296", "XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale", "XLS-R"),
    ("2506.10910", "Magistral", "Magistral"),
    ("2304.02643", "Segment Anything", "Segment Anything"),
]


@pytest.mark.parametrize(("arxiv_id", "title", "name"), NAMES, ids=[n[0] for n in NAMES])
def test_generic_title_prefixes_are_not_proposed(arxiv_id: str, title: str, name: str) -> None:
    proposed = propose_name(title)
    assert proposed == name
    assert not is_generic_name(proposed)


def test_a_coined_name_after_a_generic_prefix_is_found() -> None:
    assert propose_name("Survey: LLaMA-Adapter: Efficient Fine-tuning of Language Models") == "LLaMA-Adapter"


@pytest.mark.parametrize(
    "prefix",
    [
        "Focus Session",
        "Survey",
        "A Survey",
        "Towards Better Models",
        "Position",
        "Position Paper",
        "Technical Report",
        "Rethinking Attention",
        "Revisiting Pre-training",
        "Beyond Scale",
        "On the Role",
    ],
)
def test_generic_prefixes(prefix: str) -> None:
    assert is_generic_name(prefix)


@pytest.mark.parametrize("name", ["XLS-R", "Magistral", "Segment Anything", "Qwen2.5", "LLaMA-Adapter"])
def test_names_are_not_generic(name: str) -> None:
    assert not is_generic_name(name)


def test_topics_are_capped_at_three_strongest_evidence_first() -> None:
    (paper, *_) = parse_feed((FEEDS / "rss2-cs.LG-2026-04-27-trimmed.xml").read_bytes()).papers
    assert paper.title.startswith("Focus Session:")
    topics = topics_by_evidence(paper.title, paper.abstract, propose_name(paper.title))
    # Seven topics have a cue somewhere; "multimodal" is in the title, "efficiency" has the most
    # cue words in the abstract (efficiently, compression, quantization, pruning, ...).
    assert len(topics) == MAX_TOPICS == 3
    assert topics[:2] == ("multimodal", "efficiency")
    assert topics_by_evidence("A Note on Bounds", "We prove a bound.", "") == ()
