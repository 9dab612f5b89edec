"""Out-of-band approval decisions: one function for every door (the CLI, the approvals console).

A decision is recorded with an HMAC under the install's signing key over everything it approves
(the action, its tool, account, arguments, plan and expiry, the decision, who made it, when and
the note). `confirm_action` performs an approved action only when that signature holds, so an
edited database row (an SQL UPDATE to `approved`, or to other arguments) is not an approval.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from .store import PendingAction, Store

_CONTEXT = b"adops-mcp/approval/v1\n"


def approval_signature(key: str, action: PendingAction, status: str, by: str, at: float, note: str | None) -> str:
    message = json.dumps(
        [
            action.id,
            status,
            by,
            at,
            note,
            action.vendor,
            action.account,
            action.tool,
            action.arguments,
            action.plan,
            action.expires_at,
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(key.encode(), _CONTEXT + message.encode(), hashlib.sha256).hexdigest()


def signed(key: str, action: PendingAction) -> bool:
    """Whether the action's recorded decision was made through `decide` with this key."""
    if action.decided_by is None or action.decided_at is None or action.signature is None:
        return False
    stored = "approved" if action.status in ("approved", "executed", "expired") else action.status
    expected = approval_signature(key, action, stored, action.decided_by, action.decided_at, action.note)
    return hmac.compare_digest(expected, action.signature)


async def decide(
    store: Store, key: str, action_id: str, approve: bool, by: str, note: str | None = None
) -> PendingAction | None:
    """Approve or deny a pending, unexpired action, once; returns it as it now stands (None if unknown).

    The caller checks the returned status and `decided_by`: a decision already taken is final."""
    action = await store.pending(action_id)
    if action is None:
        return None
    status = "approved" if approve else "denied"
    at = time.time()
    signature = approval_signature(key, action, status, by, at, note)
    return await store.decide(action_id, status=status, by=by, at=at, note=note, signature=signature)
