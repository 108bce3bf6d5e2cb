"""Bounded input (issue 23): ``import FILE`` and ``poll --feed FILE`` read regular files only, up to a
cap; a FIFO or a device is refused in one line and never hangs, a file over the cap is refused in one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.plugins.feeds import FEEDS

ROOT = Path(__file__).resolve().parents[2]
LISTING = (
    "# List\n\n## PTM\n\n1906: [NewNet](https://example.org/newnet) released with the paper "
    "[NewNet: a model](https://arxiv.org/abs/1906.00001) by Ada Lovelace.\n"
)
CL_FEED = FEEDS / "rss2-cs.CL-2026-04-27-trimmed.xml"


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ptm-bot: "), err
    return err[len("ptm-bot: ") : -1]


def late_writer(fifo: Path, data: bytes, after: float = 1.5) -> threading.Thread:
    """Write *data* into *fifo* once a reader has it open, or give up after a few seconds.

    Without the fix the command's open() blocks until this writer comes, and then reads the list:
    the test sees an import that went through instead of a refusal (and never hangs)."""

    def write() -> None:
        time.sleep(after)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody has it open for reading (the fixed command never does)
                time.sleep(0.05)
                continue
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            return

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_import_of_a_fifo_is_refused_at_once(db_path, tmp_path, capsys):
    fifo = tmp_path / "list.fifo"
    os.mkfifo(fifo)
    writer = late_writer(fifo, LISTING.encode())
    started = time.monotonic()
    assert main(["import", str(fifo), "--db", str(db_path)]) == 2
    assert time.monotonic() - started < 1.5
    assert one_line(capsys) == f"cannot read {fifo}: it is a FIFO, not a regular file"
    writer.join()


def test_import_of_a_device_is_refused(db_path, capsys):
    assert main(["import", "/dev/null", "--db", str(db_path)]) == 2
    assert one_line(capsys) == "cannot read /dev/null: it is a device or socket, not a regular file"


def test_import_of_dev_zero_is_one_line_not_a_memory_blowup(db_path):
    # In a child process with its memory capped (2 GiB), so that a regression fails instead of
    # eating the machine: before, the command read /dev/zero until it ran out of memory.
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
        "from bot.cli.main import main\n"
        f"sys.exit(main(['import', '/dev/zero', '--db', {str(db_path)!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr == "ptm-bot: cannot read /dev/zero: it is a device or socket, not a regular file\n"


def test_import_over_the_cap_is_refused_and_names_the_setting(db_path, tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.md"
    big.write_text(LISTING + "\n" + "x" * 3000 + "\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text("[catalog]\nimport_max_bytes = 2048\n", encoding="utf-8")
    args = ["import", str(big), "--db", str(db_path), "--config", str(config)]
    assert main(args) == 2
    assert one_line(capsys) == (
        f"cannot read {big}: larger than 2048 bytes (the limit catalog.import_max_bytes); "
        "stopped there, nothing was used"
    )
    # The environment sets the same key; a file within the cap goes through.
    monkeypatch.setenv("PTM_BOT_CATALOG_IMPORT_MAX_BYTES", str(1 << 20))
    assert main(args) == 0
    assert "1 added" in capsys.readouterr().out


def test_poll_of_a_fifo_feed_is_refused_at_once(db_path, tmp_path, capsys):
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    writer = late_writer(fifo, CL_FEED.read_bytes())
    started = time.monotonic()
    assert main(["poll", "--db", str(db_path), "--feed", str(fifo), "--dry-run"]) == 1
    assert time.monotonic() - started < 1.5
    err = capsys.readouterr().err
    assert err == f"ptm-bot: {fifo}: cannot read: it is a FIFO, not a regular file\n"
    writer.join()


def test_poll_of_a_device_feed_is_refused(db_path, capsys):
    # /dev/null, not /dev/zero: a regression must fail the test, not fill the machine's memory.
    assert main(["poll", "--db", str(db_path), "--feed", "/dev/null", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err == "ptm-bot: /dev/null: cannot read: it is a device or socket, not a regular file\n"


def test_poll_of_a_feed_file_over_the_cap_is_refused(db_path, tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[feeds]\nmax_bytes = 1024\n", encoding="utf-8")
    args = ["poll", "--db", str(db_path), "--feed", str(CL_FEED), "--dry-run", "--config", str(config)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err == (
        f"ptm-bot: {CL_FEED}: cannot read: larger than 1024 bytes (the limit feeds.max_bytes); "
        "stopped there, nothing was used\n"
    )
    assert main(args[:-2]) == 0  # the real feed (6 KB) is well within the default
