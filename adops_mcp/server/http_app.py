"""Streamable HTTP serving (`adops-mcp serve --transport http`): the MCP app at /mcp behind a small gate.

- Host and Origin are validated on every bind (the SDK's TransportSecuritySettings): loopback names
  for a loopback bind, plus ADOPS_ALLOWED_HOSTS / ADOPS_ALLOWED_ORIGINS; a wildcard bind needs them.
- Bearer tokens (ADOPS_HTTP_TOKENS, ADOPS_HTTP_TOKENS_FILE; entries `name:token`) are required whenever the server binds
  beyond loopback, and enforced whenever configured. They are compared in constant time and the
  Authorization header is removed before the MCP app sees the request, so it can never reach a vendor.
- GET /healthz answers without authentication and without any configuration detail.
- GET /metrics (Prometheus) exists only with ADOPS_METRICS_TOKEN, and answers only that bearer token.
- Request bodies above ADOPS_HTTP_MAX_BODY are refused with 413; a client that stops mid-body is dropped
  quietly (counted, debug log). A request framed both by Content-Length and chunked is refused (400, closed).
- Stateless by default (ADOPS_HTTP_STATELESS): no session lives in the process, so replicas behind a
  load balancer are interchangeable. Confirmation tokens are signed with ADOPS_CONFIRM_KEY, which
  replicas must share (and share the data directory's store for single use).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import __version__
from ..config import ConfigError, Settings
from ..vendorcall import secrets
from .identity import CALLER_KEY, HTTP_ANONYMOUS, parse_token_entry
from .policy import names

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger("adops_mcp.serving")

LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")
LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")
HEALTH_PATH = "/healthz"
MCP_PATH = "/mcp"
CONSOLE_PATH = "/console"
METRICS_PATH = "/metrics"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _with_any_port(host: str) -> set[str]:
    """`name` allows `name` and `name:<any port>`; an entry with a port is taken as given."""
    if host.endswith("]") or ":" not in host:
        return {host, f"{host}:*"}
    return {host}


def load_tokens(settings: Settings) -> dict[str, str]:
    """Bearer tokens by name. Entries are `name:token`; a plain token is named `bearer-<8 hex of its sha256>`."""
    entries = sorted(names(settings.http_tokens.get_secret_value() if settings.http_tokens else None))
    if settings.http_tokens_file is not None:
        try:
            lines = settings.http_tokens_file.read_text().splitlines()
        except OSError as exc:
            raise ConfigError(
                f"ADOPS_HTTP_TOKENS_FILE: cannot read {settings.http_tokens_file} ({exc.strerror})."
            ) from None
        entries += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    tokens: dict[str, str] = {}
    for entry in entries:
        name, token = parse_token_entry(entry)
        if len(token) < 16:
            raise ConfigError(
                "ADOPS_HTTP_TOKENS: every bearer token needs at least 16 characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
        secrets.register(token)
        if tokens.get(name, token) != token:
            raise ConfigError(f"ADOPS_HTTP_TOKENS: the name {name!r} is given to two different tokens.")
        if token in tokens.values() and name not in tokens:
            raise ConfigError(f"ADOPS_HTTP_TOKENS: one token is given two names ({name!r} and another).")
        tokens[name] = token
    return tokens


def transport_security(settings: Settings, host: str) -> TransportSecuritySettings:
    hosts: set[str] = set()
    for entry in names(settings.allowed_hosts):
        hosts |= _with_any_port(entry)
    origins = names(settings.allowed_origins)
    if is_loopback(host):
        hosts |= set(LOOPBACK_HOSTS)
        origins |= set(LOOPBACK_ORIGINS)
    elif host not in ("0.0.0.0", "::", ""):
        hosts |= _with_any_port(f"[{host}]" if ":" in host else host)  # the bind address itself
    if not hosts:
        raise ConfigError(
            f"Binding {host or 'every address'} accepts connections under any name, so name the Host values "
            "clients will use: --allowed-hosts mcp.example.com (env ADOPS_ALLOWED_HOSTS; a name without a "
            "port also allows it with any port). Requests with any other Host are refused (DNS rebinding)."
        )
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=sorted(hosts), allowed_origins=sorted(origins)
    )


@dataclass
class Gate:
    """ASGI middleware in front of the MCP app: health endpoint and bearer authentication."""

    app: ASGIApp
    tokens: dict[str, bytes]  # name -> bearer token
    console: ASGIApp | None = None  # /console: its own sign-in (operators), never the MCP bearer tokens
    stateless: bool = False  # no session, so no server-to-client stream: GET /mcp is refused, not left open
    max_body: int = 1_048_576  # ADOPS_HTTP_MAX_BODY
    abandoned: int = 0  # request bodies the client stopped sending (counted, logged at debug level only)
    metrics: ASGIApp | None = None  # /metrics: its own bearer token (ADOPS_METRICS_TOKEN), never an MCP one

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan: the MCP app's session manager
            await self.app(scope, receive, send)
            return
        names = {name for name, _ in scope["headers"]}
        if b"transfer-encoding" in names and b"content-length" in names:
            # Two framings: a proxy may read one and this server the other (request smuggling). Refuse and close,
            # so nothing pipelined behind it is served.
            message = "Content-Length and Transfer-Encoding together are ambiguous; send one."
            await _respond(send, 400, {"error": "bad request", "message": message}, {"connection": "close"})
            return
        if scope["path"] == HEALTH_PATH:
            if scope["method"] in ("GET", "HEAD"):
                await _respond(send, 200, {"status": "ok", "version": __version__})
            else:
                await _respond(send, 405, {"error": "method not allowed"}, {"allow": "GET, HEAD"})
            return
        if self.metrics is not None and scope["path"] == METRICS_PATH:
            await self.metrics(scope, receive, send)
            return
        if self.console is not None and (scope["path"] == CONSOLE_PATH or scope["path"].startswith(CONSOLE_PATH + "/")):
            await self.console(scope, receive, send)
            return
        if self.tokens:
            scheme, _, presented = Headers(scope=scope).get("authorization", "").partition(" ")
            name = self.match(presented.strip().encode()) if scheme.lower() == "bearer" else None
            if name is None:
                challenge = 'Bearer realm="adops-mcp"' + (', error="invalid_token"' if presented else "")
                await _respond(
                    send,
                    401,
                    {"error": "unauthorized", "message": "Send Authorization: Bearer <token> (ADOPS_HTTP_TOKENS)."},
                    {"www-authenticate": challenge},
                )
                return
            # Nobody downstream (tools, vendor clients, logs) ever sees the client's credential.
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]}
        else:
            name = HTTP_ANONYMOUS
        if self.stateless and scope["path"] == MCP_PATH and scope["method"] == "GET":
            message = "Stateless server: no event stream to open. POST JSON-RPC requests to /mcp."
            await _respond(send, 405, {"error": "method not allowed", "message": message}, {"allow": "POST"})
            return
        if scope["method"] == "POST":
            declared = Headers(scope=scope).get("content-length", "")
            too_large = declared.isdigit() and int(declared) > self.max_body
            body = None if too_large else await self.read_body(receive)
            if body is None and not too_large:
                return
            if body is None or len(body) > self.max_body:
                refusal = {"error": "request body too large", "message": "The limit is ADOPS_HTTP_MAX_BODY bytes."}
                await _respond(send, 413, refusal, {"connection": "close"})
                return
            receive = _replay(body, receive)
        # The caller's name travels in the scope (server data, never a header), so no client can forge it.
        await self.app({**scope, CALLER_KEY: name}, receive, send)

    async def read_body(self, receive: Receive) -> bytes | None:
        """The whole body (reading stops one byte past the limit), or None when the client went away
        mid-body: an everyday event a client controls, so it is counted and logged at debug level only."""
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                self.abandoned += 1
                log.debug("HTTP: the client went away before sending the whole request body")
                return None
            body += message.get("body", b"")
            if len(body) > self.max_body or not message.get("more_body", False):
                return bytes(body)

    def match(self, presented: bytes) -> str | None:
        """The name of the token presented, or None."""
        matched = None
        for name, token in self.tokens.items():  # every token is compared: the time does not say which one matched
            if hmac.compare_digest(token, presented):
                matched = name
        return matched


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then waits on the client as before."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Any:
        return pending.pop() if pending else await receive()

    return replay


async def _respond(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


def build_http_app(server: MCPServer[Any], settings: Settings, host: str, console: ASGIApp | None = None) -> ASGIApp:
    """The ASGI app to serve; raises ConfigError (before anything listens) when the setup is unsafe.

    `console` (adops_mcp.console.build_console) is served at /console with its own sign-in."""
    tokens = load_tokens(settings)
    if not is_loopback(host) and not tokens:
        raise ConfigError(
            f"Refusing to serve on {host} without authentication: anyone who can reach it could act on your "
            "ad accounts. Set ADOPS_HTTP_TOKENS (comma-separated bearer tokens) or ADOPS_HTTP_TOKENS_FILE, "
            "or bind 127.0.0.1."
        )
    security = transport_security(settings, host)
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=settings.http_stateless,
        max_request_body_size=settings.http_max_body,
        transport_security=security,
        host=host,
    )
    if console is None and (settings.console_tokens or settings.console_tokens_file):
        raise ConfigError("ADOPS_CONSOLE_TOKENS is set but no approvals console was built for this server.")
    metrics = None
    if settings.metrics_token is not None:  # prometheus_client loads only then
        from .metrics import endpoint

        metrics_token = settings.metrics_token.get_secret_value().strip()
        console_tokens = settings.console_tokens.get_secret_value() if settings.console_tokens else None
        if metrics_token in {*tokens.values(), *(parse_token_entry(e)[1] for e in names(console_tokens))}:
            raise ConfigError("ADOPS_METRICS_TOKEN must differ from every MCP client and console token.")
        runtime: Runtime = server.runtime  # type: ignore[attr-defined]  # build_server's AdopsServer
        assert runtime.telemetry.metrics is not None, "build_server and build_http_app need the same settings"
        metrics = endpoint(runtime.telemetry.metrics, runtime.store, metrics_token)
    tokens_by_name = {name: token.encode() for name, token in tokens.items()}
    return Gate(app, tokens_by_name, console, settings.http_stateless, max_body=settings.http_max_body, metrics=metrics)


def serve_http(app: ASGIApp, runtime: Runtime, sock: Any, *, grace: int) -> None:
    """Serve until SIGINT/SIGTERM (see `http_server`), with the descriptor limit raised first."""
    from .http_limits import raise_descriptor_limit

    http_server(app, runtime, grace=grace, descriptors=raise_descriptor_limit()).run(sockets=[sock])


def http_server(app: ASGIApp, runtime: Runtime, *, grace: int, descriptors: int | None, **config: Any) -> Any:
    """The uvicorn server for `app`. Running calls get `grace` seconds at shutdown; just before it ends, those
    still waiting on a vendor are stopped with a clear error result (a write: outcome unknown, with its audit
    record) while the connection can still carry it, so no response is cut off mid-stream.

    Slow, idle and surplus connections are cut by the limits of server/http_limits.py (`descriptors`: the
    process's soft descriptor limit, which the connection cap must fit). `config`: more uvicorn.Config options."""
    import asyncio

    import uvicorn

    from .http_limits import GuardedProtocol, Limits, loop_exception_handler, throttle_noisy_loggers
    from .telemetry import flush_traces

    throttle_noisy_loggers()
    limits = Limits.from_settings(runtime.settings, descriptors)
    if limits.descriptors is not None:
        log.warning(
            "HTTP: at most %d open connections (ADOPS_HTTP_MAX_CONNECTIONS lowered to fit the descriptor limit %d)",
            limits.max_connections,
            limits.descriptors,
        )

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[Any] | None = None) -> None:
            asyncio.get_running_loop().set_exception_handler(loop_exception_handler(limits))
            await super().startup(sockets)

        async def shutdown(self, sockets: list[Any] | None = None) -> None:
            async def stop_calls() -> None:
                await asyncio.sleep(grace - min(1.0, grace / 2))
                runtime.stop_calls()

            stopper = asyncio.ensure_future(stop_calls())
            try:
                await super().shutdown(sockets)
            finally:
                stopper.cancel()
                flush_traces()  # uvicorn then re-raises the signal: the exit runs no atexit hook

    settings = uvicorn.Config(
        app,
        http=GuardedProtocol.with_limits(limits),
        ws="none",  # MCP needs no WebSocket; an upgrade request is answered as plain HTTP
        timeout_keep_alive=limits.keep_alive_timeout,  # type: ignore[arg-type]  # uvicorn's timer takes a float
        # uvicorn gets no logging config of its own: its lines reach the root logger's one handler (text:
        # safelog's, json: the JSON one), both of which cannot fail, through the throttle above.
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=grace,
        server_header=False,
        **config,
    )
    return Server(settings)
