"""Approval notifications: a JSON POST with a Slack-compatible `text` and a console link when an approval
is requested and when it is decided; bounded retries; failures logged; never blocking a tool call."""

from __future__ import annotations

import logging
import re
import time

import httpx2
import pytest

from adops_mcp.server import webhook
from adops_mcp.server.store import PendingAction
from tests.console.conftest import ALICE, BOB, CLIENT_BOB, CLIENT_CAROL, PAUSE, Team
from tests.console.test_console_security import signed_in

URL = "https://hooks.example/services/T000/B000/very-secret-path"


def test_requested_and_decided_are_posted_with_text_and_link(team: Team) -> None:
    action_id, _ = team.request(CLIENT_CAROL, *PAUSE)
    requested = team.receiver.wait_for("approval_requested", action_id)
    assert requested["text"].startswith(
        f"Approval needed: `carol` asks to run `{PAUSE[0]}` on `joveo` (profile `default`)."
    )
    assert "Always-on Drivers" in requested["text"]  # the plan
    assert requested["console_url"] == f"{team.console}/#action-{action_id}"
    assert f"<{team.console}/#action-{action_id}|Open the approvals console>" in requested["text"]
    assert requested["action"]["requested_by"] == "carol" and requested["action"]["status"] == "pending"

    with httpx2.Client(base_url=team.url) as http:
        csrf = signed_in(http, team, ALICE)
        http.post(
            f"/console/actions/{action_id}",
            data={"decision": "deny", "csrf": csrf, "note": "not now"},
            headers={"origin": team.url},
        )
    decided = team.receiver.wait_for("approval_decided", action_id)
    assert decided["text"].startswith(f"Denied by `alice`: `{PAUSE[0]}`") and "Note: `not now`" in decided["text"]
    assert decided["action"]["decided_by"] == "alice" and decided["action"]["note"] == "not now"

    everything = repr(team.receiver.bodies)
    for secret in (ALICE, BOB, CLIENT_BOB, CLIENT_CAROL, *team.built.sandbox.simulators["joveo"].credentials.values()):
        assert secret not in everything


def test_a_hanging_receiver_never_blocks_the_tool_call(team: Team) -> None:
    team.receiver.gate.clear()  # the receiver accepts the connection and then does not answer
    try:
        started = time.monotonic()
        action_id, _ = team.request(CLIENT_CAROL, *PAUSE)
        assert time.monotonic() - started < webhook.TIMEOUT  # answered before the webhook could time out
        assert all(b["action"]["id"] != action_id for b in team.receiver.bodies)
    finally:
        team.receiver.gate.set()
    team.receiver.wait_for("approval_requested", action_id)


def action() -> PendingAction:
    now = time.time()
    return PendingAction(
        "ab12cd34", now, now + 600, "jivox", "jivox:default:x", "jivox_activate_retail_campaign", {}, "Activate it",
        "pending", None, None, "bob", None,
    )  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_retries_are_bounded_and_failures_logged_without_the_url(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, anyio_backend: str
) -> None:
    monkeypatch.setattr(webhook, "BACKOFF", 0.0)
    seen: list[httpx2.Request] = []

    def failing(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(503)

    body = webhook.payload("approval_requested", action(), None)
    with caplog.at_level(logging.WARNING, logger="adops_mcp.webhook"):
        assert await webhook.deliver(URL, body, transport=httpx2.MockTransport(failing)) is False
    assert len(seen) == webhook.ATTEMPTS
    assert "not delivered after 3 attempt(s): HTTP 503" in caplog.text and "very-secret-path" not in caplog.text

    seen.clear()
    rejected = httpx2.MockTransport(lambda r: seen.append(r) or httpx2.Response(404))  # type: ignore[func-returns-value]
    assert await webhook.deliver(URL, body, transport=rejected) is False
    assert len(seen) == 1  # a 4xx is not retried

    answers = iter([httpx2.Response(500), httpx2.Response(200)])
    assert await webhook.deliver(URL, body, transport=httpx2.MockTransport(lambda r: next(answers))) is True
    assert re.fullmatch(r"Approval needed: `bob` asks to run `jivox_activate_retail_campaign` .*", body["text"], re.S)
