"""Importing a list into the catalog: read, plan, then write in one short transaction.

An import runs in three steps so that the live bot keeps working during a big one:

1. :func:`load_state` reads what the import needs (sections, title, every entry with its
   authors, links, topics and aliases) in a handful of queries.
2. :func:`plan_import` is pure: it merges the parsed document into that state and returns a
   :class:`Plan` (the report, the rows to add, update, move or delete, the export before and
   after). Nothing is written; ``--dry-run`` stops here, ``--diff`` diffs the two exports.
3. :func:`apply_plan` writes the plan with bulk statements (a few per table, in batches) and
   rebuilds the search index of the touched entries once.

The merge rules (issue #10): a stored field is replaced only by a field read from a fully read
line; a line not fully read (or a free sentence) may add an entry but never clears or overwrites
a stored field: disagreements are *conflicts* in the report, and ``overwrite`` takes the
incoming side. A fully read line that lacks a field the catalog has (no "(from Org)") is a
conflict too, never a silent clear. Entries added by moderators (approved, added) keep their
fields unless ``overwrite``. New sections, a new title and section intros change only with
``allow_structure`` (or when the catalog is empty); the catalog's section order stands.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.aliases import derive_aliases
from bot.catalog.auto_topics import entry_topics, new_topic_row
from bot.catalog.listformat import (
    ListDocument,
    ParseProblem,
    Section,
    full_paper_title,
    parse_list,
    render_list,
)
from bot.catalog.model import Entry, EntryKind, Link, entry_from_columns
from db import models as m
from db.normalize import fold, norm_key, norm_title
from db.search import reindex_sync

log = logging.getLogger(__name__)

__all__ = [
    "CatalogState",
    "Conflict",
    "ImportOptions",
    "ImportRefused",
    "ImportReport",
    "Plan",
    "apply_plan",
    "decode_list_bytes",
    "load_state",
    "parse_for_catalog",
    "plan_import",
    "refusal",
    "unified_diff",
]

Progress = Callable[[str, int, int], None]

# Bulk statements are sent in batches of this many rows.
BATCH = 500
# A field whose value this module compares and reports (the rest of Entry is phrasing).
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


class ImportRefused(Exception):
    """The file is not a list of this kind: refused with one line, nothing read into the catalog."""


# --------------------------------------------------------------------------------------------
# Decoding and refusing


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_list_bytes(data: bytes) -> tuple[str, list[ParseProblem]]:
    """Decode a list file: UTF-8, or UTF-16/32 with a byte-order mark. Bytes that are not UTF-8
    are replaced and each such line is reported; a binary file is refused."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise ImportRefused(
                    f"not a text file: its {codec} byte-order mark is followed by invalid bytes"
                ) from exc
            return text, []
    if b"\x00" in data[:8192]:
        raise ImportRefused("a binary file (it contains NUL bytes), not the list's markdown")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") > max(16, len(text) // 20):
        raise ImportRefused("not UTF-8 text (most of it is unreadable), not the list's markdown")
    problems = [
        ParseProblem(n, line, "bytes that are not UTF-8 (replaced with U+FFFD)")
        for n, line in enumerate(text.splitlines(), start=1)
        if "\ufffd" in line
    ]
    return text, problems


def refusal(doc: ListDocument, text: str) -> str | None:
    """Why this document is not a list of this kind (None when it is one)."""
    if not doc.sections:
        return "no section heading ('## Survey', '## PTM', ...): not a list of this kind"
    if not doc.entries:
        return "no line in the list's format ('YYMM: [Name](url) ...') under its headings: not a list of this kind"
    damaged = {p.line for p in doc.problems if not p.benign}
    if not any(_fully_read(e, damaged) for e in doc.entries):
        tables = [p for p in doc.problems if p.problem.startswith("a table")]
        seen = f" (found {len(tables)} table(s): tables are not imported)" if tables else ""
        return f"not one line could be fully read in the list's format{seen}: not a list of this kind"
    body = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(("#", "|"))]
    unread = sum(
        1 for p in doc.problems if "not in the list's line format" in p.problem or "not UTF-8" in p.problem
    )
    if body and unread * 2 > len(body):
        return f"{unread} of its {len(body)} lines are not in the list's format: not a list of this kind"
    return None


# --------------------------------------------------------------------------------------------
# The catalog as the import sees it


@dataclass(slots=True)
class Stored:
    id: int
    entry: Entry
    origin: str
    position: float
    topics: list[tuple[str, str]]  # (slug, source)


@dataclass(slots=True)
class StoredSection:
    section: Section
    position: int


