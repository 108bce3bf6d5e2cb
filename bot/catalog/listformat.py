"""The community list's markdown: parse it into structured entries and render entries back.

The list (``bot/data/ptm-list.md``) has three parts:

* a ``## Survey`` section (and ``###`` subsections) of lines
  ``YYMM: [Title](paper-url) by Authors``;
* a ``## PTM`` section of lines
  ``YYMM: [Name](docs-url) (from Org) released with the paper [Title](paper-url) by Authors.``
  with variants (no date, a bare year, "released together with the paper", "released in the
  repository", a free sentence, trailing notes);
* a free-form tail of resources: blank-line-separated blocks of description lines and URLs.

Parsing keeps the *phrasing* of each line as small structured fields (which connector, which
author separators, whether the line ends with a period ...) so that :func:`render_entry`
reproduces the line from fields alone; the raw source line is never used for output.
Lines that cannot be fully read are still returned, with a :class:`ParseProblem` naming them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.catalog.arxiv_ids import arxiv_id_from_url
from bot.catalog.model import AuthorStyle, DateStyle, Entry, EntryKind, Link

__all__ = [
    "ListDocument",
    "ParseProblem",
    "Section",
    "join_authors",
    "parse_list",
    "render_entry",
    "render_list",
    "settle_author_style",
    "split_authors",
]


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


# --------------------------------------------------------------------------------------------
# Authors


_INITIAL_END = re.compile(r"(?:^|[\s.\-])[A-Z]$")


def split_authors(text: str) -> tuple[list[str], AuthorStyle]:
    """Split an author string and name its separator style (so it can be joined back exactly)."""
    text = text.strip()
    if not text:
        return [], AuthorStyle.COMMA
    n_and = text.count(" and ")
    if n_and >= 2 or (n_and == 1 and ", " not in text):
        return [a.strip() for a in text.split(" and ")], AuthorStyle.AND
    if n_and == 1:
        head, last = text.rsplit(" and ", 1)
        if head.endswith(","):
            return [*(a.strip() for a in head[:-1].split(", ")), last.strip()], AuthorStyle.OXFORD
        return [*(a.strip() for a in head.split(", ")), last.strip()], AuthorStyle.COMMA_AND
    return [a.strip() for a in text.split(", ")], AuthorStyle.COMMA


def join_authors(authors: Sequence[str], style: AuthorStyle | str) -> str:
    style = AuthorStyle(style)
    if not authors:
        return ""
    if style is AuthorStyle.AND or len(authors) == 1:
        return " and ".join(authors)
    if style is AuthorStyle.COMMA:
        return ", ".join(authors)
    if style is AuthorStyle.OXFORD and len(authors) > 2:
        return ", ".join(authors[:-1]) + ", and " + authors[-1]
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def _split_trailing_note(text: str) -> tuple[str, str | None, bool]:
    """``'A, B. The same method ...'`` -> ``('A, B', 'The same method ...', True)``.

    A sentence ends at '. ' after a word of two or more letters (``Wolf. The``), not after an
    initial (``Stan Z. Li``, ``J.-P. Tixier``). Returns (authors, note, ended_with_period).
    """
    for m in re.finditer(r"\. ", text):
        before = text[: m.start()]
        if not _INITIAL_END.search(before) and re.search(r"[a-z*)]$", before):
            return before, text[m.end() :], True
    stripped = text.rstrip()
    if stripped.endswith(".") and not _INITIAL_END.search(stripped[:-1]):
        return stripped[:-1], None, True
    return stripped, None, False


# --------------------------------------------------------------------------------------------
# Line grammars

# A URL may hold balanced parentheses (``https://en.wikipedia.org/wiki/Foo_(model)``).
_URL_IN_LINK = r"(?:[^()\s]|\([^()\s]*\))*"
_LINK = r"\[(?P<{0}>(?:[^\[\]]|\[[^\]]*\])*)\]\((?P<{1}>" + _URL_IN_LINK + r")\)"
# The date prefix; some lists (the transformers README) write undated lines with no prefix at all.
_DATE = r"(?P<prefix>(?P<date>\d{4})?:\s)?"
_SURVEY_RE = re.compile(rf"^{_DATE}{_LINK.format('title', 'url')}(?P<rest>.*)$")
_MODEL_RE = re.compile(
    rf"^{_DATE}{_LINK.format('name', 'docs')}"
    r"(?P<after>.*)$"
)
_ORG_RE = re.compile(
    r"^ \((?P<from>[Ff]rom) (?P<org>[^()]*(?:\([^()]*\)[^()]*)*)\)(?P<comma>,?) (?P<rest>.*)$"
)
_CONNECTOR_RE = re.compile(
    r"^(?P<conn>released together with the paper|released with the papers -|released with the paper|released in the repository) "
    + _LINK.format("title", "url")
    + r"(?P<rest>.*)$"
)
_URL_RE = re.compile(r"https?://\S+")
_MD_LINK_RE = re.compile(r"\[([^\]]+)\]\((" + _URL_IN_LINK + r")\)")
# Lines of the transformers README that name no paper: "(from HuggingFace).", "released by the
# [BigScience Workshop](url).", "by The [Mistral AI](url) team: A, B and C."
_ORG_ONLY_RE = re.compile(r"^ \((?P<from>[Ff]rom) (?P<org>[^()]*(?:\([^()]*\)[^()]*)*)\)(?P<end>\.?)$")
_BY_LINK_RE = re.compile(
    r"^released by the \[(?P<label>[^\]]+)\]\((?P<url>" + _URL_IN_LINK + r")\)(?P<end>\.?)$"
)
_TEAM_LINK_RE = re.compile(
    r"^by (?P<the>[Tt]he) \[(?P<label>[^\]]+)\]\((?P<url>" + _URL_IN_LINK + r")\) team: (?P<authors>.+)$"
)


def _parse_date(raw: str | None, paper_url: str | None) -> tuple[int | None, int | None, DateStyle]:
    arxiv = arxiv_id_from_url(paper_url)
    arxiv_ym = None
    if arxiv and re.match(r"^\d{4}\.", arxiv):
        arxiv_ym = (2000 + int(arxiv[:2]), int(arxiv[2:4]))
    elif arxiv and "/" in arxiv:
        yy = int(arxiv.split("/")[1][:2])
        arxiv_ym = (1900 + yy if yy > 90 else 2000 + yy, int(arxiv.split("/")[1][2:4]))
    if raw is None:
        if arxiv_ym:
            return arxiv_ym[0], arxiv_ym[1], DateStyle.NONE
        return None, None, DateStyle.NONE
    yy, mm = int(raw[:2]), int(raw[2:])
    if 1 <= mm <= 12:
        return 2000 + yy, mm, DateStyle.YYMM
    year = int(raw)
    if arxiv_ym and arxiv_ym[0] == year:
        return year, arxiv_ym[1], DateStyle.YEAR
    return year, None, DateStyle.YEAR


def _date_prefix(entry: Entry) -> str:
    if entry.phrasing.get("prefix") == "0":
        return ""
    style = DateStyle(entry.date_style)
    if style is DateStyle.NONE or entry.year is None:
        return ":"
    if style is DateStyle.YEAR or not entry.month:
        return f"{entry.year:04d}:"
    return f"{entry.year % 100:02d}{entry.month:02d}:"


def _parse_survey(line: str, lineno: int, section: str, problems: list[ParseProblem]) -> Entry | None:
    m = _SURVEY_RE.match(line)
    if m is None:
        return None
    title, url, rest = m.group("title").strip(), m.group("url"), m.group("rest")
    year, month, style = _parse_date(m.group("date"), url)
    entry = Entry(
        kind=EntryKind.SURVEY,
        name=title,
        section=section,
        year=year,
        month=month,
        date_style=style,
        paper_title=title,
        paper_url=url or None,
        arxiv_id=arxiv_id_from_url(url),
        source_line=lineno,
    )
    if m.group("prefix") is None:
        entry.phrasing["prefix"] = "0"
    if rest.startswith(" by "):
        authors_text, note, period = _split_trailing_note(rest[4:])
        entry.authors, astyle = split_authors(authors_text)
        entry.phrasing["authors"] = str(astyle)
        if period:
            entry.phrasing["period"] = "1"
        if note:
            entry.description = note
    elif rest.strip():
        entry.description = rest.strip()
        problems.append(ParseProblem(lineno, line, "no ' by Authors' after the survey link"))
    else:
        problems.append(ParseProblem(lineno, line, "survey without authors"))
    if not url:
        problems.append(ParseProblem(lineno, line, "survey link has no URL"))
    return entry


def _parse_model(line: str, lineno: int, section: str, problems: list[ParseProblem]) -> Entry | None:
    m = _MODEL_RE.match(line)
    if m is None:
        return None
    name, docs, after = m.group("name").strip(), m.group("docs"), m.group("after")
    entry = Entry(kind=EntryKind.MODEL, name=name, section=section, docs_url=docs or None, source_line=lineno)
    if m.group("prefix") is None:
        entry.phrasing["prefix"] = "0"
    raw_date = m.group("date")
    om = _ORG_RE.match(after)
    if om is not None:
        cm = _CONNECTOR_RE.match(om.group("rest"))
    else:
        # New entries whose organisation is unknown are written without "(from Org)".
        cm = _CONNECTOR_RE.match(after[1:]) if after.startswith(" released ") else None
    if cm is None and _parse_model_without_paper(entry, after, om):
        entry.year, entry.month, entry.date_style = _parse_date(raw_date, None)
        if not docs:
            problems.append(ParseProblem(lineno, line, "model link has no URL"))
        return entry
    if cm is None:
        # A free sentence (MarianMT) or a damaged line: keep the text as the description.
        entry.year, entry.month, entry.date_style = _parse_date(raw_date, None)
        entry.description = after.strip() or None
        entry.phrasing["form"] = "free"
        entry.links = [Link(url, label) for label, url in _MD_LINK_RE.findall(after)]
        # Authors only where they read as names (not the middle of a link: "by Generative Pre-Training](...").
        by = re.search(r"\bby ([^.\[\]()]+?)\.", after)
        if by:
            entry.authors, astyle = split_authors(by.group(1))
            entry.phrasing["authors"] = str(astyle)
        if om is not None:
            entry.org = om.group("org")
        what = "no '(from Org) released with the paper [Title](url)' phrase"
        if om is not None:
            what = "no 'released with the paper [Title](url)' after the organisation"
        problems.append(
            ParseProblem(
                lineno,
                line,
                f"free-form model line ({what}); kept as description",
                benign=_is_free_sentence(after),
            )
        )
        if not docs:
            problems.append(ParseProblem(lineno, line, "model link has no URL"))
        return entry
    if om is not None:
        _set_org(entry, om.group("org"))
        if om.group("from") != "from":
            entry.phrasing["from"] = om.group("from")
        if om.group("comma"):
            entry.phrasing["org_comma"] = "1"
    entry.phrasing["connector"] = next(k for k, v in CONNECTORS.items() if v == cm.group("conn"))
    entry.paper_title = cm.group("title").strip()
    entry.paper_url = cm.group("url") or None
    entry.arxiv_id = arxiv_id_from_url(entry.paper_url)
    entry.year, entry.month, entry.date_style = _parse_date(raw_date, entry.paper_url)
    rest = cm.group("rest")
    by_sep = ", by " if rest.startswith(", by ") else " by "
    if by_sep == ", by ":
        entry.phrasing["by_comma"] = "1"
    if not rest.startswith(by_sep):
        problems.append(ParseProblem(lineno, line, "no ' by Authors' after the paper link"))
        if rest.strip():
            entry.description = rest.strip()
        return entry
    authors_text = rest[len(by_sep) :]
    lead = authors_text[: len(authors_text) - len(authors_text.lstrip(" "))]
    if lead:
        entry.phrasing["authors_lead"] = lead  # "by  Jonathan Tow": the spacing stays as written
        authors_text = authors_text[len(lead) :]
    if entry.phrasing["connector"] == "papers":
        # "released with the papers - [A](u) by X, Y, [B](v) by Z.": fields of the first paper;
        # the others are kept as written (and as links).
        cut = authors_text.find(", [")
        if cut > 0:
            more = authors_text[cut + 2 :]
            entry.phrasing["more_papers"] = more
            entry.links = [Link(url, label) for label, url in _MD_LINK_RE.findall(more)]
            authors_text = authors_text[:cut]
            entry.authors, astyle = split_authors(authors_text)
            entry.phrasing["authors"] = str(astyle)
            entry.phrasing["period"] = "0"
            return entry
    # A title containing " by " was cut short by the link (HuBERT): the words up to the last
    # " by " belong to the title, not to the authors.
    if " by " in authors_text:
        tail, authors_text = authors_text.rsplit(" by ", 1)
        entry.phrasing["title_tail"] = tail
        problems.append(
            ParseProblem(
                lineno,
                line,
                f"text after the paper link contains ' by ' ({tail!r}); read as the rest of the title",
                benign=True,
            )
        )
    authors_text, note, period = _split_trailing_note(authors_text)
    entry.authors, astyle = split_authors(authors_text)
    entry.phrasing["authors"] = str(astyle)
    if not period:
        entry.phrasing["period"] = "0"
    if note:
        entry.description = note
    if not docs:
        problems.append(ParseProblem(lineno, line, "model link has no URL"))
    if not entry.paper_url:
        problems.append(ParseProblem(lineno, line, "paper link has no URL"))
    if raw_date and entry.month is None:
        problems.append(
            ParseProblem(lineno, line, f"date {raw_date!r} is a bare year; month unknown", benign=True)
        )
    return entry


def _set_org(entry: Entry, raw: str) -> None:
    entry.org = raw.strip()
    if raw != entry.org:
        entry.phrasing["org_raw"] = raw  # "(from  IBM Research)": the spacing stays as written


def _parse_model_without_paper(entry: Entry, after: str, om: re.Match[str] | None) -> bool:
    """The README's lines that name no paper but are still fully read (see the regexes)."""
    only = _ORG_ONLY_RE.match(after)
    if only is not None:
        _set_org(entry, only.group("org"))
        if only.group("from") != "from":
            entry.phrasing["from"] = only.group("from")
        entry.phrasing["form"] = "org_only"
        entry.phrasing["end"] = only.group("end")
        return True
    if om is None:
        return False
    rest = om.group("rest")
    by_link = _BY_LINK_RE.match(rest)
    team = _TEAM_LINK_RE.match(rest)
    if by_link is None and team is None:
        return False
    _set_org(entry, om.group("org"))
    if om.group("from") != "from":
        entry.phrasing["from"] = om.group("from")
    if om.group("comma"):
        entry.phrasing["org_comma"] = "1"
    if by_link is not None:
        entry.phrasing["form"] = "by_link"
        entry.phrasing["end"] = by_link.group("end")
        entry.authors = [by_link.group("label")]
        entry.links = [Link(by_link.group("url"), by_link.group("label"))]
        return True
    assert team is not None
    entry.phrasing["form"] = "team_link"
    entry.phrasing["the"] = team.group("the")
    entry.links = [Link(team.group("url"), team.group("label"))]
    authors_text, note, period = _split_trailing_note(team.group("authors"))
    entry.authors, astyle = split_authors(authors_text)
    entry.phrasing["authors"] = str(astyle)
    entry.phrasing["period"] = "1" if period else "0"
    if note:
        entry.description = note
    return True


