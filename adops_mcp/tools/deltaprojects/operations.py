"""Delta Projects DSP API v1: clients, activities, bidding plans, creatives, statistics (VENDORS.md section 4).

The apikey travels in the query string (as documented); the HTTP layer logs paths only and every
URL we return is cut to its path and scrubbed. campaignId is the literal `default` in v1, and the
media agency comes from settings unless a call names another.

Update trap (D7): leaving `excludeGeo` out silently resets it to false. The update tool reads the
activity first and sends the current value (with the current geoDetails, which must accompany it)
unless the user changes it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from mcp.server.mcpserver.exceptions import ToolError

from ...config import DeltaSettings, VendorSettings
from ...vendorcall import secrets
from ...vendorcall.http import Auth, VendorClient, VendorError
from ...vendorcall.operation import Call, NoParams, Operation, decode
from ...vendorcall.request import Request, build
from ...vendorcall.sanitize import clean, clean_text, quoted
from ...vendorcall.spend import SpendChange, amount, field_changes
from ..vendor import ClientOptions, Vendor
from .diagnose import DIAGNOSE
from .models import (
    UPDATE_FIELDS,
    Activity,
    ActivityParams,
    AgencyParams,
    BiddingPlanParams,
    ClientParams,
    CreateActivityParams,
    CreativeParams,
    ListActivitiesParams,
    ListBiddingPlansParams,
    StatisticsParams,
    UpdateActivityParams,
)
from .reads import (
    ACTIVITIES,
    ACTIVITY,
    CLIENT,
    CLIENTS,
    CREATIVES,
    PLAN,
    PLANS,
    NothingSent,
    agency_request,
    media_agency,
    read_activity,
)
from .undo import REVERSALS

# Fields the update plan explains as spend-changing.
SPEND_FIELDS = {"budget", "impressionBudget", "targetECPM", "enabled"}
CURRENT_KEY = {"activityName": "name"}


def make_client(settings: VendorSettings, options: ClientOptions) -> VendorClient:
    assert isinstance(settings, DeltaSettings) and settings.api_key is not None
    client = VendorClient(
        "deltaprojects",
        settings.url,
        Auth(query={"apikey": settings.api_key.get_secret_value()}),
        auth_hint="Check ADOPS_DELTA_API_KEY.",
        **options.kwargs(),
    )
    client.templates = tuple(t for t in (settings.client_path, settings.client_fallback_path) if t)
    return client


def _documented(call: Call) -> Request:
    """The operation's own request, with the media agency filled in from the params or the settings."""
    agency = {"mediaAgencyId": media_agency(call)} if "{mediaAgencyId}" in (call.op.path or "") else {}
    return call.request(values=agency)


def public_location(value: str | None) -> str | None:
    """A Location header as a path without query (it could carry the apikey), scrubbed."""
    if not value:
        return None
    return secrets.scrub(clean_text(urlsplit(value).path, 500))


def id_from_location(value: str | None) -> str | None:
    path = urlsplit(value or "").path.rstrip("/")
    return path.rsplit("/", 1)[-1] or None if path else None


# ---- reads -----------------------------------------------------------------------------------


async def read(call: Call) -> Any:
    request = _documented(call)
    if getattr(call.params, "include_creatives", False):
        request = replace(request, query={**request.query, "fetch": "creatives"})
    return decode(await call.fetch(request))


async def get_client(call: Call) -> Any:
    """D2's document gives two paths: its example's (ADOPS_DELTA_CLIENT_PATH) first, then on 404 its text's
    /api/v1/client/{clientId} (ADOPS_DELTA_CLIENT_FALLBACK_PATH; empty: none). Both are in the facts table
    and `doctor --probe` tries them."""
    assert isinstance(call.settings, DeltaSettings)
    first, fallback = call.settings.client_path, call.settings.client_fallback_path
    try:
        return decode(await call.fetch(agency_request(call, first, clientId=call.params.client_id)))
    except VendorError as exc:
        if exc.status != 404 or not fallback:
            raise
        first_error = exc
    try:
        return decode(await call.fetch(agency_request(call, fallback, clientId=call.params.client_id)))
    except VendorError as again:
        if again.status != 404:
            raise
        if first_error.not_an_api_answer:  # the first answer was a page, not Delta's API: say so, not "the id"
            raise first_error from None
        raise VendorError(
            "deltaprojects",
            f"Delta Projects answered 404 for client {call.params.client_id} at both paths its document gives "
            f"(GET {first}, then GET {fallback}): check the client id (delta_list_clients), or set "
            "ADOPS_DELTA_CLIENT_PATH / ADOPS_DELTA_CLIENT_FALLBACK_PATH to the path Delta Projects gave you.",
            status=404,
        ) from None


