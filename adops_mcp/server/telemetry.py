"""What operators watch: metrics, trace spans and the log context of every tool call and vendor request.

`Telemetry` is the small interface the server calls (`tool_call`, `exchange`, `confirmation`); each part is
off unless configured, and with all of them off a tool call costs one context variable:
- metrics with ADOPS_METRICS_TOKEN (server/metrics.py; prometheus_client is imported only then);
- traces with the standard OTEL_* variables (`tracing`; the `otel` extra): a span per tool call and a child
  span per vendor HTTP request. The global tracer provider set here also turns on the mcp SDK's own span
  per MCP request, which the tool span sits in.
Labels and span attributes are bounded names (tools, vendors, effects, outcomes, status classes, path
templates) and audit ids: never an argument value, a query string, a body or a header.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import httpx2

from .. import __version__
from ..config import ConfigError, Settings
from ..vendorcall import secrets

if TYPE_CHECKING:
    from ..vendorcall.observe import Exchange
    from ..vendorcall.operation import Operation, Summary
    from .metrics import Metrics

# A write's result status -> the tool call's outcome (a read that answers is "ok").
WRITE_OUTCOMES = {
    "done": "ok",
    "unchanged": "unchanged",
    "confirmation_required": "confirmation_required",
    "pending_approval": "pending_approval",
    "declined": "declined",
}
FAILED = ("error", "invalid", "unknown")


@dataclass
class ToolCall:
    """One tool call as telemetry and the logs see it. `tool` is the operation it ran (a call through
    adops_call_tool or confirm_action counts as the tool it runs), else the server's own tool's name."""

    tool: str
    vendor: str = "adops"  # the server's own tools
    effect: str = ""
    audit_id: int | None = None
    outcome: str = "ok"
    confirmation: str | None = None  # counted for this call (metrics.CONFIRMATIONS)
    called: str = ""  # the MCP tool name the client called

    def settle(self, result: Any) -> None:
        """The outcome a write's result reports; a read that answers is ok."""
        if getattr(result, "is_error", False):
            self.outcome = "error"
            return
        if getattr(result, "input_requests", None):  # the SDK asks for a form's answer (stateless HTTP);
            self.outcome = "input_required"  # the client calls again with it, a call of its own
            return
        content = getattr(result, "structured_content", None)
        if self.effect not in ("", "read") and isinstance(content, dict):
            self.outcome = WRITE_OUTCOMES.get(str(content.get("status")), "ok")

    def failed(self, exc: BaseException) -> None:
        if self.outcome != "unknown":  # the runtime said a write's outcome is unknown: keep it
            self.outcome = "invalid" if str(exc).startswith("Invalid arguments") else "error"


_current: ContextVar[ToolCall | None] = ContextVar("adops_telemetry_call", default=None)
_NO_SPAN = nullcontext(None)  # reusable: what a span is when traces are off


def current() -> ToolCall | None:
    """The tool call running in this context, if any (log lines name its vendor, tool and audit id)."""
    return _current.get()


def note_operation(op: Summary | Operation) -> None:
    """The operation the running tool call runs (Runtime.call)."""
    record = _current.get()
    if record is not None:
        record.tool, record.vendor, record.effect = op.name, op.vendor, op.effect


def note_audit(audit_id: int, outcome: str | None = None) -> None:
    """The running call's audit record, and its write's outcome when it is not known ("unknown")."""
    record = _current.get()
    if record is not None:
        record.audit_id = audit_id
        if outcome == "unknown":
            record.outcome = outcome


@dataclass
class Telemetry:
    metrics: Metrics | None = None
    tracer: Any = None  # an OpenTelemetry Tracer when OTEL_* asks for traces
    _trace: Any = field(default=None, repr=False)  # the opentelemetry.trace module then

    @classmethod
    def from_settings(cls, settings: Settings) -> Telemetry:
        metrics = None
        if settings.metrics_token is not None:
            from .metrics import Metrics

            metrics = Metrics()
        tracer = tracing(os.environ)
        if tracer is None:
            return cls(metrics)
        from opentelemetry import trace

        return cls(metrics, tracer, trace)

    @property
    def observer(self) -> Telemetry | None:
        """What vendor clients report each HTTP request to (None: nothing watches)."""
        return self if self.metrics is not None or self.tracer is not None else None

    def _span(self, name: str, kind: str, attributes: dict[str, Any]) -> Any:
        if self.tracer is None:
            return _NO_SPAN
        return self.tracer.start_as_current_span(
            name,
            kind=getattr(self._trace.SpanKind, kind),
            attributes=attributes,
            record_exception=False,  # an exception's text may quote arguments or vendor text
            set_status_on_exception=False,
        )

    @contextmanager
    def tool_call(self, name: str, op: Summary | None = None) -> Iterator[ToolCall]:
        """One MCP tool call (AdopsServer.call_tool): counted, timed and traced once it ends."""
        record = ToolCall(tool=name, called=name)
        if op is not None:  # a vendor tool: its vendor even when its arguments are refused before it runs
            record.vendor, record.effect = op.vendor, op.effect
        token = _current.set(record)
        started = time.perf_counter()
        try:
            with self._span(f"tool {name}", "INTERNAL", {"gen_ai.tool.name": name}) as span:
                try:
                    yield record
                except BaseException as exc:
                    record.failed(exc)
                    raise
                finally:
                    if span is not None:
                        self._end_tool_span(span, record)
        finally:
            _current.reset(token)
            if record.called == "confirm_action" and record.confirmation is None and record.outcome in FAILED:
                self.confirmation("refused")  # a token refused before anything was performed
            if self.metrics is not None:
                self.metrics.tool_call(record.tool, record.vendor, record.outcome, time.perf_counter() - started)

    def _end_tool_span(self, span: Any, record: ToolCall) -> None:
        span.update_name(f"tool {record.tool}")
        attributes: dict[str, Any] = {
            "gen_ai.tool.name": record.tool,
            "adops.tool": record.tool,
            "adops.vendor": record.vendor,
            "adops.outcome": record.outcome,
        }
        if record.effect:
            attributes["adops.effect"] = record.effect
        if record.audit_id is not None:
            attributes["adops.audit_id"] = record.audit_id
        span.set_attributes(attributes)
        if record.outcome in FAILED:
            span.set_attribute("error.type", record.outcome)
            span.set_status(self._trace.StatusCode.ERROR)

    @contextmanager
    def exchange(self, exchange: Exchange) -> Iterator[None]:
        """One HTTP request to a vendor (VendorClient's Observer): counted by status class, timed, traced."""
        started = time.perf_counter()
        attributes = {
            "http.request.method": exchange.method,
            "url.template": exchange.template,
            "adops.vendor": exchange.vendor,
            "adops.attempt": exchange.attempt,
        }
        if exchange.attempt > 1:
            attributes["http.request.resend_count"] = exchange.attempt - 1
        failure: BaseException | None = None
        with self._span(f"{exchange.method} {exchange.template}", "CLIENT", attributes) as span:
            try:
                yield
            except BaseException as exc:
                failure = exc
                raise
            finally:
                status = status_class(exchange.status, failure)
                if span is not None:
                    if exchange.status is not None:
                        span.set_attribute("http.response.status_code", exchange.status)
                    if status not in ("2xx", "3xx"):
                        span.set_attribute("error.type", str(exchange.status or status))
                        span.set_status(self._trace.StatusCode.ERROR)
                if self.metrics is not None:
                    self.metrics.vendor_request(exchange.vendor, status, time.perf_counter() - started)

    def confirmation(self, result: str) -> None:
        """A confirmation's outcome (metrics.CONFIRMATIONS), from server/confirmation.py."""
        record = _current.get()
        if record is not None:
            record.confirmation = result
        if self.metrics is not None:
            self.metrics.confirmations.labels(result).inc()


