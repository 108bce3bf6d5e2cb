"""Publishing the list: commit the catalog's export to the list's git repository, on a new branch.

``ptm-bot publish`` and ``/ptm-admin publish`` run :func:`publish`:

1. read the export (one unit of work), and what was published last time (``meta``);
2. nothing to do when the export is the one published last time to that repository (no clone, no
   branch); else clone the configured branch into a temporary directory and compare: nothing to do
   when the file already is the export; a **conflict** when the repository's file has lines that are new since the
   last publish (in neither the file that publish replaced, nor what it published, nor the export):
   someone edited the list there, and publishing would drop their edits; ``ptm-bot import`` the
   repository's file first and publish again;
3. commit on a new branch with a message naming the entries added, changed and removed since the last
   publish (or, the first time, since the repository's version) and push that branch, never with
   force; a rejected push is reported in one line;
4. optionally open a pull request through the GitHub REST API (:mod:`bot.ops.pullrequest`); when the
   bot's pull request is still open, the export is committed on its branch (a fast-forward, never
   force) and the pull request's title and body are updated instead: never a second one;
5. record the published export (a second unit of work, after the network I/O).

Nothing is lost on failure: the catalog is never touched, the remote is only ever given a new branch,
and the last-publish record moves only after a successful push. git runs as a subprocess (in a thread,
so the bot's loop never blocks) with prompts disabled: credentials come from git's own configuration.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.actor import TERMINAL, Actor
from bot.catalog import actions as catalog_actions
from bot.config import Config, PublishConfig
from bot.errors import UserFacingError
from bot.ops import pullrequest
from bot.ops.git import GitFailed, git
from bot.redact import redact

__all__ = [
    "ListChanges",
    "PublishError",
    "PublishResult",
    "diff_lists",
    "new_branch_name",
    "publish",
    "render_publish_result",
]

log = logging.getLogger(__name__)

_NAMES_IN_SUBJECT = 3


class PublishError(UserFacingError):
    """Publishing failed; the message is one line saying why and that nothing was lost (redacted: the
    repository's URL, or what git or GitHub said, may carry a token)."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


@dataclass(slots=True)
class ListChanges:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        parts = [
            f"{len(v)} {k}"
            for k, v in (("added", self.added), ("changed", self.changed), ("removed", self.removed))
            if v
        ]
        return ", ".join(parts) or "no entry changed"

    def subject(self) -> str:
        parts = []
        for verb, names in (("Add", self.added), ("Update", self.changed), ("Remove", self.removed)):
            if not names:
                continue
            shown = ", ".join(names[:_NAMES_IN_SUBJECT])
            more = len(names) - _NAMES_IN_SUBJECT
            parts.append(f"{verb} {shown}" + (f" and {more} more" if more > 0 else ""))
        subject = "; ".join(parts) if parts else "Update the list's layout"
        return subject if len(subject) <= 72 else f"Update the list: {self.summary()}"

    def as_dict(self) -> dict[str, list[str]]:
        return {"added": self.added, "changed": self.changed, "removed": self.removed}


@dataclass(slots=True)
class PublishResult:
    repository: str
    branch: str | None
    commit: str | None
    changes: ListChanges
    pull_request: str | None = None
    dry_run: bool = False
    unchanged_since: str | None = None  # the export is the one last published (on this branch)
    updated_pull_request: bool = False  # the bot's open pull request got the commit

    def __post_init__(self) -> None:
        self.repository = redact(self.repository)  # what is shown: never the URL's credentials

    def line(self) -> str:
        if self.branch is None and self.unchanged_since is not None:
            return "nothing to publish: the catalog's export is unchanged since the last publish" + (
                f" (branch {self.unchanged_since})" if self.unchanged_since else ""
            )
        if self.branch is None:
            return f"nothing to publish: {self.repository} already has the catalog's export"
        what = f"{self.changes.summary()} ({self.changes.subject()})"
        if self.dry_run:
            return f"would publish {what} to {self.repository} on a new branch {self.branch}"
        line = f"published {what} to {self.repository} on branch {self.branch} (commit {self.commit})"
        if self.pull_request:
            line += f"; pull request {self.pull_request}" + (" updated" if self.updated_pull_request else "")
        return line

    def as_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "branch": self.branch,
            "commit": self.commit,
            "changes": self.changes.as_dict(),
            "pull_request": self.pull_request,
            "dry_run": self.dry_run,
            "unchanged_since_last_publish": self.unchanged_since is not None,
            "pull_request_updated": self.updated_pull_request,
        }


