"""Credentials in odd encodings, base URLs with a password, account keys, oversized answers
(issue 10 items 7 and 8), tried as an attacker would.

Attacker's table: a vendor echoing a credential base64-encoded at any offset (inside a longer base64
text, such as a Basic auth header), hex, URL-encoded twice, `quote_plus`, HTML entities, and an error
body that puts the credential just across the 500-character cut; a password in a base URL; an
account key an attacker could test credential guesses against; a 6 MB vendor answer.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

import httpx2
import pytest
from mcp import Client
from mcp_types import TextContent

from adops_mcp.config import load_settings
from adops_mcp.server.app import build_server
from adops_mcp.vendorcall import secrets
from adops_mcp.vendorcall.http import Auth, VendorClient, VendorError

# Every character URL-encoding changes (+ / @ : = % space), so no encoded form equals the raw one.
CANARIES = ["cnry+Key/7@x:y=z%41 w0rd&", "cnry-ab/c+d=e@f:g%h i<j>", "Zq9+/=@:% secret-tail'\""]


def entities(text: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in text)


def b64_inside(secret: str, prefix: bytes, suffix: bytes = b"") -> str:
    return base64.b64encode(prefix + secret.encode() + suffix).decode()


ENCODINGS = {
    "raw": lambda s: s,
    "quote": lambda s: quote(s),
    "quote-all": lambda s: quote(s, safe=""),
    "quote_plus": quote_plus,
    "twice-quoted": lambda s: quote(quote(s, safe=""), safe=""),
    "twice-quote_plus": lambda s: quote_plus(quote_plus(s)),
    "html-escaped": html.escape,
    "html-entities": entities,
    "hex": lambda s: s.encode().hex(),
    "HEX": lambda s: s.encode().hex().upper(),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64-urlsafe": lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    "basic-auth": lambda s: b64_inside(s, b"svc-user:"),  # offset 9: aligned
    "base64-offset-1": lambda s: b64_inside(s, b"u", b"tail"),
    "base64-offset-2": lambda s: b64_inside(s, b"us", b"!"),
    "base64-urlsafe-offset-1": lambda s: base64.urlsafe_b64encode(b"{" + s.encode() + b"}").decode(),
}


def revealed(text: str, secret: str) -> bool:
    """Whether any decoding an attacker would try shows the secret (or 8+ of its characters)."""
    views = {text, unquote_plus(text), unquote_plus(unquote_plus(text)), html.unescape(text)}
    for token in text.replace('"', " ").split():
        for alphabet in (base64.b64decode, base64.urlsafe_b64decode):
            for pad in range(4):
                with contextlib.suppress(ValueError):
                    views.add(alphabet(token + "=" * pad).decode("latin-1"))
        with contextlib.suppress(ValueError):
            views.add(bytes.fromhex(token).decode("latin-1"))
    return any(secret in view or secret.encode().decode("latin-1") in view for view in views)


@pytest.fixture(autouse=True)
def registered() -> None:
    for secret in CANARIES:
        secrets.register(secret)


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("secret", CANARIES)
def test_every_encoding_is_scrubbed(secret: str, encoding: str) -> None:
    form = ENCODINGS[encoding](secret)
    assert form != secret or encoding == "raw"
    text = f'{{"debug": "auth {form} end", "self": "https://api.example/x?k={form}"}}'
    assert revealed(text, secret)  # the control: the attacker's decoder finds it before scrubbing
    assert not revealed(secrets.scrub(text), secret), secrets.scrub(text)


def test_scrubbing_keeps_ordinary_text() -> None:
    text = "Campaign Summer Sale 2026: budget 1,500 EUR; see https://example.com/a?b=c&d=e%20f"
    assert secrets.scrub(text) == text


def test_copies_hidden_one_two_and_three_layers_deep_are_all_scrubbed() -> None:
    secret = CANARIES[0]
    layered = [entities(secret), entities(entities(secret)), entities(entities(entities(secret)))]
    assert all(revealed(html.unescape(html.unescape(form)), secret) for form in layered)  # the control
    # Each round of decoding shows one more copy: all three rounds run, and each copy is replaced.
    assert secrets.scrub(" | ".join(layered)) == " | ".join([secrets.REDACTED] * 3)


class Owner:
    """Holds a credential for a while, like a token cache or a signer."""


def test_a_short_credential_is_scrubbed_and_text_sharing_a_short_base64_fragment_is_not() -> None:
    owner = Owner()
    short = "q7Zx"  # e.g. a 4-character user name
    secrets.register(short, owner=owner)
    encoded = base64.b64encode(short.encode()).decode()
    other = base64.b64encode(b"q7Zy").decode()  # another value, sharing its first 5 base64 characters
    assert encoded[:5] == other[:5] and encoded != other
    assert secrets.scrub(f"user {short}, basic {encoded}") == f"user {secrets.REDACTED}, basic {secrets.REDACTED}"
    # Fragments under 8 characters are not scrubbed on their own: they would redact unrelated text.
    assert secrets.scrub(f"id {other}") == f"id {other}"


def test_a_value_under_four_characters_is_never_scrubbed_by_value() -> None:
    owner = Owner()
    for value in (None, "", "Zq3"):  # e.g. a database URL without a password; a 3-character credential
        secrets.register(value, owner=owner)
    # Scrubbing three characters, or their 4-character base64 or 6-digit hex, would redact ordinary text.
    text = f"Zq3 rows, account Zq3-north, id {base64.b64encode(b'Zq3').decode()}, colour #{b'Zq3'.hex()}"
    assert secrets.scrub(text) == text


def client(handler: Any, **kwargs: Any) -> VendorClient:
    return VendorClient(
        "jivox", "https://jivox.test", Auth(), transport=httpx2.MockTransport(handler), retry_wait=0.0, **kwargs
    )


@pytest.mark.anyio
@pytest.mark.parametrize("at", [290, 295, 480, 488, 492, 499, 500])
async def test_error_body_scrubbed_before_it_is_cut(at: int) -> None:
    secret = CANARIES[0]
    body = "x" * at + secret + " trailing detail" * 40

    async def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(400, text=body)

    with pytest.raises(VendorError) as caught:
        await client(handler).request("GET", "/v2/x", read=True)
    message = caught.value.message + json.dumps(caught.value.body)
    for length in range(8, len(secret) + 1):  # no prefix of 8+ characters survives
        assert secret[:length] not in message, (at, length)


@pytest.mark.anyio
async def test_oversized_answer_is_refused_without_reading_it_all() -> None:
    chunks_sent = 0

    async def endless() -> AsyncIterator[bytes]:  # 4 MiB: "endless" for the bound, finite if the bound is gone
        nonlocal chunks_sent
        for _ in range(64):
            chunks_sent += 1
            yield b'{"name": "' + b"x" * 65_536 + b'"},'

    async def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=endless())

    with pytest.raises(VendorError) as caught:
        await client(handler, max_response_bytes=1_048_576).request("GET", "/v2/x", read=True)
    assert "more than 1 MiB" in caught.value.message and "ADOPS_MAX_RESPONSE_BYTES" in caught.value.message
    assert chunks_sent <= 20  # stopped reading just past the bound

    async def declared(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=b"[]", headers={"content-length": str(50 * 1_048_576)})

    with pytest.raises(VendorError, match="more than 2 MiB"):
        await client(declared).request("GET", "/v2/x", read=True)

    async def exactly(request: httpx2.Request) -> httpx2.Response:  # at the bound: read as usual
        return httpx2.Response(200, content=b'"' + b"y" * (65_536 - 2) + b'"')

    assert len((await client(exactly, max_response_bytes=65_536).request("GET", "/", read=True)).json()) == 65_534


@pytest.mark.anyio
async def test_oversized_write_answer_is_an_unknown_outcome() -> None:
    async def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=b"[" + b"0," * 2_000_000 + b"0]")

    with pytest.raises(VendorError) as caught:
        await client(handler).request("POST", "/v2/x", read=False)
    assert caught.value.outcome == "unknown" and "may or may not have been applied" in caught.value.message


def vendor_answering(body: bytes) -> httpx2.MockTransport:
    return httpx2.MockTransport(lambda request: httpx2.Response(200, content=body))


@pytest.mark.anyio
async def test_six_megabyte_vendor_answer_is_a_clear_tool_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "jivox-key-for-the-size-test")
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", "https://jivox.example")
    big = json.dumps({"retailCampaigns": [{"name": "n" * 1000, "idx": i} for i in range(6000)]}).encode()
    assert len(big) > 6_000_000
    built = build_server(load_settings(toolsets="all"), transport=vendor_answering(big))
    async with Client(built.server) as mcp:
        result = await mcp.call_tool("jivox_list_retail_campaigns", {"account_id": "acme-retail", "limit": 2})
    assert result.is_error
    text = " ".join(c.text for c in result.content if isinstance(c, TextContent))
    assert "more than 2 MiB" in text and len(text) < 1000


@pytest.mark.anyio
async def test_base_url_userinfo_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    password, user = "s3cret:pass/word@9", "svc-operator"
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "jivox-key-for-the-userinfo-test")
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", f"https://{user}:{quote(password, safe='')}@jivox.example/api")

    async def refuse(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(502, text=f"upstream {request.url} failed for {request.headers.get('authorization')}")

    built = build_server(load_settings(toolsets="all"), transport=httpx2.MockTransport(refuse))
    async with Client(built.server) as mcp:
        config = await mcp.call_tool("adops_configuration", {})
        failed = await mcp.call_tool("jivox_list_retail_campaigns", {"account_id": "acme-retail", "limit": 2})
    shown = json.dumps(config.structured_content) + " ".join(
        c.text for c in failed.content if isinstance(c, TextContent)
    )
    assert "jivox.example" in shown and "***@jivox.example" in shown
    for value in (password, quote(password, safe=""), user):
        assert value not in shown, value
    assert not revealed(shown, password)


def test_doctor_hides_base_url_userinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from adops_mcp.cli import main

    password, user = "s3cret:pass/word@9", "svc-operator"
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "jivox-key-for-the-userinfo-test")
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", f"https://{user}:{quote(password, safe='')}@jivox.invalid/api")
    doctor = CliRunner().invoke(main, ["doctor"])
    assert "jivox.invalid" in doctor.output, doctor.output
    assert password not in doctor.output and quote(password, safe="") not in doctor.output
    assert user not in doctor.output


@pytest.mark.anyio
async def test_account_key_is_an_hmac_under_the_install_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_API_KEY", "jivox-key-for-the-account-key-test")
    monkeypatch.setenv("ADOPS_JIVOX_BASE_URL", "https://jivox.example")
    keys = []
    for install_key in ("first-install-key-" + "a" * 20, "second-install-key-" + "b" * 20):
        built = build_server(load_settings(confirm_key=install_key), transport=vendor_answering(b"{}"))
        keys.append(built.runtime.settings.vendors["jivox"].account_key)
    assert keys[0] != keys[1] and all(k.startswith("jivox:default:") for k in keys)
    # An attacker holding a token or an audit row cannot test a credential guess against it offline.
    material = "|".join(["jivox", "default", "https://jivox.example", "jivox-key-for-the-account-key-test"])
    for guess in (material, material.replace("https://jivox.example", "")):
        assert hashlib.sha256(guess.encode()).hexdigest()[:16] not in keys[0]
