"""The parsed list: its sections, the problems met while reading it, and the document itself."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog.model import Entry, EntryKind

__all__ = ["CONNECTORS", "ListDocument", "ParseProblem", "Section"]


# Phrasing variants between "(from Org)" and the paper link, exactly as the list writes them.
CONNECTORS: dict[str, str] = {
    "paper": "released with the paper",
    "paper_together": "released together with the paper",
    "repository": "released in the repository",
    "papers": "released with the papers -",
}


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the list: ``## Survey``, ``### NLP VS Federated Learning``, ``## PTM``."""

    key: str  # "Survey", "Survey/NLP VS Federated Learning", "PTM", "Resources"
    title: str
    level: int  # number of '#'; 0 for the untitled resources tail
    intro: str | None = None  # free text right under the heading
    kind: EntryKind = EntryKind.MODEL


@dataclass(frozen=True, slots=True)
class ParseProblem:
    line: int
    text: str
    problem: str
    # Benign problems describe lines read completely but noteworthy (a bare year, a title with "by").
    benign: bool = False

    def __str__(self) -> str:
        snippet = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        return f"line {self.line}: {self.problem}: {snippet}"


@dataclass(slots=True)
class ListDocument:
    title: str | None
    sections: list[Section]
    entries: list[Entry]
    problems: list[ParseProblem]

    def counts(self) -> dict[str, int]:
        out = {str(k): 0 for k in EntryKind}
        for e in self.entries:
            out[str(e.kind)] += 1
        return out