def render_publish_result(result: PublishResult) -> str:
    """The one message ``/ptm-admin publish`` answers with (within Discord's 2000 characters)."""
    text = result.line()
    return text if len(text) <= 1900 else text[:1899] + "…"


def _entries(text: str) -> dict[tuple[str, str], tuple[Any, ...]]:
    from bot.catalog.listformat import parse_list

    return {entry.key(): entry.content() for entry in parse_list(text).entries}


def diff_lists(before: str, after: str) -> ListChanges:
    """The entries added, changed and removed from *before* to *after* (two exports of the list)."""
    old, new = _entries(before), _entries(after)
    return ListChanges(
        added=[key[1] for key in new if key not in old],
        changed=[key[1] for key in new if key in old and old[key] != new[key]],
        removed=[key[1] for key in old if key not in new],
    )


def _lost_lines(repository_text: str, known: str, export: str) -> list[str]:
    """Lines of the repository's file that are new since the last publish (in neither *known*: what
    the repository had then and what was published, nor the export): publishing would drop them."""
    kept = set(known.splitlines()) | set(export.splitlines())
    return [line for line in repository_text.splitlines() if line.strip() and line not in kept]


# --- git ------------------------------------------------------------------------------------------


def _author_parts(author: str) -> tuple[str, str]:
    name, _, email = author.partition("<")
    return name.strip(), email.rstrip(">").strip()


@dataclass(slots=True)
class _Prepared:
    repository_text: str | None
    branch: str | None = None
    commit: str | None = None


def _prepare_and_push(
    settings: PublishConfig,
    export: str,
    message: str,
    branch: str,
    *,
    check_lost: str | None,
    dry_run: bool,
    auto_name: bool = False,
    onto: str | None = None,
    page: str | None = None,
) -> _Prepared:
    """Clone, compare, and (unless a dry run or nothing to do) commit the export on a new branch (or on
    *onto*, the open pull request's branch) and push it: the steps below, in one temporary directory."""
    with tempfile.TemporaryDirectory(prefix="ptm-bot-publish-") as tmp:
        work = Path(tmp) / "list"
        _clone(settings, work)
        target = _inside(work, settings.path)
        if settings.page_path:
            _inside(work, settings.page_path)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == export:
            return _Prepared(current)
        if check_lost is not None and current is not None:
            _refuse_lost_edits(settings, current, check_lost, export)
        if dry_run:
            return _Prepared(current, branch=onto or branch)
        if onto is not None:
            _checkout_existing(settings, work, onto)
            for path in (settings.path, settings.page_path):  # that branch's files, checked again
                if path:
                    _inside(work, path)
            if target.is_file() and target.read_text(encoding="utf-8") == export:
                return _Prepared(current)  # the pull request's branch already has it
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(export, encoding="utf-8")
        if page is not None and settings.page_path:  # the HTML page, in the same commit
            (work / settings.page_path).parent.mkdir(parents=True, exist_ok=True)
            (work / settings.page_path).write_text(page, encoding="utf-8")
        branch, commit = _push_new_branch(
            settings, work, message, onto or branch, auto_name=auto_name, onto=onto
        )
        return _Prepared(current, branch=branch, commit=commit)


def _inside(work: Path, path: str) -> Path:
    """*path* in the clone *work*; :class:`PublishError` when the repository makes it a symlink out of
    the clone (to the catalog's own database, say): writing the export there would replace that file."""
    target = work / path
    if not target.resolve().is_relative_to(work.resolve()):
        raise PublishError(
            f"{path} in the repository is a symlink to {target.resolve()}, outside the repository; "
            "nothing was written or published"
        )
    return target


def _checkout_existing(settings: PublishConfig, work: Path, branch: str) -> None:
    """The open pull request's branch, checked out to commit on (a fast-forward of it)."""
    try:
        git(["fetch", "--quiet", "origin", f"refs/heads/{branch}:refs/remotes/origin/{branch}"], work)
        git(["checkout", "--quiet", "-b", branch, f"origin/{branch}"], work)
    except GitFailed as exc:
        raise PublishError(
            f"cannot fetch branch {branch} (the open pull request's) of {settings.repository}: "
            f"{exc.reason}; nothing was changed"
        ) from None


def _clone(settings: PublishConfig, work: Path) -> None:
    """The configured branch of the repository, alone, into *work*."""
    repository = settings.repository
    try:
        git(
            [
                "clone",
                "--quiet",
                "--single-branch",
                "--branch",
                settings.branch,
                "--",
                repository,
                str(work),
            ]
        )
    except GitFailed as exc:
        raise PublishError(
            f"cannot clone branch {settings.branch} of {repository}: {exc.reason}; nothing was changed"
        ) from None


