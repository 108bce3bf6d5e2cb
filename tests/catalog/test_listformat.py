"""The list's markdown: parsing every variant, and rendering lines back from fields."""

from __future__ import annotations

import re

import pytest

from bot.catalog.arxiv_ids import arxiv_id_from_url
from bot.catalog.listformat import (
    full_paper_title,
    join_authors,
    parse_list,
    render_entry,
    render_list,
    split_authors,
)
from bot.catalog.model import AuthorStyle, DateStyle, EntryKind
from bot.catalog.service import shipped_list_text
from tests.plugins.feeds import SHARED_LIST

SHIPPED = shipped_list_text()


@pytest.fixture(scope="module")
def doc():
    return parse_list(SHIPPED)


def by_name(doc, name):
    matches = [e for e in doc.entries if e.name == name]
    assert len(matches) == 1, name
    return matches[0]


def test_shipped_copy_is_the_community_list():
    if not SHARED_LIST.exists():
        pytest.skip("the community list is not next to this checkout")
    assert SHARED_LIST.read_text(encoding="utf-8") == SHIPPED


def test_counts_of_the_shipped_list(doc):
    assert doc.counts() == {"survey": 17, "model": 102, "resource": 34}


def test_standard_model_line(doc):
    e = by_name(doc, "DeBERTa")
    assert e.kind is EntryKind.MODEL
    assert (e.year, e.month, e.date) == (2020, 6, "2020-06")
    assert e.org == "Microsoft"
    assert e.docs_url == "https://huggingface.co/docs/transformers/model_doc/deberta"
    assert e.paper_title == "DeBERTa: Decoding-enhanced BERT with Disentangled Attention"
    assert e.arxiv_id == "2006.03654"
    assert e.authors == ["Pengcheng He", "Xiaodong Liu", "Jianfeng Gao", "Weizhu Chen"]
    assert e.section == "PTM"


def test_no_date_and_blog_link(doc):
    gpt = by_name(doc, "GPT")
    assert gpt.date_style is DateStyle.NONE and gpt.date is None
    assert gpt.paper_url == "https://openai.com/blog/language-unsupervised/" and gpt.arxiv_id is None
    assert gpt.authors[-1] == "Ilya Sutskever"


def test_no_date_takes_the_month_from_the_arxiv_id():
    text = "## PTM\n: [X](https://x.org) (from Y) released with the paper [T](https://arxiv.org/abs/1706.03762v5) by A and B.\n"
    (e,) = parse_list(text).entries
    assert (e.year, e.month, e.date_style) == (2017, 6, DateStyle.NONE)
    assert render_entry(e) == [text.splitlines()[1]]


def test_bare_year_and_aclanthology_link(doc):
    e = by_name(doc, "BERTweet")
    assert (e.year, e.month, e.date, e.date_style) == (2020, None, "2020", DateStyle.YEAR)
    assert e.paper_url == "https://aclanthology.org/2020.emnlp-demos.2/" and e.arxiv_id is None
    assert any(p.line == 54 and "bare year" in p.problem for p in doc.problems)


def test_released_together_with_a_trailing_note(doc):
    e = by_name(doc, "DistilBERT")
    assert e.phrasing["connector"] == "paper_together"
    assert e.authors == ["Victor Sanh", "Lysandre Debut", "Thomas Wolf"]
    assert e.description.startswith("The same method has been applied to compress GPT2")


def test_released_in_the_repository(doc):
    e = by_name(doc, "T5v1.1")
    assert e.phrasing["connector"] == "repository"
    assert e.paper_title == "google-research/text-to-text-transfer-transformer"
    assert e.date is None and len(e.authors) == 9


def test_marian_free_sentence(doc):
    e = by_name(doc, "MarianMT")
    assert e.phrasing["form"] == "free"
    assert e.description.startswith("Machine translation models trained using [OPUS]")
    assert [ln.label for ln in e.links] == ["OPUS", "Marian Framework"]
    assert e.authors == ["Jörg Tiedemann"]
    assert any(p.line == 142 for p in doc.problems)


def test_hubert_title_containing_by_is_reported(doc):
    e = by_name(doc, "Hubert")
    assert full_paper_title(e) == (
        "HuBERT: Self-Supervised Speech Representation Learning by Masked Prediction of Hidden Units"
    )
    assert e.authors[0] == "Wei-Ning Hsu"
    (problem,) = [p for p in doc.problems if p.line == 118]
    assert "' by '" in problem.problem


def test_author_styles(doc):
    assert by_name(doc, "PoolFormer").authors[:2] == ["Yu, Weihao", "Luo, Mi"]
    assert by_name(doc, "DPR").authors[-1] == "Wen-tau Yih"
    assert by_name(doc, "ALBERT").phrasing.get("by_comma") == "1"
    assert by_name(doc, "XGLM").phrasing.get("from") == "From"
    for text in ("A, B and C", "A, B, and C", "A and B and C", "A, B, C", "Yu, W and Luo, M and Zhou, P"):
        authors, style = split_authors(text)
        assert join_authors(authors, style) == text
    assert split_authors("A, B, and C") == (["A", "B", "C"], AuthorStyle.OXFORD)


