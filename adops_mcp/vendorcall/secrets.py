"""One place that knows every credential, so every error, result and log line can be scrubbed.

Credentials are registered when settings load and when tokens are minted. `scrub` matches every
registered secret in the spellings a vendor echo or a hostile payload uses:
- literal forms, matched as they are: raw, URL-encoded (once or twice, `quote` and `quote_plus`),
  HTML-escaped, hex, base64 and base32 (standard and URL-safe, upper and lower case, at any byte
  offset, so also inside a longer encoded text such as a Basic auth header);
- escapes, by normalising first: `\\uNNNN`, `\\xNN`, `\\/` and `\\"` at any JSON depth, percent-encoding
  at any depth, HTML entities (numeric or named, escaped again or not); text that hides a secret once
  decoded is replaced by its scrubbed decoded form;
- hex with any separator (`63:44:6c`, `0x63, 0x44`, `\\x63\\x44`): a run of hex pairs that spells a
  secret is replaced whole.
A secret split over several fields of one answer is found by `split_across` (sanitize.clean uses it).
`SecretScrubFilter` applies `scrub` to all log records.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import contextlib
import html
import itertools
import logging
import math
import re
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit

REDACTED = "[redacted]"
_MIN_LENGTH = 4  # shorter values would redact ordinary words

ROTATION_KEPT = 2  # an owner's current secret and the one before it (still in flight at a refresh)

_lock = threading.RLock()
_lasting: set[str] = set()  # settings credentials: for the life of the process
_rotating: dict[int, deque[frozenset[str]]] = {}  # id(owner) -> its latest secrets' forms, while it lives
_pattern: re.Pattern[str] | None = None
_forms: tuple[str, ...] = ()
_hex_pattern: re.Pattern[str] | None = None  # the lower-case hex forms, for hex runs with separators
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


def _base32_forms(raw: bytes) -> set[str]:
    """Like `_base64_forms` for base32 (5 bytes -> 8 characters), upper and lower case."""
    forms = set()
    for offset in range(5):
        text = base64.b32encode(bytes(offset) + raw).decode().rstrip("=")
        skip = -(-offset * 8 // 5)  # characters holding any bit of the earlier bytes
        end = len(text) - (1 if (offset + len(raw)) * 8 % 5 else 0)
        fragment = text[skip:end]
        if len(fragment) >= _B64_MIN:
            forms |= {fragment, fragment.lower()}
    return forms


def _variants(secret: str) -> set[str]:
    raw = secret.encode()
    once = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    forms = {secret, *once, html.escape(secret), html.escape(secret, quote=False)}
    forms |= {quote(f, safe="") for f in once} | {quote_plus(f) for f in once}  # encoded twice
    hexed = binascii.hexlify(raw).decode()
    forms |= {hexed, hexed.upper()}
    forms |= _base64_forms(raw) | _base32_forms(raw)
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
    global _pattern, _hex_pattern, _forms, _stale
    if _stale:
        with _lock:
            _stale = False
            _drop_gone()
            forms = set(_lasting).union(*(f for kept in list(_rotating.values()) for f in kept))
            ordered = sorted(forms, key=len, reverse=True)
            _forms = tuple(ordered)
            _pattern = re.compile("|".join(re.escape(f) for f in ordered)) if ordered else None
            hexes = [f for f in ordered if _HEX_FORM.fullmatch(f)]
            _hex_pattern = re.compile("|".join(hexes)) if hexes else None
    return _pattern


# One escaped character, at any depth: JSON/Python escapes (a run of backslashes before u, x, / or "),
# percent-encoding (%41, %2541, ...) and HTML entities (&#65; &#x41; &sol; and &amp;-escaped ones). Three
# patterns, each starting with its own literal, scan far faster than one alternation.
_ESCAPES = (
    re.compile(r"\\+(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([/\"]))"),
    re.compile(r"%(?:25)*([0-9a-fA-F]{2})"),
    re.compile(r"&(?:amp;)*(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"),
)
_ESCAPED = re.compile(r"[\\%&]")  # text without these has no escape to decode
# At least 4 hex pairs (each maybe 0x-prefixed) with 1 to 3 separator characters between them (`63:44`,
# `0x63, 0x44`); contiguous hex is a literal form, and `\\x63\\x44` is decoded with the escapes.
_HEX_RUN = re.compile(r"[0-9a-fA-F]{2}(?:[^0-9A-Za-z]{1,3}(?:0[xX])?[0-9a-fA-F]{2}){3,}")  # no look-behind: 10x faster
_HEX_PAIRS = re.compile(r"(?:0[xX])?([0-9a-fA-F]{2})")
_SEPARATORS = "".join(chr(c) for c in range(128) if not chr(c).isalnum())
_HEX_FORM = re.compile(r"(?:[0-9a-f]{2})+")


def _code(value: str) -> str | None:
    code = int(value, 16)
    return None if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone surrogate is not a character to match


def _backslash(match: re.Match[str]) -> str:
    code, byte, char = match.groups()
    return char or _code(code or byte) or match.group(0)


def _percent(match: re.Match[str]) -> str:
    return _code(match.group(1)) or match.group(0)


def _entity(match: re.Match[str]) -> str:
    entity = f"&{match.group(1)};"
    decoded = html.unescape(entity)
    return match.group(0) if decoded == entity else decoded  # an unknown name stays as it is


_DECODERS = tuple(zip(_ESCAPES, (_backslash, _percent, _entity), strict=True))


def _decodings(text: str) -> Iterator[tuple[str, set[str]]]:
    """`text` with every escape decoded, one round after another (mixed layers, at most four), with the
    characters the decoding produced so far: a secret that only decoding shows contains one of them."""
    produced: set[str] = set()

    def noting(decode: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        def run(match: re.Match[str]) -> str:
            out = decode(match)
            if out != match.group(0):
                produced.add(out)
            return out

        return run

    for _ in range(4):
        decoded = text
        for pattern, decode in _DECODERS:
            decoded = pattern.sub(noting(decode), decoded)
        if decoded == text:
            return
        yield decoded, produced
        text = decoded


def _reveals(decoded: str, produced: set[str]) -> bool:
    """Whether a decoded text holds a form; only forms with a produced character can be new there."""
    return any(form in decoded for form in _forms if any(ch in form for ch in produced))


def _hex_runs(text: str, hexes: re.Pattern[str]) -> str:
    """Hex pairs with separators that spell a secret's hex form are replaced, the run whole."""

    def run(match: re.Match[str]) -> str:
        found = match.group(0)
        pairs = "".join(_HEX_PAIRS.findall(found)).lower()
        if not hexes.search(pairs):
            return found
        return REDACTED + found[len(found.rstrip(_SEPARATORS)) :]  # the separators after the run stay

    return _HEX_RUN.sub(run, text)


