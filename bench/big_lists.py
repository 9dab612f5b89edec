"""Big lists: o200k tokens of the largest page each list tool returns over the sandbox's biggest accounts.

Each list tool is called at its largest page size on the biggest account it has (Joveo's 5,000-job
client, ...). Counted: the result text the model reads. Target: <= 10,000 tokens per result, with
the rest reachable (a next page pointer while items remain).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import count_tokens, table, write

TARGET = 10_000
GLOBEX = "3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11"  # the sandbox's 5,000-job Joveo client


def biggest_args(name: str, schema: dict[str, Any], ids: dict[str, str]) -> dict[str, Any] | None:
    """Arguments for the biggest page: known ids for required fields, the largest allowed limit."""
    props = schema.get("properties", {})
    args: dict[str, Any] = {}
    for field in schema.get("required", []):
        if field not in ids:
            return None
        args[field] = ids[field]
    for field in ("limit",):
        if field in props and "maximum" in props[field]:
            args[field] = props[field]["maximum"]
    return args


def more_pointer(data: Any) -> Any:
    if not isinstance(data, dict):
        return None
    for key in ("next", "next_offset", "next_page", "cursor", "next_cursor"):
        if data.get(key) not in (None, ""):
            return data[key]
    return None


async def measure() -> dict[str, Any]:
    from mcp import Client

    from adops_mcp.config import load_settings
    from adops_mcp.sandbox import use_sandbox
    from adops_mcp.server.app import build_server

    os.environ.setdefault("ADOPS_DATA_DIR", tempfile.mkdtemp(prefix="adops-bench-"))
    settings = load_settings(sandbox=True, toolsets="all")
    box, transport = use_sandbox(settings)
    built = build_server(settings, transport=transport, sandbox=box)
    rows: list[dict[str, Any]] = []
    async with Client(built.server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        ids: dict[str, str] = {"account_id": "acme-retail", "client_id": GLOBEX}
        delta = await client.call_tool("delta_list_clients", {}) if "delta_list_clients" in tools else None
        if delta is not None and not delta.is_error:
            items = next((v for v in (delta.structured_content or {}).values() if isinstance(v, list)), [])
            if items and isinstance(items[0], dict):
                ids["client_id_delta"] = str(items[0].get("id") or items[0].get("clientId") or "")
        for name, tool in sorted(tools.items()):
            if "_list_" not in name:
                continue
            args = biggest_args(
                name,
                tool.input_schema,
                ids | ({"client_id": ids.get("client_id_delta", "")} if name.startswith("delta_") else {}),
            )
            if args is None:
                rows.append({"tool": name, "skipped": "needs ids the bench does not discover"})
                continue
            result = await client.call_tool(name, args)
            text = " ".join(getattr(c, "text", "") for c in result.content)
            data = result.structured_content
            items = (
                next((v for v in (data or {}).values() if isinstance(v, list)), []) if isinstance(data, dict) else []
            )
            rows.append(
                {
                    "tool": name,
                    "arguments": args,
                    "error": bool(result.is_error),
                    "items": len(items),
                    "total": (data or {}).get("total") or (data or {}).get("count") if isinstance(data, dict) else None,
                    "tokens": count_tokens(text),
                    "structured_tokens": count_tokens(json.dumps(data, separators=(",", ":"))) if data else 0,
                    "more": more_pointer(data),
                }
            )
    measured = [r for r in rows if "tokens" in r and not r["error"]]
    largest = max(measured, key=lambda r: r["tokens"]) if measured else None
    return {
        "rows": rows,
        "largest": largest,
        "target_tokens": TARGET,
        "ok": all(r["tokens"] <= TARGET for r in measured),
    }


def main() -> dict[str, Any]:
    r = anyio.run(measure)
    print(
        table(
            "Big lists: the largest page each list tool returns (o200k tokens of the result text)",
            ["tool", "items", "total", "tokens (text)", "tokens (structured, compact)", "next page"],
            [
                [
                    x["tool"],
                    x.get("items", "-"),
                    x.get("total") or "-",
                    x.get("tokens", x.get("skipped")),
                    x.get("structured_tokens", "-"),
                    "error" if x.get("error") else json.dumps(x.get("more")),
                ]
                for x in r["rows"]
            ],
        )
    )
    if r["largest"]:
        print(
            f"largest: {r['largest']['tool']} {r['largest']['tokens']} tokens (target <= {TARGET}) -> "
            f"{'OK' if r['ok'] else 'OVER'}\n"
        )
    write("big_lists", r)
    return r


if __name__ == "__main__":
    main()
