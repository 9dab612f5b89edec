"""Cold start: spawn to the first tools/list answer over stdio.

`adops-mcp serve --sandbox` against a bare MCPServer with one tool, interleaved runs, medians; the
ratio is what counts (the machine's speed cancels out). Both run under a sitecustomize that
refuses and records any non-loopback connection, and the in-process check counts sandbox requests
made while the server starts and lists its tools. Targets: ratio <= 1.25; zero network calls.
"""

from __future__ import annotations

import os
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
RUNS = int(os.environ.get("ADOPS_BENCH_RUNS", "5"))
TARGET_RATIO = 1.25


async def spawn_to_list(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=args, env=env)
    started = time.perf_counter()
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - started
    return elapsed, len(tools)


async def startup_requests() -> int:
    """In process: vendor requests the sandbox saw while the server was built and listed its tools."""
    from mcp import Client

    from adops_mcp.config import load_settings
    from adops_mcp.sandbox import use_sandbox
    from adops_mcp.server.app import build_server

    settings = load_settings(sandbox=True)
    box, transport = use_sandbox(settings)
    built = build_server(settings, transport=transport, sandbox=box)
    async with Client(built.server) as client:
        await client.list_tools()
    return len(built.sandbox.requests)


async def measure() -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="adops-bench-")
    net_log = Path(data_dir) / "net.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOPS_")}
    env.update(
        {
            "ADOPS_DATA_DIR": data_dir,
            "ADOPS_BENCH_NET_LOG": str(net_log),
            "PYTHONPATH": os.pathsep.join([str(HERE / "netguard"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
    )
    adops_args = ["-m", "adops_mcp", "serve", "--sandbox"]
    bare_args = [str(HERE / "bare_server.py")]
    await spawn_to_list(adops_args, env)  # warm the OS file cache and bytecode for both
    await spawn_to_list(bare_args, env)
    adops, bare = [], []
    adops_tools = bare_tools = 0
    for _ in range(RUNS):
        t, adops_tools = await spawn_to_list(adops_args, env)
        adops.append(t)
        t, bare_tools = await spawn_to_list(bare_args, env)
        bare.append(t)
    network = net_log.read_text().splitlines() if net_log.exists() else []
    os.environ.setdefault("ADOPS_DATA_DIR", data_dir)
    in_process = await startup_requests()
    ratio = median(adops) / median(bare)
    return {
        "runs": RUNS,
        "adops_ms": [round(t * 1000, 1) for t in adops],
        "bare_ms": [round(t * 1000, 1) for t in bare],
        "adops_median_ms": round(median(adops) * 1000, 1),
        "bare_median_ms": round(median(bare) * 1000, 1),
        "adops_tools": adops_tools,
        "bare_tools": bare_tools,
        "ratio": round(ratio, 3),
        "network_calls": network,
        "sandbox_requests_at_startup": in_process,
        "targets": {"ratio": TARGET_RATIO, "network_calls": 0},
        "ok": ratio <= TARGET_RATIO and not network and in_process == 0,
    }


def main() -> dict[str, Any]:
    r = anyio.run(measure)
    print(
        table(
            f"Cold start: spawn to first tools/list answer over stdio (median of {r['runs']})",
            ["server", "tools", "median ms", "runs ms"],
            [
                ["adops-mcp serve --sandbox", r["adops_tools"], r["adops_median_ms"], r["adops_ms"]],
                ["bare MCPServer, 1 tool", r["bare_tools"], r["bare_median_ms"], r["bare_ms"]],
            ],
        )
    )
    print(
        f"ratio {r['ratio']} (target <= {TARGET_RATIO}); non-loopback connections at start-up: "
        f"{len(r['network_calls'])}; sandbox requests at start-up: {r['sandbox_requests_at_startup']} "
        f"-> {'OK' if r['ok'] else 'MISSED'}\n"
    )
    write("cold_start", r)
    return r


if __name__ == "__main__":
    main()
