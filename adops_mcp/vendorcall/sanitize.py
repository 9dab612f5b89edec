"""Vendor text is untrusted data. Two ways it is shown, one rule for what counts as hidden:

- in results (structured fields), `clean` drops what could hide or reorder instructions, bounds the
  size and redacts any credential a vendor echoes back (a "self" URL with the API key, a debug echo);
- spliced into the server's own prose (errors, plans, confirmation messages, audit details,
  findings), `quoted` shows it as data: in double quotes (JSON), on one line, every hidden character
  escaped (`\\u202e`), never stripped, and a cut is said, never silent. `literal` is the same without
  the cut, for plans, which show every value whole.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from . import secrets

MAX_TEXT = 2000
BARE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")

# Hidden: controls, format characters (zero-width, bidi overrides, tags), line and paragraph separators,
# private-use, unassigned and surrogate code points, spaces other than the plain one, and the letters and
# marks that render as nothing (variation selectors, Hangul fillers, braille blank, grapheme joiner).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp", "Zs"})
_BLANK_LOOKING = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800, 0x3164, 0xFFA0}
    | set(range(0xFE00, 0xFE10))
    | set(range(0xE0100, 0xE01F0))
)
_KEPT_IN_RESULTS = frozenset("\t\n")  # results keep tabs and line breaks of descriptions; spaces of any kind


def hidden(ch: str) -> bool:
    """Whether `ch` can hide, fake or reorder text when shown (the plain space is not hidden)."""
    return ch != " " and (unicodedata.category(ch) in _HIDDEN_CATEGORIES or ord(ch) in _BLANK_LOOKING)


def _visible(value: str) -> str:
    """Hidden characters dropped (tabs, line breaks and spaces of every kind kept)."""
    if value.isascii() and value.isprintable():  # printable ASCII hides nothing: skip the per-character walk
        return value
    return "".join(ch for ch in value if ch in _KEPT_IN_RESULTS or unicodedata.category(ch) == "Zs" or not hidden(ch))


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """Vendor text for a result field: hidden characters dropped, credentials redacted, then bounded."""
    return _bounded(secrets.scrub(_visible(value)), limit)


def clean(value: Any) -> Any:
    """`clean_text` for every string (keys included) of a JSON-like vendor payload. The credential search
    runs once over all its strings together; values that together spell one (a key split over two fields)
    are redacted too."""
    visible = _strings(value, lambda text, limit: _visible(text))
    texts: list[str] = []
    values: list[str] = []
    _strings(visible, lambda text, limit: (texts if limit == KEY_LIMIT else values).append(text))
    joined = "".join(texts + values)
    if secrets.scrub(joined) == joined:  # the usual answer: nothing to redact, one search
        return _strings(visible, _bounded)
    split = secrets.split_across(values)
    index = iter(range(len(values)))

    def redacted(text: str, limit: int) -> str:
        if limit != KEY_LIMIT and next(index) in split:
            return secrets.REDACTED
        return _bounded(secrets.scrub(text), limit)

    return _strings(visible, redacted)


KEY_LIMIT = 200


def _strings(value: Any, visit: Callable[[str, int], Any]) -> Any:
    """The payload rebuilt with `visit(text, limit)` for each string, keys (KEY_LIMIT) and values, in order."""
    if isinstance(value, str):
        return visit(value, MAX_TEXT)
    if isinstance(value, dict):
        return {visit(str(k), KEY_LIMIT): _strings(v, visit) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v, visit) for v in value]
    return value


def clean_model(model: Any) -> Any:
    """`clean` for a pydantic model a handler built from vendor data: every string field, nested."""
    from pydantic import BaseModel

    def walk(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value.model_copy(update={name: walk(getattr(value, name)) for name in type(value).model_fields})
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {clean_text(str(k), 200) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if isinstance(value, str) and not hasattr(value, "value"):  # keep enum members as they are
            return clean_text(value)
        return value

    return walk(model)


def _escape(ch: str) -> str:
    """`ch` as a JSON escape (a surrogate pair above the basic plane), readable and exact."""
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escaped(text: str) -> str:
    """`text` (JSON already, or a line of prose) with every hidden character escaped and markdown links
    made inert (`](` escaped), so it reads on one line exactly as it is."""
    if not (text.isascii() and text.isprintable()):
        text = "".join(_escape(ch) if hidden(ch) else ch for ch in text)
    return text.replace("](", "]\\u0028")  # a markdown link or image, `[x](url)`, would render live


def literal(value: Any) -> str:
    """Any JSON value as compact JSON, whole: credentials redacted, hidden characters escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return escaped(secrets.scrub(text))


def quoted(value: Any, limit: int = 200) -> str:
    """Untrusted text spliced into server prose (plans, confirmation messages, errors, findings): quoted,
    on one line, hidden characters escaped, credentials redacted; past `limit` characters it is cut and
    says how much was left out. A bare token (a status, a code) cannot read as a sentence: it stays bare."""
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    if isinstance(value, str):
        text = secrets.scrub(value)
        if BARE.match(text):
            return text
        left_out = max(0, len(text) - limit)
        return literal(text[:limit] if left_out else text) + (f" (+{left_out} more characters)" if left_out else "")
    text = literal(value)
    left_out = max(0, len(text) - limit * 4)
    return text[: limit * 4] + f"… (+{left_out} more characters)" if left_out else text


def one_line(message: str) -> str:
    """A message built from vendor text, made safe to show whole: hidden characters (line breaks included)
    escaped, credentials redacted. For text already composed; splice vendor text with `quoted`."""
    return escaped(secrets.scrub(message))
