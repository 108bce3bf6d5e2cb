"""The report stage: what an import did or would do, as lines for the terminal, as JSON, as a diff."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from bot.catalog.listformat import ParseProblem
from bot.words import counted

__all__ = ["Conflict", "ImportReport", "unified_diff"]


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: str
    name: str
    field: str
    stored: Any
    incoming: Any
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.kind} {self.name!r}{where}: {self.field}: stored {_show(self.stored)}, incoming {_show(self.incoming)}"


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(getattr(v, "url", v)) for v in value)
    text = repr(value) if value not in (None, "") else "(none)"
    return text if len(text) <= 70 else text[:67] + "..."


@dataclass
class ImportReport:
    source: str
    added: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[str, str, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    overwritten: list[Conflict] = field(default_factory=list)
    skipped: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, kind, name, why
    # Added entries that may repeat a stored one (line, kind, name, "possible duplicate of ...").
    possible_duplicates: list[tuple[int | None, str, str, str]] = field(default_factory=list)
    structure: list[str] = field(default_factory=list)
    structure_applied: bool = False
    title_change: tuple[str | None, str] | None = None
    moved: int = 0
    deleted: list[tuple[str, str]] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    fully_read: int = 0
    # Lines not fully read: a problem that is not a mere note, or a free sentence.
    not_fully_read: set[int] = field(default_factory=set)
    revision: int | None = None

    @property
    def changed(self) -> bool:
        return bool(
            self.added
            or self.updated
            or self.overwritten
            or self.deleted
            or (self.structure and self.structure_applied)
        )

    @property
    def kept(self) -> list[tuple[str, str, list[str]]]:
        """Stored entries whose fields were kept against the file (one row per entry)."""
        out: dict[tuple[str, str], list[str]] = {}
        for c in self.conflicts:
            out.setdefault((c.kind, c.name), []).append(c.field)
        return [(k, n, f) for (k, n), f in out.items()]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "counts": self.counts,
            "fully_read": self.fully_read,
            "not_fully_read": sorted(self.not_fully_read | {p.line for p in self.problems if not p.benign}),
            "added": [{"kind": k, "name": n} for k, n in self.added],
            "updated": [{"kind": k, "name": n, "fields": f} for k, n, f in self.updated],
            "unchanged": self.unchanged,
            "conflicts": [_conflict_dict(c) for c in self.conflicts],
            "overwritten": [_conflict_dict(c) for c in self.overwritten],
            "skipped": [{"line": ln, "kind": k, "name": n, "why": w} for ln, k, n, w in self.skipped],
            "possible_duplicates": [
                {"line": ln, "kind": k, "name": n, "warning": w} for ln, k, n, w in self.possible_duplicates
            ],
            "structure": {"changes": self.structure, "applied": self.structure_applied},
            "title": (
                {"stored": self.title_change[0], "incoming": self.title_change[1]}
                if self.title_change
                else None
            ),
            "deleted": [{"kind": k, "name": n} for k, n in self.deleted],
            "problems": [{"line": p.line, "problem": p.problem, "text": p.text} for p in self.problems],
            "revision": self.revision,
        }

    def lines(self) -> list[str]:
        """The report, problems first and the summary last (it is what stays on screen)."""
        not_read = [p for p in self.problems if not p.benign or p.line in self.not_fully_read]
        return [
            *self._problem_lines(not_read),
            *self._entry_lines(),
            *self._structure_lines(),
            self._summary(len({p.line for p in not_read})),
        ]

    def _problem_lines(self, not_read: list[ParseProblem]) -> list[str]:
        out: list[str] = []
        if not_read:
            out.append(
                f"{counted(len(not_read), 'line')} not fully read (never used to change a stored field):"
            )
            out += [f"  {p}" for p in not_read]
        notes = [p for p in self.problems if p.benign and p.line not in self.not_fully_read]
        if notes:
            out.append(f"{len(notes)} line(s) read with a note:")
            out += [f"  {p}" for p in notes]
        if self.skipped:
            out.append(f"{counted(len(self.skipped), 'entry', 'entries')} not imported:")
            out += [f"  line {ln}: {k} {n!r}: {w}" for ln, k, n, w in self.skipped]
        return out

    def _entry_lines(self) -> list[str]:
        out = [f"  added {k} {n!r}" for k, n in self.added]
        out += [f"  updated {k} {n!r}: {', '.join(f)}" for k, n, f in self.updated]
        out += [f"  deleted {k} {n!r}" for k, n in self.deleted]
        if self.possible_duplicates:
            n = len(self.possible_duplicates)
            out.append(
                f"{counted(n, 'added entry', 'added entries')} may repeat a stored one (added all the same):"
            )
            out += [f"  line {ln}: {k} {name!r}: {w}" for ln, k, name, w in self.possible_duplicates]
        if self.overwritten:
            out.append(f"{len(self.overwritten)} conflict(s) resolved by --overwrite (incoming taken):")
            out += [f"  {c}" for c in self.overwritten]
        if self.conflicts:
            out.append(
                f"{len(self.conflicts)} conflict(s): the stored value was kept (--overwrite takes the incoming one):"
            )
            out += [f"  {c}" for c in self.conflicts]
        return out

    def _structure_lines(self) -> list[str]:
        out: list[str] = []
        if self.title_change:
            old, new = self.title_change
            verb = (
                "title changed" if self.structure_applied else "title would change (needs --allow-structure)"
            )
            out.append(f"{verb}: {old!r} -> {new!r}")
        if self.structure:
            head = (
                "structure changed:"
                if self.structure_applied
                else "structure changes not made (need --allow-structure):"
            )
            out.append(head)
            out += [f"  {s}" for s in self.structure]
        return out

    def _summary(self, not_read_lines: int) -> str:
        c = self.counts
        return (
            f"{self.source}: {counted(c.get('survey', 0), 'survey')}, {counted(c.get('model', 0), 'model')}, "
            f"{counted(c.get('resource', 0), 'resource')} read ({counted(self.fully_read, 'line')} fully read); "
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{counted(len(self.conflicts), 'conflict')}, {counted(not_read_lines, 'line')} not fully "
            f"read" + (f", {len(self.deleted)} deleted" if self.deleted else "")
        )


def _conflict_dict(c: Conflict) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return [getattr(x, "url", x) for x in v]
        return v

    return {
        "kind": c.kind,
        "name": c.name,
        "field": c.field,
        "stored": plain(c.stored),
        "incoming": plain(c.incoming),
        "line": c.line,
    }


def unified_diff(before: str, after: str, *, source: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            "catalog (export now)",
            f"catalog after importing {source}",
        )
    )
