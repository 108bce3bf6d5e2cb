"""Deployment files, checked without a container engine: the systemd unit (``systemd-analyze verify``
where it exists, else parsed), the Dockerfile against the README's install step, compose.yaml's
health check and environment against the real configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "ptm-bot.service"
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"


def unit_sections(text: str) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
            continue
        assert current is not None and "=" in line, line
        key, _, value = line.partition("=")
        sections[current].append((key.strip(), value.strip()))
    return sections


def test_unit_runs_the_bot_as_an_unprivileged_service() -> None:
    sections = unit_sections(UNIT.read_text(encoding="utf-8"))
    assert set(sections) == {"Unit", "Service", "Install"}
    service = dict(sections["Service"])
    assert service["ExecStart"] == "/opt/ptm-bot/bin/ptm-bot run"
    assert service["DynamicUser"] == "yes" and service["StateDirectory"] == "ptm-bot"
    assert service["RestartPreventExitStatus"] == "2"  # a bad token or config: restarting cannot help
    env = dict(value.split("=", 1) for key, value in sections["Service"] if key == "Environment")
    assert env["PTM_BOT_DATABASE_URL"].endswith("/var/lib/ptm-bot/ptm-bot.sqlite3")
    assert dict(sections["Install"])["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify checks that ExecStart exists: point it at this environment's ptm-bot.
    executable = Path(sys.executable).with_name("ptm-bot")
    if not executable.exists():
        pytest.skip("ptm-bot is not installed in this environment")
    unit = tmp_path / "ptm-bot.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/opt/ptm-bot/bin/ptm-bot", str(executable)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    # Unknown or misspelt directives are only warnings: any line about our unit is a failure.
    assert str(unit) not in result.stderr, result.stderr


def test_dockerfile_installs_as_the_readme_says() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = re.search(r"python3 -m venv (\S+) && \1/bin/pip install \.(?: |$)", readme, re.M)
    assert quick, "the README's quick start install step changed: update the Dockerfile too"
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    install = re.search(
        r"^RUN python3 -m venv (\S+) && \1/bin/pip install --no-cache-dir '\.\[postgres\]'", dockerfile, re.M
    )
    assert install, "the Dockerfile's install step differs from the README's"
    assert f"ENV PATH={install.group(1)}/bin:$PATH" in dockerfile
    # Every path the install reads is copied into the image.
    for needed in ("pyproject.toml", "README.md", "LICENSE", "bot", "cogs", "db"):
        assert re.search(rf"^COPY .*\b{re.escape(needed)}\b", dockerfile, re.M), needed


def test_dockerfile_runs_unprivileged_with_the_catalog_on_a_volume() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in dockerfile
    assert "PTM_BOT_DATABASE_URL=sqlite+aiosqlite:////data/ptm-bot.sqlite3" in dockerfile
    assert "HEALTHCHECK" in dockerfile and 'CMD ["ptm-bot", "health"]' in dockerfile
    assert 'ENTRYPOINT ["ptm-bot"]' in dockerfile and 'CMD ["run"]' in dockerfile


def test_compose_checks_health_with_the_health_command_and_sets_real_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./config.toml from the developer's machine
    monkeypatch.delenv("PTM_BOT_CONFIG", raising=False)
    text = COMPOSE.read_text(encoding="utf-8")
    assert 'test: ["CMD", "ptm-bot", "health"]' in text
    assert "condition: service_healthy" in text
    variables = dict(re.findall(r"^\s+(PTM_BOT_[A-Z_]+): (.*)$", text, re.M))
    assert "PTM_BOT_DATABASE_URL" in variables
    # Every PTM_BOT_ variable compose sets is a real setting with a valid value.
    sample = {
        name: value.replace("${POSTGRES_PASSWORD}", "pw").strip('"')
        for name, value in variables.items()
        if "${" not in value.replace("${POSTGRES_PASSWORD}", "")
    }
    config = load_config(env=sample)
    assert config.database.url == "postgresql+asyncpg://ptm:pw@db/ptm"
    assert config.metrics.address == ":9108" and config.logging.format == "json"
    # The ones taken from .env are real settings too (an unknown one would fail at start).
    names = {name: "" for name in variables}
    load_config(env=names)
