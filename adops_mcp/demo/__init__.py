"""`adops-mcp demo`: a real MCP client drives the server over stdio against the sandbox.

Each vendor contributes a scenario (a coroutine taking a `DemoSession`); the run prints what an
assistant would see and fails if any step misbehaves.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import textwrap
from collections.abc import Awaitable, Callable
from typing import Any

from mcp import Client, StdioServerParameters
from mcp_types import ElicitResult

Scenario = Callable[["DemoSession"], Awaitable[None]]


class StepFailed(Exception):
    pass


def _show(text: str, indent: str = "    ") -> None:
    for line in text.splitlines() or [""]:
        print(textwrap.fill(line, width=100, initial_indent=indent, subsequent_indent=indent + "  "))


class DemoSession:
    def __init__(self, client: Client, elicitation: bool) -> None:
        self.client = client
        self.elicitation = elicitation
        self.failures: list[str] = []

    def say(self, text: str) -> None:
        print(f"\n{text}")

    def check(self, condition: bool, what: str) -> None:
        print(f"    {'ok ' if condition else 'FAIL'} {what}")
        if not condition:
            self.failures.append(what)

    async def call(self, tool: str, arguments: dict[str, Any], *, expect_error: bool = False) -> Any:
        print(f"  > {tool}({json.dumps(arguments)})")
        result = await self.client.call_tool(tool, arguments)
        if result.is_error:
            text = " ".join(getattr(c, "text", "") for c in result.content)
            _show("error: " + text)
        else:
            data = result.structured_content
            _show(json.dumps(data, indent=2)[:1500] if data is not None else str(result.content))
        if result.is_error != expect_error:
            self.failures.append(f"{tool}: expected {'an error' if expect_error else 'success'}")
            raise StepFailed(f"{tool} {'succeeded' if expect_error else 'failed'} unexpectedly")
        return result.structured_content if not result.is_error else result

    async def confirm(self, tool: str, arguments: dict[str, Any]) -> Any:
        """Call a destructive tool and confirm it as the human would, by either protocol path."""
        result = await self.call(tool, arguments)
        if self.elicitation:
            self.check(result.get("status") == "done", "confirmed through the elicitation form and done")
            return result
        self.check(result.get("status") == "confirmation_required", "nothing sent yet: a plan and a token came back")
        print("  (the human reads the plan and says yes)")
        done = await self.call("confirm_action", {"confirmation_token": result["confirmation_token"]})
        self.check(done.get("status") == "done", "confirm_action performed it once")
        return done


def scenarios() -> list[tuple[str, Scenario]]:
    from . import deltaprojects, jivox, joveo, merchenta, troubleshoot

    return [
        ("Jivox", jivox.scenario),
        ("Joveo", joveo.scenario),
        ("Merchenta", merchenta.scenario),
        ("Delta Projects", deltaprojects.scenario),
        ("Troubleshooting across vendors", troubleshoot.scenario),
    ]


async def run_demo(elicitation: bool = False) -> bool:
    data_dir = tempfile.mkdtemp(prefix="adops-demo-")
    env = {**os.environ, "ADOPS_DATA_DIR": data_dir, "ADOPS_SANDBOX": "1", "ADOPS_TOOLSETS": "all"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "adops_mcp", "serve"], env=env)

    async def answer_form(context: Any, params: Any) -> ElicitResult:
        print("  [confirmation form shown to the human]")
        _show(params.message, indent="  | ")
        print("  (the human ticks confirm)")
        return ElicitResult(action="accept", content={"confirm": True})

    print("adops-mcp demo: an MCP client drives the server over stdio against the built-in sandbox.")
    print(f"Confirmation path: {'elicitation form' if elicitation else 'plan + confirmation_token + confirm_action'}")
    failures: list[str] = []
    async with Client(params, elicitation_callback=answer_form if elicitation else None) as client:
        tools = (await client.list_tools()).tools
        print(f"The server lists {len(tools)} tools.")
        for title, scenario in scenarios():
            print(f"\n=== {title} ===")
            session = DemoSession(client, elicitation)
            try:
                await scenario(session)
            except StepFailed as exc:
                session.failures.append(str(exc))
            failures += [f"{title}: {f}" for f in session.failures]
    print()
    if failures:
        print("Demo FAILED:")
        for f in failures:
            print(f"  - {f}")
        return False
    print("Demo passed: every step behaved.")
    return True
