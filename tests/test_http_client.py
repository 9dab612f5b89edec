"""VendorClient at the transport level (httpx2.MockTransport): the retry matrix for connection
errors and timeouts per method, single-flight token refresh under load, the concurrency limit."""

from __future__ import annotations

from collections import Counter
from functools import partial

import anyio
import httpx2
import pytest

from adops_mcp.vendorcall.http import Auth, TokenCache, VendorClient, VendorError

pytestmark = pytest.mark.anyio
ATTEMPTS = 3


def client(handler, **kwargs) -> VendorClient:  # type: ignore[no-untyped-def]
    options = {"read_attempts": ATTEMPTS, "retry_wait": 0.0, "timeout": 5.0} | kwargs
    return VendorClient(
        "acme",
        "http://vendor.test/base",
        kwargs.pop("auth", Auth()),
        transport=httpx2.MockTransport(handler),
        **{k: v for k, v in options.items() if k != "auth"},
    )


# (exception, method, read, attempts sent, outcome). A connection that never opened cannot have
# reached the vendor, so even a write is tried again; a timeout after sending is retried for reads
# only, and a write's outcome is then unknown.
MATRIX = [
    (httpx2.ConnectError, "GET", True, ATTEMPTS, "failed"),
    (httpx2.ConnectError, "POST", False, ATTEMPTS, "failed"),
    (httpx2.ConnectTimeout, "GET", True, ATTEMPTS, "failed"),
    (httpx2.ConnectTimeout, "POST", False, ATTEMPTS, "failed"),
    (httpx2.ReadTimeout, "GET", True, ATTEMPTS, "failed"),
    (httpx2.ReadTimeout, "POST", False, 1, "unknown"),
    (httpx2.WriteTimeout, "POST", False, 1, "unknown"),
    (httpx2.ReadError, "GET", True, ATTEMPTS, "failed"),
    (httpx2.ReadError, "POST", False, 1, "unknown"),
    (httpx2.RemoteProtocolError, "POST", False, 1, "unknown"),
]


@pytest.mark.parametrize(
    ("exc", "method", "read", "attempts", "outcome"), MATRIX, ids=[f"{e.__name__}-{m}" for e, m, *_ in MATRIX]
)
async def test_transport_failure_retry_matrix(
    exc: type[Exception], method: str, read: bool, attempts: int, outcome: str
) -> None:
    sent: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        raise exc("boom", request=request)

    vendor = client(handler)
    with pytest.raises(VendorError) as info:
        await vendor.request(method, "/things", read=read, json_body=None if read else {"a": 1})
    assert len(sent) == attempts
    assert info.value.outcome == outcome
    assert ("may or may not have been applied" in info.value.message) == (outcome == "unknown")
    await vendor.aclose()


@pytest.mark.parametrize(("method", "read"), [("GET", True), ("POST", False)])
async def test_transient_connect_error_then_success(method: str, read: bool) -> None:
    calls = Counter[str]()

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx2.ConnectError("refused", request=request)
        return httpx2.Response(200, json={"ok": True})

    vendor = client(handler)
    response = await vendor.request(method, "/things", read=read)
    assert response.json() == {"ok": True} and calls["n"] == 2
    await vendor.aclose()


async def test_a_read_timeout_then_success_is_retried_once() -> None:
    calls = Counter[str]()

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx2.ReadTimeout("slow", request=request)
        return httpx2.Response(200, json=[1])

    vendor = client(handler)
    assert (await vendor.request("GET", "/x", read=True)).json() == [1] and calls["n"] == 2
    await vendor.aclose()


class Minter:
    """A vendor token endpoint: slow (so concurrent callers overlap), counts mints."""

    def __init__(self) -> None:
        self.mints = 0
        self.now = 1_000_000.0

    async def fetch(self) -> tuple[str, float]:
        self.mints += 1
        await anyio.sleep(0.05)
        return f"token-{self.mints:04d}", self.now + 3600


async def test_single_flight_token_mint_under_50_concurrent_calls() -> None:
    minter = Minter()
    cache = TokenCache(fetch=minter.fetch, clock=lambda: minter.now)
    seen = Counter[str]()

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen[request.headers["Authorization"]] += 1
        return httpx2.Response(200, json={})

    vendor = client(handler, auth=Auth(token=cache, refresh_on=401), max_concurrency=64)
    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(partial(vendor.request, "GET", "/x", read=True))
    assert minter.mints == 1
    assert seen == {"Bearer token-0001": 50}
    await vendor.aclose()


async def test_single_flight_refresh_when_the_vendor_revokes_the_token() -> None:
    """50 calls in flight all get 401 for the old token: one refresh, each call retried once."""
    minter = Minter()
    cache = TokenCache(fetch=minter.fetch, clock=lambda: minter.now)
    revoked = {"Bearer token-0001"}
    attempts = Counter[str]()

    async def handler(request: httpx2.Request) -> httpx2.Response:
        auth = request.headers["Authorization"]
        attempts[auth] += 1
        await anyio.sleep(0.01)
        return httpx2.Response(401 if auth in revoked else 200, json={})

    await cache.get()  # token-0001 is cached, then the vendor revokes it
    vendor = client(handler, auth=Auth(token=cache, refresh_on=401), max_concurrency=64)
    statuses: list[int] = []

    async def one() -> None:
        statuses.append((await vendor.request("GET", "/x", read=True)).status_code)

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(one)
    assert minter.mints == 2
    assert statuses == [200] * 50
    assert attempts == {"Bearer token-0001": 50, "Bearer token-0002": 50}
    await vendor.aclose()


async def test_token_refreshed_ahead_of_expiry_once() -> None:
    minter = Minter()
    cache = TokenCache(fetch=minter.fetch, clock=lambda: minter.now, refresh_margin=300)
    assert await cache.get() == "token-0001"
    minter.now += 3600 - 299  # inside the refresh margin
    tokens = []

    async def get() -> None:
        tokens.append(await cache.get())

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(get)
    assert minter.mints == 2 and set(tokens) == {"token-0002"}


async def test_in_flight_never_exceeds_the_limit() -> None:
    async def handler(request: httpx2.Request) -> httpx2.Response:
        await anyio.sleep(0.01)
        return httpx2.Response(200, json={})

    vendor = client(handler, max_concurrency=5)
    async with anyio.create_task_group() as tg:
        for _ in range(40):
            tg.start_soon(partial(vendor.request, "GET", "/x", read=True))
    assert vendor.max_in_flight == 5 and vendor.in_flight == 0
    await vendor.aclose()
