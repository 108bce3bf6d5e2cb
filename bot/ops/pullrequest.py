"""The list's pull request on GitHub (``publish.github_repo``): find the bot's open one, open one, update
one. :mod:`bot.ops.publish` pushes the branch; this module only talks to the REST API.

One open pull request from the bot at a time: when a publish finds one (its head branch starts with
``publish.branch_prefix``, in the same repository, into ``publish.branch``), the export is committed on
that branch and the pull request's title and body are brought up to date, instead of a second branch
and a second pull request.

Every answer that is not what was asked for (an HTML error page, an empty body, truncated JSON, a 5xx,
no answer in time) is one line naming the host and the HTTP status (:class:`PullRequestError`).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.config import Config
from bot.errors import UserFacingError
from bot.redact import redact

__all__ = ["OpenPullRequest", "PullRequestError", "find_open", "github_token", "open_new", "update"]


class PullRequestError(UserFacingError):
    """The GitHub API refused or could not be reached; one line, redacted."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


@dataclass(frozen=True, slots=True)
class OpenPullRequest:
    number: int
    url: str
    branch: str


def github_token(config: Config) -> str:
    return os.environ.get(config.publish.token_env, "").strip()


@asynccontextmanager
async def _session(http: Any) -> AsyncIterator[Any]:
    import aiohttp

    if http is not None:
        yield http
        return
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


def _headers(config: Config, token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": config.user_agent,
    }


async def _call(config: Config, http: Any, method: str, path: str, what: str, **kwargs: Any) -> _Answer:
    """One API call: its status, its JSON (``None``: not JSON) and what the answer was, in a few words.
    :class:`PullRequestError` in one line naming the host and the HTTP status when it is refused (a 4xx,
    a 5xx, an HTML error page) or cannot be reached: *what* (the state things are in), then why. The
    answer is read up to :data:`_API_MAX_BYTES`; its text is never repeated (it may echo the request),
    but for the API's own ``message``. A 2xx that is not what the caller expected: :meth:`_Answer.odd`."""
    import aiohttp

    settings = config.publish
    url = f"{settings.github_api_url}/repos/{settings.github_repo}{path}"
    host = _host(config)
    try:
        async with _session(http) as session:
            headers = _headers(config, github_token(config))
            async with session.request(method, url, headers=headers, **kwargs) as response:
                status, kind = response.status, response.content_type
                raw = await response.content.read(_API_MAX_BYTES)
    except (aiohttp.ClientError, TimeoutError) as exc:
        why = str(exc).strip() or type(exc).__name__
        raise PullRequestError(f"{what} GitHub ({host}) could not be reached: {why}") from None
    payload = _json(raw)
    if status >= 300:
        said = payload.get("message") if isinstance(payload, dict) else None
        lines = str(said or "").strip().splitlines()
        reason = lines[0][:200] if lines else _what_body(raw, kind)
        raise PullRequestError(f"{what} GitHub ({host}) refused the request: HTTP {status} ({reason})")
    return _Answer(host, status, payload, raw, kind)


@dataclass(frozen=True, slots=True)
class _Answer:
    host: str
    status: int
    payload: Any  # None: not JSON
    raw: bytes
    content_type: str

    def odd(self, state: str, expected: str, then: str) -> PullRequestError:
        """A 2xx answer that is not *expected* (empty, HTML, truncated JSON, other JSON): one line."""
        body = _what_body(self.raw, self.content_type, other=f"JSON without {expected}")
        return PullRequestError(
            f"{state} GitHub ({self.host}) answered HTTP {self.status} with {body}, not {expected}; {then}"
        )


def _host(config: Config) -> str:
    api = config.publish.github_api_url
    return urlsplit(api).netloc or api


# An API answer is read up to this size: a page of pull requests' JSON is well under it.
_API_MAX_BYTES = 4 << 20


def _json(raw: bytes) -> Any:
    """*raw* as JSON, or None (empty, HTML, truncated, not UTF-8)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _what_body(raw: bytes, content_type: str, *, other: str = "other JSON") -> str:
    """What an API answer was, in a few words (never its text: it may echo a request)."""
    text = raw.strip()
    if not text:
        return "an empty body"
    if "html" in content_type or text[:1] == b"<":
        return "an HTML page"
    if text[:1] in (b"{", b"["):
        return "truncated or invalid JSON" if _json(text) is None else other
    return f"a {content_type or 'non-JSON'} body"


async def find_open(config: Config, http: Any) -> OpenPullRequest | None:
    """The bot's open pull request into ``publish.branch`` (the newest, when there are several)."""
    settings = config.publish
    answer = await _call(
        config,
        http,
        "GET",
        "/pulls",
        "nothing was pushed: looking for the bot's open pull request failed;",
        params={"state": "open", "base": settings.branch, "per_page": "100"},
    )
    pulls = answer.payload
    if not isinstance(pulls, list):
        raise answer.odd("nothing was pushed:", "the list of open pull requests", "try again later")
    found = []
    for pull in pulls:
        head = (pull.get("head") if isinstance(pull, dict) else None) or {}
        repo = (head.get("repo") or {}).get("full_name", settings.github_repo)
        ref = str(head.get("ref") or "")
        if ref.startswith(settings.branch_prefix) and repo == settings.github_repo and "number" in pull:
            found.append(OpenPullRequest(int(pull["number"]), str(pull.get("html_url") or ""), ref))
    return max(found, key=lambda pr: pr.number) if found else None


async def open_new(config: Config, http: Any, branch: str, title: str, body: str) -> str:
    """Open a pull request from *branch*; its address."""
    what = f"branch {branch} was pushed, but no pull request was opened:"
    answer = await _call(
        config,
        http,
        "POST",
        "/pulls",
        what,
        json={"title": title, "head": branch, "base": config.publish.branch, "body": body},
    )
    found = _address(answer.payload)
    if found is None:
        raise answer.odd(f"branch {branch} was pushed, but", "the pull request", _CHECK)
    return found


async def update(config: Config, http: Any, pull: OpenPullRequest, title: str, body: str) -> str:
    """Bring the open pull request's title and body up to date; its address."""
    what = f"branch {pull.branch} was pushed, but pull request #{pull.number} was not updated:"
    answer = await _call(
        config, http, "PATCH", f"/pulls/{pull.number}", what, json={"title": title, "body": body}
    )
    found = _address(answer.payload)
    if found is None:
        raise answer.odd(f"branch {pull.branch} was pushed, but", "the pull request", _CHECK)
    return found


_CHECK = "check it there (or open it by hand)"


def _address(payload: Any) -> str | None:
    """The pull request's address in the API's answer, or None (not the pull request)."""
    found = payload.get("html_url") or payload.get("url") if isinstance(payload, dict) else None
    return found if isinstance(found, str) and found else None
