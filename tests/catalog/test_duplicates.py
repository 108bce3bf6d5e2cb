"""The duplicate check (issue 20, part 1): :class:`bot.catalog.duplicates.RelatedIndex` on its own,
and ``ptm-bot poll --feed FILE --dry-run --json`` on the shipped catalog (an exact title copy is
not suggested and says why; a near copy carries what it may duplicate)."""

from __future__ import annotations

import json

import pytest

from bot.catalog.duplicates import Known, Related, RelatedIndex
from bot.cli.main import main
from support.feedgen import Item, rss2

BERT = Known(
    "BERT",
    "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    "1810.04805",
    entry_id=1,
)
DEBERTA = Known(
    "DeBERTa",
    "DeBERTa: Decoding-enhanced BERT with Disentangled Attention",
    "2006.03654",
    entry_id=2,
    aliases=("DeBERTa-v1",),
)
PENDING = Known("Lex-LM", "Lex-LM: a legal language model", "2604.00001", suggestion_id=7)
INDEX = RelatedIndex.of([BERT, DEBERTA, PENDING])


def whys(found: list[Related]) -> list[tuple[str, str]]:
    return [(r.name, r.why) for r in found]


def test_same_title_whatever_case_and_punctuation():
    found = INDEX.match("bert - pre-training of deep bidirectional transformers for language understanding")
    assert whys(found) == [("BERT", "same title")]
    assert INDEX.exact_title(BERT.title.upper()) is BERT
    assert INDEX.exact_title("BERT") is None


@pytest.mark.parametrize(
    "title",
    [
        "BERT: Pre-training of Deep Bidirectional Transformer for Language Understanding",  # one letter
        "BERT: Pretraining of Deep Bidirectional Transformers for Language Understanding",  # a hyphen
        "BERT: Pre-training Deep Bidirectional Transformers for Language Understanding",  # a word less
    ],
)
def test_similar_titles(title):
    assert whys(INDEX.match(title)) == [("BERT", "similar title")]


def test_different_titles_sharing_words_are_not_similar():
    assert INDEX.match("ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators") == []
    assert INDEX.match("Deep Bidirectional Transformers") == []


def test_names_aliases_families_and_pending_suggestions():
    assert whys(INDEX.match("Something else entirely", "bert")) == [("BERT", "same name")]
    assert whys(INDEX.match("Something else entirely", "DeBERTa v1")) == [
        ("DeBERTa", "same name")
    ]  # an alias
    assert whys(INDEX.match("Something else entirely", "DeBERTa-v3")) == [("DeBERTa", "same family")]
    found = INDEX.match("Something else entirely", "Lex LM")
    assert whys(found) == [("Lex-LM", "same name")] and found[0].suggestion_id == 7
    assert found[0].line() == "possible duplicate of Lex-LM (2604.00001) (pending suggestion): same name"
    # The family rule applies to entries only, and never to the paper itself.
    assert INDEX.match("Something else entirely", "Lex-LM 2") == []
    assert INDEX.match(BERT.title, "BERT", arxiv_id="1810.04805") == []


def test_one_line_per_entry_strongest_reason_first_and_round_trip():
    (found,) = INDEX.match(BERT.title, "BERT")
    assert found.why == "same title"
    assert found.line() == "possible duplicate of BERT (1810.04805): same title"
    assert Related.of(found.as_dict()) == found


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_poll_reports_same_title_copies_and_related_papers(tmp_path, db_path, capsys):
    feed = tmp_path / "feed.xml"
    abstract = "We pre-train a language model and release the pretrained model and code."
    feed.write_bytes(
        rss2(
            [
                Item("2604.30001", BERT.title, abstract),
                Item("2604.30002", "RoBERTa: A Robustly Optimized BERT Pre-training Approach", abstract),
            ]
        )
    )
    config = tmp_path / "config.toml"
    config.write_text("[relevance]\nthreshold = 0.0\nexploration = false\n", encoding="utf-8")
    argv = ("poll", "--feed", str(feed), "--db", str(db_path), "--config", str(config), "--dry-run")
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    report = json.loads(out)
    by_id = {c["arxiv_id"]: c for c in report["candidates"]}
    copy, near = by_id["2604.30001"], by_id["2604.30002"]
    assert copy["status"] == "same_title" and not copy["suggest"]
    assert copy["why_not"] == "same title as BERT (1810.04805)"
    assert copy["related"] == []
    assert near["suggest"] and near["related"][0]["name"] == "RoBERTa"
    assert near["related"][0]["why"] == "similar title" and near["related"][0]["arxiv_id"] == "1907.11692"
    assert report["counts"]["same_title"] == 1
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "1 same title as an entry" in out
