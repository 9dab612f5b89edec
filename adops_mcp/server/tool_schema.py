"""The input schema a tool serves: unknown arguments refused, and trimmed of what costs tokens and says nothing."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver.tools import Tool
from pydantic import ConfigDict


def finalize(tool: Tool) -> Tool:
    """Refuse unknown arguments (a misspelt field must not be silently dropped) and trim the schema."""
    base = tool.fn_metadata.arg_model
    tool.fn_metadata.arg_model = type(
        base.__name__,
        (base,),
        {"model_config": ConfigDict(**{**base.model_config, "extra": "forbid"}), "__module__": base.__module__},
    )
    tool.parameters = compact_schema(tool.parameters)
    return tool


def compact_schema(schema: Any, *, in_properties: bool = False) -> Any:
    """Drop what costs the model tokens without telling it anything.

    Titles go, and an optional field's `anyOf: [X, null], default: null` becomes plain X: leaving
    the argument out already means "none", and validation still accepts an explicit null.
    """
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if in_properties:
        return {name: compact_schema(value) for name, value in schema.items()}
    options = schema.get("anyOf")
    if (
        isinstance(options, list)
        and len(options) == 2
        and {"type": "null"} in options
        and schema.get("default", 0) is None
    ):
        (kept,) = [o for o in options if o != {"type": "null"}]
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        return compact_schema({**kept, **rest})
    return {
        key: compact_schema(value, in_properties=key in ("properties", "$defs", "definitions"))
        for key, value in schema.items()
        if key != "title" and not (key == "default" and value is None)
    }
