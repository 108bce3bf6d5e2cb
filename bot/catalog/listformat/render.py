"""Writing entries back as the list's markdown, from their structured fields alone (never from the
source line): a line read and rendered again is the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from bot.catalog.listformat.authors import join_authors
from bot.catalog.listformat.document import CONNECTORS, Section
from bot.catalog.model import AuthorStyle, DateStyle, Entry, EntryKind

__all__ = ["render_entry", "render_list"]

# Blank lines between the PTM section and the resources tail in the shipped list.
_TAIL_GAP = 11


def render_list(title: str | None, sections: Sequence[Section], entries: Iterable[Entry]) -> str:
    """The whole list: headings, intros, entries in the given order, then the resources tail."""
    by_section: dict[str, list[Entry]] = {}
    for e in entries:
        by_section.setdefault(e.section, []).append(e)
    out: list[str] = []
    if title:
        out.append(f"# {title}")
    known = {s.key for s in sections}
    for s in sections:
        items = by_section.get(s.key, [])
        if s.level == 0:
            # The free-form tail: separated from the PTM section by a wide gap, blocks by blank lines.
            if items:
                out.extend([""] * _TAIL_GAP)
                for i, e in enumerate(items):
                    if i:
                        out.append("")
                    out.extend(render_entry(e))
            continue
        if s.key.count("/") and out and out[-1] != "":
            out.append("")
        out.append(f"{'#' * s.level} {s.title}")
        if s.intro:
            out.extend(["", s.intro, ""])
        for i, e in enumerate(items):
            if i:
                out.append("")
            out.extend(render_entry(e))
        if items:
            out.append("")
    # Entries whose section is unknown to the document still appear, never silently dropped.
    for key, items in by_section.items():
        if key not in known:
            out.append(f"## {key}")
            out.append("")
            for e in items:
                out.extend(render_entry(e))
                out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def render_entry(entry: Entry) -> list[str]:
    """The markdown line(s) of one entry, from its structured fields."""
    lines = _render_entry(entry)
    zwsp = entry.phrasing.get("zwsp")
    if zwsp and lines:
        for pos in map(int, zwsp.split(",")):
            if pos <= len(lines[0]):
                lines[0] = lines[0][:pos] + "\u200b" + lines[0][pos:]
    bullet = entry.phrasing.get("bullet")
    if bullet and lines:
        lines[0] = bullet + lines[0]
    trailing = entry.phrasing.get("trailing")
    if trailing:
        for i, t in json.loads(trailing).items():
            if int(i) < len(lines):
                lines[int(i)] += t
    return lines


def _display_name(entry: Entry) -> str:
    return entry.phrasing.get("display_name", entry.name)


def _date_prefix(entry: Entry) -> str:
    if entry.phrasing.get("prefix") == "0":
        return ""
    style = DateStyle(entry.date_style)
    if style is DateStyle.NONE or entry.year is None:
        return ":"
    if style is DateStyle.YEAR or not entry.month:
        return f"{entry.year:04d}:"
    return f"{entry.year % 100:02d}{entry.month:02d}:"


def _render_entry(entry: Entry) -> list[str]:
    kind = EntryKind(entry.kind)
    if kind is EntryKind.RESOURCE or entry.phrasing.get("form") == "text":
        return _render_resource(entry)
    date = _date_prefix(entry)
    if kind is EntryKind.SURVEY:
        return [_render_survey(entry, date)]
    return [_render_model(entry, date)]


def _render_survey(entry: Entry, date: str) -> str:
    line = (
        f"{date}{' ' if date else ''}[{entry.paper_title or _display_name(entry)}]({entry.paper_url or ''})"
    )
    if entry.authors:
        line += " by " + join_authors(entry.authors, entry.phrasing.get("authors", AuthorStyle.COMMA))
        if entry.phrasing.get("period") == "1":
            line += "."
    if entry.description:
        line += " " + entry.description
    return line


def _render_model(entry: Entry, date: str) -> str:
    line = f"{date}{' ' if date else ''}[{_display_name(entry)}]({entry.docs_url or ''})"
    form = entry.phrasing.get("form")
    if form == "free":
        return f"{line} {entry.description}" if entry.description else line
    if entry.org:
        org = entry.phrasing.get("org_raw", entry.org)
        if org.strip() != entry.org:
            org = entry.org
        line += f" ({entry.phrasing.get('from', 'from')} {org})"
        if entry.phrasing.get("org_comma") == "1" and form != "org_only":
            line += ","
    if form == "org_only":
        return line + entry.phrasing.get("end", "")
    if form == "by_link" and entry.links:
        label = entry.authors[0] if entry.authors else entry.links[0].label
        return f"{line} released by the [{label}]({entry.links[0].url}){entry.phrasing.get('end', '')}"
    if form == "team_link" and entry.links:
        ln = entry.links[0]
        line += f" by {entry.phrasing.get('the', 'The')} [{ln.label}]({ln.url}) team: "
        line += join_authors(entry.authors, entry.phrasing.get("authors", AuthorStyle.COMMA_AND))
        if entry.phrasing.get("period", "1") == "1":
            line += "."
    else:
        line += _render_paper(entry)
    if entry.description:
        line += " " + entry.description
    return line


def _render_paper(entry: Entry) -> str:
    """The paper part (" released with the paper [Title](url) by Authors.") as phrased."""
    connector = CONNECTORS[entry.phrasing.get("connector", "paper")]
    out = f" {connector} [{entry.paper_title or ''}]({entry.paper_url or ''})"
    if entry.authors:
        out += ", by " if entry.phrasing.get("by_comma") == "1" else " by "
        if entry.phrasing.get("title_tail"):
            out += entry.phrasing["title_tail"] + " by "
        out += entry.phrasing.get("authors_lead", "")
        out += join_authors(entry.authors, entry.phrasing.get("authors", AuthorStyle.COMMA_AND))
        if entry.phrasing.get("more_papers"):
            out += ", " + entry.phrasing["more_papers"]
        if entry.phrasing.get("period", "1") == "1":
            out += "."
    return out


def _render_resource(entry: Entry) -> list[str]:
    out = list(entry.description.splitlines()) if entry.description else []
    for link in entry.links:
        if entry.phrasing.get("form") == "text":
            break
        if link.label and link.label_own_line:
            out.extend([link.label, link.url])
        else:
            out.append(f"{link.label or ''}{link.url}")
    return out
