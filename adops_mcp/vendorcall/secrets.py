"""One place that knows every credential, so every error, result and log line can be scrubbed.

Credentials are registered when settings load and when tokens are minted. `scrub` replaces each
one in its raw, URL-encoded and base64 forms; `SecretScrubFilter` applies it to all log records.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
_MIN_LENGTH = 4  # shorter values would redact ordinary words

_lock = threading.Lock()
_forms: set[str] = set()
_pattern: re.Pattern[str] | None = None

# Query parameters that carry credentials in vendor URLs (Delta's apikey, Merchenta's login).
_SECRET_QUERY = re.compile(r"(?i)([?&](?:apikey|api_key|password|username|access_token|token)=)[^&#\s\"']*")


def _variants(secret: str) -> set[str]:
    raw = secret.encode()
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(encode(raw).decode())
        forms.add(encode(raw).decode().rstrip("="))
    return {f for f in forms if len(f) >= _MIN_LENGTH}


def register(secret: str | None) -> None:
    global _pattern
    if not secret or len(secret) < _MIN_LENGTH:
        return
    with _lock:
        new = _variants(secret) - _forms
        if not new:
            return
        _forms.update(new)
        ordered = sorted(_forms, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(f) for f in ordered))


def scrub(text: str) -> str:
    text = _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)
    pattern = _pattern
    return pattern.sub(REDACTED, text) if pattern is not None else text


class SecretScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks can quote URLs and headers: keep the type and a scrubbed message only.
            exc = record.exc_info[1]
            record.msg = f"{record.msg} ({type(exc).__name__}: {scrub(str(exc))})"
            record.exc_info = None
            record.exc_text = None
        return True


_scrubber = SecretScrubFilter()
_factory_installed = False


def _scrubbed_record_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            _scrubber.filter(record)
        except Exception:  # a malformed record is the logging machinery's to report
            pass
        return record

    return factory


def install_log_filter() -> None:
    """Scrub every log record when it is created, so handlers added later (MCPServer's stderr
    handler, uvicorn's) see only scrubbed text; also filter the root logger's current handlers."""
    global _factory_installed
    with _lock:
        if not _factory_installed:
            logging.setLogRecordFactory(_scrubbed_record_factory(logging.getLogRecordFactory()))
            _factory_installed = True
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, SecretScrubFilter) for f in handler.filters):
            handler.addFilter(SecretScrubFilter())
    if not any(isinstance(f, SecretScrubFilter) for f in root.filters):
        root.addFilter(SecretScrubFilter())
