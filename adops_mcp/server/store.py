"""Durable, shareable state: the audit log, used confirmation tokens and out-of-band approvals.

`Store` is the interface and holds every query (portable SQL, `?` placeholders); `SqliteStore`
(a file in the data directory, the default) and `PostgresStore` (ADOPS_DATABASE_URL=postgresql://...,
so replicas share one record) supply the connection and the schema. `Store(target)` opens the
right one for a path or a URL; `open_store(settings)` for the configured one.

Every write is recorded before it is sent (status `sent`) and its outcome after (`ok`, `failed`,
`unknown`). A record still `sent` after the call deadline is read back as `unknown`: the process
died or lost the answer, and only reading the vendor can tell. Single use of a confirmation token
and of an approval is one atomic statement (a unique key, or an UPDATE guarded by the old status),
so two replicas cannot both win.
"""

from __future__ import annotations

import json
import secrets as pysecrets
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .files import private_dir, private_file

if TYPE_CHECKING:
    from ..config import Settings

COLUMNS = """
CREATE TABLE IF NOT EXISTS audit (
    id {id},
    created_at {real} NOT NULL,
    finished_at {real},
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
    used_at {real} NOT NULL,
    expires_at {real} NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_actions (
    id TEXT PRIMARY KEY,
    created_at {real} NOT NULL,
    expires_at {real} NOT NULL,
    vendor TEXT NOT NULL,
    account TEXT NOT NULL,
    tool TEXT NOT NULL,
    arguments TEXT NOT NULL,
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_at {real},
    decided_by TEXT
)
"""

# Columns added after the first release: (table, column, type), added to existing databases on open.
ADDED_COLUMNS = (
    ("pending_actions", "requested_by", "TEXT"),  # the MCP caller's name ("stdio" or the bearer token's name)
    ("pending_actions", "note", "TEXT"),  # the deciding operator's note
    ("audit", "spend", "TEXT"),  # JSON list of the budget changes the call makes (old -> new), when computed
    ("pending_actions", "signature", "TEXT"),  # HMAC of the decision under the install key (approvals.py)
)

PENDING_COLUMNS = (
    "id, created_at, expires_at, vendor, account, tool, arguments, plan, status, decided_at, decided_by,"
    " requested_by, note, signature"
)
AUDIT_COLUMNS = (
    "id, created_at, finished_at, vendor, account, tool, method, path, arguments, confirmed_by, status, detail, spend"
)


def profile_of(account: str) -> str:
    """The profile name inside an account key (`vendor:profile:hash`)."""
    parts = account.split(":")
    return parts[1] if len(parts) == 3 else "default"


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
    spend: list[dict[str, Any]] | None = None  # [{"what", "old", "new"}] when the call's budget changes were read

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created_at)),
            "vendor": self.vendor,
            "profile": profile_of(self.account),
            "account": self.account,
            "tool": self.tool,
            "request": f"{self.method} {self.path}" if self.method else None,
            "arguments": self.arguments,
            "confirmed_by": self.confirmed_by,
            "status": self.status,
            "detail": self.detail,
        }


@dataclass
class PendingAction:
    """A destructive call waiting for a person's `adops-mcp approve <id>` (or deny)."""

    id: str
    created_at: float
    expires_at: float
    vendor: str
    account: str
    tool: str
    arguments: dict[str, Any]
    plan: str
    status: str  # pending | approved | denied | executed | expired (read back, never stored)
    decided_at: float | None
    decided_by: str | None
    requested_by: str | None = None  # the MCP caller: "stdio" or the HTTP bearer token's name
    note: str | None = None  # the deciding person's note
    signature: str | None = None  # approvals.approval_signature of the decision

    @property
    def profile(self) -> str:
        return profile_of(self.account)

    def public(self) -> dict[str, Any]:
        stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) if t else None  # noqa: E731
        return {
            "id": self.id,
            "status": self.status,
            "tool": self.tool,
            "vendor": self.vendor,
            "profile": self.profile,
            "arguments": self.arguments,
            "plan": self.plan,
            "created_at": stamp(self.created_at),
            "expires_at": stamp(self.expires_at),
            "decided_by": self.decided_by,
            "requested_by": self.requested_by,
            "note": self.note,
        }


