"""Out-of-band approval decisions: one function for every door (the CLI, the approvals console).

N of M: a change waits for `required` distinct operators (ADOPS_APPROVALS_REQUIRED, or one for a small
change under ADOPS_APPROVALS_REQUIRED_ABOVE), none of them the requester while four-eyes is on
(ADOPS_CONSOLE_FOUR_EYES). Names are compared after normalisation (`normal`: NFKC, casefold, trimmed),
so `Bob` cannot approve what `bob` asked for, and one operator's second approval does not count twice.
Each approval is its own row in the shared store, so the count survives restarts and spans replicas.
One denial ends the change.

Every approval, and the final decision, carries an HMAC under the install's signing key over
everything it approves (the action, its tool, account, arguments, plan, expiry, how many approvals it
needs and who asked; the decision, who made it, when and the note). `confirm_action` performs an
approved action only when the decision's signature holds and enough distinct approvals verify, so an
edited database row (an SQL UPDATE to `approved`, or to other arguments) is not an approval.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .store import Approval, PendingAction, Store

if TYPE_CHECKING:
    from ..config import Settings

_CONTEXT = b"adops-mcp/approval/v2\n"
MIN_KEY = 32  # guard.MIN_KEY_LENGTH: never sign with an empty or short key


def normal(name: str | None) -> str:
    """A person's name as compared: NFKC, case-folded, trimmed (`Bob`, ` bob ` and a full-width `bob` are one)."""
    return unicodedata.normalize("NFKC", name or "").casefold().strip()


def required_for(settings: Settings, spend: list[dict[str, Any]] | None) -> int:
    """How many distinct operators must approve a change whose plan read these spend changes.

    ADOPS_APPROVALS_REQUIRED for every change, unless ADOPS_APPROVALS_REQUIRED_ABOVE is set and the change
    sets amounts that were all read and raise budgets by at most that much in total: then one. A change
    with no amount (a pause, an activation, a delete), a bid, or an amount that could not be judged needs
    the full count: its spend is not known to be small."""
    full = settings.approvals_required
    limit = settings.approvals_required_above
    if limit is None or full == 1 or not spend:
        return full
    increase = 0.0
    for change in spend:
        new, old = change.get("new"), change.get("old")
        if change.get("kind", "budget") != "budget" or not isinstance(new, int | float) or not math.isfinite(new):
            return full
        increase += max(0.0, float(new) - float(old or 0.0))
    return 1 if increase <= limit else full


def approval_signature(key: str, action: PendingAction, status: str, by: str, at: float, note: str | None) -> str:
    if len(key) < MIN_KEY:
        raise ValueError("Refusing to sign an approval with an empty or short key (ADOPS_CONFIRM_KEY / confirm.key).")
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
            action.approvals_required,
            action.requested_by,
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(key.encode(), _CONTEXT + message.encode(), hashlib.sha256).hexdigest()


def _matches(key: str, action: PendingAction, status: str, by: str, at: float, note: str | None, sig: str) -> bool:
    try:
        expected = approval_signature(key, action, status, by, at, note)
    except ValueError:
        return False
    return hmac.compare_digest(expected, sig)


def signed(key: str, action: PendingAction) -> bool:
    """Whether the action's recorded decision was made through `decide` with this key."""
    if action.decided_by is None or action.decided_at is None or action.signature is None:
        return False
    stored = "approved" if action.status in ("approved", "executed", "expired") else action.status
    return _matches(key, action, stored, action.decided_by, action.decided_at, action.note, action.signature)


def counted(key: str, action: PendingAction, approvals: list[Approval], four_eyes: bool) -> list[Approval]:
    """The approvals that count: signed with this key for this very action, one per person, never the
    requester's own while four-eyes is on."""
    seen: dict[str, Approval] = {}
    requester = normal(action.requested_by)
    for approval in approvals:
        person = normal(approval.name)
        if approval.operator != person or person in seen or (four_eyes and person == requester):
            continue
        if _matches(key, action, "approved", approval.name, approval.decided_at, approval.note, approval.signature):
            seen[person] = approval
    return list(seen.values())


