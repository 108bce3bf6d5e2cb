"""Reading a whole list: title, headings, intros, list lines, tables, the free-form tail.

:func:`parse_list` never raises on content: odd lines become :class:`ParseProblem` s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.catalog.listformat.document import ListDocument, ParseProblem, Section
from bot.catalog.listformat.lines import MD_LINK_RE, URL_RE, parse_model, parse_survey
from bot.catalog.listformat.resources import parse_resource, resource_name
from bot.catalog.model import DateStyle, Entry, EntryKind, Link

__all__ = ["parse_list"]

_BULLET_RE = re.compile(r"^(?P<bullet>[*\-+] )(?=(?:\d{0,4}:\s*)?\[)")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
# A table of contents' line: nothing but links to headings of the page itself ("* [Models](#models)"),
# bulleted or numbered, indented or not. Such links lead nowhere outside the file: never entries.
_TOC_RE = re.compile(r"^\s*(?:[*\-+]\s+|\d+[.)]\s+)?(?:\[[^\]]*\]\(#[^)\s]*\)[\s,;|·•–-]*)+$")


def parse_list(text: str, *, section_kinds: Mapping[str, EntryKind] | None = None) -> ListDocument:
    """Parse the list's markdown. Never raises on content: odd lines become problems.

    ``section_kinds`` maps section titles (casefolded) to the kind of their entries, for
    headings whose words do not say it ("NLP VS Federated Learning" holds surveys).
    """
    reader = _Reader(text.splitlines(), section_kinds)
    for lineno, raw in enumerate(reader.lines, start=1):
        reader.feed(lineno, raw)
    return reader.finish()


def _section_kind(key: str, hints: Mapping[str, EntryKind] | None) -> EntryKind:
    title = key.rsplit("/", 1)[-1].strip().casefold()
    if hints and title in hints:
        return hints[title]
    if re.search(r"\bsurveys?\b", key.split("/")[0], re.IGNORECASE):
        return EntryKind.SURVEY
    return EntryKind.MODEL


def _heading_shift(lines: Sequence[str]) -> int:
    """The newer upstream layout uses ``#`` for every section (no ``##`` at all): read its
    headings one level deeper, so they are sections like the list's own ``##`` and none is the title."""
    levels = [len(m.group(1)) for m in map(_HEADING_RE.match, lines) if m]
    return 1 if levels.count(1) >= 2 and 2 not in levels else 0


def keep_trailing(entry: Entry, trails: Sequence[str]) -> None:
    """Whitespace at the ends of an entry's lines, so the export gives the file back byte for byte."""
    kept = {str(i): t for i, t in enumerate(trails) if t}
    if kept:
        entry.phrasing["trailing"] = json.dumps(kept, separators=(",", ":"))


