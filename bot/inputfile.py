"""Reading a file the user named (``ptm-bot import FILE``, ``ptm-bot poll --feed FILE``) within bounds.

Only a regular file is read (a symlink is followed): a FIFO would block for ever and a device such as
``/dev/zero`` never ends, so both are refused with one line before a byte is read. The file is opened
non-blocking (opening a FIFO with no writer would itself wait for one), checked with ``fstat`` on
that same descriptor (no race with a rename), and read up to a cap: a file larger than the cap, or
one that grows past it while being read, is refused with one line, and nothing of it is used.
"""

from __future__ import annotations

import os
import stat

from bot.errors import UserFacingError

__all__ = ["InputRefused", "read_input"]

_CHUNK = 1 << 20


class InputRefused(UserFacingError):
    """The input file cannot be read as one: not a regular file, too large, or unreadable."""


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 and n % 2**16 == 0 else f"{n} bytes"


def read_input(path: str, max_bytes: int, *, setting: str) -> bytes:
    """The bytes of the regular file *path*, at most *max_bytes* of them, or :class:`InputRefused`.

    *setting* names the configuration key of the cap, for the message (``catalog.import_max_bytes``).
    Blocking: call it from a worker thread in the event loop."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputRefused(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputRefused(f"cannot read {path}: it is a directory")
        if not stat.S_ISREG(st.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
            raise InputRefused(f"cannot read {path}: it is {kind}, not a regular file")
        too_big = (
            f"cannot read {path}: larger than {_size(max_bytes)} (the limit {setting}); "
            "stopped there, nothing was used"
        )
        if st.st_size > max_bytes:
            raise InputRefused(too_big)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:  # a file growing while read stops one byte past the cap
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise InputRefused(too_big)
        return b"".join(chunks)
    except OSError as exc:
        raise InputRefused(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
