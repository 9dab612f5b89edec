"""Turns operation records into MCP tools and resources, with the guard and the audit log.

`Runtime` owns what calls need at run time (settings, vendor clients, store, tokens);
`build_tool` synthesizes one typed tool per operation; `execute` is the single path every vendor
call takes, so policy, audit and error mapping cannot be skipped.
"""

from __future__ import annotations

import functools
import inspect
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import anyio
from mcp.server.mcpserver import (
    AcceptedElicitation,
    Context,
    Elicit,
    ElicitationResult,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.resolve import build_resolver_plans, find_resolved_parameters
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.shared.exceptions import MCPError
from mcp.types import ToolAnnotations
from mcp_types import INVALID_PARAMS
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ..config import Settings, VendorSettings
from ..profiles import vendor_profiles
from ..tools.diagnosis import Diagnosis
from ..vendorcall import secrets
from ..vendorcall.http import VendorClient, VendorError, call_budget
from ..vendorcall.operation import Call, Operation
from ..vendorcall.request import UnsafeId
from ..vendorcall.results import WriteResult
from ..vendorcall.sanitize import clean, clean_model
from . import approvals, policy, webhook
from .adops_tools import CONFIRM_ACTION
from .guard import (
    Confirm,
    Grant,
    NotNeeded,
    TokenNeeded,
    Tokens,
    approval_instructions,
    elicitation_message,
    token_instructions,
)
from .identity import caller
from .store import PendingAction, Store, StoreUnavailable, profile_of

STORE_DOWN = "the shared state store is unavailable: nothing was sent"


def annotations_for(op: Operation) -> ToolAnnotations:
    """All four hints, explicitly, derived from the effect."""
    return ToolAnnotations(
        title=op.title,
        read_only_hint=op.effect == "read",
        destructive_hint=op.effect == "destructive",
        idempotent_hint=op.is_idempotent,
        open_world_hint=True,
    )


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:8]:
        where = ".".join(str(p) for p in error["loc"]) or "arguments"
        parts.append(f"{where}: {error['msg']}")
    return "Invalid arguments, nothing was sent. " + "; ".join(parts)


class InvalidArguments(ToolError):
    """Arguments refused before anything was sent."""


@contextmanager
def tool_errors() -> Iterator[None]:
    """Vendor and validation failures become short `is_error` results the model can act on."""
    try:
        yield
    except VendorError as exc:
        raise ToolError(exc.message) from None
    except ValidationError as exc:
        raise InvalidArguments(secrets.scrub(describe_validation(exc))) from None
    except UnsafeId as exc:  # an id from the settings or a vendor answer that cannot be one path segment
        raise InvalidArguments(secrets.scrub(f"Invalid arguments, nothing was sent. {exc}")) from None
    except StoreUnavailable as exc:  # outcomes are settled without raising: this is always before sending
        raise ToolError(f"Refused: {STORE_DOWN} ({exc.cause}). Try again shortly.") from None


@dataclass(eq=False)
class Watch:
    """A running tool call the server can stop at shutdown; `audit_id` once its write was recorded."""

    scope: anyio.CancelScope
    audit_id: int | None = None


_watch: ContextVar[Watch | None] = ContextVar("adops_tool_call", default=None)


@contextmanager
def tool_call(runtime: Runtime) -> Iterator[None]:
    """One tool call: failures as short results, one time budget (ADOPS_TIMEOUT), and a clear error
    instead of a dropped response when the server shuts down while it runs."""
    if _watch.get() is not None:  # already inside a tool call (adops_call_tool)
        with tool_errors():
            yield
        return
    if runtime.stopping:
        raise ToolError("The server is shutting down: nothing was sent. Try again in a moment.")
    with tool_errors(), call_budget(runtime.settings.timeout), anyio.CancelScope() as scope:
        watch = Watch(scope)
        token = _watch.set(watch)
        runtime.in_flight.add(watch)
        try:
            yield
        finally:
            runtime.in_flight.discard(watch)
            _watch.reset(token)
    if not scope.cancelled_caught:
        return
    if watch.audit_id is not None:
        raise ToolError(
            f"Outcome unknown (audit record #{watch.audit_id}): the server is shutting down and stopped waiting "
            "for the vendor's answer. Read the current state before retrying."
        )
    raise ToolError("The server is shutting down: this call was stopped and nothing was changed. Try again shortly.")


