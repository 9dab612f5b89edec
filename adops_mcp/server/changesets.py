"""Change sets: several changes planned together, confirmed once, performed in order (adops_plan_changes).

A change set is N planned calls sealed under ONE confirmation: the set's digest covers every request of
every change, and the same three ways confirm it as a single change (the elicitation form, a token that
`confirm_action` redeems once, out-of-band approval). Every change is validated, checked by policy,
allowlists and caps, and planned before anyone is asked; one refusal refuses the whole set with each
reason, nothing sent. Performing stops at the first failure and reports each change: done, failed, or
not attempted, with how to undo what was done. Each write's audit record carries the set's id.

Reads are refused in a change set: a set is what a person confirms, and a read needs no confirmation
(call the read tool itself, before planning). `adops_undo` (undo.py) plans its inverse calls as a set too.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import secrets as pysecrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..profiles import vendor_profiles
from ..vendorcall.operation import Call
from ..vendorcall.request import digest, render
from ..vendorcall.results import WriteResult
from . import approvals, webhook
from .adops_tools import ADOPS_TOOLS, PLAN_CHANGES, AdopsTool
from .confirmation import (
    ELICITATION_DEADLINE,
    ELICITATION_ONLY,
    approval_state,
    supports_elicitation,
    too_many_waiting,
)
from .guard import (
    AlreadySo,
    Confirm,
    Grant,
    TokenNeeded,
    approval_instructions,
    elicitation_message,
    token_instructions,
)
from .identity import caller
from .runtime import CHANGED, Runtime, rehearse, tool_call, tool_errors
from .store import PendingAction, profile_of

SET_TOOL = PLAN_CHANGES.name  # the tool a change set's token and pending approval name
SET_ACCOUNT = "adops"  # a set's token is bound to each change's own account, inside its arguments
MAX_CHANGES = 50


class ChangeSpec(BaseModel):
    # One change of a set: a tool (listed or found with adops_find_tools) and its arguments. A comment, not a
    # docstring: the description would be in the schema every model reads.
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=64)
    arguments: dict[str, Any] = Field(default_factory=dict)


CHANGES = TypeAdapter(list[ChangeSpec])


@dataclass
class Spec:
    """A change as planned: the tool, its arguments, the account profile and the write it takes back."""

    name: str
    arguments: dict[str, Any]
    profile: str | None = None
    undoes: int | None = None


@dataclass
class Planned:
    spec: Spec
    call: Call
    text: str = ""
    digest: str | None = None  # of its requests; None when it is already so (nothing to send)


@dataclass
class SetPlan:
    changes: list[Planned]
    headline: str
    id: str = field(default_factory=lambda: "cs-" + pysecrets.token_hex(4))

    @property
    def text(self) -> str:
        blocks = [f"{i}. {p.text}" for i, p in enumerate(self.changes, 1)]
        return f"{self.headline}\n\n" + "\n\n".join(blocks)

    @property
    def digest(self) -> str:
        return set_digest([p.digest for p in self.changes])

    def payload(self) -> dict[str, Any]:
        """What the token (or the pending approval) carries: every change's validated arguments and account,
        and the digest of the requests the plan showed (a pending set's token is bound to it)."""
        return {
            "set": self.id,
            "digest": self.digest,
            "changes": [
                {
                    "name": p.call.op.name,
                    "arguments": p.call.params.model_dump(mode="json"),
                    "account": p.call.settings.account_key,
                    "undoes": p.spec.undoes,
                }
                for p in self.changes
            ],
        }


def set_digest(digests: list[str | None]) -> str:
    return hashlib.sha256(json.dumps(digests).encode()).hexdigest()


def refused(reasons: list[str]) -> ToolError:
    return ToolError("The change set was refused; nothing was sent.\n" + "\n".join(f"- {r}" for r in reasons))


def specs_of(changes: Any) -> list[Spec]:
    try:
        items = CHANGES.validate_python(changes)
    except ValidationError as exc:
        raise ToolError(f"Invalid arguments, nothing was sent. changes: {exc.errors()[0]['msg']}") from None
    if not 1 <= len(items) <= MAX_CHANGES:
        raise ToolError(f"Invalid arguments, nothing was sent. changes: give 1 to {MAX_CHANGES} changes.")
    return [Spec(c.name, c.arguments) for c in items]


def calls(runtime: Runtime, specs: list[Spec], ctx: Context[Any, Any] | None) -> list[Call]:
    """Every change validated and checked against the operator's policy, without a vendor call; refused whole."""
    built: list[Call] = []
    reasons: list[str] = []
    seen: dict[str, int] = {}
    for number, spec in enumerate(specs, 1):
        where = f"change {number} ({spec.name})"
        op = runtime.operation(spec.name)
        if spec.name in {t.name for t in ADOPS_TOOLS}:
            reasons.append(f"{where}: a change set holds vendor changes; the server's own tools cannot be one")
            continue
        if op is None:
            reasons.append(f"{where}: {runtime.why_not(spec.name)}")
            continue
        if op.effect == "read":
            reasons.append(f"{where}: a read changes nothing; call {spec.name} itself (sets hold changes only)")
            continue
        try:
            with tool_errors():
                call = runtime.call(op, spec.arguments, ctx, profile=spec.profile)
                runtime.policy_check(op, call)
        except ToolError as exc:
            reasons.append(f"{where}: {exc}")
            continue
        key = json.dumps([op.name, call.params.model_dump(mode="json"), call.settings.account_key], sort_keys=True)
        if key in seen:
            reasons.append(f"{where}: repeats change {seen[key]}")
            continue
        seen[key] = number
        built.append(call)
    if reasons:
        raise refused(reasons)
    return built


async def plan_set(runtime: Runtime, specs: list[Spec], ctx: Context[Any, Any] | None, headline: str = "") -> SetPlan:
    """Validate, check and plan every change (reading current state); any refusal refuses the whole set.
    `headline` goes before the plan's summary line."""
    planned = [Planned(spec, call) for spec, call in zip(specs, calls(runtime, specs, ctx), strict=True)]
    reasons: list[str] = []
    for number, change in enumerate(planned, 1):
        try:
            with tool_errors():
                if (already := await runtime.unchanged(change.call)) is not None:
                    change.text = f"{change.call.op.title}: {already}"
                    continue
                if change.call.op.plan is None:  # a write that needs no confirmation alone: still one of the set
                    await runtime.spend_check(change.call)
                    requests, facts = await rehearse(change.call)
                    change.text = f"{change.call.op.title}.\n\n{render(requests, facts)}"
                    change.digest = digest(requests, facts)
                    continue
                plan = await runtime.plan(change.call)
                change.text, change.digest = plan.text, plan.digest
        except ToolError as exc:
            reasons.append(f"change {number} ({change.call.op.name}): {exc}")
    if not reasons:
        reasons = set_spend_problems([p.call for p in planned], runtime)
    if reasons:
        raise refused(reasons)
    return SetPlan(planned, " ".join(filter(None, [headline, summary_line([p.call for p in planned])])))


def set_spend_problems(set_calls: list[Call], runtime: Runtime) -> list[str]:
    """ADOPS_MAX_BUDGET_INCREASE over the whole set: the net increase of every budget the set changes (a
    budget moved from one campaign to another adds nothing). Per change, the usual caps already applied."""
    cap = runtime.settings.max_budget_increase
    if cap is None:
        return []
    increase = sum(
        (c.new or 0.0) - (c.old or 0.0)
        for call in set_calls
        for c in call.state.get("spend_changes", [])
        if c.kind == "budget" and c.new is not None
    )
    if increase <= cap:
        return []
    return [
        f"the set raises budgets by {increase:g} in all, above the maximum increase {cap:g} "
        "(ADOPS_MAX_BUDGET_INCREASE applies to a change set as a whole)"
    ]


SCOPES = (("campaign_id", "campaign"), ("campaign_code", "campaign"), ("client_id", "client"))


def summary_line(set_calls: list[Call]) -> str:
    """The plan's first line, e.g. "Pause 5 Joveo job groups of campaign 123": each tool's calls counted."""
    groups: dict[str, list[Call]] = {}
    for call in set_calls:
        groups.setdefault(call.op.name, []).append(call)
    parts = []
    for group in groups.values():
        title, n = group[0].op.title, len(group)
        match = re.fullmatch(r"(\w+) an? ([\w ]+)", title)
        phrase = (
            f"{match[1]} {n} {_plural(match[2])}" if n > 1 and match else title + (f" ({n} times)" if n > 1 else "")
        )
        arguments = [c.params.model_dump(mode="json") for c in group]
        for key, noun in SCOPES:
            values = {str(a.get(key)) for a in arguments}
            if n > 1 and len(values) == 1 and None not in {a.get(key) for a in arguments}:
                phrase += f" of {noun} {values.pop()}"
                break
        parts.append(phrase)
    count = f"{len(set_calls)} changes, one confirmation: " if len(set_calls) > 1 else ""
    return count + "; ".join(parts) + "."


def _plural(noun: str) -> str:
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


async def perform_set(runtime: Runtime, planned: list[Planned], set_id: str, confirmed_by: str) -> WriteResult:
    """Perform the changes in order; stop at the first failure and say what was done and how to undo it."""
    outcomes: list[dict[str, Any]] = []
    for number, change in enumerate(planned, 1):
        entry: dict[str, Any] = {"change": number, "tool": change.call.op.name}
        try:
            with tool_errors():  # every failure of this change (vendor, store, a read before it) ends the set here
                result = await runtime.execute(
                    change.call,
                    confirmed_by=f"{confirmed_by} (change set {set_id})",
                    change_set=set_id,
                    undoes=change.spec.undoes,
                )
        except ToolError as exc:
            status = "unknown" if str(exc).startswith("Outcome unknown") else "failed"
            outcomes.append(entry | {"status": status, "message": str(exc)})
            outcomes += [
                {"change": n, "tool": p.call.op.name, "status": "not attempted"}
                for n, p in enumerate(planned[number:], number + 1)
            ]
            raise ToolError(failure_report(set_id, outcomes)) from None
        outcomes.append(entry | {"status": result.status, "message": result.message, "audit_id": result.audit_id})
    done = sum(o["status"] == "done" for o in outcomes)
    message = f"Change set {set_id}: {done} of {len(outcomes)} changes done"
    if done < len(outcomes):
        message += f" ({len(outcomes) - done} already so: nothing sent for them)"
    if done:
        message += f". Undo: adops_undo(audit_id={set_id!r}) for the set, or a change's audit_id for that one"
    return WriteResult(
        status="done" if done else "unchanged",
        message=message + ".",
        result={"change_set": set_id, "changes": outcomes},
    )


def failure_report(set_id: str, outcomes: list[dict[str, Any]]) -> str:
    """Each change's outcome (done, failed, unknown, not attempted) and how to take back what was done."""
    lines = [f"Change set {set_id} stopped at a failure:"]
    for o in outcomes:
        line = f"- change {o['change']} ({o['tool']}): {o['status']}"
        if o.get("audit_id"):
            line += f" (audit record #{o['audit_id']})"
        if o["status"] in ("failed", "unknown"):
            line += f": {o['message']}"
        lines.append(line)
    if any(o["status"] == "unknown" for o in outcomes):
        lines.append("Whether the failed change happened is unknown: read its current state before retrying.")
    if any(o["status"] == "done" for o in outcomes):
        lines.append(f"To take back what was done: adops_undo(audit_id={set_id!r}).")
    elif all(o["status"] != "unknown" for o in outcomes):
        lines.append("Nothing of the set was changed.")
    return "\n".join(lines)


# -- the tools' shared flow: plan -> confirm (form, token, approval) -> perform ---------------------------------


@dataclass(frozen=True)
class Waiting:
    """Resolver outcome: this set already waits for (or has) an operator's approval; answer its token."""

    action: PendingAction


Planner = Callable[[Context[Any, Any], dict[str, Any]], Awaitable["SetPlan | AlreadySo | Waiting"]]
SET_PLAN = "_adops_change_set"  # the plan the resolver made, for the tool body of the same request


async def resolve(
    runtime: Runtime, planner: Planner, ctx: Context[Any, Any], arguments: dict[str, Any], size: int
) -> Any:
    """The resolver's decision for a set of up to `size` changes: already so, an elicitation form, or a token
    plan."""
    with tool_call(runtime, size):
        mode = runtime.settings.confirm_mode
        if mode == "elicitation-only" and not supports_elicitation(ctx):
            raise ToolError(ELICITATION_ONLY)
        plan = await planner(ctx, arguments)
    if isinstance(plan, AlreadySo | Waiting):
        return plan
    setattr(ctx, SET_PLAN, plan)
    if mode != "out-of-band" and supports_elicitation(ctx):
        deadline = runtime.tokens.elicitation_deadline()
        setattr(ctx, ELICITATION_DEADLINE, deadline)
        return Elicit(elicitation_message(plan.text, deadline), Confirm)
    return TokenNeeded(plan.text, plan.digest)


async def perform(runtime: Runtime, ctx: Context[Any, Any], confirmation: Any) -> WriteResult:
    """The tool body once the person's answer is known: perform, hand out a token, or report a refusal."""
    data = getattr(confirmation, "data", None)
    if isinstance(data, AlreadySo):
        return WriteResult(status="unchanged", message=data.message)
    if isinstance(data, Waiting):
        note = "An operator already asked for exactly this in the approvals console. "
        return waiting_for_approval(runtime, ctx, data.action, note)
    plan: SetPlan | None = getattr(ctx, SET_PLAN, None)
    accepted = isinstance(confirmation, AcceptedElicitation)
    if accepted and isinstance(data, TokenNeeded) and plan is not None:
        with tool_call(runtime):
            return await hand_out(runtime, ctx, plan)
    if accepted and isinstance(data, Confirm) and data.confirm and plan is not None:
        if runtime.tokens.clock() > getattr(ctx, ELICITATION_DEADLINE, 0.0):
            return WriteResult(
                status="declined",
                message="The confirmation came after its deadline. Nothing was sent. Plan the changes again.",
            )
        with tool_call(runtime, len(plan.changes)):
            if await current_digest(runtime, plan.changes) != plan.digest:
                raise ToolError(CHANGED)
            return await perform_set(runtime, plan.changes, plan.id, "elicitation")
    action = getattr(confirmation, "action", "declined")
    return WriteResult(status="declined", message=f"The user did not confirm ({action}). Nothing was sent.")


async def current_digest(runtime: Runtime, planned: list[Planned]) -> str:
    """The set's digest from what each change would send now (the world may have changed since the plan)."""
    digests: list[str | None] = []
    for change in planned:
        call = change.call
        runtime.policy_check(call.op, call)
        if await runtime.unchanged(call) is not None:
            digests.append(None)
            continue
        if call.op.check is not None:
            await call.op.check(call)
        await runtime.spend_check(call)
        requests, facts = await rehearse(call)
        digests.append(digest(requests, facts))
        call.confirmed, call.facts = list(requests), facts  # if the set's digest holds, its send is bound to them
    if problems := set_spend_problems([p.call for p in planned], runtime):
        raise refused(problems)
    return set_digest(digests)


async def request_set_approval(runtime: Runtime, plan: SetPlan, requested_by: str) -> PendingAction:
    """The set as one pending change a person approves (`adops-mcp approve`, the console)."""
    action = await runtime.store.create_pending(
        vendor="+".join(sorted({p.call.op.vendor for p in plan.changes})),
        account=SET_ACCOUNT,
        tool=SET_TOOL,
        arguments=plan.payload(),
        plan=plan.text,
        expires_at=time.time() + runtime.tokens.ttl,
        requested_by=requested_by,
        required=approvals.required_for(runtime.settings, _set_spend(plan)),
        per_requester=runtime.settings.max_pending_per_requester,
    )
    if action is None:
        raise ToolError(too_many_waiting(runtime.settings.max_pending_per_requester, runtime.tokens.ttl))
    webhook.notify(runtime.settings, "approval_requested", action)
    return action


def _set_spend(plan: SetPlan) -> list[dict[str, Any]] | None:
    """Every change's spend changes; None (the full approval count) when one change has no amount read."""
    spend: list[dict[str, Any]] = []
    for change in plan.changes:
        entries = change.call.state.get("spend")
        if not entries:
            return None
        spend += entries
    return spend


def waiting_for_approval(
    runtime: Runtime, ctx: Context[Any, Any], action: PendingAction, note: str = ""
) -> WriteResult:
    """A pending set's plan and a token bound to it: confirm_action performs it once it is approved."""
    return WriteResult(
        status="pending_approval",
        message=note + approval_instructions(action.id, runtime.tokens.ttl),
        plan=action.plan,
        confirmation_token=runtime.tokens.issue(
            SET_TOOL,
            action.arguments,
            SET_ACCOUNT,
            caller(ctx),
            pending=action.id,
            digest=action.arguments.get("digest"),
        ),
        result={"change_set": action.arguments.get("set")},
    )


async def hand_out(runtime: Runtime, ctx: Context[Any, Any], plan: SetPlan) -> WriteResult:
    """A client without elicitation: the plan and one token for the whole set (or a pending approval)."""
    if runtime.settings.confirm_mode == "out-of-band":
        return waiting_for_approval(runtime, ctx, await request_set_approval(runtime, plan, caller(ctx)))
    payload = plan.payload()
    return WriteResult(
        status="confirmation_required",
        message=token_instructions(runtime.tokens.ttl),
        plan=plan.text,
        confirmation_token=runtime.tokens.issue(SET_TOOL, payload, SET_ACCOUNT, caller(ctx), digest=plan.digest),
        result={"change_set": plan.id},
    )


async def redeem(runtime: Runtime, grant: Grant, token: str, ctx: Context[Any, Any]) -> WriteResult:
    """confirm_action for a change set's token: every change rebuilt, re-checked and compared with the plan
    the person confirmed, the token spent once, then the changes performed in order."""
    payload = grant.arguments
    with tool_call(runtime, len(payload.get("changes") or [])):
        if await runtime.store.token_used(grant.nonce):  # said before "changed": a replay finds its own changes done
            raise ToolError("This confirmation token was already used. Nothing was sent again.")
        confirmed_by = "token"
        if grant.pending is not None:
            state = await approval_state(runtime, grant, token)
            if isinstance(state, WriteResult):
                return state
            confirmed_by = f"out-of-band approval {state.id} by {state.decided_by}"
        planned = []
        for item in payload.get("changes", []):
            op = runtime.operation(item["name"])
            profile = profile_of(item["account"])
            if op is None or profile not in vendor_profiles(runtime.settings, op.vendor):
                raise ToolError("This confirmation token names a change this server cannot make now. Nothing was sent.")
            call = runtime.call(op, item["arguments"], ctx, profile=profile)
            if call.settings.account_key != item["account"]:
                raise ToolError("This confirmation token was issued for another vendor account. Nothing was sent.")
            planned.append(Planned(Spec(op.name, item["arguments"], profile, item.get("undoes")), call))
        if not planned or await current_digest(runtime, planned) != grant.digest:
            raise ToolError(CHANGED)
        if grant.pending is not None and not await runtime.store.claim(grant.pending):
            raise ToolError("This approved change was already performed or has expired. Nothing was sent again.")
        await runtime.tokens.spend(grant)
        return await perform_set(runtime, planned, str(payload.get("set")), confirmed_by)


def set_tool(
    runtime: Runtime, record: AdopsTool, planner: Planner, argument: str, annotation: Any, size: Callable[[Any], int]
) -> Tool:
    """A server tool whose one argument plans a change set (of at most `size(argument)` changes, for its time
    budget): the confirmation resolver, then the body."""

    async def resolver(ctx: Context[Any, Any], **arguments: Any) -> Any:
        return await resolve(runtime, planner, ctx, arguments, size(arguments[argument]))

    async def tool(ctx: Context[Any, Any], confirmation: Any = None, **_: Any) -> WriteResult:
        return await perform(runtime, ctx, confirmation)

    ctx_param = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    _signature(resolver, [ctx_param, inspect.Parameter(argument, inspect.Parameter.KEYWORD_ONLY, annotation=Any)], Any)
    confirmation = Annotated[ElicitationResult[Confirm], Resolve(resolver)]
    params = [
        inspect.Parameter(argument, inspect.Parameter.KEYWORD_ONLY, annotation=annotation),
        ctx_param,
        inspect.Parameter("confirmation", inspect.Parameter.KEYWORD_ONLY, annotation=confirmation),
    ]
    tool.__name__ = record.name
    return record.tool(_signature(tool, params, WriteResult))


def _signature(fn: Any, params: list[inspect.Parameter], returns: Any) -> Any:
    """The SDK reads a tool's (and a resolver's) parameters from both its signature and its annotations."""
    fn.__signature__ = inspect.Signature(params, return_annotation=returns)
    fn.__annotations__ = {p.name: p.annotation for p in params} | {"return": returns}
    return fn


CHANGES_ARGUMENT = Annotated[
    list[ChangeSpec],
    Field(min_length=1, max_length=MAX_CHANGES, description="Changes in order: {name: tool, arguments: {...}}."),
]


def build_plan_changes(runtime: Runtime) -> Tool:
    async def planner(ctx: Context[Any, Any], arguments: dict[str, Any]) -> SetPlan | AlreadySo:
        plan = await plan_set(runtime, specs_of(arguments["changes"]), ctx)
        if all(p.digest is None for p in plan.changes):
            return AlreadySo("Every change is already so; nothing was sent.\n" + plan.text)
        return plan

    return set_tool(runtime, PLAN_CHANGES, planner, "changes", CHANGES_ARGUMENT, len)
