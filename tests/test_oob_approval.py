"""Out-of-band approval (ADOPS_CONFIRM_MODE=out-of-band): a person approves with `adops-mcp approve <id>`.

Every case counts what reached the vendor: exactly once after approve, never after deny or expiry.
"""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from adops_mcp.cli import main
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}
ACTIVATE_PATH = "/retail-campaigns/7101/activate"


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def action_id(pending: dict) -> str:
    assert pending["status"] == "pending_approval", pending
    return pending["message"].split("approval id ")[1].split(",")[0]


async def test_approve_then_confirm_executes_exactly_once(mode: str) -> None:
    async with connect(mode=mode, confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        ident = action_id(first)
        assert "Northwind Organic Produce Week" in first["plan"] and first["confirmation_token"]
        assert h.writes("jivox") == 0

        # Before approval: still waiting, nothing sent (the model may check again later).
        waiting = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert waiting["status"] == "pending_approval" and "Not approved yet" in waiting["message"]
        assert h.writes("jivox") == 0

        listed = cli("pending")
        assert ident in listed and ACTIVATE in listed and "Northwind Organic Produce Week" in listed
        assert "Approved by" in cli("approve", ident, "--yes")

        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert done["status"] == "done"
        assert h.writes("jivox", ACTIVATE_PATH) == 1
        record = (await h.built.runtime.store.audit(audit_id=done["audit_id"], limit=1))[0]
        assert record.confirmed_by.startswith(f"out-of-band approval {ident} by ")

        again = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "already performed" in again
        assert h.writes("jivox", ACTIVATE_PATH) == 1
        assert ident not in cli("pending")


async def test_deny_never_executes(mode: str) -> None:
    async with connect(mode=mode, confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        ident = action_id(first)
        assert "Denied by" in cli("deny", ident)
        refused = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "denied" in refused and "Nothing was sent" in refused
        # A later approve cannot revive a denied change.
        result = CliRunner().invoke(main, ["approve", ident])
        assert result.exit_code == 1 and "is denied" in result.output
        assert "denied" in await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert h.writes("jivox") == 0


async def test_expiry_never_executes() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        # Approved, but the model comes back after the window: refused.
        first = await h.ok(ACTIVATE, ARGS)
        cli("approve", action_id(first), "--yes")
        tokens = h.built.runtime.tokens
        tokens.clock = lambda: time.time() + tokens.ttl + 5
        assert "expired" in await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        tokens.clock = time.time

        # Not approved within the window: approve is refused and confirm_action sends nothing.
        second = await h.ok(ACTIVATE, ARGS)
        ident = action_id(second)
        await h.built.runtime.store._run(
            "UPDATE pending_actions SET expires_at = ? WHERE id = ?", (time.time() - 1, ident)
        )
        result = CliRunner().invoke(main, ["approve", ident])
        assert result.exit_code == 1 and "is expired" in result.output
        assert "expired" in await h.error("confirm_action", {"confirmation_token": second["confirmation_token"]})
        assert ident not in cli("pending")
        assert h.writes("jivox") == 0


async def test_elicitation_and_plain_tokens_do_not_bypass_approval() -> None:
    seen: list[str] = []
    async with connect(confirm_mode="out-of-band", elicitation=answer("accept", True, seen)) as h:
        result = await h.ok(ACTIVATE, ARGS)
        assert result["status"] == "pending_approval" and seen == []  # no form: the chat cannot approve
        runtime = h.built.runtime
        settings = runtime.settings.vendors["jivox"]
        plain = runtime.tokens.issue(ACTIVATE, ARGS, settings.account_key, "stdio")
        refused = await h.error("confirm_action", {"confirmation_token": plain})
        assert "out-of-band" in refused and "Nothing was sent" in refused
        assert h.writes("jivox") == 0


async def test_unknown_id_is_a_clear_cli_error() -> None:
    result = CliRunner().invoke(main, ["approve", "nope1234"])
    assert result.exit_code == 1 and "No pending change with id nope1234" in result.output
