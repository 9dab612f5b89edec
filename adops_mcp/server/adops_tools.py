"""The server's own tools (not vendor operations): each one's name, title, description and hints, defined once.

The builder of each tool (confirm_action, adops_audit_log, adops_configuration, adops_find_tools,
adops_call_tool, adops_plan_changes, adops_undo) and the catalogue (`adops-mcp tools`, the README table)
both read these records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver.tools import Tool
from mcp.types import ToolAnnotations

from ..vendorcall.operation import Effect
from .lazy import LazyTool
from .tool_schema import finalize


@dataclass(frozen=True)
class AdopsTool:
    name: str
    title: str
    description: str
    effect: Effect
    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool

    @property
    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(
            title=self.title,
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=self.open_world,
        )

    def tool(self, fn: Callable[..., Any]) -> Tool:
        """The MCP tool running `fn` under this definition, listed from the packaged schemas (its models are
        built on its first call)."""
        return LazyTool.ahead(lambda: self.built_tool(fn), **self.info)

    def built_tool(self, fn: Callable[..., Any]) -> Tool:
        """The tool with its validation models, from `fn` itself."""
        return finalize(Tool.from_function(fn, **self.info))

    @property
    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "annotations": self.annotations,
            "meta": {"vendor": "adops", "toolset": "adops", "effect": self.effect},
        }

    def catalogue_entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "vendor": "adops",
            "toolset": "adops",
            "effect": self.effect,
            "method": None,
            "path": None,
            "default": True,  # the server's own tools are always listed
            "annotations": {
                "readOnlyHint": self.read_only,
                "destructiveHint": self.destructive,
                "idempotentHint": self.idempotent,
                "openWorldHint": self.open_world,
            },
        }


CONFIRM_ACTION = AdopsTool(
    name="confirm_action",
    title="Confirm a planned change",
    description="Performs a change that a tool planned (status confirmation_required), exactly as planned and once. "
    "Call it only after the user has read the plan and said yes.",
    effect="destructive",
    read_only=False,
    destructive=True,
    idempotent=False,
    open_world=True,
)
AUDIT_LOG = AdopsTool(
    name="adops_audit_log",
    title="Audit log of changes",
    description="Lists the changes this server sent to vendors, newest first, with who confirmed them and the "
    "outcome (ok, failed, unknown, sent).",
    effect="read",
    read_only=True,
    destructive=False,
    idempotent=True,
    open_world=False,
)
CONFIGURATION = AdopsTool(
    name="adops_configuration",
    title="Configured vendors and policy",
    description="Lists the configured vendors (profile, base URL, toolsets and tools it can run), sandbox and "
    "read-only mode. No secrets.",
    effect="read",
    read_only=True,
    destructive=False,
    idempotent=True,
    open_world=False,
)
FIND_TOOLS = AdopsTool(
    name="adops_find_tools",
    title="Find more tools",
    description="Finds the tools for a request, in its own words, among every operation: most are not listed "
    "here (deletes, feeds, postings, reports, tracking, ...). Run those with adops_call_tool. Search before "
    "saying something cannot be done.",
    effect="read",
    read_only=True,
    destructive=False,
    idempotent=True,
    open_world=False,
)
# Not destructive by itself: a destructive operation run through it still comes back as a plan to confirm
# (or the client's confirmation form), so clients ask permission where it matters: confirm_action.
CALL_TOOL = AdopsTool(
    name="adops_call_tool",
    title="Call a found tool",
    description="Runs a tool found with adops_find_tools. Same checks and confirmation as calling it directly.",
    effect="write",
    read_only=False,
    destructive=False,
    idempotent=False,
    open_world=True,
)

# Destructive like confirm_action: whatever it plans is performed only after the person's yes.
PLAN_CHANGES = AdopsTool(
    name="adops_plan_changes",
    title="Plan several changes as one",
    description="Plans 1-50 changes of any tools as one set: one plan, one confirmation, performed in order. "
    "If any change is refused, nothing is sent.",
    effect="destructive",
    read_only=False,
    destructive=True,
    idempotent=False,
    open_world=True,
)
UNDO = AdopsTool(
    name="adops_undo",
    title="Undo a recorded change",
    description="Plans the inverse of a change from the audit log (a status, budget or bid back), confirmed like "
    "any change. A change set id (cs-...) undoes the whole set.",
    effect="destructive",
    read_only=False,
    destructive=True,
    idempotent=False,
    open_world=True,
)

# In the order the catalogue lists them, after the vendor operations.
ADOPS_TOOLS: tuple[AdopsTool, ...] = (
    CONFIRM_ACTION,
    AUDIT_LOG,
    CONFIGURATION,
    FIND_TOOLS,
    CALL_TOOL,
    PLAN_CHANGES,
    UNDO,
)
# The ones adops_find_tools can answer with (a request may be after the audit log): all but the search itself.
SEARCHABLE_ADOPS_TOOLS = tuple(t for t in ADOPS_TOOLS if t not in (FIND_TOOLS, CALL_TOOL))
