"""Merchenta RTB API v3 simulator (VENDORS.md section 3, vendor-docs/merchenta-rtb-creative-status.txt).

Credentials (keys of the ADOPS_MERCHENTA_* variables; constructor kwargs override):
USERNAME "sandbox@adops.example", PASSWORD "sandbox-merchenta-password", ADVERTISER "SANDBOX1".

Routes (under the sandbox prefix /merchenta):
  M1  GET    /v3/oauth/accessToken?username&password&advertiser
  M9  GET    /v3/campaigns/{campaignCode}/status
  M10 GET    /v3/creatives/{creativeCode}/status
  M11 POST   /v3/creatives/{creativeCode}/status   form status=ACTIVE|INACTIVE
  M12 POST   /v3/campaigns/{campaignCode}/status   form status=ACTIVE|INACTIVE
  M7  POST   /v3/campaigns/{campaignCode}/lock     (PROPOSED path; absent with lock_endpoint=False)
  M8  DELETE /v3/campaigns/{campaignCode}/lock     (PROPOSED path; absent with lock_endpoint=False)

Envelopes are JSend: success {status:"success", data?}; fail {status:"fail", data:{errors:[{code,
description}]}}; error {status:"error", code, message}. 401s are `error`, every other 4xx is `fail`.

Error codes (only REQ002, REQ003 and E10059 are vendor-documented; the rest are this sandbox's choice):
  E10001 401 error  no/malformed `Authorization: Bearer` header
  E10002 401 error  unknown or tampered token
  E10003 401 error  token expired (1 h after login, or after sim.expire_tokens())
  E10004 401 error  wrong username/password/advertiser at login
  E10040 404 fail   unknown campaign or creative code
  REQ002 400 fail   mandatory parameter missing (login query, form field `status`)
  REQ003 400 fail   invalid value (status other than ACTIVE|INACTIVE)
  E10059 400 fail   illegal status transition; text "it is not possible to change status from X to Y
                    for creative C" (also used as data.warnings[] items on partial campaign changes)
  E10060 400 fail   campaign must be locked for editing (status change without M7 first)
  E10061 400 fail   Content-Type must be application/x-www-form-urlencoded
Missing `Authorization` wins over everything but a 404 route. A wrong Content-Type is reported
before form and lock checks; the lock is checked before transitions.

Transitions accepted by M11/M12: ACTIVE <-> INACTIVE, and X -> X (no-op success). Refused with E10059:
PENDING -> ACTIVE (vendor-documented), PENDING -> INACTIVE (sandbox decision: INACTIVE means
"approved, paused", so a creative under review cannot be paused; it is not serving anyway), and any
change of a REJECTED creative. PENDING -> ACTIVE|REJECTED happens only by review: `sim.review(code,
approve=...)`. M12 answers 200 success when every creative is (now) in the target state, 200 success
with data.warnings[] naming each creative left unchanged when only some were, 400 fail (errors[]) when
none could be. The lock: M7 and M8 are idempotent and the lock has no TTL; `require_lock=False` turns
the check off, `lock_endpoint=False` removes the M7/M8 routes (plain 404) so the status calls cannot
succeed; a client should then say the lock endpoint is missing.

Seeded campaigns (A = advertiser code, default SANDBOX1):
  A-SPRING-DELIVERING  creatives A-SPRING-DELIVERING-1, -2 ACTIVE (campaign delivers)
  A-SUMMER-PENDING     creatives A-SUMMER-PENDING-1, -2 PENDING review: "why is my campaign not
                       delivering?" -- the creatives are still under review; E10059 on activation
  A-AUTUMN-MIXED       -1 ACTIVE, -2 PENDING, -3 REJECTED, -4 INACTIVE (partial campaign-wide changes)
  A-WINTER-PAUSED      -1, -2 INACTIVE (whole campaign paused; M12 ACTIVE resumes it)

Test helpers: sim.creative(code), sim.campaign(code) (creatives in order), sim.campaign_status(code),
sim.locked(code), sim.log (ordered (campaign, action, detail) tuples for lock/change/unlock),
sim.logins (successful logins), sim.expire_tokens(), sim.review(code, approve, message).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

TOKEN_LIFETIME = 3600.0
FORM_TYPE = "application/x-www-form-urlencoded"
STATUSES = ("ACTIVE", "INACTIVE")

MESSAGES = {
    "ACTIVE": "Creative approved and running.",
    "INACTIVE": "Creative approved; paused by the advertiser.",
    "PENDING": "Creative is under review. Please check again later.",
    "REJECTED": "Creative rejected: landing page does not match the advertiser domain.",
}

# Campaign suffix -> creatives as (creative file, approvalStatus, latestUpdate).
SEED: dict[str, list[tuple[str, str, str]]] = {
    "SPRING-DELIVERING": [
        ("Spring-Leader-A.10231.jpg", "ACTIVE", "2014-03-12T09:15:04.000"),
        ("Spring-MPU-A.10232.jpg", "ACTIVE", "2014-03-12T09:15:04.000"),
    ],
    "SUMMER-PENDING": [
        ("Summer-Leader-v2-A.78595.jpg", "PENDING", "2014-04-18T16:13:32.000"),
        ("Summer-IMU-v2-A.47831.jpg", "PENDING", "2014-04-18T16:13:32.000"),
    ],
    "AUTUMN-MIXED": [
        ("Autumn-Leader-A.33410.jpg", "ACTIVE", "2014-03-20T11:02:47.000"),
        ("Autumn-Skyscraper-A.33411.jpg", "PENDING", "2014-04-19T08:44:10.000"),
        ("Autumn-Video-A.33412.mp4", "REJECTED", "2014-04-02T14:30:00.000"),
        ("Autumn-MPU-A.33413.jpg", "INACTIVE", "2014-03-28T17:05:51.000"),
    ],
    "WINTER-PAUSED": [
        ("Winter-Leader-A.55120.jpg", "INACTIVE", "2014-03-31T23:59:00.000"),
        ("Winter-MPU-A.55121.jpg", "INACTIVE", "2014-03-31T23:59:00.000"),
    ],
}


def iso(epoch: float) -> str:
    """Merchenta's timestamp form: 2014-10-07T10:20:12.489 (UTC, milliseconds, no zone)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def success(data: Any = None, status_code: int = 200) -> JSONResponse:
    body: dict[str, Any] = {"status": "success"}
    if data is not None:
        body["data"] = data
    return JSONResponse(body, status_code=status_code)


