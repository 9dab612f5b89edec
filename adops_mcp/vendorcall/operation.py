"""One vendor operation, declared once.

Each vendor's `operations.py` is a list of `Operation` records. The registry turns each into a
typed MCP tool (signature from `params`, the four annotations from `effect`, the guard for
destructive ones, the output schema from `result`), and the same records feed `adops-mcp tools`,
the README tool table and the schema snapshots.

Request building is declarative: a params field fills the path placeholder of its wire name
(its serialization alias, else its name), otherwise it goes to the query for GET/DELETE and the
JSON body for POST/PUT, unless a `Wire(...)` marker in its annotation says where it goes.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, Protocol

import httpx2
from pydantic import BaseModel, ConfigDict

from . import names
from .request import PLACEHOLDER, Request, build, send
from .spend import SpendChange, spend_fields

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

    from .http import VendorClient, VendorError

_FROM_PARAMS: Any = object()
Effect = Literal["read", "write", "destructive"]
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Wire:
    """Where a params field travels: path, query, body, header (with the vendor's name), or nowhere."""

    where: Literal["path", "query", "body", "header", "none"]
    name: str | None = None


@dataclass(frozen=True)
class Selects:
    """Marks a params field whose value selects a vendor-side account (a Jivox account, a Joveo or Delta
    client, a Merchenta campaign): ADOPS_<VENDOR>_ALLOWED_ACCOUNTS checks every such value, wherever it
    travels (path, query, body, header).

    `prefixed`: the value is an id that starts with its account's id and "-" (a Merchenta creative code).
    `setting`: the value names something the operator configured (Delta's media agency): when that setting is
    set, no other value is accepted."""

    prefixed: bool = False
    setting: str | None = None


# Keys of an open JSON object (filters, settings) that select an account, compared without case, _ and -.
ACCOUNT_KEYS = {"clientid", "clientids", "accountid", "accountids", "advertiserid", "campaigncode", "mediaagencyid"}


def selected_accounts(params: Any) -> list[tuple[Selects, str]]:
    """Every account-selecting value in the params: marked fields, at any depth, and account keys of open objects."""
    found: list[tuple[Selects, str]] = []
    _accounts_in(params, None, found)
    return found


def _accounts_in(value: Any, marker: Selects | None, found: list[tuple[Selects, str]]) -> None:
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            mark = next((m for m in info.metadata if isinstance(m, Selects)), None)
            _accounts_in(getattr(value, name), mark, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            named = str(key).lower().replace("_", "").replace("-", "") in ACCOUNT_KEYS
            _accounts_in(item, Selects() if named else marker, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _accounts_in(item, marker, found)
    elif marker is not None and value is not None and not isinstance(value, bool):
        found.append((marker, str(value)))


class Params(BaseModel):
    """Base for operation parameters: unknown arguments are refused, not silently dropped.

    Validators are built on first use (defer_build), so start-up pays only for the tools it lists.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)


class NoParams(Params):
    pass


class Account(Protocol):
    """One configured vendor account as a call sees it; `config.VendorSettings` is one (this layer is below config).

    Handlers that need their vendor's own settings narrow it with `isinstance(call.settings, JivoxSettings)`.
    """

    @property
    def profile(self) -> str: ...

    @property
    def account_key(self) -> str: ...

    @property
    def allowed_accounts(self) -> str | None: ...

    @property
    def display(self) -> str: ...

    def env(self, name: str) -> str: ...

    def allowlists(self) -> list[tuple[str, set[str]]]: ...


@dataclass
class Call:
    """One invocation of an operation: validated params plus what the handler needs."""

    op: Operation
    params: Any
    client: VendorClient
    settings: Account
    ctx: Context[Any, Any] | None = None
    state: dict[str, Any] = field(default_factory=dict)  # e.g. a current state read while planning

    planned: list[Request] | None = None  # while rehearsing for a plan: the writes, recorded and not sent
    names: dict[str, dict[str, str]] | None = None  # while planning: the names its reads gave its ids (names.py)
    # What the send relies on that no request carries (e.g. the creatives a campaign-wide change reaches):
    # recorded while rehearsing, then the confirmed values that `relies_on` compares at send time.
    facts: dict[str, Any] = field(default_factory=dict)
    confirmed: list[Request] | None = None  # after a confirmation: the only writes this call may still send
    writes_sent: int = 0  # write requests handed to the vendor client (their outcome may not be known)

    def relies_on(self, what: str, value: Any) -> None:
        """Bind the confirmation to `value` (shown in the plan); at send time a different value refuses the send."""
        if self.planned is not None:
            self.facts[what] = value
        elif self.confirmed is not None and self.facts.get(what) != value:
            raise self._changed(f"{what} differs from the plan")

    def request(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        values: Mapping[str, Any] | None = None,
        json: Any = _FROM_PARAMS,
    ) -> Request:
        """The operation's documented request from the params by the wire rules (see the module doc).

        `values` fills placeholders the params do not carry (e.g. an id from the settings); `json`
        replaces the body built from the params."""
        method = method or self.op.method
        path = path or self.op.path
        assert path is not None and method is not None
        filled: dict[str, Any] = dict(values or {})
        query: dict[str, Any] = {}
        body: dict[str, Any] = {}
        headers: dict[str, str] = {}
        placeholders = set(PLACEHOLDER.findall(path))
        fields = type(self.params).model_fields
        for name, info in fields.items():
            value = getattr(self.params, name)
            wire = next((m for m in info.metadata if isinstance(m, Wire)), None)
            wire_name = (wire.name if wire and wire.name else None) or info.serialization_alias or name
            where = (
                wire.where
                if wire
                else ("path" if wire_name in placeholders else "query" if method in ("GET", "DELETE") else "body")
            )
            if where == "none" or value is None:
                continue
            dumped = _dump(value)
            if where == "path":
                filled[wire_name] = dumped
            elif where == "query":
                query[wire_name] = dumped
            elif where == "header":
                headers[wire_name] = str(dumped)
            else:
                body[wire_name] = dumped
        filled = {k: v for k, v in filled.items() if k in placeholders}
        sent = (body or None) if json is _FROM_PARAMS else json
        return build(method, path, filled, query=query, json=sent, headers=headers)

    async def fetch(self, request: Request, *, read: bool | None = None) -> httpx2.Response:
        """The one way a handler talks to the vendor. While rehearsing a plan, writes are recorded, not sent."""
        read = request.method in ("GET", "HEAD") if read is None else read
        if not read and self.planned is not None:
            self.planned.append(request)
            return httpx2.Response(204)
        if not read and self.confirmed is not None:
            if request not in self.confirmed:
                raise self._changed(f"{request.method} {request.template} is not one the person confirmed")
            self.confirmed.remove(request)  # each confirmed request is sent at most once
        if not read:
            self.writes_sent += 1
        response = await send(self.client, request, read=read)
        if read and self.names is not None and response.is_success:
            names.note(self.names, names.ids_of(self.params), decode(response))
        return response

    def _changed(self, why: str) -> VendorError:
        from .http import VendorError

        before = "Earlier requests of this change were sent; " if self.writes_sent else ""
        return VendorError(
            self.op.vendor,
            f"{before}the request it would send now differs from the confirmed plan ({why}): it was not sent. "
            "Read the current state and call the tool again to see the new plan.",
            outcome="unknown" if self.writes_sent else "failed",
        )

    async def send(self) -> Any:
        """The operation's documented request; returns the decoded JSON (or None / text)."""
        return decode(await self.fetch(self.request(), read=self.op.effect == "read"))


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value  # enums
    return value


def decode(response: Any) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


@dataclass(frozen=True)
class Summary:
    """What listing, operator policy and discovery need of an operation, known without loading its
    vendor package (`tools/index.json`, kept equal to the records by tests/test_index.py)."""

    name: str
    title: str
    description: str
    vendor: str
    toolset: str
    effect: Effect
    guarded: bool
    is_idempotent: bool
    resource: str | None
    default: bool
    everyday: bool


@dataclass(frozen=True)
class Operation:
    name: str
    title: str
    description: str
    vendor: str
    toolset: str
    effect: Effect
    params: type[BaseModel] = NoParams
    method: str | None = None
    path: str | None = None
    idempotent: bool | None = None  # defaults: reads yes, writes no
    result: type[BaseModel] | None = None  # trimmed result model; None returns the vendor JSON (cleaned)
    run: Callable[[Call], Awaitable[Any]] | None = None  # escape hatch; default is Call.send
    plan: Callable[[Call], Awaitable[str]] | None = None  # destructive: what the human is asked
    check: Callable[[Call], Awaitable[None]] | None = None  # refuse before asking (raise ToolError)
    # when the current state already equals the target: a sentence saying so (nothing is asked, sent or audited)
    unchanged: Callable[[Call], Awaitable[str | None]] | None = None
    destructive_if: Callable[[Any], bool] | None = None  # effect that depends on the arguments
    resource: str | None = None  # URI template of the status resource twin
    default: bool = True  # listed by default (the compact surface, whatever vendors are configured)
    everyday: bool = False  # also listed by default when its vendor is the only one configured
    # budgets the call sets (reading current values from the vendor when needed), for the spend caps
    spend: Callable[[Call], Awaitable[list[SpendChange]]] | None = None

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"bad tool name {self.name!r}")
        if not self.name.startswith(self.vendor.replace("deltaprojects", "delta") + "_"):
            raise ValueError(f"{self.name!r} must start with its vendor prefix")
        if (self.method is None) != (self.path is None):
            raise ValueError(f"{self.name}: method and path go together")
        if self.run is None and self.method is None:
            raise ValueError(f"{self.name}: needs a method+path or a run function")
        if self.effect == "destructive" and self.plan is None:
            raise ValueError(f"{self.name}: a destructive operation needs a plan")
        if spend_fields(self.params) and (self.effect != "destructive" or self.spend is None):
            raise ValueError(f"{self.name}: its params carry spend, so it is destructive and declares `spend`")

    @property
    def is_idempotent(self) -> bool:
        return self.idempotent if self.idempotent is not None else self.effect == "read"

    @property
    def guarded(self) -> bool:
        """Whether any call of this tool may need a human confirmation."""
        return self.effect == "destructive" or self.destructive_if is not None

    @property
    def summary(self) -> Summary:
        """The record's values (and derived properties) under the names `Summary` declares."""
        return Summary(**{f.name: getattr(self, f.name) for f in fields(Summary)})

    def account(self, params: Any) -> str | None:
        """The first vendor-side account the call selects (what the console shows), else None."""
        return next((value for mark, value in selected_accounts(params) if mark.setting is None), None)

    def needs_confirmation(self, params: Any) -> bool:
        if self.effect == "destructive":
            return True
        return self.destructive_if is not None and self.destructive_if(params)

    async def execute(self, call: Call) -> Any:
        return await (self.run or Call.send)(call)
