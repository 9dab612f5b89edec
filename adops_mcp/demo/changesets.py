"""Change sets and undo: pause two Joveo job groups as one set (one plan, one yes), then undo one of them."""

from __future__ import annotations

from .session import DemoSession

GLOBEX = "3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11"
ALWAYS_ON = "0b7d3e51-9a2c-4e86-b4f1-6c8a2d9e1f01"
TEXAS = "1d4b7e2a-6c3f-4a58-9e1d-0a2b4c6d8e11"  # sandbox: "CDL Drivers - Texas", active
SUMMER = "3f6d9a4c-8e5b-4c7a-9a3f-2c4d6e8f0a13"  # sandbox: "Summer Drivers 2024", active


def _group(jobgroup_id: str) -> dict[str, str]:
    return {"client_id": GLOBEX, "campaign_id": ALWAYS_ON, "jobgroup_id": jobgroup_id}


async def _status(s: DemoSession, jobgroup_id: str) -> str:
    group = await s.call("joveo_get_jobgroup", _group(jobgroup_id))
    return str(group.get("activeStatus"))


async def scenario(s: DemoSession) -> None:
    s.say("User: Pause the Texas and the Summer job groups of Always-on Drivers, together.")
    changes = [{"name": "joveo_pause_jobgroup", "arguments": _group(g)} for g in (TEXAS, SUMMER)]
    done = await s.confirm("adops_plan_changes", {"changes": changes})
    outcomes = (done.get("result") or {}).get("changes", [])
    s.check([o.get("status") for o in outcomes] == ["done", "done"], "one confirmation performed both pauses")
    s.check([await _status(s, g) for g in (TEXAS, SUMMER)] == ["P", "P"], "both job groups now show P")

    s.say("User: Oops, Texas should keep running. Undo that one.")
    texas = next((o.get("audit_id") for o in outcomes), None)
    undone = await s.confirm("adops_undo", {"audit_id": texas})
    s.check(undone.get("status") == "done", "the undo was planned and confirmed like any change")
    s.check([await _status(s, g) for g in (TEXAS, SUMMER)] == ["A", "P"], "Texas runs again; Summer stays paused")
    again = await s.call("adops_undo", {"audit_id": texas})
    s.check(again.get("status") == "unchanged", "undoing it a second time sends nothing")