@dataclass
class Runtime:
    settings: Settings
    store: Store
    tokens: Tokens
    clients: dict[str, VendorClient]  # each vendor's default account
    operations: dict[str, Operation] = field(default_factory=dict)
    profile_clients: dict[tuple[str, str], VendorClient] = field(default_factory=dict)  # (vendor, profile)
    in_flight: set[Watch] = field(default_factory=set)  # tool calls running now
    stopping: bool = False

    def stop_calls(self) -> None:
        """Shutdown: every tool call still running ends now with a clear error (a write: outcome unknown)."""
        self.stopping = True
        for watch in list(self.in_flight):
            watch.scope.cancel()

    listed: set[str] = field(default_factory=set)  # the tools clients see in tools/list

    def suggest(self, tool: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]] | str:
        """A call to suggest to the model, as it can make it here: (tool, arguments), or why it cannot run."""
        if tool in self.listed:
            return tool, arguments
        if tool in self.operations:
            return "adops_call_tool", {"name": tool, "arguments": arguments}
        return self.why_not(tool)

    def why_not(self, tool: str) -> str:
        """Why an operation of the catalogue does not run on this server."""
        from ..tools import VENDORS

        op = next((op for v in VENDORS for op in v.operations if op.name == tool), None)
        if op is None:
            return f"no tool named {tool!r}; use adops_find_tools to search for the right one"
        if op.vendor not in self.settings.enabled_vendors:
            return f"{op.vendor} is not configured on this server (see adops_configuration)"
        if self.settings.read_only and op.effect != "read":
            return "the server runs read-only"
        return "the operator has not enabled it (--toolsets / --tools / --exclude-tools)"

    def route_steps(self, result: Any) -> Any:
        """A diagnosis's next steps as this server's client can call them."""
        if not isinstance(result, Diagnosis):
            return result
        steps, unavailable = [], list(result.unavailable)
        for step in result.next_steps:
            routed = self.suggest(step.tool, step.arguments)
            if isinstance(routed, str):
                unavailable.append(f"{step.tool} ({step.why}): {routed}")
            else:
                steps.append(step.model_copy(update={"tool": routed[0], "arguments": routed[1]}))
        return result.model_copy(update={"next_steps": steps, "unavailable": unavailable})

    def vendor_settings(self, op: Operation) -> VendorSettings:
        return self.settings.vendors[op.vendor]

    def call(
        self, op: Operation, arguments: dict[str, Any], ctx: Context[Any, Any] | None, profile: str | None = None
    ) -> Call:
        arguments = dict(arguments)
        profile = arguments.pop("profile", None) or profile  # the tool argument of multi-account vendors
        params = op.params.model_validate(arguments)
        if profile is None or profile == self.vendor_settings(op).profile:
            return Call(
                op=op, params=params, client=self.clients[op.vendor], settings=self.vendor_settings(op), ctx=ctx
            )
        accounts = vendor_profiles(self.settings, op.vendor)
        if profile not in accounts or (op.vendor, profile) not in self.profile_clients:
            raise ToolError(
                f"No {op.vendor} profile named {profile!r} (configured: {', '.join(accounts)}). Nothing was sent."
            )
        return Call(
            op=op, params=params, client=self.profile_clients[(op.vendor, profile)], settings=accounts[profile], ctx=ctx
        )

    def policy_check(self, op: Operation, call: Call | None = None) -> None:
        """Operator policy that needs no vendor call: read-only, enabled tools, account allowlist."""
        if self.settings.read_only and op.effect != "read":
            raise ToolError("The server runs read-only: no change can be made. Nothing was sent.")
        if op.name not in self.operations:
            raise ToolError(f"The tool {op.name} is not enabled on this server. Nothing was sent.")
        if call is not None:
            policy.check_account(op, call.params, call.settings)

    async def spend_check(self, call: Call) -> None:
        """The operator's spend caps (may read the current budget from the vendor); once per call. The budget
        changes (before -> after) are kept for the audit record whether or not caps are set."""
        if call.op.spend is not None and not call.state.get("spend_checked"):
            changes = await call.op.spend(call)
            if policy.caps_set(self.settings):
                policy.check_spend(changes, self.settings)
            call.state["spend_checked"] = True
            call.state["spend"] = [{"what": c.what, "old": c.old, "new": c.new} for c in changes]  # for the audit

    async def plan(self, call: Call) -> str:
        self.policy_check(call.op, call)
        if call.op.check is not None:
            await call.op.check(call)
        await self.spend_check(call)
        assert call.op.plan is not None
        plan = await call.op.plan(call)
        profile = call.settings.profile
        return plan if profile == "default" else f"{plan} (profile: {profile})"

    async def execute(self, call: Call, *, confirmed_by: str) -> Any:
        """Run the operation; writes are recorded before they are sent and after."""
        op = call.op
        self.policy_check(op, call)
        if op.effect == "read" and not op.needs_confirmation(call.params):
            return self.route_steps(shape_read(op, await op.execute(call)))
        await self.spend_check(call)
        arguments = call.params.model_dump(mode="json")
        audit_id = await self.store.record_intent(
            vendor=op.vendor,
            account=call.settings.account_key,
            tool=op.name,
            method=op.method,
            path=op.path,
            arguments=arguments,
            confirmed_by=confirmed_by,
            spend=call.state.get("spend"),
        )
        if (watch := _watch.get()) is not None:
            watch.audit_id = audit_id
        try:
            data = await op.execute(call)
        except VendorError as exc:
            note = await self.settle(audit_id, exc.outcome, exc.message)
            if exc.outcome == "unknown":
                raise ToolError(f"Outcome unknown (audit record #{audit_id}{note}): {exc.message}") from None
            raise ToolError(f"Failed, nothing changed (audit record #{audit_id}{note}): {exc.message}") from None
        except BaseException as exc:
            # Cancelled, crashed or a bug: whether the vendor applied it is not known.
            detail = "the server shut down before the vendor answered" if self.stopping else type(exc).__name__
            with anyio.CancelScope(shield=True):
                await self.settle(audit_id, "unknown", detail)
            raise
        note = await self.settle(audit_id, "ok")
        return WriteResult(
            status="done",
            message=f"{op.title}: done (audit record #{audit_id}{note}).",
            result=clean(data.model_dump(mode="json") if isinstance(data, BaseModel) else data),
            audit_id=audit_id,
            account=call.settings.profile,
        )

    async def settle(self, audit_id: int, status: str, detail: str | None = None) -> str:
        """Record a write's outcome; the write already happened, so a store failure is only noted."""
        try:
            await self.store.record_outcome(audit_id, status, detail)
        except StoreUnavailable:
            return "; the outcome could not be recorded: the state store is unavailable"
        return ""


