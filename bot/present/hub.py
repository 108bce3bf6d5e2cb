"""What the Hugging Face Hub links to a paper, as cards and ``/ptm model`` show it (pure)."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.enrich.paper import HubPaper
from bot.present.render.markup import safe
from bot.words import counted

__all__ = ["HUB_FIELD", "hub_buttons", "hub_text"]

HUB_FIELD = "🤗 Hugging Face Hub"


def _repo_id(url: str) -> str:
    """``org/name`` of a model page URL (what people call a Hub model)."""
    return urlsplit(url).path.strip("/") or url


def hub_text(hub: HubPaper) -> str:
    """ "**Weights released**: 12 models (top: org/name) · 2 datasets · 1 Space", or what is known."""
    parts = []
    if hub.models:
        top = f" (top: {safe(_repo_id(hub.top_models[0]))})" if hub.top_models else ""
        parts.append(f"**Weights released**: {counted(hub.models, 'model')}{top}")
    else:
        parts.append("no model on the Hub yet")
    if hub.datasets:
        parts.append(counted(hub.datasets, "dataset"))
    if hub.spaces:
        parts.append(counted(hub.spaces, "Space"))
    if hub.github_repo:
        parts.append("code on GitHub")
    return " · ".join(parts)


def hub_buttons(hub: HubPaper | None) -> list[tuple[str, str]]:
    """Link buttons (label, URL): Weights (the most downloaded model), Code, Project."""
    if hub is None:
        return []
    links = [("Weights", hub.weights_url), ("Code", hub.github_repo), ("Project", hub.project_page)]
    return [(label, url) for label, url in links if url]
