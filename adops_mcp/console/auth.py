"""Who may use the console and how a browser proves it: operator tokens, session cookies, CSRF, Origin/Host.

- Operators are `name:token` pairs (ADOPS_CONSOLE_TOKENS, ADOPS_CONSOLE_TOKENS_FILE), separate from the
  MCP client tokens. A token is compared in constant time against every operator's.
- A session is a signed cookie (the install's confirmation key, its own salt) holding the operator's
  name, a random session id and a fingerprint of the operator's token: it expires after
  ADOPS_CONSOLE_SESSION_TTL, ends when the token is removed or changed, and sign-out records the session
  id as used in the shared store, so a copied cookie is dead on every replica too.
- Every POST needs a CSRF token (an HMAC of the session id; before sign-in, a double-submit cookie)
  and an Origin (or, without one, a Referer) naming this very host. Any miss is 403 with nothing changed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as pysecrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from ..config import ConfigError, Settings
from ..server.identity import NAME
from ..vendorcall import secrets

SESSION_COOKIE = "adops_console"
LOGIN_COOKIE = "adops_console_login"
PATH = "/console"


def load_operators(settings: Settings) -> dict[str, str]:
    """name -> token from ADOPS_CONSOLE_TOKENS and ADOPS_CONSOLE_TOKENS_FILE; empty when the console is off."""
    entries: list[tuple[str, str]] = []
    if settings.console_tokens is not None:
        raw = settings.console_tokens.get_secret_value()
        entries += [("ADOPS_CONSOLE_TOKENS", part) for part in raw.split(",") if part.strip()]
    if settings.console_tokens_file is not None:
        try:
            lines = settings.console_tokens_file.read_text().splitlines()
        except OSError as exc:
            raise ConfigError(
                f"ADOPS_CONSOLE_TOKENS_FILE: cannot read {settings.console_tokens_file} ({exc.strerror})."
            ) from None
        entries += [("ADOPS_CONSOLE_TOKENS_FILE", line) for line in lines if line.strip() and not line.startswith("#")]
    operators: dict[str, str] = {}
    for source, entry in entries:
        name, sep, token = (part.strip() for part in entry.partition(":"))
        if not sep or not NAME.fullmatch(name) or not token:
            raise ConfigError(f"{source}: each operator is `name:token` (e.g. `alice:<32 random characters>`).")
        if len(token) < 16:
            raise ConfigError(
                f"{source}: the token of operator {name!r} needs at least 16 characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
        if name in operators and operators[name] != token:
            raise ConfigError(f"{source}: operator {name!r} is listed twice with different tokens.")
        secrets.register(token)
        operators[name] = token
    from ..server.http_app import load_tokens

    client_tokens = set(load_tokens(settings).values())
    if client_tokens & set(operators.values()):
        raise ConfigError(
            "An operator token (ADOPS_CONSOLE_TOKENS) is also an MCP client token (ADOPS_HTTP_TOKENS): the assistant "
            "that holds it could approve its own changes. Give operators their own tokens."
        )
    return operators


@dataclass
class Session:
    operator: str
    sid: str
    csrf: str


@dataclass
class Auth:
    operators: dict[str, str]
    key: str
    ttl: int
    clock: Callable[[], float] = field(default=time.time)

    def __post_init__(self) -> None:
        secrets.register(self.key, owner=self)
        auth = self

        class Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(auth.clock())

        self._serializer = URLSafeTimedSerializer(self.key, salt="adops-mcp/console-session/v1", signer=Signer)

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self.key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def operator_for(self, token: str) -> str | None:
        found = None
        for name, expected in self.operators.items():  # every one compared: timing tells nothing
            if hmac.compare_digest(expected.encode(), token.encode()):
                found = name
        return found

    def issue(self, operator: str) -> str:
        fingerprint = self._mac("operator", self.operators[operator])
        return self._serializer.dumps({"op": operator, "sid": pysecrets.token_urlsafe(16), "fp": fingerprint})

    def session(self, cookie: str | None) -> Session | str:
        """The session in a cookie, or why there is none ("missing", "expired", "invalid")."""
        if not cookie:
            return "missing"
        try:
            data = self._serializer.loads(cookie, max_age=self.ttl)
        except SignatureExpired:
            return "expired"
        except BadSignature:
            return "invalid"
        operator = data.get("op") if isinstance(data, dict) else None
        token = self.operators.get(operator) if isinstance(operator, str) else None
        if token is None or not hmac.compare_digest(str(data.get("fp")), self._mac("operator", token)):
            return "invalid"  # the operator was removed or their token changed
        sid = str(data.get("sid"))
        return Session(operator=str(operator), sid=sid, csrf=self._mac("csrf", sid))

    def expires_at(self) -> float:
        return self.clock() + self.ttl


@dataclass
class SigninLimiter:
    """At most `attempts` failed sign-ins per client address within `window` seconds; then refused until the
    oldest failure leaves the window. In memory, per process: each replica counts its own (behind a load
    balancer an address gets up to `attempts` per replica), and a restart forgets. Operator tokens are long
    random strings, so this stops noise and guessing at scale, not a lucky guess. The address is the one
    the server sees: behind a reverse proxy, uvicorn takes it from X-Forwarded-For only when the proxy is
    trusted (--forwarded-allow-ips), otherwise every client shares the proxy's budget."""

    attempts: int = 10
    window: float = 300.0
    max_addresses: int = 10_000  # memory bound: the longest-quiet addresses are forgotten first
    clock: Callable[[], float] = field(default=time.monotonic)

    def __post_init__(self) -> None:
        self._failures: dict[str, list[float]] = {}

    def _recent(self, address: str) -> list[float]:
        since = self.clock() - self.window
        recent = [t for t in self._failures.get(address, []) if t > since]
        if recent:
            self._failures[address] = recent
        else:
            self._failures.pop(address, None)
        return recent

    def wait(self, address: str) -> float:
        """Seconds until this address may try again (0: now)."""
        recent = self._recent(address)
        if len(recent) < self.attempts:
            return 0.0
        return max(1.0, recent[0] + self.window - self.clock())

    def failed(self, address: str) -> None:
        recent = self._recent(address)
        self._failures.pop(address, None)  # re-inserted last: the dict's order is least recently failed first
        self._failures[address] = [*recent, self.clock()]
        while len(self._failures) > self.max_addresses:
            del self._failures[next(iter(self._failures))]


def new_login_nonce() -> str:
    return pysecrets.token_urlsafe(24)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def host_allowed(host: str, allowed: list[str]) -> bool:
    """The Host header against the transport's allowed hosts (`name:*` allows any port)."""
    for entry in allowed:
        if entry.endswith(":*"):
            base = entry[:-2]
            if host == base or (host.startswith(base + ":") and host[len(base) + 1 :].isdigit()):
                return True
        elif host == entry:
            return True
    return False


def same_origin(request: Request, trusted: set[str]) -> bool:
    """A POST must come from a page of this very host: Origin, else Referer, names the Host (or one of
    ADOPS_ALLOWED_ORIGINS, e.g. the https:// name a TLS proxy serves the console under)."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        referer = request.headers.get("referer")
        if not referer or origin == "null":
            return False
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin == f"{request.url.scheme}://{host}" or origin in trusted


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path=PATH, httponly=True, samesite="strict", secure=request.url.scheme == "https")