def shape_read(op: Operation, data: Any) -> Any:
    if isinstance(data, BaseModel):
        return clean_model(data)  # built by a handler from vendor data: still untrusted text
    data = clean(data)
    if op.result is not None:
        return op.result.model_validate(data)
    return data if isinstance(data, dict) else {"items": data}


def _param(name: str, info: Any) -> inspect.Parameter:
    """A keyword-only parameter carrying the field's type, constraints and description."""
    extra: dict[str, Any] = {}
    if info.description:
        extra["description"] = info.description
    if info.examples:
        extra["examples"] = info.examples
    annotation = Annotated[(info.annotation, *info.metadata, Field(**extra))]
    default = inspect.Parameter.empty if info.is_required() else info.get_default(call_default_factory=True)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _synthesize(fn: Any, params: list[inspect.Parameter], returns: Any) -> Any:
    fn.__signature__ = inspect.Signature(params, return_annotation=returns)
    fn.__annotations__ = {p.name: p.annotation for p in params} | {"return": returns}
    return fn


def _supports_elicitation(ctx: Context[Any, Any]) -> bool:
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


async def ask_confirmation(runtime: Runtime, op: Operation, arguments: dict[str, Any], ctx: Context[Any, Any]) -> Any:
    """The resolver's decision: no confirmation needed, an elicitation form, or a token plan."""
    with tool_call(runtime):
        call = runtime.call(op, arguments, ctx)
        if not op.needs_confirmation(call.params):
            return NotNeeded()
        mode = runtime.settings.confirm_mode
        if mode == "elicitation-only" and not _supports_elicitation(ctx):
            raise ToolError(ELICITATION_ONLY)
        plan = await runtime.plan(call)
    if mode != "out-of-band" and _supports_elicitation(ctx):  # out-of-band: only `adops-mcp approve` counts
        deadline = runtime.tokens.elicitation_deadline()
        setattr(ctx, ELICITATION_DEADLINE, deadline)  # the same Context reaches the tool body
        return Elicit(elicitation_message(plan, deadline), Confirm)
    return TokenNeeded(plan)


ELICITATION_DEADLINE = "_adops_elicitation_deadline"


