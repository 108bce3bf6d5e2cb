"""git as a subprocess for :mod:`bot.ops.publish`: prompts off, its most telling line on failure."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

__all__ = ["GIT_TIMEOUT_SECONDS", "GitFailed", "git"]

GIT_TIMEOUT_SECONDS = 300


def git(args: Sequence[str], cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "echo", "LC_ALL": "C"}
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GIT_TIMEOUT_SECONDS,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise GitFailed(args, result.stderr)
    return result.stdout


class GitFailed(Exception):
    def __init__(self, args: Sequence[str], stderr: str) -> None:
        self.command = args[0]
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        # git's most telling lines: a rejection ("! [rejected] ... (non-fast-forward)") with what the
        # remote said about it, else the error, else the last thing it said.
        rejected = [line.removeprefix("! ").strip() for line in lines if line.startswith("! [")]
        remote = [line.removeprefix("remote:").strip() for line in lines if line.startswith("remote:")]
        remote = [line for line in remote if line]
        errors = [
            line.removeprefix("fatal: ").removeprefix("error: ")
            for line in lines
            if line.startswith(("error:", "fatal:"))
        ]
        if rejected:
            reason = rejected[0] + (f" (remote: {remote[0]})" if remote else "")
        else:
            reason = (errors or lines or ["no output"])[0]
        self.reason = reason
        super().__init__(self.reason)
