"""The query subcommands through ``bot.cli.main.main`` on a copy of the shipped catalog."""

from __future__ import annotations

import json

import pytest

from bot.cli.main import main


def run(capsys, db_path, *argv):
    code = main([*argv, "--db", str(db_path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_model_json_best_first(capsys, db_path):
    code, out, _ = run(capsys, db_path, "model", "deberta v2", "--json")
    entries = json.loads(out)["entries"]
    assert code == 0 and entries[0]["name"] == "DeBERTa-v2" and entries[0]["date"] == "2020-06"


def test_model_unknown_suggests(capsys, db_path):
    code, out, err = run(capsys, db_path, "model", "nystomformer")
    assert code == 1 and out == ""
    assert err.strip() == "no entry named nystomformer; did you mean: Nyströmformer"


def test_recent_json_and_table(capsys, db_path):
    code, out, _ = run(capsys, db_path, "recent", "speech", "--count", "3", "--json")
    names = [e["name"] for e in json.loads(out)["entries"]]
    assert code == 0 and names == ["Data2Vec", "XLS-R", "UniSpeechSat"]
    code, out, _ = run(capsys, db_path, "recent", "speech", "--count", "3")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "DATE", "ORG", "TOPICS", "TITLE"]
    assert lines[1].startswith("Data2Vec") and "2022-02" in lines[1]
    assert lines[-1] == "... and 10 more (use --offset 3)"


def test_recent_unknown_topic_exit_2(capsys, db_path):
    code, _, err = run(capsys, db_path, "recent", "cooking")
    assert code == 2 and "speech" in err and "vision" in err


def test_search_survey_org_author(capsys, db_path):
    code, out, _ = run(capsys, db_path, "search", "蒸馏", "--json")
    assert code == 0 and json.loads(out)["entries"][0]["name"] == "知识蒸馏"
    code, out, _ = run(capsys, db_path, "search", 'NEAR("*', "--json")
    assert code == 0 and "entries" in json.loads(out)
    code, out, _ = run(capsys, db_path, "survey", "--limit", "2", "--json")
    assert [e["kind"] for e in json.loads(out)["entries"]] == ["survey", "survey"]
    code, out, _ = run(capsys, db_path, "org", "VinAI", "--json")
    assert {e["name"] for e in json.loads(out)["entries"]} == {"PhoBERT", "BERTweet", "BARTpho"}
    code, out, _ = run(capsys, db_path, "author", "Kaiming He")
    assert code == 0 and "ViTMAE" in out
    code, out, _ = run(capsys, db_path, "org", "Nobody Inc")
    assert code == 0 and out.strip() == "no entries from 'Nobody Inc'"


def test_negative_offset_is_a_usage_error(capsys, db_path):
    # Not clamped silently (the "use --offset N" hint would count from it) nor sent to PostgreSQL.
    with pytest.raises(SystemExit) as exc:
        run(capsys, db_path, "search", "bert", "--offset", "-3")
    assert exc.value.code == 2 and "--offset" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# One terminal path (issue 19 part 6) and unquoted words (issue 21)


@pytest.mark.parametrize(
    ("words", "quoted"),
    [
        (["search", "knowledge", "distillation"], ["search", "knowledge distillation"]),
        (["model", "deberta", "v2"], ["model", "deberta v2"]),
        (["author", "Kaiming", "He"], ["author", "Kaiming He"]),
        (["org", "Facebook", "AI"], ["org", "Facebook AI"]),
        (["survey", "pre-trained", "models"], ["survey", "pre-trained models"]),
        (["recent", "long", "context"], ["recent", "long context"]),
    ],
)
def test_unquoted_words_are_one_query(capsys, db_path, words, quoted):
    code, out, err = run(capsys, db_path, *words, "--json")
    assert (code, out, err) == run(capsys, db_path, *quoted, "--json")
    assert code == 0 and json.loads(out)["entries"]


def test_unquoted_words_in_messages(capsys, db_path):
    code, _, err = run(capsys, db_path, "model", "deberta", "v3")
    assert code == 1 and err.startswith("no entry named deberta v3; did you mean: ")
    code, out, _ = run(capsys, db_path, "org", "Nobody", "Inc")
    assert code == 0 and out.strip() == "no entries from 'Nobody Inc'"


def test_every_query_subcommand_runs_its_slash_commands_read():
    from bot.cli.query import COMMANDS
    from bot.commands import HANDLERS
    from bot.commands.reads import READS

    names = {f"ptm {name}" for name, *_ in COMMANDS}
    assert names == set(READS) and names <= set(HANDLERS)


def test_the_query_subcommands_go_through_the_registry(capsys, db_path, monkeypatch):
    from bot.commands import reads

    seen = []

    async def spy(db, query, **kwargs):
        seen.append((query, kwargs))
        return await reads.search(db, query, **kwargs)

    monkeypatch.setitem(reads.READS, "ptm search", spy)
    code, _, _ = run(capsys, db_path, "search", "knowledge", "distillation", "--limit", "3")
    assert code == 0 and seen == [("knowledge distillation", {"limit": 3, "offset": 0})]


def test_search_lists_what_ask_shows(capsys, db_path):
    """The terminal's two faces answer from the same read: the table's names are the embed's."""
    code, out, _ = run(capsys, db_path, "search", "knowledge", "distillation", "--json")
    names = [e["name"] for e in json.loads(out)["entries"]]
    code, shown, _ = run(capsys, db_path, "ask", "/ptm search knowledge distillation", "--json")
    (embed,) = json.loads(shown)["embeds"]
    assert code == 0 and names and all(name in embed["description"] for name in names)


async def test_a_current_catalog_is_read_straight_from_a_read_thread(db_path):
    from bot.catalog import queries
    from bot.cli.reading import CatalogForReading
    from bot.config import Config, database_url_from_path

    config = Config().with_database_url(database_url_from_path(str(db_path)))
    db = CatalogForReading(config)
    try:
        hits = await db.read(queries.find_model, "DeBERTa", limit=1)
        assert hits[0].entry.name == "DeBERTa"
        assert db._reader is not None and db._db is None
    finally:
        await db.close()


async def test_a_url_with_options_is_opened_as_every_command_opens_it(db_path):
    from bot.catalog import queries
    from bot.cli.reading import CatalogForReading, plain_sqlite_file
    from bot.config import Config

    url = f"sqlite+aiosqlite:///file:{db_path}?mode=rw&uri=true"
    assert plain_sqlite_file(url) is None
    db = CatalogForReading(Config().with_database_url(url))
    try:
        hits = await db.read(queries.find_model, "DeBERTa", limit=1)
        assert hits[0].entry.name == "DeBERTa"
        assert db._reader is None and db._db is not None
    finally:
        await db.close()


def test_a_catalog_behind_the_newest_revision_is_migrated_first(db_path):
    """``ready_to_read`` is false for a catalog an older ptm-bot left: the full open migrates it."""
    import sqlite3

    from db.guard import head_revision, ready_to_read

    assert ready_to_read(str(db_path))
    conn = sqlite3.connect(db_path)
    try:
        (stored,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        assert stored == head_revision()
        conn.execute("UPDATE alembic_version SET version_num = 'older'")
        conn.commit()
    finally:
        conn.close()
    assert not ready_to_read(str(db_path))


@pytest.mark.parametrize("command", ["model", "cite"])
def test_not_found_name_is_shown_with_its_controls_escaped(capsys, db_path, command):
    # The name the user typed, echoed raw, retitled the terminal (OSC 0) or coloured it.
    code, out, err = run(capsys, db_path, command, "\x1b]0;pwned\x07x", "\x1b[31mred\x9b")
    assert code == 1 and out == ""
    assert err == "no entry named \\x1b]0;pwned\\x07x \\x1b[31mred\\x9b\n"


def test_model_json_without_a_match_prints_an_empty_document(capsys, db_path):
    # As search, org, author, survey and top do (was nothing on stdout); exit 1 and the line kept.
    code, out, err = run(capsys, db_path, "model", "zzzzqqq", "--json")
    assert code == 1 and json.loads(out) == {"entries": []}
    assert err.startswith("no entry named zzzzqqq")


def test_recent_with_an_overlong_topic_is_not_echoed(capsys, db_path):
    # As search, org and author say it (was "unknown topic '<the whole 100 KB>'").
    big = "a" * 100_000
    for command in ("recent", "top"):
        assert run(capsys, db_path, command, big) == (
            2,
            "",
            "ptm-bot: That topic is too long (at most 200 characters).\n",
        )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "/ptm recent {big}",
            "topic: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not one of the choices: ",
        ),
        (
            "/ptm recent speech count=x{big}",
            "count: 'xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not a whole number",
        ),
        (
            "/ptm stats {big}",
            "/ptm stats takes: (no options); too many values: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'",
        ),
        ("/ptm {big}", "/ptm has no subcommand 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'; subcommands: "),
        ("/{big}", "no command /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...; commands: "),
    ],
)
def test_ask_does_not_echo_an_overlong_value(capsys, db_path, line, message):
    code, out, err = run(capsys, db_path, "ask", line.format(big="a" * 100_000))
    assert code == 2 and out == ""
    assert err.startswith(f"ptm-bot: {message}") and err.count("\n") == 1 and len(err) < 500


@pytest.mark.parametrize("query", ["BE\u200bRT", "\uff22\uff25\uff32\uff34", "B\u00adERT\ufeff"])
def test_search_normalises_the_query_as_model_does(capsys, db_path, query):
    # A zero-width space, full-width letters, a soft hyphen: model found BERT, search found nothing.
    code, out, _ = run(capsys, db_path, "search", query, "--json")
    plain = json.loads(run(capsys, db_path, "search", "BERT", "--json")[1])["entries"]
    assert code == 0 and json.loads(out)["entries"] == plain != []