async def request_approval(runtime: Runtime, call: Call, plan: str) -> WriteResult:
    """Out-of-band mode: record a pending action a person approves (`adops-mcp approve`, or the console)."""
    arguments = call.params.model_dump(mode="json")
    account = call.settings.account_key
    action = await runtime.store.create_pending(
        vendor=call.op.vendor,
        account=account,
        tool=call.op.name,
        arguments=arguments,
        plan=plan,
        expires_at=time.time() + runtime.tokens.ttl,
        requested_by=caller(call.ctx),
    )
    webhook.notify(runtime.settings, "approval_requested", action)
    return WriteResult(
        status="pending_approval",
        message=approval_instructions(action.id, runtime.tokens.ttl),
        plan=plan,
        confirmation_token=runtime.tokens.issue(call.op.name, arguments, account, caller(call.ctx), pending=action.id),
        account=call.settings.profile,
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
        return WriteResult(
            status="pending_approval",
            message=f"Not approved yet. {approval_instructions(action.id, runtime.tokens.ttl)}",
            plan=action.plan,
            confirmation_token=token,
            account=action.profile,
        )
    if action.status == "approved":
        if not approvals.signed(runtime.tokens.key, action):
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
        if isinstance(confirmation, AcceptedElicitation) and isinstance(confirmation.data, TokenNeeded):
            if runtime.settings.confirm_mode == "out-of-band":
                return await request_approval(runtime, call, confirmation.data.plan)
            token = runtime.tokens.issue(
                op.name, call.params.model_dump(mode="json"), call.settings.account_key, caller(ctx)
            )
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
                return WriteResult(
                    status="declined",
                    message=f"The confirmation came after its deadline. Nothing was sent to {op.vendor}. "
                    "Call the tool again to get a fresh plan.",
                    account=call.settings.profile,
                )
            return await runtime.execute(call, confirmed_by="elicitation")
        action = getattr(confirmation, "action", "declined")
        return WriteResult(
            status="declined",
            message=f"The user did not confirm ({action}). Nothing was sent to {op.vendor}.",
            account=call.settings.profile,
        )


def profile_param(op: Operation, runtime: Runtime) -> inspect.Parameter | None:
    """`profile` for a vendor with several configured accounts (hidden when there is one)."""
    names = tuple(vendor_profiles(runtime.settings, op.vendor))
    if len(names) < 2:
        return None
    assert "profile" not in op.params.model_fields, op.name
    description = f"Which configured {op.vendor} account to use. Default: {names[0]}."
    annotation = Annotated[Literal[names] | None, Field(description=description)]  # type: ignore[valid-type]
    return inspect.Parameter("profile", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)


def build_tool(op: Operation, runtime: Runtime, *, lazy: bool = True) -> Tool:
    """The typed MCP tool of `op`. Listed from the packaged schemas when they apply (`lazy`): its
    validation models are then built on its first call, so start-up does not pay for them."""
    profile = profile_param(op, runtime)
    served = packaged_schemas().get(op.name) if lazy and profile is None else None
    if served is not None:
        return LazyTool(
            fn=_unbuilt,
            parameters=served["inputSchema"],
            fn_metadata=FuncMetadata(arg_model=ArgModelBase, output_schema=served["outputSchema"]),
            is_async=True,
            **tool_info(op),
        ).later(lambda: build_tool(op, runtime, lazy=False))
    key = (op.name, tuple(vendor_profiles(runtime.settings, op.vendor)) if profile is not None else ())
    shape = _SHAPES.get(key)
    if shape is not None and shape.op is op:
        params = shape.params
    else:
        params = [_param(name, info) for name, info in op.params.model_fields.items()]
        if profile is not None:
            params.append(profile)
        shape = None
    ctx_param = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)

    async def resolve_confirmation(ctx: Context[Any, Any], **arguments: Any) -> Any:
        return await ask_confirmation(runtime, op, arguments, ctx)

    _synthesize(
        resolve_confirmation,
        [ctx_param] + [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=Any) for p in params],
        Any,
    )

    async def tool(ctx: Context[Any, Any], confirmation: Any = None, **arguments: Any) -> Any:
        return await perform(runtime, op, arguments, ctx, confirmation)

    signature = [*params, ctx_param]
    if op.guarded:
        signature.append(
            inspect.Parameter(
                "confirmation",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[ElicitationResult[Confirm], Resolve(resolve_confirmation)],
            )
        )
    returns = WriteResult if op.effect != "read" or op.guarded else (op.result or dict[str, Any])
    _synthesize(tool, signature, returns)
    if shape is not None:
        return shape.bind(tool)
    built = Tool.from_function(tool, **tool_info(op))
    _SHAPES[key] = Shape(op, params, finalize(built))
    return built


def tool_info(op: Operation) -> dict[str, Any]:
    return {
        "name": op.name,
        "title": op.title,
        "description": op.description,
        "annotations": annotations_for(op),
        "meta": {"vendor": op.vendor, "toolset": op.toolset, "effect": op.effect},
    }


