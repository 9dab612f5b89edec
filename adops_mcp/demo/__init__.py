"""`adops-mcp demo`: a real MCP client drives the server over stdio against the sandbox.

Each vendor contributes a scenario (a coroutine taking a `DemoSession`); the run prints what an
assistant would see and fails if any step misbehaves.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

from mcp import Client, StdioServerParameters
from mcp_types import ElicitResult

from . import changesets, deltaprojects, jivox, joveo, merchenta, troubleshoot
from .session import DemoSession, Scenario, StepFailed, show


def scenarios() -> list[tuple[str, Scenario]]:
    return [
        ("Jivox", jivox.scenario),
        ("Joveo", joveo.scenario),
        ("Merchenta", merchenta.scenario),
        ("Delta Projects", deltaprojects.scenario),
        ("Troubleshooting across vendors", troubleshoot.scenario),
        ("Change sets and undo", changesets.scenario),
    ]


async def run_demo(elicitation: bool = False, verbose: bool = False) -> bool:
    with tempfile.TemporaryDirectory(prefix="adops-demo-") as data_dir:  # nothing is left behind
        return await _run(data_dir, elicitation, verbose)


async def _run(data_dir: str, elicitation: bool, verbose: bool) -> bool:
    env = {**os.environ, "ADOPS_DATA_DIR": data_dir, "ADOPS_SANDBOX": "1", "ADOPS_TOOLSETS": "all"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "adops_mcp", "serve"], env=env)

    async def answer_form(context: Any, params: Any) -> ElicitResult:
        print("  [confirmation form shown to the human]")
        show(params.message, indent="  | ")
        print("  (the human ticks confirm)")
        return ElicitResult(action="accept", content={"confirm": True})

    print("adops-mcp demo: an MCP client drives the server over stdio against the built-in sandbox.")
    print(f"Confirmation path: {'elicitation form' if elicitation else 'plan + confirmation_token + confirm_action'}")
    failures: list[str] = []
    async with Client(params, elicitation_callback=answer_form if elicitation else None) as client:
        tools = (await client.list_tools()).tools
        print(
            f"The server lists {len(tools)} tools: the demo sets ADOPS_TOOLSETS=all so each step calls its tool by "
            "name. `adops-mcp serve --sandbox` lists the compact default surface instead and reaches the rest "
            "through adops_find_tools and adops_call_tool."
        )
        for title, scenario in scenarios():
            print(f"\n=== {title} ===")
            session = DemoSession(client, elicitation, verbose)
            try:
                await scenario(session)
            except StepFailed as exc:
                session.failures.append(str(exc))
            failures += [f"{title}: {f}" for f in session.failures]
        audit = await client.call_tool("adops_audit_log", {"limit": 200})
        records = (audit.structured_content or {}).get("records", [])
    print(
        f"\nAudit: {len(records)} change(s) were recorded before and after sending (adops_audit_log shows them); "
        f"the demo kept them in a temporary directory ({data_dir}), removed now. Your own server's audit log: "
        "`adops-mcp audit`."
    )
    print()
    if failures:
        print("Demo FAILED:")
        for f in failures:
            print(f"  - {f}")
        return False
    print("Demo passed: every step behaved.")
    return True
