"""Per-call overhead: a read tool over stdio against the sandbox on loopback vs the same request made
directly with httpx2.

`adops-mcp sandbox --port P` serves the vendor APIs over real HTTP; `adops-mcp serve` (stdio) points
Jivox at it with the sandbox key. The difference of medians is what the server adds per call
(stdio JSON-RPC, validation, the vendor client, result shaping). A bare MCPServer's echo round trip
is shown for scale: the part of the overhead any stdio MCP server pays. The same server with metrics on
(ADOPS_METRICS_TOKEN: every tool call and vendor request counted and timed) is measured beside it.
Target: <= 3 ms added, with and without metrics.
On Linux the same calls are also measured in CPU time of each process, which machine load barely moves:
the server's own work per call = its CPU per tool call - a bare MCPServer's per echo call - the direct
client's per GET. Target: <= 0.3 ms (issue 29; ADOPS_BENCH_CALLS=1000 for a steadier figure).
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
TARGET_OWN_MS = 0.3  # the server's own CPU per call beyond the SDK's bare round trip and the vendor request
ACCOUNT, CAMPAIGN = "acme-retail", 5303
TOOL = "jivox_get_retail_campaign"
PATH = f"/jivox/v2/accounts/{ACCOUNT}/retail-campaigns/{CAMPAIGN}"
KEY = "sandbox-jivox-key"


def server_pids() -> dict[str, int]:
    """This process's server children by role (Linux /proc; empty elsewhere): serve, metered, bare."""
    found: dict[str, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            metered = b"ADOPS_METRICS_TOKEN=" in (entry / "environ").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and "adops_mcp serve" in command:
            found["metered" if metered else "serve"] = int(entry.name)
        elif parent == os.getpid() and "bare_server.py" in command:
            found["bare"] = int(entry.name)
    return found if len(found) == 3 else {}


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (0 when unknown)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
            servers = server_pids()
            cpu = {"direct": 0.0, "serve": 0.0, "metered": 0.0, "bare": 0.0}  # CPU seconds of each process
            for _ in range(CALLS // 20):
                before = time.process_time()
                direct_ms += await timed(direct, 20)
                cpu["direct"] += time.process_time() - before
                for name, fn, out in (
                    ("serve", through_tool, tool_ms),
                    ("metered", with_metrics, metrics_ms),
                    ("bare", bare_echo, echo_ms),
                ):
                    before = cpu_seconds(servers.get(name))
                    out += await timed(fn, 20)
                    cpu[name] += cpu_seconds(servers.get(name)) - before
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=15)
    added = median(tool_ms) - median(direct_ms)
    added_with_metrics = median(metrics_ms) - median(direct_ms)
    n = len(tool_ms)

    def per_call(seconds: float) -> float | None:
        return round(seconds / n * 1000, 3) if servers else None

    # The server's own work by CPU time: its CPU per tool call, minus a bare MCPServer's per echo call
    # (the SDK's round trip), minus the direct client's per GET (the vendor HTTP exchange the tool makes too).
    own = per_call(cpu["serve"] - cpu["bare"] - cpu["direct"])
    return {
        "calls": len(tool_ms),
        "direct_median_ms": round(median(direct_ms), 3),
        "tool_median_ms": round(median(tool_ms), 3),
        "tool_with_metrics_median_ms": round(median(metrics_ms), 3),
        "bare_echo_median_ms": round(median(echo_ms), 3),
        "added_median_ms": round(added, 3),
        "added_with_metrics_median_ms": round(added_with_metrics, 3),
        "metrics_cost_median_ms": round(median(metrics_ms) - median(tool_ms), 3),
        "server_cpu_per_call_ms": per_call(cpu["serve"]),
        "metered_cpu_per_call_ms": per_call(cpu["metered"]),
        "bare_cpu_per_call_ms": per_call(cpu["bare"]),
        "direct_cpu_per_call_ms": round(cpu["direct"] / n * 1000, 3),
        "own_cpu_per_call_ms": own,
        "target_own_cpu_ms": TARGET_OWN_MS,
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
        f"(target <= {TARGET_MS}) -> {'OK' if r['ok'] else 'MISSED'}"
    )
    if r["own_cpu_per_call_ms"] is not None:
        print(
            f"server's own CPU per call beyond the SDK's bare round trip and the vendor request: "
            f"{r['own_cpu_per_call_ms']} ms (target <= {TARGET_OWN_MS}; server {r['server_cpu_per_call_ms']}, "
            f"with metrics {r['metered_cpu_per_call_ms']}, bare SDK {r['bare_cpu_per_call_ms']}, "
            f"direct GET {r['direct_cpu_per_call_ms']})"
        )
    print()
    write("overhead", r)
    return r


if __name__ == "__main__":
    main()
