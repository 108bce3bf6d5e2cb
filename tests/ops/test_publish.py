"""``ptm-bot publish``: real git against a bare repository in a temp directory, and the pull-request
API against a local aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from bot.actor import TERMINAL
from bot.catalog import service as catalog
from bot.catalog.actions import edit
from bot.cli.main import main
from bot.config import CONFIG_PATH_ENV, Config, PublishConfig
from bot.database import open_database
from bot.ops.publish import PublishError, diff_lists, publish
from tests.plugins.http import Reply, ScriptedServer

_HTML = {"Content-Type": "text/html; charset=utf-8"}
_JSON = {"Content-Type": "application/json; charset=utf-8"}


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


async def export_of(db_path: Path) -> str:
    db = await open_database(f"sqlite+aiosqlite:///{db_path}")
    try:
        async with db.begin() as session:
            return await catalog.export_markdown(session)
    finally:
        await db.close()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))  # no developer config
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def remote(tmp_path: Path, db_path: Path) -> Path:
    """A bare repository whose main branch holds the catalog's list with its last model line removed."""
    bare = tmp_path / "list.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    work = tmp_path / "seed"
    git("clone", "--quiet", str(bare), str(work))
    text = asyncio.run(export_of(db_path))
    lines = text.splitlines(keepends=True)
    dropped = next(i for i, line in enumerate(lines) if line.startswith("2006: [DeBERTa]("))
    (work / "README.md").write_text("".join(lines[:dropped] + lines[dropped + 1 :]), encoding="utf-8")
    git("add", "README.md", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@x", "commit", "--quiet", "-m", "the list", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    return bare


def cli(capsys: pytest.CaptureFixture[str], db_path: Path, remote: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["publish", "--db", str(db_path), "--repository", str(remote), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_pushes_a_new_branch_naming_the_entries(db_path: Path, remote: Path, capsys) -> None:
    code, out, err = cli(capsys, db_path, remote, "--branch", "ptm-bot/first")
    assert code == 0, err
    assert out.startswith(f"published 1 added (Add DeBERTa) to {remote} on branch ptm-bot/first (commit ")
    assert git(
        "--git-dir", str(remote), "for-each-ref", "--format=%(refname:short)", "refs/heads"
    ).split() == ["main", "ptm-bot/first"]
    message = git("--git-dir", str(remote), "log", "-1", "--format=%an <%ae>%n%B", "ptm-bot/first")
    assert message.startswith("ptm-bot <ptm-bot@users.noreply.github.com>\nAdd DeBERTa\n")
    assert "1 added since README.md on main" in message and "- DeBERTa" in message
    published = git("--git-dir", str(remote), "show", "ptm-bot/first:README.md")
    assert published == asyncio.run(export_of(db_path))
    assert git("--git-dir", str(remote), "rev-parse", "main") != git(
        "--git-dir", str(remote), "rev-parse", "ptm-bot/first"
    )

    # Unchanged catalog: the export is the one published last time: one line, exit 0, no branch.
    code, out, err = cli(capsys, db_path, remote, "--branch", "ptm-bot/second")
    assert (code, err) == (0, "")
    assert (
        out
        == "nothing to publish: the catalog's export is unchanged since the last publish (branch ptm-bot/first)\n"
    )
    assert git(
        "--git-dir", str(remote), "for-each-ref", "--format=%(refname:short)", "refs/heads"
    ).split() == [
        "main",
        "ptm-bot/first",
    ]


def test_changes_since_the_last_publish_are_named(
    db_path: Path, remote: Path, capsys, tmp_path: Path
) -> None:
    assert cli(capsys, db_path, remote, "--branch", "b1")[0] == 0
    # Merge it, then change the catalog: one edit.
    work = tmp_path / "merge"
    git("clone", "--quiet", str(remote), str(work))
    git("merge", "--quiet", "--ff-only", "origin/b1", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    main(["ask", "--db", str(db_path), "/ptm-admin edit BERT org Google Research"])
    capsys.readouterr()
    code, out, err = cli(capsys, db_path, remote, "--branch", "b2", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["changes"] == {"added": [], "changed": ["BERT"], "removed": []}
    assert "since the last publish" in git("--git-dir", str(remote), "log", "-1", "--format=%B", "b2")
    # Nothing new after merging it: nothing to publish.
    git("fetch", "--quiet", "origin", cwd=work)
    git("merge", "--quiet", "--ff-only", "origin/b2", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    code, out, _ = cli(capsys, db_path, remote)
    assert code == 0 and out.startswith("nothing to publish")


def test_an_existing_branch_is_never_touched(db_path: Path, remote: Path, capsys) -> None:
    git("--git-dir", str(remote), "branch", "taken", "main")  # our commit would fast-forward it
    before = git("--git-dir", str(remote), "rev-parse", "taken")
    code, out, err = cli(capsys, db_path, remote, "--branch", "taken")
    assert code == 1 and out == ""
    assert (
        err
        == f"ptm-bot: publish: branch taken already exists in {remote}; choose another name (--branch); nothing was changed\n"
    )
    assert git("--git-dir", str(remote), "rev-parse", "taken") == before


def test_a_full_ref_name_means_the_branch(db_path: Path, remote: Path, capsys) -> None:
    """Issue 23: `--branch refs/heads/main` created a branch literally named so. It is the branch main
    (which exists: refused); refs/heads/x is x; another ref is refused. One line each."""
    main_before = git("--git-dir", str(remote), "rev-parse", "main")
    code, out, err = cli(capsys, db_path, remote, "--branch", "refs/heads/main")
    assert (code, out) == (1, "")
    assert err == (
        f"ptm-bot: publish: branch main already exists in {remote}; choose another name (--branch); "
        "nothing was changed\n"
    )
    assert git("--git-dir", str(remote), "rev-parse", "main") == main_before
    code, out, err = cli(capsys, db_path, remote, "--branch", "refs/tags/v1")
    assert (code, out) == (1, "")
    assert (
        err
        == "ptm-bot: publish: 'refs/tags/v1' is not a branch (a branch is NAME or refs/heads/NAME); nothing was changed\n"
    )
    code, out, _ = cli(capsys, db_path, remote, "--branch", "refs/heads/list-update")
    assert code == 0 and "list-update" in out
    refs = git("--git-dir", str(remote), "for-each-ref", "--format=%(refname)").split()
    assert "refs/heads/list-update" in refs and not any(r.startswith("refs/heads/refs/") for r in refs)


def test_a_rejected_push_is_one_line(db_path: Path, remote: Path, capsys) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'branch creation is disabled here' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    code, out, err = cli(capsys, db_path, remote, "--branch", "new")
    assert code == 1 and out == ""
    assert err.startswith("ptm-bot: publish: push rejected: ")
    assert err.count("\n") == 1 and err.endswith(f"nothing was changed in {remote} or in the catalog\n")
    assert "new" not in git("--git-dir", str(remote), "for-each-ref", "--format=%(refname:short)").split()
    # The last publish is not recorded: the next publish still names DeBERTa as added.
    hook.unlink()
    code, out, _ = cli(capsys, db_path, remote, "--branch", "new")
    assert code == 0 and "(Add DeBERTa)" in out


def test_edits_made_in_the_repository_are_a_conflict(
    db_path: Path, remote: Path, capsys, tmp_path: Path
) -> None:
    assert cli(capsys, db_path, remote, "--branch", "b1")[0] == 0
    work = tmp_path / "edit"
    git("clone", "--quiet", str(remote), str(work))
    readme = work / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\n- A line written by hand.\n", encoding="utf-8")
    git("-c", "user.name=t", "-c", "user.email=t@x", "commit", "--quiet", "-am", "hand edit", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    main(["ask", "--db", str(db_path), "/ptm-admin edit BERT org Google Research"])  # a change to publish
    capsys.readouterr()
    code, _, err = cli(capsys, db_path, remote, "--branch", "b2")
    assert code == 1
    assert err.startswith(
        "ptm-bot: publish: conflict: README.md on main has 1 line(s) changed in the repository"
    )
    assert err.count("\n") == 1
    assert "b2" not in git("--git-dir", str(remote), "branch", "--list")


def test_dry_run_and_unreachable_repository(db_path: Path, remote: Path, capsys, tmp_path: Path) -> None:
    code, out, _ = cli(capsys, db_path, remote, "--dry-run", "--branch", "b")
    assert code == 0 and out.startswith("would publish 1 added (Add DeBERTa)")
    assert "b" not in git("--git-dir", str(remote), "branch", "--list").split()
    code, _, err = cli(capsys, db_path, tmp_path / "missing.git")
    assert code == 1 and err.startswith("ptm-bot: publish: cannot clone branch main of ")
    code, _, err = main(["publish", "--db", str(db_path)]), *capsys.readouterr()
    assert code == 1 and "publishing is off: set publish.repository" in err


def test_a_list_file_symlinked_out_of_the_repository_is_never_written(
    db_path: Path, remote: Path, capsys, tmp_path: Path
) -> None:
    """A README.md made a symlink to the catalog's database (merged in the list's repository): the
    export written through it would replace the whole catalog."""
    work = tmp_path / "hostile"
    git("clone", "--quiet", str(remote), str(work))
    git("rm", "--quiet", "README.md", cwd=work)
    (work / "README.md").symlink_to(db_path)
    git("add", "README.md", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@x", "commit", "--quiet", "-m", "link", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    database = db_path.read_bytes()
    code, out, err = cli(capsys, db_path, remote, "--branch", "b")
    assert code == 1 and out == ""
    assert err.startswith("ptm-bot: publish: README.md in the repository is a symlink to ")
    assert err.rstrip().endswith("outside the repository; nothing was written or published")
    assert db_path.read_bytes() == database
    assert "b" not in git("--git-dir", str(remote), "branch", "--list").split()


def test_diff_lists_names_added_changed_removed() -> None:
    before = (
        "# T\n## PTM\n\n"
        "1810: [BERT](https://x.org/bert) (from Google) released with the paper [BERT: Pre-training]"
        "(https://arxiv.org/abs/1810.04805.pdf) by Jacob Devlin.\n\n"
        "1907: [RoBERTa](https://x.org/roberta) (from Facebook) released with the paper [RoBERTa: Robust]"
        "(https://arxiv.org/abs/1907.11692.pdf) by Yinhan Liu.\n"
    )
    after = before.replace("(from Google)", "(from Google AI)").replace("[RoBERTa](", "[XLNet](")
    changes = diff_lists(before, after)
    assert changes.as_dict() == {"added": ["XLNet"], "changed": ["BERT"], "removed": ["RoBERTa"]}
    assert changes.subject() == "Add XLNet; Update BERT; Remove RoBERTa"


async def test_pull_request_through_the_github_api(db, remote: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[tuple[str, dict, str]] = []

    async def pulls(request: web.Request) -> web.Response:
        received.append((request.path, await request.json(), request.headers.get("Authorization", "")))
        number = len(received)
        if number == 2:
            return web.json_response({"message": "Validation Failed"}, status=422)
        return web.json_response({"html_url": f"https://github.com/org/list/pull/{number}"}, status=201)

    app = web.Application()
    app.router.add_post("/repos/org/list/pulls", pulls)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
        config = dataclasses.replace(
            Config(),
            publish=PublishConfig(
                repository=str(remote), github_repo="org/list", github_api_url=f"http://127.0.0.1:{port}"
            ),
        )
        result = await publish(db, config, branch="pr-1")
        assert result.pull_request == "https://github.com/org/list/pull/1"
        path, body, auth = received[0]
        assert path == "/repos/org/list/pulls"
        assert auth == "Bearer ghp_test"
        assert body["head"] == "pr-1" and body["base"] == "main" and body["title"] == "Add DeBERTa"
        assert "- DeBERTa" in body["body"]
        await edit(db, "BERT", "org", "Google Research", TERMINAL)
        with pytest.raises(
            PublishError,
            match=rf"^branch pr-2 was pushed, but no pull request was opened: GitHub \(127.0.0.1:{port}\) refused "
            r"the request: HTTP 422 \(Validation Failed\)$",
        ):
            await publish(db, config, branch="pr-2")
    finally:
        await runner.cleanup()


async def test_generated_branch_names_never_collide(db, remote: Path) -> None:
    from datetime import UTC, datetime

    config = dataclasses.replace(Config(), publish=PublishConfig(repository=str(remote)))
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
    first = await publish(db, config, now=now)
    await edit(db, "BERT", "org", "Google Research", TERMINAL)
    second = await publish(db, config, now=now)  # same second: still a new branch
    assert (first.branch, second.branch) == ("ptm-bot/list-20261130-120000", "ptm-bot/list-20261130-120000-2")


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (
            Reply(502, b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", _HTML),
            "refused the request: HTTP 502 (an HTML page)",
        ),
        (Reply(503, b""), "refused the request: HTTP 503 (an empty body)"),
        (
            Reply(500, b'{"message": "Server Error\\nat line 1"}', _JSON),
            "refused the request: HTTP 500 (Server Error)",
        ),
        (Reply(201, b"", _JSON), "answered HTTP 201 with an empty body, not the pull request"),
        (
            Reply(201, b'{"html_url": "https://github.com/org/li', _JSON),
            "answered HTTP 201 with truncated or invalid JSON, not the pull request",
        ),
        (
            Reply(201, b"<html>Unicorn! This page is taking too long</html>", _HTML),
            "answered HTTP 201 with an HTML page, not the pull request",
        ),
        (
            Reply(201, b"[]", _JSON),
            "answered HTTP 201 with JSON without the pull request, not the pull request",
        ),
    ],
)
async def test_an_unexpected_api_answer_is_one_line_naming_host_and_status(
    db_path: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, reply, says
) -> None:
    """Issue 23: an HTML error page (or an empty, truncated or 5xx answer) from the git host's API was
    a 37-line traceback. Now one line that names the host and the HTTP status; the branch is pushed."""
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    async with ScriptedServer() as server:
        server.script("/repos/org/list/pulls", reply)
        host = f"127.0.0.1:{server.port}"
        config = tmp_path / "config.toml"
        config.write_text(
            f'[publish]\ngithub_repo = "org/list"\ngithub_api_url = "http://{host}"\n', encoding="utf-8"
        )
        argv = ["publish", "--db", str(db_path), "--repository", str(remote), "--config", str(config)]
        code = await asyncio.to_thread(main, [*argv, "--branch", "pr-x"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    refused = "" if "answered" in says else " no pull request was opened:"
    assert err == f"ptm-bot: publish: branch pr-x was pushed, but{refused} GitHub ({host}) {says}" + (
        "; check it there (or open it by hand)\n" if "answered" in says else "\n"
    )
    assert "pr-x" in git("branch", "--list", "pr-x", cwd=remote)


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (
            Reply(502, b"<html><body>Bad Gateway</body></html>", _HTML),
            "looking for the bot's open pull request failed; GitHub ({host}) refused the request: "
            "HTTP 502 (an HTML page)",
        ),
        (
            Reply(200, b"<html>Unicorn!</html>", _HTML),
            "GitHub ({host}) answered HTTP 200 with an HTML page, not the list of open pull requests; "
            "try again later",
        ),
        (
            Reply(200, b'[{"number": 1, "head"', _JSON),
            "GitHub ({host}) answered HTTP 200 with truncated or invalid JSON, not the list of open pull "
            "requests; try again later",
        ),
    ],
)
async def test_an_unexpected_answer_to_the_open_pull_request_look_up_is_one_line(
    db_path: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, reply, says
) -> None:
    """The look-up of the bot's open pull request (issue 21) answered by an HTML page, a 5xx or
    truncated JSON: one line naming the host and the status (issue 23), and nothing pushed."""
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    async with ScriptedServer() as server:
        server.script("/repos/org/list/pulls", reply)
        host = f"127.0.0.1:{server.port}"
        config = tmp_path / "config.toml"
        config.write_text(
            f'[publish]\ngithub_repo = "org/list"\ngithub_api_url = "http://{host}"\n', encoding="utf-8"
        )
        argv = ["publish", "--db", str(db_path), "--repository", str(remote), "--config", str(config)]
        code = await asyncio.to_thread(main, argv)
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == f"ptm-bot: publish: nothing was pushed: {says.format(host=host)}\n"
    assert git("--git-dir", str(remote), "for-each-ref", "--format=%(refname:short)").split() == ["main"]


async def test_an_html_answer_to_the_pull_request_update_is_one_line(
    db, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's open pull request is updated (issue 21); a 502 HTML page in answer to the update is
    one line naming the host and the status (issue 23): the branch has the commit, nothing else lost."""
    opened: list[str] = []

    async def pulls(request: web.Request) -> web.Response:
        if request.method == "POST":
            opened.append((await request.json())["head"])
            return web.json_response({"html_url": "https://github.com/org/list/pull/7"}, status=201)
        heads = [{"ref": branch, "repo": {"full_name": "org/list"}} for branch in opened]
        return web.json_response([{"number": 7, "html_url": "u", "head": head} for head in heads])

    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    async with ScriptedServer() as server:
        server.script("/repos/org/list/pulls", pulls)
        server.script("/repos/org/list/pulls/7", Reply(502, b"<html>Bad Gateway</html>", _HTML))
        config = dataclasses.replace(
            Config(),
            publish=PublishConfig(
                repository=str(remote), github_repo="org/list", github_api_url=server.base_url
            ),
        )
        first = await publish(db, config)
        assert first.pull_request == "https://github.com/org/list/pull/7" and opened == [first.branch]
        await edit(db, "BERT", "org", "Google Research", TERMINAL)
        with pytest.raises(PublishError) as raised:
            await publish(db, config)
    assert str(raised.value) == (
        f"branch {first.branch} was pushed, but pull request #7 was not updated: GitHub "
        f"(127.0.0.1:{server.port}) refused the request: HTTP 502 (an HTML page)"
    )
    log = git("--git-dir", str(remote), "log", "--format=%s", f"main..{first.branch}").splitlines()
    assert log == ["Update BERT", "Add DeBERTa"]


class FakeGitHub:
    """The pull-request endpoints of the GitHub REST API, with state: list open, open, update."""

    def __init__(self) -> None:
        self.pulls: list[dict] = []
        self.calls: list[str] = []

    async def list_pulls(self, request: web.Request) -> web.Response:
        self.calls.append(f"GET {request.query_string}")
        base = request.query.get("base")
        return web.json_response([p for p in self.pulls if p["state"] == "open" and p["base"]["ref"] == base])

    async def open_pull(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(f"POST {body['head']}")
        number = len(self.pulls) + 1
        pull = {
            "number": number,
            "state": "open",
            "html_url": f"https://github.com/org/list/pull/{number}",
            "head": {"ref": body["head"], "repo": {"full_name": "org/list"}},
            "base": {"ref": body["base"]},
            "title": body["title"],
            "body": body["body"],
        }
        self.pulls.append(pull)
        return web.json_response(pull, status=201)

    async def update_pull(self, request: web.Request) -> web.Response:
        number = int(request.match_info["number"])
        body = await request.json()
        self.calls.append(f"PATCH {number}")
        pull = self.pulls[number - 1]
        pull.update(title=body["title"], body=body["body"])
        return web.json_response(pull)


async def test_the_open_pull_request_is_updated_not_duplicated(
    db, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeGitHub()
    app = web.Application()
    app.router.add_get("/repos/org/list/pulls", fake.list_pulls)
    app.router.add_post("/repos/org/list/pulls", fake.open_pull)
    app.router.add_patch("/repos/org/list/pulls/{number}", fake.update_pull)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    config = dataclasses.replace(
        Config(),
        publish=PublishConfig(
            repository=str(remote), github_repo="org/list", github_api_url=f"http://127.0.0.1:{port}"
        ),
    )
    heads = ["--git-dir", str(remote), "for-each-ref", "--format=%(refname:short)", "refs/heads"]
    try:
        first = await publish(db, config)
        assert first.pull_request == "https://github.com/org/list/pull/1" and not first.updated_pull_request
        await edit(db, "BERT", "org", "Google Research", TERMINAL)
        second = await publish(db, config)
        assert (second.branch, second.pull_request) == (first.branch, "https://github.com/org/list/pull/1")
        assert second.updated_pull_request and second.line().endswith("pull/1 updated")
        # One branch and one pull request, whose branch now holds the new export (a fast-forward).
        assert git(*heads).split() == ["main", first.branch]
        assert git("--git-dir", str(remote), "show", f"{first.branch}:README.md") == await export_now(db)
        log = git("--git-dir", str(remote), "log", "--format=%s", f"main..{first.branch}").splitlines()
        assert log == ["Update BERT", "Add DeBERTa"]
        assert len(fake.pulls) == 1 and fake.pulls[0]["title"] == "Add DeBERTa; Update BERT"
        assert [c.split()[0] for c in fake.calls] == ["GET", "POST", "GET", "PATCH"]
        # Nothing changed since: nothing to publish, no call, no branch.
        third = await publish(db, config)
        assert third.branch is None and third.line().startswith(
            "nothing to publish: the catalog's export is unchanged"
        )
        assert len(fake.calls) == 4 and git(*heads).split() == ["main", first.branch]
        # Once it is closed (merged), the next change opens a new one.
        fake.pulls[0]["state"] = "closed"
        await edit(db, "BERT", "org", "Google", TERMINAL)
        fourth = await publish(db, config, now=datetime(2030, 1, 1, tzinfo=UTC))
        assert fourth.branch != first.branch and fourth.pull_request == "https://github.com/org/list/pull/2"
    finally:
        await runner.cleanup()


async def export_now(db) -> str:
    async with db.begin() as session:
        return await catalog.export_markdown(session)


def test_the_html_page_is_published_beside_the_list(
    db_path: Path, remote: Path, capsys, tmp_path: Path
) -> None:
    config = tmp_path / "page.toml"
    config.write_text('[publish]\npage_path = "docs/index.html"\n', encoding="utf-8")
    code, out, err = cli(capsys, db_path, remote, "--branch", "ptm-bot/page", "--config", str(config))
    assert code == 0, err
    assert out.startswith("published 1 added (Add DeBERTa)")
    files = git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "ptm-bot/page").split()
    assert files == ["README.md", "docs/index.html"]  # one commit, both files
    page = git("--git-dir", str(remote), "show", "ptm-bot/page:docs/index.html")
    assert page.lower().startswith("<!doctype html>") and "DeBERTa" in page
    assert "<script src" not in page and '<link rel="stylesheet"' not in page  # self-contained
    main_files = git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main").split()
    assert main_files == ["README.md"]
