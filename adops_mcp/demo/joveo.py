"""Joveo: why is a job group not spending, pause a campaign with confirmation, pull last week's stats."""

from __future__ import annotations

from datetime import date, timedelta

from .session import DemoSession

GLOBEX = "3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11"
SURGE = "5e9a1c73-4b2d-4f6e-8a90-1d3c5b7e9f02"  # sandbox: campaign paused
FORKLIFT = "4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14"  # active job group inside it
ALWAYS_ON = "0b7d3e51-9a2c-4e86-b4f1-6c8a2d9e1f01"


async def scenario(s: DemoSession) -> None:
    s.say("User: Why is the Forklift Operators job group at Globex not spending?")
    clients = await s.call("joveo_list_clients", {"limit": 5})
    s.check(any(c.get("id") == GLOBEX for c in clients["items"]), "Globex Logistics is a client")
    groups = await s.call("joveo_list_campaign_jobgroups", {"client_id": GLOBEX, "campaign_id": SURGE})
    s.check(any(g.get("id") == FORKLIFT for g in groups["items"]), "Forklift Operators is in 'Q3 Warehouse Surge'")
    status = await s.call(
        "joveo_get_jobgroup_status", {"client_id": GLOBEX, "campaign_id": SURGE, "jobgroup_id": FORKLIFT}
    )
    s.check(
        status["running"] is False
        and status["jobgroup_status"] == "A"
        and any("campaign" in r for r in status["reasons"]),
        "not running because its campaign is paused, although the job group itself is active",
    )

    s.say("User: Pause the Always-on Drivers campaign for now.")
    done = await s.confirm("joveo_pause_campaign", {"client_id": GLOBEX, "campaign_id": ALWAYS_ON})
    s.check(done.get("status") == "done", "the campaign was paused once, after the human confirmed")
    campaigns = await s.call("joveo_list_campaigns", {"client_id": GLOBEX})
    s.check(all(c.get("activeStatus") == "P" for c in campaigns["items"]), "both Globex campaigns now show P")

    s.say("User: Pull last week's stats for Initech by job group.")
    initech = "a27e91d4-5c3b-4f08-8b6e-2d9f4c1a7e52"
    end = date.today()
    task = await s.call(
        "joveo_submit_stats_report",
        {"client_id": initech, "start_date": (end - timedelta(days=7)).isoformat(), "end_date": end.isoformat()},
    )
    task_id = task["result"]["task_id"]  # submitting creates a report task at Joveo: a write, audited
    report = await s.call("joveo_wait_for_stats_report", {"client_id": initech, "task_id": task_id})
    s.check(report["status"] == "SUCCESS" and bool(report["location"]), "the report is ready with a download location")
    s.check("never sum or average" in (report.get("note") or ""), "the ratio-metrics warning comes with it")
