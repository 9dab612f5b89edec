"""Traces, JSON logs and metrics of a real `adops-mcp serve` process, as an operator would run it.

The server runs as its own process (tracing is process-wide) with canary credentials for every vendor
against simulators served over HTTP, OTLP/HTTP export to a local receiver (decoded with
opentelemetry-proto), ADOPS_LOG_FORMAT=json and a metrics token. Checked: the tool span and its vendor
request spans, every stderr line a JSON object carrying trace ids and the tool's context, and no
credential (raw, URL-encoded, base64) in the spans, the logs or the metrics.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import uvicorn
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from prometheus_client.parser import text_string_to_metric_families

from adops_mcp.config import VENDOR_SETTINGS
from adops_mcp.sandbox import Sandbox
from adops_mcp.tools import index
from tests.security.conftest import CANARIES, canary_simulators, leaks
from tests.test_http_serving import free_port, mcp_client

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]
METRICS_TOKEN = "metrics-token-2b7e9d4c1a6f3e8b"
READS = [
    ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5303}),
    ("joveo_list_clients", {}),
    ("merchenta_get_campaign_creatives_status", {"campaign_code": "SANDBOX1-SPRING-DELIVERING"}),
    ("delta_list_clients", {}),
]
MISSING = ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 999999})
ACTIVATE = ("jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7101})
SECRETS = [value for creds in CANARIES.values() for value in creds.values()] + [METRICS_TOKEN]


class Receiver(BaseHTTPRequestHandler):
    """A minimal OTLP/HTTP trace receiver: keeps each POST /v1/traces body."""

    bodies: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/v1/traces":
            self.bodies.append(body)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def otlp_receiver() -> Iterator[tuple[str, list[bytes]]]:
    bodies: list[bytes] = []
    handler = type("Handler", (Receiver,), {"bodies": bodies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def canary_vendors() -> Iterator[dict[str, str]]:
    """The four simulators (canary credentials) over HTTP, and the ADOPS_* settings that point at them."""
    box = Sandbox(canary_simulators())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(box.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.02)
    env = {}
    for cls in VENDOR_SETTINGS:
        prefix = cls.model_config.get("env_prefix", "")
        env[f"{prefix}BASE_URL"] = f"http://127.0.0.1:{port}/{cls.vendor}"
        env |= {f"{prefix}{key}": value for key, value in box.simulators[cls.vendor].credentials.items()}
    try:
        yield env
    finally:
        server.should_exit = True
        thread.join(5)


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADOPS_", "OTEL_"))}
    return env | {"PYTHONPATH": str(ROOT), "ADOPS_DATA_DIR": str(tmp_path / "data"), **extra}


def spans_of(bodies: list[bytes]) -> list[Any]:
    spans = []
    for body in bodies:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                spans += list(scope.spans)
    return spans


def attributes(span: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in span.attributes:
        which = kv.value.WhichOneof("value")
        out[kv.key] = getattr(kv.value, which) if which else None
    return out


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"a stderr line is not one JSON object: {line[:200]!r}")
    assert all(isinstance(entry, dict) for entry in parsed)
    return parsed


async def test_http_server_exports_spans_json_logs_and_metrics_without_a_credential(tmp_path: Path) -> None:
    port = free_port()
    with otlp_receiver() as (endpoint, bodies), canary_vendors() as vendors:
        env = environment(
            tmp_path,
            **vendors,
            ADOPS_METRICS_TOKEN=METRICS_TOKEN,
            ADOPS_LOG_FORMAT="json",
            ADOPS_LOG_LEVEL="INFO",
            ADOPS_RETRY_WAIT="0",
            ADOPS_TOOLSETS="all",
            OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
            OTEL_BSP_SCHEDULE_DELAY="50",
        )
        stderr = (tmp_path / "stderr").open("w+")
        server = subprocess.Popen(  # noqa: ASYNC220 - it runs beside the loop, which polls its health
            [sys.executable, "-m", "adops_mcp", "serve", "--transport", "http", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            with anyio.fail_after(60):
                while server.poll() is None:
                    try:
                        async with httpx2.AsyncClient() as http:
                            if (await http.get(url + "/healthz")).status_code == 200:
                                break
                    except httpx2.TransportError:
                        await anyio.sleep(0.1)
            assert server.poll() is None, (tmp_path / "stderr").read_text()
            async with mcp_client(url, token=None) as client:
                for tool, arguments in READS:
                    assert not (await client.call_tool(tool, arguments)).is_error, tool
                assert (await client.call_tool(*MISSING)).is_error
                planned = await client.call_tool(*ACTIVATE)
                assert planned.structured_content["status"] == "confirmation_required"  # type: ignore[index]
                token = planned.structured_content["confirmation_token"]  # type: ignore[index]
                done = await client.call_tool("confirm_action", {"confirmation_token": token})
                assert done.structured_content["status"] == "done"  # type: ignore[index]
                audit_id = done.structured_content["audit_id"]  # type: ignore[index]
            async with httpx2.AsyncClient() as http:
                scraped = await http.get(url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
            assert scraped.status_code == 200
            with socket.create_connection(("127.0.0.1", port)) as raw:  # uvicorn logs this one itself
                raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
                raw.recv(1024)
        finally:
            server.terminate()
            stdout, _ = server.communicate(timeout=30)
    logs = (tmp_path / "stderr").read_text()
    assert server.returncode in (0, -15), logs  # uvicorn ends by re-raising the SIGTERM it handled
    assert stdout == b""

    # Metrics: parsed by Prometheus's parser, every vendor counted, no credential.
    families = {f.name: f for f in text_string_to_metric_families(scraped.text)}
    counted = {s.labels["vendor"] for s in families["adops_vendor_requests"].samples if s.name.endswith("_total")}
    assert counted == {"jivox", "joveo", "merchenta", "deltaprojects"}

    # Spans: the SDK's span per MCP request > the tool span > a span per vendor HTTP request.
    spans = spans_of(bodies)
    by_id = {span.span_id: span for span in spans}
    tool_spans = [s for s in spans if s.name.startswith("tool ")]
    for tool, _ in READS:
        span = next(s for s in tool_spans if attributes(s)["adops.tool"] == tool)  # the first: answered
        found = attributes(span)
        assert found["adops.vendor"] == index.summaries()[tool].vendor
        assert (found["adops.effect"], found["adops.outcome"]) == ("read", "ok")
        assert span.name == f"tool {tool}"
        assert by_id[span.parent_span_id].name == f"tools/call {tool}"  # the mcp SDK's span
        children = [s for s in spans if s.parent_span_id == span.span_id]
        assert children, f"no vendor request span under {tool}"
        for child in children:
            request = attributes(child)
            assert request["adops.vendor"] == found["adops.vendor"]
            assert request["http.request.method"] in {"GET", "POST"}
            assert request["url.template"].startswith("/") and "?" not in request["url.template"]
            assert request["adops.attempt"] >= 1
            assert child.name == f"{request['http.request.method']} {request['url.template']}"
            assert 200 <= request["http.response.status_code"] < 300
    jivox = [attributes(s) for s in spans if attributes(s).get("url.template", "").startswith("/v2/accounts/{")]
    assert any(a.get("http.response.status_code") == 404 for a in jivox)  # the failing call's request
    failed = [attributes(s) for s in spans if attributes(s).get("adops.outcome") == "error"]
    assert [a["adops.tool"] for a in failed] == [MISSING[0]]
    planned_span, done_span = (attributes(s) for s in tool_spans if s.name == f"tool {ACTIVATE[0]}")
    assert (planned_span["adops.outcome"], planned_span["adops.effect"]) == ("confirmation_required", "destructive")
    assert "adops.audit_id" not in planned_span  # nothing was recorded: nothing was sent
    assert (done_span["adops.outcome"], done_span["adops.audit_id"]) == ("ok", audit_id)  # through confirm_action

    # Logs: every stderr line one JSON object; vendor request lines carry the trace and the tool.
    entries = json_lines(logs)
    assert any("listening on" in e["message"] and e["logger"] == "adops_mcp.serve" for e in entries)
    assert any(e["logger"].startswith("uvicorn") and e["level"] == "WARNING" for e in entries)  # uvicorn's own
    requests = [e for e in entries if e["logger"] == "adops_mcp.http"]
    assert requests and all({"time", "level", "trace_id", "span_id", "tool", "vendor"} <= set(e) for e in requests)
    assert {e["trace_id"] for e in requests} <= {s.trace_id.hex() for s in spans}
    write = [e for e in requests if re.fullmatch(r"jivox POST \S+/activate -> 200", e["message"])]
    assert [(e["tool"], e.get("audit_id")) for e in write] == [(ACTIVATE[0], audit_id)]

    # No credential, raw or encoded, in the spans, the logs or the metrics.
    exported = b"".join(bodies).decode("latin-1") + "".join(str(s) for s in spans)
    for where, text in {"spans": exported, "logs": logs, "metrics": scraped.text}.items():
        assert leaks(text, SECRETS) == [], where
    assert "apikey" not in exported.lower() and "password" not in exported.lower()  # no query string at all


async def test_stdio_keeps_stdout_for_mcp_with_console_spans_and_json_logs(tmp_path: Path) -> None:
    """Over stdio the console exporter and every log line go to stderr, one JSON object a line."""
    env = environment(
        tmp_path,
        ADOPS_LOG_FORMAT="json",
        ADOPS_LOG_LEVEL="INFO",
        OTEL_TRACES_EXPORTER="console",
        ADOPS_TOOLSETS="all",  # jivox_get_retail_campaign is listed (not on the default surface)
    )
    params = StdioServerParameters(command=sys.executable, args=["-m", "adops_mcp", "serve", "--sandbox"], env=env)
    with (tmp_path / "stderr").open("w+") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:  # stdout carries only JSON-RPC
            assert not (await client.call_tool(*READS[0])).is_error
            assert (await client.call_tool(*MISSING)).is_error
    entries = json_lines((tmp_path / "stderr").read_text())
    spans = [e for e in entries if "context" in e and "name" in e]  # the console exporter's spans
    names = {s["name"] for s in spans}
    assert f"tool {READS[0][0]}" in names and f"tools/call {READS[0][0]}" in names
    assert "GET /v2/accounts/{accountId}/retail-campaigns/{retailCampaignIdx}" in names
    logged = [e for e in entries if e.get("logger") == "adops_mcp.http"]
    assert logged and all(e["tool"] == READS[0][0] and e["vendor"] == "jivox" for e in logged)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER: zipkin is not supported"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "OTLP over HTTP"),
        ({"ADOPS_METRICS_TOKEN": "short"}, "ADOPS_METRICS_TOKEN"),
    ],
)
def test_a_bad_setting_is_one_json_error_line(tmp_path: Path, env: dict[str, str], says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "adops_mcp", "serve", "--sandbox"],
        env=environment(tmp_path, ADOPS_LOG_FORMAT="json", **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    entries = json_lines(done.stderr)
    assert len(entries) == 1 and entries[0]["level"] == "ERROR" and says in entries[0]["message"]
