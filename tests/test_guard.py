"""The confirmation guard, through the MCP client, in both protocol eras.

Every case counts what reached the vendor: a destructive call is sent once when a human said
yes, and never otherwise.
"""

from __future__ import annotations

import time

import pytest

from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}  # pre-approved account
ACTIVATE_PATH = "/retail-campaigns/7101/activate"


async def test_no_elicitation_plan_token_confirm_once(mode: str) -> None:
    async with connect(mode=mode) as h:
        first = await h.ok(ACTIVATE, ARGS)
        assert first["status"] == "confirmation_required"
        assert "Northwind Organic Produce Week" in first["plan"] and "status NEW" in first["plan"]
        assert h.writes("jivox") == 0
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert done["status"] == "done" and done["audit_id"]
        assert h.writes("jivox", ACTIVATE_PATH) == 1
        replay = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "already used" in replay
        assert h.writes("jivox", ACTIVATE_PATH) == 1


@pytest.mark.parametrize(
    ("action", "confirm", "sent"),
    [("accept", True, 1), ("accept", False, 0), ("decline", None, 0), ("cancel", None, 0)],
)
async def test_elicitation_answers(mode: str, action: str, confirm: bool | None, sent: int) -> None:
    seen: list[str] = []
    async with connect(mode=mode, elicitation=answer(action, confirm, seen)) as h:
        result = await h.ok(ACTIVATE, ARGS)
        assert result["status"] == ("done" if sent else "declined")
        assert h.writes("jivox", ACTIVATE_PATH) == sent
        assert len(seen) == 1 and "Northwind Organic Produce Week" in seen[0] and "starts media spend" in seen[0]
        if not sent:
            assert "Nothing was sent" in result["message"]


async def test_tampered_token_refused(mode: str) -> None:
    async with connect(mode=mode) as h:
        token = (await h.ok(ACTIVATE, ARGS))["confirmation_token"]
        head, _, tail = token.rpartition(".")
        tampered = head + "." + ("A" if tail[0] != "A" else "B") + tail[1:]
        assert "not valid" in await h.error("confirm_action", {"confirmation_token": tampered})
        # Swap in other arguments while keeping the signature: still refused.
        other = (await h.ok(ACTIVATE, {**ARGS, "retail_campaign_idx": 7104}))["confirmation_token"]
        payload_of_other = other.rsplit(".", 2)[0]
        forged = payload_of_other + "." + ".".join(token.rsplit(".", 2)[1:])
        assert forged not in (token, other)
        assert "not valid" in await h.error("confirm_action", {"confirmation_token": forged})
        assert "not valid" in await h.error("confirm_action", {"confirmation_token": "garbage"})
        assert h.writes("jivox") == 0


async def test_expired_token_refused(mode: str) -> None:
    async with connect(mode=mode) as h:
        token = (await h.ok(ACTIVATE, ARGS))["confirmation_token"]
        tokens = h.built.runtime.tokens
        tokens.clock = lambda: time.time() + tokens.ttl + 5
        assert "expired" in await h.error("confirm_action", {"confirmation_token": token})
        assert h.writes("jivox") == 0


async def test_token_from_another_server_refused(mode: str) -> None:
    async with connect(mode=mode, confirm_key="key-of-server-one-7Qm2Xc9LpA4vRt8W") as one:
        token = (await one.ok(ACTIVATE, ARGS))["confirmation_token"]
    async with connect(mode=mode, confirm_key="key-of-server-two-Zk3Hn6Bd1Fs0Jy5E") as two:
        assert "not valid" in await two.error("confirm_action", {"confirmation_token": token})
        assert two.writes("jivox") == 0


async def test_token_for_another_account_refused(mode: str) -> None:
    async with connect(mode=mode, confirm_key="shared-key-Uo8Gw2Lr5Nc7Pq1Tv4XbKa9") as h:
        token = (await h.ok(ACTIVATE, ARGS))["confirmation_token"]
        # The operator re-points the server at another Jivox account (another key): same signing key.
        jivox = h.built.runtime.settings.vendors["jivox"]
        h.built.runtime.settings.vendors["jivox"] = jivox.model_copy(update={"profile": "other-account"})
        assert "another vendor account" in await h.error("confirm_action", {"confirmation_token": token})
        assert h.writes("jivox") == 0


async def test_used_token_record_survives_restart(tmp_path) -> None:
    async with connect(confirm_key="restart-key-Mf4Ys9Ka2Wd6Hq0Cz3Ve") as first:
        token = (await first.ok(ACTIVATE, ARGS))["confirmation_token"]
        await first.ok("confirm_action", {"confirmation_token": token})
    async with connect(confirm_key="restart-key-Mf4Ys9Ka2Wd6Hq0Cz3Ve") as restarted:  # same data dir, new process state
        assert "already used" in await restarted.error("confirm_action", {"confirmation_token": token})
        assert restarted.writes("jivox") == 0


async def test_gate_refuses_before_asking_anyone(mode: str) -> None:
    seen: list[str] = []
    async with connect(mode=mode, elicitation=answer("accept", True, seen)) as h:
        text = await h.error(ACTIVATE, {"account_id": "acme-retail", "retail_campaign_idx": 5301})
        assert "Pending" in text and "priya.nair@brightpath-media.com" in text and "nothing was sent" in text
        assert seen == [] and h.writes("jivox") == 0
        text = await h.error(ACTIVATE, {"account_id": "acme-retail", "retail_campaign_idx": 5302})
        assert "no approval request" in text and "jivox_submit_approval_request" in text
        assert h.writes("jivox") == 0


async def test_gate_checked_again_at_confirm_time(mode: str) -> None:
    async with connect(mode=mode) as h:
        sim = h.sandbox["jivox"]
        sim.decide("acme-retail", 5301, "priya.nair@brightpath-media.com", "Approved")
        args = {"account_id": "acme-retail", "retail_campaign_idx": 5301}
        token = (await h.ok(ACTIVATE, args))["confirmation_token"]
        sim.decide("acme-retail", 5301, "priya.nair@brightpath-media.com", "Rejected")
        assert "Rejected" in await h.error("confirm_action", {"confirmation_token": token})
        assert h.writes("jivox") == 0


async def test_every_destructive_tool_is_guarded() -> None:
    """No eliciting client, every destructive tool: a plan and a token, zero vendor writes."""
    from adops_mcp.catalogue import catalogue

    async with connect() as h:
        listed = {t.name: t for t in (await h.client.list_tools()).tools}
        for entry in catalogue():
            if entry["vendor"] == "adops" or not entry["annotations"]["destructiveHint"]:
                continue
            assert entry["name"] in listed, f"{entry['name']} not registered with toolsets=all"
            # The registry wires the guard from the effect: check the wiring, not one sample.
            op = h.built.runtime.operation(entry["name"])
            assert op is not None
            assert op.guarded and op.plan is not None
