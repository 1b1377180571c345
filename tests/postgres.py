"""A real PostgreSQL for the tests: one server per test session, a fresh empty database per test.

Debian's ``postgresql`` package gives ``initdb`` and ``pg_ctl``; the server refuses to run as
root (CI runs as root), so it is initialised and started as an unprivileged user (``nobody``)
in a temporary folder, listening on 127.0.0.1 only, on a free port, with ``fsync=off``. It is
started on first use and stopped when the test session ends.

Without the binaries a test that needs PostgreSQL is skipped naming what is missing, unless
NEWSBOT_REQUIRE_SHARED is set (CI, whose ``.ci/run`` installs the package), where it fails.

``fresh_postgres_url()`` is what another suite (e.g. the store contract suite) calls to add a
"postgresql" backend: a ``postgresql+psycopg://`` URL of a new, empty database.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SHARED

_USER = "nobody"
_counter = itertools.count(1)


@dataclass
class PostgresServer:
    """A running server: its folder, port and the admin URL (database ``postgres``)."""

    folder: Path
    port: int
    bin: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        """The libpq form (psycopg, procrastinate) of :meth:`url`."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def stop(self) -> None:
        _as_user(
            [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


_server: PostgresServer | None = None


def _binaries() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``: Debian's newest version, else the PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _missing(reason: str) -> None:
    message = f"PostgreSQL is not available: {reason}"
    if REQUIRE_SHARED:
        pytest.fail(message + " and NEWSBOT_REQUIRE_SHARED is set (.ci/run installs it)")
    pytest.skip(message)


def _as_user(argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(_USER)
        ids = [f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"]
        argv = ["setpriv", *ids, *argv]
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=60)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start() -> PostgresServer:
    binaries = _binaries()
    if binaries is None:
        _missing("no initdb (apt-get install postgresql)")
    assert binaries is not None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg is not installed (pip install -e '.[test]')")
    folder = Path(tempfile.mkdtemp(prefix="newsbot-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(_USER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    data, sockets = folder / "data", folder / "sock"
    _as_user(["mkdir", "-m", "700", str(sockets)])
    initdb = [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    init = _as_user([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"], check=False)
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"initdb failed: {init.stderr.strip()[-500:]}")
    for _attempt in range(3):  # a free port may be taken between the probe and the start
        server = PostgresServer(folder, _free_port(), binaries)
        options = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} -k {sockets} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log")]
        started = _as_user([*pg_ctl, "-o", options, "-w", "-t", "60", "start"], check=False)
        if started.returncode == 0:
            return server
    log = (folder / "log").read_text(errors="replace")[-800:] if (folder / "log").exists() else ""
    shutil.rmtree(folder, ignore_errors=True)
    pytest.fail(f"PostgreSQL did not start: {started.stderr.strip()} {log}")
    raise AssertionError("unreachable")


def postgres_server() -> PostgresServer:
    """The session's server, started on first use and stopped at exit."""
    global _server
    if _server is None:
        _server = _start()
        atexit.register(_server.stop)
    return _server


def fresh_postgres_url() -> str:
    """A ``postgresql+psycopg://`` URL of a new empty database on the session's server."""
    server = postgres_server()
    return server.url(server.create_database())


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (skipped, or failed in CI, when it is not installed)."""
    yield postgres_server()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """A new empty database on the session's server, as a SQLAlchemy URL."""
    return pg_server.url(pg_server.create_database())