def _is_free_sentence(after: str) -> bool:
    """A deliberate free sentence (MarianMT's) rather than a line cut short inside "(from Org)"."""
    return not after.lstrip().lower().startswith("(from")


def full_paper_title(entry: Entry) -> str | None:
    """The paper's title, including words the list put after the link (HuBERT)."""
    if entry.paper_title is None:
        return None
    tail = entry.phrasing.get("title_tail")
    return f"{entry.paper_title} by {tail}" if tail else entry.paper_title


# --------------------------------------------------------------------------------------------
# Resources


_LABEL_URL_RE = re.compile(r"^(?P<label>.*?)(?P<url>https?://\S+)$")


def _resource_name(description: str | None, links: Sequence[Link], lineno: int) -> str:
    text = description or ""
    m = re.search(r"《([^》]+)》", text)
    if m:
        return m.group(1).strip()
    first = text.splitlines()[0].strip() if text else ""
    if first:
        return first[:120]
    if links:
        return links[0].url
    return f"resource at line {lineno}"


def _parse_resource(block: list[tuple[int, str]], section: str, problems: list[ParseProblem]) -> Entry:
    desc: list[str] = []
    links: list[Link] = []
    pending_label: str | None = None
    for i, (lineno, raw) in enumerate(block):
        line = raw.strip()
        m = _LABEL_URL_RE.match(line)
        if m and not m.group("label").strip().startswith("《"):
            label = m.group("label") or None
            if pending_label is not None:
                links.append(Link(m.group("url"), pending_label, label_own_line=True))
                pending_label = None
                if label:
                    problems.append(ParseProblem(lineno, raw, "URL has two labels; kept the first"))
            else:
                links.append(Link(m.group("url"), label))
            continue
        next_is_url = i + 1 < len(block) and _URL_RE.match(block[i + 1][1].strip()) is not None
        if links or (next_is_url and (line.endswith(("：", ":")))) or pending_label is not None:
            if pending_label is not None:
                problems.append(ParseProblem(lineno, raw, "label without a URL"))
                desc.append(pending_label)
            pending_label = line
        else:
            desc.append(line)
    if pending_label is not None:
        lineno, raw = block[-1]
        problems.append(ParseProblem(lineno, raw, "label without a URL at the end of a block"))
        desc.append(pending_label)
    description = "\n".join(desc) or None
    first_line = block[0][0]
    entry = Entry(
        kind=EntryKind.RESOURCE,
        name=_resource_name(description, links, first_line),
        section=section,
        date_style=DateStyle.NONE,
        description=description,
        links=links,
        source_line=first_line,
    )
    if not links:
        problems.append(ParseProblem(first_line, block[0][1], "resource without any URL"))
    return entry


