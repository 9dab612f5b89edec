"""Why is a Delta Projects activity not delivering or not spending? Read-only: the activity itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...vendorcall.operation import Call, Operation
from ..diagnosis import Diagnoser, Diagnosis
from .models import ActivityParams
from .reads import read_activity

NEARLY = 0.9  # share of a budget from which delivery is likely to stop soon


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _budget(d: Diagnoser, kind: str, used: Any, total: Any, args: dict[str, Any], field: str, argument: str) -> None:
    if not isinstance(used, int | float) or not isinstance(total, int | float):
        return
    evidence = {"current_target_" + kind: used, field: total}
    if used >= total:
        d.find(f"{field}_spent", "blocking", f"The {kind} budget is used up ({used:,} of {total:,}).", **evidence)
        d.step(
            "delta_update_activity",
            f"Raise {field} to let it deliver again (changes spend; the user confirms).",
            {argument: f"the new {kind} budget, above {used:,}"},
            **args,
        )
    elif total > 0 and used >= NEARLY * total:
        d.find(
            f"{field}_nearly_spent",
            "warning",
            f"{used / total:.0%} of the {kind} budget is used ({used:,} of {total:,}).",
            **evidence,
        )


async def diagnose(call: Call) -> Diagnosis:
    p = call.params
    args: dict[str, Any] = {"client_id": p.client_id, "activity_id": p.activity_id}
    if p.media_agency_id:
        args["media_agency_id"] = p.media_agency_id
    d = Diagnoser(f"Delta Projects activity {p.activity_id}")
    activity = await read_activity(call)
    d.read("delta_get_activity")
    if activity.get("name"):
        d.subject += f" '{activity['name']}'"
    now = datetime.now(UTC)
    start, stop = _moment(activity.get("flightStart")), _moment(activity.get("flightStop"))
    flight = {
        "flightStart": activity.get("flightStart"),
        "flightStop": activity.get("flightStop"),
        "now": now.isoformat(timespec="seconds"),
    }

    if activity.get("enabled") is False:
        d.find("disabled", "blocking", "The activity is disabled (enabled=false).", enabled=False)
        d.step("delta_update_activity", "Enable it (starts spend; the user confirms).", **args, enabled=True)
    if start is not None and now < start:
        d.find(
            "flight_not_started",
            "blocking",
            f"The flight has not started: it starts {activity['flightStart']}.",
            **flight,
        )
    if stop is not None and now > stop:
        d.find("flight_ended", "blocking", f"The flight ended {activity['flightStop']}.", **flight)
        d.step(
            "delta_update_activity",
            "Extend the flight if it should run again (the user confirms).",
            {"flight_stop": "the new end of the flight (ISO date-time, in the future)"},
            **args,
        )
    _budget(d, "spend", activity.get("currentTargetSpend"), activity.get("budget"), args, "budget", "budget")
    _budget(
        d,
        "impressions",
        activity.get("currentTargetImpressions"),
        activity.get("impressionBudget"),
        args,
        "impressionBudget",
        "impression_budget",
    )
    if not d.blocked:
        d.find(
            "delivering",
            "info",
            "Enabled, in flight and within budget.",
            enabled=activity.get("enabled"),
            **flight,
            budget=activity.get("budget"),
            currentTargetSpend=activity.get("currentTargetSpend"),
        )
        d.step(
            "delta_get_activity_statistics",
            "See actual delivery (impressions, clicks, spend) per day.",
            **args,
            granularity="day",
        )
    return d.result()


DIAGNOSE: Operation = Operation(
    name="delta_diagnose_activity",
    title="Diagnose a Delta activity",
    description="Why is this activity not delivering? Checks enabled, flight, budget vs spend; returns reasons, "
    "evidence and the next tool. Read-only.",
    vendor="deltaprojects",
    toolset="delta",
    effect="read",
    params=ActivityParams,
    result=Diagnosis,
    run=diagnose,
)
