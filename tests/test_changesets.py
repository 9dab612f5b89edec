"""Change sets and undo (issue 26), through the MCP client against the sandbox: one plan and one
confirmation for several changes, refused whole when one change is wrong, stopped and reported at a
failure; undo of a pause, of a budget, of a whole set; before -> after in every write's audit record."""

from __future__ import annotations

from typing import Any

import pytest

from adops_mcp.sandbox.deltaprojects import ACT_DISABLED, ACT_LIVE, CLIENT_SE
from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, CAMP_Q3_SURGE, GLOBEX, JG_CDL_TEXAS, JG_FORKLIFT, JG_SUMMER_2024
from adops_mcp.server import approvals
from tests.harness import Harness, answer, connect

pytestmark = pytest.mark.anyio

CAMP = {"client_id": GLOBEX, "campaign_id": CAMP_ALWAYS_ON}
TEXAS = {**CAMP, "jobgroup_id": JG_CDL_TEXAS}
SUMMER = {**CAMP, "jobgroup_id": JG_SUMMER_2024}
UNKNOWN = {**CAMP, "jobgroup_id": "00000000-0000-4000-8000-000000000000"}
TWO_PAUSES = [
    {"name": "joveo_pause_jobgroup", "arguments": TEXAS},
    {"name": "joveo_pause_jobgroup", "arguments": SUMMER},
]


def status(h: Harness, jobgroup: str) -> str:
    return str(h.sandbox["joveo"].jobgroups[jobgroup]["activeStatus"])


async def confirm(h: Harness, first: dict[str, Any]) -> dict[str, Any]:
    assert first["status"] == "confirmation_required", first
    result: dict[str, Any] = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
    return result


async def records(h: Harness) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await h.ok("adops_audit_log", {"limit": 50}))["records"]
    return found


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_two_pauses_one_plan_one_token_both_performed_once(mode: str) -> None:
    async with connect(mode=mode, toolsets=None) as h:
        first = await h.ok("adops_plan_changes", {"changes": TWO_PAUSES})
        plan = first["plan"]
        assert plan.startswith("2 changes, one confirmation: Pause 2 Joveo job groups of campaign " + CAMP_ALWAYS_ON)
        assert plan.count("Will send: POST") == 2 and JG_CDL_TEXAS in plan and JG_SUMMER_2024 in plan
        assert "status A -> P" in plan
        assert h.writes("joveo", "/jobgroups/") == 0  # nothing before the yes

        done = await confirm(h, first)
        assert done["status"] == "done"
        set_id = done["result"]["change_set"]
        assert [c["status"] for c in done["result"]["changes"]] == ["done", "done"]
        assert (status(h, JG_CDL_TEXAS), status(h, JG_SUMMER_2024)) == ("P", "P")
        assert h.writes("joveo", "/jobgroups/") == 2
        written = await records(h)
        assert len(written) == 2 and {r["change_set"] for r in written} == {set_id}
        assert all(r["changes"] == ["status: A -> P"] and r["status"] == "ok" for r in written)

        replay = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "already used" in replay
        assert h.writes("joveo", "/jobgroups/") == 2 and len(await records(h)) == 2


async def test_a_set_with_one_unknown_job_group_sends_nothing() -> None:
    async with connect(toolsets=None) as h:
        changes = [TWO_PAUSES[0], {"name": "joveo_pause_jobgroup", "arguments": UNKNOWN}]
        text = await h.error("adops_plan_changes", {"changes": changes})
        assert text.startswith("The change set was refused; nothing was sent.")
        assert "change 2 (joveo_pause_jobgroup)" in text and "change 1" not in text
        assert h.writes("joveo", "/jobgroups/") == 0 and status(h, JG_CDL_TEXAS) == "A"


async def test_every_reason_is_given_and_nothing_is_read_or_sent_for_a_malformed_set() -> None:
    async with connect(toolsets=None) as h:
        changes = [
            {"name": "joveo_get_jobgroup", "arguments": TEXAS},
            {"name": "joveo_pause_jobgroup", "arguments": {**TEXAS, "jobgroup_id": "../x"}},
            {"name": "joveo_pause_everything", "arguments": {}},
            {"name": "joveo_pause_jobgroup", "arguments": SUMMER},
            {"name": "joveo_pause_jobgroup", "arguments": SUMMER},
            {"name": "adops_undo", "arguments": {"audit_id": 1}},
        ]
        text = await h.error("adops_plan_changes", {"changes": changes})
        assert "change 1 (joveo_get_jobgroup): a read changes nothing" in text
        assert "change 2 (joveo_pause_jobgroup): Invalid arguments" in text
        assert "change 3 (joveo_pause_everything): no tool named" in text
        assert "change 5 (joveo_pause_jobgroup): repeats change 4" in text
        assert "change 6 (adops_undo): a change set holds vendor changes" in text
        assert h.requests("joveo") == []  # refused before any vendor read
        assert "Invalid arguments" in await h.error("adops_plan_changes", {"changes": []})