def scrub(text: str) -> str:
    text = _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)
    pattern = _current_pattern()
    if pattern is None:
        return text
    if any(form in text for form in _forms):  # str.find per form: far faster than the alternation's scan
        text = pattern.sub(REDACTED, text)
    for _ in range(4):  # a copy a round of decoding shows is replaced, and the next round looks again
        if not _ESCAPED.search(text):
            break
        revealing = next((d for d, produced in _decodings(text) if _reveals(d, produced)), None)
        if revealing is None:
            break
        text = pattern.sub(REDACTED, revealing)  # the rest of the text stays readable, decoded that far
    if _hex_pattern is not None and _HEX_RUN.search(text):
        text = _hex_runs(text, _hex_pattern)
    return text


def scrub_all(value: Any) -> Any:
    """`scrub` for every string (keys included) of a JSON-like value, which stays well formed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub(str(k)): scrub_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_all(v) for v in value]
    return value


def split_across(texts: list[str]) -> set[int]:
    """Indexes of the texts that together spell a secret none of them holds alone (a key split over two
    fields of one answer): their concatenation is searched, and every text a match touches is reported."""
    pattern = _current_pattern()
    if pattern is None or len(texts) < 2:
        return set()
    joined = "".join(texts)
    ends = list(itertools.accumulate(len(t) for t in texts))
    found: set[int] = set()
    for match in pattern.finditer(joined):
        first = bisect.bisect_right(ends, match.start())
        last = bisect.bisect_left(ends, match.end())
        if last > first:
            found.update(range(first, last + 1))
    return found


MIN_KEY_LENGTH = 32
# Estimated bits: a random hex key of 32 characters estimates 91 or more (200,000 drawn), token_urlsafe(32) ~200;
# 31 characters repeated after one other, 6.
MIN_KEY_BITS = 80


def weak_key(key: str) -> str | None:
    """Why `key` cannot sign anything (too short, blank, repetitive or too predictable), or None.

    The estimate is the key's own character entropy (Shannon) times its length: it refuses what anyone
    could guess (spaces, one character repeated, a short pattern repeated), not every weak passphrase."""
    text = key.strip()
    if len(text) < MIN_KEY_LENGTH:
        return f"needs at least {MIN_KEY_LENGTH} characters that are not spaces"
    if any(len(text) % p == 0 and text == text[:p] * (len(text) // p) for p in range(1, len(text) // 2 + 1)):
        return "is a short pattern repeated"
    counts = [text.count(ch) for ch in set(text)]
    bits = -sum(c * math.log2(c / len(text)) for c in counts)
    if bits < MIN_KEY_BITS:
        return f"is too predictable (about {bits:.0f} bits; a random key of 32 characters has over 90)"
    return None


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
