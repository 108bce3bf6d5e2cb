"""The plan stage (pure): merge a parsed document into the catalog's state, on paper.

:func:`plan_import` returns a :class:`Plan`: the report, the rows to add, update, move or delete,
the export before and after. Nothing is written; ``--dry-run`` stops here, ``--diff`` diffs the two
exports. New sections, a new title and section intros change only with ``allow_structure`` (or
when the catalog is empty); the catalog's section order stands. The field rules: :mod:`.merge`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.catalog.aliases import derive_aliases
from bot.catalog.auto_topics import entry_topics
from bot.catalog.duplicates import Known, RelatedIndex
from bot.catalog.importing.decode import fully_read
from bot.catalog.importing.merge import keep_stored_names_on_duplicates, merge_entry
from bot.catalog.importing.options import ImportOptions
from bot.catalog.importing.report import ImportReport
from bot.catalog.importing.state import CatalogState, Stored
from bot.catalog.listformat import ListDocument, ParseProblem, Section, render_list
from bot.catalog.model import Entry, EntryKind

__all__ = ["ImportOptions", "Plan", "plan_import", "replace_intro"]


_DEFAULT_OPTIONS = ImportOptions()


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

    @property
    def changes(self) -> bool:
        """Whether writing the plan changes the catalog: an import or revert that does not is not
        written, nor recorded as a revision. The exact mode (a revert) always has the sections to
        replace; with no row to write they change the catalog only if its export changes."""
        rows = self.set_title or self.sections_new or self.sections_intro or self.add or self.update
        if self.sections_replace is not None and not (rows or self.move or self.delete):
            return self.before != self.after
        return self.writes


@dataclass(slots=True)
class _Context:
    """What every step of one plan reads: the inputs and the report it fills."""

    state: CatalogState
    doc: ListDocument
    options: ImportOptions
    report: ImportReport
    first_fill: bool  # an empty catalog or a revert: the document's structure is taken
    structure: bool  # structure changes are made (not only reported)


@dataclass(slots=True)
class _Sections:
    mapping: dict[str, str]  # document section key -> catalog section key
    final: list[Section]
    new: list[tuple[Section, int]] = field(default_factory=list)
    intro: list[tuple[str, str | None]] = field(default_factory=list)
    replace: list[tuple[Section, int]] | None = None


@dataclass(slots=True)
class _Matches:
    claimed: dict[int, Entry] = field(default_factory=dict)  # stored id -> the line that matched it
    doc_order: dict[str, list[tuple[Entry, Stored | None]]] = field(default_factory=dict)
    updates: dict[int, tuple[Entry, bool]] = field(default_factory=dict)


def plan_import(
    state: CatalogState, doc: ListDocument, *, source: str, options: ImportOptions = _DEFAULT_OPTIONS
) -> Plan:
    """Merge a parsed document into the catalog's state, on paper."""
    report = ImportReport(source=source, problems=list(doc.problems), counts=doc.counts())
    first_fill = state.empty or options.exact
    ctx = _Context(state, doc, options, report, first_fill, first_fill or options.allow_structure)
    report.structure_applied = ctx.structure
    title, set_title = _plan_title(ctx)
    sections = _replace_sections(ctx) if options.exact or state.empty else _merge_sections(ctx)
    matches = _match_entries(ctx, sections.mapping)
    final_entries, deleted = _order_entries(ctx, sections.final, matches)
    add_rows, update_rows, move = _rows(final_entries, matches.updates)
    if options.exact:
        names = {s.id: s.entry for s in state.entries}
        report.deleted = [(str(names[i].kind), names[i].name) for i in deleted]
    report.moved = len(move)
    report.possible_duplicates = _possible_duplicates(state, [e for e, _ in add_rows], set(deleted))
    written = [e for e, _ in add_rows] + [e for _, e, _, _ in update_rows]
    return Plan(
        report=report,
        before=state.export(),
        final_sections=sections.final,
        final_entries=[e for key in final_entries for e, _ in final_entries[key]],
        topics={id(e): entry_topics(e) for e in written},
        aliases={id(e): derive_aliases(e) for e in written},
        fingerprint=state.fingerprint,
        title=title,
        set_title=set_title,
        sections_new=sections.new,
        sections_intro=sections.intro,
        sections_replace=sections.replace,
        add=add_rows,
        update=update_rows,
        move=move,
        delete=deleted,
        source=source,
    )


