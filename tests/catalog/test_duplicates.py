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


def test_a_moderators_add_of_a_copy_is_added_and_warned(tmp_path, db_path, capsys):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss2([Item("2604.30001", BERT.title, "We pre-train a language model.")]))
    code, out, err = run(capsys, "poll", "--feed", str(feed), "--db", str(db_path), "--json")
    assert code == 0, err
    assert json.loads(out)["candidates"][0]["status"] == "same_title"
    # The moderator adds it anyway (from the stored paper, offline): added, and told what it repeats.
    code, out, err = run(capsys, "ask", "/ptm-admin add 2604.30001 name=BERT-2026", "--db", str(db_path))
    assert code == 0, err
    assert "BERT-2026" in out and "is in the catalog" in out
    assert "⚠ possible duplicate of BERT (1810.04805): same title" in out
    assert "/ptm-admin undo 2604.30001" in out
    code, out, err = run(capsys, "model", "BERT-2026", "--db", str(db_path), "--json")
    assert code == 0 and "2604.30001" in out


def test_import_reports_added_lines_that_repeat_a_stored_entry(tmp_path, db_path, capsys):
    lines = [
        "## PTM",
        "2604: [BERT-Next](https://arxiv.org/abs/2604.30001) released with the paper "
        f"[{BERT.title}](https://arxiv.org/abs/2604.30001) by Ada Lovelace.",
        "2604: [Zebra-LM](https://arxiv.org/abs/2604.30005) released with the paper "
        "[Zebra-LM: Whale Song Language Models](https://arxiv.org/abs/2604.30005) by Grace Hopper.",
    ]
    path = tmp_path / "more.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(path), "--db", str(db_path), "--dry-run")
    assert code == 0, err
    assert "1 added entry may repeat a stored one (added all the same):" in out
    assert "line 2: model 'BERT-Next': possible duplicate of BERT (1810.04805): same title" in out
    code, out, err = run(capsys, "import", str(path), "--db", str(db_path), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {a["name"] for a in report["added"]} == {"BERT-Next", "Zebra-LM"}
    assert report["possible_duplicates"] == [
        {
            "line": 2,
            "kind": "model",
            "name": "BERT-Next",
            "warning": "possible duplicate of BERT (1810.04805): same title",
        }
    ]


def test_approve_into_from_the_terminal_and_undo(tmp_path, db_path, capsys):
    feed = tmp_path / "feed.xml"
    abstract = "We pre-train a language model and release the pretrained model and code."
    roberta = "RoBERTa: A Robustly Optimized BERT Pre-training Approach"
    feed.write_bytes(
        rss2(
            [
                Item("2604.30002", roberta, abstract),
                Item("2604.30004", "Zebrafish: Whale Song Models", abstract),
            ]
        )
    )
    config = tmp_path / "config.toml"
    config.write_text("[relevance]\nthreshold = 0.0\nexploration = false\n", encoding="utf-8")
    db = str(db_path)
    code, out, err = run(capsys, "poll", "--feed", str(feed), "--db", db, "--config", str(config))
    assert code == 0, err
    code, out, err = run(capsys, "ask", "/ptm-admin approve 2604.30004 into=version", "--db", db)
    assert "2604.30004: no entry it may duplicate; approve it as a new entry instead" in out + err
    code, out, err = run(capsys, "ask", "/ptm-admin approve 2604.30002 into=bogus", "--db", db)
    assert code != 0 and "bogus" in err
    code, out, err = run(capsys, "ask", "/ptm-admin approve 2604.30002 into=version", "--db", db)
    assert code == 0, err
    assert "Approved arXiv 2604.30002 as new version of RoBERTa: still one line in the catalog." in out
    code, out, err = run(capsys, "model", "RoBERTa", "--db", db, "--json")
    assert json.loads(out)["entries"][0]["arxiv_id"] == "2604.30002"
    code, out, err = run(capsys, "ask", "/ptm-admin approve 2604.30002 into=alias", "--db", db)
    assert "was already approved; nothing changed" in out
    code, out, err = run(capsys, "ask", "/ptm-admin undo 2604.30002", "--db", db)
    assert code == 0, err
    assert "pending again; the catalog is as it was before the approval" in out
    code, out, err = run(capsys, "model", "RoBERTa", "--db", db, "--json")
    assert json.loads(out)["entries"][0]["arxiv_id"] == "1907.11692"
    code, out, err = run(capsys, "history", "--db", db, "--json")
    assert code == 0, err
    actions = [r["action"] for r in json.loads(out)["revisions"]][:2]
    assert actions == ["undo", "approve"]
