"""``/ptm top`` offline: ``ptm-bot ask '/ptm top ...'`` (the slash command's handler and renderer)
and ``ptm-bot top`` (its read), on a copy of the shipped catalog with votes cast through the door;
the schema's own guarantees (one vote per member and entry, gone with the entry)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.actor import Actor
from bot.catalog.queries import find_model
from bot.cli.main import main
from bot.database import open_database
from bot.votes import actions
from db import models as m


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PTM_BOT_CONFIG", raising=False)


def member(n: int) -> Actor:
    return Actor(1000 + n, None, via="reaction")


def cast_votes(db_path: Path, votes: list[tuple[str, int, int]]) -> None:
    """(entry name, member number, days ago) votes, cast through the door."""

    async def go() -> None:
        db = await open_database(f"sqlite+aiosqlite:///{db_path}")
        try:
            now = datetime.now(UTC)
            for name, who, days in votes:
                (hit,) = await db.read(find_model, name, limit=1)
                outcome = await actions.cast(db, hit.id, member(who), now=now - timedelta(days=days))
                assert outcome is not None and outcome.voted
        finally:
            await db.close()

    asyncio.run(go())


VOTES = [
    ("BERT", 1, 0),
    ("BERT", 2, 1),
    ("BERT", 2, 0),  # the same member again: not counted twice
    ("Hubert", 1, 2),
    ("Hubert", 3, 20),  # within a month, not a week
    ("Wav2Vec2", 1, 12),
    ("Wav2Vec2", 2, 15),
    ("Wav2Vec2", 3, 40),  # older than a month
]


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(db_path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_top_json_by_period_and_topic(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    cast_votes(db_path, VOTES)
    code, out, _ = run(capsys, db_path, "top", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["period"] == "week" and doc["total"] == 2
    assert [(e["name"], e["votes"]) for e in doc["entries"]] == [("BERT", 2), ("Hubert", 1)]
    code, out, _ = run(capsys, db_path, "top", "--period", "month", "--json")
    assert [(e["name"], e["votes"]) for e in json.loads(out)["entries"]] == [
        ("BERT", 2),  # ties: the entry voted for most recently first
        ("Hubert", 2),
        ("Wav2Vec2", 2),
    ]
    code, out, _ = run(capsys, db_path, "top", "speech", "--period", "month", "--json")
    assert [(e["name"], e["votes"]) for e in json.loads(out)["entries"]] == [("Hubert", 2), ("Wav2Vec2", 2)]
    code, out, _ = run(capsys, db_path, "top", "--period", "month", "--limit", "1", "--offset", "1")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["VOTES", "NAME", "DATE"] and lines[1].split()[:2] == ["2", "Hubert"]
    assert lines[-1] == "... and 1 more (use --offset 2)"


def test_top_when_nothing_was_voted_and_an_unknown_topic(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    code, out, _ = run(capsys, db_path, "top")
    assert code == 0 and out.strip() == "no votes in the last week"
    code, _, err = run(capsys, db_path, "top", "cooking")
    assert code == 2 and "unknown topic 'cooking'" in err and "speech" in err


def test_ask_top_month_speech(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    cast_votes(db_path, VOTES)
    assert main(["ask", "/ptm top month speech", "--db", str(db_path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    (embed,) = payload["embeds"]
    assert payload["ephemeral"] is False and embed["title"] == "Most voted in Speech (audio), last 30 days"
    lines = embed["description"].splitlines()
    assert [line.split(" · ")[0] for line in lines] == ["1. 👍 2", "2. 👍 2"]
    assert "**Hubert**" in lines[0] and "**Wav2Vec2**" in lines[1]
    assert main(["ask", "/ptm top", "--db", str(db_path)]) == 0
    text = capsys.readouterr().out
    assert "Most voted, last 7 days" in text and "1. 👍 2 · BERT · 2018-10" in text and "<@" not in text
    assert main(["ask", "/ptm top fortnight", "--db", str(db_path)]) == 2  # not one of the choices


def test_one_vote_per_member_and_entry_and_gone_with_the_entry(db_path: Path) -> None:
    cast_votes(db_path, [("BERT", 1, 0), ("BERT", 2, 0)])

    async def go() -> None:
        db = await open_database(f"sqlite+aiosqlite:///{db_path}")
        try:
            (hit,) = await db.read(find_model, "BERT", limit=1)

            async def duplicate(session):  # past the door: the schema itself refuses it
                session.add(m.Vote(entry_id=hit.id, member_id=1001, voted_at=datetime.now(UTC)))
                await session.flush()

            with pytest.raises(IntegrityError):
                await db.run(duplicate)
            again = await actions.cast(db, hit.id, member(1))
            assert again is not None and not again.changed and again.votes == 2
            gone = await actions.withdraw(db, hit.id, member(1))
            assert gone is not None and gone.changed and not gone.voted and gone.votes == 1

            async def delete_entry(session):
                await session.delete(await session.get(m.Entry, hit.id))

            await db.run(delete_entry)

            async def count(session):
                return await session.scalar(select(func.count()).select_from(m.Vote))

            assert await db.run(count) == 0
            assert await actions.cast(db, hit.id, member(3)) is None  # no entry, no vote
        finally:
            await db.close()

    asyncio.run(go())


@pytest.mark.parametrize("topic", ["", "   "])
def test_top_with_an_empty_topic_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], db_path: Path, topic: str
) -> None:
    # As recent says it (was exit 0: every topic); no topic at all is still every topic.
    assert run(capsys, db_path, "top", topic) == (2, "", "ptm-bot: Please give a topic.\n")
    assert run(capsys, db_path, "recent", topic) == (2, "", "ptm-bot: Please give a topic.\n")
    assert run(capsys, db_path, "top") == (0, "no votes in the last week\n", "")
