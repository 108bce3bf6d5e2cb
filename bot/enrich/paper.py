"""What the Hugging Face Hub links to one arXiv paper (:class:`HubPaper`), and the read of what was
last stored (:func:`hub_links`, for ``/ptm model``). Standard library only: renderers and the
terminal's read path import it without SQLAlchemy or aiohttp."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from db.reads import Reads

__all__ = ["HubPaper", "hub_links"]

_LINKS_SQL = (
    "SELECT models, datasets, spaces, top_models, github_repo, project_page FROM hub_papers "
    "WHERE arxiv_id = :id AND found"
)
_FIELDS = ("models", "datasets", "spaces", "top_models", "github_repo", "project_page")


@dataclass(frozen=True, slots=True)
class HubPaper:
    """What the Hub links to one paper."""

    models: int = 0
    datasets: int = 0
    spaces: int = 0
    # Most downloaded first: repo ids as parsed; their page URLs once stored (bot.enrich.actions).
    top_models: tuple[str, ...] = ()
    github_repo: str | None = None
    project_page: str | None = None

    @property
    def weights(self) -> bool:
        return self.models > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "datasets": self.datasets,
            "spaces": self.spaces,
            "top_models": list(self.top_models),
            "github_repo": self.github_repo,
            "project_page": self.project_page,
        }

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> HubPaper:
        return cls(
            models=int(data.get("models") or 0),
            datasets=int(data.get("datasets") or 0),
            spaces=int(data.get("spaces") or 0),
            top_models=tuple(str(m) for m in data.get("top_models") or ()),
            github_repo=data.get("github_repo"),
            project_page=data.get("project_page"),
        )

    @property
    def weights_url(self) -> str | None:
        """The most downloaded model's page (stored rows hold URLs), or None."""
        return self.top_models[0] if self.top_models else None


async def hub_links(reads: Reads, arxiv_id: str) -> HubPaper | None:
    """What the Hub links to a paper, as last stored (``/ptm model``), or None."""
    rows = await reads.rows(_LINKS_SQL, {"id": arxiv_id})
    if not rows:
        return None
    row: dict[str, Any] = {
        key: rows[0][key]
        for key in ("models", "datasets", "spaces", "top_models", "github_repo", "project_page")
    }
    top = row["top_models"]
    row["top_models"] = json.loads(top) if isinstance(top, str) else top
    return HubPaper.of(row)
