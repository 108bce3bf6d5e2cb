"""The terminal as a new user meets it (issue 21): "did you mean" wherever a word can be mistyped, the
subcommand's usage on an argument error, examples in every subcommand's help with no word broken,
and tables aligned by display cells (CJK)."""

from __future__ import annotations

import argparse
import itertools
import shlex
import unicodedata

import pytest

from bot.cli.examples import EXAMPLES
from bot.cli.main import main
from bot.cli.parser import build_parser, load_extra_commands
from bot.suggest import closest, did_you_mean


def run(capsys, db_path, *argv):
    code = main([*argv, "--db", str(db_path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def usage_error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    assert exit_.value.code == 2
    return capsys.readouterr().err


def test_did_you_mean_is_one_helper() -> None:
    assert closest("speach", ["speech", "vision"]) == ["speech"]
    assert did_you_mean("modle", ["model", "org"]) == " (did you mean model?)"
    assert did_you_mean("Guild-IDS", ["guild_ids"], quote=True) == " (did you mean 'guild_ids'?)"
    assert did_you_mean("zzzz", ["model", "org"]) == ""


def test_mistyped_topic_suggests_the_topic(capsys, db_path) -> None:
    code, _, err = run(capsys, db_path, "recent", "speach")
    assert code == 2
    assert err.startswith("ptm-bot: unknown topic 'speach' (did you mean speech?); valid topics: speech,")
    code, _, err = run(capsys, db_path, "ask", "/ptm recent speach")
    assert code == 2 and "topic: 'speach' is not one of the choices (did you mean speech?)" in err


def test_ask_mistyped_command_suggests(capsys, db_path) -> None:
    code, _, err = run(capsys, db_path, "ask", "/ptm modle BERT")
    assert code == 2
    assert err.startswith("ptm-bot: /ptm has no subcommand 'modle' (did you mean model?); subcommands:")
    code, _, err = run(capsys, db_path, "ask", "/ptmm model BERT")
    assert code == 2 and "no command /ptmm (did you mean /ptm?)" in err
    code, _, err = run(capsys, db_path, "ask", "/ptm-admin edit BERT orgg X")
    assert code == 2 and "'orgg' is not one of the choices (did you mean org?)" in err


def test_mistyped_subcommand_suggests(capsys) -> None:
    err = usage_error(capsys, "serch", "knowledge")
    assert "invalid choice: 'serch' (did you mean 'search'?)" in err


def test_argument_error_shows_the_subcommands_usage(capsys) -> None:
    err = usage_error(capsys, "recent", "speech", "--bogus")
    assert err.startswith("usage: ptm-bot recent ")
    assert err.rstrip().endswith("ptm-bot recent: error: unrecognized arguments: --bogus")
    err = usage_error(capsys, "search", "--limit", "x", "bert")
    assert err.startswith("usage: ptm-bot search ") and "'x' is not a whole number" in err


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    load_extra_commands()
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("columns", ["60", "100"])
def test_every_subcommand_has_examples_and_no_word_is_broken(columns: str, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    subcommands = _subcommands()
    assert len(subcommands) >= 20
    for name, sub in subcommands.items():
        text = sub.format_help()
        assert f"examples:\n  ptm-bot {name}" in text, name
        lines = text.splitlines()
        for line, following in itertools.pairwise(lines):
            # "ptm-" at a line's end with "bot" on the next: a word broken at its hyphen.
            assert not (line.rstrip().endswith("-") and following.strip()[:1].isalpha()), (name, line)
    assert "Example: ptm-bot ask '/ptm recent speech count=5'" in " ".join(
        subcommands["ask"].format_help().split()
    )


def test_every_sub_subcommand_has_a_description_and_examples() -> None:
    """Session 8: ``gate add``, ``relevance show``, ``links check``, ``config show``... had no description
    and no examples (README: each subcommand's help ends with examples)."""
    nested = 0
    for name, sub in _subcommands().items():
        for action in sub._actions:
            if not isinstance(action, argparse._SubParsersAction):
                continue
            for child_name, child in action.choices.items():
                nested += 1
                text = child.format_help()
                assert child.description, (name, child_name)
                assert f"examples:\n  ptm-bot {name} {child_name}" in text, (name, child_name)
    assert nested >= 10


def test_every_example_in_the_help_parses() -> None:
    """Session 8: ``ptm-bot recent --help`` showed ``--limit 5``, an option ``recent`` does not have."""
    load_extra_commands()
    parser = build_parser()
    examples = [e for lines in EXAMPLES.values() for e in lines]
    assert len(examples) >= 40
    for example in examples:
        words = shlex.split(example, comments=True)
        words = list(itertools.takewhile(lambda w: w not in (">", ">>", "|"), words))
        assert words[0] == "ptm-bot", example
        try:
            parser.parse_args(words[1:])
        except SystemExit as exit_:
            pytest.fail(f"{example!r} does not parse (exit {exit_.code})")


def _cells(line: str) -> list[str]:
    """The line as terminal cells: a wide character, then a placeholder for its second cell."""
    out: list[str] = []
    for char in line:
        out.append(char)
        if unicodedata.east_asian_width(char) in ("W", "F"):
            out.append("")
    return out


def test_table_columns_align_by_display_cells(capsys, db_path) -> None:
    assert run(capsys, db_path, "ask", "/ptm-admin edit DistilBERT org 抱抱脸")[0] == 0
    code, out, _ = run(capsys, db_path, "search", "distillation")
    assert code == 0
    lines = [_cells(line) for line in out.splitlines() if line and not line.startswith("...")]
    header = "".join(lines[0])
    assert any("抱抱脸" in "".join(line) for line in lines[1:])
    for column in ("DATE", "ORG", "TOPICS", "TITLE"):
        at = header.index(column)  # the header is ASCII: characters are cells
        for line in lines[1:]:
            assert line[at - 2 : at] == [" ", " "] and line[at] not in (" ", ""), ("".join(line), column)


def test_admin_feeds_runs_offline(capsys, db_path) -> None:
    code, out, err = run(capsys, db_path, "ask", "/ptm-admin feeds")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "No feed has been polled yet."


def test_readme_setup_says_how_moderators_see_ptm_admin() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## In Discord") : readme.index("| command | who |")]
    assert "Server Settings → Integrations" in setup and "Manage Server" in setup and "/ptm-admin" in setup


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--threshold", "2"), "argument --threshold: must be a probability from 0 to 1, got 2"),
        (("--threshold", "nan"), "argument --threshold: must be a probability from 0 to 1, got nan"),
        (("--threshold", "-1"), "argument --threshold: must be a probability from 0 to 1, got -1"),
        (("--cards", "-3"), "argument --cards: must be at least 0"),
        (("--mistakes", "x"), "argument --mistakes: 'x' is not a whole number"),
    ],
    ids=["above-1", "nan", "negative", "cards", "mistakes"],
)
def test_relevance_eval_refuses_a_line_that_is_no_probability(
    capsys, argv: tuple[str, ...], message: str
) -> None:
    """Session 8: --threshold 2, -1, nan or inf ran silently."""
    err = usage_error(capsys, "relevance", "eval", *argv)
    assert err.rstrip().endswith(f"ptm-bot relevance eval: error: {message}")
