"""``ptm-bot import`` with real lists: nothing lost, nothing polluted, every revision undoable.

Every test goes through the command line (``bot.cli.main.main``) on a temp-file SQLite catalog
and checks the catalog afterwards (its export, its entries), not only the exit status.
Fixtures: tests/fixtures/lists/ (sources in tests/fixtures/SOURCES.md).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.catalog import service as catalog
from bot.catalog.listformat import parse_list, render_entry
from bot.cli.main import main
from bot.database import open_database

LISTS = Path(__file__).resolve().parents[1] / "fixtures" / "lists"
HF = LISTS / "hf-transformers-model-list.md"
ZH = LISTS / "hf-transformers-README_zh-hans.md"
DOCS = LISTS / "hf-transformers-docs-index.md"
UPSTREAM = LISTS / "upstream-awesome-list.md"
SHIPPED = catalog.shipped_list_text()
SHIPPED_BYTES = SHIPPED.encode("utf-8")


# --------------------------------------------------------------------------------------------
# Helpers: run the CLI, read the catalog


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()  # what earlier helper calls printed
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def export_bytes(db: str, tmp_path: Path) -> bytes:
    out = tmp_path / "export.md"
    assert main(["export", "--db", db, "-o", str(out)]) == 0
    return out.read_bytes()


def entries(db: str) -> dict[tuple[str, str], dict]:
    async def load() -> dict[tuple[str, str], dict]:
        database = await open_database(f"sqlite+aiosqlite:///{db}", seed=False)
        try:
            async with database.begin() as s:
                return {
                    (str(e.kind), e.name): {
                        "section": e.section,
                        "year": e.year,
                        "month": e.month,
                        "org": e.org,
                        "docs_url": e.docs_url,
                        "paper_title": e.paper_title,
                        "paper_url": e.paper_url,
                        "arxiv_id": e.arxiv_id,
                        "authors": e.authors,
                        "description": e.description,
                    }
                    for e in await catalog.load_entries(s)
                }
        finally:
            await database.close()

    return asyncio.run(load())


@pytest.fixture
def shipped(db_path) -> str:
    """A temp-file catalog filled from the shipped list (its path, for ``--db``)."""
    return str(db_path)


@pytest.fixture
def empty_db(tmp_path, capsys) -> str:
    db = str(tmp_path / "empty.sqlite3")
    code, out, _ = run(capsys, "init", "--empty", "--db", db)
    assert code == 0 and "0 surveys, 0 models, 0 resources" in out
    return db


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def import_and_revert(capsys, tmp_path, db: str, path: str, *flags: str) -> dict:
    """Import, check the revision is listed, revert it, check the export is byte-identical."""
    before = export_bytes(db, tmp_path)
    report = run_json(capsys, "import", path, "--db", db, *flags)
    rev = report["revision"]
    history = run_json(capsys, "history", "--db", db)["revisions"]
    assert history[0]["id"] == rev and history[0]["action"] == "import" and history[0]["source"] == path
    code, _out, err = run(capsys, "revert", str(rev), "--db", db)
    assert code == 0, err
    assert export_bytes(db, tmp_path) == before
    return report


# --------------------------------------------------------------------------------------------
# 1. Merging never loses data


def test_chinese_list_into_the_shipped_catalog_clears_no_field(shipped, capsys, tmp_path):
    before = entries(shipped)
    report = run_json(capsys, "import", str(ZH), "--db", shipped)
    after = entries(shipped)
    cleared = [
        (key, f)
        for key, fields in before.items()
        for f, v in fields.items()
        if v not in (None, [], "") and after[key][f] in (None, [], "")
    ]
    assert cleared == []  # the issue: 96 of 102 models lost fields here
    assert len(after) == len(before) + len(report["added"])
    # Free sentences and half-read lines changed nothing they disagree with: they are conflicts.
    updated = {u["name"] for u in report["updated"]}
    for key, fields in before.items():
        if key[1] not in updated:
            assert after[key] == fields, key
    # The whole truth: 43 lines fully read, the 224 others (mostly translated free sentences) said so.
    assert report["fully_read"] == 43 and len(report["not_fully_read"]) == 224
    assert report["conflicts"], "the translation disagrees with the catalog somewhere"
    assert not any("](" in str(c["incoming"]) for c in report["conflicts"] if c["field"] == "authors")
    c = report["conflicts"][0]
    assert set(c) == {"kind", "name", "field", "stored", "incoming", "line"}
    assert before[(c["kind"], c["name"])][c["field"]] == c["stored"] or c["field"] == "links"
    # Only fully read lines updated anything.
    zh = ZH.read_text(encoding="utf-8").splitlines()
    not_read = {p["line"] for p in report["problems"]}
    for u in report["updated"]:
        line = next(i for i, text in enumerate(zh, 1) if f"[{u['name']}](" in text)
        assert line not in not_read


def test_a_fully_read_line_without_a_field_is_a_conflict_and_overwrite_takes_it(shipped, capsys, tmp_path):
    line = next(ln for ln in SHIPPED.splitlines() if ln.startswith("2006: [DeBERTa]("))
    no_org = line.replace(" (from Microsoft)", "")
    other_org = line.replace("(from Microsoft)", "(from Microsoft Research)")
    path = write(tmp_path, "partial.md", f"## PTM\n{no_org}\n")
    report = run_json(capsys, "import", path, "--db", shipped)
    assert report["updated"] == [] and report["unchanged"] == 1  # the stored entry did not change
    assert [(c["name"], c["field"], c["stored"], c["incoming"]) for c in report["conflicts"]] == [
        ("DeBERTa", "org", "Microsoft", None)
    ]
    assert entries(shipped)[("model", "DeBERTa")]["org"] == "Microsoft"
    # A fully read line with another value replaces it (the list is the source of truth) ...
    report = run_json(capsys, "import", write(tmp_path, "b.md", f"## PTM\n{other_org}\n"), "--db", shipped)
    assert [(u["name"], u["fields"]) for u in report["updated"]] == [("DeBERTa", ["org"])]
    # ... and --overwrite takes the missing side explicitly.
    report = run_json(capsys, "import", path, "--db", shipped, "--overwrite")
    assert [(c["name"], c["field"]) for c in report["overwritten"]] == [("DeBERTa", "org")]
    assert entries(shipped)[("model", "DeBERTa")]["org"] is None


def test_a_free_sentence_never_overwrites_and_overwrite_replaces_only_the_conflicting_field(
    shipped, capsys, tmp_path
):
    free = "1810: [BERT](https://huggingface.co/docs/transformers/model_doc/bert) 来自 Google，作者 by Somebody Else."
    xlnet = next(ln for ln in SHIPPED.splitlines() if ln.startswith("1906: [XLNet]("))
    # (A file of free sentences only is refused; one real line makes it a list.)
    path = write(tmp_path, "free.md", f"## PTM\n{free}\n\n{xlnet}\n")
    before = entries(shipped)[("model", "BERT")]
    report = run_json(capsys, "import", path, "--db", shipped)
    assert report["updated"] == [] and report["added"] == []
    assert [(c["field"], c["incoming"]) for c in report["conflicts"]] == [("authors", ["Somebody Else"])]
    assert entries(shipped)[("model", "BERT")] == before
    report = run_json(capsys, "import", path, "--db", shipped, "--overwrite")
    after = entries(shipped)[("model", "BERT")]
    assert after["authors"] == ["Somebody Else"]
    assert {k: v for k, v in after.items() if k != "authors"} == {
        k: v for k, v in before.items() if k != "authors"
    }


def test_entries_added_by_moderators_keep_their_fields(shipped, capsys, tmp_path):
    async def add() -> None:
        from bot.catalog.model import Entry, EntryKind

        database = await open_database(f"sqlite+aiosqlite:///{shipped}")
        try:
            async with database.begin() as s:
                await catalog.add_entry(
                    s,
                    Entry(
                        kind=EntryKind.MODEL,
                        name="OmniSpeech",
                        year=2024,
                        month=1,
                        org="Moderators",
                        docs_url="https://arxiv.org/abs/2401.00001",
                        paper_title="OmniSpeech",
                        paper_url="https://arxiv.org/abs/2401.00001",
                        arxiv_id="2401.00001",
                        authors=["Ada Lovelace"],
                    ),
                )
        finally:
            await database.close()

    asyncio.run(add())
    line = (
        "2401: [OmniSpeech](https://arxiv.org/abs/2401.00001) (from Somebody) released with the paper "
        "[OmniSpeech](https://arxiv.org/abs/2401.00001) by Ada Lovelace."
    )
    report = run_json(capsys, "import", write(tmp_path, "m.md", f"## PTM\n{line}\n"), "--db", shipped)
    assert [(c["field"], c["stored"], c["incoming"]) for c in report["conflicts"]] == [
        ("org", "Moderators", "Somebody")
    ]
    assert entries(shipped)[("model", "OmniSpeech")]["org"] == "Moderators"


# --------------------------------------------------------------------------------------------
# 2. No pollution, and a report that tells the whole truth


def test_a_foreign_list_changes_no_structure_and_says_what_it_would(shipped, capsys, tmp_path):
    before = export_bytes(shipped, tmp_path)
    code, out, _ = run(capsys, "import", str(UPSTREAM), "--db", shipped)
    assert code == 0
    summary = out.strip().splitlines()
    assert "structure changes not made (need --allow-structure):" in summary
    assert "  section 'WuDao' created (4 entries)" in summary
    assert not any(line.startswith("title") for line in summary)  # '#' headings only: no title
    assert "a table (96 rows" in out
    exported = export_bytes(shipped, tmp_path).decode()
    # Title and sections unchanged, in the same order; no entry made of free text.
    heads = [ln for ln in exported.splitlines() if ln.startswith("#")]
    assert heads == [ln for ln in before.decode().splitlines() if ln.startswith("#")]
    after = entries(shipped)
    assert len(after) == 153  # every upstream entry that has a place here was already stored
    assert all(not k[1].startswith(("|", "*", "<", ":")) for k in after)
    # The upstream's '* ' bullets are its layout, not adopted by the catalog's lines.
    assert not any(ln.startswith("* ") for ln in exported.splitlines())
    # The surveys and the models were read, by name, from '#' headings and '* YYMM:' bullets.
    report = run_json(capsys, "import", str(UPSTREAM), "--db", shipped)
    assert report["counts"]["survey"] == 18 and report["unchanged"] >= 117
    assert report["title"] is None


def test_allow_structure_adds_the_sections_after_the_catalogs_own_and_revert_undoes_it(
    shipped, capsys, tmp_path
):
    report = import_and_revert(capsys, tmp_path, shipped, str(UPSTREAM), "--allow-structure")
    assert report["structure"]["applied"] is True
    assert "section 'MoE' created (5 entries)" in report["structure"]["changes"]
    run_json(capsys, "import", str(UPSTREAM), "--db", shipped, "--allow-structure")
    heads = [ln for ln in export_bytes(shipped, tmp_path).decode().splitlines() if ln.startswith("#")]
    assert heads[:4] == [
        "# NLP PTM(pre-training model)",
        "## Survey",
        "### NLP VS Federated Learning",
        "## PTM",
    ]
    assert "## WuDao" in heads and "## Supported frameworks" in heads


def test_every_line_twice_is_read_once(shipped, capsys, tmp_path):
    # Every heading, intro and entry line twice (the resource tail once: a block's lines doubled
    # would be another description, a real update).
    tail = SHIPPED.index("\n" * 5) + 1
    head = "".join(line * 2 if line.strip() else line for line in SHIPPED[:tail].splitlines(keepends=True))
    before = export_bytes(shipped, tmp_path)
    report = run_json(capsys, "import", write(tmp_path, "doubled.md", head + SHIPPED[tail:]), "--db", shipped)
    # Nothing changed: no revision recorded (issue 23).
    assert report["revision"] is None and export_bytes(shipped, tmp_path) == before
    assert report["added"] == [] and report["updated"] == [] and report["unchanged"] == 153
    assert report["structure"]["changes"] == [] and report["skipped"] == []
    assert not any("(2)" in name for _, name in entries(shipped))
    twice = [p for p in report["problems"] if "the same line as line" in p["problem"]]
    assert len(twice) == 120  # 17 surveys + 102 models + the intro, each reported once
    assert len({p["line"] for p in twice}) == 120


def test_every_line_twice_into_an_empty_catalog(empty_db, capsys, tmp_path):
    tail = SHIPPED.index("\n" * 5) + 1
    head = "".join(line * 2 if line.strip() else line for line in SHIPPED[:tail].splitlines(keepends=True))
    report = run_json(
        capsys, "import", write(tmp_path, "doubled.md", head + SHIPPED[tail:]), "--db", empty_db
    )
    assert len(report["added"]) == 153
    assert export_bytes(empty_db, tmp_path) == SHIPPED_BYTES


def test_a_new_title_needs_allow_structure(shipped, capsys, tmp_path):
    report = run_json(capsys, "import", str(HF), "--db", shipped)
    assert report["title"] == {
        "stored": "NLP PTM(pre-training model)",
        "incoming": "Pre-trained models (Hugging Face transformers README, converted)",
    }
    assert export_bytes(shipped, tmp_path).startswith(b"# NLP PTM(pre-training model)\n")
    report = import_and_revert(capsys, tmp_path, shipped, str(HF), "--allow-structure")
    run_json(capsys, "import", str(HF), "--db", shipped, "--allow-structure")
    assert export_bytes(shipped, tmp_path).startswith(
        b"# Pre-trained models (Hugging Face transformers README"
    )


def test_a_partial_list_moves_no_section(shipped, capsys, tmp_path):
    before = export_bytes(shipped, tmp_path)
    xlnet = next(ln for ln in SHIPPED.splitlines() if ln.startswith("1906: [XLNet]("))
    report = run_json(capsys, "import", write(tmp_path, "ptm.md", f"## PTM\n{xlnet}\n"), "--db", shipped)
    assert report["unchanged"] == 1 and report["structure"]["changes"] == []
    assert export_bytes(shipped, tmp_path) == before


def test_an_unreadable_line_after_a_heading_is_no_intro(shipped, capsys, tmp_path):
    before = export_bytes(shipped, tmp_path)
    junk = "x\u0007" * 14_000
    for flags in ((), ("--allow-structure",)):
        junk_list = SHIPPED.replace("## PTM\n", f"## PTM\n{junk}\n\n")
        report = run_json(capsys, "import", write(tmp_path, "junk.md", junk_list), "--db", shipped, *flags)
        # The BEL bytes are removed (issue 23) and said so; what is left is still no line of the list.
        assert any("control characters" in p["problem"] for p in report["problems"])
        assert any("14000 characters" in p["problem"] for p in report["problems"])
        assert not any("intro" in s for s in report["structure"]["changes"])
        assert export_bytes(shipped, tmp_path) == before


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("binary.md", bytes(range(256)) * 40, "binary"),
        ("notes.md", b"just some notes\nwith no heading at all\n", "no section heading"),
        ("prose.md", ("## PTM\n" + "a sentence that is not a list line\n\n" * 30).encode(), "list's format"),
        ("latin1.md", ("## PTM\n" + "caf\xe9 cr\xe8me br\xfbl\xe9e " * 400).encode("latin-1"), "not UTF-8"),
        ("table.md", DOCS.read_bytes(), "table"),
    ],
)
def test_what_is_not_a_list_is_refused_with_one_line(shipped, capsys, tmp_path, name, data, why):
    before = export_bytes(shipped, tmp_path)
    code, out, err = run(capsys, "import", write(tmp_path, name, data), "--db", shipped)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and why in err and "refused" in err
    assert export_bytes(shipped, tmp_path) == before
    assert run_json(capsys, "history", "--db", shipped)["revisions"][0]["action"] == "seed"


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-8-sig"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(shipped, capsys, tmp_path, codec):
    report = run_json(capsys, "import", write(tmp_path, "list.md", SHIPPED.encode(codec)), "--db", shipped)
    assert report["unchanged"] == 153 and report["added"] == [] and report["updated"] == []
    assert not [p for p in report["problems"] if "UTF-8" in p["problem"]]


def test_the_text_report_has_the_summary_last_and_quiet_prints_only_it(shipped, capsys, tmp_path):
    code, out, err = run(capsys, "import", str(ZH), "--db", shipped, "--dry-run")
    lines = out.splitlines()
    assert lines[-1] == "dry run: nothing was written"
    assert lines[-2].startswith(f"{ZH}: 0 surveys, 267 models")
    assert "conflicts" in lines[-2] and "lines not fully read" in lines[-2]
    assert err == ""  # no progress when stderr is not a terminal
    code, out, err = run(capsys, "import", str(ZH), "--db", shipped, "--quiet")
    assert code == 0 and len(out.splitlines()) == 1 and "conflicts" in out and err == ""


# --------------------------------------------------------------------------------------------
# 3. Undo


@pytest.mark.slow
def test_every_import_is_a_revision_and_revert_restores_the_export_byte_for_byte(shipped, capsys, tmp_path):
    for path in (HF, ZH, UPSTREAM):
        import_and_revert(capsys, tmp_path, shipped, str(path))
    import_and_revert(capsys, tmp_path, shipped, str(HF), "--overwrite")
    # Two imports in a row, then back to before the first.
    original = export_bytes(shipped, tmp_path)
    first = run_json(capsys, "import", str(HF), "--db", shipped)["revision"]
    run_json(capsys, "import", str(ZH), "--db", shipped, "--overwrite")
    code, out, err = run(capsys, "revert", str(first), "--db", shipped)  # the later import: refused
    assert code == 2 and "--force" in err and "also undoes 1 later revision" in out
    code, out, _ = run(capsys, "revert", str(first), "--db", shipped, "--force")
    assert code == 0 and "deleted" in out
    assert export_bytes(shipped, tmp_path) == original
    assert entries(shipped).keys() == entries(shipped).keys()
    code, out, _ = run(capsys, "history", "--db", shipped)
    assert out.splitlines()[0].split()[3] == "revert"
    code, _, err = run(capsys, "revert", "999", "--db", shipped)
    assert code == 2 and "no revision 999" in err


def test_a_revert_keeps_the_ids_of_entries_it_keeps(shipped, capsys, tmp_path):
    import sqlite3

    def ids() -> dict[str, int]:
        with sqlite3.connect(shipped) as conn:
            return dict(conn.execute("SELECT name, id FROM entries WHERE kind = 'model'").fetchall())

    before = ids()
    rev = run_json(capsys, "import", str(HF), "--db", shipped)["revision"]
    assert main(["revert", str(rev), "--db", shipped]) == 0
    assert ids() == before
    with sqlite3.connect(shipped) as conn:
        # The search index follows: no row for a deleted entry, every entry has one.
        assert conn.execute("SELECT count(*) FROM entry_search").fetchone()[0] == 153


def test_dry_run_diff_prints_the_exports_diff_and_writes_nothing(shipped, capsys, tmp_path):
    import difflib

    before = export_bytes(shipped, tmp_path).decode()
    code, out, _ = run(capsys, "import", str(HF), "--db", shipped, "--dry-run", "--diff", "--quiet")
    assert code == 0 and out.startswith("--- catalog (export now)\n+++ catalog after importing")
    *diff_lines, summary, dry = out.splitlines(keepends=True)
    assert summary.startswith(f"{HF}: ") and dry == "dry run: nothing was written\n"
    diff = "".join(diff_lines)
    assert export_bytes(shipped, tmp_path).decode() == before
    assert run_json(capsys, "history", "--db", shipped)["revisions"][0]["action"] == "seed"
    run_json(capsys, "import", str(HF), "--db", shipped)
    after = export_bytes(shipped, tmp_path).decode()
    expected = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            "catalog (export now)",
            f"catalog after importing {HF}",
        )
    )
    assert diff.rstrip("\n") == expected.rstrip("\n")


def test_json_diff_keeps_stdout_one_json_document_with_the_diff_in_it(shipped, capsys, tmp_path):
    code, text_out, _ = run(capsys, "import", str(HF), "--db", shipped, "--dry-run", "--diff", "--quiet")
    assert code == 0
    diff = text_out[: text_out.rindex("\n", 0, text_out.rindex(f"{HF}: ")) + 1]
    doc = run_json(capsys, "import", str(HF), "--db", shipped, "--dry-run", "--diff")  # json.loads: all of it
    assert doc["dry_run"] is True and doc["diff"] == diff
    assert doc["diff"].startswith("--- catalog (export now)\n+++ catalog after importing")
    assert "diff" not in run_json(capsys, "import", str(HF), "--db", shipped, "--dry-run")
    # revert --json --diff: the diff is in the document too (it was dropped).
    rev = run_json(capsys, "import", str(HF), "--db", shipped)["revision"]
    undo = run_json(capsys, "revert", str(rev), "--db", shipped, "--dry-run", "--diff")
    assert undo["dry_run"] is True and undo["diff"].startswith("--- catalog (export now)\n")
    assert "\n-" in undo["diff"] and "undoes" in undo


# --------------------------------------------------------------------------------------------
# 4. Real lists, read completely


def test_the_transformers_list_into_an_empty_catalog_exports_every_line_byte_for_byte(
    empty_db, capsys, tmp_path
):
    report = run_json(capsys, "import", str(HF), "--db", empty_db)
    assert report["counts"]["model"] == 267 and len(report["added"]) == 267
    assert report["fully_read"] == 256  # the baseline was 250
    not_read = sorted({p["line"] for p in report["problems"] if "free-form" in p["problem"]})
    # ESM (three papers in prose), Falcon, Fuyu, GPT NeoX Japanese, ... are kept as written.
    assert 74 in not_read and len(not_read) == 11
    # Every line comes back byte for byte, in order (blank lines follow the catalog's own layout).
    exported = [ln for ln in export_bytes(empty_db, tmp_path).split(b"\n") if ln]
    assert exported == [ln for ln in HF.read_bytes().split(b"\n") if ln]


def test_the_chinese_list_into_an_empty_catalog_keeps_every_line(empty_db, capsys, tmp_path):
    report = run_json(capsys, "import", str(ZH), "--db", empty_db)
    assert len(report["added"]) == 267
    exported = [ln for ln in export_bytes(empty_db, tmp_path).split(b"\n") if ln]
    assert exported == [ln for ln in ZH.read_bytes().split(b"\n") if ln]


def test_hand_checked_fields_of_ten_real_lines():
    doc = parse_list(HF.read_text(encoding="utf-8"))
    by_line = {e.source_line: e for e in doc.entries}
    damaged = {p.line for p in doc.problems if not p.benign}
    for case in json.loads((LISTS / "hand-checked.json").read_text(encoding="utf-8")):
        e = by_line[case["line_no"]]
        got = {
            "name": e.name,
            "docs_url": e.docs_url,
            "org": e.org,
            "paper_title": e.paper_title,
            "paper_url": e.paper_url,
            "arxiv_id": e.arxiv_id,
            "authors": e.authors,
        }
        want = {k: case[k] for k in got}
        if case["line_no"] == 9:
            # "released in the repository [suno-ai/bark](url)": the catalog's convention (the
            # shipped GPT-J line) keeps the repository in the paper fields.
            want.update(paper_title="suno-ai/bark", paper_url="https://github.com/suno-ai/bark")
        if case["line_no"] == 74:
            # Three papers told in prose: not fully read, kept as written, reported.
            assert e.source_line in damaged and e.org == "Meta AI" and e.docs_url == case["docs_url"]
            continue
        assert got == want, case["line_no"]
        assert e.source_line not in damaged, case["line_no"]
        line = HF.read_text(encoding="utf-8").splitlines()[case["line_no"] - 1]
        assert render_entry(e) == [line]


PHI = next(ln for ln in HF.read_text(encoding="utf-8").splitlines() if ln.startswith("2306: [Phi]("))
ALBERT = HF.read_text(encoding="utf-8").splitlines()[3]


@pytest.mark.parametrize(
    ("label", "line", "check"),
    [
        # Edits of a real line, documented: the transformers README has none of these two.
        (
            "URL with parentheses",
            ALBERT.replace(
                "https://arxiv.org/abs/1909.11942", "https://en.wikipedia.org/wiki/ALBERT_(model)"
            ),
            lambda e: (
                e.paper_url == "https://en.wikipedia.org/wiki/ALBERT_(model)"
                and e.authors[-1] == "Radu Soricut"
            ),
        ),
        (
            "zero-width space before the paper link",
            ALBERT.replace("paper [ALBERT", "paper \u200b[ALBERT"),
            lambda e: e.paper_title.startswith("ALBERT: A Lite") and "\u200b" not in e.paper_title,
        ),
        (
            "several papers",
            PHI,
            lambda e: e.arxiv_id == "2306.11644" and e.links[0].url == "https://arxiv.org/abs/2309.05463",
        ),
        (
            "double spaces",
            HF.read_text(encoding="utf-8").splitlines()[168],
            lambda e: e.org == "IBM Research",
        ),
    ],
)
def test_real_line_variants_are_read_fully_and_written_back_exactly(
    empty_db, capsys, tmp_path, label, line, check
):
    doc = parse_list(f"## PTM\n{line}\n")
    (e,) = doc.entries
    assert not [p for p in doc.problems if not p.benign], label
    assert check(e), label
    assert render_entry(e) == [line], label
    # And through the CLI: added, exported as written, undone by revert.
    path = write(tmp_path, "v.md", f"## PTM\n{line}\n")
    report = import_and_revert(capsys, tmp_path, empty_db, path)
    assert report["fully_read"] == 1 and len(report["added"]) == 1
    run_json(capsys, "import", path, "--db", empty_db)
    assert export_bytes(empty_db, tmp_path) == f"## PTM\n{line}\n".encode()


def test_the_upstream_newer_layout_into_an_empty_catalog(empty_db, capsys, tmp_path):
    report = run_json(capsys, "import", str(UPSTREAM), "--db", empty_db)
    # An empty catalog has no "NLP VS Federated Learning" to say that section holds surveys.
    assert report["counts"]["survey"] == 16
    assert any(p["problem"].startswith("a table (96 rows") for p in report["problems"])
    exported = export_bytes(empty_db, tmp_path).decode()
    source = UPSTREAM.read_text(encoding="utf-8").splitlines()
    # Every '* YYMM:' bullet fully read is written back as it stands; no table row is stored.
    bullets = [ln for ln in source if ln.startswith("* ") and ln[2:6].isdigit() and ln[6] == ":"]
    assert len([b for b in bullets if b in exported.splitlines()]) >= 110
    assert not any(ln.startswith("|") for ln in exported.splitlines())
    assert "# A Survey: NLP PTM(Pretrained Models)" not in exported.splitlines()
    assert "## A Survey: NLP PTM(Pretrained Models)" in exported.splitlines()


# --------------------------------------------------------------------------------------------
# 5. Export byte for byte


def test_an_untouched_catalog_exports_the_shipped_list_byte_for_byte(shipped, tmp_path):
    data = export_bytes(shipped, tmp_path)
    assert data == SHIPPED_BYTES
    assert sum(1 for ln in data.splitlines() if ln != ln.rstrip()) == 5  # trailing spaces kept


def test_init_empty_then_import_the_shipped_list_gives_it_back(empty_db, capsys, tmp_path):
    path = write(tmp_path, "ptm-list.md", SHIPPED_BYTES)
    report = run_json(capsys, "import", path, "--db", empty_db)
    assert len(report["added"]) == 153 and report["structure"]["applied"] is True
    assert export_bytes(empty_db, tmp_path) == SHIPPED_BYTES


def test_progress_goes_to_a_terminal_only_and_the_summary_comes_last(shipped, capsys, tmp_path, monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    capsys.readouterr()
    assert main(["import", str(HF), "--db", shipped]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "\rptm-bot: writing" in terminal.getvalue() or "\x1b[Kptm-bot: writing" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[K")  # the counter is wiped before the report
    assert out[-2].startswith(f"{HF}: 0 surveys, 267 models") and out[-1].startswith("recorded as revision")
    terminal.truncate(0)
    assert main(["import", str(HF), "--db", shipped, "--quiet"]) == 0
    assert terminal.getvalue().strip("\x00") == ""


@pytest.mark.slow
def test_a_revert_is_a_revision_and_can_be_reverted(shipped, capsys, tmp_path):
    rev = run_json(capsys, "import", str(HF), "--db", shipped)["revision"]
    imported = export_bytes(shipped, tmp_path)
    undo = run_json(capsys, "revert", str(rev), "--db", shipped)
    assert undo["revision"] == rev + 1 and len(undo["deleted"]) == 165
    assert export_bytes(shipped, tmp_path) == SHIPPED_BYTES
    assert main(["revert", str(undo["revision"]), "--db", shipped, "--quiet"]) == 0
    assert export_bytes(shipped, tmp_path) == imported
    actions = [r["action"] for r in run_json(capsys, "history", "--db", shipped)["revisions"]]
    assert actions == ["revert", "revert", "import", "seed"]
