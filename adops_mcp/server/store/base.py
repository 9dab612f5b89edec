"""Durable, shareable state: the audit log, used confirmation tokens and out-of-band approvals.

`Store` is the interface and holds every query (portable SQL, `?` placeholders); `SqliteStore`
(sqlite.py: a file in the data directory, the default) and `PostgresStore` (postgres.py:
ADOPS_DATABASE_URL=postgresql://..., so replicas share one record) supply the connection and the
schema. `store_at(target)` (opening.py) opens the right one for a path or a URL; `open_store(settings)`
the configured one.

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

import contextlib
import json
import logging
import secrets as pysecrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread

from ...vendorcall import secrets
from .records import (
    APPROVAL_COLUMNS,
    AUDIT_COLUMNS,
    COLUMNS,
    PENDING_COLUMNS,
    Approval,
    AuditRecord,
    PendingAction,
    from_row,
)

log = logging.getLogger("adops_mcp.store")

Rows = list[tuple[Any, ...]]
Undo = Callable[[Rows], tuple[str, Sequence[Any]]]

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
        changes: list[dict[str, Any]] | None = None,
        change_set: str | None = None,
        undoes: int | None = None,
    ) -> int:
        rows, _ = await self._run(
            "INSERT INTO audit (created_at, vendor, account, tool, method, path, arguments, confirmed_by, status,"
            " spend, changes, change_set, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?) RETURNING id",
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
                json.dumps(changes, default=str) if changes is not None else None,
                change_set,
                undoes,
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
        change_set: str | None = None,
        undoes: int | None = None,
    ) -> list[AuditRecord]:
        """Newest first. `account` matches the account key or its profile; `outcome` is ok, failed, unknown
        (including records still `sent` after the deadline) or sent (still in flight); `change_set` the
        records of one change set; `undoes` the writes that took back that record."""
        query = f"SELECT {AUDIT_COLUMNS} FROM audit"
        clauses: list[str] = []
        args: list[Any] = []
        now = time.time()
        for column, value in (
            ("vendor", vendor),
            ("tool", tool),
            ("id", audit_id),
            ("change_set", change_set),
            ("undoes", undoes),
        ):
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
        requested_by: str | None,
        required: int,
        per_requester: int | None,
        details: dict[str, Any] | None = None,
    ) -> PendingAction | None:
        """Record an action waiting for `required` approvals; None when `requested_by` already has
        `per_requester` actions waiting (one statement: the count and the insert cannot interleave on SQLite;
        on PostgreSQL two replicas inserting at the same instant may each pass, one over the limit)."""
        action_id = pysecrets.token_hex(4)
        now = time.time()
        values = (
            action_id,
            now,
            expires_at,
            vendor,
            account,
            tool,
            json.dumps(arguments, sort_keys=True),
            plan,
            requested_by,
            max(1, required),
            json.dumps(details, sort_keys=True, default=str) if details is not None else None,
        )
        _, count = await self._run(
            f"INSERT INTO pending_actions ({PENDING_COLUMNS})"
            " SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, ?, NULL, NULL, ?, ?"
            " WHERE (SELECT COUNT(*) FROM pending_actions WHERE requested_by = ? AND status = 'pending'"
            " AND expires_at > ?) < ?",
            (*values, requested_by, now, per_requester if per_requester is not None else 2**62),
            undo=lambda _: ("DELETE FROM pending_actions WHERE id = ?", (action_id,)),
        )
        if count != 1:
            return None
        action = await self.pending(action_id)
        assert action is not None
        return action

    async def count_pending(self, *, requested_by: str | None = None) -> int:
        """Actions waiting for a decision (unexpired), all or one requester's."""
        query = "SELECT COUNT(*) FROM pending_actions WHERE status = 'pending' AND expires_at > ?"
        args: list[Any] = [time.time()]
        if requested_by is not None:
            query += " AND requested_by = ?"
            args.append(requested_by)
        rows, _ = await self._run(query, args)
        return int(rows[0][0])

    async def pending(self, action_id: str) -> PendingAction | None:
        rows, _ = await self._run(f"SELECT {PENDING_COLUMNS} FROM pending_actions WHERE id = ?", (action_id,))
        return self._pending_action(rows[0]) if rows else None

    async def pending_actions(
        self, *, include_decided: bool = False, limit: int = 50, offset: int = 0
    ) -> list[PendingAction]:
        """Waiting actions first (newest first), then, with `include_decided`, the decided and expired ones."""
        now = time.time()
        query = f"SELECT {PENDING_COLUMNS} FROM pending_actions"
        args: list[Any] = []
        if not include_decided:
            query += " WHERE status = 'pending' AND expires_at > ?"
            args.append(now)
        query += " ORDER BY CASE WHEN status = 'pending' AND expires_at > ? THEN 0 ELSE 1 END, created_at DESC"
        rows, _ = await self._run(query + " LIMIT ? OFFSET ?", [*args, now, limit, offset])
        return [self._pending_action(row) for row in rows]

    async def decided_actions(self, *, limit: int = 20) -> list[PendingAction]:
        """The most recently decided or expired actions, newest first."""
        rows, _ = await self._run(
            f"SELECT {PENDING_COLUMNS} FROM pending_actions WHERE status <> 'pending' OR expires_at <= ?"
            " ORDER BY COALESCE(decided_at, expires_at) DESC LIMIT ?",
            (time.time(), limit),
        )
        return [self._pending_action(row) for row in rows]

    async def add_approval(
        self, action_id: str, *, operator: str, name: str, at: float, note: str | None, signature: str
    ) -> bool:
        """Record one operator's signed approval of a pending, unexpired action; False when that operator
        (normalised name) already approved it or it is no longer pending. Atomic on every replica."""
        _, count = await self._run(
            f"INSERT INTO approvals ({APPROVAL_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?"
            " WHERE EXISTS (SELECT 1 FROM pending_actions WHERE id = ? AND status = 'pending' AND expires_at > ?)"
            " ON CONFLICT (action_id, operator) DO NOTHING",
            (action_id, operator, name, at, note, signature, action_id, at),
            undo=lambda result: (
                ("DELETE FROM approvals WHERE action_id = ? AND operator = ?", (action_id, operator))
                if result[1] == 1
                else None
            ),
        )
        return count == 1

    async def approvals(self, *action_ids: str) -> list[Approval]:
        """The approvals recorded for these actions, oldest first."""
        if not action_ids:
            return []
        marks = ", ".join("?" for _ in action_ids)
        rows, _ = await self._run(
            f"SELECT {APPROVAL_COLUMNS} FROM approvals WHERE action_id IN ({marks}) ORDER BY decided_at, operator",
            action_ids,
        )
        return [from_row(Approval, APPROVAL_COLUMNS, row) for row in rows]

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
