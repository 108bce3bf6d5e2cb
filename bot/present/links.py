"""The link check's answers (pure): ``/ptm-admin links`` (dead and moved links, a page at a time,
with a "Use the new URL" button per permanent move), a fix applied, the weekly check's notice and
``ptm-bot links check`` (a summary, or JSON). Every URL shown goes through :func:`bot.redact.redact`
(a link with credentials in it is never printed whole); nothing here mentions anyone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.present.render import MessagePayload, make_payload
from bot.present.render.limits import fit_lines, truncate
from bot.present.render.markup import link, safe
from bot.redact import redact
from db.enums import LinkStatus

if TYPE_CHECKING:
    from bot.links.actions import CheckReport, LinkReport
    from bot.links.state import StoredCheck
    from bot.links.store import LinkProblem

__all__ = [
    "FIX_ID",
    "FIX_ID_PATTERN",
    "PER_PAGE",
    "check_report_json",
    "render_check_summary",
    "render_fix_applied",
    "render_link_notice",
    "render_link_report",
]

# The custom id of a "Use the new URL" button: the stored check and the entry it fixes.
FIX_ID = "ptm:links:use:{check_id}:{entry_id}"
FIX_ID_PATTERN = r"ptm:links:use:(?P<check_id>[0-9]{1,19}):(?P<entry_id>[0-9]{1,19})"
PER_PAGE = 8  # problems per page: at most 8 buttons, well within Discord's 25 components
_FIELD = {"docs_url": "docs", "paper_url": "paper", "link": "link"}
_COLOUR = 0xE67E22
_ORDER = ("dead", "failing", "moved", "redirected", "ok")


def _day(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d") if when else "?"


def _counts_line(counts: Mapping[str, int]) -> str:
    known = [s for s in _ORDER if counts.get(s)] + sorted(set(counts) - set(_ORDER))
    return ", ".join(f"{counts[s]} {s}" for s in known) or "none checked yet"


def _what(check: StoredCheck, limit: int) -> str:
    if check.status is LinkStatus.DEAD:
        cause = safe(truncate(redact(check.error or "failed"), max(limit // 2, 12)))
        return (
            f"dead since {_day(check.first_failed_at)} ({cause}; {check.consecutive_failures} failed "
            f"checks, last {_day(check.last_checked_at)})"
        )
    new = redact(check.final_url or "")
    shown = link(truncate(new, max(limit, 12)), new) if limit else safe(truncate(new, 60))
    return f"moved permanently (HTTP {check.http_status}) to {shown}, seen {_day(check.last_checked_at)}"


def _problem_line(number: int, problem: LinkProblem, limit: int) -> str:
    check = problem.check
    url = redact(check.url)
    field = _FIELD.get(problem.field, problem.field)
    where = link(truncate(url, max(limit, 12)), url) if limit else safe(truncate(url, 60))
    name = safe(truncate(problem.name, max(limit // 2, 20)))
    return f"{number}. **{name}** · {field}: {where}\n  {_what(check, limit)}"


def render_link_report(report: LinkReport, *, page: int = 0, per_page: int = PER_PAGE) -> MessagePayload:
    """``/ptm-admin links``: the dead and moved links (dead first), a page at a time; one "Use the
    new URL" button per permanent move on the page. Nothing changes until a moderator clicks."""
    problems = report.problems
    counts = _counts_line(report.counts)
    if not problems:
        text = "No dead or moved links." if report.counts else "No link check has run yet."
        text += f" Checked links: {counts}. (`ptm-bot links check` checks them now.)"
        return make_payload(text, ephemeral=True)
    page_count = (len(problems) + per_page - 1) // per_page
    page = min(max(page, 0), page_count - 1)
    start = page * per_page
    shown = problems[start : start + per_page]
    lines = fit_lines(
        list(enumerate(shown, start + 1)),
        lambda item, limit: _problem_line(item[0], item[1], limit),
        room=3900,
    )
    dead = sum(1 for p in problems if p.check.status is LinkStatus.DEAD)
    embed = discord.Embed(
        title=f"Catalog links: {dead} dead, {len(problems) - dead} moved",
        description="\n".join(lines),
        colour=_COLOUR,
    )
    more = (
        f"Page {page + 1} of {page_count}: /ptm-admin links page:{page + 2}. "
        if page + 1 < page_count
        else ""
    )
    embed.set_footer(text=f"{more}Checked links: {counts}. Nothing changes until a moderator clicks.")
    payload = make_payload(embeds=[embed], ephemeral=True, page=page, page_count=page_count)
    payload.actions = [
        (
            truncate(f"Use the new URL ({number}. {p.name})", 80),
            FIX_ID.format(check_id=p.check_id, entry_id=p.entry_id),
        )
        for number, p in enumerate(shown, start + 1)
        if p.check.status is LinkStatus.MOVED
    ]
    return payload


def render_fix_applied(name: str, check: StoredCheck) -> MessagePayload:
    old, new = redact(check.url), redact(check.final_url or "")
    text = (
        f"**{safe(name)}** now links to <{new}> instead of <{old}> (a catalog revision: `ptm-bot history`)."
    )
    return make_payload(text, ephemeral=True)


def render_link_notice(report: CheckReport, problems: int) -> str:
    """One line for the review channel after the scheduled check (no mention)."""
    counts = report.status_counts()
    return (
        f"Link check: {len(report.results)} links checked ({_counts_line(counts)}); "
        f"{problems} dead or moved link(s) to look at: `/ptm-admin links`."
    )


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    return value


def check_report_json(report: CheckReport) -> dict[str, Any]:
    """``ptm-bot links check --json``: each URL's result and state, and the counts; URLs redacted."""
    out: dict[str, Any] = _redact_value(report.as_dict())
    return out


_SAFE_TERMINAL = re.compile(r"[\x00-\x1f\x7f]")


def render_check_summary(report: CheckReport) -> str:
    """``ptm-bot links check``: the links that are not plainly fine, then the counts."""
    lines = []
    for result in report.results:
        state = report.states.get(result.url)
        status = str(state.status) if state else str(result.outcome)
        if status == "ok":
            continue
        detail = result.final_url or result.error or ""
        line = f"{status:<10} {redact(result.url)}  {redact(detail)}".rstrip()
        lines.append(_SAFE_TERMINAL.sub("?", line))
    counts = report.as_dict()["counts"]
    assert isinstance(counts, dict)
    lines.append(
        f"{counts['urls']} URLs ({counts['links']} links) in {counts['seconds']:.1f}s, {counts['requests']} "
        f"requests; outcomes: {_counts_line(counts['outcomes'])}; now: {_counts_line(counts['statuses'])}"
    )
    return "\n".join(lines)