SCHEMAS = Path(__file__).with_name("tool_schemas.json")  # every vendor tool's schemas as served (tests/test_schemas.py)


@functools.cache
def packaged_schemas() -> dict[str, Any]:
    """Tool name -> {"inputSchema", "outputSchema"}, exactly what the models produce (a test keeps them equal)."""
    return json.loads(SCHEMAS.read_text(encoding="utf-8")) if SCHEMAS.exists() else {}


async def _unbuilt(**_: Any) -> None:
    raise AssertionError("a LazyTool runs its built tool")


class LazyTool(Tool):
    """A listed tool whose schemas were computed ahead; the real tool is built on its first call."""

    _build: Callable[[], Tool] | None = PrivateAttr(default=None)
    _built: Tool | None = PrivateAttr(default=None)

    def later(self, build: Callable[[], Tool]) -> LazyTool:
        self._build = build
        return self

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        if self._built is None:
            assert self._build is not None
            self._built = self._build()
        return await self._built.run(arguments, context, convert_result=convert_result)


@dataclass(frozen=True)
class Shape:
    """A tool's schemas and validation models: they depend only on the operation and the profile names,
    so each is built once per process, and a server built later binds its own runtime's functions to it."""

    op: Operation
    params: list[inspect.Parameter]
    tool: Tool

    def bind(self, fn: Any) -> Tool:
        resolved = find_resolved_parameters(fn)
        names = {f.alias or n for n, f in self.tool.fn_metadata.arg_model.model_fields.items()}
        plans = build_resolver_plans(resolved, names)
        return self.tool.model_copy(update={"fn": fn, "resolved_params": dict(resolved), "resolver_plans": plans})


_SHAPES: dict[tuple[str, tuple[str, ...]], Shape] = {}


def finalize(tool: Tool) -> Tool:
    """Refuse unknown arguments (a misspelt field must not be silently dropped) and trim the schema."""
    base = tool.fn_metadata.arg_model
    tool.fn_metadata.arg_model = type(
        base.__name__,
        (base,),
        {"model_config": ConfigDict(**{**base.model_config, "extra": "forbid"}), "__module__": base.__module__},
    )
    tool.parameters = compact_schema(tool.parameters)
    return tool


def compact_schema(schema: Any, *, in_properties: bool = False) -> Any:
    """Drop what costs the model tokens without telling it anything.

    Titles go, and an optional field's `anyOf: [X, null], default: null` becomes plain X: leaving
    the argument out already means "none", and validation still accepts an explicit null.
    """
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if in_properties:
        return {name: compact_schema(value) for name, value in schema.items()}
    options = schema.get("anyOf")
    if (
        isinstance(options, list)
        and len(options) == 2
        and {"type": "null"} in options
        and schema.get("default", 0) is None
    ):
        (kept,) = [o for o in options if o != {"type": "null"}]
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        return compact_schema({**kept, **rest})
    return {
        key: compact_schema(value, in_properties=key in ("properties", "$defs", "definitions"))
        for key, value in schema.items()
        if key != "title" and not (key == "default" and value is None)
    }


def build_confirm_action(runtime: Runtime) -> Tool:
    async def confirm_action(
        confirmation_token: Annotated[
            str, Field(description="The confirmation_token from a confirmation_required result.", max_length=8192)
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
        op = runtime.operations.get(grant.tool)
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
            if grant.pending is not None and not await runtime.store.claim(grant.pending):
                raise ToolError("This approved change was already performed or has expired. Nothing was sent again.")
            await runtime.tokens.spend(grant)
            # guarded operations are writes, and execute answers a write with a WriteResult
            return cast(WriteResult, await runtime.execute(call, confirmed_by=confirmed_by))

    return finalize(CONFIRM_ACTION.tool(confirm_action))


def resource_function(op: Operation, runtime: Runtime) -> Any:
    """A resource twin of a read operation: same params (from the URI), same data, as JSON."""
    import re

    names = re.findall(r"{(\w+)}", op.resource or "")

    async def read(**arguments: Any) -> str:
        try:
            with tool_call(runtime):
                call = runtime.call(op, arguments, None)
                data = await runtime.execute(call, confirmed_by="not required")
        except InvalidArguments as exc:
            raise MCPError(INVALID_PARAMS, str(exc)) from None
        except ToolError as exc:  # the vendor's own words, one line in the log, no traceback
            raise ResourceError(str(exc)) from None
        payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
        return json.dumps(payload, indent=2, ensure_ascii=False)

    return _synthesize(read, [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=str) for n in names], str)
