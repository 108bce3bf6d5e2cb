"""Packaging: ``ptm-bot --version``, the license, the package data the bot reads at run time."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def test_version_flag_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"ptm-bot {version('ptm-bot')}"


def test_project_metadata_license_and_extras() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["build-system"]["requires"] == ["setuptools>=77"]  # needed for license = "MIT"
    assert project["project"]["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")
    extras = project["project"]["optional-dependencies"]
    assert any(d.startswith("ruff") for d in extras["dev"])
    assert not any(d.startswith("ruff") for d in extras["test"])
    data = project["tool"]["setuptools"]["package-data"]["bot"]
    assert {"relevance/data/*.gz", "data/*.md"} <= set(data)
