"""Running one vendor operation: what every tool call goes through.

`Runtime` owns what calls need at run time (settings, vendor clients, store, tokens); its `execute`
is the single path every vendor call takes (policy and spend checks, the audit record before the
send and the outcome after, sanitising), so none of it can be skipped. `tool_errors` maps failures
to the error text every tool shares.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import anyio
from mcp.server.mcpserver import (
    Context,
)
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ValidationError

from ..config import Settings, VendorSettings
from ..profiles import vendor_profiles
from ..tools import index
from ..tools.diagnosis import Diagnosis
from ..tools.vendor import ClientOptions
from ..vendorcall import secrets
from ..vendorcall.http import VendorClient, VendorError, call_budget
from ..vendorcall.operation import Call, Operation, Summary
from ..vendorcall.request import Request, TooLargeToConfirm, UnsafeId, digest, render
from ..vendorcall.results import WriteResult
from ..vendorcall.reversal import Reversal
from ..vendorcall.sanitize import clean, clean_model, quoted
from . import policy, telemetry
from .guard import (
    Tokens,
)
from .patterns import pattern_in_words
from .store import Store, StoreUnavailable
from .telemetry import Telemetry

STORE_DOWN = "the shared state store is unavailable: nothing was sent"
# What a model (and its user) can do about it; the cause, which may name the database host, is in the log.
STORE_ADVICE = (
    "Try again in a minute; if it keeps failing, ask the operator to check the state store (see the server log)."
)


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:8]:
        where = ".".join(str(p) for p in error["loc"]) or "arguments"
        words = pattern_in_words(str(error.get("ctx", {}).get("pattern", "")))
        if error["type"] == "string_pattern_mismatch" and words is not None:
            got = str(error["input"])
            parts.append(f"{where}: must be {words} (got {quoted(got, 60)})")  # not the raw regular expression
        else:
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
    except TooLargeToConfirm as exc:
        raise ToolError(str(exc)) from None
    except StoreUnavailable:  # outcomes are settled without raising: this is always before sending
        raise ToolError(f"Refused: {STORE_DOWN}. {STORE_ADVICE}") from None


@dataclass(eq=False)
class Watch:
    """A running tool call the server can stop at shutdown; `audit_id` once its write was recorded."""

    scope: anyio.CancelScope
    audit_id: int | None = None


_watch: ContextVar[Watch | None] = ContextVar("adops_tool_call", default=None)


@contextmanager
def tool_call(runtime: Runtime, changes: int = 1) -> Iterator[None]:
    """One tool call: failures as short results, one time budget (ADOPS_TIMEOUT; a change set's is that per
    change), and a clear error instead of a dropped response when the server shuts down while it runs."""
    if _watch.get() is not None:  # already inside a tool call (adops_call_tool)
        with tool_errors():
            yield
        return
    if runtime.stopping:
        raise ToolError("The server is shutting down: nothing was sent. Try again in a moment.")
    with tool_errors(), call_budget(runtime.settings.timeout * max(1, changes)), anyio.CancelScope() as scope:
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
class Clients:
    """One VendorClient per configured (vendor, account), made on its first use: start-up loads no vendor
    package, and a client opens no connection before its first request."""

    settings: Settings
    options: ClientOptions
    made: dict[tuple[str, str], VendorClient] = field(default_factory=dict)

    def get(self, vendor: str, profile: str | None = None) -> VendorClient:
        """The client of a configured account (the vendor's default one when `profile` is None)."""
        accounts = vendor_profiles(self.settings, vendor)
        name = profile or next(iter(accounts))
        client = self.made.get((vendor, name))
        if client is None:
            client = self.made[(vendor, name)] = index.vendor(vendor).make_client(accounts[name], self.options)
        return client

    def __getitem__(self, vendor: str) -> VendorClient:
        return self.get(vendor)

    def values(self) -> list[VendorClient]:
        """The clients made so far."""
        return list(self.made.values())


@dataclass
class Runtime:
    settings: Settings
    store: Store
    tokens: Tokens
    clients: Clients
    operations: dict[str, Summary] = field(default_factory=dict)  # what this server runs, listed or not
    in_flight: set[Watch] = field(default_factory=set)  # tool calls running now
    stopping: bool = False
    telemetry: Telemetry = field(default_factory=Telemetry)  # metrics and traces (off unless configured)

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

    def operation(self, name: str) -> Operation | None:
        """The record of an operation this server runs (its vendor package loads on first use), else None."""
        return index.operation(name) if name in self.operations else None

    def why_not(self, tool: str) -> str:
        """Why an operation of the catalogue does not run on this server."""
        op = index.summaries().get(tool)
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
        telemetry.note_operation(op)
        arguments = dict(arguments)
        profile = arguments.pop("profile", None) or profile  # the tool argument of multi-account vendors
        params = op.params.model_validate(arguments)
        accounts = vendor_profiles(self.settings, op.vendor)
        profile = profile or self.vendor_settings(op).profile
        if profile not in accounts:
            raise ToolError(
                f"No {op.vendor} profile named {profile!r} (configured: {', '.join(accounts)}). Nothing was sent."
            )
        return Call(
            op=op,
            params=params,
            client=self.clients.get(op.vendor, profile),
            settings=accounts[profile],
            ctx=ctx,
            names={} if op.guarded else None,  # for the people who approve it: what the vendor calls its ids
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
        """The spend model's changes judged by the operator's caps (may read the current state from the vendor,
        and the last 24 h of the audit log for ADOPS_MAX_BUDGET_INCREASE_PER_DAY); once per call. The changes
        (before -> after) are kept for the audit record whether or not caps are set."""
        if call.op.spend is None or call.state.get("spend_checked"):
            return
        changes = await call.op.spend(call)
        scope = ",".join(policy.selected_accounts(call.op, call.params)) or None
        today = 0.0
        if self.settings.max_budget_increase_per_day is not None and changes:
            today = await self.increased_today(call, scope)
        policy.check_spend(changes, self.settings, today)
        call.state["spend_checked"] = True
        call.state["spend"] = [  # for the audit, and the daily cap's sum
            {"what": c.what, "old": c.old, "new": c.new, "kind": c.kind, "scope": scope} for c in changes
        ]
        call.state["spend_changes"] = changes  # for the caps of a change set as a whole

    async def increased_today(self, call: Call, scope: str | None) -> float:
        """Budget rises recorded in the last 24 h for this vendor account and vendor-side account (failed
        writes changed nothing; unknown ones may have happened and count)."""
        records = await self.store.audit(
            vendor=call.op.vendor, account=call.settings.account_key, since=time.time() - 86400, limit=100_000
        )
        return sum(
            policy.increase_of([e for e in r.spend or [] if e.get("scope") == scope])
            for r in records
            if r.status != "failed"
        )

    async def unchanged(self, call: Call) -> str | None:
        """ "Already so, nothing sent" when the current state already equals the target, else None."""
        if call.op.unchanged is None:
            return None
        already = await call.op.unchanged(call)
        return None if already is None else f"{already} Nothing was sent."

    async def plan(self, call: Call) -> Plan:
        """What the human reads: the tool's words, then exactly the requests that will change something."""
        self.policy_check(call.op, call)
        if call.op.check is not None:
            await call.op.check(call)
        await self.spend_check(call)
        assert call.op.plan is not None
        words = await call.op.plan(call)
        rehearsal = await rehearse(call)
        profile = call.settings.profile
        if profile != "default":
            words = f"{words} (profile: {profile})"
        return Plan(
            text=words + "\n\n" + render(*rehearsal),
            digest=digest(*rehearsal),
            names=dict(call.names or {}),
            spend=call.state.get("spend"),
        )

    def reversal(self, op: Operation) -> Reversal | str | None:
        """How a write of `op` is taken back, or why it cannot be (None: its vendor says nothing)."""
        return index.vendor(op.vendor).reversals.get(op.name)

    async def read_changes(self, call: Call) -> list[dict[str, Any]] | None:
        """What the write changes, before -> after, read now (kept in its audit record for undo)."""
        reversal = self.reversal(call.op)
        if not isinstance(reversal, Reversal):
            return None
        return [c.public() for c in await reversal.changes(call)]

    async def execute(
        self, call: Call, *, confirmed_by: str, change_set: str | None = None, undoes: int | None = None
    ) -> Any:
        """Run the operation; writes are recorded (with what they change, before -> after) before they are sent
        and after. `change_set` and `undoes` tie the record to its change set and to the write it takes back."""
        op = call.op
        self.policy_check(op, call)
        if op.effect == "read" and not op.needs_confirmation(call.params):
            return self.route_steps(shape_read(op, await op.execute(call)))
        if (already := await self.unchanged(call)) is not None:  # e.g. became so after the plan was confirmed
            return WriteResult(status="unchanged", message=already, account=call.settings.profile)
        await self.spend_check(call)
        changes = await self.read_changes(call)
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
            changes=changes,
            change_set=change_set,
            undoes=undoes,
        )
        if (watch := _watch.get()) is not None:
            watch.audit_id = audit_id
        telemetry.note_audit(audit_id)
        try:
            data = await op.execute(call)
        except VendorError as exc:
            telemetry.note_audit(audit_id, exc.outcome)
            note = await self.settle(audit_id, exc.outcome, exc.message)
            if exc.outcome == "unknown":
                raise ToolError(f"Outcome unknown (audit record #{audit_id}{note}): {exc.message}") from None
            raise ToolError(f"Failed, nothing changed (audit record #{audit_id}{note}): {exc.message}") from None
        except Exception as exc:
            # The handler's own error (an answer it could not read, a bug). Audited unknown either way; once a
            # write was handed to the vendor client, the model is told so too, never a bare error.
            why = str(exc) if isinstance(exc, ToolError) else f"its answer could not be read ({type(exc).__name__})"
            with anyio.CancelScope(shield=True):
                note = await self.settle(audit_id, "unknown", why if call.writes_sent else type(exc).__name__)
            if not call.writes_sent:
                raise
            raise ToolError(
                f"Outcome unknown (audit record #{audit_id}{note}): a request that changes something was sent, "
                f"then: {why}. Read the current state before retrying."
            ) from None
        except BaseException as exc:
            # Cancelled or shut down: whether the vendor applied it is not known.
            detail = "the server shut down before the vendor answered" if self.stopping else type(exc).__name__
            telemetry.note_audit(audit_id, "unknown")
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


@dataclass(frozen=True)
class Plan:
    text: str
    digest: str  # of the requests that change something; the confirmation binds to it
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> what the vendor calls that id
    spend: list[dict[str, Any]] | None = None  # the spend changes read for the caps (how many approvals)


async def rehearse(call: Call) -> tuple[list[Request], dict[str, Any]]:
    """Run the operation with its writes recorded instead of sent: exactly what it would send now, and the
    facts that send relies on."""
    dry = replace(call, state=dict(call.state), planned=[], facts={}, confirmed=None)
    await call.op.execute(dry)
    assert dry.planned is not None
    return dry.planned, dry.facts


CHANGED = (
    "The world changed since the plan (the request it would send now differs from the one that was confirmed); "
    "nothing was sent. Call the tool again to see the new plan."
)


async def confirm_unchanged(call: Call, confirmed: str | None) -> None:
    """Refuse unless the requests built now are exactly the ones the person confirmed; then bind the call to
    them, so the send itself refuses any request (or fact) the plan did not show."""
    requests, facts = await rehearse(call)
    if confirmed is None or digest(requests, facts) != confirmed:
        raise ToolError(CHANGED)
    call.confirmed, call.facts = list(requests), facts


def shape_read(op: Operation, data: Any) -> Any:
    if isinstance(data, BaseModel):
        return clean_model(data)  # built by a handler from vendor data: still untrusted text
    data = clean(data)
    if op.result is not None:
        return op.result.model_validate(data)
    return data if isinstance(data, dict) else {"items": data}