@dataclass(slots=True)
class CatalogState:
    title: str | None
    sections: list[StoredSection]
    entries: list[Stored]  # in document order
    fingerprint: tuple

    @property
    def empty(self) -> bool:
        return not self.entries and not self.sections

    def export(self) -> str:
        return render_list(self.title, [s.section for s in self.sections], [s.entry for s in self.entries])


async def _fingerprint(session: AsyncSession) -> tuple:
    """Changes when any writer changed the catalog (compared before writing a plan)."""
    row = (
        await session.execute(
            select(
                func.count(m.Entry.id),
                func.max(m.Entry.id),
                func.max(m.Entry.updated_at),
                func.sum(m.Entry.position),
            )
        )
    ).one()
    sections = (await session.execute(select(func.count(m.Section.id), func.max(m.Section.id)))).one()
    title = await session.scalar(select(m.Meta.value).where(m.Meta.key == "title"))
    return (*row, *sections, title)


async def load_state(session: AsyncSession) -> CatalogState:
    """Everything an import compares against, in six queries (no per-entry look-ups)."""
    fingerprint = await _fingerprint(session)
    title = await session.scalar(select(m.Meta.value).where(m.Meta.key == "title"))
    sections = [
        StoredSection(Section(r.key, r.title, r.level, r.intro, EntryKind(r.kind)), r.position)
        for r in (await session.scalars(select(m.Section).order_by(m.Section.position))).all()
    ]
    sec_pos = {s.section.key: s.position for s in sections}
    rows = (await session.execute(select(m.Entry.__table__))).all()
    authors: dict[int, list[str]] = {}
    for entry_id, name in await session.execute(
        select(m.EntryAuthor.entry_id, m.Author.name)
        .join(m.Author, m.Author.id == m.EntryAuthor.author_id)
        .order_by(m.EntryAuthor.entry_id, m.EntryAuthor.position)
    ):
        authors.setdefault(entry_id, []).append(name)
    links: dict[int, list[Link]] = {}
    for r in await session.execute(
        select(m.EntryLink.entry_id, m.EntryLink.url, m.EntryLink.label, m.EntryLink.label_own_line).order_by(
            m.EntryLink.entry_id, m.EntryLink.position
        )
    ):
        links.setdefault(r.entry_id, []).append(Link(r.url, r.label, bool(r.label_own_line)))
    topics: dict[int, list[tuple[str, str]]] = {}
    for r in await session.execute(
        select(m.EntryTopic.entry_id, m.EntryTopic.topic_slug, m.EntryTopic.source)
    ):
        topics.setdefault(r.entry_id, []).append((r.topic_slug, r.source))
    aliases: dict[int, list[str]] = {}
    for r in await session.execute(select(m.Alias.entry_id, m.Alias.alias).order_by(m.Alias.id)):
        aliases.setdefault(r.entry_id, []).append(r.alias)
    stored = [
        Stored(
            id=r.id,
            entry=entry_from_columns(
                r._mapping,
                authors=authors.get(r.id, []),
                links=links.get(r.id, []),
                topics=(t for t, _ in topics.get(r.id, [])),
                aliases=aliases.get(r.id, []),
            ),
            origin=r.origin,
            position=r.position,
            topics=topics.get(r.id, []),
        )
        for r in rows
    ]
    stored.sort(key=lambda s: (sec_pos.get(s.entry.section, 10_000), s.position, s.id))
    return CatalogState(title=title, sections=sections, entries=stored, fingerprint=fingerprint)


def parse_for_catalog(text: str, state: CatalogState) -> ListDocument:
    """Parse a list, reading headings the catalog knows with the kind the catalog gives them."""
    hints = {s.section.title.casefold(): s.section.kind for s in state.sections if s.section.title}
    return parse_list(text, section_kinds=hints)


# --------------------------------------------------------------------------------------------
# The report


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
        out: list[str] = []
        not_read = [p for p in self.problems if not p.benign or p.line in self.not_fully_read]
        if not_read:
            out.append(f"{len(not_read)} line(s) not fully read (never used to change a stored field):")
            out += [f"  {p}" for p in not_read]
        notes = [p for p in self.problems if p.benign and p.line not in self.not_fully_read]
        if notes:
            out.append(f"{len(notes)} line(s) read with a note:")
            out += [f"  {p}" for p in notes]
        if self.skipped:
            out.append(f"{len(self.skipped)} entr{'y' if len(self.skipped) == 1 else 'ies'} not imported:")
            out += [f"  line {ln}: {k} {n!r}: {w}" for ln, k, n, w in self.skipped]
        out += [f"  added {k} {n!r}" for k, n in self.added]
        out += [f"  updated {k} {n!r}: {', '.join(f)}" for k, n, f in self.updated]
        out += [f"  deleted {k} {n!r}" for k, n in self.deleted]
        if self.overwritten:
            out.append(f"{len(self.overwritten)} conflict(s) resolved by --overwrite (incoming taken):")
            out += [f"  {c}" for c in self.overwritten]
        if self.conflicts:
            out.append(
                f"{len(self.conflicts)} conflict(s): the stored value was kept (--overwrite takes the incoming one):"
            )
            out += [f"  {c}" for c in self.conflicts]
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
        c = self.counts
        out.append(
            f"{self.source}: {c.get('survey', 0)} surveys, {c.get('model', 0)} models, {c.get('resource', 0)} "
            f"resources read ({self.fully_read} lines fully read); {len(self.added)} added, {len(self.updated)} "
            f"updated, {self.unchanged} unchanged, {len(self.conflicts)} conflicts, "
            f"{len({p.line for p in not_read})} lines not fully "
            f"read" + (f", {len(self.deleted)} deleted" if self.deleted else "")
        )
        return out


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


