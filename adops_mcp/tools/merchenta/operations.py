"""Merchenta RTB API v3: creative status, the lever that runs or pauses a campaign (VENDORS.md section 3).

A campaign shows ads only for its ACTIVE creatives; pausing a campaign means setting all its
creatives INACTIVE. Status changes need the campaign locked for editing; the lock endpoint is
PROPOSED (M7/M8), so its path is a setting and a missing endpoint is reported as such.
"""

from __future__ import annotations

import base64
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from ...config import MerchentaSettings, VendorSettings
from ...vendorcall.http import Auth, TokenCache, VendorClient, VendorError
from ...vendorcall.operation import Call, Operation
from ...vendorcall.request import build, send
from ...vendorcall.sanitize import quoted
from ..vendor import ClientOptions, Vendor
from .diagnose import DIAGNOSE
from .models import (
    CampaignCreativesStatus,
    CampaignParams,
    CreativeParams,
    CreativeStatus,
    CreativeStatusResult,
    SetCampaignStatusParams,
    SetCreativeStatusParams,
)
from .reads import (
    CAMPAIGN_STATUS,
    MEANING,
    campaign_creatives,
    describe_error,
    envelope_items,
    explain_status,
    item_text,
    jsend,
)
from .undo import REVERSALS

log = logging.getLogger("adops_mcp.merchenta")

LOGIN = "/v3/oauth/accessToken"
CREATIVE_STATUS = "/v3/creatives/{creativeCode}/status"
TOKEN_LIFETIME = 3600.0  # documented "about an hour"; used when the token's own times are unreadable

SHORT = {"PENDING": "it is under Merchenta's review", "REJECTED": "it was rejected by Merchenta's review"}
E10059 = (
    "E10059 means Merchenta refused that status transition; the documented case is PENDING -> ACTIVE (a "
    "creative under Merchenta's review cannot be made ACTIVE through the API). Whether other transitions are "
    "refused is not documented."
)


# ---- auth ------------------------------------------------------------------------------------