def test_initials_are_not_sentence_ends(doc):
    survey = [e for e in doc.entries if e.paper_url and "2202.07893" in e.paper_url][0]
    assert survey.authors[-1] == "Stan Z. Li" and survey.description is None
    barthez = by_name(doc, "BARThez")
    assert "Antoine J.-P. Tixier" in barthez.authors


def test_surveys_keep_their_subsection(doc):
    surveys = [e for e in doc.entries if e.kind is EntryKind.SURVEY]
    assert len(surveys) == 17
    fl = [e for e in surveys if e.section == "Survey/NLP VS Federated Learning"]
    assert [e.name for e in fl] == ["Federated Learning Meets Natural Language Processing: A Survey"]
    assert fl[0].arxiv_id == "2107.12603" and fl[0].date == "2021-07"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2202.08772.pdf", "2202.08772"),
        ("https://arxiv.org/pdf/1908.03557.pdf", "1908.03557"),
        ("https://arxiv.org/abs/2001.04063", "2001.04063"),
        ("http://arxiv.org/abs/math/0502287v1", "math/0502287"),
        ("https://arxiv.org/abs/2106.07447v3", "2106.07447"),
        ("https://aclanthology.org/2020.findings-emnlp.92/", None),
    ],
)
def test_arxiv_ids_are_normalised(url, expected):

    assert arxiv_id_from_url(url) == expected


def test_resources(doc):
    resources = [e for e in doc.entries if e.kind is EntryKind.RESOURCE]
    assert len(resources) == 34
    cogltx = [e for e in resources if e.name == "CogLTX: Applying BERT to Long Texts"][0]
    assert cogltx.description.splitlines()[0] == "清华和阿里的paper：使用bert解决长文本"
    assert [(ln.label, ln.label_own_line) for ln in cogltx.links] == [
        ("论文链接：", True),
        ("Github：", True),
    ]
    transformer = [e for e in resources if e.name == "Transformer"][0]
    assert [ln.label for ln in transformer.links] == [None, "tensorflow版本：", "pytorch版本："]
    deepnet = resources[-1]
    assert deepnet.links == [] and deepnet.name == "DeepNet_ Scaling Transformers to 1,000 Layers"
    assert any(p.line == 387 and "without any URL" in p.problem for p in doc.problems)
    distil = [e for e in resources if e.description == "知识蒸馏"][0]
    assert distil.links[0].url == "https://github.com/airaria/TextBrewer"


def test_every_entry_line_renders_back_in_order(doc):
    """All 119 survey and model lines and every line of the resources tail, from fields alone."""
    shipped = [line.rstrip() for line in SHIPPED.splitlines()]
    entry_lines = [i for i, line in enumerate(shipped) if re.match(r"^\d{0,4}: \[", line)]
    assert len(entry_lines) == 119
    rendered = []
    for e in doc.entries:
        # No cheating: render from a copy without the source line number.
        e2 = type(e)(**{f: getattr(e, f) for f in e.__slots__ if f != "source_line"})
        rendered.extend(line.rstrip() for line in render_entry(e2))
    tail_start = max(entry_lines) + 1
    expected = [shipped[i] for i in entry_lines] + [line for line in shipped[tail_start:] if line]
    assert [line for line in rendered if line] == expected


def test_whole_document_round_trip(doc):
    out = render_list(doc.title, doc.sections, doc.entries)
    assert [x.rstrip() for x in out.splitlines()] == [x.rstrip() for x in SHIPPED.splitlines()]
    again = parse_list(out)
    assert [e.content() for e in again.entries] == [e.content() for e in doc.entries]


def test_damaged_lines_are_kept_and_reported():
    text = (
        "## PTM\n"
        "2101: [Cut](https://x.org/cut) (from Somewhere) released with the pa\n\n"
        "2102: [Broken](https://x.org/b (from Org) released with the paper [T](https://arxiv.org/abs/2102.00001) by A.\n\n"
        "just some prose in the middle of the section\n\n"
        "2103: [Dup](https://x.org/1) (from O) released with the paper [T1](https://arxiv.org/abs/2103.00001) by A.\n\n"
        "2103: [Dup](https://x.org/2) (from O) released with the paper [T2](https://arxiv.org/abs/2103.00002) by B.\n"
    )
    doc = parse_list(text)
    names = [e.name for e in doc.entries]
    assert names[0] == "Cut" and "Dup" in names and "Dup (2)" in names
    assert any("prose" in (e.description or "") for e in doc.entries)
    lines = {p.line for p in doc.problems}
    assert {2, 4, 6, 10} <= lines
    # The duplicate renders under its original name.
    dup2 = [e for e in doc.entries if e.name == "Dup (2)"][0]
    assert render_entry(dup2)[0].startswith("2103: [Dup](https://x.org/2)")


def test_model_without_an_organisation_round_trips():
    line = (
        "2111: [XLS-R](https://arxiv.org/abs/2111.09296) released with the paper "
        "[XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale](https://arxiv.org/abs/2111.09296) "
        "by Arun Babu, Changhan Wang and Michael Auli."
    )
    doc = parse_list("## PTM\n" + line + "\n")
    (e,) = doc.entries
    assert e.org is None and e.arxiv_id == "2111.09296" and e.authors[-1] == "Michael Auli"
    assert not doc.problems
    assert render_entry(e) == [line]
