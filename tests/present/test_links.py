"""``/ptm-admin links``'s renderer, pure: within Discord's limits whatever the URLs, a button per
move on the page only, credentials redacted, no mention possible."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.links.actions import LinkReport
from bot.links.state import StoredCheck
from bot.links.store import LinkProblem
from bot.present.links import PER_PAGE, render_link_report
from db.enums import LinkStatus

WHEN = datetime(2026, 12, 1, tzinfo=UTC)


def problem(i: int, status: LinkStatus) -> LinkProblem:
    url = f"https://user:hunter2secret@example.org/{'x' * 1500}/{i}"
    dead = status is LinkStatus.DEAD
    check = StoredCheck(
        url=url,
        status=status,
        http_status=404 if dead else 301,
        final_url=None if dead else f"https://new.example.org/{'y' * 1500}/{i}",
        error="HTTP 404" if dead else None,
        first_failed_at=WHEN if dead else None,
        last_checked_at=WHEN,
        consecutive_failures=2 if dead else 0,
    )
    return LinkProblem(i, check, 100 + i, f"@everyone Model_{i} **bold**", "model", "docs_url")


def test_a_page_fits_discord_and_offers_a_button_per_move() -> None:
    problems = [problem(i, LinkStatus.DEAD) for i in range(5)] + [
        problem(i, LinkStatus.MOVED) for i in range(5, 25)
    ]
    report = LinkReport(problems, {"dead": 5, "moved": 20, "ok": 200})
    first = render_link_report(report, page=0)
    embed = first.embeds[0]
    assert len(embed.description) <= 4096 and len(embed) <= 6000
    assert embed.title == "Catalog links: 5 dead, 20 moved" and first.page_count == 4
    assert len(first.actions) == PER_PAGE - 5  # the page's 3 moves; dead links have no button
    assert all(cid.startswith("ptm:links:use:") and len(cid) <= 100 for _, cid in first.actions)
    assert all(len(label) <= 80 for label, _ in first.actions)
    assert "hunter2secret" not in str(first.to_dict())
    assert "@everyone" not in embed.description  # escaped: no mention possible
    last = render_link_report(report, page=99)  # past the end: the last page
    assert last.page == 3 and len(last.actions) == 1 and "page:" not in (last.embeds[0].footer.text or "")
