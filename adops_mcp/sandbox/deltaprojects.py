"""Delta Projects DSP API v1 simulator (VENDORS.md section 4, vendor-docs/deltaprojects-dsp-activity.txt).

Credentials (keys of the ADOPS_DELTA_* variables; constructor kwargs override):
API_KEY "sandbox-delta-key", MEDIA_AGENCY_ID "4732ecae-3bd5-5504-9bbd-fe75e5ab97af".
Every call needs the query parameter `apikey`; missing or wrong -> 401.

Errors: the vendor documents status codes only (400 malformed, 401 credentials, 404 unknown entity,
202 accepted); this sandbox answers them with the body {"message": "<what is wrong>"}.

Routes (under /deltaprojects), P = /api/v1/media_agency/{mediaAgencyId}/client/{clientId}/campaign/default
(a campaignId other than the literal `default` -> 404; an unknown media agency/client/activity -> 404):
  D1  GET  /api/v1/media_agency/{ma}/client                        [{id, name}]
  D2  GET  /api/v1/media_agency/{ma}/client/{clientId} and /api/v1/client/{clientId}
           {id, name, country, currency}; fetch=campaigns[.activities]
  D4  GET  P/activity                                            [{id, name}]; fetch=biddingPlans[.creatives]
  D5  GET  P/activity/{activityId}  {id, name, flightStart, flightStop, enabled, budget,
           impressionBudget?, currentTargetSpend | currentTargetImpressions, excludeGeo, geoDetails}
  D6  POST P/activity/create_from_template  -> 201, empty body, Location: <activity URL>
  D7  POST P/activity/{activityId}           -> 200 (or 202 with defer_updates), Location: <activity URL>
  D8  GET  /api/v1/activity_templates                            [{id, name}]
  D9  GET  P/activity/{activityId}/bidding_plan                  [{id, name}]; fetch=creatives
  D10 GET  P/activity/{activityId}/bidding_plan/{biddingPlanId}  {id, name, targetECPM}
  D11 GET  …/bidding_plan/{biddingPlanId}/creative               [{id, name, type, width, height}]
  D12 GET  …/bidding_plan/{biddingPlanId}/creative/{creativeId}
  D13 GET  P/activity/{activityId}/statistics
Location values are the activity path including the mount prefix (/deltaprojects/api/v1/...), i.e. the
full path a server behind a prefix would send; the new activity's id is its last segment.

Timestamps are written as 2014-12-31T22:00:00.000+0000; accepted as any ISO 8601 date-time
(`Z`, `+0000`, `+00:00`, or none = UTC).

D6 validation (400): templateId (known), activityName, flightStart, flightStop, orderId, budget are
required; flightStart < flightStop; budget/targetECPM >= 0; impressionBudget int >= 0;
overrideVariables a string holding a JSON object; enabled/excludeGeo booleans; geoDetails a non-empty
list of {lat -90..90, long -180..180, radius >= 0}, allowed only when the template has geo targeting;
unknown fields are refused. Leaving geoDetails out copies the template's geo presets.
D7 validation: same types, flightStop after flightStart, geoDetails only if the activity already has
geo targeting, unknown fields (e.g. flightStart, templateId) refused. **Omitting excludeGeo resets it
to false**, as the vendor documents. excludeGeo sent without geoDetails: the vendor says it "will not
be used"; this sandbox answers 400 instead (strict_exclude_geo=True, default) so the client learns to
resend geoDetails with it; strict_exclude_geo=False ignores it (stored false) like the doc's wording.
defer_updates=True makes D7 answer 202 and queue the change (sim.pending_updates) until
sim.apply_pending().

D13 statistics: interval YYYY-MM-DD/YYYY-MM-DD (inclusive, default = the flight), group_by
bidding_plan (default; rows carry id) | bidding_platform | format | site, granularity none (default,
one entry per row) | day (one entry per day, with `date`), sort_order ASC (default) | DESC orders rows
by name and day entries by date, limit >= 1 keeps the first rows. Entries: {bids, impressions,
viewable_impressions, clicks, spend}; numbers are a deterministic hash of (activity, row, day), non-zero
only for days inside the flight and not after today (sim.clock). Invalid values -> 400.

Seed (flights relative to the UTC day of sim.clock() at construction, "D"):
  clients
    b833cff3-0c18-549e-bd86-ac794c288f76  Nordic Outdoor AB      SE / SEK
    1c770c65-7137-541c-8ca0-51311eee3004  Rheinland Mobil GmbH   DE / EUR
  templates
    d4d6834c-3b53-54d9-a799-05c14d06a1c4  Display - geo radius   (has geo targeting)
    44162014-9ed1-5282-9dfb-3c39d8d81703  Display - national     (no geo targeting)
  activities (client SE)
    03bbfc1b-cc72-54a0-9d17-d84987cdbf53  Spring Sale Stockholm   enabled, in flight, spending
    886bb4bc-e921-5315-9116-906afbd62317  Brand Awareness Q2      disabled, in flight
    70a42d70-7e0c-5e14-8c45-be234b2bbb7b  Midsummer Launch        enabled, flight starts D+14
    23260f60-4981-5597-8450-5ff99e96816c  Winter Clearance        enabled, flight ended D-30
  activities (client DE)
    04008201-44c4-537c-9f94-18e3a7713a66  Autohaus Leasing        enabled, in flight, budget spent
    2d11e10d-83de-5ec7-819e-3260b7974d65  E-Bike Video Push       enabled, impressionBudget 500000
    d3f22841-e88f-5bca-babb-5a2601542a70  Berlin Exclusion Test   enabled, geo template, excludeGeo
                                          true + geoDetails (an update without excludeGeo resets it)
  Each activity has two bidding plans ("Prospecting" with DISPLAY 300x250 + 728x90, "Retargeting"
  with NATIVE 1200x627 + VAST 640x360); their ids are uuid5 values, see sim.bidding_plans(activityId).

Test helpers: sim.activity(id) (stored record), sim.bidding_plans(id), sim.pending_updates,
sim.apply_pending(), sim.defer_updates, sim.strict_exclude_geo, sim.created (ids made by D6).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

NS = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
DAY = 86400

CLIENT_SE = "b833cff3-0c18-549e-bd86-ac794c288f76"
CLIENT_DE = "1c770c65-7137-541c-8ca0-51311eee3004"
TEMPLATE_GEO = "d4d6834c-3b53-54d9-a799-05c14d06a1c4"
TEMPLATE_PLAIN = "44162014-9ed1-5282-9dfb-3c39d8d81703"
ACT_LIVE = "03bbfc1b-cc72-54a0-9d17-d84987cdbf53"
ACT_DISABLED = "886bb4bc-e921-5315-9116-906afbd62317"
ACT_FUTURE = "70a42d70-7e0c-5e14-8c45-be234b2bbb7b"
ACT_ENDED = "23260f60-4981-5597-8450-5ff99e96816c"
ACT_SPENT = "04008201-44c4-537c-9f94-18e3a7713a66"
ACT_IMPRESSIONS = "2d11e10d-83de-5ec7-819e-3260b7974d65"
ACT_GEO = "d3f22841-e88f-5bca-babb-5a2601542a70"

CLIENTS = {
    CLIENT_SE: {"id": CLIENT_SE, "name": "Nordic Outdoor AB", "country": "SE", "currency": "SEK"},
    CLIENT_DE: {"id": CLIENT_DE, "name": "Rheinland Mobil GmbH", "country": "DE", "currency": "EUR"},
}
TEMPLATES = {
    TEMPLATE_GEO: {
        "id": TEMPLATE_GEO,
        "name": "Display - geo radius",
        "targetECPM": 3.5,
        "geoDetails": [{"lat": 59.3293, "long": 18.0686, "radius": 30}],
    },
    TEMPLATE_PLAIN: {"id": TEMPLATE_PLAIN, "name": "Display - national", "targetECPM": 2.4, "geoDetails": []},
}
PLATFORMS = ["Google AdX", "PubMatic", "Xandr"]
SITES = {
    "SE": ["aftonbladet.se", "dn.se", "expressen.se", "svd.se"],
    "DE": ["bild.de", "spiegel.de", "welt.de", "zeit.de"],
}
PLANS = [
    ("Prospecting", [("DISPLAY", 300, 250), ("DISPLAY", 728, 90)]),
    ("Retargeting", [("NATIVE", 1200, 627), ("VAST", 640, 360)]),
]
# key, client, name, template, flight start/stop (days from D), enabled, budget, spend, impressions budget/done, geo
SEED = [
    (ACT_LIVE, CLIENT_SE, "Spring Sale Stockholm", TEMPLATE_PLAIN, -10, 20, True, 150000.0, 48250.5, None, None),
    (ACT_DISABLED, CLIENT_SE, "Brand Awareness Q2", TEMPLATE_PLAIN, -5, 25, False, 80000.0, 12000.0, None, None),
    (ACT_FUTURE, CLIENT_SE, "Midsummer Launch", TEMPLATE_PLAIN, 14, 44, True, 60000.0, 0.0, None, None),
    (ACT_ENDED, CLIENT_SE, "Winter Clearance", TEMPLATE_PLAIN, -60, -30, True, 50000.0, 49870.25, None, None),
    (ACT_SPENT, CLIENT_DE, "Autohaus Leasing", TEMPLATE_PLAIN, -20, 10, True, 20000.0, 20000.0, None, None),
    (ACT_IMPRESSIONS, CLIENT_DE, "E-Bike Video Push", TEMPLATE_PLAIN, -7, 23, True, 9000.0, None, 500000, 123456),
    (ACT_GEO, CLIENT_DE, "Berlin Exclusion Test", TEMPLATE_GEO, -3, 27, True, 60000.0, 15000.0, None, None),
]
BERLIN = [{"lat": 52.52, "long": 13.405, "radius": 25}]

CREATE_REQUIRED = ("templateId", "activityName", "flightStart", "flightStop", "orderId", "budget")
CREATE_FIELDS = set(CREATE_REQUIRED) | {
    "targetECPM",
    "impressionBudget",
    "overrideVariables",
    "enabled",
    "geoDetails",
    "excludeGeo",
}
UPDATE_FIELDS = {
    "activityName",
    "flightStop",
    "targetECPM",
    "orderId",
    "budget",
    "impressionBudget",
    "overrideVariables",
    "enabled",
    "geoDetails",
    "excludeGeo",
}
INTERVAL = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")


class Invalid(Exception):
    """A 400 with this message."""


def message(status_code: int, text: str) -> JSONResponse:
    return JSONResponse({"message": text}, status_code=status_code)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_time(name: str, value: Any) -> datetime:
    if not isinstance(value, str) or "T" not in value:
        raise Invalid(f"{name} must be an ISO 8601 timestamp, e.g. 2015-01-01T00:00:00Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name} must be an ISO 8601 timestamp, e.g. 2015-01-01T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_fields(body: dict[str, Any]) -> None:
    """Type checks shared by create and update."""
    for name in ("activityName", "orderId", "templateId"):
        if name in body and (not isinstance(body[name], str) or not body[name].strip()):
            raise Invalid(f"{name} must be a non-empty string")
    for name in ("budget", "targetECPM"):
        if name in body and (not _number(body[name]) or body[name] < 0):
            raise Invalid(f"{name} must be a number >= 0")
    if "impressionBudget" in body:
        value = body["impressionBudget"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise Invalid("impressionBudget must be an integer >= 0")
    if "overrideVariables" in body:
        value = body["overrideVariables"]
        try:
            ok = isinstance(value, str) and isinstance(json.loads(value), dict)
        except ValueError:
            ok = False
        if not ok:
            raise Invalid('overrideVariables must be a string holding a JSON object, e.g. "{\\"color\\": \\"red\\"}"')
    for name in ("enabled", "excludeGeo"):
        if name in body and not isinstance(body[name], bool):
            raise Invalid(f"{name} must be true or false")
    if "geoDetails" in body:
        geo = body["geoDetails"]
        if not isinstance(geo, list) or not geo:
            raise Invalid("geoDetails must be a non-empty list of {lat, long, radius}")
        for item in geo:
            if not isinstance(item, dict) or set(item) != {"lat", "long", "radius"}:
                raise Invalid("each geoDetails item needs exactly lat, long and radius")
            if not all(_number(item[k]) for k in ("lat", "long", "radius")):
                raise Invalid("geoDetails lat, long and radius must be numbers")
            if not -90 <= item["lat"] <= 90:
                raise Invalid(f"geoDetails lat {item['lat']} is outside -90..90")
            if not -180 <= item["long"] <= 180:
                raise Invalid(f"geoDetails long {item['long']} is outside -180..180")
            if item["radius"] < 0:
                raise Invalid("geoDetails radius cannot be negative")


class DeltaSimulator:
    vendor = "deltaprojects"

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        defer_updates: bool = False,
        strict_exclude_geo: bool = True,
        **credentials: str,
    ) -> None:
        self.credentials = {
            "API_KEY": "sandbox-delta-key",
            "MEDIA_AGENCY_ID": "4732ecae-3bd5-5504-9bbd-fe75e5ab97af",
            **credentials,
        }
        self.clock = clock
        self.defer_updates = defer_updates
        self.strict_exclude_geo = strict_exclude_geo
        self.pending_updates: list[tuple[str, dict[str, Any]]] = []
        self.created: list[str] = []
        self._activities: dict[str, dict[str, Any]] = {}
        self._plans: dict[str, list[dict[str, Any]]] = {}
        base = datetime.fromtimestamp(int(clock() // DAY) * DAY, UTC)
        for act_id, client, name, template, start, stop, enabled, budget, spend, imp_budget, imps in SEED:
            geo = copy.deepcopy(BERLIN if act_id == ACT_GEO else TEMPLATES[template]["geoDetails"])
            record: dict[str, Any] = {
                "id": act_id,
                "client": client,
                "templateId": template,
                "name": name,
                "flightStart": base + timedelta(days=start),
                "flightStop": base + timedelta(days=stop, seconds=DAY - 1),
                "enabled": enabled,
                "budget": budget,
                "impressionBudget": imp_budget,
                "currentTargetSpend": spend if spend is not None else 0.0,
                "currentTargetImpressions": imps,
                "targetECPM": TEMPLATES[template]["targetECPM"],
                "orderId": f"PO-{act_id[:6].upper()}",
                "overrideVariables": None,
                "geoDetails": geo,
                "excludeGeo": act_id == ACT_GEO,
            }
            self._activities[act_id] = record
            self._plans[act_id] = self._make_plans(act_id, PLANS)

    # ---- helpers for tests -------------------------------------------------------------------

    def activity(self, activity_id: str) -> dict[str, Any]:
        return self._activities[activity_id]

    def bidding_plans(self, activity_id: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self._plans[activity_id])

    def apply_pending(self) -> None:
        for activity_id, body in self.pending_updates:
            self._apply_update(self._activities[activity_id], body)
        self.pending_updates.clear()

    def _make_plans(self, act_id: str, plans: list[tuple[str, list[tuple[str, int, int]]]]) -> list[dict[str, Any]]:
        out = []
        for p, (plan_name, creatives) in enumerate(plans, start=1):
            plan_id = str(uuid.uuid5(NS, f"delta-sandbox-{act_id}-bp{p}"))
            items = [
                {
                    "id": str(uuid.uuid5(NS, f"delta-sandbox-{act_id}-bp{p}-cr{c}")),
                    "name": f"{plan_name} {kind.lower()} {w}x{h}",
                    "type": kind,
                    "width": w,
                    "height": h,
                }
                for c, (kind, w, h) in enumerate(creatives, start=1)
            ]
            out.append({"id": plan_id, "name": plan_name, "creatives": items})
        return out

    # ---- request plumbing --------------------------------------------------------------------

    def _denied(self, request: Request) -> Response | None:
        key = request.query_params.get("apikey")
        if not key:
            return message(401, "Missing apikey query parameter")
        if key != self.credentials["API_KEY"]:
            return message(401, "Invalid apikey")
        return None

    def _client(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        params = request.path_params
        if denied := self._denied(request):
            return None, denied
        if "mediaAgencyId" in params and params["mediaAgencyId"] != self.credentials["MEDIA_AGENCY_ID"]:
            return None, message(404, f"Media agency {params['mediaAgencyId']} not found")
        if params.get("campaignId", "default") != "default":
            return None, message(404, f'Campaign {params["campaignId"]} not found (must be "default" in v1)')
        client = CLIENTS.get(params.get("clientId", ""))
        if "clientId" in params and client is None:
            return None, message(404, f"Client {params['clientId']} not found")
        return client, None

    def _activity(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        client, problem = self._client(request)
        if problem or client is None:
            return None, problem
        activity = self._activities.get(request.path_params["activityId"])
        if activity is None or activity["client"] != client["id"]:
            return None, message(404, f"Activity {request.path_params['activityId']} not found")
        return activity, None

    def _plan(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        activity, problem = self._activity(request)
        if problem or activity is None:
            return None, problem
        plan_id = request.path_params["biddingPlanId"]
        for plan in self._plans[activity["id"]]:
            if plan["id"] == plan_id:
                return plan, None
        return None, message(404, f"Bidding plan {plan_id} not found")

    def _location(self, request: Request, activity: dict[str, Any]) -> str:
        ma = self.credentials["MEDIA_AGENCY_ID"]
        path = f"/api/v1/media_agency/{ma}/client/{activity['client']}/campaign/default/activity/{activity['id']}"
        root: str = request.scope.get("root_path", "")
        return root + path

    async def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            raise Invalid("Request body must be JSON") from None
        if not isinstance(body, dict):
            raise Invalid("Request body must be a JSON object")
        return body

    def _view(self, activity: dict[str, Any]) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": activity["id"],
            "name": activity["name"],
            "flightStart": stamp(activity["flightStart"]),
            "flightStop": stamp(activity["flightStop"]),
            "enabled": activity["enabled"],
            "budget": float(activity["budget"]),
        }
        if activity["impressionBudget"] is not None:
            view["impressionBudget"] = activity["impressionBudget"]
            view["currentTargetImpressions"] = activity["currentTargetImpressions"] or 0
        else:
            view["currentTargetSpend"] = activity["currentTargetSpend"]
        view["excludeGeo"] = activity["excludeGeo"]
        view["geoDetails"] = copy.deepcopy(activity["geoDetails"])
        return view

    def _plan_view(self, plan: dict[str, Any], with_creatives: bool) -> dict[str, Any]:
        view = {"id": plan["id"], "name": plan["name"]}
        if with_creatives:
            view["creatives"] = copy.deepcopy(plan["creatives"])
        return view

    def _brief(self, activity: dict[str, Any], fetch: str) -> dict[str, Any]:
        item: dict[str, Any] = {"id": activity["id"], "name": activity["name"]}
        if fetch in ("biddingPlans", "biddingPlans.creatives"):
            item["biddingPlans"] = [
                self._plan_view(p, fetch == "biddingPlans.creatives") for p in self._plans[activity["id"]]
            ]
        return item

    # ---- handlers ----------------------------------------------------------------------------

    async def list_clients(self, request: Request) -> Response:
        _, problem = self._client(request)
        if problem:
            return problem
        return JSONResponse([{"id": c["id"], "name": c["name"]} for c in CLIENTS.values()])

    async def get_client(self, request: Request) -> Response:
        client, problem = self._client(request)
        if problem or client is None:
            return problem or message(404, "Client not found")
        body: dict[str, Any] = dict(client)
        fetch = request.query_params.get("fetch", "")
        if fetch in ("campaigns", "campaigns.activities"):
            campaign: dict[str, Any] = {"id": "default", "name": "default"}
            if fetch == "campaigns.activities":
                campaign["activities"] = [
                    {"id": a["id"], "name": a["name"]} for a in self._activities.values() if a["client"] == client["id"]
                ]
            body["campaigns"] = [campaign]
        return JSONResponse(body)

    async def list_activities(self, request: Request) -> Response:
        client, problem = self._client(request)
        if problem or client is None:
            return problem or message(404, "Client not found")
        fetch = request.query_params.get("fetch", "")
        return JSONResponse([self._brief(a, fetch) for a in self._activities.values() if a["client"] == client["id"]])

    async def get_activity(self, request: Request) -> Response:
        activity, problem = self._activity(request)
        if problem or activity is None:
            return problem or message(404, "Activity not found")
        view = self._view(activity)
        fetch = request.query_params.get("fetch", "")
        if fetch.startswith("biddingPlans"):
            view["biddingPlans"] = self._brief(activity, fetch)["biddingPlans"]
        return JSONResponse(view)

    async def create_activity(self, request: Request) -> Response:
        client, problem = self._client(request)
        if problem or client is None:
            return problem or message(404, "Client not found")
        try:
            body = await self._body(request)
            activity = self._validate_create(client["id"], body)
        except Invalid as exc:
            return message(400, str(exc))
        self._activities[activity["id"]] = activity
        self._plans[activity["id"]] = self._make_plans(activity["id"], [("Default", [])])
        self.created.append(activity["id"])
        return Response(status_code=201, headers={"Location": self._location(request, activity)})

    def _validate_create(self, client_id: str, body: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(body) - CREATE_FIELDS)
        if unknown:
            raise Invalid(f"Unknown field(s): {', '.join(unknown)}")
        missing = [name for name in CREATE_REQUIRED if name not in body or body[name] is None]
        if missing:
            raise Invalid(f"Missing required field(s): {', '.join(missing)}")
        check_fields(body)
        template = TEMPLATES.get(body["templateId"])
        if template is None:
            raise Invalid(f"Unknown templateId {body['templateId']}")
        start = parse_time("flightStart", body["flightStart"])
        stop = parse_time("flightStop", body["flightStop"])
        if start >= stop:
            raise Invalid("flightStart must be before flightStop")
        if "geoDetails" in body and not template["geoDetails"]:
            raise Invalid("geoDetails can only be used when the template has a geo targeting rule")
        exclude = self._exclude_geo(body)
        activity_id = str(uuid.uuid5(NS, f"delta-sandbox-created-{len(self.created) + 1}"))
        return {
            "id": activity_id,
            "client": client_id,
            "templateId": template["id"],
            "name": body["activityName"],
            "flightStart": start,
            "flightStop": stop,
            "enabled": body.get("enabled", False),
            "budget": float(body["budget"]),
            "impressionBudget": body.get("impressionBudget"),
            "currentTargetSpend": 0.0,
            "currentTargetImpressions": 0 if body.get("impressionBudget") is not None else None,
            "targetECPM": body.get("targetECPM", template["targetECPM"]),
            "orderId": body["orderId"],
            "overrideVariables": body.get("overrideVariables"),
            "geoDetails": copy.deepcopy(body.get("geoDetails", template["geoDetails"])),
            "excludeGeo": exclude,
        }

    def _exclude_geo(self, body: dict[str, Any]) -> bool:
        """Omitted -> false; given without geoDetails -> 400 (strict) or ignored (doc wording)."""
        if "excludeGeo" not in body:
            return False
        if "geoDetails" not in body:
            if self.strict_exclude_geo:
                raise Invalid("excludeGeo can only be used together with geoDetails")
            return False
        return bool(body["excludeGeo"])

    async def update_activity(self, request: Request) -> Response:
        activity, problem = self._activity(request)
        if problem or activity is None:
            return problem or message(404, "Activity not found")
        try:
            body = await self._body(request)
            self._validate_update(activity, body)
        except Invalid as exc:
            return message(400, str(exc))
        headers = {"Location": self._location(request, activity)}
        if self.defer_updates:
            self.pending_updates.append((activity["id"], body))
            return Response(status_code=202, headers=headers)
        self._apply_update(activity, body)
        return Response(status_code=200, headers=headers)

    def _validate_update(self, activity: dict[str, Any], body: dict[str, Any]) -> None:
        unknown = sorted(set(body) - UPDATE_FIELDS)
        if unknown:
            raise Invalid(f"Unknown field(s) for update: {', '.join(unknown)}")
        check_fields(body)
        if "flightStop" in body and parse_time("flightStop", body["flightStop"]) <= activity["flightStart"]:
            raise Invalid("flightStop must be after the activity's flightStart")
        if "geoDetails" in body and not activity["geoDetails"]:
            raise Invalid("geoDetails can only be used when the activity already has a geo targeting rule")
        self._exclude_geo(body)

    def _apply_update(self, activity: dict[str, Any], body: dict[str, Any]) -> None:
        renames = {"activityName": "name"}
        for field in UPDATE_FIELDS - {"flightStop", "excludeGeo", "geoDetails"}:
            if field in body:
                activity[renames.get(field, field)] = body[field]
        if "flightStop" in body:
            activity["flightStop"] = parse_time("flightStop", body["flightStop"])
        if "geoDetails" in body:
            activity["geoDetails"] = copy.deepcopy(body["geoDetails"])
        if activity["impressionBudget"] is not None and activity["currentTargetImpressions"] is None:
            ecpm = activity["targetECPM"] or 1.0
            activity["currentTargetImpressions"] = int(activity["currentTargetSpend"] / ecpm * 1000)
        # The documented trap: leaving excludeGeo out sets it to false.
        activity["excludeGeo"] = self._exclude_geo(body)

    async def list_templates(self, request: Request) -> Response:
        if denied := self._denied(request):
            return denied
        return JSONResponse([{"id": t["id"], "name": t["name"]} for t in TEMPLATES.values()])

    async def list_plans(self, request: Request) -> Response:
        activity, problem = self._activity(request)
        if problem or activity is None:
            return problem or message(404, "Activity not found")
        with_creatives = request.query_params.get("fetch") == "creatives"
        return JSONResponse([self._plan_view(p, with_creatives) for p in self._plans[activity["id"]]])

    async def get_plan(self, request: Request) -> Response:
        plan, problem = self._plan(request)
        if problem or plan is None:
            return problem or message(404, "Bidding plan not found")
        activity = self._activities[request.path_params["activityId"]]
        view = self._plan_view(plan, request.query_params.get("fetch") == "creatives")
        view["targetECPM"] = activity["targetECPM"]
        return JSONResponse(view)

    async def list_creatives(self, request: Request) -> Response:
        plan, problem = self._plan(request)
        if problem or plan is None:
            return problem or message(404, "Bidding plan not found")
        return JSONResponse(copy.deepcopy(plan["creatives"]))

    async def get_creative(self, request: Request) -> Response:
        plan, problem = self._plan(request)
        if problem or plan is None:
            return problem or message(404, "Bidding plan not found")
        for creative in plan["creatives"]:
            if creative["id"] == request.path_params["creativeId"]:
                return JSONResponse(dict(creative))
        return message(404, f"Creative {request.path_params['creativeId']} not found")

    # ---- statistics --------------------------------------------------------------------------

    async def statistics(self, request: Request) -> Response:
        activity, problem = self._activity(request)
        if problem or activity is None:
            return problem or message(404, "Activity not found")
        try:
            return JSONResponse(self._statistics(activity, request.query_params))
        except Invalid as exc:
            return message(400, str(exc))

    def _rows(self, activity: dict[str, Any], group_by: str) -> list[dict[str, Any]]:
        plans = self._plans[activity["id"]]
        if group_by == "bidding_plan":
            return [{"name": p["name"], "id": p["id"]} for p in plans]
        if group_by == "bidding_platform":
            return [{"name": name} for name in PLATFORMS]
        if group_by == "format":
            sizes = sorted({f"{c['width']}x{c['height']}" for p in plans for c in p["creatives"]})
            return [{"name": size} for size in sizes]
        if group_by == "site":
            return [{"name": site} for site in SITES[CLIENTS[activity["client"]]["country"]]]
        raise Invalid("group_by must be bidding_plan, bidding_platform, format or site")

    def _statistics(self, activity: dict[str, Any], query: Any) -> list[dict[str, Any]]:
        group_by = query.get("group_by", "bidding_plan")
        granularity = query.get("granularity", "none")
        sort_order = query.get("sort_order", "ASC")
        if granularity not in ("none", "day"):
            raise Invalid("granularity must be none or day")
        if sort_order not in ("ASC", "DESC"):
            raise Invalid("sort_order must be ASC or DESC")
        limit = None
        if "limit" in query:
            if not query["limit"].isdigit() or int(query["limit"]) < 1:
                raise Invalid("limit must be a positive integer")
            limit = int(query["limit"])
        first, last = activity["flightStart"].date(), activity["flightStop"].date()
        if "interval" in query:
            match = INTERVAL.match(query["interval"])
            try:
                if not match:
                    raise ValueError
                first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            except ValueError:
                raise Invalid("interval must be YYYY-MM-DD/YYYY-MM-DD") from None
            if first > last:
                raise Invalid("interval start must not be after its end")
        rows = self._rows(activity, group_by)
        today = datetime.fromtimestamp(self.clock(), UTC).date()
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        descending = sort_order == "DESC"
        for row in rows:
            entries = [self._entry(activity, row["name"], day, today) for day in days]
            if granularity == "day":
                row["entries"] = sorted(entries, key=lambda e: e["date"], reverse=descending)
            else:
                total = {
                    k: sum(e[k] for e in entries) for k in ("bids", "impressions", "viewable_impressions", "clicks")
                }
                total["spend"] = round(sum(e["spend"] for e in entries), 2)
                row["entries"] = [total]
        rows.sort(key=lambda r: r["name"], reverse=descending)
        return rows[:limit] if limit else rows

    def _entry(self, activity: dict[str, Any], row: str, day: date, today: date) -> dict[str, Any]:
        live = activity["flightStart"].date() <= day <= min(activity["flightStop"].date(), today)
        h = int(hashlib.sha256(f"{activity['id']}|{row}|{day}".encode()).hexdigest()[:12], 16) if live else 0
        impressions = 2000 + h % 8000 if live else 0
        return {
            "date": day.isoformat(),
            "bids": impressions * (3 + h % 5),
            "impressions": impressions,
            "viewable_impressions": impressions * (55 + h % 30) // 100,
            "clicks": impressions * (1 + h % 9) // 1000,
            "spend": round(impressions * float(activity["targetECPM"] or 2.5) / 1000, 2),
        }

    def routes(self) -> list[BaseRoute]:
        ma = "/api/v1/media_agency/{mediaAgencyId}"
        p = ma + "/client/{clientId}/campaign/{campaignId}"
        act = p + "/activity/{activityId}"
        plan = act + "/bidding_plan/{biddingPlanId}"
        return [
            Route(ma + "/client", self.list_clients, methods=["GET"]),
            Route(ma + "/client/{clientId}", self.get_client, methods=["GET"]),
            Route("/api/v1/client/{clientId}", self.get_client, methods=["GET"]),
            Route(p + "/activity", self.list_activities, methods=["GET"]),
            Route(p + "/activity/create_from_template", self.create_activity, methods=["POST"]),
            Route(act, self.get_activity, methods=["GET"]),
            Route(act, self.update_activity, methods=["POST"]),
            Route(act + "/statistics", self.statistics, methods=["GET"]),
            Route(act + "/bidding_plan", self.list_plans, methods=["GET"]),
            Route(plan, self.get_plan, methods=["GET"]),
            Route(plan + "/creative", self.list_creatives, methods=["GET"]),
            Route(plan + "/creative/{creativeId}", self.get_creative, methods=["GET"]),
            Route("/api/v1/activity_templates", self.list_templates, methods=["GET"]),
        ]
