"""The Hugging Face Hub's paper page for one arXiv paper: ``GET {hub_url}/api/papers/{arxiv_id}``.

The answer's shape is the one ``huggingface_hub``'s ``HfApi.paper_info`` reads
(huggingface/huggingface_hub@ee0a4510f:src/huggingface_hub/hf_api.py, ``PaperInfo``):
``linkedModels`` (each with ``id``, ``downloads``, ``likes``), ``numTotalModels``,
``linkedDatasets`` / ``numTotalDatasets``, ``linkedSpaces``, ``githubRepo``, ``projectPage``.
A 404 means the Hub has no page for the paper (yet). Parsing is pure; :func:`read_paper` makes the
one polite request (:class:`bot.watch.fetch.PoliteFetcher`: spacing per host, conditional GET,
Retry-After on 429, backoff).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlsplit

from bot.enrich.paper import HubPaper
from bot.watch.fetch import FetchOutcome, PoliteFetcher, Validators

__all__ = ["HubAnswer", "HubError", "HubPaper", "Outcome", "model_url", "parse_paper", "read_paper"]

TOP_MODELS = 3


class HubError(ValueError):
    """The Hub answered something that is not a paper page."""


class Outcome(StrEnum):
    FOUND = "found"  # the Hub has a page: paper filled in
    ABSENT = "absent"  # 404: no page for this paper (yet)
    NOT_MODIFIED = "not_modified"  # 304: what is stored still holds
    FAILED = "failed"  # no usable answer: error says why


@dataclass(frozen=True, slots=True)
class HubAnswer:
    outcome: Outcome
    paper: HubPaper | None = None
    validators: Validators = field(default_factory=Validators)
    error: str | None = None


def _web_url(value: Any) -> str | None:
    """An http(s) URL as given, or None (a page may carry anything in these fields)."""
    if not isinstance(value, str) or not value.strip():
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _count(data: Mapping[str, Any], total: str, listed: Sequence[Any]) -> int:
    value = data.get(total)
    return value if isinstance(value, int) and value >= 0 else len(listed)


def _listed(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def parse_paper(body: bytes) -> HubPaper:
    """The Hub's JSON answer for one paper (``/api/papers/{id}``) read into a :class:`HubPaper`."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HubError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise HubError("not a JSON object")
    models = [
        m for m in _listed(data, "linkedModels") if isinstance(m, dict) and isinstance(m.get("id"), str)
    ]
    ranked = sorted(models, key=lambda m: (-int(m.get("downloads") or 0), -int(m.get("likes") or 0), m["id"]))
    return HubPaper(
        models=_count(data, "numTotalModels", models),
        datasets=_count(data, "numTotalDatasets", _listed(data, "linkedDatasets")),
        spaces=len(_listed(data, "linkedSpaces")),
        top_models=tuple(m["id"] for m in ranked[:TOP_MODELS]),
        github_repo=_web_url(data.get("githubRepo")),
        project_page=_web_url(data.get("projectPage")),
    )


def model_url(hub_url: str, repo_id: str) -> str:
    """A model's page on the Hub: ``https://huggingface.co/org/name``."""
    return f"{hub_url.rstrip('/')}/{quote(repo_id, safe='/-_.')}"


async def read_paper(
    fetcher: PoliteFetcher, hub_url: str, arxiv_id: str, validators: Validators | None = None
) -> HubAnswer:
    """Ask the Hub about one paper (conditionally, with the stored *validators*)."""
    url = f"{hub_url.rstrip('/')}/api/papers/{quote(arxiv_id, safe='.')}"
    validators = validators or Validators()
    result = await fetcher.fetch(url, validators)
    if result.outcome is FetchOutcome.NOT_MODIFIED:
        return HubAnswer(Outcome.NOT_MODIFIED, validators=validators)
    if result.outcome is FetchOutcome.FAILED:
        if result.http_status == 404:
            return HubAnswer(Outcome.ABSENT, HubPaper(), Validators())
        return HubAnswer(Outcome.FAILED, error=result.error or "no answer")
    try:
        paper = parse_paper(result.body or b"")
    except HubError as exc:
        return HubAnswer(Outcome.FAILED, error=f"the Hub's answer for {arxiv_id} could not be read: {exc}")
    return HubAnswer(Outcome.FOUND, paper, result.validators)