def _possible_duplicates(
    state: CatalogState, added: list[Entry], deleted: set[int]
) -> list[tuple[int | None, str, str, str]]:
    """What each added entry may repeat among the stored entries that stay, by its paper's title or
    its name (:mod:`bot.catalog.duplicates`; families are left out: a list holds many members of
    one family by design). Reported, never refused: the list is the curator's."""
    if not added or state.empty:
        return []
    index = RelatedIndex.of(
        Known(
            s.entry.name,
            s.entry.paper_title or "",
            s.entry.arxiv_id,
            entry_id=s.id,
            aliases=tuple(s.entry.aliases),
        )
        for s in state.entries
        if s.id not in deleted
    )
    out = []
    for entry in added:
        found = index.match(entry.paper_title or "", entry.name, arxiv_id=entry.arxiv_id)
        out += [
            (entry.source_line, str(entry.kind), entry.name, r.line())
            for r in found[:1]
            if r.why != "same family"
        ]
    return out


def replace_intro(section: Section, intro: str | None) -> Section:
    return Section(section.key, section.title, section.level, intro, section.kind)


# --------------------------------------------------------------------------------------------
# Title and sections


def _plan_title(ctx: _Context) -> tuple[str | None, bool]:
    """The title after the import, and whether it is written."""
    state, doc = ctx.state, ctx.doc
    title, set_title = state.title, False
    if doc.title is not None and doc.title != state.title:
        ctx.report.title_change = (state.title, doc.title)
        if ctx.structure:
            title, set_title = doc.title, True
    if ctx.options.exact and doc.title is None and state.title is not None:
        ctx.report.title_change = (state.title, "")
        title, set_title = None, True
    return title, set_title


def _replace_sections(ctx: _Context) -> _Sections:
    """An empty catalog or a revert: the document's sections, in its order."""
    doc, report = ctx.doc, ctx.report
    out = _Sections(mapping={s.key: s.key for s in doc.sections}, final=list(doc.sections))
    old = [s.section for s in ctx.state.sections]
    if out.final != old:
        report.structure += [
            f"section {s.key!r} created" for s in doc.sections if s.key not in {o.key for o in old}
        ]
        report.structure += [f"section {o.key!r} removed" for o in old if o.key not in out.mapping]
    if ctx.options.exact:
        out.replace = [(s, i) for i, s in enumerate(doc.sections)]
    else:
        out.new = [(s, i) for i, s in enumerate(doc.sections)]
    return out


def _merge_sections(ctx: _Context) -> _Sections:
    """The catalog's sections stand; intros and new sections only with structure changes."""
    mapping, missing = _map_sections(ctx.doc, ctx.state)
    out = _Sections(mapping=mapping, final=[s.section for s in ctx.state.sections])
    _plan_intros(ctx, out)
    # New sections go after the catalog's own (before the free-form tail): its order stands.
    next_pos = max((s.position for s in ctx.state.sections), default=-1) + 1
    tail = [s for s in out.final if s.level == 0]
    head = [s for s in out.final if s.level != 0]
    for sec in missing:
        n = sum(1 for e in ctx.doc.entries if e.section == sec.key)
        if sec.level == 0:
            continue
        ctx.report.structure.append(f"section {sec.key!r} created ({n} entries)")
        if ctx.structure:
            mapping[sec.key] = sec.key
            out.new.append((sec, next_pos))
            next_pos += 1
            head.append(sec)
    out.final = head + tail
    return out


def _plan_intros(ctx: _Context, out: _Sections) -> None:
    intros = {s.section.key: s.section.intro for s in ctx.state.sections}
    for sec in ctx.doc.sections:
        key = out.mapping.get(sec.key)
        if key is None or sec.intro is None or sec.intro == intros.get(key):
            continue
        if len(sec.intro) > 500:
            ctx.report.problems.append(
                ParseProblem(
                    0,
                    sec.intro[:80],
                    f"text under the heading {sec.title!r} is {len(sec.intro)} characters: not read as its intro",
                )
            )
            continue
        verb = "set" if intros.get(key) is None else "changed"
        ctx.report.structure.append(f"intro of section {key!r} {verb}: {sec.intro[:60]!r}")
        if ctx.structure:
            out.intro.append((key, sec.intro))
            out.final = [replace_intro(s, sec.intro) if s.key == key else s for s in out.final]


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


# --------------------------------------------------------------------------------------------
# Entries


def _skip(report: ImportReport, entry: Entry, why: str) -> None:
    report.skipped.append((entry.source_line or 0, str(entry.kind), entry.name, why))