def _moment(value: Any) -> float | None:
    """Merchenta's JWT times are ISO strings without a zone (UTC); accept epoch numbers too."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def token_expiry(token: str, now: float) -> float:
    """When to consider the token expired, on our clock.

    The lifetime is exp - iat (both vendor times), added to our clock, so clock skew between us and
    Merchenta does not matter; without iat, exp itself; unreadable, the documented hour.
    """
    try:
        part = token.split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return now + TOKEN_LIFETIME
    if not isinstance(payload, dict):
        return now + TOKEN_LIFETIME
    exp, iat = _moment(payload.get("exp")), _moment(payload.get("iat"))
    if exp is not None and iat is not None and 0 < exp - iat <= 86400:
        return now + (exp - iat)
    if exp is not None:
        return exp
    return now + TOKEN_LIFETIME


def make_client(settings: VendorSettings, options: ClientOptions) -> VendorClient:
    assert isinstance(settings, MerchentaSettings)
    assert settings.username is not None and settings.password is not None and settings.advertiser
    credentials = {
        "username": settings.username.get_secret_value(),
        "password": settings.password.get_secret_value(),
        "advertiser": settings.advertiser,
    }
    cache = TokenCache(fetch=lambda: _login(client, credentials, cache.clock))
    client = VendorClient(
        "merchenta",
        settings.url,
        Auth(token=cache, refresh_on=401),
        auth_hint="Check ADOPS_MERCHENTA_USERNAME, ADOPS_MERCHENTA_PASSWORD and ADOPS_MERCHENTA_ADVERTISER.",
        describe_error=describe_error,
        **options.kwargs(),
    )
    client.templates = (LOGIN, settings.lock_path)
    return client


async def _login(client: VendorClient, credentials: dict[str, str], clock: Callable[[], float]) -> tuple[str, float]:
    # The password travels in the query string (as documented): the HTTP layer logs paths only,
    # and the log filter and error scrubber know every credential.
    response = await send(client, build("GET", LOGIN, query=credentials), read=True, authenticated=False)
    jsend(response)  # raises on a fail/error envelope
    # The token itself is read raw: it is a credential, not display text, and cleaning would redact it.
    try:
        raw = response.json()
    except ValueError:
        raw = None
    data: dict[str, Any] = raw["data"] if isinstance(raw, dict) and isinstance(raw.get("data"), dict) else {}
    token = data.get("accessToken")
    if not isinstance(token, str) or not token:
        raise VendorError(
            "merchenta", "Merchenta's login answered without an access token.", status=response.status_code
        )
    return token, token_expiry(token, clock())


# ---- helpers ---------------------------------------------------------------------------------


def _path(template: str, **values: str) -> str:
    """The filled path of `template` (built by the one request builder)."""
    return build("GET", template, values).path


def explain_errors(items: list[dict[str, Any]]) -> str:
    text = quoted("; ".join(item_text(i) for i in items), 300)
    codes = {i.get("code") for i in items}
    if "E10059" in codes:
        text += ". " + E10059
    return text


def campaign_summary(campaign: str, creatives: list[CreativeStatus]) -> CampaignCreativesStatus:
    counts = Counter(c.approvalStatus or "UNKNOWN" for c in creatives)
    delivering = counts.get("ACTIVE", 0) > 0
    if not creatives:
        explanation = "The campaign has no creatives, so it shows no ads."
    elif delivering:
        explanation = f"Delivering: {counts['ACTIVE']} of {len(creatives)} creative(s) ACTIVE."
    else:
        parts = [f"{n} {status} ({explain_status(status)})" for status, n in sorted(counts.items())]
        explanation = "Not delivering: no creative is ACTIVE. " + "; ".join(parts) + "."
    return CampaignCreativesStatus(
        campaign_code=campaign,
        delivering=delivering,
        counts=dict(counts),
        explanation=explanation,
        creatives=creatives,
    )


# ---- reads -----------------------------------------------------------------------------------


async def get_campaign_status(call: Call) -> CampaignCreativesStatus:
    return campaign_summary(call.params.campaign_code, await campaign_creatives(call, call.params.campaign_code))


async def get_creative_status(call: Call) -> CreativeStatusResult:
    response = await call.fetch(build("GET", CREATIVE_STATUS, {"creativeCode": call.params.creative_code}))
    data = jsend(response).get("data") or {}
    item = data.get("status") if isinstance(data, dict) else None
    creative = CreativeStatus.model_validate(
        item if isinstance(item, dict) else {"creativeCode": call.params.creative_code}
    )
    return CreativeStatusResult(**creative.model_dump(), explanation=explain_status(creative.approvalStatus))


# ---- the lock protocol -----------------------------------------------------------------------


def _lock_path(call: Call, campaign: str) -> str | None:
    assert isinstance(call.settings, MerchentaSettings)
    return _path(call.settings.lock_path, campaignCode=campaign) if call.settings.lock_path else None


def _missing_endpoint(exc: VendorError) -> bool:
    """404/405 without a Merchenta envelope: the route itself does not exist (not an unknown campaign)."""
    return exc.status in (404, 405) and not (isinstance(exc.body, dict) and "status" in exc.body)


LOCK_CHECK = (
    "Check: merchenta_get_campaign_creatives_status shows the creatives' statuses; if Merchenta then refuses "
    "changes to this campaign as locked (E10060), release the lock in Merchenta (or ask them to)."
)


async def with_lock(call: Call, campaign: str, change: Callable[[], Awaitable[Any]]) -> tuple[Any, str | None]:
    """Lock, change, unlock (also when the change fails). Returns (change result, unlock problem).

    The lock is a write too: when its outcome is not known (no answer after it was sent) and it cannot be
    released again, or the unlock after a failed change does not go through, the outcome is `unknown`."""
    path = _lock_path(call, campaign)
    if path is None:
        return await change(), None
    try:
        await call.fetch(build("POST", path))
    except VendorError as exc:
        if exc.outcome == "unknown":  # the lock may be held now: release it, or say it may be
            problem = await _unlock(call, path)
            if problem is None:
                raise VendorError(
                    "merchenta",
                    f"Locking campaign {campaign} got no clear answer ({exc.message}); the lock was released again "
                    "and no status was changed.",
                    status=exc.status,
                ) from None
            raise VendorError(
                "merchenta",
                f"Locking campaign {campaign} got no clear answer ({exc.message}) and {problem}. No status change "
                f"was sent. {LOCK_CHECK}",
                status=exc.status,
                outcome="unknown",
            ) from None
        if _missing_endpoint(exc):
            raise VendorError(
                "merchenta",
                f"Merchenta has no campaign lock endpoint at POST {path} (it answered {exc.status}), so the "
                "campaign could not be locked and no status was changed. That lock path is PROPOSED, not "
                "documented (VENDORS.md 3.3, M7): ask Merchenta for the campaign-editing lock path and set "
                "ADOPS_MERCHENTA_LOCK_PATH (or set it empty if your account needs no lock).",
                status=exc.status,
            ) from None
        raise VendorError(
            "merchenta",
            f"Could not lock campaign {campaign} for editing: {exc.message}",
            status=exc.status,
            body=exc.body,
        ) from None
    try:
        result = await change()
    except VendorError as exc:
        problem = await _unlock(call, path)
        if problem is None:
            raise
        log.warning("merchenta: %s", problem)
        raise VendorError(
            "merchenta", f"{exc.message} Also, {problem}. {LOCK_CHECK}", status=exc.status, outcome="unknown"
        ) from None
    except BaseException:
        problem = await _unlock(call, path)
        if problem:
            log.warning("merchenta: %s", problem)
        raise
    return result, await _unlock(call, path)


async def _unlock(call: Call, path: str) -> str | None:
    """Release the lock (shielded: also when the call is being cancelled); what went wrong, or None."""
    with anyio.CancelScope(shield=True):
        try:
            await call.fetch(build("DELETE", path))
        except VendorError as exc:
            return f"the campaign could not be unlocked afterwards ({exc.message}); it may stay locked for editing"
    return None


async def _post_status(call: Call, path: str, target: str) -> dict[str, Any]:
    try:
        response = await call.fetch(build("POST", path, form={"status": target}))
    except VendorError as exc:
        items = envelope_items(exc.body, "errors")
        if exc.status == 400 and items:
            raise VendorError(
                "merchenta",
                f"Merchenta refused the status change (400): {explain_errors(items)}",
                status=400,
                body=exc.body,
            ) from None
        raise
    return jsend(response, write=True)


# ---- status changes --------------------------------------------------------------------------


def _refused_by_rule(current: str | None, target: str) -> bool:
    """The one documented refusal: PENDING -> ACTIVE (E10059)."""
    return current == "PENDING" and target == "ACTIVE"


def _transition(current: str | None, target: str) -> str:
    if current == target:
        return f"{current} (already; unchanged)"
    if _refused_by_rule(current, target):
        return "PENDING, stays PENDING (under Merchenta review; the API cannot activate it)"
    if current in ("PENDING", "REJECTED"):
        return f"{current} -> {target} (Merchenta may refuse: {SHORT[current]})"
    return f"{quoted(current or 'unknown')} -> {target}"


def _effect(target: str) -> str:
    return "it starts showing ads and buying media" if target == "ACTIVE" else "it stops showing ads (pauses its spend)"


def _effect_all(target: str) -> str:
    return (
        "creatives that become ACTIVE start showing ads and buying media"
        if target == "ACTIVE"
        else "creatives that become INACTIVE stop showing ads, which stops the campaign's spend"
    )


def _environment(call: Call) -> str:
    assert isinstance(call.settings, MerchentaSettings)
    if call.settings.base_url is None and call.settings.environment == "sandbox":
        return " (Merchenta sandbox environment: no media spend)"
    return ""


def _lock_note(call: Call) -> str:
    return (
        " The campaign is locked for editing during the change and unlocked afterwards."
        if _lock_path(call, "x")
        else ""
    )


async def creative_check(call: Call) -> None:
    p = call.params
    creatives = await campaign_creatives(call, p.campaign_code)
    creative = next((c for c in creatives if c.creativeCode == p.creative_code), None)
    if creative is None:
        raise ToolError(
            f"Nothing was sent: campaign {p.campaign_code} has no creative {p.creative_code}. "
            "List its creatives with merchenta_get_campaign_creatives_status."
        )
    if creative.approvalStatus == p.status.value:
        raise ToolError(f"Nothing was sent: creative {p.creative_code} is already {p.status.value}.")
    if _refused_by_rule(creative.approvalStatus, p.status.value):
        raise ToolError(
            f"Nothing was sent: creative {p.creative_code} is PENDING, i.e. {MEANING['PENDING']}. "
            f"Merchenta refuses PENDING -> ACTIVE through the API ({E10059}) "
            f"Its review note: {quoted(creative.approvalMessage or 'none')}"
        )
    call.state["current"] = creative.approvalStatus


async def creative_plan(call: Call) -> str:
    p = call.params
    current = call.state.get("current")
    return (
        f"Set Merchenta creative {p.creative_code} (campaign {p.campaign_code}) "
        f"{_transition(current, p.status.value)}: {_effect(p.status.value)}{_environment(call)}." + _lock_note(call)
    )


async def set_creative_status(call: Call) -> dict[str, Any]:
    p = call.params
    target = p.status.value
    path = _path(CREATIVE_STATUS, creativeCode=p.creative_code)
    _, unlock_problem = await with_lock(call, p.campaign_code, lambda: _post_status(call, path, target))
    result: dict[str, Any] = {
        "creative_code": p.creative_code,
        "campaign_code": p.campaign_code,
        "requested_status": target,
    }
    try:
        response = await call.fetch(build("GET", path))
        item = (jsend(response).get("data") or {}).get("status") or {}
        result["status_now"] = item.get("approvalStatus")
    except (VendorError, AttributeError):
        result["status_now"] = None
    result["summary"] = f"Creative {p.creative_code} is now {result['status_now'] or target}."
    if unlock_problem:
        result["warning"] = "The change was applied, but " + unlock_problem + "."
    return result


async def campaign_check(call: Call) -> None:
    p = call.params
    target = p.status.value
    creatives = await campaign_creatives(call, p.campaign_code)
    if not creatives:
        raise ToolError(f"Nothing was sent: campaign {p.campaign_code} has no creatives.")
    if all(c.approvalStatus == target or _refused_by_rule(c.approvalStatus, target) for c in creatives):
        pending = [c.creativeCode for c in creatives if c.approvalStatus == "PENDING"]
        if not pending:
            raise ToolError(f"Nothing was sent: every creative of {p.campaign_code} is already {target}.")
        raise ToolError(
            f"Nothing was sent: no creative of {p.campaign_code} can be set ACTIVE. "
            f"{', '.join(pending)} {'is' if len(pending) == 1 else 'are'} PENDING: {MEANING['PENDING']}. "
            f"Merchenta refuses PENDING -> ACTIVE through the API ({E10059}) Wait for the review; "
            "approved creatives become ACTIVE by themselves."
        )
    call.state["creatives"] = creatives


async def campaign_plan(call: Call) -> str:
    p = call.params
    target = p.status.value
    creatives: list[CreativeStatus] = call.state.get("creatives", [])
    what = "pauses the whole campaign" if target == "INACTIVE" else "resumes the campaign"
    lines = [f"- {quoted(c.creativeCode)}: {_transition(c.approvalStatus, target)}" for c in creatives]
    return (
        f"Set all {len(creatives)} creatives of Merchenta campaign {p.campaign_code} to {target} "
        f"({what}: {_effect_all(target)}){_environment(call)}:\n" + "\n".join(lines) + "\n" + _lock_note(call).strip()
    ).strip()


async def set_campaign_status(call: Call) -> dict[str, Any]:
    p = call.params
    target = p.status.value
    campaign = p.campaign_code
    before = {c.creativeCode: c.approvalStatus for c in await campaign_creatives(call, campaign)}
    call.relies_on("creatives", before)  # the change reaches every creative: exactly those the plan listed
    body, unlock_problem = await with_lock(
        call, campaign, lambda: _post_status(call, _path(CAMPAIGN_STATUS, campaignCode=campaign), target)
    )
    warnings = envelope_items(body, "warnings")
    try:
        after = {c.creativeCode: c.approvalStatus for c in await campaign_creatives(call, campaign)}
    except VendorError:
        after = {}
    reasons = {}
    for warning in warnings:
        text = item_text(warning)
        code = next((c for c in before if str(warning.get("description", "")).endswith(" " + c)), None)
        reasons[code or text] = text
    creatives = []
    for code, old in before.items():
        new = after.get(code)
        entry: dict[str, Any] = {"creative_code": code, "before": old, "after": new}
        if code in reasons:
            entry["not_changed_because"] = reasons[code]
        creatives.append(entry)
    changed = [c["creative_code"] for c in creatives if c["after"] == target and c["before"] != target]
    not_changed = [
        {
            "creative_code": c["creative_code"],
            "status": c["after"] or c["before"],
            "reason": c.get("not_changed_because") or "unknown",
        }
        for c in creatives
        if (c["after"] or c["before"]) != target
    ]
    unmatched = [text for key, text in reasons.items() if key not in before]
    summary = f"{len(changed)} creative(s) set {target}" + (f": {', '.join(changed)}" if changed else "")
    if not_changed:
        summary += f". NOT changed ({len(not_changed)}): " + "; ".join(
            f"{n['creative_code']} stays {n['status']}" for n in not_changed
        )
        if any("E10059" in n["reason"] for n in not_changed) or any("E10059" in u for u in unmatched):
            summary += ". " + E10059
    result: dict[str, Any] = {
        "campaign_code": campaign,
        "requested_status": target,
        "summary": summary,
        "changed": changed,
        "not_changed": not_changed,
        "creatives": creatives,
        "warnings": [item_text(w) for w in warnings],
    }
    if unlock_problem:
        result["warning"] = "The change was applied, but " + unlock_problem + "."
    return result


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="merchenta_get_campaign_creatives_status",
        title="Get a Merchenta campaign's creative statuses",
        description="Status of every creative of a campaign (ACTIVE, INACTIVE, PENDING review, "
        "REJECTED) with Merchenta's review notes, and whether the campaign delivers. "
        "One creative: merchenta_get_creative_status.",
        vendor="merchenta",
        toolset="merchenta",
        effect="read",
        method="GET",
        path=CAMPAIGN_STATUS,
        params=CampaignParams,
        result=CampaignCreativesStatus,
        run=get_campaign_status,
        resource="merchenta://campaigns/{campaign_code}/creatives-status",
    ),
    Operation(
        name="merchenta_get_creative_status",
        title="Get a Merchenta creative's status",
        description="Status and review note of one creative by its code; a whole campaign's: "
        "merchenta_get_campaign_creatives_status.",
        vendor="merchenta",
        toolset="merchenta",
        effect="read",
        method="GET",
        path=CREATIVE_STATUS,
        params=CreativeParams,
        result=CreativeStatusResult,
        run=get_creative_status,
        resource="merchenta://creatives/{creative_code}/status",
        default=False,
        everyday=True,
    ),
    Operation(
        name="merchenta_set_creative_status",
        title="Set a Merchenta creative's status",
        description="Sets one creative ACTIVE (runs, spends) or INACTIVE (paused); a whole "
        "campaign: merchenta_set_campaign_status. Locks and unlocks the campaign around "
        "the change. A PENDING creative cannot be activated until Merchenta approves "
        "it. Asks the user first.",
        vendor="merchenta",
        toolset="merchenta",
        effect="destructive",
        method="POST",
        path=CREATIVE_STATUS,
        params=SetCreativeStatusParams,
        idempotent=True,
        check=creative_check,
        plan=creative_plan,
        run=set_creative_status,
        default=False,
        everyday=True,
    ),
    Operation(
        name="merchenta_set_campaign_status",
        title="Set all creatives of a Merchenta campaign",
        description="Pauses (INACTIVE) or resumes (ACTIVE) a whole campaign by setting all its "
        "creatives (one creative: merchenta_set_creative_status); reports exactly which "
        "did not change and why. Locks and unlocks the campaign. Asks the user first.",
        vendor="merchenta",
        toolset="merchenta",
        effect="destructive",
        method="POST",
        path=CAMPAIGN_STATUS,
        params=SetCampaignStatusParams,
        idempotent=True,
        check=campaign_check,
        plan=campaign_plan,
        run=set_campaign_status,
    ),
    DIAGNOSE,
)

VENDOR = Vendor(
    name="merchenta",
    display="Merchenta",
    operations=OPERATIONS,
    make_client=make_client,
    toolsets=("merchenta",),
    guessed_paths=lambda s: {s.lock_path: "ADOPS_MERCHENTA_LOCK_PATH"} if isinstance(s, MerchentaSettings) else {},
    reversals=REVERSALS,
)
