"""The rows of the state store as records: the audit log and the out-of-band approvals, and the schema."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

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
);
CREATE TABLE IF NOT EXISTS approvals (
    action_id TEXT NOT NULL,
    operator TEXT NOT NULL,
    name TEXT NOT NULL,
    decided_at {real} NOT NULL,
    note TEXT,
    signature TEXT NOT NULL,
    PRIMARY KEY (action_id, operator)
)
"""

# Columns added after the first release: (table, column, type), added to existing databases on open.
ADDED_COLUMNS = (
    ("pending_actions", "requested_by", "TEXT"),  # the MCP caller's name ("stdio" or the bearer token's name)
    ("pending_actions", "note", "TEXT"),  # the deciding operator's note
    ("audit", "spend", "TEXT"),  # JSON list of the budget changes the call makes (old -> new), when computed
    ("pending_actions", "signature", "TEXT"),  # HMAC of the decision under the install key (approvals.py)
    ("pending_actions", "required", "INTEGER"),  # distinct operators who must approve (ADOPS_APPROVALS_REQUIRED)
    ("pending_actions", "details", "TEXT"),  # JSON: names the plan read next to the ids, its spend changes
    ("audit", "changes", "TEXT"),  # JSON list of what the write changes, [{"what", "before", "after"}] (undo)
    ("audit", "change_set", "TEXT"),  # the change set the write belonged to (adops_plan_changes, adops_undo)
    ("audit", "undoes", "BIGINT"),  # the audit record this write took back (adops_undo)
)

PENDING_COLUMNS = (
    "id, created_at, expires_at, vendor, account, tool, arguments, plan, status, decided_at, decided_by,"
    " requested_by, note, signature, required, details"
)
APPROVAL_COLUMNS = "action_id, operator, name, decided_at, note, signature"
AUDIT_COLUMNS = (
    "id, created_at, finished_at, vendor, account, tool, method, path, arguments, confirmed_by, status, detail, spend,"
    " changes, change_set, undoes"
)
Record = TypeVar("Record", "AuditRecord", "PendingAction", "Approval")


def from_row(cls: type[Record], columns: str, row: Sequence[Any]) -> Record:
    """A record from a row selected by `columns`: matched by name, the JSON columns decoded."""
    values = dict(zip([c.strip() for c in columns.split(",")], row, strict=True))
    if "arguments" in values:
        values["arguments"] = json.loads(values["arguments"])
    for column in ("spend", "changes", "details"):
        if column in values:
            values[column] = json.loads(values[column]) if values[column] else None
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
    changes: list[dict[str, Any]] | None = None  # [{"what", "before", "after"}] read just before sending (undo)
    change_set: str | None = None  # the change set it belongs to
    undoes: int | None = None  # the record this write took back

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created_at)),
            "vendor": self.vendor,
            "profile": profile_of(self.account),
            "account": self.account,
            "tool": self.tool,
            "request": f"{self.method} {filled_path(self.path, self.arguments)}" if self.method else None,
            "arguments": {k: v for k, v in self.arguments.items() if v is not None},
            "changes": [_before_after(c) for c in self.changes if c.get("before") != c.get("after")]
            if self.changes
            else [_change(c) for c in self.spend or []],
            "confirmed_by": self.confirmed_by,
            "status": self.status,
            "detail": self.detail,
        } | {k: v for k, v in (("change_set", self.change_set), ("undoes", self.undoes)) if v is not None}


def filled_path(template: str | None, arguments: dict[str, Any]) -> str | None:
    """The recorded path template with the ids a person looks for: `{campaignId}` from `campaign_id` (display only;
    the record keeps the template, which the console matches against the reads that settle an outcome)."""
    if template is None:
        return None

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        found = arguments.get(name, arguments.get(snake))
        return str(found) if isinstance(found, str | int) and not isinstance(found, bool) else match.group(0)

    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", value, template)


def _change(change: dict[str, Any]) -> str:
    """`what: before -> after`, as the plan read it."""
    old = "nothing" if change.get("old") is None else f"{change['old']:g}"
    return f"{change.get('what')}: {old} -> {change.get('new'):g}"


def _before_after(change: dict[str, Any]) -> str:
    """`what: before -> after`, values as the vendor reports them."""

    def shown(value: Any) -> str:
        if value is None:
            return "not reported"
        if isinstance(value, float):
            return f"{value:g}"
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True)

    return f"{change.get('what')}: {shown(change.get('before'))} -> {shown(change.get('after'))}"


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
    required: int | None = None  # distinct operators who must approve (None: a row from before, one)
    details: dict[str, Any] | None = None  # {"names": {field: {"id", "name", "currency"}}, "spend": [...]}

    @property
    def profile(self) -> str:
        return profile_of(self.account)

    @property
    def approvals_required(self) -> int:
        return max(1, self.required or 1)

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
            "approvals_required": self.approvals_required,
        }


@dataclass
class Approval:
    """One operator's approval of a pending action (N of M: one row per distinct operator)."""

    action_id: str
    operator: str  # the name normalised (approvals.normal): one approval per person
    name: str  # as the operator gave it
    decided_at: float
    note: str | None
    signature: str  # approvals.approval_signature over the action and this approval
