"""Human confirmation of a guarded operation, which the model cannot give itself.

Three ways: the client's elicitation form (`ask_confirmation`), a plan with a signed
confirmation_token that `confirm_action` redeems once (`perform`), or out-of-band approval where a
person decides outside the chat (`request_approval`, `approval_state`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, cast

from mcp.server.mcpserver import (
    AcceptedElicitation,
    Context,
    Elicit,
)
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import Field

from ..profiles import vendor_profiles
from ..vendorcall.operation import Call, Operation
from ..vendorcall.results import WriteResult
from . import approvals, webhook
from .adops_tools import CONFIRM_ACTION, PLAN_CHANGES
from .guard import (
    AlreadySo,
    Confirm,
    Grant,
    NotNeeded,
    TokenNeeded,
    approval_instructions,
    elicitation_message,
    token_instructions,
)
from .identity import caller
from .runtime import Runtime, confirm_unchanged, tool_call
from .store import PendingAction, profile_of


def supports_elicitation(ctx: Context[Any, Any]) -> bool:
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


async def ask_confirmation(runtime: Runtime, op: Operation, arguments: dict[str, Any], ctx: Context[Any, Any]) -> Any:
    """The resolver's decision: no confirmation needed, an elicitation form, or a token plan."""
    with tool_call(runtime):
        call = runtime.call(op, arguments, ctx)
        if not op.needs_confirmation(call.params):
            return NotNeeded()
        runtime.policy_check(op, call)
        if (already := await runtime.unchanged(call)) is not None:
            return AlreadySo(already)
        mode = runtime.settings.confirm_mode
        if mode == "elicitation-only" and not supports_elicitation(ctx):
            raise ToolError(ELICITATION_ONLY)
        plan = await runtime.plan(call)
    if mode != "out-of-band" and supports_elicitation(ctx):  # out-of-band: only `adops-mcp approve` counts
        deadline = runtime.tokens.elicitation_deadline()
        setattr(ctx, ELICITATION_DEADLINE, deadline)  # the same Context reaches the tool body
        setattr(ctx, PLAN_DIGEST, plan.digest)
        return Elicit(elicitation_message(plan.text, deadline), Confirm)
    return TokenNeeded(plan.text, plan.digest, names=plan.names, spend=plan.spend)


ELICITATION_DEADLINE = "_adops_elicitation_deadline"
PLAN_DIGEST = "_adops_plan_digest"


async def request_approval(runtime: Runtime, call: Call, planned: TokenNeeded) -> WriteResult:
    """Out-of-band mode: record a pending action people approve (`adops-mcp approve`, or the console)."""
    arguments = call.params.model_dump(mode="json")
    account = call.settings.account_key
    settings = runtime.settings
    action = await runtime.store.create_pending(
        vendor=call.op.vendor,
        account=account,
        tool=call.op.name,
        arguments=arguments,
        plan=planned.plan,
        expires_at=time.time() + runtime.tokens.ttl,
        requested_by=caller(call.ctx),
        required=approvals.required_for(settings, planned.spend),
        per_requester=settings.max_pending_per_requester,
        details={"names": planned.names, "spend": planned.spend},
    )
    if action is None:
        raise ToolError(too_many_waiting(settings.max_pending_per_requester, runtime.tokens.ttl))
    webhook.notify(settings, "approval_requested", action)
    runtime.telemetry.confirmation("requested")
    return WriteResult(
        status="pending_approval",
        message=approval_instructions(action.id, runtime.tokens.ttl, action.approvals_required),
        plan=planned.plan,
        confirmation_token=runtime.tokens.issue(
            call.op.name, arguments, account, caller(call.ctx), pending=action.id, digest=planned.digest
        ),
        account=call.settings.profile,
    )


def too_many_waiting(limit: int, ttl: int) -> str:
    """The refusal when a caller already has `limit` changes waiting for approval."""
    return (
        f"Not queued: you already have {limit} changes waiting for an operator's approval, the most this server "
        "accepts from one caller (ADOPS_MAX_PENDING_PER_REQUESTER). Nothing was sent. Do not ask again now: tell "
        "the user which changes are waiting and ask them to have an operator approve or deny them; a waiting "
        f"change expires after {max(1, ttl // 60)} min."
    )


async def approval_state(runtime: Runtime, grant: Grant, token: str) -> WriteResult | PendingAction:
    """For a pending-approval token: the approved action, a waiting result while pending, else refused."""
    assert grant.pending is not None
    action = await runtime.store.pending(grant.pending)
    if action is None or (action.tool, action.account, action.arguments) != (
        grant.tool,
        grant.account,
        grant.arguments,
    ):
        raise ToolError("This confirmation token names no pending approval on this server. Nothing was sent.")
    if action.status == "pending":
        instructions = approval_instructions(action.id, runtime.tokens.ttl, action.approvals_required)
        return WriteResult(
            status="pending_approval",
            message=f"Not approved yet. {instructions}",
            plan=action.plan,
            confirmation_token=token,
            account=action.profile,
        )
    if action.status == "approved":
        votes = await runtime.store.approvals(action.id)
        if not approvals.approved(runtime.tokens.key, action, votes, runtime.settings.console_four_eyes):
            raise ToolError(
                "This approval is not signed by this server (the record was edited, or approved elsewhere). "
                "Nothing was sent."
            )
        return action
    refusal = {
        "denied": f"A person ({action.decided_by}) denied this change. Nothing was sent.",
        "expired": "The approval window for this change has expired. Nothing was sent. Call the tool again to "
        "request a new approval.",
        "executed": "This approved change was already performed. Nothing was sent again.",
    }
    raise ToolError(refusal.get(action.status, "This change cannot be performed. Nothing was sent."))


