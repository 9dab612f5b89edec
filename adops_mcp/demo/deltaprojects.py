"""Delta Projects: find an activity, raise its budget with the user's confirmation, see it applied."""

from __future__ import annotations

from .session import DemoSession

CLIENT = "b833cff3-0c18-549e-bd86-ac794c288f76"  # sandbox: Nordic Outdoor AB (SEK)
NAME = "Spring Sale Stockholm"  # sandbox: enabled, in flight, budget 150,000


async def scenario(s: DemoSession) -> None:
    s.say("User: Which Delta activities does Nordic Outdoor run?")
    listed = await s.call("delta_list_activities", {"client_id": CLIENT})
    activity_id = next((a["id"] for a in listed["items"] if a["name"] == NAME), None)
    s.check(activity_id is not None, f"'{NAME}' is listed")
    if activity_id is None:
        return

    s.say(f"User: How is {NAME} doing?")
    before = await s.call("delta_get_activity", {"client_id": CLIENT, "activity_id": activity_id})
    s.check(before["enabled"] is True and before["budget"] == 150000.0, "enabled, budget 150,000")

    s.say("User: Raise its budget to 200,000.")
    await s.confirm("delta_update_activity", {"client_id": CLIENT, "activity_id": activity_id, "budget": 200000})

    after = await s.call("delta_get_activity", {"client_id": CLIENT, "activity_id": activity_id})
    s.check(after["budget"] == 200000.0 and after["enabled"] is True, "budget is now 200,000; still enabled")
