"""The decode stage: bytes to text, and whether the text is a list of this kind at all."""

from __future__ import annotations

from bot.catalog.listformat import ListDocument, ParseProblem
from bot.catalog.model import Entry
from bot.textsafe import has_controls, strip_controls

__all__ = ["ImportRefused", "decode_list_bytes", "fully_read", "refusal", "without_controls"]


class ImportRefused(Exception):
    """The file is not a list of this kind: refused with one line, nothing read into the catalog."""


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


def without_controls(text: str) -> tuple[str, list[ParseProblem]]:
    """*text* without terminal control bytes (escape sequences, BEL, backspace, ...: never stored,
    never echoed), each line that had some reported; the tab and the line breaks stay, and so do
    the line numbers. Text without any comes back as it is (byte for byte)."""
    if not has_controls(text.replace("\r", "").replace("\n", "")):
        return text, []
    lines = text.splitlines()
    problems: list[ParseProblem] = []
    for n, line in enumerate(lines, start=1):
        if has_controls(line):
            lines[n - 1] = clean = strip_controls(line)
            problems.append(
                ParseProblem(n, clean, "control characters (terminal escape sequences) removed", benign=True)
            )
    ending = "\n" if text.endswith(("\n", "\r")) else ""
    return "\n".join(lines) + ending, problems


def fully_read(entry: Entry, damaged: set[int]) -> bool:
    """Every part of the entry's line was understood (only such lines change stored fields)."""
    if entry.phrasing.get("form") in ("free", "text"):
        return False
    return entry.source_line not in damaged


def refusal(doc: ListDocument, text: str) -> str | None:
    """Why this document is not a list of this kind (None when it is one)."""
    if not doc.sections:
        return "no section heading ('## Survey', '## PTM', ...): not a list of this kind"
    if not doc.entries:
        return "no line in the list's format ('YYMM: [Name](url) ...') under its headings: not a list of this kind"
    damaged = {p.line for p in doc.problems if not p.benign}
    if not any(fully_read(e, damaged) for e in doc.entries):
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