OUT_OF_BAND_ONLY = (
    "This server requires a person to approve changes outside the chat (ADOPS_CONFIRM_MODE=out-of-band); this "
    "token carries no such approval. Nothing was sent. Call the tool again to request an approval."
)


ELICITATION_ONLY = (
    "This server only accepts changes confirmed in the client's own confirmation form (ADOPS_CONFIRM_MODE="
    "elicitation-only), and this client cannot show one. Nothing was sent. Use a client that supports MCP "
    "elicitation, or ask the operator."
)


async def perform(
    runtime: Runtime, op: Operation, arguments: dict[str, Any], ctx: Context[Any, Any], confirmation: Any
) -> Any:
    """Run `op` once the guard's outcome is known: execute, hand out a token, or report a refusal."""
    with tool_call(runtime):
        call = runtime.call(op, arguments, ctx)
        if not op.guarded or isinstance(getattr(confirmation, "data", None), NotNeeded):
            return await runtime.execute(call, confirmed_by="not required")
        if isinstance(getattr(confirmation, "data", None), AlreadySo):
            return WriteResult(status="unchanged", message=confirmation.data.message, account=call.settings.profile)
        if isinstance(confirmation, AcceptedElicitation) and isinstance(confirmation.data, TokenNeeded):
            if runtime.settings.confirm_mode == "out-of-band":
                return await request_approval(runtime, call, confirmation.data)
            token = runtime.tokens.issue(
                op.name,
                call.params.model_dump(mode="json"),
                call.settings.account_key,
                caller(ctx),
                digest=confirmation.data.digest,
            )
            runtime.telemetry.confirmation("requested")
            return WriteResult(
                status="confirmation_required",
                message=token_instructions(runtime.tokens.ttl),
                plan=confirmation.data.plan,
                confirmation_token=token,
                account=call.settings.profile,
            )
        if (
            isinstance(confirmation, AcceptedElicitation)
            and isinstance(confirmation.data, Confirm)
            and confirmation.data.confirm
        ):
            if runtime.tokens.clock() > getattr(ctx, ELICITATION_DEADLINE, 0.0):
                runtime.telemetry.confirmation("expired")
                return WriteResult(
                    status="declined",
                    message=f"The confirmation came after its deadline. Nothing was sent to {op.vendor}. "
                    "Call the tool again to get a fresh plan.",
                    account=call.settings.profile,
                )
            await confirm_unchanged(call, getattr(ctx, PLAN_DIGEST, None))
            runtime.telemetry.confirmation("confirmed")
            return await runtime.execute(call, confirmed_by="elicitation")
        action = getattr(confirmation, "action", "declined")
        runtime.telemetry.confirmation("declined")
        return WriteResult(
            status="declined",
            message=f"The user did not confirm ({action}). Nothing was sent to {op.vendor}.",
            account=call.settings.profile,
        )


# confirm_action for a change set's token (changesets.redeem, handed in by app.py: it builds on this module)
SetRedeemer = Callable[[Runtime, Grant, str, Context[Any, Any]], Awaitable[WriteResult]]


def build_confirm_action(runtime: Runtime, redeem_set: SetRedeemer | None = None) -> Tool:
    async def confirm_action(
        confirmation_token: Annotated[
            str, Field(description="The confirmation_token from a confirmation_required result.", max_length=65536)
        ],
        ctx: Context[Any, Any],
    ) -> WriteResult:
        if runtime.settings.read_only:
            raise ToolError("The server runs read-only: no change can be made. Nothing was sent.")
        if runtime.settings.confirm_mode == "elicitation-only":
            raise ToolError(ELICITATION_ONLY)
        grant = runtime.tokens.open(confirmation_token)
        if grant.caller != caller(ctx):
            raise ToolError(
                "This confirmation token was issued to another client (another bearer identity). Nothing was sent."
            )
        if runtime.settings.confirm_mode == "out-of-band" and grant.pending is None:
            raise ToolError(OUT_OF_BAND_ONLY)
        if grant.tool == PLAN_CHANGES.name and redeem_set is not None:
            return await redeem_set(runtime, grant, confirmation_token, ctx)
        op = runtime.operation(grant.tool)
        if op is None or not op.guarded:
            raise ToolError("This confirmation token names a tool this server does not offer. Nothing was sent.")
        with tool_call(runtime):
            profile = profile_of(grant.account)
            if profile not in vendor_profiles(runtime.settings, op.vendor):
                raise ToolError("This confirmation token was issued for another vendor account. Nothing was sent.")
            call = runtime.call(op, grant.arguments, ctx, profile=profile)
            if grant.account != call.settings.account_key:
                raise ToolError("This confirmation token was issued for another vendor account. Nothing was sent.")
            confirmed_by = "token"
            if grant.pending is not None:
                state = await approval_state(runtime, grant, confirmation_token)
                if isinstance(state, WriteResult):
                    return state  # still waiting for the person
                confirmed_by = f"out-of-band approval {state.id} by {state.decided_by}"
            runtime.policy_check(op, call)
            if op.check is not None:
                await op.check(call)  # the world may have changed since the plan
            await runtime.spend_check(call)
            await confirm_unchanged(call, grant.digest)
            if grant.pending is not None and not await runtime.store.claim(grant.pending):
                raise ToolError("This approved change was already performed or has expired. Nothing was sent again.")
            await runtime.tokens.spend(grant)
            runtime.telemetry.confirmation("confirmed")
            # guarded operations are writes, and execute answers a write with a WriteResult
            return cast(WriteResult, await runtime.execute(call, confirmed_by=confirmed_by))

    return CONFIRM_ACTION.tool(confirm_action)
