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


def test_readme_runs_the_fast_set_and_ci_runs_everything_and_the_rules() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    markers = project["tool"]["pytest"]["ini_options"]["markers"]
    assert any(marker.startswith("slow:") for marker in markers)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest -q -m 'not slow'" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_commands = [line.strip() for line in ci.splitlines() if not line.lstrip().startswith("#")]
    # README's command (the fast set), then the slow tests: everything.
    assert "python -m pytest -q -m 'not slow' -p no:cacheprovider" in ci_commands
    assert "python -m pytest -q -m slow -p no:cacheprovider" in ci_commands
    assert any(line.startswith("ruff check .") for line in ci_commands)
    assert any(line.startswith("ruff format --check .") for line in ci_commands)
    # pre-commit runs the ruff that the dev extra pins.
    pin = next(d for d in project["project"]["optional-dependencies"]["dev"] if d.startswith("ruff"))
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert pin.startswith("ruff==") and f"rev: v{pin.removeprefix('ruff==')}" in hooks
    assert "id: ruff-check" in hooks and "id: ruff-format" in hooks


def test_config_example_prints_the_documented_example(
    capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    """``ptm-bot config example`` from an installed package: the shipped copy is the documented file."""
    monkeypatch.chdir(ROOT / "docs")  # no config.toml here
    assert main(["config", "example"]) == 0
    out = capsys.readouterr().out
    assert out == (ROOT / "config.example.toml").read_text(encoding="utf-8")
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["bot"]
    assert "data/*.toml" in data


def test_sdist_carries_the_example_config_docs_and_tests(monkeypatch) -> None:
    """MANIFEST.in, read by setuptools' own template engine, takes what running the tests needs."""
    from setuptools._distutils.filelist import FileList

    monkeypatch.chdir(ROOT)  # the template's paths are relative to the project's root, as in a build
    files = FileList()
    files.findall(".")
    for line in (ROOT / "MANIFEST.in").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            files.process_template_line(line)
    shipped = {Path(f).as_posix() for f in files.files}
    wanted = {"config.example.toml", "docs/architecture.md", "docs/errors.md", "tests/conftest.py"}
    wanted |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("test_*.py")}
    wanted |= {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "tests" / "fixtures").rglob("*") if p.is_file()
    }
    wanted |= {"support/feedgen.py"}
    assert not wanted - shipped, sorted(wanted - shipped)[:10]
    assert not [
        f for f in shipped if f.endswith((".pyc", ".sqlite3")) or "/.venv/" in f or f.startswith(".venv/")
    ]