# --------------------------------------------------------------------------------------------
# Planning (pure)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    overwrite: bool = False
    allow_structure: bool = False
    # Make the catalog exactly the document (revert): every field, order, section and title taken,
    # entries the document does not list deleted.
    exact: bool = False


@dataclass
class Plan:
    report: ImportReport
    before: str
    final_sections: list[Section]
    final_entries: list[Entry]
    fingerprint: tuple
    title: str | None
    set_title: bool
    sections_new: list[tuple[Section, int]]
    sections_intro: list[tuple[str, str | None]]
    sections_replace: list[tuple[Section, int]] | None  # exact: the whole list of sections
    add: list[tuple[Entry, float]]
    update: list[tuple[int, Entry, float, bool]]  # id, entry, position, refresh auto topics
    move: list[tuple[int, float]]
    delete: list[int]
    source: str
    # Computed while planning (outside the write transaction): automatic topics and aliases of
    # every entry written, by id(entry).
    topics: dict[int, list[str]] = field(default_factory=dict)
    aliases: dict[int, list[str]] = field(default_factory=dict)

    @property
    def after(self) -> str:
        """The catalog's export once the plan is written."""
        return render_list(self.title, self.final_sections, self.final_entries)

    @property
    def writes(self) -> bool:
        return bool(
            self.set_title
            or self.sections_new
            or self.sections_intro
            or self.sections_replace is not None
            or self.add
            or self.update
            or self.move
            or self.delete
        )


def _value(entry: Entry, name: str) -> Any:
    v = getattr(entry, name)
    return tuple(v) if isinstance(v, list) else v


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == ()


def _fully_read(entry: Entry, damaged: set[int]) -> bool:
    if entry.phrasing.get("form") in ("free", "text"):
        return False
    return entry.source_line not in damaged


def _map_sections(doc: ListDocument, state: CatalogState) -> tuple[dict[str, str], list[Section]]:
    """Each document section -> a catalog section key; the document's sections the catalog lacks."""
    by_key = {s.section.key: s.section for s in state.sections}
    by_title = {s.section.title.casefold(): s.section.key for s in state.sections if s.section.title}
    primary: dict[EntryKind, str] = {}
    for s in state.sections:
        if s.section.kind not in primary and (s.section.level <= 2):
            primary[s.section.kind] = s.section.key
    mapping: dict[str, str] = {}
    missing: list[Section] = []
    used_primary: set[EntryKind] = set()
    for sec in doc.sections:
        if sec.key in by_key:
            mapping[sec.key] = sec.key
        elif sec.title.casefold() in by_title:
            mapping[sec.key] = by_title[sec.title.casefold()]
        elif (
            sec.kind in primary
            and sec.kind not in used_primary
            and any(e.section == sec.key for e in doc.entries)
        ):
            # The document's first section of a kind is the catalog's ("# A Survey: ..." is "## Survey").
            mapping[sec.key] = primary[sec.kind]
        else:
            missing.append(sec)
            continue
        used_primary.add(sec.kind)
    return mapping, missing


