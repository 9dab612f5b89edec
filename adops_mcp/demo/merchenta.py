"""Merchenta: why is my campaign not delivering? Its creatives are still under review; then a pause."""

from __future__ import annotations

from .session import DemoSession

PENDING = "SANDBOX1-SUMMER-PENDING"  # sandbox: both creatives PENDING review
MIXED = "SANDBOX1-AUTUMN-MIXED"  # sandbox: ACTIVE, PENDING, REJECTED, INACTIVE


async def scenario(s: DemoSession) -> None:
    s.say(f"User: Why is my Merchenta campaign {PENDING} not delivering?")
    status = await s.call("merchenta_get_campaign_creatives_status", {"campaign_code": PENDING})
    s.check(
        status["delivering"] is False and status["counts"].get("PENDING") == 2,
        "no creative is ACTIVE: both are PENDING Merchenta's review",
    )

    s.say("User: Then activate them.")
    error = await s.call(
        "merchenta_set_campaign_status", {"campaign_code": PENDING, "status": "ACTIVE"}, expect_error=True
    )
    text = " ".join(getattr(c, "text", "") for c in error.content)
    s.check("E10059" in text and "review" in text, "refused before asking anyone, E10059 explained, nothing sent")

    s.say(f"User: Pause {MIXED} while we sort this out.")
    done = await s.confirm("merchenta_set_campaign_status", {"campaign_code": MIXED, "status": "INACTIVE"})
    result = done.get("result") or {}
    s.check(result.get("changed") == [f"{MIXED}-1"], "the ACTIVE creative was paused (campaign locked, then unlocked)")
    s.check(
        {n["creative_code"] for n in result.get("not_changed", [])} == {f"{MIXED}-2", f"{MIXED}-3"},
        "the result names the creatives that did not change, and why",
    )
