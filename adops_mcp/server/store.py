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

The database never blocks the server: every statement runs in a worker thread, holding one of
`pool_size` connections, and the caller waits at most `timeout` seconds (connect and statement
timeouts bound the thread itself). A caller that stops waiting gets `StoreUnavailable`; if its
statement completes later, its `undo` runs, so a refused write leaves no `sent` record and a
refused token is not spent. An idle connection the server has closed (a restart) is replaced
before use, so the first call after a restart works.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import secrets as pysecrets
import select
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import anyio
import anyio.to_thread

from ..vendorcall import secrets
from .files import private_dir, private_file

if TYPE_CHECKING:
    from ..config import Settings

log = logging.getLogger("adops_mcp.store")

Rows = list[tuple[Any, ...]]
Undo = Callable[[Rows], tuple[str, Sequence[Any]]]

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
Record = TypeVar("Record", "AuditRecord", "PendingAction")


def from_row(cls: type[Record], columns: str, row: Sequence[Any]) -> Record:
    """A record from a row selected by `columns`: matched by name, the JSON columns decoded."""
    values = dict(zip([c.strip() for c in columns.split(",")], row, strict=True))
    values["arguments"] = json.loads(values["arguments"])
    if "spend" in values:
        values["spend"] = json.loads(values["spend"]) if values["spend"] else None
    return cls(**values)


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
            "arguments": {k: v for k, v in self.arguments.items() if v is not None},
            "changes": [_change(c) for c in self.spend or []],
            "confirmed_by": self.confirmed_by,
            "status": self.status,
            "detail": self.detail,
        }


def _change(change: dict[str, Any]) -> str:
    """`what: before -> after`, as the plan read it."""
    old = "nothing" if change.get("old") is None else f"{change['old']:g}"
    return f"{change.get('what')}: {old} -> {change.get('new'):g}"


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
        def stamp(t: float | None) -> str | None:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) if t else None

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


NOT_SENT = "not sent: the state store answered after the call had given up"


class StoreUnavailable(Exception):
    """The state store did not answer in time or refused the connection. `cause` says why, for operators
    (the log line, the CLI); it may name the database host, so the message a model sees never carries it."""

    def __init__(self, cause: str) -> None:
        self.cause = cause
        super().__init__("the state store is unavailable")