def plan_import(
    state: CatalogState, doc: ListDocument, *, source: str, options: ImportOptions = ImportOptions()
) -> Plan:
    """Merge a parsed document into the catalog's state, on paper."""
    report = ImportReport(source=source, problems=list(doc.problems), counts=doc.counts())
    first_fill = state.empty or options.exact
    structure = first_fill or options.allow_structure
    report.structure_applied = structure
    damaged = {p.line for p in doc.problems if not p.benign}

    # ---- title and sections
    set_title = False
    title = state.title
    if doc.title is not None and doc.title != state.title:
        report.title_change = (state.title, doc.title)
        if structure:
            title, set_title = doc.title, True
    if options.exact and doc.title is None and state.title is not None:
        report.title_change = (state.title, "")
        title, set_title = None, True

    sections_new: list[tuple[Section, int]] = []
    sections_intro: list[tuple[str, str | None]] = []
    sections_replace: list[tuple[Section, int]] | None = None
    final_sections: list[Section]
    if options.exact or state.empty:
        mapping = {s.key: s.key for s in doc.sections}
        sections_replace = [(s, i) for i, s in enumerate(doc.sections)]
        final_sections = list(doc.sections)
        old = [s.section for s in state.sections]
        if final_sections != old:
            report.structure += [
                f"section {s.key!r} created" for s in doc.sections if s.key not in {o.key for o in old}
            ]
            report.structure += [f"section {o.key!r} removed" for o in old if o.key not in mapping]
        if not options.exact:
            sections_replace = None
            sections_new = [(s, i) for i, s in enumerate(doc.sections)]
    else:
        mapping, missing = _map_sections(doc, state)
        final_sections = [s.section for s in state.sections]
        intros = {s.section.key: s.section.intro for s in state.sections}
        for sec in doc.sections:
            key = mapping.get(sec.key)
            if key is None or sec.intro is None or sec.intro == intros.get(key):
                continue
            if len(sec.intro) > 500:
                report.problems.append(
                    ParseProblem(
                        0,
                        sec.intro[:80],
                        f"text under the heading {sec.title!r} is {len(sec.intro)} characters: not read as its intro",
                    )
                )
                continue
            verb = "set" if intros.get(key) is None else "changed"
            report.structure.append(f"intro of section {key!r} {verb}: {sec.intro[:60]!r}")
            if structure:
                sections_intro.append((key, sec.intro))
                final_sections = [replace_intro(s, sec.intro) if s.key == key else s for s in final_sections]
        # New sections go after the catalog's own (before the free-form tail): its order stands.
        next_pos = max((s.position for s in state.sections), default=-1) + 1
        tail = [s for s in final_sections if s.level == 0]
        head = [s for s in final_sections if s.level != 0]
        for sec in missing:
            n = sum(1 for e in doc.entries if e.section == sec.key)
            if sec.level == 0:
                continue
            report.structure.append(f"section {sec.key!r} created ({n} entries)")
            if structure:
                mapping[sec.key] = sec.key
                sections_new.append((sec, next_pos))
                next_pos += 1
                head.append(sec)
        final_sections = head + tail

    # ---- entries
    by_key = {(str(s.entry.kind), s.entry.name): s for s in state.entries}
    by_arxiv: dict[tuple[str, str], list[Stored]] = {}
    for s in state.entries:
        if s.entry.arxiv_id:
            by_arxiv.setdefault((str(s.entry.kind), s.entry.arxiv_id), []).append(s)
    _keep_stored_names_on_duplicates(doc.entries, by_key)
    named_in_doc = {e.name for e in doc.entries}
    claimed: dict[int, Entry] = {}
    doc_order: dict[str, list[tuple[Entry, Stored | None]]] = {}
    add: list[Entry] = []
    updates: dict[int, tuple[Entry, bool]] = {}
    for entry in doc.entries:
        target = mapping.get(entry.section)
        if target is None:
            report.skipped.append(
                (
                    entry.source_line or 0,
                    str(entry.kind),
                    entry.name,
                    f"its section {entry.section!r} is not in the catalog (--allow-structure creates it)",
                )
            )
            continue
        entry.section = target
        fully = _fully_read(entry, damaged)
        if fully:
            report.fully_read += 1
        elif entry.source_line:
            report.not_fully_read.add(entry.source_line)
        if "display_name" in entry.phrasing and not first_fill and not options.allow_structure:
            report.skipped.append(
                (entry.source_line or 0, str(entry.kind), entry.name, "a second entry of this name")
            )
            continue
        row = by_key.get((str(entry.kind), entry.name))
        if row is None and entry.arxiv_id:
            same = [r for r in by_arxiv.get((str(entry.kind), entry.arxiv_id), []) if r.id not in claimed]
            same = [r for r in same if r.entry.name not in named_in_doc]
            if len(same) == 1:
                row = same[0]
        if row is not None and row.id in claimed:
            report.skipped.append(
                (
                    entry.source_line or 0,
                    str(entry.kind),
                    entry.name,
                    "matches the same stored entry as an earlier line",
                )
            )
            continue
        if row is None:
            if entry.phrasing.get("form") == "text" and not structure:
                report.skipped.append(
                    (
                        entry.source_line or 0,
                        str(entry.kind),
                        entry.name,
                        "free text, not a list line (--allow-structure imports it)",
                    )
                )
                continue
            if not structure:
                entry.phrasing.pop("bullet", None)  # written in the catalog's own layout
            add.append(entry)
            doc_order.setdefault(target, []).append((entry, None))
            report.added.append((str(entry.kind), entry.name))
            continue
        claimed[row.id] = entry
        merged, changed = _merge(
            row, entry, fully=fully, options=options, report=report, move=structure or fully
        )
        doc_order.setdefault(merged.section, []).append((merged, row))
        if changed:
            updates[row.id] = (merged, True)
            report.updated.append((str(entry.kind), merged.name, changed))
        else:
            report.unchanged += 1

    # ---- order: the document's order within each section it lists; stored entries it does not
    # list stay right after the entry they followed.
    final_entries: dict[str, list[tuple[Entry, Stored | None]]] = {}
    stored_by_section: dict[str, list[Stored]] = {}
    for s in state.entries:
        stored_by_section.setdefault(s.entry.section, []).append(s)
    deleted: list[int] = []
    for key in dict.fromkeys([*(s.key for s in final_sections), *stored_by_section, *doc_order]):
        listed = doc_order.get(key, [])
        old = [s for s in stored_by_section.get(key, [])]
        if options.exact:
            deleted += [s.id for s in old if s.id not in claimed]
            final_entries[key] = listed
            continue
        if not listed:
            final_entries[key] = [
                (s.entry if s.id not in updates else updates[s.id][0], s)
                for s in old
                if s.id not in claimed or claimed[s.id].section == key
            ]
            continue
        seq = list(listed)
        listed_ids = {r.id for _, r in seq if r is not None}
        prev: int | None = None  # id of the previous stored entry that stays in this section
        for s in old:
            if s.id in claimed and claimed[s.id].section != key:
                continue  # moved to another section
            if s.id in listed_ids:
                prev = s.id
                continue
            item = (s.entry if s.id not in updates else updates[s.id][0], s)
            if prev is None:
                seq.insert(0, item)
            else:
                at = next(i for i, (_, r) in enumerate(seq) if r is not None and r.id == prev)
                seq.insert(at + 1, item)
            prev = s.id
        final_entries[key] = seq
    add_rows: list[tuple[Entry, float]] = []
    move: list[tuple[int, float]] = []
    update_rows: list[tuple[int, Entry, float, bool]] = []
    for seq in final_entries.values():
        for i, (entry, row) in enumerate(seq, start=1):
            position = float(i)
            if row is None:
                add_rows.append((entry, position))
            elif row.id in updates:
                update_rows.append((row.id, updates[row.id][0], position, True))
            elif row.position != position:
                move.append((row.id, position))
    if options.exact:
        names = {s.id: s.entry for s in state.entries}
        report.deleted = [(str(names[i].kind), names[i].name) for i in deleted]
    report.moved = len(move)
    after_entries = [e for key in final_entries for e, _ in final_entries[key]]
    written = [e for e, _ in add_rows] + [e for _, e, _, _ in update_rows]
    return Plan(
        report=report,
        before=state.export(),
        final_sections=final_sections,
        final_entries=after_entries,
        topics={id(e): entry_topics(e) for e in written},
        aliases={id(e): derive_aliases(e) for e in written},
        fingerprint=state.fingerprint,
        title=title,
        set_title=set_title,
        sections_new=sections_new,
        sections_intro=sections_intro,
        sections_replace=sections_replace,
        add=add_rows,
        update=update_rows,
        move=move,
        delete=deleted,
        source=source,
    )


