"""``ptm-bot links check [--json]`` and ``ptm-bot ask '/ptm-admin links'`` on a temp copy of the
shipped catalog whose links all point at a local server (run in a thread: ``main`` runs its own
event loop); the config's ``[links]`` keys set through the environment, as a deployment would."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from bot.cli.main import main
from tests.links.helpers import point_links_at, script, server_in_thread, special_entries

PATHS = ("missing", "moved", "found", "head-refused", "busy", "reset", "secret")


@pytest.fixture(autouse=True)
def _links_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTM_BOT_LINKS_PER_HOST_INTERVAL_SECONDS", "0")
    monkeypatch.setenv("PTM_BOT_LINKS_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("PTM_BOT_LINKS_MAX_RETRY_AFTER_SECONDS", "1")  # 429 asking for 7 s: left for later
    monkeypatch.setenv("PTM_BOT_LINKS_CONTACT", "mailto:links@example.org")


def test_links_check_json_then_the_admin_listing(capsys, db_path) -> None:
    with server_in_thread(script) as server:
        base = f"http://127.0.0.1:{server.port}"
        entries = special_entries(db_path, len(PATHS))
        special = {entry_id: f"{base}/{path}" for path, (entry_id, _) in zip(PATHS, entries, strict=True)}
        special[entries[-1][0]] = f"http://reader:s3cretpass@127.0.0.1:{server.port}/ok"
        point_links_at(db_path, lambda url: f"{base}/ok?{urlsplit(url).hostname}", special)
        assert main(["links", "check", "--json", "--db", str(db_path)]) == 0
        requests = list(server.requests)

    out = json.loads(capsys.readouterr().out)
    by_url = {link["url"]: link for link in out["links"]}
    assert (
        by_url[f"{base}/missing"]["outcome"] == "missing" and by_url[f"{base}/missing"]["status"] == "failing"
    )
    assert (
        by_url[f"{base}/missing"]["consecutive_failures"] == 1
        and by_url[f"{base}/missing"]["first_failed_at"]
    )
    moved = by_url[f"{base}/moved"]
    assert (moved["outcome"], moved["status"], moved["final_url"]) == ("moved", "moved", f"{base}/ok")
    assert moved["redirects"] == [{"status": 301, "location": f"{base}/ok"}]
    assert by_url[f"{base}/found"]["status"] == "redirected"
    assert (
        by_url[f"{base}/head-refused"]["outcome"] == "ok" and by_url[f"{base}/head-refused"]["attempts"] == 2
    )
    assert by_url[f"{base}/busy"]["outcome"] == "unverified" and by_url[f"{base}/busy"]["status"] is None
    assert by_url[f"{base}/reset"]["outcome"] == "error" and by_url[f"{base}/reset"]["status"] == "failing"
    assert by_url[f"{base}/missing"]["entries"] == [entries[0][1]]
    counts = out["counts"]
    assert counts["urls"] == len(out["links"]) == len(by_url) and counts["links"] >= counts["urls"]
    assert counts["outcomes"]["missing"] >= 1 and counts["statuses"]["moved"] == 1
    # Credentials in a catalog URL never reach the output; who asks is said in every request.
    assert "s3cretpass" not in json.dumps(out)
    assert {r.headers["User-Agent"].split(" ", 1)[1] for r in requests} == {"(+mailto:links@example.org)"}

    assert main(["ask", "/ptm-admin links", "--db", str(db_path)]) == 0
    listing = capsys.readouterr().out
    assert "Catalog links: 0 dead, 1 moved" in listing and f"{base}/moved" in listing
    assert "[buttons in Discord: Use the new URL (1." in listing


def test_links_check_summary_text(capsys, db_path) -> None:
    with server_in_thread(script) as server:
        base = f"http://127.0.0.1:{server.port}"
        ((entry_id, _),) = special_entries(db_path, 1)
        point_links_at(db_path, lambda url: f"{base}/ok", {entry_id: f"{base}/gone"})
        assert main(["links", "check", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"failing    {base}/gone  HTTP 410"
    assert out[-1].startswith("2 URLs (") and "outcomes: 1 ok, 1 missing; now: 1 failing, 1 ok" in out[-1]
