"""The server's one logging set-up: where its lines go (stderr) and their format (ADOPS_LOG_FORMAT).

text (the default) leaves the set-up to the mcp SDK (MCPServer configures the root logger on stderr).
json makes every line the server writes to stderr one JSON object: time, level, logger, message, and
where known the trace and span ids and the running tool call's vendor, tool and audit id. The start-up
line, uvicorn's own lines (`serve_http` hands it no logging config of its own, so they propagate here) and
Python's warnings take the same path.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from ..vendorcall import secrets
from . import telemetry
from .safelog import SafeHandler

STARTUP = logging.getLogger("adops_mcp.serve")
_json = False


class JsonFormatter(logging.Formatter):
    """One JSON object a line; the message is scrubbed of every known credential."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        entry: dict[str, Any] = {
            "time": f"{stamp}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": secrets.scrub(record.getMessage()),
        }
        if record.exc_info and record.exc_info[1] is not None:  # the scrub filter usually folds these in
            entry["error"] = f"{type(record.exc_info[1]).__name__}: {secrets.scrub(str(record.exc_info[1]))}"
        ids = telemetry.trace_ids()
        if ids is not None:
            entry["trace_id"], entry["span_id"] = ids
        call = telemetry.current()
        if call is not None:
            entry["tool"], entry["vendor"] = call.tool, call.vendor
            if call.audit_id is not None:
                entry["audit_id"] = call.audit_id
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(log_format: str) -> None:
    """Set up logging for `adops-mcp serve` before anything logs (ADOPS_LOG_FORMAT, read before the other
    settings so that a configuration error is reported in the chosen format too). Text: nothing to do
    here (the SDK's handler); json: one stderr handler with JsonFormatter on the root logger, which the
    SDK then keeps (logging.basicConfig leaves a configured root logger alone)."""
    global _json
    if log_format.strip().lower() != "json":
        return
    _json = True
    handler = SafeHandler(sys.stderr)  # drops a line it cannot write, never raises (descriptors exhausted)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    STARTUP.setLevel(logging.INFO)  # the start-up lines are shown at any level, as in text mode
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    secrets.install_log_filter()


def set_level(level: str) -> None:
    """ADOPS_LOG_LEVEL (in text mode the SDK sets it)."""
    if _json:
        logging.getLogger().setLevel(level)


def is_json() -> bool:
    return _json


def announce(message: str, *, error: bool = False) -> None:
    """A start-up line (or why the server cannot start): a JSON log line in json mode, else text on stderr."""
    if _json:
        STARTUP.log(logging.ERROR if error else logging.INFO, message.strip())
    else:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
    logging.getLogger("adops_mcp").critical("uncaught %s: %s", kind.__name__, exc)