async def statistics(call: Call) -> Any:
    request = _documented(call)
    p = call.params
    if p.start_date and p.end_date:
        request = replace(
            request, query={**request.query, "interval": f"{p.start_date.isoformat()}/{p.end_date.isoformat()}"}
        )
    return decode(await call.fetch(request))


async def _client_info(call: Call) -> dict[str, Any]:
    try:
        data = clean(await get_client(_as(call, ClientParams, client_id=call.params.client_id)))
    except (VendorError, ToolError):
        return {}
    return data if isinstance(data, dict) else {}


def _as(call: Call, params: type, **values: Any) -> Call:
    agency = getattr(call.params, "media_agency_id", None)
    op = next(o for o in OPERATIONS if o.name == "delta_get_client")
    return Call(
        op=op,
        params=params(media_agency_id=agency, **values),
        client=call.client,
        settings=call.settings,
        names=call.names,  # what it reads names the parent call's ids too (the client's name and currency)
    )


def _money(value: Any, currency: str | None) -> str:
    if not isinstance(value, int | float):
        return "not reported"
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


# ---- create ----------------------------------------------------------------------------------


def _body(params: Any, names: tuple[str, ...]) -> dict[str, Any]:
    fields = type(params).model_fields
    body: dict[str, Any] = {}
    for name in names:
        value = getattr(params, name)
        if value is None:
            continue
        wire = fields[name].serialization_alias or name
        dumped = params.model_dump(mode="json", include={name})[name]
        body[wire] = json.dumps(dumped) if name == "override_variables" else dumped
    return body


CREATE_FIELDS = (
    "template_id",
    "activity_name",
    "flight_start",
    "flight_stop",
    "order_id",
    "budget",
    "target_ecpm",
    "impression_budget",
    "override_variables",
    "enabled",
    "geo_details",
    "exclude_geo",
)


async def create_plan(call: Call) -> str:
    p = call.params
    client = await _client_info(call)
    template = p.template_id
    try:
        templates = decode(await call.fetch(build("GET", "/api/v1/activity_templates"))) or []
        template = next(
            (f"{quoted(t.get('name'))} ({p.template_id})" for t in templates if t.get("id") == p.template_id), template
        )
    except VendorError:
        pass
    return (
        f"Create Delta activity {quoted(p.activity_name)} for client {quoted(client.get('name') or p.client_id)} "
        "from template "
        f"{template}, flight {p.flight_start.isoformat()} -> {p.flight_stop.isoformat()}, budget "
        f"{_money(p.budget, client.get('currency'))}, "
        + (
            "ENABLED: it starts delivering and spending as soon as its flight starts (immediately if the flight "
            "has started)."
            if p.enabled
            else "disabled: it spends nothing until it is enabled (delta_update_activity, confirmed again)."
        )
    )


async def create_activity(call: Call) -> dict[str, Any]:
    p = call.params
    body = _body(p, CREATE_FIELDS)
    # The document does not say what an omitted `enabled` means (omitted fields take the template's
    # presets), so it is always sent: false unless the user asked for true (which was confirmed).
    body["enabled"] = p.enabled is True
    create = agency_request(call, ACTIVITIES + "/create_from_template", "POST", body, clientId=p.client_id)
    response = await call.fetch(create)
    location = response.headers.get("Location")
    activity_id = id_from_location(location)
    result: dict[str, Any] = {
        "activity_id": activity_id,
        "location": public_location(location),
        "http_status": response.status_code,
        "enabled": bool(p.enabled),
    }
    if response.status_code == 202:
        result["applied"] = False
        result["summary"] = (
            "Delta accepted the creation but has not applied it yet (202): check "
            "delta_list_activities later before creating it again."
        )
    elif activity_id is None:
        result["summary"] = (
            "Delta created the activity but sent no Location header with its id: find it with "
            "delta_list_activities (do not create it again)."
        )
    else:
        result["summary"] = f"Created activity '{p.activity_name}' ({activity_id}), " + (
            "enabled." if p.enabled else "disabled (enable it with delta_update_activity when ready)."
        )
    return result


