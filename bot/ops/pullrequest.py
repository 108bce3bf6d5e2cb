"""The list's pull request on GitHub (``publish.github_repo``): find the bot's open one, open one, update
one. :mod:`bot.ops.publish` pushes the branch; this module only talks to the REST API.

One open pull request from the bot at a time: when a publish finds one (its head branch starts with
``publish.branch_prefix``, in the same repository, into ``publish.branch``), the export is committed on
that branch and the pull request's title and body are brought up to date, instead of a second branch
and a second pull request.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

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


async def _call(config: Config, http: Any, method: str, path: str, what: str, **kwargs: Any) -> Any:
    """One API call; its JSON, or :class:`PullRequestError`: *what* (the state things are in), then why."""
    import aiohttp

    settings = config.publish
    token = github_token(config)
    url = f"{settings.github_api_url}/repos/{settings.github_repo}{path}"
    try:
        async with _session(http) as session:
            async with session.request(method, url, headers=_headers(config, token), **kwargs) as response:
                payload = await response.json(content_type=None)
                if response.status >= 300:
                    reason = payload.get("message", "") if isinstance(payload, dict) else ""
                    raise PullRequestError(
                        f"{what} GitHub refused the request: {response.status} {reason}".rstrip()
                    )
                return payload
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise PullRequestError(f"{what} GitHub could not be reached: {exc or type(exc).__name__}") from None
    except ValueError:  # not JSON
        raise PullRequestError(f"{what} GitHub's answer was not JSON") from None


async def find_open(config: Config, http: Any) -> OpenPullRequest | None:
    """The bot's open pull request into ``publish.branch`` (the newest, when there are several)."""
    settings = config.publish
    pulls = await _call(
        config,
        http,
        "GET",
        "/pulls",
        "nothing was pushed: looking for the bot's open pull request failed;",
        params={"state": "open", "base": settings.branch, "per_page": "100"},
    )
    found = []
    for pull in pulls if isinstance(pulls, list) else []:
        head = pull.get("head") or {}
        repo = (head.get("repo") or {}).get("full_name", settings.github_repo)
        ref = str(head.get("ref") or "")
        if ref.startswith(settings.branch_prefix) and repo == settings.github_repo:
            found.append(OpenPullRequest(int(pull["number"]), str(pull.get("html_url") or ""), ref))
    return max(found, key=lambda pr: pr.number) if found else None


async def open_new(config: Config, http: Any, branch: str, title: str, body: str) -> str:
    """Open a pull request from *branch*; its address."""
    what = f"branch {branch} was pushed, but no pull request was opened:"
    payload = await _call(
        config,
        http,
        "POST",
        "/pulls",
        what,
        json={"title": title, "head": branch, "base": config.publish.branch, "body": body},
    )
    return str(payload.get("html_url") or payload.get("url"))


async def update(config: Config, http: Any, pull: OpenPullRequest, title: str, body: str) -> str:
    """Bring the open pull request's title and body up to date; its address."""
    what = f"branch {pull.branch} was pushed, but pull request #{pull.number} was not updated:"
    payload = await _call(
        config, http, "PATCH", f"/pulls/{pull.number}", what, json={"title": title, "body": body}
    )
    return str(payload.get("html_url") or pull.url)
