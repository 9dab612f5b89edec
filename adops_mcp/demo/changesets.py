"""Change sets and undo: pause two Joveo job groups as one set (one plan, one yes), then undo one of them."""

from __future__ import annotations

from .session import DemoSession

INITECH = "a27e91d4-5c3b-4f08-8b6e-2d9f4c1a7e52"
NURSES = "7c2e4a96-1d8b-4c35-9f7a-3e5b1d9c2a03"  # sandbox: "Nurse Hiring 2025", active
ICU = "5b8f1c6e-0a7d-4e9c-9c5b-4e6f8a0b2c15"  # sandbox: "ICU Nurses", active
TRAVEL = "6c9a2d7f-1b8e-4fad-8d6c-5f7a9b1c3d16"  # sandbox: "Travel Nurses", active


async def _statuses(s: DemoSession) -> list[str]:
    """ICU's and Travel's status, from one listing of the campaign's job groups."""
    groups = await s.call("joveo_list_campaign_jobgroups", {"client_id": INITECH, "campaign_id": NURSES})
    status = {g.get("id"): g.get("activeStatus") for g in groups.get("items", [])}
    return [str(status.get(ICU)), str(status.get(TRAVEL))]


async def scenario(s: DemoSession) -> None:
    s.say("User: Pause both nurse job groups at Initech, together.")
    changes = [
        {"name": "joveo_pause_jobgroup", "arguments": {"client_id": INITECH, "campaign_id": NURSES, "jobgroup_id": g}}
        for g in (ICU, TRAVEL)
    ]
    done = await s.confirm("adops_plan_changes", {"changes": changes})
    outcomes = (done.get("result") or {}).get("changes", [])
    s.check([o.get("status") for o in outcomes] == ["done", "done"], "one confirmation performed both pauses")
    s.check(await _statuses(s) == ["P", "P"], "both job groups now show P")

    s.say("User: Oops, ICU should keep running. Undo that one.")
    icu = next((o.get("audit_id") for o in outcomes), None)
    await s.confirm("adops_undo", {"audit_id": icu})
    s.check(await _statuses(s) == ["A", "P"], "ICU runs again; Travel stays paused")
    again = await s.call("adops_undo", {"audit_id": icu})
    s.check(again.get("status") == "unchanged", "undoing it a second time sends nothing")