class Store:
    """The interface: every query lives here; subclasses run SQL on their database."""

    stale_after: float
    real_type = "REAL"
    id_type = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __new__(cls, *args: Any, **kwargs: Any) -> Store:
        if cls is Store:  # Store(path_or_url): the backend the target names
            target = args[0] if args else kwargs.get("target", kwargs.get("path"))
            cls = PostgresStore if str(target).startswith(("postgresql://", "postgres://")) else SqliteStore
        return super().__new__(cls)

    # -- backend primitives ------------------------------------------------------------------
    def _run(self, sql: str, args: Sequence[Any] = ()) -> tuple[list[tuple[Any, ...]], int]:
        """Execute one statement; (rows, rowcount)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        """Where the state lives, without any password."""
        raise NotImplementedError

    @classmethod
    def schema(cls) -> list[str]:
        text = COLUMNS.format(real=cls.real_type, id=cls.id_type)
        return [s.strip() for s in text.split(";") if s.strip()]

    def _columns(self, table: str) -> set[str]:
        raise NotImplementedError

    def _add_columns(self) -> None:
        """Bring a database made by an earlier version up to ADDED_COLUMNS."""
        for table, column, kind in ADDED_COLUMNS:
            if column not in self._columns(table):
                self._run(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    # -- audit ---------------------------------------------------------------------------------
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
        spend: list[dict[str, Any]] | None = None,
    ) -> int:
        rows, _ = self._run(
            "INSERT INTO audit (created_at, vendor, account, tool, method, path, arguments, confirmed_by, status,"
            " spend) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?) RETURNING id",
            (
                time.time(),
                vendor,
                account,
                tool,
                method,
                path,
                json.dumps(arguments, sort_keys=True),
                confirmed_by,
                json.dumps(spend) if spend is not None else None,
            ),
        )
        return int(rows[0][0])

    def record_outcome(self, audit_id: int, status: str, detail: str | None = None) -> None:
        self._run(
            "UPDATE audit SET status = ?, detail = ?, finished_at = ? WHERE id = ?",
            (status, detail, time.time(), audit_id),
        )

    def audit(
        self,
        *,
        limit: int = 50,
        vendor: str | None = None,
        audit_id: int | None = None,
        account: str | None = None,
        tool: str | None = None,
        outcome: str | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[AuditRecord]:
        """Newest first. `account` matches the account key or its profile; `outcome` is ok, failed, unknown
        (including records still `sent` after the deadline) or sent (still in flight)."""
        query = f"SELECT {AUDIT_COLUMNS} FROM audit"
        clauses: list[str] = []
        args: list[Any] = []
        now = time.time()
        for column, value in (("vendor", vendor), ("tool", tool), ("id", audit_id)):
            if value is not None and value != "":
                clauses.append(f"{column} = ?")
                args.append(value)
        if account:
            clauses.append("(account = ? OR account LIKE ?)")
            args += [account, f"%:{account}:%"]
        if outcome in ("ok", "failed"):
            clauses.append("status = ?")
            args.append(outcome)
        elif outcome == "unknown":
            clauses.append("(status = 'unknown' OR (status = 'sent' AND created_at <= ?))")
            args.append(now - self.stale_after)
        elif outcome == "sent":
            clauses.append("status = 'sent' AND created_at > ?")
            args.append(now - self.stale_after)
        if since is not None:
            clauses.append("created_at >= ?")
            args.append(since)
        if until is not None:
            clauses.append("created_at < ?")
            args.append(until)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        rows, _ = self._run(query, args)
        records = []
        for row in rows:
            spend = json.loads(row[12]) if row[12] else None
            record = AuditRecord(*row[:8], json.loads(row[8]), *row[9:12], spend)  # type: ignore[call-arg]
            if record.status == "sent" and now - record.created_at > self.stale_after:
                record.status = "unknown"
                record.detail = record.detail or "no outcome was recorded (the server stopped or lost the answer)"
            records.append(record)
        return records

    # -- confirmation tokens -------------------------------------------------------------------
    def use_token(self, nonce: str, expires_at: float, *, now: float | None = None) -> bool:
        """Mark a confirmation token used; False when it already was (a replay), on any replica.

        A record is purged only after its token's own signed expiry, when no server accepts it."""
        now = time.time() if now is None else now
        self._run("DELETE FROM used_tokens WHERE expires_at < ?", (now - 60,))
        _, count = self._run(
            "INSERT INTO used_tokens (nonce, used_at, expires_at) VALUES (?, ?, ?) ON CONFLICT (nonce) DO NOTHING",
            (nonce, now, expires_at),
        )
        return count == 1

    def token_used(self, nonce: str) -> bool:
        """Whether `use_token(nonce)` happened (e.g. a console session that was signed out)."""
        rows, _ = self._run("SELECT 1 FROM used_tokens WHERE nonce = ?", (nonce,))
        return bool(rows)

    # -- out-of-band approvals -----------------------------------------------------------------
    def create_pending(
        self,
        *,
        vendor: str,
        account: str,
        tool: str,
        arguments: dict[str, Any],
        plan: str,
        expires_at: float,
        requested_by: str | None = None,
    ) -> PendingAction:
        action_id = pysecrets.token_hex(4)
        self._run(
            f"INSERT INTO pending_actions ({PENDING_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, ?, NULL, NULL)",
            (
                action_id,
                time.time(),
                expires_at,
                vendor,
                account,
                tool,
                json.dumps(arguments, sort_keys=True),
                plan,
                requested_by,
            ),
        )
        action = self.pending(action_id)
        assert action is not None
        return action

    def pending(self, action_id: str) -> PendingAction | None:
        rows, _ = self._run(f"SELECT {PENDING_COLUMNS} FROM pending_actions WHERE id = ?", (action_id,))
        return self._pending_action(rows[0]) if rows else None

    def pending_actions(self, *, include_decided: bool = False, limit: int = 50) -> list[PendingAction]:
        query = f"SELECT {PENDING_COLUMNS} FROM pending_actions"
        args: list[Any] = []
        if not include_decided:
            query += " WHERE status = 'pending' AND expires_at > ?"
            args.append(time.time())
        rows, _ = self._run(query + " ORDER BY created_at DESC LIMIT ?", [*args, limit])
        return [self._pending_action(row) for row in rows]

    def decide(
        self, action_id: str, *, status: str, by: str, at: float, note: str | None, signature: str
    ) -> PendingAction | None:
        """Record a signed decision on a pending, unexpired action (use approvals.decide, which signs it)."""
        self._run(
            "UPDATE pending_actions SET status = ?, decided_at = ?, decided_by = ?, note = ?, signature = ?"
            " WHERE id = ? AND status = 'pending' AND expires_at > ?",
            (status, at, by, note, signature, action_id, at),
        )
        return self.pending(action_id)

    def claim(self, action_id: str) -> bool:
        """Take an approved action for execution; True for exactly one caller, on any replica."""
        _, count = self._run(
            "UPDATE pending_actions SET status = 'executed' WHERE id = ? AND status = 'approved' AND expires_at > ?",
            (action_id, time.time()),
        )
        return count == 1

    @staticmethod
    def _pending_action(row: Sequence[Any]) -> PendingAction:
        action = PendingAction(*row[:6], json.loads(row[6]), *row[7:])  # type: ignore[call-arg]
        if action.status in ("pending", "approved") and action.expires_at <= time.time():
            action.status = "expired"
        return action


