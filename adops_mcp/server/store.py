"""Durable state: the audit log of every write and the record of used confirmation tokens.

SQLite in the data directory. Every write is recorded before it is sent (status `sent`) and its
outcome after (`ok`, `failed`, `unknown`). A record still `sent` after the call deadline is read
back as `unknown`: the process died or lost the answer, and only reading the vendor can tell.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    finished_at REAL,
    vendor TEXT NOT NULL,
    account TEXT NOT NULL,
    tool TEXT NOT NULL,
    method TEXT,
    path TEXT,
    arguments TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS used_tokens (
    nonce TEXT PRIMARY KEY,
    used_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
"""


@dataclass
class AuditRecord:
    id: int
    created_at: float
    finished_at: float | None
    vendor: str
    account: str
    tool: str
    method: str | None
    path: str | None
    arguments: dict[str, Any]
    confirmed_by: str
    status: str
    detail: str | None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created_at)),
            "vendor": self.vendor,
            "account": self.account,
            "tool": self.tool,
            "request": f"{self.method} {self.path}" if self.method else None,
            "arguments": self.arguments,
            "confirmed_by": self.confirmed_by,
            "status": self.status,
            "detail": self.detail,
        }


class Store:
    def __init__(self, path: Path, *, stale_after: float = 600.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.stale_after = stale_after
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def record_intent(
        self,
        *,
        vendor: str,
        account: str,
        tool: str,
        method: str | None,
        path: str | None,
        arguments: dict[str, Any],
        confirmed_by: str,
    ) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO audit (created_at, vendor, account, tool, method, path, arguments, confirmed_by, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent')",
                (time.time(), vendor, account, tool, method, path, json.dumps(arguments, sort_keys=True), confirmed_by),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def record_outcome(self, audit_id: int, status: str, detail: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE audit SET status = ?, detail = ?, finished_at = ? WHERE id = ?",
                (status, detail, time.time(), audit_id),
            )

    def audit(self, *, limit: int = 50, vendor: str | None = None, audit_id: int | None = None) -> list[AuditRecord]:
        query = "SELECT * FROM audit"
        clauses, args = [], []
        if vendor:
            clauses.append("vendor = ?")
            args.append(vendor)
        if audit_id is not None:
            clauses.append("id = ?")
            args.append(audit_id)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
        now = time.time()
        records = []
        for row in rows:
            record = AuditRecord(*row[:8], json.loads(row[8]), *row[9:])  # type: ignore[arg-type]
            if record.status == "sent" and now - record.created_at > self.stale_after:
                record.status = "unknown"
                record.detail = record.detail or "no outcome was recorded (the server stopped or lost the answer)"
            records.append(record)
        return records

    def use_token(self, nonce: str, expires_at: float) -> bool:
        """Mark a confirmation token used; False when it already was (a replay)."""
        with self._lock:
            self._db.execute("DELETE FROM used_tokens WHERE expires_at < ?", (time.time() - 60,))
            try:
                self._db.execute(
                    "INSERT INTO used_tokens (nonce, used_at, expires_at) VALUES (?, ?, ?)",
                    (nonce, time.time(), expires_at),
                )
            except sqlite3.IntegrityError:
                return False
            return True
