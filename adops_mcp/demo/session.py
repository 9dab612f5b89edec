"""The demo's session: prints what an assistant sees and records each step that misbehaves."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Awaitable, Callable
from typing import Any

from mcp import Client

Scenario = Callable[["DemoSession"], Awaitable[None]]


class StepFailed(Exception):
    pass


def show(text: str, indent: str = "    ") -> None:
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
            show("error: " + text)
        else:
            data = result.structured_content
            show(json.dumps(data, indent=2)[:1500] if data is not None else str(result.content))
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
