"""Cold start: spawn to the first tools/list answer over stdio.

`adops-mcp serve` with all four vendors configured (credentials in the environment, base URLs on
loopback: nothing is called at start-up), on the default surface and with ADOPS_TOOLSETS=all,
against a bare MCPServer with one tool; interleaved runs, medians; the ratio is what counts (the
machine's speed cancels out). `serve --sandbox` is shown too. Every server runs under a
sitecustomize that refuses and records any non-loopback connection, and the in-process check counts
sandbox requests made while the server starts and lists its tools.
Targets: ratio <= 1.15 (default surface), <= 1.25 (all toolsets); zero network calls.
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
TARGETS = {"default": 1.15, "all": 1.25}
# Four configured vendors; loopback base URLs (port 9, discard) so a stray start-up call would fail fast.
VENDORS = {
    "ADOPS_JIVOX_BASE_URL": "http://127.0.0.1:9/jivox",
    "ADOPS_JIVOX_API_KEY": "bench-jivox-key",
    "ADOPS_JOVEO_BASE_URL": "http://127.0.0.1:9/joveo",
    "ADOPS_JOVEO_API_KEY": "bench-joveo-key",
    "ADOPS_JOVEO_CLIENT_ID": "bench-joveo-client",
    "ADOPS_MERCHENTA_BASE_URL": "http://127.0.0.1:9/merchenta",
    "ADOPS_MERCHENTA_USERNAME": "bench-user",
    "ADOPS_MERCHENTA_PASSWORD": "bench-password",
    "ADOPS_MERCHENTA_ADVERTISER": "bench-advertiser",
    "ADOPS_DELTA_BASE_URL": "http://127.0.0.1:9/delta",
    "ADOPS_DELTA_API_KEY": "bench-delta-key",
    "ADOPS_DELTA_MEDIA_AGENCY_ID": "bench-agency",
}


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
    # An installed package runs from compiled bytecode: let the warm-up runs write it (the sandboxes
    # these benches run in often set PYTHONDONTWRITEBYTECODE, which would recompile every spawn).
    base = {k: v for k, v in os.environ.items() if not k.startswith("ADOPS_") and k != "PYTHONDONTWRITEBYTECODE"}
    base.update(
        {
            "ADOPS_DATA_DIR": data_dir,
            "ADOPS_BENCH_NET_LOG": str(net_log),
            "PYTHONPATH": os.pathsep.join([str(HERE / "netguard"), base.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
    )
    serve = ["-m", "adops_mcp", "serve"]
    servers: dict[str, tuple[list[str], dict[str, str]]] = {
        "bare": ([str(HERE / "bare_server.py")], base),
        "default": (serve, {**base, **VENDORS}),
        "all": (serve, {**base, **VENDORS, "ADOPS_TOOLSETS": "all"}),
        "sandbox": ([*serve, "--sandbox"], base),
    }
    for args, env in servers.values():  # warm the OS file cache and write bytecode for each
        await spawn_to_list(args, env)
    times: dict[str, list[float]] = {name: [] for name in servers}
    tools: dict[str, int] = {}
    for _ in range(RUNS):
        for name, (args, env) in servers.items():
            elapsed, tools[name] = await spawn_to_list(args, env)
            times[name].append(elapsed)
    network = net_log.read_text().splitlines() if net_log.exists() else []
    os.environ.setdefault("ADOPS_DATA_DIR", data_dir)
    in_process = await startup_requests()
    medians = {name: median(t) for name, t in times.items()}
    ratios = {name: round(medians[name] / medians["bare"], 3) for name in servers if name != "bare"}
    return {
        "runs": RUNS,
        "ms": {name: [round(t * 1000, 1) for t in ts] for name, ts in times.items()},
        "median_ms": {name: round(m * 1000, 1) for name, m in medians.items()},
        "tools": tools,
        "ratios": ratios,
        "network_calls": network,
        "sandbox_requests_at_startup": in_process,
        "targets": {"ratio": TARGETS, "network_calls": 0},
        "ok": all(ratios[name] <= target for name, target in TARGETS.items()) and not network and in_process == 0,
    }


LABELS = {
    "bare": "bare MCPServer, 1 tool",
    "default": "adops-mcp serve, 4 vendors, default surface",
    "all": "adops-mcp serve, 4 vendors, ADOPS_TOOLSETS=all",
    "sandbox": "adops-mcp serve --sandbox",
}


def main() -> dict[str, Any]:
    r = anyio.run(measure)
    print(
        table(
            f"Cold start: spawn to first tools/list answer over stdio (median of {r['runs']})",
            ["server", "tools", "median ms", "ratio", "target", "runs ms"],
            [
                [
                    LABELS[name],
                    r["tools"][name],
                    r["median_ms"][name],
                    r["ratios"].get(name, 1.0),
                    f"<= {TARGETS[name]}" if name in TARGETS else "-",
                    r["ms"][name],
                ]
                for name in LABELS
            ],
        )
    )
    print(
        f"non-loopback connections at start-up: {len(r['network_calls'])}; sandbox requests at start-up: "
        f"{r['sandbox_requests_at_startup']} -> {'OK' if r['ok'] else 'MISSED'}\n"
    )
    write("cold_start", r)
    return r


if __name__ == "__main__":
    main()
