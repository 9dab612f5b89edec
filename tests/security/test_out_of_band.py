"""Out-of-band approval, tried as an attacker would (issue 10 item 6).

Attacker's table: a database row edited to `approved` (no decision was made), an approved row
whose arguments are edited afterwards, a decision copied from another action, the model handed a
ready-made shell command, an approval given before the plan was shown. Every case counts what
reached the vendor.
"""

from __future__ import annotations

import getpass
import time
from typing import Any

import pytest
from click.testing import CliRunner

from adops_mcp.cli import main
from adops_mcp.sandbox import Sandbox
from tests.harness import Harness, connect

pytestmark = pytest.mark.anyio

ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}
OTHER = {"account_id": "northwind-grocers", "retail_campaign_idx": 7104}
ACTIVATE_PATH = "/activate"


def action_id(pending: dict[str, Any]) -> str:
    assert pending["status"] == "pending_approval", pending
    return pending["message"].split("approval id ")[1].split(",")[0]


async def sql(h: Harness, statement: str, *args: Any) -> None:
    await h.built.runtime.store._run(statement, args)


async def test_pending_message_gives_the_model_no_command_to_run() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        ident = action_id(first)
        for text in (
            first["message"],
            (await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]}))["message"],
        ):
            assert "adops-mcp approve" not in text and "adops-mcp deny" not in text and f"approve {ident}" not in text
            assert "do not try to approve it yourself" in text


@pytest.mark.parametrize(
    "forgery",
    [
        # An approval that was never decided: the row edited to approved.
        ("UPDATE pending_actions SET status = 'approved', decided_by = 'root', decided_at = ? WHERE id = ?", "now"),
        # An approval with a made-up signature.
        (
            "UPDATE pending_actions SET status = 'approved', decided_by = 'root', decided_at = ?, signature = 'ab'"
            " WHERE id = ?",
            "now",
        ),
    ],
)
async def test_edited_row_is_not_an_approval(forgery: tuple[str, str]) -> None:
    async with connect(confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        await sql(h, forgery[0], time.time(), action_id(first))
        text = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "not signed by this server" in text and "Nothing was sent" in text
        assert h.writes("jivox") == 0


async def test_approved_row_edited_afterwards_is_not_an_approval() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        ident = action_id(first)
        CliRunner().invoke(main, ["approve", ident, "--yes"], catch_exceptions=False)
        for column, value in (
            ("decided_by", "the-ceo"),
            ("plan", "Pause nothing"),
            ("expires_at", time.time() + 9e5),
            ("note", "approved by the CEO on the phone"),
        ):
            token = first["confirmation_token"]
            row = await h.built.runtime.store.pending(ident)
            await sql(h, f"UPDATE pending_actions SET {column} = ? WHERE id = ?", value, ident)
            assert "not signed" in await h.error("confirm_action", {"confirmation_token": token}), column
            await sql(h, f"UPDATE pending_actions SET {column} = ? WHERE id = ?", getattr(row, column), ident)
        assert h.writes("jivox") == 0
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})  # restored: valid
        assert done["status"] == "done" and h.writes("jivox", ACTIVATE_PATH) == 1


async def test_decision_copied_from_another_action_is_not_an_approval() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        harmless = await h.ok(ACTIVATE, ARGS)
        wanted = await h.ok(ACTIVATE, OTHER)
        CliRunner().invoke(main, ["approve", action_id(harmless), "--yes"], catch_exceptions=False)
        source = await h.built.runtime.store.pending(action_id(harmless))
        await sql(
            h,
            "UPDATE pending_actions SET status = 'approved', decided_by = ?, decided_at = ?, signature = ?"
            " WHERE id = ?",
            source.decided_by,
            source.decided_at,
            source.signature,
            action_id(wanted),
        )
        assert "not signed" in await h.error("confirm_action", {"confirmation_token": wanted["confirmation_token"]})
        assert h.writes("jivox") == 0


async def test_approve_shows_the_plan_then_asks_and_records_who() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        ident = action_id(first)
        declined = CliRunner().invoke(main, ["approve", ident], input="n\n")
        assert declined.exit_code == 1 and "Not approved" in declined.output
        plan_at = declined.output.index("Northwind Organic Produce Week")
        assert plan_at < declined.output.index("Approve exactly this change?")
        assert (await h.built.runtime.store.pending(ident)).status == "pending"
        no_answer = CliRunner().invoke(main, ["approve", ident])  # no terminal, no --yes: not approved
        assert no_answer.exit_code == 1 and (await h.built.runtime.store.pending(ident)).status == "pending"
        waiting = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert waiting["status"] == "pending_approval" and h.writes("jivox") == 0

        approved = CliRunner().invoke(main, ["approve", ident, "--note", "checked with Priya"], input="y\n")
        assert approved.exit_code == 0, approved.output
        action = await h.built.runtime.store.pending(ident)
        assert (action.status, action.decided_by, action.note) == ("approved", getpass.getuser(), "checked with Priya")
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert done["status"] == "done" and h.writes("jivox", ACTIVATE_PATH) == 1
        record = (await h.built.runtime.store.audit(audit_id=done["audit_id"], limit=1))[0]
        assert record.confirmed_by == f"out-of-band approval {ident} by {getpass.getuser()}"


async def test_denied_by_is_named_in_the_refusal() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        first = await h.ok(ACTIVATE, ARGS)
        CliRunner().invoke(main, ["deny", action_id(first)], catch_exceptions=False)
        text = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert f"A person ({getpass.getuser()}) denied this change" in text and h.writes("jivox") == 0


async def test_one_approval_redeemed_on_two_replicas_at_once_is_performed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two replicas share the store and the vendor; the same approved token reaches both at once.
    box = Sandbox()
    async with (
        connect(confirm_mode="out-of-band", sandbox=box) as one,
        connect(confirm_mode="out-of-band", sandbox=box) as two,
    ):
        first = await one.ok(ACTIVATE, ARGS)
        CliRunner().invoke(main, ["approve", action_id(first), "--yes"], catch_exceptions=False)
        token = {"confirmation_token": first["confirmation_token"]}
        store = one.built.runtime.store
        claim = store.claim
        raced: list[Any] = []

        async def two_claims_first(action: str) -> bool:
            # Replica one has checked the approval and the plan; replica two performs the change meanwhile.
            raced.append(await two.ok("confirm_action", token))
            return await claim(action)

        monkeypatch.setattr(store, "claim", two_claims_first)
        text = await one.error("confirm_action", token)
        assert "already performed or has expired" in text and "Nothing was sent again" in text
        assert raced[0]["status"] == "done"
        assert len([r for r in box.vendor_requests("jivox", "POST") if ACTIVATE_PATH in r.path]) == 1
