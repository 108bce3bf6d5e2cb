"""Secrets never reach output, replies or logs (issue 21): a token in the publish repository's URL, in a
feed's URL, the Discord and GitHub tokens. Every affected command runs for real (real git against a
bare repository, a real aiohttp server standing in for the feed host) and ALL of its output and the
captured log records are searched for each secret."""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from bot.cli.main import main
from bot.config import CONFIG_PATH_ENV
from bot.database import open_database
from bot.ops.metrics import Metrics
from bot.redact import forget_secrets, redact
from tests.plugins.http import Reply, ScriptedServer

PUBLISH_SECRET = "pubSECRET-4f2a9c7e1b"
FEED_PASSWORD = "feedPASS-8d1e33"
FEED_KEY = "feedKEY-77c0aa91"
DISCORD_TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2Nw.GaBcDe.fakeFAKEfakeFAKEfakeFAKEfake12"
GITHUB_TOKEN = "ghp_" + "Zz9Yy8Xx7Ww6" * 3
SECRETS = (PUBLISH_SECRET, FEED_PASSWORD, FEED_KEY, DISCORD_TOKEN, GITHUB_TOKEN)
SECRET_REPOSITORY = f"https://x-access-token:{PUBLISH_SECRET}@git.example.invalid/org/list.git"


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bare repository that git reaches through the secret URL (``url.<path>.insteadOf``)."""
    gitconfig = tmp_path / "gitconfig"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    bare = tmp_path / "list.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    work = tmp_path / "seed"
    git("clone", "--quiet", str(bare), str(work))
    (work / "README.md").write_text("# old list\n", encoding="utf-8")
    git("add", "README.md", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@x", "commit", "--quiet", "-m", "old", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    gitconfig.write_text(f'[url "{bare}"]\n\tinsteadOf = {SECRET_REPOSITORY}\n', encoding="utf-8")
    return bare


@pytest.fixture(autouse=True)
def _secrets_forgotten() -> None:
    forget_secrets()  # what an earlier test's process was told does not help this one


def test_redact_masks_credentials_params_and_token_shapes() -> None:
    assert redact(SECRET_REPOSITORY) == "https://x-access-token:***@git.example.invalid/org/list.git"
    assert redact(f"https://{GITHUB_TOKEN}@github.com/o/r") == "https://***@github.com/o/r"
    assert redact("ssh://git@github.com/o/r") == "ssh://git@github.com/o/r"
    assert redact(f"http://h/rss?a=1&api_key={FEED_KEY}&b=2") == "http://h/rss?a=1&api_key=***&b=2"
    # Session 8: a signed (S3-style) feed URL kept its signature and credential.
    signed = "https://b.example/f.xml?X-Amz-Credential=AKIAX%2F2026&X-Amz-Signature=9f8e7d&X-Amz-Security-Token=zz9&v=2"
    assert redact(signed) == (
        "https://b.example/f.xml?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***&v=2"
    )
    assert redact("https://h/x?client_secret=abc&refresh_token=def&monkey=1") == (
        "https://h/x?client_secret=***&refresh_token=***&monkey=1"
    )
    assert redact(f"token {DISCORD_TOKEN} and Bearer abcdefghijkl") == "token *** and Bearer ***"
    assert (
        redact("https://arxiv.org/abs/2106.07447?context=cs") == "https://arxiv.org/abs/2106.07447?context=cs"
    )


def test_redact_masks_passwords_a_driver_reads_unescaped() -> None:
    """Session 8: a base64 password holds "/" (and "+", "="); a raw "@" or "?" or "#" also reach the
    driver as part of the password. A port and a path are no password."""
    url = "postgresql+asyncpg://ptm:Zm9v/YmFy+S3cr3t=@127.0.0.1:5999/ptm"
    assert redact(url) == "postgresql+asyncpg://ptm:***@127.0.0.1:5999/ptm"
    assert redact("postgresql://ptm:ab@S3cr3tTail@db/ptm") == "postgresql://ptm:***@db/ptm"
    assert (
        redact("see https://u:p?w#d@h/x and https://a:b@c/d") == "see https://u:***@h/x and https://a:***@c/d"
    )
    for kept in ("https://host:8080/path?q=a@b", "http://host:80", "https://user@host/path"):
        assert redact(kept) == kept
    assert redact("https://user:pw@host/p?email=a@b.org") == "https://user:***@host/p?email=a@b.org"


@pytest.mark.parametrize(
    "password", ["Zm9v/YmFy+S3cr3t=", "ab@S3cr3tTail", "pass word with blanks", "s3cr3t?#x"], ids=str
)
def test_config_show_and_health_never_print_the_database_password(
    password: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)
    url = f"postgresql+asyncpg://ptm:{password}@127.0.0.1:9/ptm"
    for argv in (["config", "show"], ["config", "show", "--json"], ["health"], ["health", "--json"]):
        main([*argv, "--db", url])
        out, err = capsys.readouterr()
        assert "ptm:***@" in out + err, argv
        for part in {password, *password.split("@")} - {"ab"}:
            assert part not in out + err, (argv, part)


async def test_no_secret_in_any_output_or_log(
    tmp_path: Path,
    db_path: Path,
    remote: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)
    monkeypatch.setenv("PTM_BOT_PUBLISH_REPOSITORY", SECRET_REPOSITORY)
    monkeypatch.setenv("DISCORD_TOKEN", DISCORD_TOKEN)
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    outputs: list[str] = []
    async with ScriptedServer() as server:
        server.script("/rss/cs.CL", Reply(status=500, body=f"no; your key {FEED_KEY} is wrong".encode()))
        # The git host's API answers with what it was sent (a careless server): the reply is redacted too.
        refusal = f'{{"message": "Bad credentials: {GITHUB_TOKEN}"}}'.encode()
        server.script("/repos/org/list/pulls", Reply(status=401, body=refusal))
        template = (
            f"http://reader:{FEED_PASSWORD}@127.0.0.1:{server.port}/rss/{{categories}}?api_key={FEED_KEY}"
        )
        feeds = f'[feeds]\ncategories = ["cs.CL"]\nurl_template = "{template}"\nmax_attempts = 1\n'
        plain, with_pr = tmp_path / "plain.toml", tmp_path / "pr.toml"
        plain.write_text(feeds, encoding="utf-8")
        with_pr.write_text(
            feeds + f'[publish]\ngithub_repo = "org/list"\ngithub_api_url = "{server.base_url}"\n',
            encoding="utf-8",
        )
        db = ["--config", str(plain), "--db", str(db_path)]
        pr = ["--config", str(with_pr), "--db", str(db_path)]
        unreachable = f"https://x-access-token:{PUBLISH_SECRET}@127.0.0.1:9/org/none.git"
        runs = [
            (["publish", "--branch", "one", "-v", *db], 0),
            (["publish", "--json", "--dry-run", "-v", *db], 0),
            (["publish", "--repository", unreachable, "-v", *db], 1),  # cannot clone
            (["ask", *db, "/ptm-admin edit BERT org Google Research"], 0),
            (["publish", "--branch", "two", "-v", *pr], 1),  # pushed; the pull request refused
            (["ask", *db, "/ptm-admin edit BERT org Google"], 0),
            (["publish", "-v", *pr], 1),  # the bot's open pull request cannot be looked up
            (["poll", "-v", *db], None),
            (["feeds", *db], 0),
            (["feeds", "--json", *db], 0),
            (["health", "-v", *db], None),
            (["health", "--json", *db], None),
            (["config", "show", *pr], 0),
            (["config", "show", "--json", *pr], 0),
            (["ask", *db, "/ptm-admin feeds"], None),
        ]
        for argv, expected in runs:
            code = await asyncio.to_thread(main, argv)
            out, err = capsys.readouterr()
            outputs.append(f"$ ptm-bot {argv[0]}\n{out}\n{err}")
            assert expected is None or code == expected, (argv, code, out, err)
        assert server.requests_to("/rss/cs.CL"), "the poll fetched the feed"
    # The metrics endpoint's labels (the feed's URL).
    database = await open_database(f"sqlite+aiosqlite:///{db_path}")
    try:
        metrics = Metrics(database)
        await metrics.refresh(database)
        outputs.append(generate_latest(metrics.registry).decode())
    finally:
        await database.close()
    everything = "\n".join(outputs) + "\n" + caplog.text
    everything += "\n".join(record.getMessage() for record in caplog.records)
    for secret in SECRETS:
        at = everything.find(secret)
        assert at < 0, f"{secret} leaked: ...{everything[max(0, at - 300) : at + 100]}..."
    # ... and the lines still say what they should, with the secret masked.
    assert "to https://x-access-token:***@git.example.invalid/org/list.git on branch one" in everything
    assert re.search(
        r"branch two was pushed, but no pull request was opened: GitHub \(127\.0\.0\.1:\d+\) refused the "
        r"request: HTTP 401 \(Bad credentials: \*\*\*\)",
        everything,
    )
    assert re.search(
        r"looking for the bot's open pull request failed; GitHub \(127\.0\.0\.1:\d+\) refused the request: "
        r"HTTP 401 \(Bad credentials: \*\*\*\)",
        everything,
    )
    assert "cannot clone branch main of https://x-access-token:***@127.0.0.1:9/org/none.git" in everything
    assert "api_key=***" in everything and "reader:***@127.0.0.1" in everything
    assert 'ptm_bot_feed_health{feed="http://reader:***@127.0.0.1' in everything
