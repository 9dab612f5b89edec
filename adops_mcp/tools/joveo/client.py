"""The Joveo HTTP client: x-api-key on every call plus the daily x-authorization-key token.

The token (V1) is minted from the API key and the external API client id, cached, refreshed
ahead of its 24 h expiry, single-flight (TokenCache), and refreshed once when Joveo answers 403.
No tool takes or returns it.
"""

from __future__ import annotations

from typing import Any

import httpx2

from ...config import JoveoSettings, VendorSettings
from ...vendorcall.http import Auth, TokenCache, VendorClient, VendorError
from ...vendorcall.request import build, send
from ..vendor import ClientOptions

TOKEN_TTL = 86400.0  # the vendor documents 1 day; used when expires_in is missing


def describe_error(response: httpx2.Response, body: Any) -> str | None:
    """Joveo documents status codes only; the sandbox (and likely Joveo) answers {"message": ...}."""
    if isinstance(body, dict):
        for key in ("message", "error", "errorMessage", "body"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    if isinstance(body, str) and body:
        return body
    return None


def make_client(settings: VendorSettings, options: ClientOptions) -> VendorClient:
    assert isinstance(settings, JoveoSettings) and settings.api_key is not None and settings.client_id is not None
    api_key = settings.api_key.get_secret_value()
    api_client_id = settings.client_id.get_secret_value()
    holder: dict[str, VendorClient] = {}

    async def fetch() -> tuple[str, float]:
        client = holder["client"]
        started = cache.clock()
        try:
            mint = build("POST", settings.token_path, json={"client_id": api_client_id}, headers={"x-api-key": api_key})
            # minting twice is harmless: transient failures may be retried
            response = await send(client, mint, read=True, authenticated=False)
        except VendorError as exc:
            if exc.status == 401:
                raise VendorError(
                    "joveo",
                    "Joveo rejected the API key (401) while minting the access token: check ADOPS_JOVEO_API_KEY.",
                    status=401,
                ) from None
            if exc.status == 403:
                raise VendorError(
                    "joveo",
                    "Joveo refused to mint an access token (403): ADOPS_JOVEO_CLIENT_ID must be the external API "
                    "client id issued with this API key (not a MOJO client id).",
                    status=403,
                ) from None
            if exc.status in (404, 405):
                raise VendorError(
                    "joveo",
                    f"Joveo answered {exc.status} to the access-token exchange (POST {settings.token_path} on "
                    f"{settings.url}): the host or the path is wrong. Check ADOPS_JOVEO_BASE_URL and "
                    "ADOPS_JOVEO_TOKEN_PATH against what Joveo gave you (adops-mcp doctor --probe).",
                    status=exc.status,
                ) from None
            raise VendorError(
                "joveo", f"Could not mint the Joveo access token: {exc.message}", status=exc.status
            ) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise VendorError("joveo", "Joveo's access-token answer had no access_token.", status=response.status_code)
        expires_in = data.get("expires_in")
        ttl = float(expires_in) if isinstance(expires_in, (int, float)) and expires_in > 0 else TOKEN_TTL
        return token, started + ttl

    cache = TokenCache(fetch=fetch, refresh_margin=600.0)
    client = VendorClient(
        "joveo",
        settings.url,
        Auth(
            headers={"x-api-key": api_key},
            token=cache,
            token_header="x-authorization-key",
            # the raw token (VENDORS.md 2.3, inferred); ADOPS_JOVEO_TOKEN_FORMAT=bearer sends "Bearer <token>"
            token_format="Bearer {token}" if settings.token_format == "bearer" else "{token}",
            refresh_on=403,
        ),
        auth_hint="Joveo says the API key is missing or invalid: check ADOPS_JOVEO_API_KEY.",
        forbidden_hint=(
            "Joveo refused access (403), after minting a fresh access token. Joveo's document says a 403 means the "
            "access token (x-authorization-key) or the client_id is missing or invalid: check the client_id "
            "argument (one of joveo_list_clients' ids), ADOPS_JOVEO_CLIENT_ID (the API client id that mints the "
            "token, not a MOJO client id) and ADOPS_JOVEO_TOKEN_FORMAT (raw or bearer; adops-mcp doctor --probe "
            "checks it)."
        ),
        describe_error=describe_error,
        **options.kwargs(),
    )
    holder["client"] = client
    client.templates = (settings.token_path,)
    return client
