"""One place that knows every credential, so every error, result and log line can be scrubbed.

Credentials are registered when settings load and when tokens are minted. `scrub` replaces each
one in its raw, URL-encoded (once or twice, `quote` and `quote_plus`), HTML-escaped, hex and base64
forms (standard and URL-safe, at any byte offset, so also inside a longer base64 text such as a
Basic auth header); text that still hides one after URL- or HTML-decoding is replaced by its
scrubbed decoded form. `SecretScrubFilter` applies it to all log records.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import logging
import re
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

REDACTED = "[redacted]"
_MIN_LENGTH = 4  # shorter values would redact ordinary words

ROTATION_KEPT = 2  # an owner's current secret and the one before it (still in flight at a refresh)

_lock = threading.RLock()
_lasting: set[str] = set()  # settings credentials: for the life of the process
_rotating: dict[int, deque[frozenset[str]]] = {}  # id(owner) -> its latest secrets' forms, while it lives
_pattern: re.Pattern[str] | None = None
_stale = False
_gone: list[int] = []  # ids of owners the garbage collector has finalised, dropped under the lock

# Query parameters that carry credentials in vendor URLs (Delta's apikey, Merchenta's login).
_SECRET_QUERY = re.compile(r"(?i)([?&](?:apikey|api_key|password|username|access_token|token)=)[^&#\s\"']*")


_B64_MIN = 8  # shorter base64 fragments would match ordinary words


def _base64_forms(raw: bytes) -> set[str]:
    """The base64 characters that depend only on `raw`, wherever it starts in a longer encoded text."""
    forms = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(encode(raw).decode())  # the whole value, padded
        for offset, skip in ((0, 0), (1, 2), (2, 3)):  # chars mixing in earlier bytes are dropped
            text = encode(bytes(offset) + raw).decode().rstrip("=")
            end = len(text) - (1 if (offset + len(raw)) % 3 else 0)  # the last char may mix in later bytes
            fragment = text[skip:end]
            if len(fragment) >= _B64_MIN:
                forms.add(fragment)
    return forms


def _variants(secret: str) -> set[str]:
    raw = secret.encode()
    once = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    forms = {secret, *once, html.escape(secret), html.escape(secret, quote=False)}
    forms |= {quote(f, safe="") for f in once} | {quote_plus(f) for f in once}  # encoded twice
    hexed = binascii.hexlify(raw).decode()
    forms |= {hexed, hexed.upper()}
    forms |= _base64_forms(raw)
    return {f for f in forms if len(f) >= _MIN_LENGTH}


def register(secret: str | None, owner: object | None = None) -> None:
    """Scrub `secret` from now on: for good, or, with an `owner`, while the owner lives and until
    it has registered ROTATION_KEPT newer ones (a token cache's refreshed tokens, a server's signing
    key), so a long-running process or a test session does not scrub against every token it ever saw."""
    global _stale
    if not secret or len(secret) < _MIN_LENGTH:
        return
    forms = frozenset(_variants(secret))
    with _lock:
        _drop_gone()
        if owner is None:
            if forms <= _lasting:
                return
            _lasting.update(forms)
        else:
            kept = _rotating.get(id(owner))
            if kept is None:
                kept = _rotating[id(owner)] = deque(maxlen=ROTATION_KEPT)
                weakref.finalize(owner, _forget, id(owner))
            if forms in kept:
                return
            kept.append(forms)
        _stale = True


def _forget(owner_id: int) -> None:
    """The owner is gone. This runs from the garbage collector, maybe inside a locked section, so it
    only notes the id (list.append is atomic); `_drop_gone` drops its forms under the lock."""
    global _stale
    _gone.append(owner_id)
    _stale = True


def _drop_gone() -> None:
    while _gone:
        _rotating.pop(_gone.pop(), None)


def _current_pattern() -> re.Pattern[str] | None:
    """One alternation of every form, longest first; rebuilt only after the registry changed."""
    global _pattern, _stale
    if _stale:
        with _lock:
            _stale = False
            _drop_gone()
            forms = set(_lasting).union(*(f for kept in list(_rotating.values()) for f in kept))
            ordered = sorted(forms, key=len, reverse=True)
            _pattern = re.compile("|".join(re.escape(f) for f in ordered)) if ordered else None
    return _pattern


_DECODINGS: tuple[Callable[[str], str], ...] = (unquote, unquote_plus, html.unescape)


def scrub(text: str) -> str:
    text = _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)
    pattern = _current_pattern()
    if pattern is None:
        return text
    text = pattern.sub(REDACTED, text)
    if "%" not in text and "+" not in text and "&" not in text:
        return text  # none of the decodings below would change it
    # An encoding no form covers (entities for every character, mixed escapes, three layers...):
    # decode repeatedly; if a credential appears, the scrubbed decoded text replaces the original.
    for _ in range(3):
        decoded = text
        for decode in _DECODINGS:
            decoded = decode(decoded)
        if decoded == text or not pattern.search(decoded):
            break
        text = pattern.sub(REDACTED, decoded)
    return text


def hide_userinfo(url: str) -> str:
    """`https://user:password@host/x` -> `https://***@host/x`: a base URL as it may be shown."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def register_userinfo(url: str) -> None:
    """Register the user name and password a URL carries (`https://user:password@host`)."""
    parts = urlsplit(url)
    for value in (parts.username, parts.password):
        if value:
            register(unquote(value))
            register(value)


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
        with contextlib.suppress(Exception):  # a malformed record is the logging machinery's to report
            _scrubber.filter(record)
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
