"""adops_undo: the inverse of a recorded write, planned and confirmed as a change set (changesets.py).

The audit record keeps what the write changed, before -> after (read just before it was sent). Undo
reads the same values now: if they are back to "before", it was already undone and nothing is sent;
if they are no longer what the write left, someone changed them since and undo refuses, showing
both. Otherwise the vendor's inverse calls (`Vendor.reversals`) are planned like any change, each
recorded with `undoes` = the record it takes back. A change set id (cs-...) undoes every done write
of that set, newest first, as one set; one record's id undoes only that write.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import Field

from ..vendorcall.reversal import Change, Reversal, matches
from .adops_tools import UNDO
from .changesets import MAX_CHANGES, SET_TOOL, SetPlan, Spec, Waiting, plan_set, refused, set_tool
from .guard import AlreadySo
from .runtime import Runtime, tool_errors
from .store import AuditRecord, PendingAction, profile_of

SET_ID = re.compile(r"^cs-[0-9a-f]{8}$")

AUDIT_ID = Annotated[
    int | str,
    Field(description="The audit record id of the change, or a change set id (cs-...) to undo its whole set."),
]


def no_inverse(runtime: Runtime, record: AuditRecord) -> str | None:
    """Why a recorded write has no inverse, or None when it has one."""
    op = runtime.operation(record.tool)
    if op is None:
        return f"{record.tool} does not run on this server now: {runtime.why_not(record.tool)}"
    reversal = runtime.reversal(op)
    if isinstance(reversal, Reversal):
        return None
    if isinstance(reversal, str):
        return reversal
    name = record.tool
    if "_delete_" in name:
        return "a delete cannot be undone: what it deleted is gone"
    if "_create_" in name or "_add_" in name:
        return "undo does not delete what a create made; pause or delete it with the vendor's tools"
    if "report" in name or "stats" in name or "_send_" in name:
        return "a report, stats or event request changes no campaign state to put back"
    return f"{name} has no known inverse"


async def inverse_specs(runtime: Runtime, record: AuditRecord, ctx: Context[Any, Any] | None) -> list[Spec] | str:
    """The calls that take `record` back; "" when it is already undone; else why it cannot be undone."""
    where = f"audit record #{record.id} ({record.tool})"
    if record.status == "failed":
        return f"{where} failed: it changed nothing, so there is nothing to undo"
    if record.status != "ok":
        return f"{where} has outcome {record.status}: read the current state and change it directly"
    if (why := no_inverse(runtime, record)) is not None:
        return f"{where}: {why}"
    if not record.changes:
        return f"{where} kept no before values (recorded before undo existed, or nothing was read)"
    op = runtime.operation(record.tool)
    assert op is not None
    reversal = runtime.reversal(op)
    assert isinstance(reversal, Reversal)
    recorded = [Change(c["what"], c.get("before"), c.get("after")) for c in record.changes]
    profile = profile_of(record.account)
    with tool_errors():
        call = runtime.call(op, record.arguments, ctx, profile=profile)
        # The same values read now (the write's own "before" reading, as if it were sent again).
        current = {c.what: c.before for c in await reversal.changes(call)}
    now = {c.what: current.get(c.what) for c in recorded}
    if all(matches(now[c.what], c.before) for c in recorded):
        return ""
    changed = [c for c in recorded if not matches(now[c.what], c.after)]
    if changed:
        shown = "; ".join(f"{c.what}: the record left {c.after!r}, now {now[c.what]!r}" for c in changed)
        return f"{where}: someone changed it since ({shown}); undo would overwrite that, so it sends nothing"
    inverse = reversal.inverse(record.arguments, recorded)
    if isinstance(inverse, str):
        return f"{where}: {inverse}"
    return [Spec(tool, arguments, profile, record.id) for tool, arguments in inverse]


async def records_of(runtime: Runtime, audit_id: int | str) -> tuple[str, list[AuditRecord]]:
    """(what the plan calls it, the records to undo, newest first); an unknown id is an error naming it."""
    if isinstance(audit_id, str) and audit_id.strip().isdigit():
        audit_id = int(audit_id)
    if isinstance(audit_id, int):
        records = await runtime.store.audit(audit_id=audit_id, limit=1)
        if not records:
            raise ToolError(f"No audit record #{audit_id} (adops_audit_log lists the recent ones). Nothing was sent.")
        return f"Undo audit record #{audit_id} ({records[0].tool})", records
    if not SET_ID.match(audit_id):
        raise ToolError(
            f"Invalid arguments, nothing was sent. audit_id: {audit_id!r} is neither an audit record id (a number) "
            "nor a change set id (cs- and 8 hex digits)."
        )
    records = [r for r in await runtime.store.audit(change_set=audit_id, limit=MAX_CHANGES * 2) if r.status != "failed"]
    if not records:
        raise ToolError(f"No change set {audit_id} with a done change in the audit log. Nothing was sent.")
    return f"Undo change set {audit_id} ({len(records)} done changes, newest first)", records


async def plan_undo(runtime: Runtime, audit_id: int | str, ctx: Context[Any, Any] | None) -> SetPlan | AlreadySo:
    """The undo of a record (or of a change set's done records) as a change set, or why it sends nothing."""
    with tool_errors():
        headline, records = await records_of(runtime, audit_id)
    specs: list[Spec] = []
    reasons: list[str] = []
    undone: list[str] = []
    for record in records:
        found = await inverse_specs(runtime, record, ctx)
        if isinstance(found, list):
            specs += found
        elif found:
            reasons.append(found)
        else:
            undone.append(f"#{record.id}")
    if reasons:
        raise refused(reasons)
    if not specs:
        return AlreadySo(
            f"Already undone: audit record {', '.join(undone)} is back to its values before the change. "
            "Nothing was sent."
        )
    return await plan_set(runtime, specs, ctx, headline=headline + ":")


async def asked_in_console(runtime: Runtime, plan: SetPlan) -> PendingAction | None:
    """An undo of the same records an operator asked for in the console, still pending or approved."""
    wanted = {p.spec.undoes for p in plan.changes}
    for action in await runtime.store.pending_actions(include_decided=True, limit=100):
        changes = action.arguments.get("changes") if action.tool == SET_TOOL else None
        if action.status in ("pending", "approved") and changes and {c.get("undoes") for c in changes} == wanted:
            return action
    return None


def has_inverse(runtime: Runtime, record: AuditRecord) -> bool:
    """Whether the console offers "Undo" on this record (undo itself still checks the current state)."""
    return record.status == "ok" and bool(record.changes) and no_inverse(runtime, record) is None


def build_undo(runtime: Runtime) -> Tool:
    async def planner(ctx: Context[Any, Any], arguments: dict[str, Any]) -> SetPlan | AlreadySo | Waiting:
        plan = await plan_undo(runtime, arguments["audit_id"], ctx)
        if isinstance(plan, SetPlan) and (action := await asked_in_console(runtime, plan)) is not None:
            return Waiting(action)
        return plan

    return set_tool(runtime, UNDO, planner, "audit_id", AUDIT_ID, lambda a: MAX_CHANGES if SET_ID.match(str(a)) else 1)
