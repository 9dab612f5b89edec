"""Every operation reachable from a small default surface, in any client.

About 80 operations cannot all sit in a model's context, and many clients ignore
`tools/list_changed`. So the default surface lists each vendor's everyday tools, and two tools
reach the rest: `adops_find_tools` searches the catalogue and returns input schemas, and
`adops_call_tool` runs any reachable operation through the same path as its own tool
(validation, operator policy, the confirmation guard, the audit log). Stateless, so it works
the same over stdio and behind a load balancer.

No `from __future__ import annotations` here: the SDK evaluates the tools' annotations, and the
`Resolve(resolve)` marker names a local function.
"""

import json
from typing import Annotated, Any

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import Field

from ..vendorcall.operation import Operation, Summary
from .adops_tools import CALL_TOOL, FIND_TOOLS, SEARCHABLE_ADOPS_TOOLS
from .confirmation import ask_confirmation, perform
from .guard import Confirm
from .registry import build_tool
from .runtime import Runtime


def _lookup(runtime: Runtime, name: str) -> Operation:
    op = runtime.operation(name)
    if op is None:
        raise ToolError(unlisted_tool(runtime, name, {}))
    return op


def unlisted_tool(runtime: Runtime, name: str, arguments: dict[str, Any]) -> str:
    """The answer to a call of a tool that is not listed: how to reach it, or why it cannot be."""
    routed = runtime.suggest(name, arguments)
    if isinstance(routed, str) and routed.startswith("no tool named"):
        return f"No tool named {name!r}. Nothing was sent. Use adops_find_tools to search for the right one."
    if isinstance(routed, str):
        return f"{name} cannot run here: {routed}. Nothing was sent."
    call = json.dumps(routed[1], ensure_ascii=False)
    return (
        f"{name} is not listed on this server, so nothing was sent; it runs through adops_call_tool with the "
        f"same arguments: adops_call_tool({call})."
    )


CLOSE = 0.3  # a sibling scoring at least this share of a result is worth a look beside it
FAINT = 0.2  # results scoring under this share of the best one are left out: they only share a word


def build_discovery_tools(runtime: Runtime, listed: set[str]) -> list[Tool]:
    schemas: dict[str, dict[str, Any]] = {}

    def schema(op: Summary) -> dict[str, Any]:
        if op.name not in schemas:
            schemas[op.name] = build_tool(op, runtime).parameters
        return schemas[op.name]

    toolsets = sorted({op.toolset for op in runtime.operations.values()})
    own = {t.name: t for t in SEARCHABLE_ADOPS_TOOLS}

    def found(name: str, why: str, consider: str | None) -> dict[str, Any]:
        op = runtime.operations.get(name)
        tool = own.get(name)
        is_listed = name in (runtime.listed or listed)
        entry: dict[str, Any] = {
            "name": name,
            "why": why,
            "description": op.description if op is not None else tool.description if tool is not None else "",
            "effect": op.effect if op is not None else tool.effect if tool is not None else "read",
            "toolset": op.toolset if op is not None else "adops",
            "listed": is_listed,
        }
        if consider is not None:
            entry["consider"] = consider
        if op is not None and not is_listed:
            entry["input_schema"] = schema(op)
        return entry

    async def adops_find_tools(
        query: Annotated[
            str, Field(max_length=200, description="The user's request in plain words, e.g. 'pause job group g-1'.")
        ] = "",
        toolset: Annotated[str | None, Field(description="Only this toolset (see toolsets in the result).")] = None,
        limit: Annotated[int, Field(ge=1, le=25)] = 5,
    ) -> dict[str, Any]:
        allowed = [n for n, op in runtime.operations.items() if not toolset or op.toolset == toolset]
        if not toolset or toolset == "adops":
            allowed += [n for n in own if n in (runtime.listed or listed)]
        if not query.strip():
            tools = [found(n, "", None) for n in allowed[:limit]]
        else:
            from .search import catalogue_index  # the ranking loads on the first search, not at start-up

            hits = catalogue_index().rank(query, set(allowed), limit=limit)
            scores = {h.name: h.score for h in hits}
            best = [h for h in hits[:limit] if h.score >= FAINT * hits[0].score]
            tools = []
            for hit in best:
                # The sibling its description names (one vs many, pause vs enable) when the request fits it too.
                close = [s for s in hit.siblings if scores.get(s, 0.0) >= CLOSE * hit.score]
                consider = max(close, key=lambda s: scores[s], default=None)
                tools.append(found(hit.name, hit.why, consider))
        return {
            "tools": tools,
            "toolsets": toolsets,
            "how_to_call": "Call listed tools directly; call the others with adops_call_tool(name, arguments).",
        }

    def given(op: Operation, arguments: dict[str, Any] | None) -> dict[str, Any]:
        """The arguments of a call; left out, none, unless the tool needs some: then its schema says which."""
        if arguments is not None:
            return arguments
        needed = schema(op.summary)
        if needed.get("required"):
            shape = json.dumps(needed, ensure_ascii=False, separators=(",", ":"))
            raise ToolError(
                f"{op.name} needs arguments ({', '.join(needed['required'])}), so nothing was sent. Call "
                f"adops_call_tool again with name {op.name!r} and arguments matching its input_schema: {shape}"
            )
        return {}

    async def resolve(ctx: Context[Any, Any], name: str, arguments: dict[str, Any] | None) -> Any:
        op = _lookup(runtime, name)
        return await ask_confirmation(runtime, op, given(op, arguments), ctx)

    async def adops_call_tool(
        name: Annotated[str, Field(max_length=64, description="Tool name from adops_find_tools.")],
        ctx: Context[Any, Any],
        confirmation: Annotated[ElicitationResult[Confirm], Resolve(resolve)],
        arguments: Annotated[
            dict[str, Any] | None, Field(description="Arguments matching its input_schema (none: leave out).")
        ] = None,
    ) -> dict[str, Any]:
        op = _lookup(runtime, name)
        result = await perform(runtime, op, given(op, arguments), ctx, confirmation)
        data: dict[str, Any] = result.model_dump(mode="json") if hasattr(result, "model_dump") else result
        return data

    return [FIND_TOOLS.tool(adops_find_tools), CALL_TOOL.tool(adops_call_tool)]
