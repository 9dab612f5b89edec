"""Approval notifications: a JSON POST to ADOPS_APPROVAL_WEBHOOK_URL when an approval is requested or decided.

The body has a Slack-compatible `text` (so an incoming-webhook URL works as is; every model or vendor value
in it quoted as data, see `slack_text`), the event, the action
as `adops-mcp pending --json` shows it, and a link to the console. Delivery runs in the background: a
tool call never waits for it. A few bounded retries on connection errors, 429 and 5xx, then a logged
warning. Nothing secret goes in the body; the URL itself (Slack's carries a secret) is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import httpx2

from ..vendorcall import secrets

if TYPE_CHECKING:
    from ..config import Settings
    from .store import PendingAction

log = logging.getLogger("adops_mcp.webhook")

ATTEMPTS = 3
TIMEOUT = 5.0  # seconds per attempt
BACKOFF = 0.5  # seconds before the second attempt, doubled before each next one
_tasks: set[asyncio.Task[bool]] = set()  # strong references until each delivery ends


def slack_text(value: object) -> str:
    """Untrusted text (model-chosen arguments, vendor names, notes) made inert for Slack and Markdown:
    `&`, `<`, `>` as entities, so `<!channel>` or `<https://evil|Open the console>` stay text, and backticks
    replaced by a look-alike so nothing closes the code quoting around it."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("`", "\u02cb")


def _inline(value: object) -> str:
    """One untrusted value in a line of the server's own words: one line, in inline code."""
    return "`" + " ".join(slack_text(value).split())[:200] + "`"


def _block(value: object) -> str:
    """Untrusted prose (the plan): a code block, where nothing is formatted or linked."""
    return "```\n" + slack_text(value) + "\n```"


def payload(event: str, action: PendingAction, console_url: str | None, by: str | None = None) -> dict[str, Any]:
    """The body for `approval_requested`, `approval_recorded` (one of several approvals) or `approval_decided`.

    `text` is for Slack-compatible receivers: the server's words with every model or vendor value quoted
    as data (inline code, the plan in a code block, Slack's control characters escaped)."""
    link = f"{console_url.rstrip('/')}/#action-{action.id}" if console_url else None
    where = f"{_inline(action.vendor)} (profile {_inline(action.profile)})"
    needed = action.approvals_required
    if event == "approval_requested":
        who = _inline(action.requested_by) if action.requested_by else "an assistant"
        wants = "Approval needed" if needed == 1 else f"{needed} approvals needed (different operators)"
        text = f"{wants}: {who} asks to run {_inline(action.tool)} on {where}."
    elif event == "approval_recorded":
        text = f"Approved by {_inline(by)}: {_inline(action.tool)} on {where}; it needs {needed} approvals in all."
    else:
        text = f"{action.status.capitalize()} by {_inline(action.decided_by)}: {_inline(action.tool)} on {where}."
    text += "\n" + _block(action.plan)
    if event == "approval_decided" and action.note:
        text += "\nNote: " + _inline(action.note)
    if link:
        text += f"\n<{link}|Open the approvals console>"
    body = {"event": event, "text": text, "action": action.public(), "console_url": link}
    scrubbed: dict[str, Any] = secrets.scrub_all(body)  # string by string: the JSON stays well formed
    return scrubbed


async def deliver(url: str, body: dict[str, Any], *, transport: httpx2.AsyncBaseTransport | None = None) -> bool:
    """POST with bounded retries; True when the receiver answered 2xx. Never raises."""
    wait = BACKOFF
    async with httpx2.AsyncClient(timeout=TIMEOUT, transport=transport, follow_redirects=False) as http:
        for attempt in range(1, ATTEMPTS + 1):
            retry = True
            try:
                response = await http.post(url, json=body)
            except httpx2.HTTPError as exc:
                problem = type(exc).__name__
            else:
                if response.is_success:
                    return True
                problem = f"HTTP {response.status_code}"
                retry = response.status_code == 429 or response.status_code >= 500  # a 4xx stays a 4xx
            if not retry or attempt == ATTEMPTS:
                log.warning(
                    "Approval webhook (%s) not delivered after %d attempt(s): %s", body["event"], attempt, problem
                )
                return False
            await asyncio.sleep(wait)
            wait *= 2
    return False


def notify(settings: Settings, event: str, action: PendingAction, by: str | None = None) -> None:
    """Send in the background when a webhook is configured; returns at once."""
    if settings.approval_webhook_url is None:
        return
    url = settings.approval_webhook_url.get_secret_value()
    body = payload(event, action, settings.console_url, by)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a synchronous caller (the CLI): deliver now, bounded by the retries
        asyncio.run(deliver(url, body))
        return
    task = loop.create_task(deliver(url, body))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