def replace_intro(section: Section, intro: str | None) -> Section:
    return Section(section.key, section.title, section.level, intro, section.kind)


def _merge(
    row: Stored, entry: Entry, *, fully: bool, options: ImportOptions, report: ImportReport, move: bool
) -> tuple[Entry, list[str]]:
    """The entry to store for a stored row and an incoming line, and the fields that changed."""
    stored = row.entry
    if options.exact:
        merged = _copy(entry)
        changed = [
            f
            for f in (*FIELDS, "section", "date_style", "phrasing")
            if _value(stored, f) != _value(merged, f)
        ]
        return merged, changed
    kind, name = str(entry.kind), stored.name
    moderator = row.origin != "list"
    # Which incoming fields may replace stored ones without asking.
    trusted = fully and not moderator
    merged = _copy(stored) if not trusted else _copy(entry)
    changed: list[str] = []
    for f in FIELDS:
        old, new = _value(stored, f), _value(entry, f)
        if old == new:
            continue
        if f == "month" and entry.year is None:
            continue
        if _empty(new):
            # Never clear what is stored; a fully read line without the field is still a question.
            if not _empty(old):
                if fully and not moderator:
                    c = Conflict(kind, name, f, old, new, entry.source_line)
                    if options.overwrite:
                        report.overwritten.append(c)
                        changed.append(f)
                    else:
                        report.conflicts.append(c)
                        _set(merged, f, getattr(stored, f))
            continue
        if trusted:
            changed.append(f)
            continue
        if _empty(old) and not moderator:
            continue  # a partial line does not fill fields either: it was not fully read
        c = Conflict(kind, name, f, old, new, entry.source_line)
        if options.overwrite:
            report.overwritten.append(c)
            _set(merged, f, getattr(entry, f))
            changed.append(f)
        else:
            report.conflicts.append(c)
    if trusted:
        if stored.section != entry.section and move:
            changed.append("section")
        else:
            merged.section = stored.section
        if not options.allow_structure:
            # The catalog's own layout stands (a '* ' bullet of another list's style is not adopted).
            for key in LAYOUT:
                if key in stored.phrasing:
                    merged.phrasing[key] = stored.phrasing[key]
                else:
                    merged.phrasing.pop(key, None)
        for f in ("date_style", "phrasing"):
            if _value(stored, f) != _value(merged, f):
                changed.append(f)
    merged.topics = list(stored.topics)
    return merged, changed


