"""One line and the documented exit status for every row of docs/errors.md (issue 11)."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from bot.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ptm-bot: "), err
    assert "Traceback" not in err
    return err[len("ptm-bot: ") : -1]


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "list.md"
    path.write_text(
        "# List\n\n## PTM\n\n1906: [NewNet](https://example.org/newnet) released with the paper "
        "[NewNet: a model](https://arxiv.org/abs/1906.00001) by Ada Lovelace.\n",
        encoding="utf-8",
    )
    return path


# --- database URLs and paths ---------------------------------------------------------------------


def test_closed_postgresql_port_is_the_network(capsys):
    assert main(["stats", "--db", f"postgresql+asyncpg://u@127.0.0.1:{closed_port()}/ptm"]) == 3
    assert one_line(capsys).startswith("cannot connect")


def test_postgresql_url_without_a_driver(capsys):
    assert main(["stats", "--db", "postgresql://u@127.0.0.1/ptm"]) == 2
    assert "write postgresql+asyncpg://" in one_line(capsys)


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("mysql://u:secretpw@localhost/db", "mysql+aiomysql://"),
        ("oracle://u:secretpw@localhost/db", "oracle+oracledb://"),
        ("mssql://u:secretpw@localhost/db", "mssql+aioodbc://"),
        ("mysql+mysqldb://u:secretpw@localhost/db", "mysql+aiomysql://"),
    ],
)
def test_backend_url_without_an_asyncio_driver(url, fix, capsys):
    # Without a driver named, SQLAlchemy imports its default (blocking) one: MySQLdb, oracledb,
    # pyodbc; not installed, that was a traceback. Refused before any import, the password unsaid.
    assert main(["stats", "--db", url]) == 2
    line = one_line(capsys)
    assert f"write {fix}..." in line and "secretpw" not in line
    assert main(["health", "--db", url]) == 1
    out = capsys.readouterr().out
    assert f"PROBLEM  database: database {'URL' if '+' not in url else 'driver'}" in out
    assert f"write {fix}..." in out and "secretpw" not in out and "cannot check" not in out


def _dialect_without_its_driver() -> type:
    """A third-party dialect (registered below) whose driver module is not installed."""
    from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

    class Dialect(SQLiteDialect_aiosqlite):
        @classmethod
        def import_dbapi(cls):  # type: ignore[no-untyped-def]
            raise ModuleNotFoundError("No module named 'nosuchdriver'", name="nosuchdriver")

    return Dialect


def test_third_party_dialect_without_its_driver(monkeypatch, capsys):
    from sqlalchemy.dialects import registry

    monkeypatch.setattr(
        registry, "impls", {**registry.impls, "plugindb.nodriver": _dialect_without_its_driver}
    )
    assert main(["stats", "--db", "plugindb+nodriver://u:secretpw@localhost/db"]) == 2
    assert one_line(capsys) == (
        "the database driver for plugindb+nodriver:// is not installed (no module nosuchdriver)"
    )


def test_malformed_url(capsys):
    assert main(["stats", "--db", "postgresql+asyncpg://u@host:notaport/ptm"]) == 2
    assert one_line(capsys).startswith("malformed database URL")


def test_unknown_backend(capsys):
    assert main(["stats", "--db", "nosuchdb://x"]) == 2
    assert one_line(capsys).startswith("invalid database URL")


def test_empty_db_option(capsys):
    assert main(["stats", "--db", ""]) == 2
    assert one_line(capsys) == "--db is empty: give a database file or URL"


def test_db_is_a_directory(tmp_path, capsys):
    assert main(["stats", "--db", str(tmp_path)]) == 2
    assert one_line(capsys) == f"{tmp_path} is a directory, not a database file"


def test_db_is_not_a_database(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n" * 100)
    assert main(["init", "--db", str(path)]) == 2
    assert one_line(capsys) == f"{path} is not a SQLite database; left unchanged"
    assert path.read_text() == "hello\n" * 100


def test_db_belongs_to_another_application(tmp_path, capsys):
    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    assert main(["stats", "--db", str(path)]) == 2
    assert "is not a ptm-bot catalog (it holds other tables: notes)" in one_line(capsys)


def test_db_missing(tmp_path, capsys):
    path = tmp_path / "typo.sqlit3"
    assert main(["export", "--db", str(path)]) == 2
    assert one_line(capsys) == f"no catalog at {path} (run ptm-bot init)"
    assert not path.exists()


def test_db_in_a_missing_directory(tmp_path, capsys):
    path = tmp_path / "nope" / "c.sqlite3"
    assert main(["init", "--db", str(path)]) == 2
    assert "directory" in one_line(capsys) and not (tmp_path / "nope").exists()


def test_db_read_only(db_path, listing, capsys):
    ro = f"sqlite+aiosqlite:///file:{db_path}?mode=ro&uri=true"
    assert main(["stats", "--db", ro]) == 0  # reading works
    capsys.readouterr()
    assert main(["import", str(listing), "--db", ro]) == 2
    assert one_line(capsys).startswith("the database is read-only")


def test_db_read_only_file(db_path, listing, capsys):
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files anyway; the URI test above covers the message")
    os.chmod(db_path, 0o444)
    assert main(["import", str(listing), "--db", str(db_path)]) == 2
    assert "read-only" in one_line(capsys)


def test_database_locked(db_path, listing, tmp_path, capsys):
    """The busy timeout is the whole wait (issue 23: ten tries of it each made a locked write give up
    after some fifty seconds with the documented five)."""
    config = tmp_path / "config.toml"
    config.write_text("[database]\nbusy_timeout_ms = 400\n", encoding="utf-8")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        for command in (["import", str(listing)], ["gate", "add", "never", "term", "quantum chemistry"]):
            started = time.monotonic()
            assert main([*command, "--db", str(db_path), "--config", str(config)]) == 1
            waited = time.monotonic() - started
            assert one_line(capsys).startswith("the database is locked by another process")
            assert 0.4 <= waited < 2.5, waited  # before: 10 x 0.4 s + 4 s of pauses between the tries
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_unique_race_between_two_imports(db_path, listing, monkeypatch, capsys):
    """The other import stored the same entry between our read and our write."""
    from sqlalchemy import text

    from bot.catalog import importer

    real = importer.apply_plan

    async def racing(session, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = await real(session, *args, **kwargs)
        columns = [r[1] for r in (await session.execute(text("PRAGMA table_info(entries)"))).all()]
        copied = ", ".join(c for c in columns if c != "id")
        await session.execute(text(f"INSERT INTO entries ({copied}) SELECT {copied} FROM entries LIMIT 1"))
        return result

    monkeypatch.setattr(importer, "apply_plan", racing)
    before = sqlite3.connect(db_path).execute("SELECT count(*) FROM entries").fetchone()
    assert main(["import", str(listing), "--db", str(db_path)]) == 1
    assert one_line(capsys).startswith("another process changed the catalog at the same moment")
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM entries").fetchone() == before


def test_unreadable_config_directory(tmp_path, monkeypatch, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    config = locked / "config.toml"
    config.write_text("", encoding="utf-8")
    if os.geteuid() == 0:  # root reads everything: make the directory answer as it would to a user
        real_stat = os.stat

        def denied(path, *args, **kwargs):  # type: ignore[no-untyped-def]
            if str(path).startswith(str(locked) + os.sep):
                raise PermissionError(13, "Permission denied", str(path))
            return real_stat(path, *args, **kwargs)

        monkeypatch.setattr(os, "stat", denied)
    else:
        os.chmod(locked, 0)
    try:
        assert main(["stats", "--config", str(config), "--db", str(tmp_path / "x.db")]) == 2
    finally:
        os.chmod(locked, 0o755)
    assert "cannot read config file" in one_line(capsys)


# --- output files -------------------------------------------------------------------------------


def test_export_to_a_directory(db_path, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", "--db", str(db_path), "-o", str(out)]) == 2
    assert one_line(capsys) == f"cannot write {out}: it is a directory"
    assert list(out.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["out", "t.sqlite3"]


def test_export_into_a_missing_directory(db_path, tmp_path, capsys):
    out = tmp_path / "missing" / "list.md"
    assert main(["export", "--db", str(db_path), "-o", str(out)]) == 2
    assert "does not exist" in one_line(capsys) and not out.parent.exists()


def test_export_refuses_a_device(db_path, capsys):
    assert main(["export", "--db", str(db_path), "-o", os.devnull]) == 2
    assert one_line(capsys) == f"cannot write {os.devnull}: it is a device or socket, not a regular file"
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_export_refuses_a_fifo(db_path, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["export", "--db", str(db_path), "-o", str(fifo)]) == 2
    assert "it is a FIFO" in one_line(capsys)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_writes_through_a_symlink(db_path, tmp_path, capsys):
    target = tmp_path / "real.md"
    target.write_text("old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert main(["export", "--db", str(db_path), "-o", str(link)]) == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("#")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "real.md", "t.sqlite3"]


@pytest.mark.parametrize("name", ["same", "symlink", "hardlink", "-wal", "-shm", "-journal", "relative"])
def test_export_never_overwrites_the_catalog(db_path, tmp_path, capsys, monkeypatch, name):
    """`export -o` onto the catalog's own file (by any name) or its companions would replace the catalog."""
    assert main(["export", "--db", str(db_path), "-o", str(tmp_path / "before.md")]) == 0
    capsys.readouterr()
    out = str(db_path)
    if name == "symlink":
        (tmp_path / "link.md").symlink_to(db_path)
        out = str(tmp_path / "link.md")
    elif name == "hardlink":
        os.link(db_path, tmp_path / "hard.md")
        out = str(tmp_path / "hard.md")
    elif name.startswith("-"):
        out = f"{db_path}{name}"
    elif name == "relative":
        monkeypatch.chdir(tmp_path)
        out = f"./{db_path.name}"
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert main(["export", "--db", str(db_path), "-o", out]) == 2
    assert one_line(capsys) == f"cannot write {out}: it is the catalog's database; name another file"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert main(["export", "--db", str(db_path), "-o", str(tmp_path / "after.md")]) == 0
    assert (tmp_path / "after.md").read_bytes() == (tmp_path / "before.md").read_bytes()


