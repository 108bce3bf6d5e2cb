"""Hugging Face Hub enrichment (issue 20, part 2) against a stand-in Hub on 127.0.0.1 answering in the
documented shape (tests/fixtures/hub/SOURCES.md): the answer read, ``ptm-bot enrich`` storing it
(conditional GET on the next run, 404 = not on the Hub, 429 + Retry-After waited for), ``ptm-bot
ask '/ptm model HuBERT'`` showing the badge and the Weights / Code buttons."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.enrich.hub import HubError, parse_paper
from tests.plugins.http import Reply, ScriptedServer, conditional_feed

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hub" / "paper-2106.07447.json"
HUBERT = "2106.07447"
ETAG = '"hubert-v1"'


def test_the_documented_answer_is_read():
    paper = parse_paper(FIXTURE.read_bytes())
    assert (paper.models, paper.datasets, paper.spaces) == (187, 0, 1)
    # Most downloaded first, three at most.
    assert paper.top_models == (
        "facebook/hubert-base-ls960",
        "facebook/hubert-large-ls960-ft",
        "facebook/hubert-large-ll60k",
    )
    assert paper.github_repo == "https://github.com/facebookresearch/fairseq"
    assert paper.project_page is None and paper.weights


def test_counts_fall_back_to_the_lists_and_bad_answers_are_refused():
    paper = parse_paper(
        json.dumps({"linkedModels": [{"id": "a/b"}], "githubRepo": "javascript:alert(1)"}).encode()
    )
    assert paper.models == 1 and paper.top_models == ("a/b",) and paper.github_repo is None
    assert not parse_paper(b"{}").weights
    for body in (b"<html>rate limited</html>", b"[]", b"\xff\xfe"):
        with pytest.raises(HubError):
            parse_paper(body)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def config_for(tmp_path: Path, server: ScriptedServer) -> str:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[enrich]\nhub_url = "{server.base_url}"\nmin_interval_seconds = 0.0\nmax_attempts = 2\n',
        encoding="utf-8",
    )
    return str(path)


def test_enrich_stores_caches_and_shows_on_ptm_model(tmp_path, db_path, capsys):
    async def scenario() -> None:
        async with ScriptedServer() as server:
            server.script(
                f"/api/papers/{HUBERT}",
                conditional_feed(FIXTURE.read_bytes(), etag=ETAG, content_type="application/json"),
            )
            server.script("/api/papers/1810.04805", Reply(status=404, body=b'{"error":"Paper not found"}'))
            server.script(
                "/api/papers/1906.08237",
                Reply(status=429, headers={"Retry-After": "1"}),
                Reply(body=json.dumps({"linkedModels": [{"id": "xlnet/xlnet-base-cased"}]}).encode()),
            )
            config = config_for(tmp_path, server)
            db = str(db_path)
            argv = ("enrich", HUBERT, "1810.04805", "1906.08237", "--db", db, "--config", config, "--json")
            started = asyncio.get_running_loop().time()
            code, out, err = await asyncio.to_thread(run, capsys, *argv)
            assert code == 0, err
            report = json.loads(out)
            assert report["checked"] == 3 and report["found"] == 2 and report["absent"] == 1
            assert report["with_weights"] == 2 and sorted(report["new_weights"]) == ["1906.08237", HUBERT]
            # The 429 was waited out (Retry-After: 1), then asked again.
            xlnet = server.requests_to("/api/papers/1906.08237")
            assert len(xlnet) == 2 and xlnet[1].received_at - xlnet[0].received_at >= 0.9
            assert asyncio.get_running_loop().time() - started >= 0.9
            assert server.requests_to(f"/api/papers/{HUBERT}")[0].headers["User-Agent"].startswith("ptm-bot/")

            # The next run asks conditionally and the unchanged page costs a 304.
            code, out, err = await asyncio.to_thread(
                run, capsys, "enrich", HUBERT, "--db", db, "--config", config, "--json"
            )
            assert code == 0, err
            assert json.loads(out)["not_modified"] == 1
            assert server.requests_to(f"/api/papers/{HUBERT}")[-1].headers["If-None-Match"] == ETAG

            # /ptm model shows what the Hub links to the paper: a badge and link buttons.
            code, out, err = await asyncio.to_thread(run, capsys, "ask", "/ptm model HuBERT", "--db", db)
            assert code == 0, err
            assert "Weights released" in out and "187 models (top: facebook/hubert-base-ls960)" in out
            assert "1 Space" in out and "code on GitHub" in out
            assert f"Weights <{server.base_url}/facebook/hubert-base-ls960>" in out
            assert "Code <https://github.com/facebookresearch/fairseq>" in out
            code, out, err = await asyncio.to_thread(run, capsys, "ask", "/ptm model BERT", "--db", db)
            assert "Hugging Face Hub" not in out and "Weights <" not in out  # 404: nothing to show

    asyncio.run(scenario())


def test_a_failing_hub_is_one_line_and_exit_1(tmp_path, db_path, capsys):
    async def scenario() -> None:
        async with ScriptedServer() as server:
            server.script(f"/api/papers/{HUBERT}", Reply(status=200, body=b"<html>maintenance</html>"))
            code, out, err = await asyncio.to_thread(
                run, capsys, "enrich", HUBERT, "--db", str(db_path), "--config", config_for(tmp_path, server)
            )
            assert code == 1
            assert "1 paper asked about: 0 on the Hub" in out
            assert (
                f"ptm-bot: arXiv {HUBERT}: the Hub's answer for {HUBERT} could not be read: not JSON" in err
            )
            assert "Traceback" not in err

    asyncio.run(scenario())


def test_enrich_off_says_so(tmp_path, db_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[enrich]\nenabled = false\n", encoding="utf-8")
    code, _out, err = run(capsys, "enrich", "--db", str(db_path), "--config", str(config))
    assert code != 0 and "enrichment is off" in err


def test_a_hub_404_is_an_answer_not_a_warning(caplog):
    import aiohttp

    from bot.config import Config
    from bot.enrich.actions import make_hub_fetcher
    from bot.enrich.hub import Outcome, read_paper

    async def scenario() -> None:
        async with ScriptedServer() as server, aiohttp.ClientSession() as http:
            server.script(f"/api/papers/{HUBERT}", Reply(status=404, body=b'{"error":"Paper not found"}'))
            answer = await read_paper(make_hub_fetcher(http, Config()), server.base_url, HUBERT)
            assert answer.outcome is Outcome.ABSENT

    with caplog.at_level("DEBUG", logger="bot.watch.fetch"):
        asyncio.run(scenario())
    records = [r for r in caplog.records if r.name == "bot.watch.fetch" and "HTTP 404" in r.getMessage()]
    assert records and all(r.levelname == "DEBUG" for r in records)
