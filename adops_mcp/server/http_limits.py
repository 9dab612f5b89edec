"""What keeps the HTTP transport up under idle, slow and hostile connections.

uvicorn's h11 protocol times out only the idle time between requests (keep-alive). A connection that
never sends a byte, trickles its request line, or stops half-way through a body is held forever, and
a few hundred of them take every file descriptor: `accept()` then fails and the server stops answering.
`GuardedProtocol` is uvicorn's own protocol with three deadlines and a cap, all read from settings:

- ADOPS_HTTP_HEADER_TIMEOUT: from the first byte of a request (or the connection opening) until its
  headers are complete; the connection is closed when it passes.
- ADOPS_HTTP_KEEP_ALIVE_TIMEOUT: idle time between requests on one connection (uvicorn's own timer).
- ADOPS_HTTP_BODY_TIMEOUT: from the headers until the whole body has arrived.
- ADOPS_HTTP_MAX_CONNECTIONS: open connections; one beyond it is answered 503 and closed at once. The
  cap is lowered to fit the process's descriptor limit (the soft limit is first raised to the hard one),
  so the server never runs out of descriptors for its own files, store and vendor connections.

A protocol subclass is the simplest place that sees a connection from its first byte: an ASGI
middleware only runs once the headers are complete, which is exactly what a slow client never sends.
Deadlines are totals, not idle gaps, so trickling one byte at a time does not extend them.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..config import Settings

log = logging.getLogger("adops_mcp.serving")

RESERVED_DESCRIPTORS = 64  # kept free for the store, vendor connections, logs and the listening socket
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nretry-after: 1\r\n"
    b"connection: close\r\ncontent-length: 49\r\n\r\nToo many open connections (server busy); retry.\r\n"
)
EXHAUSTED = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


def raise_descriptor_limit() -> int | None:
    """Raise the soft RLIMIT_NOFILE to the hard limit; the soft limit now in force (None where unknown)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return None if soft == resource.RLIM_INFINITY else soft


@dataclass(frozen=True)
class Limits:
    header_timeout: float
    keep_alive_timeout: float
    body_timeout: float
    max_connections: int
    descriptors: int | None = None  # the soft descriptor limit, when it lowered max_connections

    @classmethod
    def from_settings(cls, settings: Settings, descriptors: int | None) -> Limits:
        cap = settings.http_max_connections
        fits = None if descriptors is None else max(1, descriptors - RESERVED_DESCRIPTORS)
        return cls(
            header_timeout=settings.http_header_timeout,
            keep_alive_timeout=settings.http_keep_alive_timeout,
            body_timeout=settings.http_body_timeout,
            max_connections=cap if fits is None else min(cap, fits),
            descriptors=descriptors if fits is not None and fits < cap else None,
        )


class Throttle:
    """At most `burst` log lines per key in each `window` seconds; the next one after says how many were dropped."""

    def __init__(self, burst: int = 5, window: float = 10.0) -> None:
        self.burst, self.window = burst, window
        self._seen: dict[str, tuple[float, int, int]] = {}  # key -> (window start, lines let through, dropped)

    def allow(self, key: str) -> tuple[bool, int]:
        """(whether to write this line, how many lines of this key were dropped before it)."""
        now = time.monotonic()
        start, passed, dropped = self._seen.get(key, (now, 0, 0))
        if now - start >= self.window:
            start, passed = now, 0
        if passed >= self.burst:
            self._seen[key] = (start, passed, dropped + 1)
            return False, 0
        self._seen[key] = (start, passed + 1, 0)
        return True, dropped


throttle = Throttle()

# Loggers whose lines a client can trigger at will (a malformed request, an odd disconnect): throttled per line.
NOISY = ("uvicorn.error", "asyncio", "mcp.server.streamable_http")


class ThrottleFilter(logging.Filter):
    """Lets through at most `throttle.burst` records of each message template per window."""

    def __init__(self, limiter: Throttle) -> None:
        super().__init__()
        self.limiter = limiter

    def filter(self, record: logging.LogRecord) -> bool:
        allowed, dropped = self.limiter.allow(f"{record.name}:{record.msg}")
        if allowed and dropped:
            record.msg = f"{record.msg} ({dropped} more like it were not logged)"
        return allowed


def throttle_noisy_loggers() -> None:
    for name in NOISY:
        target = logging.getLogger(name)
        if not any(isinstance(f, ThrottleFilter) for f in target.filters):
            target.addFilter(ThrottleFilter(throttle))


def warn(key: str, message: str, *args: Any) -> None:
    """A warning an attacker can trigger at will: rate-limited per key."""
    allowed, dropped = throttle.allow(key)
    if allowed:
        suffix = f" ({dropped} more like it were not logged)" if dropped else ""
        log.warning(message + suffix, *args)


def loop_exception_handler(limits: Limits) -> Any:
    """The event loop's handler: a failed accept() (descriptors exhausted) is one throttled line, no traceback."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in EXHAUSTED:
            warn(
                "accept",
                "HTTP: cannot accept a connection (%s); retrying. Raise the descriptor limit (ulimit -n) or lower "
                "ADOPS_HTTP_MAX_CONNECTIONS (now %d).",
                os.strerror(exc.errno or 0),
                limits.max_connections,
            )
            return
        loop.default_exception_handler(context)

    return handle


class GuardedProtocol(H11Protocol):
    """uvicorn's h11 protocol with header and body deadlines and a cap on open connections."""

    limits: ClassVar[Limits]
    _deadline: asyncio.TimerHandle | None = None
    _phase: str | None = None  # "headers" or "body" while a deadline runs

    @classmethod
    def with_limits(cls, limits: Limits) -> type[GuardedProtocol]:
        return type("GuardedProtocol", (cls,), {"limits": limits})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            transport.write(BUSY)
            transport.close()  # connection_lost removes it from the count
            warn(
                "busy",
                "HTTP: %d connections open (ADOPS_HTTP_MAX_CONNECTIONS): refused one with 503.",
                self.limits.max_connections,
            )
            return
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    def _watch(self) -> None:
        """Start the deadline of what the connection waits for now (headers, body), once per phase."""
        if self.transport.is_closing():
            self._stop()
            return
        state = self.conn.their_state
        phase = None
        if state is h11.IDLE and self.timeout_keep_alive_task is None:  # while idle, keep-alive's timer runs
            phase = "headers"
        elif state is h11.SEND_BODY:
            phase = "body"
        if phase == self._phase:
            return
        self._stop()
        if phase is not None:
            seconds = self.limits.header_timeout if phase == "headers" else self.limits.body_timeout
            self._phase = phase
            self._deadline = self.loop.call_later(seconds, self._expire)

    def _stop(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self._phase = None

    def _expire(self) -> None:
        """Too slow: close the connection (an app reading the body sees the client gone)."""
        phase = self._phase
        self._deadline = self._phase = None
        if not self.transport.is_closing():
            log.debug("HTTP: closed a connection that sent no complete %s in time", phase)
            self.transport.close()
