"""The grammar of one list line: a survey line and a model line with all their variants.

Each parser fills an :class:`Entry` and the *phrasing* that :mod:`.render` needs to write the line
back byte for byte; what cannot be fully read becomes a :class:`ParseProblem`.
"""

from __future__ import annotations

import re

from bot.catalog.arxiv_ids import arxiv_id_from_url
from bot.catalog.listformat.authors import split_authors, split_trailing_note
from bot.catalog.listformat.document import CONNECTORS, ParseProblem
from bot.catalog.model import DateStyle, Entry, EntryKind, Link

__all__ = ["MD_LINK_RE", "URL_RE", "full_paper_title", "parse_date", "parse_model", "parse_survey"]

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
URL_RE = re.compile(r"https?://\S+")
MD_LINK_RE = re.compile(r"\[([^\]]+)\]\((" + _URL_IN_LINK + r")\)")
# Lines of the transformers README that name no paper: "(from HuggingFace).", "released by the
# [BigScience Workshop](url).", "by The [Mistral AI](url) team: A, B and C."
_ORG_ONLY_RE = re.compile(r"^ \((?P<from>[Ff]rom) (?P<org>[^()]*(?:\([^()]*\)[^()]*)*)\)(?P<end>\.?)$")
_BY_LINK_RE = re.compile(
    r"^released by the \[(?P<label>[^\]]+)\]\((?P<url>" + _URL_IN_LINK + r")\)(?P<end>\.?)$"
)
_TEAM_LINK_RE = re.compile(
    r"^by (?P<the>[Tt]he) \[(?P<label>[^\]]+)\]\((?P<url>" + _URL_IN_LINK + r")\) team: (?P<authors>.+)$"
)


def parse_date(raw: str | None, paper_url: str | None) -> tuple[int | None, int | None, DateStyle]:
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


def full_paper_title(entry: Entry) -> str | None:
    """The paper's title, including words the list put after the link (HuBERT)."""
    if entry.paper_title is None:
        return None
    tail = entry.phrasing.get("title_tail")
    return f"{entry.paper_title} by {tail}" if tail else entry.paper_title


# --------------------------------------------------------------------------------------------
# Surveys


def parse_survey(line: str, lineno: int, section: str, problems: list[ParseProblem]) -> Entry | None:
    m = _SURVEY_RE.match(line)
    if m is None:
        return None
    title, url, rest = m.group("title").strip(), m.group("url"), m.group("rest")
    year, month, style = parse_date(m.group("date"), url)
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
        authors_text, note, period = split_trailing_note(rest[4:])
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


# --------------------------------------------------------------------------------------------
# Models


def parse_model(line: str, lineno: int, section: str, problems: list[ParseProblem]) -> Entry | None:
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
    if cm is None:
        if _parse_model_without_paper(entry, after, om):
            entry.year, entry.month, entry.date_style = parse_date(raw_date, None)
        else:
            _read_free_sentence(entry, line, lineno, after, om, raw_date, problems)
        if not docs:
            problems.append(ParseProblem(lineno, line, "model link has no URL"))
        return entry
    _read_org_and_paper(entry, om, cm, raw_date)
    if not _read_model_authors(entry, cm.group("rest"), line, lineno, problems):
        return entry
    if not docs:
        problems.append(ParseProblem(lineno, line, "model link has no URL"))
    if not entry.paper_url:
        problems.append(ParseProblem(lineno, line, "paper link has no URL"))
    if raw_date and entry.month is None:
        problems.append(
            ParseProblem(lineno, line, f"date {raw_date!r} is a bare year; month unknown", benign=True)
        )
    return entry


def _read_free_sentence(
    entry: Entry,
    line: str,
    lineno: int,
    after: str,
    om: re.Match[str] | None,
    raw_date: str | None,
    problems: list[ParseProblem],
) -> None:
    """A free sentence (MarianMT) or a damaged line: keep the text as the description."""
    entry.year, entry.month, entry.date_style = parse_date(raw_date, None)
    entry.description = after.strip() or None
    entry.phrasing["form"] = "free"
    entry.links = [Link(url, label) for label, url in MD_LINK_RE.findall(after)]
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


def _read_org_and_paper(
    entry: Entry, om: re.Match[str] | None, cm: re.Match[str], raw_date: str | None
) -> None:
    if om is not None:
        _read_org(entry, om)
    entry.phrasing["connector"] = next(k for k, v in CONNECTORS.items() if v == cm.group("conn"))
    entry.paper_title = cm.group("title").strip()
    entry.paper_url = cm.group("url") or None
    entry.arxiv_id = arxiv_id_from_url(entry.paper_url)
    entry.year, entry.month, entry.date_style = parse_date(raw_date, entry.paper_url)


def _read_org(entry: Entry, om: re.Match[str]) -> None:
    """The organisation as written: "(from Org)" or "(From Org),"."""
    _set_org(entry, om.group("org"))
    if om.group("from") != "from":
        entry.phrasing["from"] = om.group("from")
    if om.group("comma"):
        entry.phrasing["org_comma"] = "1"


def _read_model_authors(
    entry: Entry, rest: str, line: str, lineno: int, problems: list[ParseProblem]
) -> bool:
    """What follows the paper link: " by Authors." and a note. False when the line ends early
    (no authors, or several papers) and is not checked further."""
    by_sep = ", by " if rest.startswith(", by ") else " by "
    if by_sep == ", by ":
        entry.phrasing["by_comma"] = "1"
    if not rest.startswith(by_sep):
        problems.append(ParseProblem(lineno, line, "no ' by Authors' after the paper link"))
        if rest.strip():
            entry.description = rest.strip()
        return False
    authors_text = rest[len(by_sep) :]
    lead = authors_text[: len(authors_text) - len(authors_text.lstrip(" "))]
    if lead:
        entry.phrasing["authors_lead"] = lead  # "by  Jonathan Tow": the spacing stays as written
        authors_text = authors_text[len(lead) :]
    if entry.phrasing["connector"] == "papers" and _read_more_papers(entry, authors_text):
        return False
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
    authors_text, note, period = split_trailing_note(authors_text)
    entry.authors, astyle = split_authors(authors_text)
    entry.phrasing["authors"] = str(astyle)
    if not period:
        entry.phrasing["period"] = "0"
    if note:
        entry.description = note
    return True


def _read_more_papers(entry: Entry, authors_text: str) -> bool:
    """Several papers ("released with the papers - [A](u) by X, Y, [B](v) by Z."): fields of the
    first paper; the others are kept as written (and as links). False when no second paper follows."""
    cut = authors_text.find(", [")
    if cut <= 0:
        return False
    more = authors_text[cut + 2 :]
    entry.phrasing["more_papers"] = more
    entry.links = [Link(url, label) for label, url in MD_LINK_RE.findall(more)]
    entry.authors, astyle = split_authors(authors_text[:cut])
    entry.phrasing["authors"] = str(astyle)
    entry.phrasing["period"] = "0"
    return True


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
    _read_org(entry, om)
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
    authors_text, note, period = split_trailing_note(team.group("authors"))
    entry.authors, astyle = split_authors(authors_text)
    entry.phrasing["authors"] = str(astyle)
    entry.phrasing["period"] = "1" if period else "0"
    if note:
        entry.description = note
    return True


def _is_free_sentence(after: str) -> bool:
    """A deliberate free sentence (MarianMT's) rather than a line cut short inside "(from Org)"."""
    return not after.lstrip().lower().startswith("(from")