class SqliteStore(Store):
    """One SQLite file (WAL); enough for one server process or several on one host."""

    def __init__(self, path: Path, *, stale_after: float = 600.0) -> None:
        path = Path(path)
        private_dir(path.parent)
        private_file(path)
        self.path = path
        self.stale_after = stale_after
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(";\n".join(self.schema()) + ";")
        self._add_columns()
        for suffix in ("-wal", "-shm"):  # SQLite makes these beside the database (with its mode; made sure)
            if path.with_name(path.name + suffix).exists():
                private_file(path.with_name(path.name + suffix))

    def _columns(self, table: str) -> set[str]:
        rows, _ = self._run(f"PRAGMA table_info({table})")
        return {row[1] for row in rows}

    def _run(self, sql: str, args: Sequence[Any] = ()) -> tuple[list[tuple[Any, ...]], int]:
        with self._lock:
            cursor = self._db.execute(sql, tuple(args))
            rows = cursor.fetchall()
            return rows, cursor.rowcount

    def close(self) -> None:
        self._db.close()

    def describe(self) -> str:
        return f"sqlite:{self.path}"


class PostgresStore(Store):
    """PostgreSQL (psycopg 3): one shared record for every replica."""

    real_type = "DOUBLE PRECISION"
    id_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str, *, stale_after: float = 600.0) -> None:
        try:
            import psycopg
        except ModuleNotFoundError:
            raise RuntimeError(
                "ADOPS_DATABASE_URL points at PostgreSQL but psycopg is not installed: "
                "pip install 'adops-mcp[postgres]'"
            ) from None
        self._psycopg = psycopg
        self.url = url
        self.stale_after = stale_after
        self._lock = threading.Lock()
        self._db = self._connect()
        with self._lock, self._db.transaction():
            # Replicas starting together must not race on CREATE TABLE IF NOT EXISTS.
            self._db.execute("SELECT pg_advisory_xact_lock(4242424242)")
            for statement in self.schema():
                self._db.execute(statement)
            for table, column, kind in ADDED_COLUMNS:  # under the same lock: replicas may start together
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")

    def _connect(self) -> Any:
        return self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def _run(self, sql: str, args: Sequence[Any] = ()) -> tuple[list[tuple[Any, ...]], int]:
        sql = sql.replace("?", "%s")
        with self._lock:
            if self._db.closed:  # lost earlier: reconnect, never re-run a statement that may have run
                self._db = self._connect()
            cursor = self._db.execute(sql, tuple(args))
            rows = cursor.fetchall() if cursor.description else []
            return rows, cursor.rowcount

    def close(self) -> None:
        self._db.close()

    def describe(self) -> str:
        return redact_url(self.url)


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def open_store(settings: Settings) -> Store:
    """The configured store: PostgreSQL when ADOPS_DATABASE_URL says so, else SQLite in the data dir."""
    stale_after = settings.timeout * 4 + 60
    url = settings.database_url.get_secret_value() if getattr(settings, "database_url", None) else None
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("ADOPS_DATABASE_URL must be a postgresql:// URL")
        return PostgresStore(url, stale_after=stale_after)
    return SqliteStore(settings.data_dir / "adops.sqlite3", stale_after=stale_after)
