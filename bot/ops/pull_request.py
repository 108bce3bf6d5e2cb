"""The pull request of a publish, through the GitHub REST API (:func:`bot.ops.publish.publish`, step 4).

Every answer that is not the pull request (an HTML error page, an empty body, truncated JSON, a 5xx,
no answer in time) is one line naming the host and the HTTP status: a :class:`PublishError`. The
answer is read up to :data:`_API_MAX_BYTES`; its text is never repeated (it may echo the request).
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit

from bot.config import Config
from bot.ops.publish import ListChanges, PublishError

__all__ = ["open_pull_request"]


async def open_pull_request(
    config: Config, branch: str, changes: ListChanges, message: str, http: Any
) -> str:
    """Open the pull request of the pushed *branch*; its URL, or :class:`PublishError` in one line."""
    import aiohttp

    settings = config.publish
    token = os.environ.get(settings.token_env, "").strip()
    if not token:
        raise PublishError(
            f"branch {branch} was pushed, but no pull request was opened: set {settings.token_env} to a GitHub "
            "token (or open it by hand)"
        )
    url = f"{settings.github_api_url}/repos/{settings.github_repo}/pulls"
    body = {"title": changes.subject(), "head": branch, "base": settings.branch, "body": message}
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": config.user_agent,
    }
    host = urlsplit(settings.github_api_url).netloc or settings.github_api_url
    pushed = f"branch {branch} was pushed, but"
    owns = http is None
    session = http or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
    try:
        async with session.post(url, json=body, headers=headers) as response:
            status, kind = response.status, response.content_type
            raw = await response.content.read(_API_MAX_BYTES)
    except (aiohttp.ClientError, TimeoutError) as exc:
        why = str(exc).strip() or type(exc).__name__
        raise PublishError(f"{pushed} GitHub ({host}) could not be reached: {why}") from None
    finally:
        if owns:
            await session.close()
    payload = _json_object(raw)
    if status != 201:
        said = str(payload.get("message") or "").strip().splitlines() if payload is not None else []
        reason = said[0][:200] if said else _what_body(raw, kind)
        raise PublishError(f"{pushed} GitHub ({host}) refused the pull request: HTTP {status} ({reason})")
    found: Any = None if payload is None else payload.get("html_url") or payload.get("url")
    if not isinstance(found, str) or not found:
        raise PublishError(
            f"{pushed} GitHub ({host}) answered HTTP {status} with {_what_body(raw, kind)}, not the pull "
            "request; check it there (or open it by hand)"
        )
    return found


# An API answer is read up to this size: a pull request's JSON is a few KB.
_API_MAX_BYTES = 1 << 20


def _json_object(raw: bytes) -> dict[str, Any] | None:
    """*raw* as a JSON object, or None (empty, HTML, truncated, a list, not UTF-8)."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _what_body(raw: bytes, content_type: str) -> str:
    """What an unexpected API answer was, in a few words (never its text: it may echo a request)."""
    text = raw.strip()
    if not text:
        return "an empty body"
    if "html" in content_type or text[:1] == b"<":
        return "an HTML page"
    if text[:1] in (b"{", b"["):
        try:
            json.loads(text.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return "truncated or invalid JSON"
        return "JSON without the pull request"
    return f"a {content_type or 'non-JSON'} body"
