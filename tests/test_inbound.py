"""Oversized, over-deep and unreadable messages are refused cheaply with a JSON-RPC error, never silence:
in process (both protocol eras), over stdio (a real subprocess, raw lines) and over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from adops_mcp.server.inbound import MAX_DEPTH, MAX_ITEMS, request_id, shape_problem
from tests.harness import connect
from tests.test_http_serving import serving

pytestmark = pytest.mark.anyio

LIST = ("jivox_list_retail_campaigns", {"account_id": "acme-retail", "limit": 2})
WIDE = {"account_id": "acme-retail", **{f"k{i:05d}": i for i in range(60_000)}}


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth - 1):
        value = [value]
    return value


def test_shape_limits() -> None:
    assert shape_problem({"a": nested(MAX_DEPTH)}) is None  # the object and 31 lists: 32 levels
    assert "nested more than 32" in (shape_problem({"a": nested(MAX_DEPTH + 1)}) or "")
    assert shape_problem({"ids": list(range(MAX_ITEMS - 1))}) is None
    assert "10,000 keys and list items" in (shape_problem({"ids": list(range(MAX_ITEMS))}) or "")
    assert "MiB of text" in (shape_problem({"a": "x" * (5 * 1_048_576)}) or "")
    assert (
        shape_problem({"changes": [{"name": "t", "arguments": {"placements": [{"budget": {"monthly": 1}}]}}]}) is None
    )


def test_shape_check_is_cheap_on_what_it_refuses() -> None:
    started = time.perf_counter()
    assert shape_problem(WIDE) is not None
    assert time.perf_counter() - started < 0.05


def test_request_id_found_at_the_top_level_only() -> None:
    deep = "[" * 20_000 + "]" * 20_000
    assert request_id('{"jsonrpc":"2.0","method":"m","params":{"id":9,"a":' + deep + '},"id":"abc"}') == "abc"
    assert request_id('{"id": 7, "params": ' + deep + "}") == 7
    assert request_id('{"method": "id", "params": {"id": 3}}') is None
    assert request_id("not json at all") is None


async def test_oversized_arguments_are_a_json_rpc_error_before_validation(mode: str) -> None:
    async with connect(mode=mode) as h:
        for arguments, words in ((WIDE, "more than 10,000 keys"), ({"account_id": nested(40)}, "nested more than")):
            started = time.perf_counter()
            with pytest.raises(MCPError) as refused:
                await h.client.call_tool(LIST[0], arguments)
            assert refused.value.error.code == -32602 and words in refused.value.error.message
            assert "nothing was sent" in refused.value.error.message
            assert time.perf_counter() - started < 2.0
        with pytest.raises(MCPError) as refused:
            await h.client.get_prompt("troubleshoot_campaign", {f"k{i}": "v" for i in range(20_000)})
        assert refused.value.error.code == -32602
        assert not (await h.call(*LIST)).is_error  # the server is fine afterwards
        assert h.requests("jivox") != []


async def test_oversized_arguments_over_http_answer_the_request_id() -> None:
    call = {"jsonrpc": "2.0", "id": 41, "method": "tools/call", "params": {"name": LIST[0], "arguments": WIDE}}
    headers = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"}
    async with serving() as (url, built), httpx2.AsyncClient() as http:
        answer = await http.post(url + "/mcp", json=call, headers=headers)
        data = json.loads(answer.text.split("data: ", 1)[1]) if "data: " in answer.text else answer.json()
        assert data["id"] == 41 and data["error"]["code"] == -32602, data
        assert not built.sandbox.vendor_requests("jivox")


def test_stdio_answers_every_unreadable_line_and_keeps_serving(tmp_path: Any) -> None:
    """20,000-deep JSON used to get no answer at all over stdio (the SDK drops what it cannot parse)."""
    too_deep = "[" * 20_000 + "]" * 20_000
    deep = '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"' + LIST[0] + '","arguments":'
    deep += '{"account_id":' + too_deep + "}}}"
    lines = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        deep,
        "this is not json",
        {"jsonrpc": "2.0", "id": 4, "method": 12},
        {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": LIST[0], "arguments": WIDE}},
        {"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": LIST[0], "arguments": LIST[1]}},
    ]
    env = {**os.environ, "ADOPS_SANDBOX": "1", "ADOPS_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "adops_mcp", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stdin is not None and server.stdout is not None
    by_id: dict[Any, Any] = {}
    watchdog = threading.Timer(90, server.kill)  # an unanswered line would otherwise wait forever
    watchdog.start()
    try:
        for line in lines:
            server.stdin.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
        server.stdin.flush()
        while 6 not in by_id:  # the last call answers last; every line before it is answered by then
            answer = json.loads(server.stdout.readline())
            by_id[answer.get("id")] = answer
    finally:
        watchdog.cancel()
        server.stdin.close()
        stderr = server.stderr.read() if server.stderr else ""
        server.wait(timeout=60)
    assert by_id[3]["error"]["code"] == -32700 and "nested too deeply" in by_id[3]["error"]["message"]
    assert by_id[None]["error"]["code"] == -32700  # no id to be found: null, as JSON-RPC says
    assert by_id[4]["error"]["code"] == -32600
    assert by_id[5]["error"]["code"] == -32602 and "10,000 keys" in by_id[5]["error"]["message"]
    assert by_id[6]["result"]["isError"] is False
    assert "Traceback" not in stderr
