"""Prometheus metrics (ADOPS_METRICS_TOKEN): what `GET /metrics` answers on the HTTP transport.

Imported only when the token is set, so a server without metrics never loads prometheus_client. Each
server has its own registry. Label values are bounded: tool names, vendors, outcomes, status classes.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .store import StoreUnavailable

if TYPE_CHECKING:
    from .store import Store

# The text format every Prometheus reads (the names here need none of 1.0.0's escaping).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# seconds; a tool call may take up to ADOPS_TIMEOUT (30 s by default), a polling tool longer
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
CONFIRMATIONS = ("requested", "confirmed", "declined", "expired", "refused")
PENDING_COUNTED = 10_000  # pending approvals are counted up to this many


class StoreGauges(Collector):
    """adops_store_up and adops_pending_approvals, as the last scrape read them from the store."""

    def __init__(self) -> None:
        self.up = 1.0
        self.pending: int | None = 0

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("adops_store_up", "1 when the state store answered the last scrape, else 0.", self.up)
        if self.pending is not None:  # unknown while the store is down
            yield GaugeMetricFamily(
                "adops_pending_approvals", "Changes waiting for out-of-band approval (not expired).", self.pending
            )


class Metrics:
    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series: half the text, and nothing Prometheus needs
        self.registry = CollectorRegistry()
        self.tool_calls = Counter(
            "adops_tool_calls",
            "Tool calls by tool, vendor (adops: the server's own tools) and outcome.",
            ["tool", "vendor", "outcome"],
            registry=self.registry,
        )
        self.tool_duration = Histogram(
            "adops_tool_call_duration_seconds",
            "How long tool calls took, by tool and vendor.",
            ["tool", "vendor"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.vendor_requests = Counter(
            "adops_vendor_requests",
            "HTTP requests sent to vendors (each attempt), by vendor and status class: 2xx, 3xx, 4xx, 5xx, "
            "timeout (no answer in time), error (no answer: connection failed or dropped).",
            ["vendor", "status"],
            registry=self.registry,
        )
        self.vendor_duration = Histogram(
            "adops_vendor_request_duration_seconds",
            "How long vendor HTTP requests took, by vendor.",
            ["vendor"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.confirmations = Counter(
            "adops_confirmations",
            "Confirmations of guarded changes by result: requested (a plan with a confirmation token, or an "
            "approval request, handed out), confirmed (a form accepted, a token redeemed), declined (a form), "
            "expired (a form answered after its deadline), refused (a confirmation token refused).",
            ["result"],
            registry=self.registry,
        )
        for result in CONFIRMATIONS:  # every result is exported from the start, at 0
            self.confirmations.labels(result)
        self.store = StoreGauges()
        self.registry.register(self.store)

    def tool_call(self, tool: str, vendor: str, outcome: str, seconds: float) -> None:
        self.tool_calls.labels(tool, vendor, outcome).inc()
        self.tool_duration.labels(tool, vendor).observe(seconds)

    def vendor_request(self, vendor: str, status: str, seconds: float) -> None:
        self.vendor_requests.labels(vendor, status).inc()
        self.vendor_duration.labels(vendor).observe(seconds)

    async def scrape(self, store: Store) -> bytes:
        """The Prometheus text, with the store's gauges read now."""
        try:
            self.store.pending = len(await store.pending_actions(limit=PENDING_COUNTED))
            self.store.up = 1.0
        except StoreUnavailable:
            self.store.pending, self.store.up = None, 0.0
        return generate_latest(self.registry)


def endpoint(metrics: Metrics, store: Store, token: str) -> ASGIApp:
    """GET /metrics for the holder of `token` (ADOPS_METRICS_TOKEN) only: an MCP client's or an operator's
    token is refused, and the metrics token opens nothing else."""
    expected = token.encode()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await _respond(send, 405, {"error": "method not allowed"}, {"allow": "GET, HEAD"})
            return
        scheme, _, presented = Headers(scope=scope).get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected):
            challenge = 'Bearer realm="adops-mcp metrics"' + (', error="invalid_token"' if presented else "")
            message = "Send Authorization: Bearer <ADOPS_METRICS_TOKEN>."
            await _respond(send, 401, {"error": "unauthorized", "message": message}, {"www-authenticate": challenge})
            return
        body = await metrics.scrape(store)
        headers = [(b"content-type", CONTENT_TYPE.encode()), (b"content-length", str(len(body)).encode())]
        headers.append((b"cache-control", b"no-store"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    return app


async def _respond(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
