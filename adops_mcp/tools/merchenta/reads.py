"""Merchenta's JSend envelope and the campaign creatives read, shared by the operation table and the diagnosis."""

from __future__ import annotations

from typing import Any

import httpx2

from ...vendorcall.http import VendorError
from ...vendorcall.operation import Call
from ...vendorcall.request import build
from ...vendorcall.sanitize import clean
from .models import CreativeStatus

CAMPAIGN_STATUS = "/v3/campaigns/{campaignCode}/status"

MEANING = {
    "ACTIVE": "approved and running: it is shown and buys media",
    "INACTIVE": "approved but paused: not shown",
    "PENDING": 'under Merchenta\'s review ("Creative is under review"); the API refuses to set it ACTIVE meanwhile '
    "(E10059), and what follows the review is up to Merchenta",
    "REJECTED": "not accepted by Merchenta: it does not run; the documents do not say how it can run again (ask "
    "Merchenta)",
}


def describe_error(response: httpx2.Response, body: Any) -> str | None:
    """The JSend envelope: fail -> data.errors[] (code, description); error -> code, message."""
    if not isinstance(body, dict):
        return None
    if body.get("status") == "error":
        code, message = body.get("code"), body.get("message")
        return f"{code}: {message}" if code else (message or None)
    if body.get("status") == "fail":
        return "; ".join(item_text(e) for e in envelope_items(body, "errors")) or None
    return None


def envelope_items(body: Any, key: str) -> list[dict[str, Any]]:
    data = body.get("data") if isinstance(body, dict) else None
    items = data.get(key) if isinstance(data, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def item_text(item: dict[str, Any]) -> str:
    code, text = item.get("code"), item.get("description") or item.get("message") or ""
    return f"{code}: {text}" if code else str(text)


def jsend(response: httpx2.Response, *, write: bool = False) -> dict[str, Any]:
    """A 2xx answer's envelope; a `fail`/`error` envelope is a failure whatever the HTTP status. A write
    answered 2xx with a body that is no envelope may have been applied: its outcome is unknown."""
    unreadable = "unknown" if write else "failed"
    after = " The change may or may not have been applied: read the current state before retrying." if write else ""
    try:
        body = clean(response.json()) if response.content else {"status": "success"}
    except ValueError:
        raise VendorError(
            "merchenta",
            "Merchenta answered with something that is not JSON." + after,
            status=response.status_code,
            outcome=unreadable,
        ) from None
    if not isinstance(body, dict):
        raise VendorError(
            "merchenta",
            "Merchenta answered with an unexpected body." + after,
            status=response.status_code,
            outcome=unreadable,
        )
    if body.get("status") in ("fail", "error"):
        raise VendorError(
            "merchenta",
            f"Merchenta refused the request: {describe_error(response, body)}",
            status=response.status_code,
            body=body,
        )
    return body


async def campaign_creatives(call: Call, campaign: str) -> list[CreativeStatus]:
    response = await call.fetch(build("GET", CAMPAIGN_STATUS, {"campaignCode": campaign}))
    data = jsend(response).get("data") or {}
    items = data.get("status") if isinstance(data, dict) else None
    return [CreativeStatus.model_validate(c) for c in items or [] if isinstance(c, dict)]


def explain_status(status: str | None) -> str:
    return MEANING.get(status or "", f"status {status or 'unknown'}")
