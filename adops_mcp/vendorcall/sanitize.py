"""Vendor text is untrusted data: strip what could hide or reorder instructions, bound its size,
and redact any credential a vendor echoes back (a "self" URL with the API key, a debug echo)."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from . import secrets

MAX_TEXT = 2000
BARE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    # Drop control (Cc, except tab/newline), format (Cf: zero-width, bidi overrides) and
    # private-use or unassigned characters; keep ordinary text in every script.
    if not (value.isascii() and value.isprintable()):  # printable ASCII has none of them: skip the per-character walk
        value = "".join(
            ch for ch in value if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cn", "Cs")
        )
    text = secrets.scrub(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean(value: Any) -> Any:
    """Recursively clean every string (keys included) of a JSON-like vendor payload."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k), 200): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
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


def quoted(value: Any, limit: int = 200) -> str:
    """Untrusted text spliced into server prose (plans, confirmation messages, findings): cleaned, on one
    line, bounded and in double quotes (JSON-escaped), so it can never pass for the server's own words."""
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    if isinstance(value, str):
        text = " ".join(clean_text(value, limit).split())
        # A bare token (a status, a code) cannot read as a sentence: it stays as it is.
        return text if BARE.match(text) else json.dumps(text, ensure_ascii=False)
    text = json.dumps(clean(value), ensure_ascii=False, separators=(",", ":"), default=str)
    return text if len(text) <= limit * 4 else text[: limit * 4 - 1] + "…"
