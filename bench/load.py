"""Load, soak and faults over real HTTP: `python bench/load.py` (bounded, loopback only).

The sandbox (`adops-mcp sandbox`) and the server (`adops-mcp serve --transport http`) each run in a
process of their own on 127.0.0.1; N MCP client sessions call read tools of all four vendors.

- load: for each N in ADOPS_BENCH_SESSIONS (default 10,50), N concurrent sessions make
  ADOPS_BENCH_CALLS_PER_SESSION calls each (default 5): calls/s, errors, latency p50/p95, server CPU per call.
- soak: ADOPS_BENCH_SOAK_S seconds (default 30) at ADOPS_BENCH_RATE calls/s (default 20), sampling the
  server's resident memory and open descriptors every 5 s.
- faults: the vendor stops answering (hang) for 2 s mid-load with ADOPS_TIMEOUT=1, then recovers: errors
  while it hangs are bounded by the budget, calls succeed again afterwards without a restart.

Writes bench/results/load.json; prints tables.
"""

from __future__ import annotations

import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, table, write

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5303}),
    ("joveo_list_clients", {"limit": 1}),
    ("merchenta_get_campaign_creatives_status", {"campaign_code": "SANDBOX1-SPRING-DELIVERING"}),
    ("delta_list_clients", {}),
]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Stack:
    """The sandbox and the server, each in its own process."""

    def __init__(self, **env: str) -> None:
        root = Path(__file__).resolve().parents[1]
        base = {k: v for k, v in os.environ.items() if not k.startswith("ADOPS_")} | {"PYTHONPATH": str(root)}
        self.vendor_port, self.port = _port(), _port()
        self.sandbox = subprocess.Popen(
            [sys.executable, "-m", "adops_mcp", "sandbox", "--port", str(self.vendor_port)],
            env=base,
            stderr=subprocess.PIPE,
            text=True,
        )
        settings = {**base, "ADOPS_DATA_DIR": tempfile.mkdtemp(prefix="adops-load-"), **env}
        assert self.sandbox.stderr is not None
        for line in self.sandbox.stderr:
            if line.startswith("Faults:"):
                break
            if line.strip().startswith("export "):
                settings |= dict(pair.split("=", 1) for pair in shlex.split(line)[1:])
        _wait_port(self.vendor_port)
        self.server = subprocess.Popen(
            [sys.executable, "-m", "adops_mcp", "serve", "--transport", "http", "--port", str(self.port)],
            env=settings,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self) -> float:
        for line in Path(f"/proc/{self.server.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def descriptors(self) -> int:
        return len(os.listdir(f"/proc/{self.server.pid}/fd"))

    async def faults(self, spec: dict[str, Any] | None) -> None:
        import httpx2

        async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{self.vendor_port}") as control:
            if spec is None:
                await control.delete("/_sandbox/faults")
            else:
                await control.post("/_sandbox/faults", json=spec)

    def stop(self) -> None:
        for process in (self.server, self.sandbox):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


async def session(url: str, calls: int, offset: int, out: list[tuple[float, bool]], pause: float = 0.0) -> None:
    from mcp import Client

    async with Client(url) as client:
        for i in range(calls):
            tool, arguments = CALLS[(offset + i) % len(CALLS)]
            started = time.monotonic()
            try:
                result = await client.call_tool(tool, arguments)
                ok = not result.is_error
            except Exception:
                ok = False
            out.append((time.monotonic() - started, ok))
            if pause:
                await anyio.sleep(pause)


def _summary(samples: list[tuple[float, bool]], took: float) -> dict[str, Any]:
    latencies = sorted(s for s, _ in samples)
    return {
        "calls": len(samples),
        "errors": sum(1 for _, ok in samples if not ok),
        "calls_per_s": round(len(samples) / took, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
    }


async def load(stack: Stack, sessions: list[int], per_session: int) -> list[dict[str, Any]]:
    rows = []
    url = f"http://127.0.0.1:{stack.port}/mcp"
    for n in sessions:
        samples: list[tuple[float, bool]] = []
        cpu, started = stack.cpu_seconds(), time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(session, url, per_session, i, samples)
        took = time.monotonic() - started
        cpu_ms = (stack.cpu_seconds() - cpu) * 1000 / max(1, len(samples))
        rows.append({"sessions": n, **_summary(samples, took), "server_cpu_ms_per_call": round(cpu_ms, 2)})
    return rows


async def soak(stack: Stack, seconds: float, rate: float) -> dict[str, Any]:
    url = f"http://127.0.0.1:{stack.port}/mcp"
    samples: list[tuple[float, bool]] = []
    memory: list[tuple[int, float, int]] = []
    workers = 10
    per_worker = max(1, int(seconds * rate / workers))

    async def sample() -> None:
        while True:
            memory.append((int(time.monotonic() - started), round(stack.memory_mb(), 1), stack.descriptors()))
            await anyio.sleep(5)

    started = time.monotonic()
    async with anyio.create_task_group() as tg:
        tg.start_soon(sample)
        async with anyio.create_task_group() as calls:
            for i in range(workers):
                calls.start_soon(session, url, per_worker, i, samples, workers / rate)
        tg.cancel_scope.cancel()
    memory.append((int(time.monotonic() - started), round(stack.memory_mb(), 1), stack.descriptors()))
    return {**_summary(samples, time.monotonic() - started), "samples_s_rss_mb_fds": memory}


async def faults(stack: Stack) -> dict[str, Any]:
    """The vendor hangs for 2 s in the middle of 6 s of load (ADOPS_TIMEOUT=1 on this server), then recovers."""
    url = f"http://127.0.0.1:{stack.port}/mcp"
    phases: dict[str, list[tuple[float, bool]]] = {"before": [], "hanging": [], "after": []}

    async def phase(name: str, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            async with anyio.create_task_group() as tg:
                for i in range(8):
                    tg.start_soon(session, url, 1, i, phases[name])

    await phase("before", 2)
    await stack.faults({"hang": True})
    await phase("hanging", 2)
    await stack.faults(None)
    await phase("after", 2)
    return {name: _summary(samples, 2) for name, samples in phases.items() if samples}


def main() -> dict[str, Any]:
    sessions = [int(n) for n in os.environ.get("ADOPS_BENCH_SESSIONS", "10,50").split(",")]
    per_session = int(os.environ.get("ADOPS_BENCH_CALLS_PER_SESSION", "5"))
    soak_s = float(os.environ.get("ADOPS_BENCH_SOAK_S", "30"))
    rate = float(os.environ.get("ADOPS_BENCH_RATE", "20"))
    result: dict[str, Any] = {"machine": machine()}
    stack = Stack(ADOPS_MAX_CONCURRENCY="32")
    try:
        result["load"] = anyio.run(load, stack, sessions, per_session)
        result["soak"] = anyio.run(soak, stack, soak_s, rate)
    finally:
        stack.stop()
    stack = Stack(ADOPS_TIMEOUT="1")
    try:
        result["faults"] = anyio.run(faults, stack)
    finally:
        stack.stop()
    keys = ["sessions", "calls", "errors", "calls_per_s", "p50_ms", "p95_ms", "max_ms", "server_cpu_ms_per_call"]
    print(table("Load (HTTP, sandbox in its own process)", keys, [[r[k] for k in keys] for r in result["load"]]))
    soak_rows = [[s, m, f] for s, m, f in result["soak"]["samples_s_rss_mb_fds"]]
    print(
        table(
            f"Soak: {result['soak']['calls']} calls, {result['soak']['errors']} errors",
            ["s", "RSS MB", "fds"],
            soak_rows,
        )
    )
    fault_keys = ["calls", "errors", "p50_ms", "max_ms"]
    print(
        table(
            "Vendor hangs 2 s (ADOPS_TIMEOUT=1)",
            ["phase", *fault_keys],
            [[p, *[v[k] for k in fault_keys]] for p, v in result["faults"].items()],
        )
    )
    result["ok"] = (
        all(r["errors"] == 0 for r in result["load"])
        and result["soak"]["errors"] == 0
        and result["faults"]["after"]["errors"] == 0
        and result["faults"]["hanging"]["max_ms"] < 2500
    )
    write("load", result)
    return result


if __name__ == "__main__":
    main()
