"""Concurrency: 200 concurrent read calls against a vendor that takes 50 ms per request.

The sandbox runs in its own process (`adops-mcp sandbox`, real HTTP on loopback, latency 50 ms set
through /_sandbox/faults), so it does not share the server's event loop or CPU time; the server and
the MCP client run in this process on memory streams, once per per-vendor limit. The floor is
ceil(200 / limit) * 50 ms: the default limit decides whether a burst finishes in time, and how hard
one server may hit a vendor. Target: 200 calls within 0.5 s with never more in flight than the limit.
"""

from __future__ import annotations

import math
import os
import subprocess
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
KEY = "sandbox-jivox-key"


async def burst(origin: str, limit: int | None) -> dict[str, Any]:
    import httpx2
    from mcp import Client

    from adops_mcp.config import Settings, load_settings
    from adops_mcp.server.app import build_server

    os.environ.update({"ADOPS_JIVOX_BASE_URL": f"{origin}/jivox", "ADOPS_JIVOX_API_KEY": KEY})
    overrides = {} if limit is None else {"max_concurrency": limit}
    built = build_server(load_settings(toolsets="jivox", **overrides))
    effective = limit or Settings.model_fields["max_concurrency"].default
    errors = 0
    async with Client(built.server) as client, httpx2.AsyncClient(base_url=origin) as control:
        await client.call_tool(TOOL, ARGS)  # warm up (first call builds the tool and opens connections)
        vendor = built.runtime.clients["jivox"]
        vendor.max_in_flight = 0
        (await control.delete("/_sandbox/requests")).raise_for_status()

        async def one() -> None:
            nonlocal errors
            result = await client.call_tool(TOOL, ARGS)
            errors += bool(result.is_error)

        started, cpu = time.perf_counter(), time.process_time()
        async with anyio.create_task_group() as tg:
            for _ in range(CALLS):
                tg.start_soon(one)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        seen = (await control.get("/_sandbox/requests")).json()
    floor = math.ceil(CALLS / effective) * LATENCY_MS / 1000
    return {
        "limit": effective,
        "default": limit is None,
        "seconds": round(elapsed, 3),
        "floor_seconds": round(floor, 3),
        "cpu_seconds": round(cpu, 3),  # client + server (the sandbox has its own process)
        "max_in_flight": vendor.max_in_flight,
        "vendor_requests": len(seen),
        "errors": errors,
        "within_limit": vendor.max_in_flight <= effective,
        "within_target": elapsed <= TARGET_S,
    }


async def measure() -> dict[str, Any]:
    import httpx2

    from bench.overhead import free_port, wait_for_port

    saved = dict(os.environ)
    for name in [k for k in os.environ if k.startswith("ADOPS_")]:
        del os.environ[name]
    os.environ["ADOPS_DATA_DIR"] = tempfile.mkdtemp(prefix="adops-bench-")
    port = free_port()
    sandbox = subprocess.Popen(  # noqa: ASYNC220 - returns once started; the sandbox runs beside the bench
        [sys.executable, "-m", "adops_mcp", "sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        await wait_for_port(port)
        async with httpx2.AsyncClient(base_url=origin) as control:
            (await control.post("/_sandbox/faults", json={"latency_ms": LATENCY_MS})).raise_for_status()
        rows = [await burst(origin, None)] + [await burst(origin, n) for n in LIMITS]
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=15)
        os.environ.clear()
        os.environ.update(saved)
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
