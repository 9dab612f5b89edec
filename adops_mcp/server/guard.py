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

import os
import secrets as pysecrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from ..vendorcall import secrets
from .store import Store


class Confirm(BaseModel):
    """The elicitation form."""

    confirm: bool = Field(description="Tick to go ahead with exactly this change. Leave unticked to send nothing.")


@dataclass(frozen=True)
class TokenNeeded:
    """Resolver outcome for clients without elicitation: answer with a plan and a token."""

    plan: str


@dataclass(frozen=True)
class NotNeeded:
    """Resolver outcome when these arguments are not destructive."""


@dataclass(frozen=True)
class Grant:
    tool: str
    arguments: dict[str, Any]
    account: str
    nonce: str
    expires_at: float
    pending: str | None = None  # out-of-band mode: the approval this token waits for


def load_key(configured: str | None, data_dir: Path) -> str:
    """The configured key (replicas share it), else a per-install random key kept 0600 on disk."""
    if configured:
        return configured
    path = data_dir / "confirm.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(pysecrets.token_urlsafe(32))
    key = path.read_text().strip()
    secrets.register(key)
    return key


class Tokens:
    def __init__(self, key: str, store: Store, ttl: int) -> None:
        tokens = self

        class Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(tokens.clock())

        self._serializer = URLSafeTimedSerializer(key, salt="adops-mcp/confirm/v1", signer=Signer)
        self._store = store
        self.ttl = ttl
        self.clock = time.time

    def issue(self, tool: str, arguments: dict[str, Any], account: str, pending: str | None = None) -> str:
        payload = {"t": tool, "a": arguments, "acct": account, "n": pysecrets.token_urlsafe(12)}
        if pending is not None:
            payload["p"] = pending
        return self._serializer.dumps(payload)

    def open(self, token: str) -> Grant:
        """Verify signature and age; raises ToolError with what went wrong (nothing is sent)."""
        try:
            payload, signed_at = self._serializer.loads(token, max_age=self.ttl, return_timestamp=True)
        except SignatureExpired:
            raise ToolError(
                "This confirmation token has expired. Nothing was sent. Call the tool again to get a fresh plan."
            ) from None
        except BadSignature:
            raise ToolError(
                "This confirmation token is not valid (altered, or issued by another server). Nothing was sent."
            ) from None
        if not isinstance(payload, dict) or not {"t", "a", "acct", "n"} <= payload.keys():
            raise ToolError("This confirmation token is not valid. Nothing was sent.")
        return Grant(
            tool=payload["t"],
            arguments=payload["a"],
            account=payload["acct"],
            nonce=payload["n"],
            expires_at=signed_at.timestamp() + self.ttl,
            pending=payload.get("p"),
        )

    def spend(self, grant: Grant) -> None:
        if not self._store.use_token(grant.nonce, grant.expires_at):
            raise ToolError("This confirmation token was already used. Nothing was sent again.")


def approval_instructions(action_id: str, ttl: int) -> str:
    minutes = max(1, ttl // 60)
    return (
        f"Nothing has been sent yet. This server needs a person to approve this change outside the chat: ask "
        f"the user to run `adops-mcp approve {action_id}` (or `adops-mcp deny {action_id}`) where the server "
        f"runs, and show them this plan. After they approve, call confirm_action with this confirmation_token "
        f"(valid {minutes} min, executes once)."
    )


def elicitation_message(plan: str) -> str:
    return f"{plan}\n\nConfirm to go ahead. Decline or cancel and nothing is sent."


def token_instructions(ttl: int) -> str:
    minutes = max(1, ttl // 60)
    return (
        "Nothing has been sent yet. Show this plan to the user and ask them to confirm. Only if they "
        f"confirm, call confirm_action with this confirmation_token (valid {minutes} min, single use)."
    )