# --------------------------------------------------------------------------------------------
# The document


_BULLET_RE = re.compile(r"^(?P<bullet>[*\-+] )(?=(?:\d{0,4}:\s*)?\[)")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")


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


def parse_list(text: str, *, section_kinds: Mapping[str, EntryKind] | None = None) -> ListDocument:
    """Parse the list's markdown. Never raises on content: odd lines become problems.

    ``section_kinds`` maps section titles (casefolded) to the kind of their entries, for
    headings whose words do not say it ("NLP VS Federated Learning" holds surveys).
    """
    lines = text.splitlines()
    shift = _heading_shift(lines)
    trailing: dict[int, str] = {}
    table_start: int | None = None
    seen_lines: dict[str, int] = {}
    filled: set[str] = set()  # sections that have an entry (text after that is not an intro)
    title: str | None = None
    sections: list[Section] = []
    entries: list[Entry] = []
    problems: list[ParseProblem] = []
    current: Section | None = None
    parent_key = ""
    block: list[tuple[int, str]] = []
    in_tail = False
    blank_run = 0

    def flush_block() -> None:
        if block:
            entry = _parse_resource(list(block), "Resources", problems)
            _keep_trailing(entry, [trailing.get(n, "") for n, _ in block])
            entries.append(entry)
            block.clear()

    def close_table(lineno: int) -> None:
        nonlocal table_start
        if table_start is not None:
            rows = lineno - table_start
            problems.append(
                ParseProblem(
                    table_start,
                    lines[table_start - 1],
                    f"a table ({rows} rows, lines {table_start}-{lineno - 1}); tables are not part of "
                    "the list's line format: not imported",
                )
            )
            table_start = None

    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if line != raw:
            trailing[lineno] = raw[len(line) :]
        stripped = line.strip()
        if table_start is not None and not stripped.startswith("|"):
            close_table(lineno)
        if not stripped:
            blank_run += 1
            if in_tail:
                flush_block()
            elif current is not None and current.key == "PTM" and blank_run >= 3:
                # A long run of blank lines closes the PTM section: what follows is the free tail.
                in_tail = True
            continue
        prev_blank, blank_run = blank_run, 0
        hm = _HEADING_RE.match(line)
        if hm and not in_tail:
            level, heading = len(hm.group(1)) + shift, hm.group(2).strip()
            if level == 1 and title is None and not sections:
                title = heading
                continue
            if level == 1 and heading == title:
                problems.append(ParseProblem(lineno, line, "the title again; read once"))
                continue
            if level == 2:
                parent_key = heading
                key = heading
            else:
                key = f"{parent_key}/{heading}" if parent_key else heading
            same = next((i for i, sec in enumerate(sections) if sec.key == key), None)
            if same is not None:
                # The same heading again (a doubled file): its lines continue that section.
                problems.append(ParseProblem(lineno, line, "the same heading as before; read as one section"))
                current = sections[same]
                continue
            current = Section(key=key, title=heading, level=level, kind=_section_kind(key, section_kinds))
            sections.append(current)
            continue
        if in_tail:
            block.append((lineno, line))
            continue
        if current is None:
            problems.append(ParseProblem(lineno, line, "text before the first section; ignored"))
            continue
        if stripped.startswith("|"):
            if table_start is None:
                table_start = lineno
            continue
        entry: Entry | None = None
        bullet = _BULLET_RE.match(line)
        body = line[bullet.end() :] if bullet else line
        zwsp = [i for i, c in enumerate(body) if c == "\u200b"] if "\u200b" in body else []
        if zwsp:
            body = body.replace("\u200b", "")
        if re.match(r"^(?:\d{0,4}:\s*)?\[", body):
            if current.kind is EntryKind.SURVEY:
                entry = _parse_survey(body, lineno, current.key, problems)
            else:
                entry = _parse_model(body, lineno, current.key, problems)
        if entry is not None:
            if bullet:
                entry.phrasing["bullet"] = bullet.group("bullet")
            if zwsp:
                # Invisible, but bytes of the file: kept where they stood (U+200B before a link).
                entry.phrasing["zwsp"] = ",".join(map(str, zwsp))
            _keep_trailing(entry, [trailing.get(lineno, "")])
            first = seen_lines.get(raw)
            if first is not None:
                # The very same line twice: one entry, reported once (never a "(2)" copy).
                problems.append(ParseProblem(lineno, line, f"the same line as line {first}; read once"))
                continue
            seen_lines[raw] = lineno
            entries.append(entry)
            filled.add(current.key)
            continue
        first = seen_lines.get(raw)
        if first is not None:
            problems.append(ParseProblem(lineno, line, f"the same line as line {first}; read once"))
            continue
        seen_lines[raw] = lineno
        if current.key not in filled and current.intro is None and prev_blank >= 0:
            at = next(i for i, sec in enumerate(sections) if sec.key == current.key)
            sections[at] = current = replace(current, intro=stripped)
            continue
        # Anything else inside a section is kept as a free-form entry and reported; the importer
        # adds such entries only to an empty catalog or with --allow-structure.
        problems.append(ParseProblem(lineno, line, "not in the list's line format; kept as free text"))
        links = [Link(u, lbl) for lbl, u in _MD_LINK_RE.findall(line)] or [
            Link(u) for u in _URL_RE.findall(line)
        ]
        entries.append(
            Entry(
                kind=current.kind,
                name=_resource_name(stripped, links, lineno)[:120],
                section=current.key,
                date_style=DateStyle.NONE,
                description=stripped,
                links=links,
                phrasing={"form": "text"},
                source_line=lineno,
            )
        )
        filled.add(current.key)
    flush_block()
    close_table(len(lines) + 1)
    if any(e.kind is EntryKind.RESOURCE for e in entries):
        sections.append(Section(key="Resources", title="", level=0, kind=EntryKind.RESOURCE))
    _dedupe_names(entries, problems)
    return ListDocument(title=title, sections=sections, entries=entries, problems=problems)


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