@dataclass
class _Handoff:
    """Between a waiting caller and its worker thread: whether the caller gave up before the statement ran."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    abandoned: bool = False
    result: tuple[Rows, int] | None = None


class Pool:
    """At most `size` open connections, used one thread at a time; an idle one found dead is replaced."""

    def __init__(
        self, connect: Callable[[], Any], alive: Callable[[Any], bool], close: Callable[[Any], None], size: int
    ) -> None:
        self.size = size
        self._connect, self._alive, self._close = connect, alive, close
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self, wait: float) -> Iterator[Any]:
        if not self._slots.acquire(timeout=wait):
            raise StoreUnavailable(f"all {self.size} connections stayed busy for {wait:.1f} s")
        try:
            conn = self._take()
            try:
                yield conn
            except BaseException:
                self._close(conn)  # its state is unknown: never reuse it
                raise
            with self._lock:
                if not self._closed:
                    self._idle.append(conn)
                    return
            self._close(conn)
        finally:
            self._slots.release()

    def _take(self) -> Any:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._connect()
            if self._alive(conn):
                return conn
            self._close(conn)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            self._close(conn)


class Store:
    """The interface: every query lives here; subclasses connect to their database and run SQL on it."""

    stale_after: float
    timeout: float
    pool: Pool
    unavailable_errors: tuple[type[Exception], ...] = ()
    real_type = "REAL"
    id_type = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __new__(cls, *args: Any, **kwargs: Any) -> Store:
        if cls is Store:  # Store(path_or_url): the backend the target names
            target = args[0] if args else kwargs.get("target", kwargs.get("path"))
            cls = PostgresStore if str(target).startswith(("postgresql://", "postgres://")) else SqliteStore
        return super().__new__(cls)

    def _setup(self, *, stale_after: float, timeout: float, pool_size: int) -> None:
        self.stale_after = stale_after
        self.timeout = timeout
        self.pool = Pool(self._connect, self._alive, self._disconnect, pool_size)

    # -- backend primitives (called in worker threads) -----------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _alive(self, conn: Any) -> bool:
        """Whether an idle connection is still usable, without a round trip."""
        return True

    def _disconnect(self, conn: Any) -> None:
        with contextlib.suppress(Exception):  # already broken: nothing left to release
            conn.close()

    def _execute(self, conn: Any, sql: str, args: Sequence[Any]) -> tuple[Rows, int]:
        """Execute one statement; (rows, rowcount)."""
        raise NotImplementedError

    def describe(self) -> str:
        """Where the state lives, without any password."""
        raise NotImplementedError

    def close(self) -> None:
        self.pool.close()

    @classmethod
    def schema(cls) -> list[str]:
        text = COLUMNS.format(real=cls.real_type, id=cls.id_type)
        return [s.strip() for s in text.split(";") if s.strip()]

    async def _run(
        self,
        sql: str,
        args: Sequence[Any] = (),
        *,
        undo: Callable[[tuple[Rows, int]], tuple[str, Sequence[Any]] | None] | None = None,
    ) -> tuple[Rows, int]:
        """Run one statement off the event loop, waiting at most `timeout` seconds.

        Raises StoreUnavailable when the database does not answer in time or the connection fails.
        `undo` (given the result) says how to take the statement back if it completes after the caller
        was told it failed.
        """
        handoff = _Handoff()
        deadline = time.monotonic() + self.timeout

        def work() -> tuple[Rows, int]:
            with self.pool.connection(max(0.0, deadline - time.monotonic())) as conn:
                result = self._execute(conn, sql, args)
                with handoff.lock:
                    handoff.result = result
                    late = handoff.abandoned
                if late and undo is not None and (statement := undo(result)) is not None:
                    log.warning("state store answered after the caller gave up; taking the statement back")
                    self._execute(conn, *statement)
                return result

        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError:
            with handoff.lock:
                if handoff.result is not None:
                    return handoff.result
                handoff.abandoned = True
            raise self._unavailable(f"no answer within {self.timeout:g} s (ADOPS_STORE_TIMEOUT)") from None
        except StoreUnavailable as exc:
            raise self._unavailable(exc.cause) from None
        except self.unavailable_errors as exc:
            raise self._unavailable(f"{type(exc).__name__}: {exc}") from None

    def _unavailable(self, cause: str) -> StoreUnavailable:
        cause = secrets.scrub(" ".join(cause.split()))
        log.warning("state store %s unavailable: %s", self.describe(), cause)
        return StoreUnavailable(cause)

    # -- audit ---------------------------------------------------------------------------------
    async def record_intent(
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
        rows, _ = await self._run(
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
            undo=lambda result: (
                "UPDATE audit SET status = 'failed', detail = ?, finished_at = ? WHERE id = ?",
                (NOT_SENT, time.time(), result[0][0][0]),
            ),
        )
        return int(rows[0][0])

    async def record_outcome(self, audit_id: int, status: str, detail: str | None = None) -> None:
        await self._run(
            "UPDATE audit SET status = ?, detail = ?, finished_at = ? WHERE id = ?",
            (status, detail, time.time(), audit_id),
        )

    async def audit(
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
        rows, _ = await self._run(query, args)
        records = []
        for row in rows:
            record = from_row(AuditRecord, AUDIT_COLUMNS, row)
            if record.status == "sent" and now - record.created_at > self.stale_after:
                record.status = "unknown"
                record.detail = record.detail or "no outcome was recorded (the server stopped or lost the answer)"
            records.append(record)
        return records

    # -- confirmation tokens -------------------------------------------------------------------
    async def use_token(self, nonce: str, expires_at: float, *, now: float | None = None) -> bool:
        """Mark a confirmation token used; False when it already was (a replay), on any replica.

        A record is purged only after its token's own signed expiry, when no server accepts it."""
        now = time.time() if now is None else now
        await self._run("DELETE FROM used_tokens WHERE expires_at < ?", (now - 60,))
        _, count = await self._run(
            "INSERT INTO used_tokens (nonce, used_at, expires_at) VALUES (?, ?, ?) ON CONFLICT (nonce) DO NOTHING",
            (nonce, now, expires_at),
            undo=lambda result: ("DELETE FROM used_tokens WHERE nonce = ?", (nonce,)) if result[1] == 1 else None,
        )
        return count == 1

    async def token_used(self, nonce: str) -> bool:
        """Whether `use_token(nonce)` happened (e.g. a console session that was signed out)."""
        rows, _ = await self._run("SELECT 1 FROM used_tokens WHERE nonce = ?", (nonce,))
        return bool(rows)

    # -- out-of-band approvals -----------------------------------------------------------------
    async def create_pending(
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
        await self._run(
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
            undo=lambda _: ("DELETE FROM pending_actions WHERE id = ?", (action_id,)),
        )
        action = await self.pending(action_id)
        assert action is not None
        return action

    async def pending(self, action_id: str) -> PendingAction | None:
        rows, _ = await self._run(f"SELECT {PENDING_COLUMNS} FROM pending_actions WHERE id = ?", (action_id,))
        return self._pending_action(rows[0]) if rows else None

    async def pending_actions(self, *, include_decided: bool = False, limit: int = 50) -> list[PendingAction]:
        query = f"SELECT {PENDING_COLUMNS} FROM pending_actions"
        args: list[Any] = []
        if not include_decided:
            query += " WHERE status = 'pending' AND expires_at > ?"
            args.append(time.time())
        rows, _ = await self._run(query + " ORDER BY created_at DESC LIMIT ?", [*args, limit])
        return [self._pending_action(row) for row in rows]

    async def decide(
        self, action_id: str, *, status: str, by: str, at: float, note: str | None, signature: str
    ) -> PendingAction | None:
        """Record a signed decision on a pending, unexpired action (use approvals.decide, which signs it)."""
        await self._run(
            "UPDATE pending_actions SET status = ?, decided_at = ?, decided_by = ?, note = ?, signature = ?"
            " WHERE id = ? AND status = 'pending' AND expires_at > ?",
            (status, at, by, note, signature, action_id, at),
        )
        return await self.pending(action_id)

    async def claim(self, action_id: str) -> bool:
        """Take an approved action for execution; True for exactly one caller, on any replica."""
        _, count = await self._run(
            "UPDATE pending_actions SET status = 'executed' WHERE id = ? AND status = 'approved' AND expires_at > ?",
            (action_id, time.time()),
            undo=lambda result: (
                ("UPDATE pending_actions SET status = 'approved' WHERE id = ? AND status = 'executed'", (action_id,))
                if result[1] == 1
                else None
            ),
        )
        return count == 1

    @staticmethod
    def _pending_action(row: Sequence[Any]) -> PendingAction:
        action = from_row(PendingAction, PENDING_COLUMNS, row)
        if action.status in ("pending", "approved") and action.expires_at <= time.time():
            action.status = "expired"
        return action


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


class PostgresStore(Store):
    """PostgreSQL (psycopg 3): one shared record for every replica."""

    real_type = "DOUBLE PRECISION"
    id_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str, *, stale_after: float = 600.0, timeout: float = 5.0, pool_size: int = 4) -> None:
        try:
            import psycopg
        except ModuleNotFoundError:
            raise RuntimeError(
                "ADOPS_DATABASE_URL points at PostgreSQL but psycopg is not installed: "
                "pip install 'adops-mcp[postgres]'"
            ) from None
        self._psycopg = psycopg
        self.unavailable_errors = (psycopg.OperationalError,)  # connection lost or refused, statement timeout
        self.url = url
        self._setup(stale_after=stale_after, timeout=timeout, pool_size=pool_size)
        with self.pool.connection(timeout) as db, db.transaction():
            # Replicas starting together must not race on CREATE TABLE IF NOT EXISTS.
            db.execute("SELECT pg_advisory_xact_lock(4242424242)")
            for statement in self.schema():
                db.execute(statement)
            for table, column, kind in ADDED_COLUMNS:  # under the same lock: replicas may start together
                db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")

    def _connect(self) -> Any:
        return self._psycopg.connect(
            self.url,
            autocommit=True,
            connect_timeout=max(2, math.ceil(self.timeout)),  # libpq's minimum is 2 s
            options=f"-c statement_timeout={int(self.timeout * 1000)}",
            # A vanished peer (network loss) is noticed within about 30 s even mid-statement.
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
            tcp_user_timeout=30_000,
        )

    def _alive(self, conn: Any) -> bool:
        if conn.closed or conn.broken:
            return False
        try:  # an idle connection has nothing to read unless the server closed it (a restart)
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def _execute(self, conn: Any, sql: str, args: Sequence[Any]) -> tuple[Rows, int]:
        cursor = conn.execute(sql.replace("?", "%s"), tuple(args))
        rows = cursor.fetchall() if cursor.description else []
        return rows, cursor.rowcount

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
    stale_after, timeout, pool_size = settings.timeout * 2 + 60, settings.store_timeout, settings.store_pool_size
    url = settings.database_url.get_secret_value() if settings.database_url is not None else None
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("ADOPS_DATABASE_URL must be a postgresql:// URL")
        return PostgresStore(url, stale_after=stale_after, timeout=timeout, pool_size=pool_size)
    return SqliteStore(
        settings.data_dir / "adops.sqlite3", stale_after=stale_after, timeout=timeout, pool_size=pool_size
    )