def fail(status_code: int, *errors: tuple[str, str]) -> JSONResponse:
    items = [{"code": code, "description": text} for code, text in errors]
    return JSONResponse({"status": "fail", "data": {"errors": items}}, status_code=status_code)


def error(status_code: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"status": "error", "code": code, "message": message}, status_code=status_code)


class MerchentaSimulator:
    vendor = "merchenta"

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        lock_endpoint: bool = True,
        require_lock: bool = True,
        **credentials: str,
    ) -> None:
        self.credentials = {
            "USERNAME": "sandbox@adops.example",
            "PASSWORD": "sandbox-merchenta-password",
            "ADVERTISER": "SANDBOX1",
            **credentials,
        }
        self.clock = clock
        self.lock_endpoint = lock_endpoint
        self.require_lock = require_lock
        self.logins = 0
        self.log: list[tuple[str, str, str]] = []
        self._tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self._key = hashlib.sha256(b"merchenta-sandbox-signing").digest()
        self._locks: set[str] = set()
        self._creatives: dict[str, dict[str, Any]] = {}
        self._campaigns: dict[str, list[str]] = {}
        adv = self.credentials["ADVERTISER"]
        for suffix, creatives in SEED.items():
            campaign = f"{adv}-{suffix}"
            self._campaigns[campaign] = []
            for n, (file, status, updated) in enumerate(creatives, start=1):
                code = f"{campaign}-{n}"
                self._campaigns[campaign].append(code)
                self._creatives[code] = {
                    "campaign": campaign,
                    "creativeID": f"{adv}-{file}",
                    "creativeCode": code,
                    "approvalStatus": status,
                    "approvalMessage": MESSAGES[status],
                    "latestUpdate": updated,
                }

    # ---- helpers for tests -------------------------------------------------------------------

    def creative(self, code: str) -> dict[str, Any]:
        return self._public(code)

    def campaign(self, code: str) -> list[dict[str, Any]]:
        return [self._public(c) for c in self._campaigns[code]]

    def campaign_status(self, code: str) -> str:
        """Derived like the campaign model's read-only status: ACTIVE if any creative serves."""
        states = {self._creatives[c]["approvalStatus"] for c in self._campaigns[code]}
        for status in ("ACTIVE", "PENDING", "INACTIVE"):
            if status in states:
                return status
        return "REJECTED"

    def locked(self, code: str) -> bool:
        return code in self._locks

    def expire_tokens(self) -> None:
        """Tokens "may expire early": every token issued so far now answers 401 E10003."""
        for token in self._tokens:
            self._tokens[token] = float("-inf")

    def review(self, code: str, approve: bool = True, message: str | None = None) -> None:
        """Merchenta's creative review: PENDING -> ACTIVE (approve) or REJECTED."""
        status = "ACTIVE" if approve else "REJECTED"
        self._set(code, status, message or MESSAGES[status])

    def _public(self, code: str) -> dict[str, Any]:
        return {k: v for k, v in self._creatives[code].items() if k != "campaign"}

    def _set(self, code: str, status: str, message: str | None = None) -> None:
        creative = self._creatives[code]
        creative["approvalStatus"] = status
        creative["approvalMessage"] = message or MESSAGES[status]
        creative["latestUpdate"] = iso(self.clock())

    # ---- auth --------------------------------------------------------------------------------

    def _issue(self) -> str:
        now = self.clock()
        self.logins += 1
        header = {"alg": "HS256", "typ": "JWT"}
        payload = {
            "adv": self.credentials["ADVERTISER"],
            "exp": iso(now + TOKEN_LIFETIME),
            "rlm": "ADMIN",
            "usr": self.credentials["USERNAME"],
            "iat": iso(now),
            "jti": str(self.logins),
        }
        signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
        # The vendor's sample token carries a hex HMAC-SHA256 signature; so does this one.
        signature = hmac.new(self._key, signing.encode(), hashlib.sha256).hexdigest()
        token = f"{signing}.{signature}"
        self._tokens[token] = now + TOKEN_LIFETIME
        return token

    def _unauthorized(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error(401, "E10001", "Missing access token: send Authorization: Bearer <token>")
        expiry = self._tokens.get(token.strip())
        if expiry is None:
            return error(401, "E10002", "Invalid access token")
        if self.clock() >= expiry:
            return error(401, "E10003", "Access token expired; generate a new one")
        return None

    async def access_token(self, request: Request) -> Response:
        query = request.query_params
        for name in ("username", "password", "advertiser"):
            if not query.get(name):
                return fail(400, ("REQ002", f"Malformed request - mandatory parameter {name} is missing"))
        given = (query["username"], query["password"], query["advertiser"])
        expected = (self.credentials["USERNAME"], self.credentials["PASSWORD"], self.credentials["ADVERTISER"])
        if not all(hmac.compare_digest(a.encode(), b.encode()) for a, b in zip(given, expected, strict=True)):
            return error(401, "E10004", "Authentication failed: wrong username, password or advertiser code")
        return success({"accessToken": self._issue()})

    # ---- status ------------------------------------------------------------------------------

    def _not_found(self, kind: str, code: str) -> JSONResponse:
        return fail(404, ("E10040", f"{kind} {code} not found"))

    async def _target(self, request: Request) -> str | Response:
        """The requested status from the form, or the 400 answer."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != FORM_TYPE:
            return fail(400, ("E10061", f"Unsupported Content-Type; use {FORM_TYPE} with status=ACTIVE|INACTIVE"))
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        values = form.get("status")
        if not values or not values[0]:
            return fail(400, ("REQ002", "Malformed request - mandatory parameter status is missing"))
        if values[0] not in STATUSES:
            return fail(400, ("REQ003", f"Malformed request - invalid status {values[0]!r}; use ACTIVE or INACTIVE"))
        return values[0]

    def _lock_missing(self, campaign: str) -> Response | None:
        if self.require_lock and campaign not in self._locks:
            return fail(
                400, ("E10060", f"campaign {campaign} must be locked for editing before changing creative statuses")
            )
        return None

    def _refusal(self, code: str, target: str) -> tuple[str, str] | None:
        current = self._creatives[code]["approvalStatus"]
        if current == target or {current, target} == {"ACTIVE", "INACTIVE"}:
            return None
        return ("E10059", f"it is not possible to change status from {current} to {target} for creative {code}")

    async def campaign_status_get(self, request: Request) -> Response:
        if denied := self._unauthorized(request):
            return denied
        code = request.path_params["campaignCode"]
        if code not in self._campaigns:
            return self._not_found("campaign", code)
        return success({"status": self.campaign(code)})

    async def creative_status_get(self, request: Request) -> Response:
        if denied := self._unauthorized(request):
            return denied
        code = request.path_params["creativeCode"]
        if code not in self._creatives:
            return self._not_found("creative", code)
        return success({"status": self._public(code)})

    async def creative_status_post(self, request: Request) -> Response:
        if denied := self._unauthorized(request):
            return denied
        code = request.path_params["creativeCode"]
        if code not in self._creatives:
            return self._not_found("creative", code)
        target = await self._target(request)
        if isinstance(target, Response):
            return target
        campaign = self._creatives[code]["campaign"]
        if missing := self._lock_missing(campaign):
            return missing
        if refusal := self._refusal(code, target):
            return fail(400, refusal)
        if self._creatives[code]["approvalStatus"] != target:
            self._set(code, target)
        self.log.append((campaign, "change", f"{code}={target}"))
        return success()

    async def campaign_status_post(self, request: Request) -> Response:
        if denied := self._unauthorized(request):
            return denied
        campaign = request.path_params["campaignCode"]
        if campaign not in self._campaigns:
            return self._not_found("campaign", campaign)
        target = await self._target(request)
        if isinstance(target, Response):
            return target
        if missing := self._lock_missing(campaign):
            return missing
        refusals = [r for c in self._campaigns[campaign] if (r := self._refusal(c, target))]
        if len(refusals) == len(self._campaigns[campaign]):
            return fail(400, *refusals)
        for code in self._campaigns[campaign]:
            if not self._refusal(code, target) and self._creatives[code]["approvalStatus"] != target:
                self._set(code, target)
        self.log.append((campaign, "change", f"*={target}"))
        if refusals:
            return success({"warnings": [{"code": c, "description": d} for c, d in refusals]})
        return success()

    async def lock(self, request: Request) -> Response:
        if denied := self._unauthorized(request):
            return denied
        campaign = request.path_params["campaignCode"]
        if campaign not in self._campaigns:
            return self._not_found("campaign", campaign)
        if request.method == "POST":
            self._locks.add(campaign)
            self.log.append((campaign, "lock", ""))
        else:
            self._locks.discard(campaign)
            self.log.append((campaign, "unlock", ""))
        return success()

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route("/v3/oauth/accessToken", self.access_token, methods=["GET"]),
            Route("/v3/campaigns/{campaignCode}/status", self.campaign_status_get, methods=["GET"]),
            Route("/v3/campaigns/{campaignCode}/status", self.campaign_status_post, methods=["POST"]),
            Route("/v3/creatives/{creativeCode}/status", self.creative_status_get, methods=["GET"]),
            Route("/v3/creatives/{creativeCode}/status", self.creative_status_post, methods=["POST"]),
        ]
        if self.lock_endpoint:
            routes.append(Route("/v3/campaigns/{campaignCode}/lock", self.lock, methods=["POST", "DELETE"]))
        return routes