def _match_entries(ctx: _Context, mapping: dict[str, str]) -> _Matches:
    """Each line of the document: skipped, added, or matched to a stored entry and merged."""
    state, report = ctx.state, ctx.report
    by_key = {(str(s.entry.kind), s.entry.name): s for s in state.entries}
    by_arxiv: dict[tuple[str, str], list[Stored]] = {}
    for s in state.entries:
        if s.entry.arxiv_id:
            by_arxiv.setdefault((str(s.entry.kind), s.entry.arxiv_id), []).append(s)
    keep_stored_names_on_duplicates(ctx.doc.entries, by_key)
    named_in_doc = {e.name for e in ctx.doc.entries}
    damaged = {p.line for p in ctx.doc.problems if not p.benign}
    out = _Matches()
    for entry in ctx.doc.entries:
        target = mapping.get(entry.section)
        if target is None:
            why = f"its section {entry.section!r} is not in the catalog (--allow-structure creates it)"
            _skip(report, entry, why)
            continue
        entry.section = target
        fully = fully_read(entry, damaged)
        if fully:
            report.fully_read += 1
        elif entry.source_line:
            report.not_fully_read.add(entry.source_line)
        if "display_name" in entry.phrasing and not ctx.first_fill and not ctx.options.allow_structure:
            _skip(report, entry, "a second entry of this name")
            continue
        row = by_key.get((str(entry.kind), entry.name))
        if row is None and entry.arxiv_id:
            same = [r for r in by_arxiv.get((str(entry.kind), entry.arxiv_id), []) if r.id not in out.claimed]
            same = [r for r in same if r.entry.name not in named_in_doc]
            if len(same) == 1:
                row = same[0]
        if row is not None and row.id in out.claimed:
            _skip(report, entry, "matches the same stored entry as an earlier line")
        elif row is None:
            _add_entry(ctx, out, entry, target)
        else:
            _update_entry(ctx, out, entry, row, fully=fully)
    return out


def _add_entry(ctx: _Context, out: _Matches, entry: Entry, target: str) -> None:
    if entry.phrasing.get("form") == "text" and not ctx.structure:
        _skip(ctx.report, entry, "free text, not a list line (--allow-structure imports it)")
        return
    if not ctx.structure:
        entry.phrasing.pop("bullet", None)  # written in the catalog's own layout
    out.doc_order.setdefault(target, []).append((entry, None))
    ctx.report.added.append((str(entry.kind), entry.name))


def _update_entry(ctx: _Context, out: _Matches, entry: Entry, row: Stored, *, fully: bool) -> None:
    out.claimed[row.id] = entry
    merged, changed = merge_entry(
        row, entry, fully=fully, options=ctx.options, report=ctx.report, move=ctx.structure or fully
    )
    out.doc_order.setdefault(merged.section, []).append((merged, row))
    if changed:
        out.updates[row.id] = (merged, True)
        ctx.report.updated.append((str(entry.kind), merged.name, changed))
    else:
        ctx.report.unchanged += 1


# --------------------------------------------------------------------------------------------
# Order and rows


_Ordered = dict[str, list[tuple[Entry, Stored | None]]]


def _order_entries(
    ctx: _Context, final_sections: list[Section], matches: _Matches
) -> tuple[_Ordered, list[int]]:
    """The document's order within each section it lists; stored entries it does not list stay
    right after the entry they followed. Returns the entries by section and the ids deleted."""
    final: _Ordered = {}
    stored_by_section: dict[str, list[Stored]] = {}
    for s in ctx.state.entries:
        stored_by_section.setdefault(s.entry.section, []).append(s)
    deleted: list[int] = []
    claimed, updates = matches.claimed, matches.updates
    for key in dict.fromkeys([*(s.key for s in final_sections), *stored_by_section, *matches.doc_order]):
        listed = matches.doc_order.get(key, [])
        old = list(stored_by_section.get(key, []))
        if ctx.options.exact:
            deleted += [s.id for s in old if s.id not in claimed]
            final[key] = listed
        elif not listed:
            final[key] = [
                (s.entry if s.id not in updates else updates[s.id][0], s)
                for s in old
                if s.id not in claimed or claimed[s.id].section == key
            ]
        else:
            final[key] = _interleave(key, listed, old, matches)
    return final, deleted


def _interleave(
    key: str, listed: list[tuple[Entry, Stored | None]], old: list[Stored], matches: _Matches
) -> list[tuple[Entry, Stored | None]]:
    """A section's listed entries with its unlisted stored ones put back after their predecessor."""
    claimed, updates = matches.claimed, matches.updates
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
    return seq


def _rows(
    final: _Ordered, updates: dict[int, tuple[Entry, bool]]
) -> tuple[list[tuple[Entry, float]], list[tuple[int, Entry, float, bool]], list[tuple[int, float]]]:
    """Rows to add, update and move, each at its position (1, 2, ... within its section)."""
    add_rows: list[tuple[Entry, float]] = []
    update_rows: list[tuple[int, Entry, float, bool]] = []
    move: list[tuple[int, float]] = []
    for seq in final.values():
        for i, (entry, row) in enumerate(seq, start=1):
            position = float(i)
            if row is None:
                add_rows.append((entry, position))
            elif row.id in updates:
                update_rows.append((row.id, updates[row.id][0], position, True))
            elif row.position != position:
                move.append((row.id, position))
    return add_rows, update_rows, move