def _set(entry: Entry, name: str, value: Any) -> None:
    setattr(entry, name, list(value) if isinstance(value, (list, tuple)) else value)


def _copy(entry: Entry) -> Entry:
    """A copy whose lists and phrasing can change without touching ``entry``; no aliases."""
    return replace(
        entry,
        authors=list(entry.authors),
        links=list(entry.links),
        phrasing=dict(entry.phrasing),
        topics=list(entry.topics),
        aliases=[],
    )


def _keep_stored_names_on_duplicates(entries: list[Entry], stored: dict[tuple[str, str], Stored]) -> None:
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


def unified_diff(before: str, after: str, *, source: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            "catalog (export now)",
            f"catalog after importing {source}",
        )
    )


# --------------------------------------------------------------------------------------------
# Writing


class CatalogChanged(Exception):
    """Another writer changed the catalog between planning and writing: plan again."""


def _chunks(items: Sequence[Any], size: int = BATCH) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def apply_plan(session: AsyncSession, plan: Plan, *, progress: Progress | None = None) -> list[int]:
    """Write a plan in the session's transaction (never commits). Returns the touched entry ids.

    Raises :class:`CatalogChanged` when the catalog is no longer the one the plan was made from.
    """
    if await _fingerprint(session) != plan.fingerprint:
        raise CatalogChanged
    now = m.utcnow()
    total = len(plan.add) + len(plan.update)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress("writing", done, total)

    # Title and sections.
    if plan.set_title:
        await session.execute(delete(m.Meta).where(m.Meta.key == "title"))
        if plan.title is not None:
            await session.execute(insert(m.Meta).values(key="title", value=plan.title))
    if plan.sections_replace is not None:
        await session.execute(delete(m.Section))
        new_sections = plan.sections_replace
    else:
        new_sections = plan.sections_new
    if new_sections:
        await session.execute(
            insert(m.Section),
            [
                {
                    "key": s.key,
                    "title": s.title,
                    "level": s.level,
                    "intro": s.intro,
                    "kind": str(s.kind),
                    "position": p,
                }
                for s, p in new_sections
            ],
        )
    for key, intro in plan.sections_intro:
        await session.execute(update(m.Section).where(m.Section.key == key).values(intro=intro))
    if plan.delete:
        for chunk in _chunks(plan.delete):
            await session.execute(delete(m.Entry).where(m.Entry.id.in_(chunk)))

    written = [e for e, _ in plan.add] + [e for _, e, _, _ in plan.update]
    if not written and not plan.move:
        return []
    # Authors, papers and topics: look up what exists in a few queries, insert the rest in bulk.
    author_ids = await _ensure_authors(session, {a for e in written for a in e.authors})
    paper_ids = await _ensure_papers(session, written)
    topics = plan.topics
    await _ensure_topics(session, {t for ts in topics.values() for t in ts})

    def row_values(entry: Entry) -> dict[str, Any]:
        return {
            "kind": str(entry.kind),
            "name": entry.name,
            "norm_name": norm_key(entry.name),
            "section_key": entry.section,
            "year": entry.year,
            "month": entry.month,
            "date_style": str(entry.date_style),
            "org": entry.org,
            "docs_url": entry.docs_url,
            "paper_id": paper_ids.get(_paper_key(entry)),
            "paper_title": entry.paper_title,
            "paper_url": entry.paper_url,
            "arxiv_id": entry.arxiv_id,
            "description": entry.description,
            "phrasing": dict(entry.phrasing),
            "source_line": entry.source_line,
            "updated_at": now,
        }

    table = m.Entry.__table__
    # Inserted without RETURNING (on SQLite, RETURNING in parameter order costs one statement per
    # row), then the new ids are read back by (kind, name), which is unique.
    new_ids: dict[tuple[str, str], int] = {}
    for chunk in _chunks(plan.add):
        rows = [{**row_values(e), "position": p, "origin": "list", "created_at": now} for e, p in chunk]
        await session.execute(insert(table), rows)
        for kind in {r["kind"] for r in rows}:
            names = [r["name"] for r in rows if r["kind"] == kind]
            found = await session.execute(
                select(table.c.name, table.c.id).where(table.c.kind == kind, table.c.name.in_(names))
            )
            new_ids.update(((kind, n), i) for n, i in found.all())
        tick(len(chunk))
    ids_added = [new_ids[(str(e.kind), e.name)] for e, _ in plan.add]
    ids_updated = [i for i, _, _, _ in plan.update]
    if plan.update:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({k: bindparam(f"b_{k}") for k in (*row_values(plan.update[0][1]), "position")})
        )
        for chunk in _chunks(plan.update):
            await session.execute(
                stmt,
                [
                    {"b_id": i, **{f"b_{k}": v for k, v in row_values(e).items()}, "b_position": p}
                    for i, e, p, _ in chunk
                ],
            )
            tick(len(chunk))
        for chunk in _chunks(ids_updated):
            for child in (m.EntryAuthor, m.EntryLink, m.Alias):
                await session.execute(delete(child).where(child.entry_id.in_(chunk)))
    if plan.move:
        await session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(position=bindparam("b_position")),
            [{"b_id": i, "b_position": p} for i, p in plan.move],
        )

    # Children: authors, links, aliases, topics.
    pairs = list(zip(ids_added, (e for e, _ in plan.add), strict=True)) + [
        (i, e) for i, e, _, _ in plan.update
    ]
    entry_authors = [
        {"entry_id": i, "position": n, "author_id": author_ids[a]}
        for i, e in pairs
        for n, a in enumerate(e.authors)
    ]
    entry_links = [
        {"entry_id": i, "position": n, "url": ln.url, "label": ln.label, "label_own_line": ln.label_own_line}
        for i, e in pairs
        for n, ln in enumerate(e.links)
    ]
    aliases = []
    for i, e in pairs:
        seen: set[str] = set()
        for alias in plan.aliases.get(id(e), []):
            key = norm_key(alias)
            if key and key not in seen:
                seen.add(key)
                aliases.append({"entry_id": i, "alias": alias, "norm_alias": key})
    # Topics: a new entry gets its automatic topics; an updated one too, unless a moderator set them.
    moderated = set()
    if ids_updated:
        for chunk in _chunks(ids_updated):
            moderated |= set(
                (
                    await session.scalars(
                        select(m.EntryTopic.entry_id).where(
                            m.EntryTopic.entry_id.in_(chunk), m.EntryTopic.source == "moderator"
                        )
                    )
                ).all()
            )
            await session.execute(
                delete(m.EntryTopic).where(m.EntryTopic.entry_id.in_(chunk), m.EntryTopic.source == "auto")
            )
    entry_topics = [
        {"entry_id": i, "topic_slug": t, "source": "auto"}
        for i, e in pairs
        if i not in moderated
        for t in topics.get(id(e), [])
    ]
    for model, rows in (
        (m.EntryAuthor, entry_authors),
        (m.EntryLink, entry_links),
        (m.Alias, aliases),
        (m.EntryTopic, entry_topics),
    ):
        for chunk in _chunks(rows, BATCH * 4):
            await session.execute(insert(model.__table__), list(chunk))
    touched = ids_added + ids_updated
    # The search index, once for every touched entry (bulk statements bypass the flush listener).
    # reindex_sync writes SQLite's FTS5 rows or PostgreSQL's tsvector rows (a no-op elsewhere).
    conn = await session.connection()
    if touched:
        if progress is not None:
            progress("indexing", 0, len(touched))
        await conn.run_sync(reindex_sync, touched)
    return touched