async def test_undo_of_one_pause_runs_that_job_group_again_and_a_second_undo_writes_nothing() -> None:
    async with connect(toolsets=None) as h:
        await confirm(h, await h.ok("adops_plan_changes", {"changes": TWO_PAUSES}))
        texas = next(r for r in await records(h) if r["arguments"]["jobgroup_id"] == JG_CDL_TEXAS)
        writes = h.writes("joveo", "/jobgroups/")

        first = await h.ok("adops_undo", {"audit_id": texas["id"]})
        assert first["plan"].startswith(f"Undo audit record #{texas['id']} (joveo_pause_jobgroup): Enable")
        assert "status P -> A" in first["plan"] and h.writes("joveo", "/jobgroups/") == writes
        done = await confirm(h, first)
        assert done["status"] == "done"
        assert (status(h, JG_CDL_TEXAS), status(h, JG_SUMMER_2024)) == ("A", "P")
        undo_record = (await records(h))[0]
        assert undo_record["tool"] == "joveo_enable_jobgroup" and undo_record["undoes"] == texas["id"]
        assert undo_record["changes"] == ["status: P -> A"]

        again = await h.ok("adops_undo", {"audit_id": texas["id"]})
        assert again["status"] == "unchanged" and "Already undone" in again["message"]
        assert again["confirmation_token"] is None
        assert h.writes("joveo", "/jobgroups/") == writes + 1 and len(await records(h)) == 3


async def test_undo_of_a_change_set_id_undoes_every_done_change_as_one_set() -> None:
    async with connect(toolsets=None) as h:
        done = await confirm(h, await h.ok("adops_plan_changes", {"changes": TWO_PAUSES}))
        set_id = done["result"]["change_set"]
        first = await h.ok("adops_undo", {"audit_id": set_id})
        assert first["plan"].startswith(f"Undo change set {set_id} (2 done changes, newest first):")
        assert first["plan"].count("Will send: POST") == 2
        undone = await confirm(h, first)
        assert [c["tool"] for c in undone["result"]["changes"]] == ["joveo_enable_jobgroup"] * 2
        assert (status(h, JG_CDL_TEXAS), status(h, JG_SUMMER_2024)) == ("A", "A")