class _Reader:
    """The state of one pass over the lines (one method per kind of line)."""

    def __init__(self, lines: list[str], section_kinds: Mapping[str, EntryKind] | None) -> None:
        self.lines = lines
        self.section_kinds = section_kinds
        self.shift = _heading_shift(lines)
        self.trailing: dict[int, str] = {}
        self.table_start: int | None = None
        self.toc_lines: list[int] = []
        self.toc_sections: set[str] = set()  # a section holding only a table of contents is none
        self.seen_lines: dict[str, int] = {}
        self.seen_blocks: dict[str, int] = {}  # a free-form block's lines -> its first line number
        self.filled: set[str] = set()  # sections that have an entry (text after that is not an intro)
        self.title: str | None = None
        self.sections: list[Section] = []
        self.entries: list[Entry] = []
        self.problems: list[ParseProblem] = []
        self.current: Section | None = None
        self.parent_key = ""
        self.block: list[tuple[int, str]] = []
        self.in_tail = False
        self.blank_run = 0

    def feed(self, lineno: int, raw: str) -> None:
        line = raw.rstrip()
        if line != raw:
            self.trailing[lineno] = raw[len(line) :]
        stripped = line.strip()
        if self.table_start is not None and not stripped.startswith("|"):
            self.close_table(lineno)
        if not stripped:
            self.blank()
            return
        self.blank_run = 0
        hm = _HEADING_RE.match(line)
        if hm and not self.in_tail:
            self.heading(lineno, line, hm)
        elif self.in_tail:
            self.block.append((lineno, line))
        elif self.current is None:
            self.problems.append(ParseProblem(lineno, line, "text before the first section; ignored"))
        elif stripped.startswith("|"):
            if self.table_start is None:
                self.table_start = lineno
        else:
            self.body_line(lineno, raw, line, self.current)

    def blank(self) -> None:
        self.blank_run += 1
        if self.in_tail:
            self.flush_block()
        elif self.current is not None and self.current.key == "PTM" and self.blank_run >= 3:
            # A long run of blank lines closes the PTM section: what follows is the free tail.
            self.in_tail = True

    def heading(self, lineno: int, line: str, hm: re.Match[str]) -> None:
        level, heading = len(hm.group(1)) + self.shift, hm.group(2).strip()
        if level == 1 and self.title is None and not self.sections:
            self.title = heading
            return
        if level == 1 and heading == self.title:
            self.problems.append(ParseProblem(lineno, line, "the title again; read once"))
            return
        if level == 2:
            self.parent_key = heading
            key = heading
        else:
            key = f"{self.parent_key}/{heading}" if self.parent_key else heading
        same = next((i for i, sec in enumerate(self.sections) if sec.key == key), None)
        if same is not None:
            # The same heading again (a doubled file): its lines continue that section.
            self.problems.append(
                ParseProblem(lineno, line, "the same heading as before; read as one section")
            )
            self.current = self.sections[same]
            return
        self.current = Section(
            key=key, title=heading, level=level, kind=_section_kind(key, self.section_kinds)
        )
        self.sections.append(self.current)

    def body_line(self, lineno: int, raw: str, line: str, current: Section) -> None:
        """A line inside a section: a list line, its intro, or free text (a table of contents: none)."""
        if _TOC_RE.match(line):
            self.toc_lines.append(lineno)
            self.toc_sections.add(current.key)
            return
        entry = self.list_line(lineno, line, current)
        first = self.seen_lines.get(raw)
        if first is not None:
            # The very same line twice: one entry, reported once (never a "(2)" copy).
            self.problems.append(ParseProblem(lineno, line, f"the same line as line {first}; read once"))
            return
        self.seen_lines[raw] = lineno
        if entry is not None:
            self.entries.append(entry)
            self.filled.add(current.key)
        elif current.key not in self.filled and current.intro is None:
            at = next(i for i, sec in enumerate(self.sections) if sec.key == current.key)
            self.sections[at] = self.current = replace(current, intro=line.strip())
        else:
            self.free_text(lineno, line, current)

    def list_line(self, lineno: int, line: str, current: Section) -> Entry | None:
        """The entry of a line in the list's format (a bullet and U+200B kept), or None."""
        entry: Entry | None = None
        bullet = _BULLET_RE.match(line)
        body = line[bullet.end() :] if bullet else line
        zwsp = [i for i, c in enumerate(body) if c == "\u200b"] if "\u200b" in body else []
        if zwsp:
            body = body.replace("\u200b", "")
        if re.match(r"^(?:\d{0,4}:\s*)?\[", body):
            if current.kind is EntryKind.SURVEY:
                entry = parse_survey(body, lineno, current.key, self.problems)
            else:
                entry = parse_model(body, lineno, current.key, self.problems)
        if entry is None:
            return None
        if bullet:
            entry.phrasing["bullet"] = bullet.group("bullet")
        if zwsp:
            # Invisible, but bytes of the file: kept where they stood (U+200B before a link).
            entry.phrasing["zwsp"] = ",".join(map(str, zwsp))
        keep_trailing(entry, [self.trailing.get(lineno, "")])
        return entry

    def free_text(self, lineno: int, line: str, current: Section) -> None:
        # Anything else inside a section is kept as a free-form entry and reported; the importer
        # adds such entries only to an empty catalog or with --allow-structure.
        stripped = line.strip()
        self.problems.append(ParseProblem(lineno, line, "not in the list's line format; kept as free text"))
        links = [Link(u, lbl) for lbl, u in MD_LINK_RE.findall(line)] or [
            Link(u) for u in URL_RE.findall(line)
        ]
        self.entries.append(
            Entry(
                kind=current.kind,
                name=resource_name(stripped, links, lineno)[:120],
                section=current.key,
                date_style=DateStyle.NONE,
                description=stripped,
                links=links,
                phrasing={"form": "text"},
                source_line=lineno,
            )
        )
        self.filled.add(current.key)

    def flush_block(self) -> None:
        if self.block and self._repeated_block():
            self.block.clear()
        if self.block:
            entry = parse_resource(list(self.block), "Resources", self.problems)
            keep_trailing(entry, [self.trailing.get(n, "") for n, _ in self.block])
            self.entries.append(entry)
            self.block.clear()

    def _repeated_block(self) -> bool:
        """A free-form block pasted twice is read once, like a list line: the very same block as an
        earlier one (reported, skipped), or a block that is one run of lines twice over (halved)."""
        lines = [line.strip() for _, line in self.block]
        half = len(lines) // 2
        if half and len(lines) % 2 == 0 and lines[:half] == lines[half:]:
            lineno, line = self.block[half]
            start = self.block[0][0]
            self.problems.append(ParseProblem(lineno, line, f"the same lines as line {start} on; read once"))
            del self.block[half:]
            lines = lines[:half]
        key = "\n".join(lines)
        first = self.seen_blocks.get(key)
        if first is not None:
            lineno, line = self.block[0]
            self.problems.append(ParseProblem(lineno, line, f"the same block as line {first}; read once"))
            return True
        self.seen_blocks[key] = self.block[0][0]
        return False

    def close_table(self, lineno: int) -> None:
        if self.table_start is not None:
            start, rows = self.table_start, lineno - self.table_start
            self.problems.append(
                ParseProblem(
                    start,
                    self.lines[start - 1],
                    f"a table ({rows} rows, lines {start}-{lineno - 1}); tables are not part of "
                    "the list's line format: not imported",
                )
            )
            self.table_start = None

    def report_contents(self) -> None:
        """One problem per table of contents (its lines in a row, blank lines allowed between)."""
        runs: list[list[int]] = []
        for n in self.toc_lines:
            if runs and all(not self.lines[i - 1].strip() for i in range(runs[-1][-1] + 1, n)):
                runs[-1].append(n)
            else:
                runs.append([n])
        for run in runs:
            start, end = run[0], run[-1]
            self.problems.append(
                ParseProblem(
                    start,
                    self.lines[start - 1],
                    f"a table of contents ({len(run)} link(s) to headings of this page, lines {start}-{end}); "
                    "links within the page are not entries: not imported",
                )
            )

    def finish(self) -> ListDocument:
        self.flush_block()
        self.close_table(len(self.lines) + 1)
        self.report_contents()
        only_toc = self.toc_sections - self.filled
        self.sections = [sec for sec in self.sections if sec.key not in only_toc or sec.intro is not None]
        if any(e.kind is EntryKind.RESOURCE for e in self.entries):
            self.sections.append(Section(key="Resources", title="", level=0, kind=EntryKind.RESOURCE))
        _dedupe_names(self.entries, self.problems)
        return ListDocument(
            title=self.title, sections=self.sections, entries=self.entries, problems=self.problems
        )


def _dedupe_names(entries: list[Entry], problems: list[ParseProblem]) -> None:
    """(kind, name) is unique in the catalog: later duplicates get a numbered name and a report."""
    seen: dict[tuple[str, str], int] = {}
    for e in entries:
        key = (str(e.kind), e.name.casefold())
        if key in seen:
            n = 2
            while (str(e.kind), f"{e.name} ({n})".casefold()) in seen:
                n += 1
            problems.append(
                ParseProblem(
                    e.source_line or 0,
                    e.name,
                    f"duplicate {e.kind} name (first at line {seen[key]}); imported as '{e.name} ({n})'",
                )
            )
            e.phrasing["display_name"] = e.name
            e.name = f"{e.name} ({n})"
            key = (str(e.kind), e.name.casefold())
        seen[key] = e.source_line or 0
