"""Who is calling: the name of the bearer token over HTTP, "stdio" for a local client.

The HTTP gate (http_app.Gate) authenticates the bearer token and writes its name into the ASGI
scope under `CALLER_KEY`. The scope is the server's own data, not a header, so a client cannot
forge it. Confirmation tokens are bound to this name, and the console shows it as "who asked".
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

CALLER_KEY = "adops.caller"
STDIO = "stdio"
HTTP_ANONYMOUS = "http"  # HTTP on loopback without configured bearer tokens
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def caller(ctx: Any) -> str:
    """The caller's identity for this request: a bearer token's name, "http", or "stdio"."""
    try:
        request = ctx.request_context.request if ctx is not None else None
    except ValueError:  # no request context (called outside a request)
        return STDIO
    scope = getattr(request, "scope", None)
    if not isinstance(scope, dict):
        return STDIO
    name = scope.get(CALLER_KEY)
    return name if isinstance(name, str) and name else HTTP_ANONYMOUS


def token_name(token: str) -> str:
    """The stable, non-secret name of a bearer token given without one."""
    return f"bearer-{hashlib.sha256(token.encode()).hexdigest()[:8]}"


def parse_token_entry(entry: str) -> tuple[str, str]:
    """`name:token` -> (name, token); a plain token gets `token_name(token)`."""
    name, sep, token = entry.partition(":")
    if sep and NAME.fullmatch(name) and token:
        return name, token
    return token_name(entry), entry
