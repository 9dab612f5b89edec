"""The confirmation guard: a human says yes before any destructive vendor call.

Two paths, one decision:
- Elicitation (both protocol eras, via the SDK's Resolve/Elicit): the human sees the plan and
  answers a form with one required boolean `confirm`. Only accept + confirm=true proceeds.
- No elicitation: the first call returns `confirmation_required` with the plan and a sealed
  token; `confirm_action(confirmation_token)` performs exactly that call, once.

Tokens are signed (itsdangerous, key from settings or a per-install key file), carry the tool
name, the exact validated arguments, the vendor account key and a nonce, expire after
`confirm_ttl` seconds, and are single-use through the durable store.
"""

from __future__ import annotations

import fcntl
import os
import secrets as pysecrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from ..config import ConfigError
from ..vendorcall import secrets
from .files import private_dir, private_file
from .store import Store


class Confirm(BaseModel):
    """The elicitation form."""

    confirm: bool = Field(description="Tick to go ahead with exactly this change. Leave unticked to send nothing.")


@dataclass(frozen=True)
class TokenNeeded:
    """Resolver outcome for clients without elicitation: answer with a plan and a token."""

    plan: str
    digest: str  # of the requests the plan shows
    names: dict[str, Any] = field(default_factory=dict)  # what the plan read next to the ids (Plan.names)
    spend: list[dict[str, Any]] | None = None  # the plan's spend changes (how many approvals it needs)


@dataclass(frozen=True)
class NotNeeded:
    """Resolver outcome when these arguments are not destructive."""


@dataclass(frozen=True)
class AlreadySo:
    """Resolver outcome when the current state already equals the target: nothing to ask or send."""

    message: str


@dataclass(frozen=True)
class Grant:
    tool: str
    arguments: dict[str, Any]
    account: str
    nonce: str
    expires_at: float
    caller: str  # identity.caller() of whoever received the token
    pending: str | None = None  # out-of-band mode: the approval this token waits for
    digest: str | None = None  # of the exact requests the plan showed (confirm_action rebuilds and compares)


KEY_FILE = "confirm.key"


def load_key(configured: str | None, data_dir: Path) -> str:
    """The configured key (replicas share it), else a per-install random key kept 0600 on disk.

    Never signs with an empty, short or guessable key: a configured one is refused, a file one is replaced
    (under a lock, written to a temporary file, fsynced and renamed, so concurrent first starts
    agree on one complete key). Whoever signs with the key registers it for scrubbing while it lives.
    """
    if configured is not None:  # its length is checked with the settings (ADOPS_CONFIRM_KEY)
        return configured
    private_dir(data_dir)
    path = data_dir / KEY_FILE
    with _exclusive(data_dir / f"{KEY_FILE}.lock"):
        key = _read_key(path)
        if key is None:
            key = pysecrets.token_urlsafe(32)
            _write_atomic(path, key)
    private_file(path)
    return key


def _read_key(path: Path) -> str | None:
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        return None
    return None if secrets.weak_key(key) else key  # empty, short or guessable: never a signing key


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """An inter-process lock (flock) around reading and replacing the key file."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class Tokens:
    """Signed, expiring, single-use confirmation tokens.

    The expiry is carried inside the signed payload and checked beside the signature's age, so a
    restart with a longer ADOPS_CONFIRM_TTL cannot revive a token whose used-record was purged.
    """

    def __init__(self, key: str, store: Store, ttl: int) -> None:
        if problem := secrets.weak_key(key):
            raise ConfigError(f"The confirmation signing key (ADOPS_CONFIRM_KEY) {problem}.")
        tokens = self

        class Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(tokens.clock())

        self.key = key  # also signs out-of-band approval decisions (approvals.py)
        secrets.register(key, owner=self)
        self._serializer = URLSafeTimedSerializer(key, salt="adops-mcp/confirm/v1", signer=Signer)
        self._store = store
        self.ttl = ttl
        self.clock = time.time

    def issue(
        self,
        tool: str,
        arguments: dict[str, Any],
        account: str,
        caller: str,
        pending: str | None = None,
        digest: str | None = None,
    ) -> str:
        payload: dict[str, Any] = {
            "t": tool,
            "a": arguments,
            "acct": account,
            "c": caller,
            "n": pysecrets.token_urlsafe(12),
            "exp": int(self.clock()) + self.ttl,
            "d": digest,
        }
        if pending is not None:
            payload["p"] = pending
        return self._serializer.dumps(payload)

    def open(self, token: str) -> Grant:
        """Verify signature and age; raises ToolError with what went wrong (nothing is sent)."""
        expired = "This confirmation token has expired. Nothing was sent. Call the tool again to get a fresh plan."
        try:
            payload, signed_at = self._serializer.loads(token, max_age=self.ttl, return_timestamp=True)
        except SignatureExpired:
            raise ToolError(expired) from None
        except BadSignature:
            raise ToolError(
                "This confirmation token is not valid (altered, or issued by another server). Nothing was sent."
            ) from None
        if not _well_formed(payload):
            raise ToolError("This confirmation token is not valid. Nothing was sent.")
        if self.clock() > payload["exp"]:
            raise ToolError(expired)
        return Grant(
            tool=payload["t"],
            arguments=payload["a"],
            account=payload["acct"],
            nonce=payload["n"],
            expires_at=min(float(payload["exp"]), signed_at.timestamp() + self.ttl),
            caller=payload["c"],
            pending=payload.get("p"),
            digest=payload.get("d"),
        )

    async def spend(self, grant: Grant) -> None:
        """Mark the token used (kept until it expires, so it can never be accepted again)."""
        if not await self._store.use_token(grant.nonce, grant.expires_at, now=self.clock()):
            raise ToolError("This confirmation token was already used. Nothing was sent again.")

    def elicitation_deadline(self) -> float:
        """When a confirmation form asked now stops counting: between ttl/2 and ttl from now.

        A step function of the clock, so the 2026 protocol era (which re-runs the resolver when
        the answer arrives) renders the same question until the step changes, then asks again.
        """
        step = self.ttl / 2
        return (int(self.clock() // step) + 2) * step


def _well_formed(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("t"), str)
        and isinstance(payload.get("a"), dict)
        and isinstance(payload.get("acct"), str)
        and isinstance(payload.get("c"), str)
        and isinstance(payload.get("n"), str)
        and isinstance(payload.get("exp"), int)
        and isinstance(payload.get("p"), str | None)
        and isinstance(payload.get("d"), str | None)
    )


def approval_instructions(action_id: str, ttl: int, required: int = 1) -> str:
    minutes = max(1, ttl // 60)
    who = "a person" if required == 1 else f"{required} different people"
    return (
        f"Nothing has been sent yet. This server needs {who} to approve this change outside the chat "
        f"(approval id {action_id}, valid {minutes} min). Show the user this plan and tell them it waits for "
        f"{'an operator' if required == 1 else f'{required} operators'} to approve it on the server; do not try "
        "to approve it yourself. When the user says it was approved, call confirm_action with this "
        "confirmation_token (executes once)."
    )


def elicitation_message(plan: str, deadline: float) -> str:
    until = time.strftime("%H:%M:%S UTC", time.gmtime(deadline))
    return f"{plan}\n\nConfirm by {until} to go ahead. Decline or cancel and nothing is sent."


def token_instructions(ttl: int) -> str:
    minutes = max(1, ttl // 60)
    return (
        "Nothing has been sent yet. Show this plan to the user and ask them to confirm. Only if they "
        f"confirm, call confirm_action with this confirmation_token (valid {minutes} min, single use)."
    )