def _paper_key(entry: Entry) -> str | None:
    title = full_paper_title(entry)
    if not title and not entry.arxiv_id:
        return None
    return entry.arxiv_id or "title:" + norm_title(title or "")


async def _ensure_authors(session: AsyncSession, names: set[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    wanted = sorted(names)
    for chunk in _chunks(wanted):
        ids.update(
            (await session.execute(select(m.Author.name, m.Author.id).where(m.Author.name.in_(chunk)))).all()
        )
    missing = [n for n in wanted if n not in ids]
    for chunk in _chunks(missing):
        await session.execute(insert(m.Author.__table__), [{"name": n, "norm_name": fold(n)} for n in chunk])
        found = await session.execute(select(m.Author.name, m.Author.id).where(m.Author.name.in_(chunk)))
        ids.update(found.all())
    return ids


async def _ensure_papers(session: AsyncSession, entries: Sequence[Entry]) -> dict[str, int]:
    wanted: dict[str, Entry] = {}
    for e in entries:
        key = _paper_key(e)
        if key is not None:
            wanted.setdefault(key, e)
    ids: dict[str, int] = {}
    arxiv = [k for k in wanted if not k.startswith("title:")]
    titles = [k[len("title:") :] for k in wanted if k.startswith("title:")]
    for chunk in _chunks(arxiv):
        ids.update(
            (
                await session.execute(select(m.Paper.arxiv_id, m.Paper.id).where(m.Paper.arxiv_id.in_(chunk)))
            ).all()
        )
    for chunk in _chunks(titles):
        rows = await session.execute(
            select(m.Paper.norm_title, m.Paper.id)
            .where(m.Paper.arxiv_id.is_(None), m.Paper.norm_title.in_(chunk))
            .order_by(m.Paper.id)
        )
        for t, i in rows.all():
            ids.setdefault("title:" + t, i)
    missing = [k for k in wanted if k not in ids]
    for chunk in _chunks(missing):
        rows = []
        for k in chunk:
            e = wanted[k]
            title = full_paper_title(e)
            rows.append(
                {"arxiv_id": e.arxiv_id, "title": title or e.name, "norm_title": norm_title(title or "")}
            )
        await session.execute(insert(m.Paper.__table__), rows)
        arxiv = [k for k in chunk if not k.startswith("title:")]
        if arxiv:
            found = await session.execute(
                select(m.Paper.arxiv_id, m.Paper.id).where(m.Paper.arxiv_id.in_(arxiv))
            )
            ids.update(found.all())
        titles = [r["norm_title"] for k, r in zip(chunk, rows, strict=True) if k.startswith("title:")]
        if titles:
            # The newest row of a title is the one just inserted (older ones were found above).
            found = await session.execute(
                select(m.Paper.norm_title, func.max(m.Paper.id))
                .where(m.Paper.arxiv_id.is_(None), m.Paper.norm_title.in_(titles))
                .group_by(m.Paper.norm_title)
            )
            ids.update(("title:" + t, i) for t, i in found.all())
    return ids


async def _ensure_topics(session: AsyncSession, slugs: set[str]) -> None:
    if not slugs:
        return
    have = set((await session.scalars(select(m.Topic.slug))).all())
    missing = sorted(slugs - have)
    if not missing:
        return
    rows = [new_topic_row(slug) for slug in missing]
    await session.execute(insert(m.Topic.__table__), rows)


# --------------------------------------------------------------------------------------------
# The whole import against an open database, kind to the live bot


# Attempts at the write when another writer holds the lock or changed the catalog meanwhile.
WRITE_ATTEMPTS = 8


def is_lock_error(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


async def run_import(
    db: Any,
    text: str,
    *,
    source: str,
    options: ImportOptions = ImportOptions(),
    extra: Sequence[ParseProblem] = (),
    dry_run: bool = False,
    refuse: bool = True,
    action: str = "import",
    progress: Progress | None = None,
) -> Plan:
    """Read and plan in a short read transaction, then write in one short write transaction.

    The write starts only when the plan is ready, so other writers (an approval, the poll) wait
    for milliseconds, not for the parse; if the catalog changed in between, the import plans
    again; if the database is locked, it waits and retries. Raises :class:`ImportRefused`.
    """
    import asyncio

    from sqlalchemy.exc import OperationalError

    from bot.catalog.service import record_revision

    for attempt in range(WRITE_ATTEMPTS):
        async with db.sessions() as session:
            async with session.begin():
                state = await load_state(session)
        if progress is not None:
            progress("reading", 0, 0)
        doc = parse_for_catalog(text, state)
        doc.problems[:0] = list(extra)
        if refuse and not state.empty:
            why = refusal(doc, text)
            if why is not None:
                raise ImportRefused(why)
        elif refuse and not doc.entries:
            raise ImportRefused(refusal(doc, text) or "nothing to import")
        plan = plan_import(state, doc, source=source, options=options)
        if dry_run:
            return plan
        try:
            async with db.sessions() as session:
                async with session.begin():
                    await apply_plan(session, plan, progress=progress)
                    await record_revision(session, plan, action=action)
            return plan
        except CatalogChanged:
            log.info("the catalog changed while %s was planned; planning again", source)
        except OperationalError as exc:
            if not is_lock_error(exc) or attempt == WRITE_ATTEMPTS - 1:
                raise
            log.info("database locked while importing %s; retrying", source)
            await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
    raise RuntimeError(f"the catalog kept changing while importing {source}; try again")