def approved(key: str, action: PendingAction, approvals: list[Approval], four_eyes: bool) -> bool:
    """Whether an `approved` action may be performed: its decision signed and enough approvals verified."""
    return signed(key, action) and len(counted(key, action, approvals, four_eyes)) >= action.approvals_required


@dataclass(frozen=True)
class Decision:
    """What a person's approve or deny did: `recorded` is False when it changed nothing (`message` says why)."""

    action: PendingAction | None
    recorded: bool
    message: str
    approvals: int = 0  # approvals that count so far

    @property
    def final(self) -> bool:
        return self.action is not None and self.action.status != "pending"


def _final(action_id: str, state: str) -> str:
    return f"Change {action_id} is already {state}: a decision is final. Nothing was changed."


def _waiting(action: PendingAction, count: int) -> str:
    more = action.approvals_required - count
    return (
        f"{count} of {action.approvals_required} approvals recorded for {action.tool} ({action.id}); "
        f"{more} more operator{'' if more == 1 else 's'} (not the requester) must approve before it can be performed."
    )


async def decide(
    store: Store,
    key: str,
    action_id: str,
    approve: bool,
    by: str,
    note: str | None = None,
    *,
    four_eyes: bool = True,
) -> Decision:
    """Approve or deny a pending, unexpired action as operator `by`: the one decision every door takes.

    A denial is final. An approval is recorded once per person; the one that completes the count marks the
    action approved (the waiting `confirm_action` then performs it, once)."""
    if len(key) < MIN_KEY:
        raise ValueError("Refusing to sign an approval with an empty or short key (ADOPS_CONFIRM_KEY / confirm.key).")
    action = await store.pending(action_id)
    if action is None:
        return Decision(None, False, f"No pending change with id {action_id}. Nothing was changed.")
    if action.status != "pending":
        return Decision(action, False, _final(action_id, action.status))
    name = by.strip()
    if not normal(name):
        return Decision(action, False, "An approval needs the operator's name. Nothing was changed.")
    at = time.time()
    if not approve:
        final = await store.decide(
            action_id,
            status="denied",
            by=name,
            at=at,
            note=note,
            signature=approval_signature(key, action, "denied", name, at, note),
        )
        if final is None or final.status != "denied" or final.decided_by != name:
            state = final.status if final else "gone"
            return Decision(final, False, _final(action_id, state))
        return Decision(final, True, f"Denied {action.tool} ({action_id}). Nothing will be sent to the vendor.")
    if four_eyes and normal(name) == normal(action.requested_by):
        return Decision(
            action,
            False,
            f"{name} asked for this change: another operator has to approve it (four-eyes rule, "
            "ADOPS_CONSOLE_FOUR_EYES). Nothing was changed.",
        )
    signature = approval_signature(key, action, "approved", name, at, note)
    if not await store.add_approval(action_id, operator=normal(name), name=name, at=at, note=note, signature=signature):
        now = await store.pending(action_id)
        if now is not None and now.status == "pending":
            votes = counted(key, now, await store.approvals(action_id), four_eyes)
            return Decision(
                now,
                False,
                f"{name} already approved this change: an operator's second approval does not count. "
                + _waiting(now, len(votes)),
                len(votes),
            )
        state = now.status if now else "gone"
        return Decision(now, False, _final(action_id, state))
    votes = counted(key, action, await store.approvals(action_id), four_eyes)
    if len(votes) < action.approvals_required:
        return Decision(action, True, f"Approved by {name}. " + _waiting(action, len(votes)), len(votes))
    # The approval that completes the count seals the decision: who approved, with their notes.
    names = ", ".join(v.name for v in votes)
    notes = [v for v in votes if v.note]
    joined = note if len(votes) == 1 else ("; ".join(f"{v.name}: {v.note}" for v in notes) if notes else None)
    final = await store.decide(
        action_id,
        status="approved",
        by=names,
        at=at,
        note=joined,
        signature=approval_signature(key, action, "approved", names, at, joined),
    )
    if final is None or final.status != "approved":
        state = final.status if final else "gone"
        return Decision(final, False, _final(action_id, state))
    return Decision(
        final,
        True,
        f"Approved {action.tool} ({action_id}) by {final.decided_by}. The assistant performs it, once, when it "
        "calls confirm_action.",
        len(votes),
    )
