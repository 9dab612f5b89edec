"""A real PostgreSQL server for the tests, started once per test session on a free loopback port.

Uses Debian's binaries (/usr/lib/postgresql/<version>/bin; .ci/run installs them). PostgreSQL
refuses to run as root, so as root the cluster belongs to the `postgres` user (or `nobody`).
Each test gets a fresh database: `fresh_database()`.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

_server: dict[str, str] = {}
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


def _start() -> str:
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries are not installed here (apt-get install postgresql); .ci/run installs them")
    user = None
    if os.geteuid() == 0:
        user = next((u for u in ("postgres", "nobody") if _user_exists(u)), None)
    _reap_orphans(bin_dir, user)
    root = Path(tempfile.mkdtemp(prefix="adops-pg-"))
    (root / "owner").write_text(str(os.getpid()))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if user:
        entry = pwd.getpwnam(user)
        for path in (root, sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    run = lambda argv: subprocess.run(_as_owner(user, argv), check=True, capture_output=True, text=True)  # noqa: E731
    run([str(bin_dir / "initdb"), "-D", str(data), "-U", "adops", "--auth=trust", "-E", "UTF8", "--no-sync"])
    options = f"-h 127.0.0.1 -p {port} -k {sockets} -F"
    run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "-t", "60", "start"])

    def stop() -> None:
        subprocess.run(
            _as_owner(user, [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://adops@127.0.0.1:{port}"


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


def server_url() -> str:
    """The session's server (started on first use)."""
    if "url" not in _server:
        _server["url"] = _start()
    return _server["url"]


def fresh_database() -> str:
    """A new, empty database on the session's server; its URL."""
    import psycopg

    base = server_url()
    name = f"adops_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"
