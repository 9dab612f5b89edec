"""Per-call overhead: a read tool over stdio against the sandbox on loopback vs the same request made
directly with httpx2.

`adops-mcp sandbox --port P` serves the vendor APIs over real HTTP; `adops-mcp serve` (stdio) points
Jivox at it with the sandbox key. The difference of medians is what the server adds per call
(stdio JSON-RPC, validation, the vendor client, result shaping). A bare MCPServer's echo round trip
is shown for scale: the part of the overhead any stdio MCP server pays. The same server with metrics on
(ADOPS_METRICS_TOKEN: every tool call and vendor request counted and timed) is measured beside it.
Target: <= 3 ms added, with and without metrics.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import median, table, write

HERE = Path(__file__).resolve().parent
CALLS = int(os.environ.get("ADOPS_BENCH_CALLS", "200"))
WARMUP = 20
TARGET_MS = 3.0
ACCOUNT, CAMPAIGN = "acme-retail", 5303
TOOL = "jivox_get_retail_campaign"
PATH = f"/jivox/v2/accounts/{ACCOUNT}/retail-campaigns/{CAMPAIGN}"
KEY = "sandbox-jivox-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_for_port(port: int) -> None:
    with anyio.fail_after(120):
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                await anyio.sleep(0.1)


async def timed(fn: Any, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


async def measure() -> dict[str, Any]:
    import httpx2
    from mcp import Client, StdioServerParameters

    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="adops-bench-")
    base = {k: v for k, v in os.environ.items() if not k.startswith("ADOPS_")}
    sandbox = subprocess.Popen(  # noqa: ASYNC220 - returns once started; the sandbox runs beside the bench
        [sys.executable, "-m", "adops_mcp", "sandbox", "--port", str(port)],
        env=base,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_for_port(port)
        origin = f"http://127.0.0.1:{port}"
        env = {
            **base,
            "ADOPS_DATA_DIR": data_dir,
            "ADOPS_JIVOX_BASE_URL": f"{origin}/jivox",
            "ADOPS_JIVOX_API_KEY": KEY,
        }
        server = StdioServerParameters(command=sys.executable, args=["-m", "adops_mcp", "serve"], env=env)
        metrics_env = {**env, "ADOPS_METRICS_TOKEN": "bench-metrics-token-0123456789"}
        metered = StdioServerParameters(command=sys.executable, args=["-m", "adops_mcp", "serve"], env=metrics_env)
        bare = StdioServerParameters(command=sys.executable, args=[str(HERE / "bare_server.py")], env=env)
        args = {"account_id": ACCOUNT, "retail_campaign_idx": CAMPAIGN}
        async with (
            httpx2.AsyncClient(base_url=origin, headers={"jvx_apikey": KEY, "Accept": "application/json"}) as http,
            Client(server) as client,
            Client(metered) as metered_client,
            Client(bare) as echo,
        ):

            async def direct() -> None:
                response = await http.get(PATH)
                response.raise_for_status()
                response.json()

            async def through_tool() -> None:
                result = await client.call_tool(TOOL, args)
                assert not result.is_error, result

            async def with_metrics() -> None:
                result = await metered_client.call_tool(TOOL, args)
                assert not result.is_error, result

            async def bare_echo() -> None:
                await echo.call_tool("echo", {"text": "x"})

            for fn in (direct, through_tool, with_metrics, bare_echo):
                await timed(fn, WARMUP)
            # Interleave in blocks so drift in machine load hits all four alike.
            direct_ms: list[float] = []
            tool_ms: list[float] = []
            metrics_ms: list[float] = []
            echo_ms: list[float] = []
            for _ in range(CALLS // 20):
                direct_ms += await timed(direct, 20)
                tool_ms += await timed(through_tool, 20)
                metrics_ms += await timed(with_metrics, 20)
                echo_ms += await timed(bare_echo, 20)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=15)
    added = median(tool_ms) - median(direct_ms)
    added_with_metrics = median(metrics_ms) - median(direct_ms)
    return {
        "calls": len(tool_ms),
        "direct_median_ms": round(median(direct_ms), 3),
        "tool_median_ms": round(median(tool_ms), 3),
        "tool_with_metrics_median_ms": round(median(metrics_ms), 3),
        "bare_echo_median_ms": round(median(echo_ms), 3),
        "added_median_ms": round(added, 3),
        "added_with_metrics_median_ms": round(added_with_metrics, 3),
        "metrics_cost_median_ms": round(median(metrics_ms) - median(tool_ms), 3),
        "target_added_ms": TARGET_MS,
        "ok": added <= TARGET_MS and added_with_metrics <= TARGET_MS,
    }


def main() -> dict[str, Any]:
    r = anyio.run(measure)
    print(
        table(
            f"Per-call overhead: {TOOL} over stdio vs direct httpx2, sandbox on loopback ({r['calls']} calls)",
            ["path", "median ms"],
            [
                ["direct httpx2 GET", r["direct_median_ms"]],
                ["tool over stdio (adops-mcp serve)", r["tool_median_ms"]],
                ["tool over stdio, metrics on (ADOPS_METRICS_TOKEN)", r["tool_with_metrics_median_ms"]],
                ["bare MCPServer echo over stdio (no vendor call)", r["bare_echo_median_ms"]],
            ],
        )
    )
    print(
        f"added per call: {r['added_median_ms']} ms, with metrics {r['added_with_metrics_median_ms']} ms "
        f"(target <= {TARGET_MS}) -> {'OK' if r['ok'] else 'MISSED'}\n"
    )
    write("overhead", r)
    return r


if __name__ == "__main__":
    main()
