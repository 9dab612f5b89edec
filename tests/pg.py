"""A real PostgreSQL server for the tests, started once per test session on a free loopback port.

Uses Debian's binaries (/usr/lib/postgresql/<version>/bin; .ci/run installs them). PostgreSQL
refuses to run as root, so as root the cluster belongs to the `postgres` user (or `nobody`).
Each test gets a fresh database: `fresh_database()`.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.suites import skip_suite

_server: dict[str, Cluster] = {}
_counter = itertools.count(1)


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(user: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


class Cluster:
    """One PostgreSQL server of our own on a free loopback port: start, stop, restart, pause, resume."""

    def __init__(self) -> None:
        self.bin_dir = binaries()
        if self.bin_dir is None:
            skip_suite("postgresql", "PostgreSQL's server binaries (initdb, postgres) are not installed here")
        self.user = None
        if os.geteuid() == 0:
            self.user = next((u for u in ("postgres", "nobody") if _user_exists(u)), None)
        _reap_orphans(self.bin_dir, self.user)
        self.root = Path(tempfile.mkdtemp(prefix="adops-pg-"))
        (self.root / "owner").write_text(str(os.getpid()))
        self.data, sockets = self.root / "data", self.root / "run"
        sockets.mkdir()
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (self.root, sockets):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self.port = _free_port()
        self.options = f"-h 127.0.0.1 -p {self.port} -k {sockets} -F"
        self._run("initdb", "-D", str(self.data), "-U", "adops", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        atexit.register(self.remove)
        self.url = f"postgresql://adops@127.0.0.1:{self.port}"

    def _run(self, tool: str, *args: str) -> None:
        assert self.bin_dir is not None
        argv = _as_owner(self.user, [str(self.bin_dir / tool), *args])
        subprocess.run(argv, check=True, capture_output=True, text=True)

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", self.options, "-l", str(self.root / "log"), "-w", "-t", "60", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def processes(self) -> list[int]:
        """The postmaster and every backend: what a frozen host or a `docker pause` stops."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return [postmaster, *map(int, children)]

    def pause(self) -> None:
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in self.processes():
            os.kill(pid, signal.SIGCONT)

    def database(self) -> str:
        """A new, empty database on this server; its URL."""
        import psycopg

        name = f"adops_test_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(f"{self.url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def remove(self) -> None:
        with contextlib.suppress(OSError, ValueError, subprocess.SubprocessError):
            self.resume()
        assert self.bin_dir is not None
        subprocess.run(
            _as_owner(self.user, [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _reap_orphans(bin_dir: Path, user: str | None) -> None:
    """Stop servers left by test sessions that were killed before their atexit ran."""
    for root in Path(tempfile.gettempdir()).glob("adops-pg-*"):
        try:
            os.kill(int((root / "owner").read_text()), 0)
            continue  # its session is still running
        except (OSError, ValueError):
            pass
        subprocess.run(
            _as_owner(user, [str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def server() -> Cluster:
    """The session's shared server (started on first use)."""
    if "shared" not in _server:
        _server["shared"] = Cluster()
    return _server["shared"]


def server_url() -> str:
    return server().url


def fresh_database() -> str:
    """A new, empty database on the session's shared server; its URL."""
    return server().database()
