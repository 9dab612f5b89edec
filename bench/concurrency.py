"""Concurrency: 200 concurrent read calls against a vendor that takes 50 ms per request.

In process (the MCP client on memory streams, the sandbox as an ASGI transport, faults.latency_ms=50),
once per per-vendor limit. The floor is ceil(200 / limit) * 50 ms: the default limit decides whether
a burst finishes in time, and how hard one server may hit a vendor. Target: 200 calls within 0.5 s
with never more in flight than the limit.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import table, write

CALLS = 200
LATENCY_MS = 50.0
LIMITS = (8, 16, 32, 64)
TARGET_S = 0.5
TOOL = "jivox_get_retail_campaign"
ARGS = {"account_id": "acme-retail", "retail_campaign_idx": 5303}


async def burst(limit: int | None) -> dict[str, Any]:
    from mcp import Client

    from adops_mcp.config import Settings, load_settings
    from adops_mcp.sandbox import use_sandbox
    from adops_mcp.server.app import build_server

    os.environ.setdefault("ADOPS_DATA_DIR", tempfile.mkdtemp(prefix="adops-bench-"))
    overrides = {} if limit is None else {"max_concurrency": limit}
    settings = load_settings(sandbox=True, toolsets="jivox", **overrides)
    box, transport = use_sandbox(settings)
    built = build_server(settings, transport=transport, sandbox=box)
    effective = limit or Settings.model_fields["max_concurrency"].default
    built.sandbox.faults.latency_ms = LATENCY_MS
    errors = 0
    async with Client(built.server) as client:
        await client.call_tool(TOOL, ARGS)  # warm up (first call builds caches)
        vendor = built.runtime.clients["jivox"]
        vendor.max_in_flight = 0
        built.sandbox.requests.clear()

        async def one() -> None:
            nonlocal errors
            result = await client.call_tool(TOOL, ARGS)
            errors += bool(result.is_error)

        started, cpu = time.perf_counter(), time.process_time()
        async with anyio.create_task_group() as tg:
            for _ in range(CALLS):
                tg.start_soon(one)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    floor = math.ceil(CALLS / effective) * LATENCY_MS / 1000
    return {
        "limit": effective,
        "default": limit is None,
        "seconds": round(elapsed, 3),
        "floor_seconds": round(floor, 3),
        "cpu_seconds": round(cpu, 3),  # client + server + sandbox share this process
        "max_in_flight": vendor.max_in_flight,
        "vendor_requests": len(built.sandbox.requests),
        "errors": errors,
        "within_limit": vendor.max_in_flight <= effective,
        "within_target": elapsed <= TARGET_S,
    }


async def measure() -> dict[str, Any]:
    rows = [await burst(None)] + [await burst(n) for n in LIMITS]
    default = rows[0]
    return {
        "calls": CALLS,
        "latency_ms": LATENCY_MS,
        "target_seconds": TARGET_S,
        "rows": rows,
        "ok": default["within_target"] and all(r["within_limit"] and not r["errors"] for r in rows),
    }


def main() -> dict[str, Any]:
    r = anyio.run(measure)
    print(
        table(
            f"Concurrency: {CALLS} concurrent {TOOL} calls, vendor latency {LATENCY_MS:.0f} ms",
            ["per-vendor limit", "seconds", "floor s", "cpu s", "max in flight", "vendor requests", "errors"],
            [
                [
                    f"{x['limit']}{' (default)' if x['default'] else ''}",
                    x["seconds"],
                    x["floor_seconds"],
                    x["cpu_seconds"],
                    x["max_in_flight"],
                    x["vendor_requests"],
                    x["errors"],
                ]
                for x in r["rows"]
            ],
        )
    )
    print(
        f"default limit: {r['rows'][0]['seconds']} s (target <= {TARGET_S}); in flight never above the limit: "
        f"{all(x['within_limit'] for x in r['rows'])} -> {'OK' if r['ok'] else 'MISSED'}\n"
    )
    write("concurrency", r)
    return r


if __name__ == "__main__":
    main()