def test_chart_and_model_files_never_overwrite_the_catalog(db_path, tmp_path, capsys):
    size = db_path.stat().st_size
    link = tmp_path / "chart.png"
    link.symlink_to(db_path)
    assert main(["stats", "--db", str(db_path), "--chart", str(link)]) == 2
    assert one_line(capsys) == f"cannot write {link}: it is the catalog's database; name another file"
    model = tmp_path / "model.json"
    model.symlink_to(db_path)
    assert main(["relevance", "train", "--db", str(db_path), "--output", str(model)]) == 2
    assert one_line(capsys) == f"cannot write {model}: it is the catalog's database; name another file"
    assert db_path.stat().st_size == size and main(["stats", "--db", str(db_path)]) == 0


def test_failed_write_leaves_no_temporary_file(db_path, tmp_path, monkeypatch, capsys):
    out = tmp_path / "list.md"
    out.write_text("old")

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    assert main(["export", "--db", str(db_path), "-o", str(out)]) == 2
    assert "No space left on device" in one_line(capsys)
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.md", "t.sqlite3"]


@pytest.mark.parametrize(("name", "magic"), [("c.png", b"\x89PNG"), ("c.svg", b"<?xml"), ("c.pdf", b"%PDF")])
def test_chart_format_follows_the_extension(db_path, tmp_path, capsys, name, magic):
    assert main(["stats", "--db", str(db_path), "--chart", str(tmp_path / name)]) == 0
    assert (tmp_path / name).read_bytes().startswith(magic)


