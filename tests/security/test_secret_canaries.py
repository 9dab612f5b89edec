"""Secret canaries: vendors that echo the request back (headers, query string, body) in varied
encodings, in errors and in successes, with canary credentials configured for every vendor.
Every tool result, error and log line is scanned for each credential raw, URL-encoded and base64
(minted tokens included): none may appear."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adops_mcp.sandbox import Sandbox, SandboxTransport
from tests.harness import answer
from tests.security.conftest import CANARIES, canary_simulators, captured_logs, leaks, server_on_portal

CALLS = [
    ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5303}),
    ("jivox_list_retail_campaigns", {"account_id": "acme-retail", "limit": 3}),
    ("jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}),
    ("joveo_list_clients", {}),
    ("merchenta_get_campaign_creatives_status", {"campaign_code": "SANDBOX1-SPRING-DELIVERING"}),
    ("delta_list_clients", {}),
]
ENCODINGS = {
    "raw": lambda s: s,
    "url": lambda s: quote(s, safe=""),
    "url_plus": quote_plus,
    "b64": lambda s: base64.b64encode(s.encode()).decode(),
    "b64url": lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    "json_escaped": lambda s: json.dumps(s)[1:-1],
}


@dataclass
class Echo:
    """What the vendor echoes next: parts of the request, encoded, inside some envelope, with a status."""

    status: int = 200
    parts: tuple[str, ...] = ()
    encoding: str = "raw"
    envelope: str = "message"
    location: bool = False
    seen: list[str] = field(default_factory=list)

    def response(self, request: httpx2.Request) -> httpx2.Response:
        enc = ENCODINGS[self.encoding]
        pieces: list[str] = []
        if "url" in self.parts:
            pieces.append(enc(str(request.url)))
        if "query" in self.parts:
            pieces += [f"{k}={enc(v)}" for k, v in request.url.params.multi_items()]
        if "headers" in self.parts:
            pieces += [f"{k}: {enc(v)}" for k, v in request.headers.items()]
        if "body" in self.parts:
            pieces.append(enc(request.content.decode(errors="replace")))
        text = " | ".join(pieces) or "echo"
        headers = {"Location": str(request.url)} if self.location else {}
        if self.envelope == "text":
            return httpx2.Response(self.status, text=text, headers=headers)
        body: Any = {
            "message": {"message": text},
            "nested": {"error": {"detail": text, "request": {"url": str(request.url)}}},
            "jsend": {"status": "fail", "data": {"errors": [{"code": "E1", "description": text}]}},
            "list": [{"name": text, "id": 1}],
            "key": {text[:200]: text},
        }[self.envelope]
        return httpx2.Response(self.status, json=body, headers=headers)


class EchoTransport(httpx2.AsyncBaseTransport):
    """The sandbox, except that while `echo` is set every vendor call (not the credential exchanges,
    which must work for the call to get that far) is answered by echoing the request."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.echo: Echo | None = None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        token_exchange = "accesstoken" in request.url.path.lower().replace("-", "")
        if self.echo is None or token_exchange:
            return await self.inner.handle_async_request(request)
        return self.echo.response(request)


echoes = st.builds(
    Echo,
    status=st.sampled_from([200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503]),
    parts=st.lists(st.sampled_from(["url", "query", "headers", "body"]), min_size=1, unique=True).map(tuple),
    encoding=st.sampled_from(sorted(ENCODINGS)),
    envelope=st.sampled_from(["message", "nested", "jsend", "list", "key", "text"]),
    location=st.booleans(),
)


@pytest.fixture(scope="module")
def echo_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import os

    os.environ["ADOPS_DATA_DIR"] = str(tmp_path_factory.mktemp("canary-data"))
    sandbox = Sandbox(canary_simulators())
    with server_on_portal(sandbox=sandbox, elicitation=answer("accept"), read_attempts=2) as (portal, h):
        transport = EchoTransport(SandboxTransport(sandbox))
        for client in h.built.runtime.clients.values():
            client.http = httpx2.AsyncClient(transport=transport, timeout=client.http.timeout, follow_redirects=False)
        yield portal, h, transport


def credentials(h: Any) -> list[str]:
    values = [v for vendor in CANARIES.values() for v in vendor.values()]
    for client in h.built.runtime.clients.values():  # minted tokens (Joveo daily token, Merchenta JWT)
        token = client.auth.token
        if token is not None and token._token:
            values.append(token._token)
    return values


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(echo=echoes, call=st.sampled_from(CALLS))
def test_no_credential_in_any_result_error_or_log(echo_server: Any, echo: Echo, call: tuple[str, dict]) -> None:
    portal, h, transport = echo_server
    with captured_logs() as logs:
        transport.echo = echo
        try:
            result = portal.call(h.call, *call)
        finally:
            transport.echo = None
    shown = json.dumps(result.model_dump(mode="json", by_alias=True), ensure_ascii=False)
    found = leaks(shown, credentials(h)) + leaks("\n".join(logs.lines), credentials(h))
    assert not found, f"{call[0]} with {echo}: credentials leaked: {found}"


def test_the_canaries_reach_the_vendors(echo_server: Any) -> None:
    """The check above is only meaningful if the canaries were really sent (and so could be echoed)."""
    portal, h, _transport = echo_server
    for name, args in CALLS:
        portal.call(h.call, name, args)
    sent = " ".join(f"{r.headers} {r.query} {r.body.decode(errors='replace')}" for r in h.sandbox.requests)
    for vendor in CANARIES.values():
        for value in vendor.values():
            assert value in sent or quote_plus(value) in sent or quote(value) in sent, value
    assert len(credentials(h)) > sum(len(v) for v in CANARIES.values())  # minted tokens are checked too
