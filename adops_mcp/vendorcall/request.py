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

from .sanitize import escaped, literal

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


def digest(requests: Iterable[Request], facts: Mapping[str, Any] | None = None) -> str:
    """A digest of a whole sequence of requests and the facts it relies on (what a confirmation binds to)."""
    whole = {"requests": [r.canonical() for r in requests], "facts": dict(facts or {})}
    text = json.dumps(whole, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class TooLargeToConfirm(ValueError):
    """The requests are too large to be shown whole to a person; nothing is sent."""


SHORT = 160  # a value whose text is longer is shown whole in a numbered block under the requests
MAX_PLAN = 64 * 1024  # characters: a longer plan is refused, nobody can check it
_NAME = re.compile(r"^[A-Za-z0-9_$@-]{1,80}$")


def render(requests: list[Request], facts: Mapping[str, Any] | None = None) -> str:
    """What the person reads: every request whole, every field it carries on its own line (query, headers,
    form fields, body at any depth, a body that is not an object), values as escaped JSON; a long value
    in a numbered block below, never cut; the facts the send relies on (checked again when sending).
    Raises TooLargeToConfirm past MAX_PLAN characters."""
    if not requests:
        return "Will send: nothing (no request changes anything)."
    lines: list[str] = []
    blocks: list[str] = []

    def show(label: str, value: Any) -> None:
        for name, leaf in _leaves(label, value):
            text = literal(leaf)
            if isinstance(leaf, list):
                name += f" ({len(leaf)} item{'' if len(leaf) == 1 else 's'})"
            if len(text) > SHORT:
                blocks.append(f"[{len(blocks) + 1}] {name} ({len(text):,} characters):\n{text}")
                text = f"[{len(blocks)}] (shown whole below)"
            lines.append(f"  {name}: {text}")

    for request in requests:
        lines.append(f"Will send: {request.method} {escaped(request.path)}")
        for key, value in request.query.items():
            if value is not None:
                show("query " + _name(key), value)
        for key, value in request.headers.items():
            show("header " + _name(key), value)
        for key, value in (request.form or {}).items():
            show("form " + _name(key), value)
        if isinstance(request.json, dict):
            for key, value in request.json.items():
                show(_name(key), value)
        elif request.json is not None:
            show("body", request.json)
    for what, value in (facts or {}).items():
        show(f"checked again when sending: {_name(what)}", value)
    text = "\n".join(lines + (["", *blocks] if blocks else []))
    if len(text) > MAX_PLAN:
        raise TooLargeToConfirm(
            f"This change is too large to show whole for confirmation ({len(text) // 1024} KiB of requests; the "
            f"limit is {MAX_PLAN // 1024} KiB). Nothing was sent. Split it into smaller changes."
        )
    return text


def _name(key: Any) -> str:
    key = str(key)
    return key if _NAME.match(key) else literal(key)


def _leaves(name: str, value: Any) -> list[tuple[str, Any]]:
    """(name, value) pairs to show: a value whose JSON is short stays whole; a longer object or list of
    objects opens into its members (`caps.budget.monthly`), so no amount hides inside a long line."""
    opens = isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict | list) for v in value))
    if not opens or not value or len(literal(value)) <= SHORT:
        return [(name, value)]
    items = value.items() if isinstance(value, dict) else ((f"[{i}]", v) for i, v in enumerate(value))
    out: list[tuple[str, Any]] = []
    for key, member in items:
        label = f"{name}{key}" if isinstance(value, list) else f"{name}.{_name(key)}"
        out.extend(_leaves(label, member))
    return out


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