# --------------------------------------------------------------------------------------------
# Rendering


def _display_name(entry: Entry) -> str:
    return entry.phrasing.get("display_name", entry.name)


def settle_author_style(entry: Entry) -> None:
    """Store the author style the entry's line will be read back with.

    An entry written from structured fields (approved, edited) carries a style chosen for a
    different number of authors: "A, B and C" joins two authors as "A and B", which reads back as
    ``and``. Without this a re-import of the exported list would see every such entry as changed.
    """
    kind = EntryKind(entry.kind)
    if kind is EntryKind.RESOURCE or entry.phrasing.get("form") in ("text", "free") or not entry.authors:
        return
    default = AuthorStyle.COMMA if kind is EntryKind.SURVEY else AuthorStyle.COMMA_AND
    style = AuthorStyle(entry.phrasing.get("authors", default))
    entry.phrasing["authors"] = str(split_authors(join_authors(entry.authors, style))[1])


def _keep_trailing(entry: Entry, trails: Sequence[str]) -> None:
    """Whitespace at the ends of an entry's lines, so the export gives the file back byte for byte."""
    kept = {str(i): t for i, t in enumerate(trails) if t}
    if kept:
        entry.phrasing["trailing"] = json.dumps(kept, separators=(",", ":"))


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


def _render_entry(entry: Entry) -> list[str]:
    kind = EntryKind(entry.kind)
    if kind is EntryKind.RESOURCE or entry.phrasing.get("form") == "text":
        return _render_resource(entry)
    date = _date_prefix(entry)
    if kind is EntryKind.SURVEY:
        line = f"{date}{' ' if date else ''}[{entry.paper_title or _display_name(entry)}]({entry.paper_url or ''})"
        if entry.authors:
            line += " by " + join_authors(entry.authors, entry.phrasing.get("authors", AuthorStyle.COMMA))
            if entry.phrasing.get("period") == "1":
                line += "."
        if entry.description:
            line += " " + entry.description
        return [line]
    line = f"{date}{' ' if date else ''}[{_display_name(entry)}]({entry.docs_url or ''})"
    form = entry.phrasing.get("form")
    if form == "free":
        return [f"{line} {entry.description}" if entry.description else line]
    if entry.org:
        org = entry.phrasing.get("org_raw", entry.org)
        if org.strip() != entry.org:
            org = entry.org
        line += f" ({entry.phrasing.get('from', 'from')} {org})"
        if entry.phrasing.get("org_comma") == "1" and form != "org_only":
            line += ","
    if form == "org_only":
        return [line + entry.phrasing.get("end", "")]
    if form == "by_link" and entry.links:
        label = entry.authors[0] if entry.authors else entry.links[0].label
        return [f"{line} released by the [{label}]({entry.links[0].url}){entry.phrasing.get('end', '')}"]
    if form == "team_link" and entry.links:
        ln = entry.links[0]
        line += f" by {entry.phrasing.get('the', 'The')} [{ln.label}]({ln.url}) team: "
        line += join_authors(entry.authors, entry.phrasing.get("authors", AuthorStyle.COMMA_AND))
        if entry.phrasing.get("period", "1") == "1":
            line += "."
        if entry.description:
            line += " " + entry.description
        return [line]
    connector = CONNECTORS[entry.phrasing.get("connector", "paper")]
    line += f" {connector} [{entry.paper_title or ''}]({entry.paper_url or ''})"
    if entry.authors:
        line += ", by " if entry.phrasing.get("by_comma") == "1" else " by "
        if entry.phrasing.get("title_tail"):
            line += entry.phrasing["title_tail"] + " by "
        line += entry.phrasing.get("authors_lead", "")
        line += join_authors(entry.authors, entry.phrasing.get("authors", AuthorStyle.COMMA_AND))
        if entry.phrasing.get("more_papers"):
            line += ", " + entry.phrasing["more_papers"]
        if entry.phrasing.get("period", "1") == "1":
            line += "."
    if entry.description:
        line += " " + entry.description
    return [line]


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