def trace_ids() -> tuple[str, str] | None:
    """The current trace and span ids (hex) while traces are on, for log lines."""
    trace = _tracers.get("trace")
    if trace is None:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


def status_class(status: int | None, failure: BaseException | None) -> str:
    """2xx/3xx/4xx/5xx for an answer; timeout or error when none came."""
    if status is not None:
        return f"{status // 100}xx"
    timed_out = (httpx2.TimeoutException, TimeoutError, anyio.get_cancelled_exc_class())
    return "timeout" if isinstance(failure, timed_out) else "error"


def flush_traces(timeout: float = 5.0) -> None:
    """Export the spans still buffered (at shutdown), waiting at most `timeout` seconds."""
    provider = _tracers.get("provider")
    if provider is not None:
        provider.force_flush(int(timeout * 1000))


# -- traces from the standard OTEL_* variables -------------------------------------------------------------

EXPORTERS = ("otlp", "console", "none")
_tracers: dict[str, Any] = {}  # one tracer provider per process: the global one


def trace_exporters(environ: Mapping[str, str]) -> list[str]:
    """The span exporters the environment asks for: OTEL_TRACES_EXPORTER, else otlp when an OTLP endpoint
    is set; none when OTEL_SDK_DISABLED=true or nothing is set (traces are off by default)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [n.strip().lower() for n in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    if not names and (environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        names = ["otlp"]
    unknown = [n for n in names if n not in EXPORTERS]
    if unknown:
        raise ConfigError(
            f"OTEL_TRACES_EXPORTER: {', '.join(unknown)} is not supported here; use otlp (OTLP over HTTP), "
            "console (spans on stderr) or none."
        )
    return [n for n in names if n != "none"]


def tracing(environ: Mapping[str, str]) -> Any:
    """The tracer for adops-mcp's spans when the environment asks for traces, else None.

    Sets the global tracer provider once per process (the mcp SDK's spans use it too). The OTLP exporter,
    the batch processor and the sampler read their own OTEL_* variables (endpoint, headers, timeout,
    OTEL_BSP_*, OTEL_TRACES_SAMPLER); console output goes to stderr, never stdout (the stdio transport)."""
    if "tracer" in _tracers:
        return _tracers["tracer"]
    names = trace_exporters(environ)
    if not names:
        return None
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    if "otlp" in names and (protocol or "http/protobuf").strip() != "http/protobuf":
        raise ConfigError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: adops-mcp sends OTLP over HTTP (http/protobuf); point "
            "OTEL_EXPORTER_OTLP_ENDPOINT at the collector's OTLP/HTTP port (usually 4318)."
        )
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
    except ImportError as exc:
        raise ConfigError(
            f"OTEL_* asks for traces ({', '.join(names)}) but the OpenTelemetry SDK is not installed "
            f"({exc.name} is missing): pip install 'adops-mcp[otel]'."
        ) from None
    for variable in ("OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"):
        for header in environ.get(variable, "").split(","):  # a collector's API key: never in a log line
            secrets.register(header.partition("=")[2].strip())
    resource = Resource.create({"service.version": __version__})
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource.create({"service.name": "adops-mcp"}))
    provider = TracerProvider(resource=resource)
    if "otlp" in names:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if "console" in names:
        one_line = ConsoleSpanExporter(out=sys.stderr, formatter=lambda span: span.to_json(indent=None) + "\n")
        provider.add_span_processor(SimpleSpanProcessor(one_line))
    trace.set_tracer_provider(provider)
    _tracers["trace"], _tracers["provider"] = trace, provider
    _tracers["tracer"] = provider.get_tracer("adops_mcp", __version__)
    return _tracers["tracer"]