def _refuse_lost_edits(settings: PublishConfig, current: str, known: str, export: str) -> None:
    """A conflict when the repository's file has lines that publishing would drop (:func:`_lost_lines`)."""
    lost = _lost_lines(current, known, export)
    if lost:
        raise PublishError(
            f"conflict: {settings.path} on {settings.branch} has {len(lost)} line(s) changed in the "
            f"repository since the last publish (first: {lost[0][:80]!r}); import that file "
            "('ptm-bot import') and publish again; nothing was changed"
        )


def _push_new_branch(
    settings: PublishConfig, work: Path, message: str, branch: str, *, auto_name: bool, onto: str | None
) -> tuple[str, str]:
    """Commit the written file on a new branch (or on *onto*, checked out) and push it, never with
    force; the branch's name and the commit."""
    try:
        if onto is None:
            branch = _new_branch_name(work, branch, settings.repository, auto_name=auto_name)
        commit = _commit(settings, work, message, branch, new=onto is None)
        # A new branch, never --force: an existing branch of that name makes the push fail.
        git(["push", "--quiet", "origin", f"refs/heads/{branch}:refs/heads/{branch}"], work)
    except GitFailed as exc:
        what = "push rejected" if exc.command == "push" else f"git {exc.command} failed"
        raise PublishError(
            f"{what}: {exc.reason}; nothing was changed in {settings.repository} or in the catalog"
        ) from None
    return branch, commit


def _new_branch_name(work: Path, branch: str, repository: str, *, auto_name: bool) -> str:
    """Only ever a new branch: a fast-forward of an existing one would be accepted by git. A
    generated name that is taken (two publishes in one second) gets a suffix."""
    wanted = branch
    for suffix in range(2, 100 if auto_name else 2):
        if not git(["ls-remote", "--heads", "origin", f"refs/heads/{branch}"], work).strip():
            break
        branch = f"{wanted}-{suffix}"
    if git(["ls-remote", "--heads", "origin", f"refs/heads/{branch}"], work).strip():
        raise PublishError(
            f"branch {branch} already exists in {repository}; choose another name (--branch); "
            "nothing was changed"
        )
    return branch


def _commit(settings: PublishConfig, work: Path, message: str, branch: str, *, new: bool = True) -> str:
    """The export committed on *branch* (new, from the cloned one, or the one checked out) as the
    configured author; its short id."""
    name, email = _author_parts(settings.author)
    if new:
        git(["checkout", "--quiet", "-b", branch], work)
    git(["add", "--", settings.path, *([settings.page_path] if settings.page_path else [])], work)
    git(
        [
            "-c",
            f"user.name={name}",
            "-c",
            f"user.email={email}",
            "commit",
            "--quiet",
            "--no-verify",
            "-F",
            str(_message_file(work, message)),
        ],
        work,
    )
    return git(["rev-parse", "--short", "HEAD"], work).strip()


def _message_file(work: Path, message: str) -> Path:
    path = work.parent / "COMMIT_MESSAGE"
    path.write_text(message, encoding="utf-8")
    return path


def _commit_message(changes: ListChanges, since: str) -> str:
    lines = [changes.subject(), "", f"The catalog's export: {changes.summary()} since {since}."]
    for title, names in (
        ("Added", changes.added),
        ("Changed", changes.changed),
        ("Removed", changes.removed),
    ):
        if names:
            lines += ["", f"{title}:"] + [f"- {name}" for name in names]
    lines += ["", "Published by ptm-bot."]
    return "\n".join(lines) + "\n"


# --- the service ----------------------------------------------------------------------------------


