"""The sandbox framework: one ASGI app that serves every vendor simulator under its own prefix.

The simulators are their own reading of the vendor documents and import nothing from
`adops_mcp.tools` or `adops_mcp.server`, so a test against them checks the client instead of
agreeing with itself.

Every request is recorded (`Sandbox.requests`) so tests can count what reached a vendor, and
`Sandbox.faults` injects latency, error statuses with `Retry-After`, or a dropped connection
(optionally after the simulator applied a write), both in process and over loopback
(`POST /_sandbox/faults`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class DroppedConnection(Exception):
    """Raised inside the app to make the in-process transport report a connection reset."""


@dataclass
class RecordedRequest:
    vendor: str
    method: str
    path: str  # below the vendor prefix, e.g. /v2/accounts/a1/retail-campaigns
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    """One scripted failure, used `times` times for the requests it matches.

    status 0 drops the connection; None only delays (delay_ms) and then answers normally.
    after_apply=True lets the simulator handle the request first (the vendor applied the write)
    and then fails the answer anyway; with status None it answers only after delay_ms (a vendor that
    applied the write and then hung).
    """

    status: int | None = 500
    delay_ms: float = 0.0
    retry_after: str | None = None
    times: int = 1
    vendor: str | None = None
    method: str | None = None
    path_contains: str | None = None
    after_apply: bool = False
    body: Any = None

    def matches(self, vendor: str, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.vendor in (None, vendor)
            and self.method in (None, method)
            and (self.path_contains is None or self.path_contains in path)
        )


@dataclass
class Faults:
    latency_ms: float = 0.0
    queue: list[Fault] = field(default_factory=list)
    hang: bool = False  # never answer (tests the client's deadline)

    def add(self, **kwargs: Any) -> Fault:
        fault = Fault(**kwargs)
        self.queue.append(fault)
        return fault

    def take(self, vendor: str, method: str, path: str) -> Fault | None:
        for fault in self.queue:
            if fault.matches(vendor, method, path):
                fault.times -= 1
                return fault
        return None

    def clear(self) -> None:
        self.latency_ms = 0.0
        self.queue.clear()
        self.hang = False


class Simulator(Protocol):
    """What each vendor simulator provides."""

    vendor: str  # jivox | joveo | merchenta | deltaprojects
    credentials: dict[str, str]  # what the simulator accepts, keyed like the settings fields in upper case

    def routes(self) -> list[BaseRoute]: ...


class _VendorGate:
    """Records, delays and fails requests before they reach one simulator."""

    def __init__(self, sandbox: Sandbox, vendor: str, app: ASGIApp) -> None:
        self.sandbox, self.vendor, self.app = sandbox, vendor, app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        request = Request(scope)
        path = scope["path"][len(scope.get("root_path", "")) :] if scope.get("root_path") else scope["path"]
        self.sandbox.requests.append(
            RecordedRequest(
                vendor=self.vendor,
                method=scope["method"],
                path=path,
                query=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
            )
        )
        faults = self.sandbox.faults
        if faults.hang:
            await anyio.sleep_forever()
        if faults.latency_ms:
            await anyio.sleep(faults.latency_ms / 1000)
        fault = faults.take(self.vendor, scope["method"], path)
        if fault is not None and fault.delay_ms and not fault.after_apply:
            await anyio.sleep(fault.delay_ms / 1000)

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        if fault is not None and fault.after_apply and fault.status is None:  # applied, then the answer is late
            answer: list[Message] = []

            async def hold(message: Message) -> None:
                answer.append(message)

            await self.app(scope, replay, hold)
            await anyio.sleep(fault.delay_ms / 1000)
            for message in answer:
                await send(message)
            return
        if fault is not None and fault.status is not None:  # status None only delays
            if fault.after_apply:
                await self.app(scope, replay, _discard)
            if fault.status == 0:
                raise DroppedConnection(f"sandbox dropped the connection ({self.vendor} {path})")
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
            content = fault.body if fault.body is not None else {"error": f"sandbox fault {fault.status}"}
            await JSONResponse(content, status_code=fault.status, headers=headers)(scope, receive, send)
            return
        await self.app(scope, replay, send)


async def _discard(message: Message) -> None:
    return None


class Sandbox:
    """All simulators behind one app: `/jivox`, `/joveo`, `/merchenta`, `/deltaprojects`."""

    def __init__(self, simulators: list[Simulator] | None = None) -> None:
        if simulators is None:
            simulators = default_simulators()
        self.simulators = {sim.vendor: sim for sim in simulators}
        self.requests: list[RecordedRequest] = []
        self.faults = Faults()
        routes: list[BaseRoute] = [
            Route("/_sandbox/faults", self._set_faults, methods=["POST", "DELETE"]),
            Route("/_sandbox/requests", self._list_requests, methods=["GET", "DELETE"]),
        ]
        for vendor, sim in self.simulators.items():
            inner = Starlette(routes=sim.routes())
            routes.append(Mount(f"/{vendor}", app=_VendorGate(self, vendor, inner)))
        self.app = Starlette(routes=routes)

    def __getitem__(self, vendor: str) -> Any:
        return self.simulators[vendor]

    def vendor_requests(self, vendor: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.vendor == vendor and method in (None, r.method)]

    async def _set_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.clear()
            return JSONResponse({"ok": True})
        spec = await request.json()
        self.faults.latency_ms = float(spec.get("latency_ms", self.faults.latency_ms))
        self.faults.hang = bool(spec.get("hang", self.faults.hang))
        for item in spec.get("faults", []):
            self.faults.add(**item)
        return JSONResponse({"ok": True, "queued": len(self.faults.queue)})

    async def _list_requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.requests.clear()
            return JSONResponse({"ok": True})
        return JSONResponse([{"vendor": r.vendor, "method": r.method, "path": r.path} for r in self.requests[-1000:]])


Handler = Callable[[Request], Awaitable[Response]]


def default_simulators() -> list[Simulator]:
    """One simulator per vendor, seeded with the demo accounts."""
    from .deltaprojects import DeltaSimulator
    from .jivox import JivoxSimulator
    from .joveo import JoveoSimulator
    from .merchenta import MerchentaSimulator

    return [JivoxSimulator(), JoveoSimulator(), MerchentaSimulator(), DeltaSimulator()]
