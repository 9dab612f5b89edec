"""Audit log filters as people and models type them: one check for the tool, the resource and the CLI.

A filter that matches nothing because it is misspelt (`Delta`, `paused`) would read as "no changes were
made": vendors are matched in any case and by their usual aliases, and an unknown vendor, tool or
outcome is an error that lists the valid values.
"""

from __future__ import annotations

from typing import Any

VENDOR_NAMES = ("jivox", "joveo", "merchenta", "deltaprojects")
VENDOR_ALIASES = {"delta": "deltaprojects", "deltaproject": "deltaprojects"}
OUTCOMES = ("ok", "failed", "unknown", "sent")


class BadFilter(ValueError):
    """A filter value that matches no record by construction; the message lists the valid values."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _key(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


def audited_tools() -> list[str]:
    """Tools that can leave an audit record: those that write, or may need a confirmation."""
    from ..tools.index import summaries

    return sorted(op.name for op in summaries().values() if op.effect != "read" or op.guarded)


def audit_filters(vendor: str | None = None, tool: str | None = None, outcome: str | None = None) -> dict[str, Any]:
    """The store's filter arguments for what was typed; raises BadFilter naming the valid values."""
    filters: dict[str, Any] = {}
    if vendor is not None and vendor.strip():
        key = VENDOR_ALIASES.get(_key(vendor), _key(vendor))
        if key not in VENDOR_NAMES:
            raise BadFilter("vendor", f"unknown vendor {vendor!r}, use one of {', '.join(VENDOR_NAMES)} (or delta).")
        filters["vendor"] = key
    if tool is not None and tool.strip():
        name = tool.strip().lower()
        known = audited_tools()
        if name not in known:
            raise BadFilter(
                "tool", f"{tool!r} never writes, so it has no audit records; use one of {', '.join(known)}."
            )
        filters["tool"] = name
    if outcome is not None and outcome.strip():
        value = outcome.strip().lower()
        if value not in OUTCOMES:
            raise BadFilter("outcome", f"unknown outcome {outcome!r}, use one of {', '.join(OUTCOMES)}.")
        filters["outcome"] = value
    return filters