async def publish(
    db: Any,
    config: Config,
    *,
    branch: str | None = None,
    dry_run: bool = False,
    http: Any = None,
    now: datetime | None = None,
    actor: Actor = TERMINAL,
) -> PublishResult:
    """Publish the catalog's export to ``publish.repository`` (see the module docstring); the
    record of it is audited with ``actor`` (the terminal unless a moderator asked)."""
    settings = config.publish
    if not settings.repository:
        raise PublishError(
            "publishing is off: set publish.repository (or PTM_BOT_PUBLISH_REPOSITORY) to the list's git repository"
        )
    from bot.ops.actions import META_LAST_BRANCH, META_LAST_REPOSITORY

    export, last_export, known, last = await _read_state(db)
    if last_export == export and last[META_LAST_REPOSITORY] == redact(settings.repository):
        unchanged = last[META_LAST_BRANCH] or ""
        return PublishResult(
            settings.repository, None, None, ListChanges(), dry_run=dry_run, unchanged_since=unchanged
        )
    pull = await _open_pull_request(config, http) if branch is None else None
    auto_name = branch is None
    stamp = f"{settings.branch_prefix}{(now or datetime.now(UTC)):%Y%m%d-%H%M%S}"
    branch = new_branch_name(branch) if branch is not None else stamp

    # The message needs the repository's version the first time: clone once to read it, then commit.
    # (Cheap: the list is one file; the clone is single-branch.)
    if last_export is None:
        probe = await asyncio.to_thread(
            _prepare_and_push, settings, export, "", branch, check_lost=None, dry_run=True
        )
        if probe.branch is None:
            return PublishResult(settings.repository, None, None, ListChanges(), dry_run=dry_run)
        before, since = probe.repository_text or "", f"{settings.path} on {settings.branch}"
    else:
        before, since = last_export, "the last publish"
    changes = diff_lists(before, export)
    message = _commit_message(changes, since)
    page = await catalog_actions.export(db, "html") if settings.page_path else None  # the HTML page
    done = await asyncio.to_thread(
        _prepare_and_push,
        settings,
        export,
        message,
        branch,
        check_lost=known,
        dry_run=dry_run,
        auto_name=auto_name,
        onto=pull.branch if pull else None,
        page=page,
    )
    result = PublishResult(settings.repository, done.branch, done.commit, changes, dry_run=dry_run)
    if done.branch is None or dry_run:
        return result
    log.info("published the list to %s on branch %s (%s)", result.repository, done.branch, changes.summary())
    await _record(db, export, done, result.repository, actor)
    if settings.github_repo:
        await _pull_request(config, http, result, pull, done, export)
    return result


async def _open_pull_request(config: Config, http: Any) -> pullrequest.OpenPullRequest | None:
    """The bot's open pull request (when pull requests are on and the token is set)."""
    if not (config.publish.github_repo and pullrequest.github_token(config)):
        return None
    try:
        return await pullrequest.find_open(config, http)
    except pullrequest.PullRequestError as exc:
        raise PublishError(str(exc)) from None


async def _read_state(db: Any) -> tuple[str, str | None, str | None, dict[str, str | None]]:
    """The export, the last published export, what the repository had then (for the lost-edits
    check), and every ``publish.*`` record (one unit of work, through the door)."""
    from bot.ops.actions import META_LAST_BASE, META_LAST_EXPORT, publish_state

    state = await publish_state(db)
    last = state.last
    last_export = last[META_LAST_EXPORT]
    known = None if last_export is None else last_export + "\n" + (last[META_LAST_BASE] or "")
    return state.export, last_export, known, last


async def _record(db: Any, export: str, done: _Prepared, repository: str, actor: Actor) -> None:
    """What was published, where (after the network I/O, in its own unit of work, through the door)."""
    from bot.ops.actions import record_publish

    await record_publish(
        db,
        export,
        branch=done.branch or "",
        base=done.repository_text or "",
        repository=repository,
        actor=actor,
    )


async def _pull_request(
    config: Config,
    http: Any,
    result: PublishResult,
    pull: pullrequest.OpenPullRequest | None,
    done: _Prepared,
    export: str,
) -> None:
    """Open the pull request, or update the bot's open one: its title and body name every change
    against ``publish.branch``'s file (what merging it would do)."""
    settings = config.publish
    branch = done.branch or ""
    if not pullrequest.github_token(config):
        raise PublishError(
            f"branch {branch} was pushed, but no pull request was opened: set {settings.token_env} to a GitHub "
            "token (or open it by hand)"
        )
    whole = diff_lists(done.repository_text or "", export)
    body = _commit_message(whole, f"{settings.path} on {settings.branch}")
    try:
        if pull is not None:
            result.pull_request = await pullrequest.update(config, http, pull, whole.subject(), body)
            result.updated_pull_request = True
        else:
            result.pull_request = await pullrequest.open_new(config, http, branch, whole.subject(), body)
    except pullrequest.PullRequestError as exc:
        raise PublishError(str(exc)) from None


def new_branch_name(wanted: str) -> str:
    """The branch a user names (``--branch``): ``refs/heads/main`` is the branch ``main`` (never a
    branch literally named ``refs/heads/main``); another ref (``refs/tags/v1``) or a name git refuses
    is a :class:`PublishError`, said before anything is cloned."""
    from bot.config.checks import Invalid, branch_name

    name = wanted.strip().removeprefix("refs/heads/")
    if name.startswith("refs/"):
        raise PublishError(
            f"{wanted!r} is not a branch (a branch is NAME or refs/heads/NAME); nothing was changed"
        )
    try:
        return branch_name(name)
    except Invalid:
        raise PublishError(f"{wanted!r} is not a valid git branch name; nothing was changed") from None