def test_chart_with_an_unknown_extension(db_path, tmp_path, capsys):
    assert main(["stats", "--db", str(db_path), "--chart", str(tmp_path / "c.jpg")]) == 2
    assert "name the file .png, .svg or .pdf" in one_line(capsys)
    assert not (tmp_path / "c.jpg").exists()


def test_chart_to_a_directory(db_path, tmp_path, capsys):
    out = tmp_path / "d.png"
    out.mkdir()
    assert main(["stats", "--db", str(db_path), "--chart", str(out)]) == 2
    assert one_line(capsys) == f"cannot write {out}: it is a directory"


# --- network and token --------------------------------------------------------------------------


@pytest.mark.slow
def test_poll_with_arxiv_unreachable_is_the_network_and_quick(db_path, tmp_path, capsys):
    port = closed_port()
    config = tmp_path / "config.toml"
    config.write_text(
        "[feeds]\n"
        f'url_template = "http://127.0.0.1:{port}/rss/{{categories}}"\n'
        'categories = ["cs.CL", "cs.LG", "cs.CV"]\n'
        "combined = false\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    assert main(["poll", "--db", str(db_path), "--config", str(config)]) == 3
    assert time.monotonic() - started < 15
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "connection refused" in err


def test_run_without_a_token(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["run", "--db", str(tmp_path / "bot.sqlite3")]) == 2
    assert one_line(capsys).startswith("no Discord token")
    assert list(tmp_path.iterdir()) == []


def test_interrupted(monkeypatch, db_path, capsys):
    from bot.catalog.queries import stats

    async def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(stats, "catalog_stats", interrupted)
    assert main(["stats", "--db", str(db_path)]) == 130
    assert one_line(capsys) == "interrupted"


def test_ctrl_c_whose_clean_up_fails_is_still_130_and_one_line(monkeypatch, db_path, capsys):
    """Issue 23: Ctrl-C during `init` printed a 154-line traceback ending in PendingRollbackError (exit 1)
    when a clean-up failed while the command was being cancelled. A real SIGINT here; the clean-up
    that fails is the session's, as SQLAlchemy raises it."""
    import asyncio
    import signal

    from sqlalchemy.exc import PendingRollbackError

    from bot.catalog import revisions

    async def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C: asyncio.run cancels the command
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            raise PendingRollbackError(
                "Can't reconnect until invalid transaction is rolled back. Please rollback() fully before "
                "proceeding"
            ) from None
        raise AssertionError("not interrupted")

    # Inside a unit of work (`history`: db.run), where a session is open when Ctrl-C comes.
    monkeypatch.setattr(revisions, "history_in", interrupted)
    assert main(["history", "--db", str(db_path)]) == 130
    assert one_line(capsys) == "interrupted"
    # The catalog is as it was: the next command works.
    monkeypatch.undo()
    assert main(["history", "--db", str(db_path)]) == 0


# --- rows checked on the mapping itself (no network in tests) --------------------------------------


def test_unresolvable_host_is_the_network() -> None:
    from bot.cli.failures import describe

    message, status = describe(socket.gaierror(-2, "Name or service not known"))  # type: ignore[misc]
    assert status == 3 and message.startswith("cannot resolve the host name (Name or service not known)")


def test_missing_driver_is_a_usage_problem() -> None:
    from bot.cli.failures import describe

    assert describe(ModuleNotFoundError("No module named 'asyncpg'", name="asyncpg")) == (
        "the database driver asyncpg is not installed (pip install asyncpg)",
        2,
    )
    assert describe(ModuleNotFoundError("No module named 'bot.nothing'", name="bot.nothing")) is None  # a bug


def test_discord_refusing_a_request_is_the_network() -> None:
    from types import SimpleNamespace

    import discord

    from bot.cli.failures import describe

    exc = discord.HTTPException(SimpleNamespace(status=403, reason="Forbidden"), "Missing Access")
    message, status = describe(exc)  # type: ignore[misc]
    assert status == 3 and message.startswith("Discord refused the request: 403")


def test_a_bug_keeps_its_traceback() -> None:
    from bot.cli.failures import describe

    assert describe(ZeroDivisionError("division by zero")) is None
    assert describe(KeyError("x")) is None


@pytest.mark.slow
def test_ctrl_c_at_any_moment_of_init_is_130_and_one_line_and_the_catalog_usable(tmp_path):
    """Issue 23: real SIGINTs during `ptm-bot init` (a new catalog: migrations, then the first fill),
    at moments spread over its run. Each run ends with exit 0 (done before the signal) or 130 and the
    one line `ptm-bot: interrupted`, never a traceback; the catalog is usable after each."""
    import signal
    import subprocess
    import sys

    script = Path(sys.executable).with_name("ptm-bot")  # the console script, as a user runs it
    if not script.exists():
        pytest.skip("the ptm-bot console script is not installed beside this interpreter")
    outcomes = set()
    for n in range(16):
        path = tmp_path / f"c{n}.sqlite3"
        proc = subprocess.Popen(
            [str(script), "init", "--db", str(path)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.3 + 0.1 * n)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        # -2: the signal came as the interpreter was exiting, its handler gone (a shell says 130).
        assert (proc.returncode, err) in ((0, ""), (130, "ptm-bot: interrupted\n"), (-2, "")), (
            n,
            proc.returncode,
            err,
        )
        outcomes.add(proc.returncode)
        again = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from bot.cli.main import main; sys.exit(main(sys.argv[1:]))",
                "init",
                "--db",
                str(path),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 0 and "catalog ready" in again.stdout, again.stderr[-2000:]
    assert 130 in outcomes  # some runs were interrupted indeed


def test_export_to_dev_stdout_into_a_pipe(db_path):
    """Issue 23: `export -o /dev/stdout | ...` failed (a pipe cannot be replaced atomically). Naming the
    process's own stdout is writing to stdout; other devices and FIFOs are still refused."""
    import subprocess
    import sys

    run = [sys.executable, "-c", "import sys; from bot.cli.main import main; sys.exit(main(sys.argv[1:]))"]
    plain = subprocess.run([*run, "export", "--db", str(db_path)], cwd=ROOT, capture_output=True, timeout=120)
    for target in ("/dev/stdout", "/dev/fd/1"):
        piped = subprocess.run(
            [*run, "export", "-o", target, "--db", str(db_path)], cwd=ROOT, capture_output=True, timeout=120
        )
        assert (piped.returncode, piped.stderr) == (0, b""), piped.stderr
        assert piped.stdout == plain.stdout and plain.stdout.startswith(b"# NLP PTM")
    refused = subprocess.run(
        [*run, "export", "-o", "/dev/null", "--db", str(db_path)], cwd=ROOT, capture_output=True, timeout=120
    )
    assert refused.returncode == 2
    assert (
        refused.stderr == b"ptm-bot: cannot write /dev/null: it is a device or socket, not a regular file\n"
    )


@pytest.fixture
def request_cleanup():  # type: ignore[no-untyped-def]
    import shutil

    paths: list[Path] = []
    yield paths
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def _as_nobody(argv: list[str]) -> int:
    """``main(argv)`` in a child process running as the user nobody (a read-only user of the catalog).
    The parent has imported what the command needs: the child may not read the interpreter's files."""
    import contextlib
    import io
    import pwd

    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        code = 99
        try:
            nobody = pwd.getpwnam("nobody")
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                code = main(argv)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
@pytest.mark.parametrize("command", [["stats"], ["export"], ["search", "bert"], ["health"]])
def test_a_read_only_users_reads_leave_no_wal_or_shm_files(db_path, request_cleanup, capsys, command):
    """Issue 23: a user who may read the catalog but not write it ran `stats`; it left -wal and -shm
    files of theirs beside it, which its owner then could not write. Reading commands of such a user
    open the file to read only and leave nothing behind, whether the bot has it open or not."""
    import tempfile

    # A directory the user may reach and write (the case where files were left); pytest's own
    # temporary directories are root's alone.
    shared = Path(tempfile.mkdtemp(prefix="ptm-shared-", dir="/tmp"))
    request_cleanup.append(shared)
    shared.chmod(0o777)
    catalog = shared / "c.sqlite3"
    catalog.write_bytes(db_path.read_bytes())
    catalog.chmod(0o644)
    main([*command, "--db", str(db_path)])  # the imports the child needs
    capsys.readouterr()
    assert _as_nobody([*command, "--db", str(catalog)]) in (0, 1)  # health: 1 (nothing polls)
    assert sorted(p.name for p in shared.iterdir()) == ["c.sqlite3"]
    # The bot has it open (its -wal and -shm exist, the owner's): read beside it, nothing added.
    owner = sqlite3.connect(catalog)
    owner.execute("SELECT count(*) FROM entries").fetchone()
    try:
        before = sorted((p.name, p.stat().st_uid) for p in shared.iterdir())
        assert _as_nobody([*command, "--db", str(catalog)]) in (0, 1)
        assert sorted((p.name, p.stat().st_uid) for p in shared.iterdir()) == before
    finally:
        owner.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
@pytest.mark.parametrize("command", [["model", "BERT"], ["search", "bert"], ["stats"], ["gate", "list"]])
def test_a_writable_catalog_in_a_read_only_directory_is_read(db_path, request_cleanup, capsys, command):
    """Session 8: a catalog the user may write, in a directory they may not (no room for its -wal and
    -shm files), made every reading command fail with "the database is read-only"."""
    import pwd
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="ptm-readonly-dir-", dir="/tmp"))
    request_cleanup.append(shared)
    catalog = shared / "c.sqlite3"
    catalog.write_bytes(db_path.read_bytes())
    nobody = pwd.getpwnam("nobody").pw_uid
    os.chown(catalog, nobody, -1)
    os.chown(shared, nobody, -1)
    catalog.chmod(0o644)
    shared.chmod(0o555)
    main([*command, "--db", str(db_path)])  # the imports the child needs
    capsys.readouterr()
    assert _as_nobody([*command, "--db", str(catalog)]) == 0
    assert sorted(p.name for p in shared.iterdir()) == ["c.sqlite3"]
