"""The tool catalogue, derived from the operation tables (`adops-mcp tools`, README table)."""

from __future__ import annotations

from typing import Any

from .server.registry import annotations_for
from .tools.index import vendors


def catalogue() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for vendor in vendors():
        for op in vendor.operations:
            hints = annotations_for(op.summary)
            entries.append(
                {
                    "name": op.name,
                    "title": op.title,
                    "description": op.description,
                    "vendor": op.vendor,
                    "toolset": op.toolset,
                    "effect": op.effect,
                    "method": op.method,
                    "path": op.path,
                    "guarded": op.guarded,
                    "default": op.default,
                    "resource": op.resource,
                    "annotations": {
                        "readOnlyHint": hints.read_only_hint,
                        "destructiveHint": hints.destructive_hint,
                        "idempotentHint": hints.idempotent_hint,
                        "openWorldHint": hints.open_world_hint,
                    },
                }
            )
    from .server.adops_tools import ADOPS_TOOLS

    return entries + [t.catalogue_entry() for t in ADOPS_TOOLS]


def markdown_table(entries: list[dict[str, Any]]) -> str:
    lines = [
        "| tool | vendor | effect | request | what it does |",
        "|---|---|---|---|---|",
    ]
    for e in entries:
        request = f"`{e['method']} {e['path']}`" if e["method"] else "–"  # noqa: RUF001 - an en dash: no request
        effect = e["effect"] + (" (confirmed)" if e["effect"] == "destructive" or e.get("guarded") else "")
        lines.append(f"| `{e['name']}` | {e['vendor']} | {effect} | {request} | {e['description']} |")
    return "\n".join(lines) + "\n"


START, END = "<!-- tools:start -->", "<!-- tools:end -->"


def readme_with_table(readme: str) -> str:
    """The README text with the generated tool table between its markers."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{markdown_table(catalogue())}{END}{tail}"


if __name__ == "__main__":  # python -m adops_mcp.catalogue: refresh the README tool table
    from pathlib import Path

    path = Path("README.md")
    path.write_text(readme_with_table(path.read_text()))
