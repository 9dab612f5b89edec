"""Across vendors: "why isn't my campaign live?" answered with the troubleshoot prompt and the diagnose tools,
then one fix confirmed by the human and verified by diagnosing again."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from mcp_types import TextContent, TextResourceContents

from .session import DemoSession

JOVEO = {  # sandbox: Forklift Operators is active, but its campaign Q3 Warehouse Surge is paused
    "client_id": "3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11",
    "campaign_id": "5e9a1c73-4b2d-4f6e-8a90-1d3c5b7e9f02",
    "jobgroup_id": "4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14",
}
DELTA = {  # sandbox: Brand Awareness Q2, disabled but in flight
    "client_id": "b833cff3-0c18-549e-bd86-ac794c288f76",
    "activity_id": "886bb4bc-e921-5315-9116-906afbd62317",
}


def _blocking(diagnosis: dict[str, Any]) -> set[str]:
    return {f["code"] for f in diagnosis.get("findings", []) if f["severity"] == "blocking"}


async def scenario(s: DemoSession) -> None:
    s.say("User: What can you reach?")
    print("  > read resource adops://configuration")
    resource = (await s.client.read_resource("adops://configuration")).contents[0]
    assert isinstance(resource, TextResourceContents), "the configuration resource is JSON text, never a blob"
    config = json.loads(resource.text)
    for v in config["vendors"]:
        print(f"    {v['display']:15} enabled={v['enabled']}  {v['base_url']}  {len(v['tools'])} tools")
    s.check(all(v["enabled"] for v in config["vendors"]) and config["sandbox"], "four vendors, sandbox mode")

    s.say("User (picks the prompt 'Why isn't my campaign live?' for Delta Projects).")
    print('  > get_prompt troubleshoot_campaign {"vendor": "deltaprojects", "campaign": "Brand Awareness Q2"}')
    prompt = await s.client.get_prompt(
        "troubleshoot_campaign", {"vendor": "deltaprojects", "campaign": "Brand Awareness Q2"}
    )
    content = prompt.messages[0].content
    assert isinstance(content, TextContent), "prompts answer with text"
    text = content.text
    print(textwrap.indent("\n".join(text.splitlines()[:4]) + "\n...", "  | "))
    s.check(
        "delta_diagnose_activity" in text and "confirm_action" in text,
        "the prompt names the diagnose tool and the confirmation rule",
    )

    s.say("Assistant: diagnosing the Delta activity.")
    d = await s.call("delta_diagnose_activity", DELTA)
    s.check(not d["running"] and _blocking(d) == {"disabled"}, "blocking reason: disabled (enabled=false read)")
    step = d["next_steps"][0]
    s.check(
        step["tool"] == "delta_update_activity" and step["arguments"].get("enabled") is True,
        "next safe step: delta_update_activity enabled=true (asks the user)",
    )

    s.say("User: yes, enable it.")
    await s.confirm(step["tool"], step["arguments"])
    again = await s.call("delta_diagnose_activity", DELTA)
    s.check(again["running"] is True, "verified: diagnosing again finds it enabled, in flight and within budget")

    s.say("User: and why are these not live either? (one per vendor)")
    jivox = await s.call("jivox_diagnose_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5301})
    waiting: list[str] = next(
        (f["evidence"].get("waiting_for") for f in jivox["findings"] if f["code"] == "approval_pending"), []
    )
    s.check(waiting == ["priya.nair@brightpath-media.com"], "Jivox: approval pending, Priya has not approved yet")
    merchenta = await s.call("merchenta_diagnose_campaign", {"campaign_code": "SANDBOX1-SUMMER-PENDING"})
    s.check(_blocking(merchenta) == {"creatives_pending_review"}, "Merchenta: both creatives still under review")
    tools = {t.name for t in (await s.client.list_tools()).tools}
    if "joveo_diagnose_jobgroup" in tools:
        joveo = await s.call("joveo_diagnose_jobgroup", JOVEO)
        s.check(
            _blocking(joveo) == {"campaign_paused"} and joveo["next_steps"][0]["tool"] == "joveo_enable_campaign",
            "Joveo: the job group is held by its paused campaign; next step enables the campaign",
        )
    else:
        print("    (Joveo diagnosis is not available in this build)")
