"""SQLite: one file in the data directory (the default store)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import private_dir, private_file
from .base import Rows, Store
from .records import ADDED_COLUMNS


class SqliteStore(Store):
    """One SQLite file (WAL); enough for one server process or several on one host."""

    unavailable_errors = (sqlite3.OperationalError,)  # locked past the busy timeout, disk errors

    def __init__(self, path: Path, *, stale_after: float = 600.0, timeout: float = 5.0, pool_size: int = 4) -> None:
        path = Path(path)
        private_dir(path.parent)
        private_file(path)
        self.path = path
        self._setup(stale_after=stale_after, timeout=timeout, pool_size=pool_size)
        with self.pool.connection(timeout) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(";\n".join(self.schema()) + ";")
            for table, column, kind in ADDED_COLUMNS:  # a database made by an earlier version
                if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        for suffix in ("-wal", "-shm"):  # SQLite makes these beside the database (with its mode; made sure)
            if path.with_name(path.name + suffix).exists():
                private_file(path.with_name(path.name + suffix))

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=self.timeout)

    def _execute(self, conn: Any, sql: str, args: Sequence[Any]) -> tuple[Rows, int]:
        cursor = conn.execute(sql, tuple(args))
        rows = cursor.fetchall()
        return rows, cursor.rowcount

    def describe(self) -> str:
        return f"sqlite:{self.path}"
