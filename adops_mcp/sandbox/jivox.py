"""Jivox Programmable Personalization API v2 (retail media), simulated with state.

Read from ../shared/VENDORS.md section 1 and the vendor pages jivox-activation.txt and
jivox-approval-flow.txt. Mounted by the Sandbox under /jivox, so a client's base URL is
`<origin>/jivox` and every route below hangs off `/v2/accounts/{accountId}`.

Auth: header `jvx_apikey`, default key `sandbox-jivox-key` (`JivoxSimulator(API_KEY=...)`).
Errors: JSON `{"message": "..."}` with 400 (bad input, activation gate, ENDED campaign),
401 (missing/wrong key), 403 (key without access to the account, or missing
MediaPlan_Tags_Create permission), 404 (unknown account, campaign, approval request or route),
405 (known path, wrong method), 409 (activate while IN_PROGRESS, PUBLISHED or ACTIVE).

Routes:
  GET  /v2/accounts                                       {accounts, next, previous}
  GET  /v2/accounts/{a}/retail-campaigns                  limit (100), offset (0), fields, filters
       filters = comma list of Field(op)Value, op in eq | ne | like; count = total matches;
       next/previous are absolute URLs, "" when none.
  GET  /v2/accounts/{a}/retail-campaigns/{idx}
  GET  /v2/accounts/{a}/retail-settings                   RetailSettingsResponse (sellerAuthKey is
       a fake secret: clients must redact it)
  POST /v2/accounts/{a}/retail-campaigns/{idx}/activate   {trackerTypes?: ["GCM"],
       assetGenerationType?: png|gif|video|tiff}
  GET  /v2/accounts/{a}/retailcampaigns/{idx}/activationstatus   (documented spelling; with
       activation_status_path="hyphenated" only /retail-campaigns/{idx}/activationStatus answers
       and the documented one is 404)
  POST /v2/accounts/{a}/retail-campaigns/{idx}/approvalRequest   {userName, userEmail} required
  GET  /v2/accounts/{a}/retail-campaigns/{idx}/approvalStatus    404 until a request was made

Activation gate: activate answers 400 unless the approval status is Approved or the account's
retail settings have `approvers == []`. Activation advances one step per activation-status poll
(count-based; the poll advances, then answers): IN_PROGRESS 0 -> 25 -> 60 -> 90 -> PUBLISHED 100
-> ACTIVE 100. A campaign flagged to fail stops at FAILED (60%) with the DSP's message;
activating a FAILED campaign again retries. GET retail-campaign never advances anything.

Approvals: approvers come from retail settings; each campaign has a scripted decision per
approver, applied on the first approval-status poll after a request is submitted (approvers
without a script stay Pending). requiredApprovals = number of approvers when
allApproversRequired is true (or null), else 1. Overall status: Approved when enough approvals;
Pending while still reachable; otherwise Rejected (if anyone rejected), Invalid, or Unavailable.
Re-submitting while Pending re-sends the mail (same approvalIdx); otherwise it opens a new round.

Seeded scenarios (ids are stable; use them in demos and tests):

  acme-retail (approvers Dana Whitfield + external Priya Nair, allApproversRequired=true -> 2)
    5301 Back-to-School Prospecting, Amazon DSP   NEW, request pending: Dana Approved, Priya
         Pending -> activate is refused by the gate until sim.decide(..., "Approved")
    5302 Holiday Gifting Retargeting, Amazon DSP  NEW, no request yet; both approve on request
         (the demo: find it, request approval, see Approved, activate, poll to ACTIVE)
    5303 Spring Home Refresh, The Trade Desk       ACTIVE 100%
    5304 Summer Grilling Full-Funnel, Criteo       FAILED 60% "DSP rejected creative size
         300x250"; approved, so activating again retries and succeeds
    5305 Pet Care Always-On, Amazon DSP           IN_PROGRESS 60%; polls take it to ACTIVE;
         activate -> 409
    5306 Valentine's Day Beauty, The Trade Desk    ENDED; activate -> 400
    5307 Cold & Flu Season, Criteo                 NEW; Priya rejects on request -> Rejected
    5308 Game Day Snacks, Amazon DSP               PUBLISHED 100% (next poll -> ACTIVE)
    5309 Baby Essentials Launch, The Trade Desk    DRAFT, no request
    5310 Outdoor Furniture Clearance, Criteo        EXAMINE (manual review)
    5311-5340 filler (NEW / ACTIVE / ENDED / DRAFT mix) so the list pages: 40 campaigns.
  northwind-grocers (approvers == []: pre-approved, no approval request needed)
    7101 Organic Produce Week, Criteo              NEW; activate straight away
    7102 Weekly Circular Always-On, Amazon DSP     ACTIVE
    7103 Thanksgiving Baking, The Trade Desk       ENDED
    7104 Bakery Aisle Launch, The Trade Desk       NEW, flagged to fail: first activation ends
         FAILED "The Trade Desk rejected creative: landing page returned HTTP 404"; retry works
  harbor-pharmacy (3 approvers, allApproversRequired=false -> 1 approval is enough)
    8201 Allergy Relief Spring Push, Amazon DSP    NEW; on request one rejects, one approves,
         one Unavailable -> Approved
    8202 Vitamin Wellness Month, Criteo            NEW; on request two reject, one Unavailable
         -> Rejected
  globex-foods: exists, but the sandbox key has no access -> 403 on every route.

Python helpers for tests: sim.campaign(account, idx) (the live Campaign record),
sim.decide(account, idx, email, status), sim.fail_next_activation(account, idx, message),
sim.permissions (a set; drop "MediaPlan_Tags_Create" to get 403s on activation/approval calls).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route

ACTIVATION_STATUSES = ("NEW", "DRAFT", "IN_PROGRESS", "FAILED", "ACTIVE", "PUBLISHED", "ENDED", "EXAMINE")
APPROVAL_STATUSES = ("Pending", "Approved", "Rejected", "Unavailable", "Invalid")
TRACKER_TYPES = ("GCM",)
ASSET_TYPES = ("png", "gif", "video", "tiff")
PERMISSION = "MediaPlan_Tags_Create"
PROGRESS = (25, 60, 90)  # IN_PROGRESS percentages, one per poll
FAIL_AT = 60

DSPS = {
    "Amazon DSP": "amazon-dsp",
    "The Trade Desk": "the-trade-desk",
    "Criteo": "criteo",
}
LIST_FIELDS = (
    "dspName",
    "dspLogoURL",
    "mediaPlanId",
    "mediaPlanName",
    "retailCampaignIdx",
    "retailCampaignName",
    "dspCampaignId",
    "status",
)


class JivoxError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Approval:
    approval_idx: int
    requester_email: str
    requester_name: str
    created_on: str
    updated_on: str
    decisions: dict[str, str]  # approver email -> approvalStatus
    scripted: dict[str, str] = field(default_factory=dict)  # applied on the next status poll


@dataclass
class Campaign:
    account_id: str
    idx: int
    name: str
    dsp_name: str
    dsp_campaign_id: str
    media_plan_id: int
    label_id: int
    template_idx: int
    status: str = "NEW"
    percentage: int = 0
    message: str = ""
    created_on: str = "2025-08-04T10:00:00.000Z"
    approval: Approval | None = None
    script: dict[str, str] = field(default_factory=dict)  # approver email -> decision on request
    fail_next: str | None = None  # message of the next activation's failure
    step: int = 0  # index into PROGRESS while IN_PROGRESS
    tracker_types: list[str] = field(default_factory=list)
    asset_generation_type: str | None = None

    @property
    def media_plan_name(self) -> str:
        return f"{self.name} - Media Plan"

    def list_item(self) -> dict[str, Any]:
        return {
            "dspName": self.dsp_name,
            "dspLogoURL": f"https://assets.sandbox.jivox.invalid/dsp-logos/{DSPS[self.dsp_name]}.png",
            "mediaPlanId": self.media_plan_id,
            "mediaPlanName": self.media_plan_name,
            "retailCampaignIdx": self.idx,
            "retailCampaignName": self.name,
            "dspCampaignId": self.dsp_campaign_id,
            "status": self.status,
        }


@dataclass
class Account:
    account_id: str
    name: str
    all_approvers_required: bool | None
    approvers: list[dict[str, str]]  # [{name, emailId}]
    user_ids: dict[str, int]  # platform users among the approvers
    brands: list[str]
    accessible: bool = True
    campaigns: dict[int, Campaign] = field(default_factory=dict)

    def add(self, campaign: Campaign) -> Campaign:
        self.campaigns[campaign.idx] = campaign
        return campaign


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch * 1000) % 1000:03d}Z"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


class JivoxSimulator:
    vendor = "jivox"

    def __init__(
        self,
        *,
        activation_status_path: str = "documented",
        clock: Callable[[], float] = time.time,
        **credentials: str,
    ) -> None:
        if activation_status_path not in ("documented", "hyphenated"):
            raise ValueError("activation_status_path must be 'documented' or 'hyphenated'")
        unknown = set(credentials) - {"API_KEY"}
        if unknown:
            raise TypeError(f"unknown credential(s): {sorted(unknown)}")
        self.credentials: dict[str, str] = {"API_KEY": "sandbox-jivox-key", **credentials}
        self.activation_status_path = activation_status_path
        self.clock = clock
        self.permissions: set[str] = {PERMISSION}
        self.accounts: dict[str, Account] = {}
        self._next_approval_idx = 40
        self._seed()

    # ---- Python helpers for tests ----------------------------------------------------------

    def campaign(self, account_id: str, idx: int) -> Campaign:
        return self.accounts[account_id].campaigns[idx]

    def decide(self, account_id: str, idx: int, email: str, status: str) -> None:
        """An approver answers the approval mail (there must be a request)."""
        if status not in APPROVAL_STATUSES:
            raise ValueError(f"approval status must be one of {APPROVAL_STATUSES}")
        approval = self.campaign(account_id, idx).approval
        if approval is None:
            raise LookupError(f"no approval request for {account_id}/{idx}")
        if email not in approval.decisions:
            raise LookupError(f"{email} is not an approver of {account_id}/{idx}")
        approval.scripted.pop(email, None)
        approval.decisions[email] = status
        approval.updated_on = _iso(self.clock())

    def fail_next_activation(self, account_id: str, idx: int, message: str) -> None:
        self.campaign(account_id, idx).fail_next = message

    # ---- seed -----------------------------------------------------------------------------

    def _seed(self) -> None:
        acme = Account(
            "acme-retail",
            "Acme Retail Co.",
            all_approvers_required=True,
            approvers=[
                {"name": "Dana Whitfield", "emailId": "dana.whitfield@acme-retail.com"},
                {"name": "Priya Nair", "emailId": "priya.nair@brightpath-media.com"},
            ],
            user_ids={"dana.whitfield@acme-retail.com": 4101},
            brands=["Acme Home", "Acme Kids", "Acme Pantry", "Acme Pets"],
        )
        dana, priya = "dana.whitfield@acme-retail.com", "priya.nair@brightpath-media.com"
        both_approve = {dana: "Approved", priya: "Approved"}

        def approved(created: str) -> Approval:
            return self._approval("ops@acme-retail.com", "Jordan Lee", created, both_approve)

        def c(idx: int, name: str, dsp: str, **kw: Any) -> Campaign:
            return acme.add(self._campaign(acme, idx, name, dsp, **kw))

        pending = self._approval(
            "jordan.lee@acme-retail.com", "Jordan Lee", "2025-09-02T14:05:00.000Z", {dana: "Approved", priya: "Pending"}
        )
        c(5301, "Acme Back-to-School Prospecting 2025", "Amazon DSP", approval=pending)
        c(5302, "Acme Holiday Gifting Retargeting Q4", "Amazon DSP", script=dict(both_approve))
        c(
            5303,
            "Acme Spring Home Refresh",
            "The Trade Desk",
            status="ACTIVE",
            percentage=100,
            message="Campaign is live on The Trade Desk",
            approval=approved("2025-03-03T09:12:00.000Z"),
        )
        c(
            5304,
            "Acme Summer Grilling Full-Funnel",
            "Criteo",
            status="FAILED",
            percentage=FAIL_AT,
            message="DSP rejected creative size 300x250",
            approval=approved("2025-05-20T11:40:00.000Z"),
        )
        c(
            5305,
            "Acme Pet Care Always-On",
            "Amazon DSP",
            status="IN_PROGRESS",
            percentage=60,
            step=2,
            message="Generating creative assets (png)...",
            approval=approved("2025-09-10T08:30:00.000Z"),
            tracker_types=["GCM"],
            asset_generation_type="png",
        )
        c(
            5306,
            "Acme Valentine's Day Beauty",
            "The Trade Desk",
            status="ENDED",
            percentage=100,
            message="Campaign ended on 2025-02-15",
            approval=approved("2025-01-20T16:00:00.000Z"),
        )
        c(5307, "Acme Cold & Flu Season Essentials", "Criteo", script={dana: "Approved", priya: "Rejected"})
        c(
            5308,
            "Acme Game Day Snacks",
            "Amazon DSP",
            status="PUBLISHED",
            percentage=100,
            message="Pushed to Amazon DSP, awaiting activation",
            approval=approved("2025-09-12T13:00:00.000Z"),
        )
        c(5309, "Acme Baby Essentials Launch", "The Trade Desk", status="DRAFT")
        c(5310, "Acme Outdoor Furniture Clearance", "Criteo", status="EXAMINE", message="Creative under manual review")

        themes = [
            "Laundry Care",
            "Coffee & Tea",
            "Breakfast Cereal",
            "Paper Goods",
            "Frozen Pizza",
            "Oral Care",
            "Kitchen Gadgets",
            "Hair Care",
            "Sparkling Water",
            "Pet Treats",
        ]
        tactics = ["Prospecting", "Retargeting", "Full-Funnel"]
        dsps = list(DSPS)
        cycle = ["NEW", "ACTIVE", "ENDED", "NEW", "DRAFT", "ACTIVE"]
        for n in range(30):
            status = cycle[n % len(cycle)]
            extra: dict[str, Any] = {"status": status, "script": {}}
            if status in ("ACTIVE", "ENDED"):
                extra.update(
                    percentage=100,
                    approval=approved("2025-06-01T09:00:00.000Z"),
                    message="Campaign is live" if status == "ACTIVE" else "Campaign ended on 2025-08-31",
                )
            name = f"Acme {themes[n % 10]} {tactics[n % 3]} W{n // 10 + 1}"
            c(5311 + n, name, dsps[n % 3], **extra)
        self.accounts[acme.account_id] = acme

        northwind = Account(
            "northwind-grocers",
            "Northwind Grocers",
            all_approvers_required=False,
            approvers=[],
            user_ids={},
            brands=["Northwind Fresh", "Northwind Bakery"],
        )
        nw: list[tuple[int, str, str, dict[str, Any]]] = [
            (7101, "Northwind Organic Produce Week", "Criteo", {}),
            (
                7102,
                "Northwind Weekly Circular Always-On",
                "Amazon DSP",
                {"status": "ACTIVE", "percentage": 100, "message": "Campaign is live on Amazon DSP"},
            ),
            (
                7103,
                "Northwind Thanksgiving Baking",
                "The Trade Desk",
                {"status": "ENDED", "percentage": 100, "message": "Campaign ended on 2024-11-29"},
            ),
            (
                7104,
                "Northwind Bakery Aisle Launch",
                "The Trade Desk",
                {"fail_next": "The Trade Desk rejected creative: landing page returned HTTP 404"},
            ),
        ]
        for idx, name, dsp, kw in nw:
            northwind.add(self._campaign(northwind, idx, name, dsp, **kw))
        self.accounts[northwind.account_id] = northwind

        h1, h2, h3 = "l.moreau@harborpharmacy.com", "sam.okafor@harborpharmacy.com", "compliance@rxlegal-partners.com"
        harbor = Account(
            "harbor-pharmacy",
            "Harbor Pharmacy",
            all_approvers_required=False,
            approvers=[
                {"name": "Lucie Moreau", "emailId": h1},
                {"name": "Sam Okafor", "emailId": h2},
                {"name": "RX Legal Partners", "emailId": h3},
            ],
            user_ids={h1: 5210, h2: 5211},
            brands=["Harbor Health", "Harbor Vitamins"],
        )
        harbor.add(
            self._campaign(
                harbor,
                8201,
                "Harbor Allergy Relief Spring Push",
                "Amazon DSP",
                script={h1: "Rejected", h2: "Approved", h3: "Unavailable"},
            )
        )
        harbor.add(
            self._campaign(
                harbor,
                8202,
                "Harbor Vitamin Wellness Month",
                "Criteo",
                script={h1: "Rejected", h2: "Rejected", h3: "Unavailable"},
            )
        )
        self.accounts[harbor.account_id] = harbor

        globex = Account(
            "globex-foods",
            "Globex Foods",
            all_approvers_required=True,
            approvers=[],
            user_ids={},
            brands=["Globex"],
            accessible=False,
        )
        globex.add(self._campaign(globex, 9101, "Globex Snack Attack", "Criteo"))
        self.accounts[globex.account_id] = globex

    def _campaign(self, account: Account, idx: int, name: str, dsp: str, **kw: Any) -> Campaign:
        digest = int(hashlib.sha256(f"{account.account_id}/{idx}".encode()).hexdigest(), 16)
        dsp_id = {
            "Amazon DSP": str(580000000000 + digest % 10**11),
            "The Trade Desk": format(digest % 36**7, "x")[:7],
            "Criteo": str(300000 + digest % 700000),
        }[dsp]
        kw.setdefault(
            "message", "Campaign has not been activated" if kw.get("status", "NEW") in ("NEW", "DRAFT") else ""
        )
        return Campaign(
            account.account_id,
            idx,
            name,
            dsp,
            dsp_id,
            media_plan_id=90000 + idx,
            label_id=(1, 2, 3)[idx % 3],
            template_idx=4400 + idx % 7,
            **kw,
        )

    def _approval(self, email: str, name: str, created: str, decisions: dict[str, str]) -> Approval:
        self._next_approval_idx += 1
        return Approval(self._next_approval_idx, email, name, created, created, dict(decisions))

    # ---- rules ----------------------------------------------------------------------------

    @staticmethod
    def _required(account: Account) -> int:
        if not account.approvers:
            return 0
        return len(account.approvers) if account.all_approvers_required in (True, None) else 1

    def _overall(self, account: Account, approval: Approval) -> str:
        values = list(approval.decisions.values())
        required = self._required(account)
        approved, pending = values.count("Approved"), values.count("Pending")
        if approved >= required:
            return "Approved"
        if approved + pending >= required:
            return "Pending"
        for status in ("Rejected", "Invalid"):
            if status in values:
                return status
        return "Unavailable"

    def _advance(self, campaign: Campaign) -> None:
        dsp = campaign.dsp_name
        if campaign.status == "PUBLISHED":
            campaign.status, campaign.percentage, campaign.message = "ACTIVE", 100, f"Campaign is live on {dsp}"
            return
        if campaign.status != "IN_PROGRESS":
            return
        if campaign.step >= len(PROGRESS):
            campaign.status, campaign.percentage = "PUBLISHED", 100
            campaign.message = f"Pushed to {dsp}, awaiting activation"
            return
        pct = PROGRESS[campaign.step]
        if campaign.fail_next is not None and pct > FAIL_AT:
            campaign.status, campaign.message, campaign.fail_next = "FAILED", campaign.fail_next, None
            return
        campaign.step += 1
        campaign.percentage = pct
        if pct == 25:
            campaign.message = (
                "Generating GCM trackers..." if "GCM" in campaign.tracker_types else "Preparing creative templates..."
            )
        elif pct == 60:
            campaign.message = f"Generating creative assets ({campaign.asset_generation_type or 'png'})..."
        else:
            campaign.message = f"Pushing campaign to {dsp}..."

    # ---- HTTP -----------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        base = "/v2/accounts/{account_id}"
        status_path = (
            base + "/retailcampaigns/{idx}/activationstatus"
            if self.activation_status_path == "documented"
            else base + "/retail-campaigns/{idx}/activationStatus"
        )
        routes: list[BaseRoute] = [
            Route("/v2/accounts", self._wrap(self._list_accounts, account=False), methods=["GET"]),
            Route(base + "/retail-campaigns", self._wrap(self._list_campaigns), methods=["GET"]),
            Route(base + "/retail-settings", self._wrap(self._settings), methods=["GET"]),
            Route(base + "/retail-campaigns/{idx}", self._wrap(self._get_campaign, idx=True), methods=["GET"]),
            Route(
                base + "/retail-campaigns/{idx}/activate",
                self._wrap(self._activate, idx=True, permission=True),
                methods=["POST"],
            ),
            Route(status_path, self._wrap(self._activation_status, idx=True, permission=True), methods=["GET"]),
            Route(
                base + "/retail-campaigns/{idx}/approvalRequest",
                self._wrap(self._approval_request, idx=True, permission=True),
                methods=["POST"],
            ),
            Route(
                base + "/retail-campaigns/{idx}/approvalStatus",
                self._wrap(self._approval_status, idx=True, permission=True),
                methods=["GET"],
            ),
        ]
        known = list(routes)

        async def fallback(request: Request) -> Response:
            failure = self._authenticate(request)
            if failure is not None:
                return failure
            if any(route.matches(request.scope)[0] == Match.PARTIAL for route in known):
                return _error(405, f"Method {request.method} not allowed on {request.url.path}")
            return _error(404, f"No such resource: {request.method} {request.url.path}")

        routes.append(Route("/{path:path}", fallback, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]))
        return routes

    def _authenticate(self, request: Request) -> JSONResponse | None:
        key = request.headers.get("jvx_apikey")
        if not key:
            return _error(401, "Missing API key: send it in the jvx_apikey header")
        if key != self.credentials["API_KEY"]:
            return _error(401, "Invalid API key")
        return None

    def _wrap(
        self,
        handler: Callable[..., Awaitable[Any]],
        *,
        account: bool = True,
        idx: bool = False,
        permission: bool = False,
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            failure = self._authenticate(request)
            if failure is not None:
                return failure
            try:
                args: list[Any] = [request]
                if account:
                    account_id = request.path_params["account_id"]
                    acct = self.accounts.get(account_id)
                    if acct is None:
                        raise JivoxError(404, f"Account {account_id} not found")
                    if not acct.accessible:
                        raise JivoxError(403, f"API key has no access to account {account_id}")
                    args.append(acct)
                    if idx:
                        raw = request.path_params["idx"]
                        if not re.fullmatch(r"\d+", raw):
                            raise JivoxError(400, "retailCampaignIdx must be an integer")
                        campaign = acct.campaigns.get(int(raw))
                        if campaign is None:
                            raise JivoxError(404, f"Retail campaign {raw} not found in account {account_id}")
                        args.append(campaign)
                if permission and PERMISSION not in self.permissions:
                    raise JivoxError(403, f"User lacks the {PERMISSION} permission")
                result = await handler(*args)
            except JivoxError as exc:
                return _error(exc.status, exc.message)
            return result if isinstance(result, Response) else JSONResponse(result)

        return endpoint

    @staticmethod
    def _int_param(request: Request, name: str, default: int, minimum: int) -> int:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        if not re.fullmatch(r"-?\d+", raw) or int(raw) < minimum:
            raise JivoxError(400, f"{name} must be an integer >= {minimum}")
        return int(raw)

    @staticmethod
    def _page_links(request: Request, limit: int, offset: int, total: int) -> tuple[str, str]:
        def link(at: int) -> str:
            return str(request.url.include_query_params(limit=limit, offset=at))

        nxt = link(offset + limit) if offset + limit < total else ""
        prev = link(max(offset - limit, 0)) if offset > 0 else ""
        return nxt, prev

    async def _list_accounts(self, request: Request) -> dict[str, Any]:
        limit = self._int_param(request, "limit", 100, 1)
        offset = self._int_param(request, "offset", 0, 0)
        visible = [a for a in self.accounts.values() if a.accessible]
        nxt, prev = self._page_links(request, limit, offset, len(visible))
        items = [{"accountId": a.account_id, "name": a.name} for a in visible[offset : offset + limit]]
        return {"accounts": items, "next": nxt, "previous": prev}

    async def _list_campaigns(self, request: Request, account: Account) -> dict[str, Any]:
        limit = self._int_param(request, "limit", 100, 1)
        offset = self._int_param(request, "offset", 0, 0)
        items = [c.list_item() for c in sorted(account.campaigns.values(), key=lambda c: c.idx)]
        for name, op, value in self._parse_filters(request.query_params.get("filters", "")):
            items = [item for item in items if self._keep(str(item[name]), op, value)]
        fields = [f.strip() for f in request.query_params.get("fields", "").split(",") if f.strip()]
        unknown = [f for f in fields if f not in LIST_FIELDS]
        if unknown:
            raise JivoxError(400, f"Unknown field(s) {', '.join(unknown)}; valid: {', '.join(LIST_FIELDS)}")
        page = items[offset : offset + limit]
        if fields:
            page = [{f: item[f] for f in fields} for item in page]
        nxt, prev = self._page_links(request, limit, offset, len(items))
        return {"campaigns": page, "count": len(items), "next": nxt, "previous": prev}

    @staticmethod
    def _parse_filters(raw: str) -> list[tuple[str, str, str]]:
        if not raw.strip():
            return []
        pattern = re.compile(r"(\w+)\((\w+)\)(.*?)(?=,\s*\w+\(\w+\)|$)", re.S)
        parsed, pos = [], 0
        for match in pattern.finditer(raw):
            if raw[pos : match.start()].strip(", ") != "":
                break
            parsed.append((match.group(1), match.group(2), match.group(3)))
            pos = match.end()
        if raw[pos:].strip(", ") or not parsed:
            raise JivoxError(400, "filters must be a comma-separated list of Field(operator)Value")
        for name, op, _ in parsed:
            if name not in LIST_FIELDS:
                raise JivoxError(400, f"Cannot filter on {name}; valid fields: {', '.join(LIST_FIELDS)}")
            if op not in ("eq", "ne", "like"):
                raise JivoxError(400, f"Unsupported filter operator {op}; use eq, ne or like")
        return parsed

    @staticmethod
    def _keep(actual: str, op: str, value: str) -> bool:
        if op == "eq":
            return actual == value
        if op == "ne":
            return actual != value
        return value.lower() in actual.lower()

    async def _settings(self, request: Request, account: Account) -> dict[str, Any]:
        secret = hashlib.sha256(f"seller/{account.account_id}".encode()).hexdigest()
        return {
            "allApproversRequired": account.all_approvers_required,
            "approvers": [dict(a) for a in account.approvers],
            "brandValues": list(account.brands),
            "amzSellerDetails": [
                {
                    "id": 700 + i,
                    "countryCode": country,
                    "sellerAuthKey": f"Atzr|IwEBI{secret[i * 20 : i * 20 + 40]}",
                    "brands": list(account.brands),
                }
                for i, country in enumerate(("US", "CA"))
            ],
            "mediaChannelSettings": [
                {
                    "mediaChannelIdx": 11 + i,
                    "accountId": account.account_id,
                    "accountName": f"{account.name} - {dsp}",
                    "profileId": str(int(secret[40 + i * 6 : 46 + i * 6], 16)),
                    "agencyFeesApplied": i == 0,
                    "agencyFees": 12.5 if i == 0 else 0.0,
                    "dspName": dsp,
                }
                for i, dsp in enumerate(DSPS)
            ],
        }

    async def _get_campaign(self, request: Request, account: Account, campaign: Campaign) -> dict[str, Any]:
        return {
            "retailCampaignName": campaign.name,
            "retailCampaignIdx": campaign.idx,
            "labelId": campaign.label_id,
            "templateCampaignIdx": campaign.template_idx,
            "status": campaign.status,
            "dspName": campaign.dsp_name,
            "dspCampaignId": campaign.dsp_campaign_id,
            "mediaPlanId": campaign.media_plan_id,
            "mediaPlanName": campaign.media_plan_name,
            "assetSourceType": "productFeed",
            "createdOn": campaign.created_on,
        }

    @staticmethod
    async def _json_body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise JivoxError(400, "Request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise JivoxError(400, "Request body must be a JSON object")
        return body

    async def _activate(self, request: Request, account: Account, campaign: Campaign) -> dict[str, Any]:
        body = await self._json_body(request)
        trackers = body.get("trackerTypes", [])
        if not isinstance(trackers, list) or any(t not in TRACKER_TYPES for t in trackers):
            raise JivoxError(400, f"trackerTypes must be a list of: {', '.join(TRACKER_TYPES)}")
        asset = body.get("assetGenerationType")
        if asset is not None and asset not in ASSET_TYPES:
            raise JivoxError(400, f"assetGenerationType must be one of: {', '.join(ASSET_TYPES)}")
        if campaign.status == "IN_PROGRESS":
            raise JivoxError(409, f"Campaign activation is already in progress ({campaign.percentage}%)")
        if campaign.status in ("PUBLISHED", "ACTIVE"):
            raise JivoxError(409, f"Campaign is already {campaign.status}")
        if campaign.status == "ENDED":
            raise JivoxError(400, "Campaign has ENDED and cannot be activated")
        if campaign.status == "EXAMINE":
            raise JivoxError(400, "Campaign is under review (EXAMINE) and cannot be activated")
        if account.approvers:
            approval = campaign.approval
            status = self._overall(account, approval) if approval is not None else None
            if status != "Approved":
                raise JivoxError(
                    400,
                    "Campaign cannot be activated: approval status is "
                    + (status or "missing (no approval request submitted)")
                    + "; it must be Approved",
                )
        campaign.status, campaign.percentage, campaign.step = "IN_PROGRESS", 0, 0
        campaign.message = "Activation queued"
        campaign.tracker_types, campaign.asset_generation_type = list(trackers), asset
        return {"message": "Campaign activated successfully", "retailCampaignIdx": campaign.idx}

    async def _activation_status(self, request: Request, account: Account, campaign: Campaign) -> dict[str, Any]:
        self._advance(campaign)
        return {"percentage": campaign.percentage, "message": campaign.message, "status": campaign.status}

    async def _approval_request(self, request: Request, account: Account, campaign: Campaign) -> dict[str, Any]:
        body = await self._json_body(request)
        name, email = body.get("userName"), body.get("userEmail")
        if not isinstance(name, str) or not name.strip():
            raise JivoxError(400, "userName is required")
        if not isinstance(email, str) or "@" not in email:
            raise JivoxError(400, "userEmail is required and must be an email address")
        if not account.approvers:
            raise JivoxError(400, "No approvers are configured in retail settings; the campaign is pre-approved")
        now = _iso(self.clock())
        approval = campaign.approval
        if approval is not None and self._overall(account, approval) == "Pending":
            approval.updated_on = now  # mail re-sent to those who have not answered
        else:
            approval = self._approval(email, name, now, {a["emailId"]: "Pending" for a in account.approvers})
            campaign.approval = approval
        approval.scripted = {e: s for e, s in campaign.script.items() if approval.decisions.get(e) == "Pending"}
        return {"message": "Campaign preview approval mail sent successfully"}

    async def _approval_status(self, request: Request, account: Account, campaign: Campaign) -> dict[str, Any]:
        approval = campaign.approval
        if approval is None:
            hint = " (none needed: no approvers configured)" if not account.approvers else ""
            raise JivoxError(404, f"No approval request has been submitted for retail campaign {campaign.idx}{hint}")
        if approval.scripted:
            approval.decisions.update(approval.scripted)
            approval.scripted = {}
            approval.updated_on = _iso(self.clock())
        names = {a["emailId"]: a["name"] for a in account.approvers}
        return {
            "approvalIdx": approval.approval_idx,
            "status": self._overall(account, approval),
            "requesterEmail": approval.requester_email,
            "requiredApprovals": self._required(account),
            "createdOn": approval.created_on,
            "updatedOn": approval.updated_on,
            "approverDetails": [
                {
                    "userEmail": email,
                    "userName": names.get(email, "External User") if email in account.user_ids else "External User",
                    "userId": account.user_ids.get(email, -1),
                    "approvalStatus": status,
                }
                for email, status in approval.decisions.items()
            ],
        }