# ---- update ----------------------------------------------------------------------------------


def _update_problem(p: UpdateActivityParams, current: dict[str, Any]) -> str | None:
    has_geo = bool(current.get("geoDetails"))
    if p.geo_details is not None and not has_geo and "geoDetails" in current:
        return (
            "Nothing was sent: geo_details can only be set on an activity that already has geo targeting, "
            "and this one has none."
        )
    if p.exclude_geo is not None and p.geo_details is None and not has_geo and "geoDetails" in current:
        return "Nothing was sent: exclude_geo needs geo targeting, and this activity has none."
    start = current.get("flightStart")
    if p.flight_stop is not None and isinstance(start, str):
        try:
            begins = datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            begins = None
        if begins is not None and begins.tzinfo is not None and p.flight_stop <= begins:
            return f"Nothing was sent: flight_stop must be after the activity's flight start ({start})."
    return None


def update_body(p: UpdateActivityParams, current: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The request body, keeping excludeGeo unless the user changes it; plus a note on excludeGeo."""
    body = _body(p, UPDATE_FIELDS)
    note = None
    if "excludeGeo" not in body:
        now = current.get("excludeGeo")
        if now is True:
            body["excludeGeo"] = True
            note = (
                "excludeGeo: true (kept; sent explicitly with the current geo targets, because Delta resets "
                "it to false when it is left out)"
            )
        elif now is None:
            note = (
                "excludeGeo: Delta did not report its current value; Delta sets it to false when it is left "
                "out. Pass exclude_geo to choose"
            )
    if "excludeGeo" in body and "geoDetails" not in body and current.get("geoDetails"):
        body["geoDetails"] = current["geoDetails"]  # excludeGeo only counts together with geoDetails
    return body, note


async def update_check(call: Call) -> None:
    current = await read_activity(call)
    if problem := _update_problem(call.params, current):
        raise ToolError(problem)
    call.state["current"] = current


async def update_unchanged(call: Call) -> str | None:
    """Every field the user set already has that value: nothing to send."""
    p = call.params
    current = call.state.get("current") or await read_activity(call)
    asked = _body(p, UPDATE_FIELDS)
    if not asked or any(current.get(CURRENT_KEY.get(wire, wire)) != value for wire, value in asked.items()):
        return None
    values = ", ".join(f"{wire} {quoted(value)}" for wire, value in asked.items())
    return f"Delta activity {quoted(current.get('name') or p.activity_id)} ({p.activity_id}) already has {values}."


async def update_plan(call: Call) -> str:
    p = call.params
    current = call.state.get("current") or await read_activity(call)
    client = await _client_info(call)
    currency = client.get("currency")
    body, note = update_body(p, current)
    lines = []
    for wire, new in body.items():
        if (
            wire in ("excludeGeo", "geoDetails")
            and getattr(p, "exclude_geo" if wire == "excludeGeo" else "geo_details") is None
        ):
            continue  # shown in the note
        key = CURRENT_KEY.get(wire, wire)
        old = current.get(key, "not reported by Delta")
        if wire == "budget":
            old, new = _money(old, currency), _money(new, currency)
        line = f"- {wire}: {old} -> {new}" if wire == "budget" else f"- {wire}: {quoted(old)} -> {quoted(new)}"
        if wire == "enabled":
            line += " (starts delivery and spend)" if p.enabled else " (pauses delivery and spend)"
        lines.append(line)
    if note:
        lines.append("- " + note)
    spend = current.get("currentTargetSpend")
    status = f"currently {'enabled' if current.get('enabled') else 'disabled'}"
    if isinstance(spend, int | float):
        status += f", target spend so far {_money(spend, currency)}"
    touches = sorted(SPEND_FIELDS & body.keys())
    head = (
        f"Update Delta activity {quoted(current.get('name') or p.activity_id)} ({p.activity_id}) of client "
        f"{quoted(client.get('name') or p.client_id)} ({status})"
    )
    if touches:
        head += f"; this changes spend ({', '.join(touches)})"
    return head + ":\n" + "\n".join(lines)


async def update_activity(call: Call) -> dict[str, Any]:
    p = call.params
    current = await read_activity(call)  # fresh: excludeGeo must be what it is now
    if problem := _update_problem(p, current):
        raise NothingSent(problem)
    body, note = update_body(p, current)
    update = agency_request(call, ACTIVITY, "POST", body, clientId=p.client_id, activityId=p.activity_id)
    response = await call.fetch(update)
    result: dict[str, Any] = {
        "activity_id": p.activity_id,
        "http_status": response.status_code,
        "sent": body,
        "before": Activity.model_validate(current).model_dump(exclude_none=True),
    }
    if response.status_code == 202:
        result["applied"] = False
        result["summary"] = (
            "Delta accepted the update but has NOT applied it yet (202). Read the activity later "
            "with delta_get_activity to see it take effect; do not send it again meanwhile."
        )
        return result
    result["applied"] = True
    try:
        result["after"] = Activity.model_validate(await read_activity(call)).model_dump(exclude_none=True)
    except VendorError:
        result["after"] = None
    result["summary"] = "Delta applied the update." + (f" {note}." if note else "")
    return result


def _priced(impressions: Any, ecpm: Any) -> float | None:
    """An impression budget in money (impressions / 1000 * eCPM), or None when it cannot be priced: no eCPM
    known, or an eCPM of 0 (a target of 0 does not bound what impressions cost)."""
    count, price = amount(impressions), amount(ecpm)
    if isinstance(count, float) and isinstance(price, float) and price > 0:
        return count / 1000 * price
    return None


def _impression_money(what: str, p: Any, current: dict[str, Any] | None) -> list[SpendChange]:
    """What an activity's impression budget can spend, before and after: its impressions at its target eCPM,
    from the arguments and the current activity (a new eCPM on an impression budget changes its money too)."""
    now = current or {}
    impressions = p.impression_budget if p.impression_budget is not None else now.get("impressionBudget")
    if impressions is None or (p.impression_budget is None and p.target_ecpm is None):
        return []
    ecpm = p.target_ecpm if p.target_ecpm is not None else now.get("targetECPM")
    new = _priced(impressions, ecpm)
    old = None if current is None else _priced(now.get("impressionBudget"), now.get("targetECPM"))
    price = "an unknown target eCPM" if ecpm is None else f"eCPM {ecpm}"
    label = f"the impression budget of {what} ({impressions} impressions at {price})"
    no_budget_before = current is not None and now.get("impressionBudget") is None
    return [SpendChange(label, new, old, old_known=current is None or old is not None or no_budget_before)]


async def create_spend(call: Call) -> list[SpendChange]:
    """The new activity's budget and eCPM target, and its impression budget priced at that eCPM."""
    p = call.params
    what = f"new activity {quoted(p.activity_name)}"
    changes = field_changes(p, None, thing=what, creating=True, priced=("impression_budget",))
    return changes + _impression_money(what, p, None)


async def update_spend(call: Call) -> list[SpendChange]:
    """Old -> new budget, eCPM target and priced impression budget (current values read from Delta)."""
    p = call.params
    if p.budget is None and p.target_ecpm is None and p.impression_budget is None:
        return []
    current = call.state.get("current") or await read_activity(call)
    what = f"activity {p.activity_id}"
    changes = field_changes(p, current, thing=what, priced=("impression_budget",))
    return changes + _impression_money(what, p, current)


def _read_op(name: str, title: str, description: str, path: str, params: type, **extra: Any) -> Operation:
    return Operation(
        name=name,
        title=title,
        description=description,
        vendor="deltaprojects",
        toolset="delta",
        effect="read",
        method="GET",
        path=path,
        params=params,
        run=extra.pop("run", read),
        **extra,
    )


OPERATIONS: tuple[Operation, ...] = (
    _read_op(
        "delta_list_clients",
        "List Delta clients",
        "Lists the media agency's clients (id, name); one client's country and currency: delta_get_client.",
        CLIENTS,
        AgencyParams,
    ),
    _read_op(
        "delta_get_client",
        "Get a Delta client",
        "Reads one client: name, country and currency. To find ids: delta_list_clients.",
        CLIENT,
        ClientParams,
        run=get_client,
        default=False,
    ),
    _read_op(
        "delta_list_activities",
        "List Delta activities",
        "Lists a client's activities (id, name); fetch attaches bidding plans and "
        "creatives. One in full: delta_get_activity.",
        ACTIVITIES,
        ListActivitiesParams,
    ),
    _read_op(
        "delta_get_activity",
        "Get a Delta activity",
        "Reads one activity (ids: delta_list_activities): flight, enabled, budget or "
        "impression budget, current target spend, geo targeting. Delivery: "
        "delta_get_activity_statistics.",
        ACTIVITY,
        ActivityParams,
        result=Activity,
        resource="delta://clients/{client_id}/activities/{activity_id}",
    ),
    _read_op(
        "delta_list_activity_templates",
        "List Delta activity templates",
        "Lists the activity templates (id, name) new activities are created from.",
        "/api/v1/activity_templates",
        NoParams,
        default=False,  # needed to create an activity, which is not listed by default either
        everyday=True,
    ),
    _read_op(
        "delta_list_bidding_plans",
        "List Delta bidding plans",
        "Lists an activity's bidding plans, optionally with their creatives; one plan: delta_get_bidding_plan.",
        PLANS,
        ListBiddingPlansParams,
        default=False,
        everyday=True,
    ),
    _read_op(
        "delta_get_bidding_plan",
        "Get a Delta bidding plan",
        "Reads one bidding plan of an activity; all of them: delta_list_bidding_plans.",
        PLAN,
        BiddingPlanParams,
        default=False,
    ),
    _read_op(
        "delta_list_creatives",
        "List Delta creatives",
        "Lists a bidding plan's creatives (type DISPLAY, NATIVE or VAST, size); one creative: delta_get_creative.",
        CREATIVES,
        BiddingPlanParams,
        default=False,
    ),
    _read_op(
        "delta_get_creative",
        "Get a Delta creative",
        "Reads one creative of a bidding plan; all of them: delta_list_creatives.",
        CREATIVES + "/{creativeId}",
        CreativeParams,
        default=False,
    ),
    _read_op(
        "delta_get_activity_statistics",
        "Get Delta activity statistics",
        "Delivery statistics of an activity (bids, impressions, viewable, clicks, "
        "spend) over a date range, grouped by bidding plan, platform, format or site, "
        "in totals or per day. Settings and budget: delta_get_activity.",
        ACTIVITY + "/statistics",
        StatisticsParams,
        run=statistics,
        default=False,
        everyday=True,
    ),
    Operation(
        name="delta_create_activity",
        title="Create a Delta activity from a template",
        description="Creates an activity from a template with its budget and returns its id; asks the user "
        "first. Disabled unless enabled=true, which starts spend. To change an existing one: "
        "delta_update_activity.",
        vendor="deltaprojects",
        toolset="delta",
        effect="destructive",
        method="POST",
        path=ACTIVITIES + "/create_from_template",
        params=CreateActivityParams,
        run=create_activity,
        plan=create_plan,
        spend=create_spend,
        default=False,
        everyday=True,
    ),
    Operation(
        name="delta_update_activity",
        title="Update a Delta activity",
        description="Changes an existing activity's budget, impression budget, eCPM, enabled flag, "
        "flight stop, name, order or geo targeting; keeps excludeGeo unless told. Shows "
        "old -> new values and asks the user first. New ones: delta_create_activity.",
        vendor="deltaprojects",
        toolset="delta",
        effect="destructive",
        method="POST",
        path=ACTIVITY,
        params=UpdateActivityParams,
        check=update_check,
        plan=update_plan,
        unchanged=update_unchanged,
        run=update_activity,
        spend=update_spend,
        default=False,  # its schema alone is 550 tokens: listed when Delta is the only vendor
        everyday=True,
    ),
    DIAGNOSE,
)

VENDOR = Vendor(
    name="deltaprojects",
    display="Delta Projects",
    operations=OPERATIONS,
    make_client=make_client,
    toolsets=("delta",),
    reversals=REVERSALS,
)
