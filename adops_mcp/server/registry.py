"""Turns operation records into typed MCP tools and resource twins.

`build_tool` synthesizes one tool per operation (signature from the params model, annotations from
the effect, the packaged schema until its first call); every tool runs through `Runtime.execute`
(runtime.py), and a guarded one through the confirmation flows (confirmation.py).
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import (
    Context,
    ElicitationResult,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.resolve import build_resolver_plans, find_resolved_parameters
from mcp.server.mcpserver.tools import Tool
from mcp.shared.exceptions import MCPError
from mcp.types import ToolAnnotations
from mcp_types import INVALID_PARAMS
from pydantic import BaseModel, Field

from ..profiles import vendor_profiles
from ..tools import index
from ..vendorcall.operation import Operation, Summary
from ..vendorcall.request import PLACEHOLDER
from ..vendorcall.results import WriteResult
from .confirmation import ask_confirmation, perform
from .guard import (
    Confirm,
)
from .lazy import LazyTool, _unbuilt
from .runtime import InvalidArguments, Runtime, tool_call
from .tool_schema import finalize


def annotations_for(op: Summary) -> ToolAnnotations:
    """All four hints, explicitly, derived from the effect."""
    return ToolAnnotations(
        title=op.title,
        read_only_hint=op.effect == "read",
        destructive_hint=op.effect == "destructive",
        idempotent_hint=op.is_idempotent,
        open_world_hint=True,
    )


def _param(name: str, info: Any) -> inspect.Parameter:
    """A keyword-only parameter carrying the field's type, constraints and description."""
    extra: dict[str, Any] = {}
    if info.description:
        extra["description"] = info.description
    if info.examples:
        extra["examples"] = info.examples
    annotation = Annotated[(info.annotation, *info.metadata, Field(**extra))]
    default = inspect.Parameter.empty if info.is_required() else info.get_default(call_default_factory=True)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _synthesize(fn: Any, params: list[inspect.Parameter], returns: Any) -> Any:
    fn.__signature__ = inspect.Signature(params, return_annotation=returns)
    fn.__annotations__ = {p.name: p.annotation for p in params} | {"return": returns}
    return fn


def profile_param(op: Operation, runtime: Runtime) -> inspect.Parameter | None:
    """`profile` for a vendor with several configured accounts (hidden when there is one)."""
    names = tuple(vendor_profiles(runtime.settings, op.vendor))
    if len(names) < 2:
        return None
    assert "profile" not in op.params.model_fields, op.name
    description = f"Which configured {op.vendor} account to use. Default: {names[0]}."
    annotation = Annotated[Literal[names] | None, Field(description=description)]  # type: ignore[valid-type]  # names known at run time
    return inspect.Parameter("profile", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)


def build_tool(summary: Summary, runtime: Runtime) -> Tool:
    """The typed MCP tool of an operation. Listed from the packaged schemas when they apply (one account of
    its vendor): its vendor package and validation models then load on its first call, not at start-up."""

    def build() -> Tool:
        return built_tool(index.operation(summary.name), runtime)

    if len(vendor_profiles(runtime.settings, summary.vendor)) > 1:
        return build()  # the `profile` argument names this server's accounts: not in the packaged schemas
    return LazyTool.ahead(build, **tool_info(summary))


def built_tool(op: Operation, runtime: Runtime) -> Tool:
    """The tool with its validation models, from the operation record itself."""
    profile = profile_param(op, runtime)
    key = (op.name, tuple(vendor_profiles(runtime.settings, op.vendor)) if profile is not None else ())
    shape = _SHAPES.get(key)
    if shape is not None and shape.op is op:
        params = shape.params
    else:
        params = [_param(name, info) for name, info in op.params.model_fields.items()]
        if profile is not None:
            params.append(profile)
        shape = None
    ctx_param = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)

    async def resolve_confirmation(ctx: Context[Any, Any], **arguments: Any) -> Any:
        return await ask_confirmation(runtime, op, arguments, ctx)

    _synthesize(
        resolve_confirmation,
        [ctx_param] + [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=Any) for p in params],
        Any,
    )

    async def tool(ctx: Context[Any, Any], confirmation: Any = None, **arguments: Any) -> Any:
        return await perform(runtime, op, arguments, ctx, confirmation)

    signature = [*params, ctx_param]
    if op.guarded:
        signature.append(
            inspect.Parameter(
                "confirmation",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[ElicitationResult[Confirm], Resolve(resolve_confirmation)],
            )
        )
    returns = WriteResult if op.effect != "read" or op.guarded else (op.result or dict[str, Any])
    _synthesize(tool, signature, returns)
    if shape is not None:
        return shape.bind(tool)
    built = finalize(Tool.from_function(tool, **tool_info(op.summary)))
    # The cached shape keeps no function of this server: a closed server must not live on in it.
    _SHAPES[key] = Shape(
        op, params, built.model_copy(update={"fn": _unbuilt, "resolved_params": {}, "resolver_plans": {}})
    )
    return built


def tool_info(op: Summary) -> dict[str, Any]:
    return {
        "name": op.name,
        "title": op.title,
        "description": op.description,
        "annotations": annotations_for(op),
        "meta": {"vendor": op.vendor, "toolset": op.toolset, "effect": op.effect},
    }


@dataclass(frozen=True)
class Shape:
    """A tool's schemas and validation models: they depend only on the operation and the profile names,
    so each is built once per process, and a server built later binds its own runtime's functions to it."""

    op: Operation
    params: list[inspect.Parameter]
    tool: Tool

    def bind(self, fn: Any) -> Tool:
        resolved = find_resolved_parameters(fn)
        names = {f.alias or n for n, f in self.tool.fn_metadata.arg_model.model_fields.items()}
        plans = build_resolver_plans(resolved, names)
        return self.tool.model_copy(update={"fn": fn, "resolved_params": dict(resolved), "resolver_plans": plans})


_SHAPES: dict[tuple[str, tuple[str, ...]], Shape] = {}


def resource_function(summary: Summary, runtime: Runtime) -> Any:
    """A resource twin of a read operation: same params (from the URI), same data, as JSON."""
    names = PLACEHOLDER.findall(summary.resource or "")

    async def read(**arguments: Any) -> str:
        try:
            with tool_call(runtime):
                call = runtime.call(index.operation(summary.name), arguments, None)
                data = await runtime.execute(call, confirmed_by="not required")
        except InvalidArguments as exc:
            raise MCPError(INVALID_PARAMS, str(exc)) from None
        except ToolError as exc:  # the vendor's own words, one line in the log, no traceback
            raise ResourceError(str(exc)) from None
        payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    return _synthesize(read, [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=str) for n in names], str)
