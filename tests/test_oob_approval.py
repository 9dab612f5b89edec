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


async def test_small_budget_raises_need_one_approval_and_everything_else_the_full_count() -> None:
    from adops_mcp.sandbox.deltaprojects import ACT_LIVE, CLIENT_SE
    from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, GLOBEX

    budget = {"client_id": CLIENT_SE, "activity_id": ACT_LIVE}  # its budget is 150000 now
    settings = {"approvals_required": 2, "approvals_required_above": 10000}
    async with connect(confirm_mode="out-of-band", **settings) as h:
        small = await h.ok("delta_update_activity", {**budget, "budget": 158000})
        large = await h.ok("delta_update_activity", {**budget, "budget": 190000})
        pause = await h.ok("joveo_pause_campaign", {"client_id": GLOBEX, "campaign_id": CAMP_ALWAYS_ON})
        assert "needs a person to approve" in small["message"]
        for needs_two in (large, pause):  # a raise above the threshold; a change with no amount at all
            assert "needs 2 different people to approve" in needs_two["message"]
            refused = CliRunner().invoke(main, ["approve", action_id(needs_two), "--yes"])
            assert refused.exit_code == 1 and "--as NAME" in refused.output
        env = {"ADOPS_APPROVALS_REQUIRED": "2", "ADOPS_APPROVALS_REQUIRED_ABOVE": "10000"}
        result = CliRunner().invoke(main, ["approve", action_id(small), "--yes"], env=env)
        assert result.exit_code == 0 and "Approved by" in result.output, result.output
        done = await h.ok("confirm_action", {"confirmation_token": small["confirmation_token"]})
        assert done["status"] == "done" and h.writes("deltaprojects", "/activity/") == 1
        one = CliRunner().invoke(main, ["approve", action_id(large), "--yes", "--as", "alice"], env=env)
        assert one.exit_code == 0 and "1 of 2 approvals" in one.output
        waiting = await h.ok("confirm_action", {"confirmation_token": large["confirmation_token"]})
        assert waiting["status"] == "pending_approval" and h.writes("deltaprojects", "/activity/") == 1
