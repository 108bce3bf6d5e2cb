"""One stored entry against one incoming line: the entry to store and the fields that changed.

The rules (issue #10): a stored field is replaced only by a field read from a fully read line; a
line not fully read (or a free sentence) never clears or overwrites a stored field: disagreements
are *conflicts* in the report, and ``overwrite`` takes the incoming side. A fully read line that
lacks a field the catalog has (no "(from Org)") is a conflict too, never a silent clear. Entries
added by moderators (approved, added) keep their fields unless ``overwrite``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.catalog.importing.options import ImportOptions
from bot.catalog.importing.report import Conflict, ImportReport
from bot.catalog.importing.state import Stored
from bot.catalog.model import Entry

__all__ = ["FIELDS", "LAYOUT", "copy_entry", "keep_stored_names_on_duplicates", "merge_entry"]

# A field whose value an import compares and reports (the rest of Entry is phrasing).
FIELDS = (
    "name",
    "year",
    "month",
    "org",
    "docs_url",
    "paper_title",
    "paper_url",
    "arxiv_id",
    "authors",
    "links",
    "description",
)

# Phrasing that is the file's layout rather than the entry's words: a merge keeps the catalog's.
LAYOUT = ("bullet",)


def merge_entry(
    row: Stored, entry: Entry, *, fully: bool, options: ImportOptions, report: ImportReport, move: bool
) -> tuple[Entry, list[str]]:
    """The entry to store for a stored row and an incoming line, and the fields that changed."""
    stored = row.entry
    if options.exact:
        merged = copy_entry(entry)
        changed = [
            f
            for f in (*FIELDS, "section", "date_style", "phrasing")
            if _value(stored, f) != _value(merged, f)
        ]
        return merged, changed
    moderator = row.origin != "list"
    # Which incoming fields may replace stored ones without asking.
    trusted = fully and not moderator
    merge = _FieldMerge(
        stored=stored,
        entry=entry,
        merged=copy_entry(stored) if not trusted else copy_entry(entry),
        fully=fully,
        moderator=moderator,
        options=options,
        report=report,
    )
    for f in FIELDS:
        merge.merge_field(f)
    if trusted:
        merge.take_layout(move=move)
    merge.merged.topics = list(stored.topics)
    return merge.merged, merge.changed


@dataclass(slots=True)
class _FieldMerge:
    stored: Entry
    entry: Entry
    merged: Entry
    fully: bool
    moderator: bool
    options: ImportOptions
    report: ImportReport
    changed: list[str] = field(default_factory=list)

    @property
    def trusted(self) -> bool:
        return self.fully and not self.moderator

    def conflict(self, f: str, old: Any, new: Any) -> Conflict:
        return Conflict(str(self.entry.kind), self.stored.name, f, old, new, self.entry.source_line)

    def merge_field(self, f: str) -> None:
        old, new = _value(self.stored, f), _value(self.entry, f)
        if old == new or (f == "month" and self.entry.year is None):
            return
        if _empty(new):
            # Never clear what is stored; a fully read line without the field is still a question.
            if not _empty(old) and self.trusted:
                c = self.conflict(f, old, new)
                if self.options.overwrite:
                    self.report.overwritten.append(c)
                    self.changed.append(f)
                else:
                    self.report.conflicts.append(c)
                    _set(self.merged, f, getattr(self.stored, f))
            return
        if self.trusted:
            self.changed.append(f)
            return
        if _empty(old) and not self.moderator:
            return  # a partial line does not fill fields either: it was not fully read
        c = self.conflict(f, old, new)
        if self.options.overwrite:
            self.report.overwritten.append(c)
            _set(self.merged, f, getattr(self.entry, f))
            self.changed.append(f)
        else:
            self.report.conflicts.append(c)

    def take_layout(self, *, move: bool) -> None:
        """A trusted line's section (when it may move) and phrasing; the catalog's own layout stands."""
        stored, merged = self.stored, self.merged
        if stored.section != self.entry.section and move:
            self.changed.append("section")
        else:
            merged.section = stored.section
        if not self.options.allow_structure:
            # The catalog's own layout stands (a '* ' bullet of another list's style is not adopted).
            for key in LAYOUT:
                if key in stored.phrasing:
                    merged.phrasing[key] = stored.phrasing[key]
                else:
                    merged.phrasing.pop(key, None)
        for f in ("date_style", "phrasing"):
            if _value(stored, f) != _value(merged, f):
                self.changed.append(f)


def _value(entry: Entry, name: str) -> Any:
    v = getattr(entry, name)
    return tuple(v) if isinstance(v, list) else v


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == ()


def _set(entry: Entry, name: str, value: Any) -> None:
    setattr(entry, name, list(value) if isinstance(value, (list, tuple)) else value)


def copy_entry(entry: Entry) -> Entry:
    """A copy whose lists and phrasing can change without touching ``entry``; no aliases."""
    return replace(
        entry,
        authors=list(entry.authors),
        links=list(entry.links),
        phrasing=dict(entry.phrasing),
        topics=list(entry.topics),
        aliases=[],
    )


def keep_stored_names_on_duplicates(entries: list[Entry], stored: dict[tuple[str, str], Stored]) -> None:
    """When a list names two entries alike, the stored name stays with the one that matches it."""
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        groups.setdefault((str(e.kind), e.phrasing.get("display_name", e.name)), []).append(e)
    for (kind, name), members in groups.items():
        row = stored.get((kind, name))
        if len(members) < 2 or row is None:
            continue
        holder = next((e for e in members if e.name == name), None)
        same = next((e for e in members if e.arxiv_id and e.arxiv_id == row.entry.arxiv_id), None)
        if holder is None or same is None or same is holder:
            continue
        holder.name, same.name = same.name, holder.name
        holder.phrasing["display_name"] = name
        same.phrasing.pop("display_name", None)
