"""Shared pieces of the security suite: a long-lived server on a background event loop (so
hypothesis can drive thousands of calls through one server), canary credentials for every vendor."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, quote_plus

from anyio.from_thread import BlockingPortal, start_blocking_portal

# Distinctive values with characters that URL-encode differently from their raw form.
CANARIES = {
    "JIVOX": {"API_KEY": "cnry-jvx+K3y/7Qz=9a"},
    "JOVEO": {"API_KEY": "cnry-jov-Ak9+z/Wq==", "CLIENT_ID": "cnry-jov-client-8d1f@x"},
    "MERCHENTA": {"USERNAME": "cnry.user+mrc@example.org", "PASSWORD": "cnry-mrc-P@ss w0rd/&="},
    "DELTA": {"API_KEY": "cnry-dlt?k=y&z%41b"},
}


def canary_simulators() -> list[Any]:
    from adops_mcp.sandbox.deltaprojects import DeltaSimulator
    from adops_mcp.sandbox.jivox import JivoxSimulator
    from adops_mcp.sandbox.joveo import JoveoSimulator
    from adops_mcp.sandbox.merchenta import MerchentaSimulator

    return [
        JivoxSimulator(**CANARIES["JIVOX"]),
        JoveoSimulator(**CANARIES["JOVEO"]),
        MerchentaSimulator(**CANARIES["MERCHENTA"]),
        DeltaSimulator(**CANARIES["DELTA"]),
    ]


def forms(secret: str) -> set[str]:
    """The ways a credential can show up: raw, URL-encoded, base64 (standard and URL-safe, +/- padding)."""
    raw = secret.encode()
    out = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        out.add(encode(raw).decode())
        out.add(encode(raw).decode().rstrip("="))
    return out


def leaks(text: str, secrets: list[str]) -> list[str]:
    return sorted({f"{s!r} as {f!r}" for s in secrets for f in forms(s) if f in text})


class Capture(logging.Handler):
    """A handler added after the server is built, like the stderr handler MCPServer installs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def captured_logs() -> Iterator[Capture]:
    root = logging.getLogger()
    handler, level = Capture(), root.level
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@contextmanager
def server_on_portal(**kwargs: Any) -> Iterator[tuple[BlockingPortal, Any]]:
    """The harness (server + MCP client) on a background event loop; call it with portal.call."""
    from tests.harness import connect

    with start_blocking_portal() as portal, portal.wrap_async_context_manager(connect(**kwargs)) as harness:
        yield portal, harness


def _restore_many_more() -> None:
    """hypothesis-jsonschema 0.23 drives `many` with the `more()` loop that newer Hypothesis replaced
    by `with many(...) as e: for _ in e:`. Give `many` its old method, built on the new internals."""
    from hypothesis.internal.conjecture import utils as cu

    if hasattr(cu.many, "more"):
        return

    def more(self: Any) -> bool:
        if self._depth is None:
            self._depth = self.data.depth
        self._finish_element()
        if not self._decide():
            return False
        self.count += 1
        self._in_element, self._rejected = True, False
        return True

    cu.many.more = more  # type: ignore[attr-defined]


_restore_many_more()
