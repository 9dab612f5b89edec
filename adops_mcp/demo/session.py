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
    for line in [line for line in text.splitlines() if line.strip()] or [""]:  # blank lines cost the reader a line
        print(textwrap.fill(line, width=120, initial_indent=indent, subsequent_indent=indent + "  "))


def brief(data: Any) -> str:
    """What an assistant takes from a result, in a line or two: whole values only, never JSON cut mid-string."""
    if not isinstance(data, dict):
        return json.dumps(data, ensure_ascii=False)
    for key in ("plan", "summary", "message"):
        if isinstance(data.get(key), str):
            head = f"[{data['status']}] " if isinstance(data.get("status"), str) else ""
            steps = [
                s["tool"]
                for s in data.get("next_steps") or []
                if isinstance(s, dict) and isinstance(s.get("tool"), str)
            ]
            text: str = data[key]
            return head + text + (f" Next: {', '.join(steps)}." if steps else "")
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            parts.append(f"{key}: {len(value)} item(s)")
        elif isinstance(value, dict):
            parts.append(f"{key}: {len(value)} field(s)")
        elif value is not None:
            text = json.dumps(value, ensure_ascii=False)
            parts.append(f"{key}={text}" if len(text) <= 60 else f"{key}: {len(text)} chars")
    return ", ".join(parts[:5]) + (", ..." if len(parts) > 5 else "")


QUIET = {"nothing sent yet: a plan and a token came back", "confirm_action performed it once"}


class DemoSession:
    def __init__(self, client: Client, elicitation: bool, verbose: bool = False) -> None:
        self.client = client
        self.elicitation = elicitation
        self.verbose = verbose  # the full JSON of every result instead of its one-line reading
        self.failures: list[str] = []

    def say(self, text: str) -> None:
        print(f"\n{text}" if text.startswith("User") else text)

    def check(self, condition: bool, what: str) -> None:
        if condition and not self.verbose and what in QUIET:
            return  # the guard's routine steps: failures still print
        print(f"    {'ok ' if condition else 'FAIL'} {what}")
        if not condition:
            self.failures.append(what)

    async def call(self, tool: str, arguments: dict[str, Any], *, expect_error: bool = False) -> Any:
        shown = {k: "<the token>" if k == "confirmation_token" else v for k, v in arguments.items()}
        print(f"  > {tool}({json.dumps(shown)})")
        result = await self.client.call_tool(tool, arguments)
        if result.is_error:
            text = " ".join(getattr(c, "text", "") for c in result.content)
            show("error: " + text)
        else:
            data = result.structured_content
            if data is None:
                show(" ".join(getattr(c, "text", "") for c in result.content))
            elif self.verbose:  # whole, unwrapped: every block parses as JSON
                print(textwrap.indent(json.dumps(data, indent=2, ensure_ascii=False), "    "))
            else:
                show(brief(data))
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
        done = await self.call("confirm_action", {"confirmation_token": result["confirmation_token"]})
        self.check(done.get("status") == "done", "confirm_action performed it once")
        return done
