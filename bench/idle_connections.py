"""Idle connections against a small descriptor limit (issue 24): `adops-mcp serve --transport http` under
`prlimit --nofile=256:256`, then 300 TCP connections that send nothing, held by this client.

Targets: the server stays up, answers /healthz within 15 s while the client still holds every socket,
closes the idle ones itself (ADOPS_HTTP_HEADER_TIMEOUT, default 10 s; beyond the connection cap they
are answered 503 at once), and a tool call works after. Run twice: a fresh server, and a warm one
(a tool call made before the flood). Knobs: ADOPS_BENCH_IDLE (connections, default 300),
ADOPS_BENCH_NOFILE (descriptor limit, default 256).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import table, write

IDLE = int(os.environ.get("ADOPS_BENCH_IDLE", "300"))
NOFILE = int(os.environ.get("ADOPS_BENCH_NOFILE", "256"))
HEALTH_TARGET_S = 15.0
CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "jivox_list_retail_campaigns", "arguments": {"account_id": "acme-retail", "limit": 2}},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, body: dict[str, Any] | None = None, timeout: float = 3.0) -> tuple[int, str]:
    """One HTTP/1.1 request on a fresh connection (stdlib only): (status, body), or (0, why) when it fails."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if body is None:
            conn.request("GET", path)
        else:
            headers = {
                "content-type": "application/json",
                "accept": "application/json, text/event-stream",
                "mcp-protocol-version": "2025-11-25",
            }
            conn.request("POST", path, json.dumps(body), headers)
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    except OSError as exc:
        return 0, type(exc).__name__
    finally:
        conn.close()


def run_once(warm: bool) -> dict[str, Any]:
    with tempfile.TemporaryFile(mode="w+") as log:
        return _run(warm, log)


def _run(warm: bool, log: Any) -> dict[str, Any]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOPS_")}
    env |= {"ADOPS_SANDBOX": "1", "ADOPS_DATA_DIR": tempfile.mkdtemp(prefix="adops-bench-idle-")}
    command = [f"--nofile={NOFILE}:{NOFILE}", sys.executable, "-m", "adops_mcp", "serve", "--transport", "http"]
    server = subprocess.Popen(["prlimit", *command, "--port", str(port)], env=env, stderr=log, stdout=log)
    held: list[socket.socket] = []
    result: dict[str, Any] = {"warm": warm}
    try:
        deadline = time.monotonic() + 120
        while get(port, "/healthz", timeout=1)[0] != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        if warm:
            result["call_before"] = get(port, "/mcp", CALL)[0]
        started = time.monotonic()
        for _ in range(IDLE):
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break
        result["opened"] = len(held)
        health = None
        while time.monotonic() - started < 60 and server.poll() is None:
            if get(port, "/healthz", timeout=2)[0] == 200:
                health = time.monotonic() - started
                break
            time.sleep(0.25)
        result["healthz_s"] = round(health, 2) if health is not None else None
        closed = refused = 0
        for sock in held:  # has the server closed it (EOF) or refused it (503)? the client still holds it
            sock.settimeout(max(0.1, 20 - (time.monotonic() - started)))
            try:
                data = sock.recv(64)
            except OSError:
                continue
            refused += data.startswith(b"HTTP/1.1 503")
            closed += data == b""
        result["closed_by_server"] = closed
        result["refused_503"] = refused
        result["all_closed_s"] = round(time.monotonic() - started, 2)
        result["server_up"] = server.poll() is None
        status, text = get(port, "/mcp", CALL)
        result["call_after"] = status == 200 and '"isError":false' in text.replace(" ", "")
    finally:
        for sock in held:
            sock.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.seek(0)
        lines = log.read().splitlines()
        result["exit_code"] = server.returncode
        result["log_lines"] = len(lines)
        result["tracebacks"] = sum("Traceback" in line for line in lines)
    result["ok"] = bool(
        result.get("server_up")
        and result.get("healthz_s") is not None
        and result["healthz_s"] <= HEALTH_TARGET_S
        and result.get("closed_by_server", 0) + result.get("refused_503", 0) == result.get("opened")
        and result.get("call_after")
        and result["tracebacks"] == 0
    )
    return result


def main() -> dict[str, Any]:
    if shutil.which("prlimit") is None:
        print("idle_connections: needs prlimit (util-linux); skipped\n")
        return {"ok": False, "skipped": "prlimit not found"}
    runs = [run_once(warm=False), run_once(warm=True)]
    keys = ["opened", "healthz_s", "closed_by_server", "refused_503", "all_closed_s", "server_up", "call_after"]
    keys += ["log_lines", "tracebacks"]
    print(
        table(
            f"{IDLE} idle connections, descriptor limit {NOFILE} (target: /healthz within {HEALTH_TARGET_S:g} s)",
            ["server", *keys, "ok"],
            [["warm" if r["warm"] else "fresh", *[r.get(k) for k in keys], r["ok"]] for r in runs],
        )
    )
    print()
    data = {"idle": IDLE, "nofile": NOFILE, "runs": runs, "ok": all(r["ok"] for r in runs)}
    write("idle_connections", data)
    return data


if __name__ == "__main__":
    main()
