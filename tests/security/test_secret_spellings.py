"""Secrets in every spelling the red team found, generated (issue 29 item 5).

Each test builds a spelling of a registered secret an attacker (or a careless vendor echo) would use:
hex with any separator, `\\xNN`, `\\uNNNN`, JSON escapes at any depth (`\\/` included), base32 at any
offset, percent-encoding at any depth, HTML entities, a mix of them, a key split over two fields,
and checks that the scrubbed text no longer holds it in that spelling or decoded.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adops_mcp.vendorcall import secrets
from adops_mcp.vendorcall.sanitize import clean
from tests.harness import connect, error_text

pytestmark = pytest.mark.anyio

KEY = "cDltQ2x1ZS8rK3NlY3JldA+/=k"  # base64-looking, with '/' (JSON may escape it) and '+' '='
KEY_BYTES = KEY.encode()
SEPARATORS = st.sampled_from([":", " ", "-", ", ", ",", ".", "|", "_", "; ", "  ", "/"])


@pytest.fixture(autouse=True)
def registered() -> None:
    secrets.register(KEY)


def decoded_views(text: str) -> list[str]:
    """What an attacker reads the text as: itself, hex pairs, escapes and entities, base32 anywhere."""
    views = [text]
    pairs = "".join(re.findall(r"(?:0x|\\x)?([0-9a-fA-F]{2})", text))
    for start in (0, 1):
        with contextlib.suppress(ValueError):
            views.append(bytes.fromhex(pairs[start:][: len(pairs[start:]) // 2 * 2]).decode("latin-1"))
    unescaped = text
    for _ in range(6):
        unescaped = re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), unescaped)
        unescaped = re.sub(r"\\+x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), unescaped)
        unescaped = re.sub(r"\\+/", "/", unescaped)
        unescaped = re.sub(r"%(?:25)*([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), unescaped)
        views.append(unescaped)
    for token in re.findall(r"[A-Za-z2-7=]{8,}", text):
        for offset in range(8):
            chunk = token[offset:].upper().rstrip("=")
            chunk = chunk[: len(chunk) // 8 * 8]
            with contextlib.suppress(ValueError):
                views.append(base64.b32decode(chunk).decode("latin-1"))
    return views


def leaks(text: str) -> bool:
    return any(KEY in view for view in decoded_views(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sep=SEPARATORS, prefix=st.sampled_from(["", "0x", "\\x", "0X"]), upper=st.booleans())
def test_hex_with_any_separator(sep: str, prefix: str, upper: bool) -> None:
    pairs = [f"{b:02X}" if upper else f"{b:02x}" for b in KEY_BYTES]
    form = sep.join(prefix + p for p in pairs) if prefix != "\\x" else "".join(prefix + p for p in pairs)
    text = f"debug: {form} (end)"
    assert leaks(text)  # the control: the spelling does hold the key
    assert not leaks(secrets.scrub(text)), secrets.scrub(text)
    assert secrets.scrub(text).endswith(" (end)")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    depth=st.integers(1, 4), slash=st.booleans(), spread=st.lists(st.booleans(), min_size=len(KEY), max_size=len(KEY))
)
def test_json_and_unicode_escapes_at_any_depth(depth: int, slash: bool, spread: list[bool]) -> None:
    """Some characters `\\uNNNN`-escaped, the slash maybe `\\/`, the whole JSON-encoded `depth` times."""
    form = "".join(f"\\u{ord(c):04x}" if escape else c for c, escape in zip(KEY, spread, strict=True))
    if slash:
        form = form.replace("/", "\\/")
    text = json.dumps({"echo": form})
    for _ in range(depth - 1):
        text = json.dumps({"nested": text})
    assert leaks(text)
    assert not leaks(secrets.scrub(text)), secrets.scrub(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(1, 5), lower=st.booleans())
def test_percent_encoding_at_any_depth(depth: int, lower: bool) -> None:
    form = "".join(f"%{b:02x}" if lower else f"%{b:02X}" for b in KEY_BYTES)
    for _ in range(depth - 1):
        form = form.replace("%", "%25")
    text = f"https://api.example/x?next={form}&page=2"
    assert leaks(text)
    assert not leaks(secrets.scrub(text)), secrets.scrub(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.binary(min_size=0, max_size=9), lower=st.booleans())
def test_base32_at_any_offset(prefix: bytes, lower: bool) -> None:
    form = base64.b32encode(prefix + KEY_BYTES + b"!").decode()
    form = form.lower() if lower else form
    text = f"token={form};"
    assert KEY.encode() in base64.b32decode(form.upper())  # the control
    scrubbed = secrets.scrub(text)
    body = scrubbed.removeprefix("token=").rstrip(";").upper().replace("[REDACTED]", "")
    assert "[redacted]" in scrubbed.lower() and KEY.encode() not in _b32(body)


def _b32(text: str) -> bytes:
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:
        return b""


def test_the_red_team_spellings() -> None:
    colon_hex = ":".join(f"{b:02x}" for b in KEY_BYTES)
    nested = json.dumps({"detail": json.dumps({"apiKey": KEY})})  # '/' stays, but escaped twice over
    slashed = nested.replace("/", "\\\\\\/")  # `cDlt...+\\\/=`
    for text in (f"key {colon_hex}", nested, slashed, "".join(f"\\x{b:02x}" for b in KEY_BYTES)):
        assert leaks(text)
        assert not leaks(secrets.scrub(text)), (text, secrets.scrub(text))


def test_a_key_split_over_two_fields_is_redacted() -> None:
    half = len(KEY) // 2
    payload: Any = {"id": 7, "part_a": KEY[:half], "part_b": KEY[half:], "name": "ok"}
    cleaned = clean(payload)
    assert cleaned["part_a"] == secrets.REDACTED and cleaned["part_b"] == secrets.REDACTED
    assert cleaned["name"] == "ok" and cleaned["id"] == 7
    assert clean({"a": "ordinary", "b": "text"}) == {"a": "ordinary", "b": "text"}


async def test_a_vendor_error_spelling_the_key_in_hex_never_reaches_the_model() -> None:
    colon_hex = ":".join(f"{b:02x}" for b in KEY_BYTES)
    async with connect() as h:
        body = {"message": f"bad key {colon_hex}", "error": json.dumps({"k": KEY}).replace("/", "\\/")}
        h.sandbox.faults.add(status=400, body=body, vendor="jivox", path_contains="/retail-campaigns/5303")
        result = await h.call("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5303})
        assert result.is_error and "[redacted]" in error_text(result)
        assert not leaks(error_text(result)), error_text(result)


def test_scrub_all_keeps_the_structure_and_redacts_keys_and_values() -> None:
    value = {"k": [KEY, {"x" + KEY: 1}], "n": 2, "escaped": json.dumps(KEY).replace("/", "\\/")}
    scrubbed = secrets.scrub_all(value)
    assert scrubbed["k"][0] == secrets.REDACTED and list(scrubbed["k"][1]) == ["x" + secrets.REDACTED]
    assert scrubbed["n"] == 2 and KEY not in json.dumps(scrubbed)


def test_escapes_that_decode_to_nothing_new_are_left_as_they_are() -> None:
    text = "&nosuchentity; \\ud800 %zz " + KEY.replace("/", "\\/")
    assert secrets.scrub(text) == "&nosuchentity; \\ud800 %zz " + secrets.REDACTED


def test_copies_four_layers_deep_are_each_replaced() -> None:
    """Each round of decoding shows one more copy; a fifth layer is past the rounds and stays encoded."""

    def entities(text: str) -> str:
        return "".join(f"&#{ord(ch)};" for ch in text)

    layers = [KEY]
    for _ in range(4):
        layers.append(entities(layers[-1]))
    text = " | ".join(layers[1:])
    assert secrets.scrub(text).split(" | ") == [secrets.REDACTED] * 4
    deep = "&#38;#38;#38;#92;u0041"  # five rounds to decode: the rounds stop at four, nothing revealed
    assert secrets.scrub(deep) == deep


def test_one_string_holding_a_key_is_redacted_alone() -> None:
    assert clean({"only": KEY}) == {"only": secrets.REDACTED}