async def test_undo_of_a_delta_budget_change_restores_the_old_budget() -> None:
    async with connect(toolsets=None) as h:
        sim = h.sandbox["deltaprojects"]
        before = sim.activity(ACT_LIVE)["budget"]
        args = {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": before + 25000}
        done = await h.ok(
            "confirm_action",
            {
                "confirmation_token": (
                    await h.ok("adops_call_tool", {"name": "delta_update_activity", "arguments": args})
                )["confirmation_token"]
            },
        )
        record = (await records(h))[0]
        assert record["id"] == done["audit_id"] and record["changes"] == [f"budget: {before:g} -> {before + 25000:g}"]
        assert sim.activity(ACT_LIVE)["budget"] == before + 25000

        first = await h.ok("adops_undo", {"audit_id": record["id"]})
        assert "budget" in first["plan"] and h.writes("deltaprojects") == 1
        await confirm(h, first)
        assert sim.activity(ACT_LIVE)["budget"] == before
        posted = h.requests("deltaprojects", "POST")[-1]
        assert posted.json() == {"budget": before}


async def test_undo_refuses_when_someone_changed_it_since_showing_both() -> None:
    async with connect(toolsets=None) as h:
        sim = h.sandbox["deltaprojects"]
        args = {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": 160000}
        await h.ok(
            "confirm_action",
            {
                "confirmation_token": (
                    await h.ok("adops_call_tool", {"name": "delta_update_activity", "arguments": args})
                )["confirmation_token"]
            },
        )
        record = (await records(h))[0]
        sim.activity(ACT_LIVE)["budget"] = 170000.0  # someone else, in Delta's UI
        text = await h.error("adops_undo", {"audit_id": record["id"]})
        assert "someone changed it since" in text and "160000" in text and "170000" in text
        assert h.writes("deltaprojects") == 1


async def test_undo_says_why_where_there_is_no_inverse_and_names_an_unknown_id() -> None:
    async with connect(toolsets=None) as h:
        args = {"client_id": CLIENT_SE, "activity_id": ACT_DISABLED, "budget": 90000}
        await h.ok(
            "confirm_action",
            {
                "confirmation_token": (
                    await h.ok("adops_call_tool", {"name": "delta_update_activity", "arguments": args})
                )["confirmation_token"]
            },
        )
        assert "No audit record #4242" in await h.error("adops_undo", {"audit_id": 4242})
        assert "neither an audit record id" in await h.error("adops_undo", {"audit_id": "yesterday"})
        await h.ok(
            "adops_call_tool",
            {
                "name": "jivox_submit_approval_request",
                "arguments": {
                    "account_id": "acme-retail",
                    "retail_campaign_idx": 5302,
                    "user_name": "Ann",
                    "user_email": "ann@example.com",
                },
            },
        )
        approval = (await records(h))[0]
        assert approval["tool"] == "jivox_submit_approval_request"
        text = await h.error("adops_undo", {"audit_id": approval["id"]})
        assert "Jivox cannot withdraw it" in text and "nothing was sent" in text


async def test_a_failure_stops_the_set_and_reports_each_change_with_the_way_back() -> None:
    async with connect(toolsets=None) as h:
        forklift = {"client_id": GLOBEX, "campaign_id": CAMP_Q3_SURGE, "jobgroup_id": JG_FORKLIFT}
        changes = [*TWO_PAUSES, {"name": "joveo_pause_jobgroup", "arguments": forklift}]
        first = await h.ok("adops_plan_changes", {"changes": changes})
        h.sandbox.faults.add(vendor="joveo", method="POST", path_contains=JG_SUMMER_2024, status=400)
        text = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "- change 1 (joveo_pause_jobgroup): done (audit record #1)" in text
        assert "- change 2 (joveo_pause_jobgroup): failed" in text
        assert "- change 3 (joveo_pause_jobgroup): not attempted" in text
        set_id = first["result"]["change_set"]
        assert f"adops_undo(audit_id='{set_id}')" in text
        assert (status(h, JG_CDL_TEXAS), status(h, JG_SUMMER_2024), status(h, JG_FORKLIFT)) == ("P", "A", "A")
        undo = await h.ok("adops_undo", {"audit_id": set_id})  # the failed write is skipped: nothing to undo there
        assert undo["plan"].count("Will send: POST") == 1


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_an_eliciting_client_confirms_the_whole_set_once(mode: str) -> None:
    seen: list[str] = []
    async with connect(mode=mode, toolsets=None, elicitation=answer("accept", True, seen)) as h:
        done = await h.ok("adops_plan_changes", {"changes": TWO_PAUSES})
        assert done["status"] == "done" and len(seen) == 1 and seen[0].count("Will send: POST") == 2
        assert (status(h, JG_CDL_TEXAS), status(h, JG_SUMMER_2024)) == ("P", "P")
    async with connect(mode=mode, toolsets=None, elicitation=answer("decline")) as h:
        declined = await h.ok("adops_plan_changes", {"changes": TWO_PAUSES})
        assert declined["status"] == "declined" and h.writes("joveo", "/jobgroups/") == 0


async def test_out_of_band_approval_of_a_set() -> None:
    async with connect(toolsets=None, confirm_mode="out-of-band") as h:
        first = await h.ok("adops_plan_changes", {"changes": TWO_PAUSES})
        assert first["status"] == "pending_approval"
        token = first["confirmation_token"]
        waiting = await h.ok("confirm_action", {"confirmation_token": token})
        assert waiting["status"] == "pending_approval" and h.writes("joveo", "/jobgroups/") == 0
        runtime = h.built.runtime
        action = (await runtime.store.pending_actions())[0]
        assert action.tool == "adops_plan_changes" and action.plan == first["plan"]
        await approvals.decide(runtime.store, runtime.tokens.key, action.id, approve=True, by="alice")
        done = await h.ok("confirm_action", {"confirmation_token": token})
        assert done["status"] == "done" and h.writes("joveo", "/jobgroups/") == 2
        assert all("out-of-band approval" in r["confirmed_by"] for r in await records(h))


async def test_the_increase_cap_applies_to_the_set_as_a_whole() -> None:
    async with connect(toolsets=None, max_budget_increase=30000) as h:
        raise_both = [
            {"name": "delta_update_activity", "arguments": {"client_id": CLIENT_SE, "activity_id": a, "budget": b}}
            for a, b in ((ACT_LIVE, 170000), (ACT_DISABLED, 100000))
        ]
        text = await h.error("adops_plan_changes", {"changes": raise_both})  # +20000 and +20000: each allowed
        assert "raises budgets by 40000 in all" in text and "ADOPS_MAX_BUDGET_INCREASE" in text
        assert h.writes("deltaprojects") == 0
        move = [raise_both[0], {**raise_both[1], "arguments": {**raise_both[1]["arguments"], "budget": 60000}}]
        assert (await h.ok("adops_plan_changes", {"changes": move}))["status"] == "confirmation_required"


async def test_undo_of_merchenta_statuses_puts_each_creative_back() -> None:
    async with connect() as h:
        sim = h.sandbox["merchenta"]
        one = {
            "campaign_code": "SANDBOX1-SPRING-DELIVERING",
            "creative_code": "SANDBOX1-SPRING-DELIVERING-2",
            "status": "INACTIVE",
        }
        done = await confirm(h, await h.ok("merchenta_set_creative_status", one))
        assert sim.creative("SANDBOX1-SPRING-DELIVERING-2")["approvalStatus"] == "INACTIVE"
        await confirm(h, await h.ok("adops_undo", {"audit_id": done["audit_id"]}))
        assert sim.creative("SANDBOX1-SPRING-DELIVERING-2")["approvalStatus"] == "ACTIVE"

        whole = await confirm(
            h,
            await h.ok(
                "merchenta_set_campaign_status", {"campaign_code": "SANDBOX1-AUTUMN-MIXED", "status": "INACTIVE"}
            ),
        )
        record = (await records(h))[0]
        assert record["id"] == whole["audit_id"] and record["changes"] == [
            "SANDBOX1-AUTUMN-MIXED-1: ACTIVE -> INACTIVE"
        ]
        first = await h.ok("adops_undo", {"audit_id": whole["audit_id"]})
        assert (
            first["plan"].count("\n1. ") == 1
            and "SANDBOX1-AUTUMN-MIXED-1" in first["plan"]
            and "\n2. " not in first["plan"]
        )
        await confirm(h, first)
        statuses = [sim.creative(f"SANDBOX1-AUTUMN-MIXED-{n}")["approvalStatus"] for n in range(1, 5)]
        assert statuses == ["ACTIVE", "PENDING", "REJECTED", "INACTIVE"]


async def test_undo_of_a_joveo_bid_puts_the_old_bid_back() -> None:
    async with connect() as h:
        group = h.sandbox["joveo"].jobgroups[JG_CDL_TEXAS]
        before = group["cpaBid"]
        done = await confirm(h, await h.ok("joveo_update_jobgroup", {**TEXAS, "cpa_bid": before + 1}))
        assert group["cpaBid"] == before + 1
        first = await h.ok("adops_undo", {"audit_id": done["audit_id"]})
        assert f"cpaBid {before + 1} -> {before}" in first["plan"] and f"  cpaBid: {before}" in first["plan"]
        await confirm(h, first)
        assert group["cpaBid"] == before


async def test_a_read_failing_before_a_later_write_still_reports_each_change() -> None:
    async with connect(toolsets=None) as h:
        first = await h.ok("adops_plan_changes", {"changes": TWO_PAUSES})
        faults = h.sandbox.faults
        faults.add(vendor="joveo", method="GET", path_contains=JG_SUMMER_2024, status=None)  # confirm's own read
        faults.add(vendor="joveo", method="GET", path_contains=JG_SUMMER_2024, status=404, times=5)
        text = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "- change 1 (joveo_pause_jobgroup): done (audit record #1)" in text
        assert "- change 2 (joveo_pause_jobgroup): failed" in text and "adops_undo(audit_id=" in text
        assert (status(h, JG_CDL_TEXAS), status(h, JG_SUMMER_2024)) == ("P", "A")


async def test_a_set_whose_world_changed_after_the_plan_sends_nothing() -> None:
    async with connect(toolsets=None) as h:
        first = await h.ok("adops_plan_changes", {"changes": TWO_PAUSES})
        h.sandbox["joveo"].set_status("jobgroup", JG_SUMMER_2024, "P")  # paused by someone else meanwhile
        text = await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert "The world changed since the plan" in text
        assert h.writes("joveo", "/jobgroups/") == 0 and status(h, JG_CDL_TEXAS) == "A"
