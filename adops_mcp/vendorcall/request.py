"""The one way a vendor request is built and sent.

`build` fills a path template with each value percent-encoded as exactly one path segment, after
refusing values that could walk or break the path (`.`, `..`, empty, `/`, `\\`, `%`, `?`, `#`,
control, invisible and space characters). A `Request` is a plain value: the plan shows it, the
confirmation token binds to its digest, and `send` hands exactly it to the vendor client. Nothing
else in the package fills a path template (tests/security/test_requests.py greps for it).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import AfterValidator

if TYPE_CHECKING:
    import httpx2

    from .http import VendorClient

PLACEHOLDER = re.compile(r"{(\w+)}")
FORBIDDEN = set("/\\%?#")


class UnsafeId(ValueError):
    """A value that cannot travel as one path segment; nothing is sent."""


def segment_problem(value: str) -> str | None:
    """Why `value` cannot be one path segment, or None when it can."""
    for form in dict.fromkeys((value, unicodedata.normalize("NFKC", value))):
        if form in ("", ".", ".."):
            return "must not be empty, '.' or '..'"
        for ch in form:
            if ch in FORBIDDEN:
                return f"must not contain {ch!r}"
            if unicodedata.category(ch)[0] in "CZ":  # control, format (zero-width, bidi), unassigned, spaces
                return f"must not contain invisible, control or space characters (U+{ord(ch):04X})"
    return None


def safe_segment(value: Any) -> Any:
    """Pydantic validator for every id that travels in a path: refused as an invalid argument."""
    if isinstance(value, str) and (problem := segment_problem(value)):
        raise ValueError(f"not a valid id: {problem}")
    return value


PathSafe = AfterValidator(safe_segment)


@dataclass(frozen=True)
class Request:
    """One vendor request exactly as it will be sent (credentials are added by the client)."""

    method: str
    template: str
    path: str
    query: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def canonical(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": {k: v for k, v in self.query.items() if v is not None},
            "json": self.json,
            "form": dict(self.form) if self.form is not None else None,
            "headers": dict(self.headers),
        }


def digest(requests: Iterable[Request]) -> str:
    """A digest of a whole sequence of requests (what a confirmation binds to)."""
    text = json.dumps([r.canonical() for r in requests], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def build(
    method: str,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    query: Mapping[str, Any] | None = None,
    json: Any = None,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Request:
    """Fill `template` ({name} placeholders) with `values`, each percent-encoded as one segment."""
    values = values or {}
    names = PLACEHOLDER.findall(template)
    if missing := [n for n in names if values.get(n) is None]:
        raise UnsafeId(f"no value for {', '.join(missing)} in {template}")
    if extra := sorted(set(values) - set(names)):
        raise UnsafeId(f"{', '.join(extra)} is not a placeholder of {template}")

    def fill(match: re.Match[str]) -> str:
        value = str(values[match.group(1)])
        if problem := segment_problem(value):
            raise UnsafeId(f"{match.group(1)} {problem} (got {value!r})")
        return quote(value, safe="")

    return Request(
        method=method,
        template=template,
        path=PLACEHOLDER.sub(fill, template),
        query=dict(query or {}),
        json=json,
        form=dict(form) if form is not None else None,
        headers=dict(headers or {}),
    )


async def send(
    client: VendorClient,
    request: Request,
    *,
    read: bool,
    authenticated: bool = True,
    ok_statuses: frozenset[int] = frozenset(),
) -> httpx2.Response:
    """Send exactly `request` through the vendor client (retries, auth, error mapping live there)."""
    return await client.request(
        request.method,
        request.path,
        read=read,
        params=request.query,
        json_body=request.json,
        form=request.form,
        headers=request.headers,
        authenticated=authenticated,
        ok_statuses=ok_statuses,
    )
