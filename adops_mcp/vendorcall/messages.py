"""The words of vendor failures: why a connection did not open, what a 404 means, a vendor's own message.

Pure functions of what the client saw, so `VendorClient` (http.py) stays about sending.
"""

from __future__ import annotations

from typing import Any

import httpx2


def not_found(vendor: str, where: str, method: str, template: str, setting: str | None, body: Any) -> str:
    """What a 404 means depends on who answered and on the path: a page that is not an API answer (text,
    HTML) comes from a host that is not the vendor's API; a path without ids, or one the vendor's document
    does not give (a guess with its setting), may itself be wrong; only a documented path with ids that
    the API answered points at the ids. `where` is the base URL and its setting."""
    call = f"{method} {template}" if method else "the request"
    guess = (
        f" This path is a guess (the vendor's document does not give it): if {vendor} gave you another, "
        f"set {setting} (adops-mcp doctor --probe checks it)."
        if setting
        else ""
    )
    if isinstance(body, str) and body.strip():  # VendorError.not_an_api_answer
        return (
            f"{vendor} answered 404 to {call} with a page that is not an API answer (not JSON): the host "
            f"at {where} is most likely not the {vendor} API. Check that setting (adops-mcp doctor)." + guess
        )
    if template == "{path}":
        return f"{vendor} says not found (404) for {call}: check the ids; if every call answers 404, check {where}."
    if "{" not in template:
        return (
            f"{vendor} answered 404 to {call}, which takes no id: the base URL or this path is wrong. "
            f"Check {where}" + (f", or {setting}" if setting else "") + " (adops-mcp doctor --probe)."
        )
    if setting:
        return (
            f"{vendor} answered 404 to {call}: either a record it names does not exist, or the path is "
            f"not {vendor}'s." + guess
        )
    return f"{vendor} says not found (404) for {call}: check the ids."


def connect_cause(exc: Exception) -> str:
    """Why a connection did not open, in words an operator can act on."""
    if isinstance(exc, httpx2.ConnectTimeout):
        return "timed out while connecting"
    chain: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 5:
        chain.append(f"{type(seen).__name__} {seen}".lower())
        seen = seen.__cause__ or seen.__context__
    text = " ".join(chain)
    dns = ("name or service", "nodename", "getaddrinfo", "name resolution", "gaierror", "no address")
    if any(k in text for k in dns):
        return "DNS lookup failed: the host name does not resolve"
    if "refused" in text:
        return "connection refused"
    if any(k in text for k in ("ssl", "tls", "certificate")):
        return "TLS handshake failed"
    return "the connection could not be opened"


def generic_detail(body: Any) -> str | None:
    if isinstance(body, str):
        return body or None
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "description", "errorMessage"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict):
                nested = generic_detail(value)
                if nested:
                    return nested
    return None
