"""`adops-mcp doctor --probe`: every vendor fact of every configured account, confirmed / refuted / unknown.

Only GETs are sent, besides the documented credential exchanges, each once (no retries) with a short
timeout. A 401/403 says nothing about a path (Joveo's gateway answers 403 for a bad token whatever the
path), so it leaves the fact unknown. Facts no read can check, and facts left unchecked for one shared
reason, are grouped into one line per reason. Every line names the setting that changes its fact.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import httpx2

from .config import DeltaSettings, JoveoSettings, Settings, VendorSettings, partly_set
from .facts import FACTS, NO_SETTING, Fact
from .profiles import vendor_profiles
from .vendorcall import secrets
from .vendorcall.http import VendorClient, VendorError
from .vendorcall.request import PLACEHOLDER, Request, UnsafeId, build, send

PROBE_TIMEOUT = 10.0  # seconds per account at most: a host that is down answers quickly or not at all
AUTH_FAILED = "authentication failed (HTTP {status}), path not checked"


@dataclass
class Verdict:
    subject: str  # vendor/profile
    fact: Fact
    state: str  # confirmed | refuted | unknown
    detail: str
    group: str = ""  # a reason shared by several facts: they print as one line

    def line(self) -> str:
        return secrets.scrub(f"{self.state:9}  {self.subject:22} {self.fact.name}: {self.detail} [{self.fact.setting}]")


def group_line(state: str, subject: str, reason: str, facts: list[Fact]) -> str:
    """One line for the facts that share a reason, naming each one's setting (Joveo paths compactly)."""
    paths = [f.setting.removeprefix("ADOPS_JOVEO_PATH_") for f in facts if f.setting.startswith("ADOPS_JOVEO_PATH_")]
    named = [f.setting for f in facts if not f.setting.startswith("ADOPS_JOVEO_PATH_") and f.setting != NO_SETTING]
    unnamed = [f.name for f in facts if f.setting == NO_SETTING]
    parts = ([f"ADOPS_JOVEO_PATH_<OP> for {', '.join(p.lower() for p in paths)}"] if paths else []) + named
    if unnamed:
        parts.append(f"no setting: {'; '.join(unnamed)}")
    return secrets.scrub(f"{state:9}  {subject:22} {len(facts)} fact(s) {reason}: {' | '.join(parts)}")


# ids a list answer gives for later reads: list operation -> {placeholder: field of its first item}
JOVEO_IDS = {
    "joveo_list_clients": {"client_id": "id"},
    "joveo_list_campaigns": {"campaign_id": "id"},
    "joveo_list_client_jobgroups": {"jobgroup_id": "id", "campaign_id": "campaignId"},
    "joveo_list_campaign_jobgroups": {"jobgroup_id": "id"},
    "joveo_list_jobs": {"job_reference": "refNumber"},
    "joveo_list_feeds": {"feed_id": "id"},
    "joveo_list_posting_configs": {"config_id": "id", "publisher_id": "placement"},
    "joveo_list_posting_config_jobs": {"config_job_reference": "refNumber"},
}
# a read whose placeholder must come from a particular list (a job of that config, not any job)
JOVEO_ID_FROM = {"joveo_get_posting_config_job": {"job_reference": "config_job_reference"}}


def items_of(body: Any) -> list[dict[str, Any]]:
    items = body.get("data") if isinstance(body, dict) and "data" in body else body
    if isinstance(body, dict) and not isinstance(items, list):
        items = next((v for v in body.values() if isinstance(v, list)), [body])
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def first(body: Any) -> dict[str, Any]:
    found = items_of(body)
    return found[0] if found else {}


class Prober:
    """Safe reads only: GETs (and the documented credential exchange the client makes itself)."""

    def __init__(self, subject: str, client: VendorClient, account: VendorSettings, facts: list[Fact]) -> None:
        self.subject, self.client, self.account, self.facts = subject, client, account, facts
        self.ids: dict[str, str] = {}
        self.headers: dict[str, str] = {}  # sent with every read (a token format that works)
        self.verdicts: dict[Fact, Verdict] = {}
        self.stopped = ""  # why nothing more was tried (no token, host unreachable)

    def fact(self, name: str) -> Fact:
        """The account's fact of that name (or the first whose name starts with it)."""
        exact = [f for f in self.facts if f.name == name]
        return exact[0] if exact else next(f for f in self.facts if f.name.startswith(name))

    def verdict(self, fact: Fact, state: str, detail: str, group: str = "") -> None:
        self.verdicts[fact] = Verdict(self.subject, fact, state, detail, group)

    async def answer(self, request: Request) -> httpx2.Response | VendorError:
        """The vendor's answer to one GET (any 4xx included), or the error that kept it from answering."""
        request = dataclasses.replace(request, headers={**(request.headers or {}), **self.headers})
        try:
            return await send(self.client, request, read=True, ok_statuses=frozenset(range(400, 500)))
        except VendorError as exc:
            return exc

    async def read(self, fact: Fact | None, request: Request) -> Any:
        """Send the GET; records the fact's verdict; returns the JSON body on 2xx, else None."""
        response = await self.answer(request)
        path = fact.value(self.account) if fact is not None and fact.method == "GET" else request.path  # template
        if isinstance(response, VendorError):
            if fact is not None:
                self.verdict(fact, "unknown", response.message)
            return None
        status = response.status_code
        if fact is not None:
            if status in (404, 405):
                what = "host your vendor gave you" if fact.method is None else "path your vendor gave you"
                self.verdict(fact, "refuted", f"GET {path} answered {status}: set {fact.setting} to the {what}.")
            elif status in (401, 403) and fact.method is None:  # a host: it answered, the credentials failed
                self.verdict(fact, "unknown", f"GET {path} answered {status}: authentication failed, so not checked.")
            elif status in (401, 403):  # says nothing about the path (a gateway refuses before routing)
                reason = AUTH_FAILED.format(status=status)
                self.verdict(fact, "unknown", reason, group=reason)
            else:
                self.verdict(fact, "confirmed", f"GET {path} answered {status}.")
        if not response.is_success:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def get(
        self,
        template: str,
        source: dict[str, str] | None = None,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Request | None:
        """The GET of `template` with ids the list reads found (`source` renames them), or None while
        one is missing or cannot be a path segment (vendor text is untrusted)."""
        values: dict[str, str] = {}
        for name in PLACEHOLDER.findall(template):
            key = (source or {}).get(name, name)
            if key not in self.ids:
                return None
            values[name] = self.ids[key]
        try:
            return build("GET", template, values, query=query, headers=headers)
        except UnsafeId:
            return None


def _no_token(p: Prober, exc: VendorError, token: Fact, host: Fact) -> None:
    """The access-token exchange failed: what that says about the host and the token path, and why the
    reads were not tried."""
    url = secrets.hide_userinfo(p.account.url)
    path = p.account.token_path if isinstance(p.account, JoveoSettings) else "?"
    if exc.status in (404, 405):
        fix = f"set {token.setting} (or ADOPS_JOVEO_BASE_URL) to what Joveo gave you."
        p.verdict(token, "refuted", f"POST {path} answered {exc.status}: {fix}")
        p.verdict(
            host,
            "unknown",
            f"{url} answered (HTTP {exc.status} to the access-token exchange), so it is reachable; whether it is "
            "Joveo's API shows once the token path is right.",
        )
        p.stopped = "not checked: no access token (the token path was refuted)"
    elif exc.status in (401, 403):
        p.verdict(token, "unknown", AUTH_FAILED.format(status=exc.status) + ": " + exc.message)
        p.verdict(host, "unknown", f"{url} answered (HTTP {exc.status}); authentication failed, so not checked.")
        p.stopped = f"not checked: no access token (authentication failed, HTTP {exc.status})"
    elif exc.status is not None:
        p.verdict(token, "unknown", exc.message)
        p.verdict(host, "unknown", f"{url} answered (HTTP {exc.status}) but issued no token.")
        p.stopped = "not checked: no access token"
    else:
        p.verdict(host, "unknown", exc.message)
        p.verdict(token, "unknown", "not checked: the host could not be reached.")
        p.stopped = "not checked: the host could not be reached"


async def _token_format(p: Prober, fact: Fact, probe: Request, token: str) -> None:
    """Which form of x-authorization-key Joveo takes, from the first read: raw (the default) or Bearer."""
    assert isinstance(p.account, JoveoSettings)
    response = await p.answer(probe)
    status = response.status if isinstance(response, VendorError) else response.status_code
    now = p.account.token_format
    if status is not None and 200 <= status < 300:
        p.verdict(fact, "confirmed", f"GET {probe.path} answered {status} with the token sent {now}.")
        return
    if status != 403:
        p.verdict(fact, "unknown", f"GET {probe.path} answered {status or 'nothing'}: no read to tell by.")
        return
    other = "raw" if now == "bearer" else "bearer"
    header = {"x-authorization-key": f"Bearer {token}" if other == "bearer" else token}
    retry = await p.answer(dataclasses.replace(probe, headers={**(probe.headers or {}), **header}))
    if isinstance(retry, httpx2.Response) and retry.is_success:
        p.headers = header  # the reads that follow use the form that works
        p.verdict(
            fact,
            "refuted",
            f"GET {probe.path} answered 403 with the token {now}, {retry.status_code} "
            f"sent {other}: set {fact.setting}={other}.",
        )
    else:
        p.verdict(
            fact,
            "unknown",
            f"GET {probe.path} answered 403 with the token sent either way: authentication failed, so which "
            "form Joveo takes is not known (check ADOPS_JOVEO_API_KEY and ADOPS_JOVEO_CLIENT_ID).",
        )


async def _job_status(p: Prober, fact: Fact) -> None:
    """A paused job's status value: seen among the first jobs, or contradicted by another value."""
    assert isinstance(p.account, JoveoSettings)
    request = p.get(
        p.account.path("joveo_list_jobs", "/v1/clients/{client_id}/jobs"),
        query={"page": p.account.jobs_page_base, "limit": 100},
    )
    body = await p.read(None, request) if request is not None else None
    statuses = {str(j.get("status")) for j in items_of(body) if j.get("status") is not None}
    paused = p.account.job_paused_status
    if paused in statuses:
        p.verdict(fact, "confirmed", f"a job of the first page has status {paused}.")
    elif others := sorted(statuses - {"ACTIVE"}):
        p.verdict(
            fact,
            "refuted",
            f"jobs show status {', '.join(others)}, not {paused}: set {fact.setting} to the value a paused job shows.",
        )
    else:
        reason = "not checked: no paused job among the first jobs read"
        p.verdict(fact, "unknown", reason, group=reason)


async def _probe_joveo(p: Prober) -> None:
    from .tools.joveo.operations import OPERATIONS

    assert isinstance(p.account, JoveoSettings)
    host, token_fact = p.fact("API host"), p.fact("path of the access-token exchange")
    try:
        assert p.client.auth.token is not None
        token = await p.client.auth.token.get()
    except VendorError as exc:
        _no_token(p, exc, token_fact, host)
        return
    p.verdict(token_fact, "confirmed", "the access-token exchange answered with a token.")
    p.verdict(host, "confirmed", f"{secrets.hide_userinfo(p.account.url)} answered the access-token exchange.")
    ops = {op.name: op for op in OPERATIONS}
    listing = build(
        "GET", p.account.path("joveo_list_clients", "/v1/clients"), query={"page": p.account.page_base, "limit": 1}
    )
    await _token_format(p, p.fact("how the access token is sent"), listing, token)
    pending = [f for f in p.facts if f.readable and f.name.startswith("path of joveo_")]
    for _ in range(2):  # a second pass reaches reads whose ids a later list gave
        for fact in list(pending):
            op = ops[fact.name.removeprefix("path of ")]
            assert op.path is not None
            fields = op.params.model_fields
            query = {"page": p.account.page_base, "limit": 1} if "page" in fields else None
            if query is not None and op.name == "joveo_list_jobs":
                query["page"] = p.account.jobs_page_base
            headers = (
                {"x-client-id": p.ids["client_id"]} if "client_id" in p.ids and "{client_id}" not in op.path else None
            )
            template = p.account.path(op.name, op.path)
            request = p.get(template, JOVEO_ID_FROM.get(op.name), query=query, headers=headers)
            if request is None:
                continue
            pending.remove(fact)
            found = first(await p.read(fact, request))
            for name, key in JOVEO_IDS.get(op.name, {}).items():
                if isinstance(found.get(key), str | int) and name not in p.ids:
                    p.ids[name] = str(found[key])
    for fact in pending:
        missing = ", ".join(n for n in PLACEHOLDER.findall(fact.value(p.account)) if n not in p.ids)
        p.verdict(
            fact, "unknown", f"no {missing} found", group="not checked: the list reads found no id to try it with"
        )
    paused = p.fact("status of a paused job")
    if "client_id" in p.ids:
        await _job_status(p, paused)
    else:
        p.verdict(paused, "unknown", "no client found", group="not checked: the list reads found no id to try it with")


async def _jivox_filter(p: Prober, fact: Fact, sample: dict[str, Any], key: str, operator: str) -> None:
    """Whether Jivox applies a campaign list filter the documents do not show: list with it, compare."""
    value = sample.get(key)
    if not isinstance(value, str) or not value or "," in value:
        reason = "not checked: no retail campaign to try it with"
        p.verdict(fact, "unknown", reason, group=reason)
        return
    request = p.get(
        "/v2/accounts/{accountId}/retail-campaigns", query={"limit": 20, "filters": f"{key}({operator}){value}"}
    )
    if request is None:
        return
    response = await p.answer(request)
    if isinstance(response, VendorError) or response.status_code in (401, 403):
        p.verdict(
            fact, "unknown", response.message if isinstance(response, VendorError) else AUTH_FAILED.format(status=403)
        )
        return
    if not response.is_success:
        p.verdict(
            fact,
            "refuted",
            f"Jivox refused it (HTTP {response.status_code}): the tool's filter does not work "
            "on this account; leave that argument out (no setting changes it).",
        )
        return
    try:
        got = items_of(response.json())
    except ValueError:
        got = []
    matches = [
        c for c in got if (c.get(key) == value if operator == "eq" else value.lower() in str(c.get(key, "")).lower())
    ]
    if len(matches) == len(got) and got:
        p.verdict(fact, "confirmed", f"filtering by {key}({operator}){value!r} returned only matching campaigns.")
    elif got:
        p.verdict(
            fact,
            "refuted",
            f"filtering by {key}({operator}) returned campaigns that do not match: Jivox "
            "ignores it; leave that argument out (no setting changes it).",
        )
    else:
        p.verdict(
            fact,
            "refuted",
            f"filtering by {key}({operator}){value!r} returned nothing although a campaign "
            "has that value: leave that argument out (no setting changes it).",
        )


async def _probe_jivox(p: Prober) -> None:
    host = p.fact("API host")
    body = await p.read(host, build("GET", "/v2/accounts", query={"limit": 1}))
    if p.verdicts[host].state != "confirmed":
        p.stopped = "not checked: the account list read did not succeed"
        return
    account = first(body)
    campaign: dict[str, Any] = {}
    if account.get("accountId"):
        p.ids["accountId"] = str(account["accountId"])
        listing = p.get("/v2/accounts/{accountId}/retail-campaigns", query={"limit": 1})
        campaign = first(await p.read(None, listing)) if listing is not None else {}
        if campaign.get("retailCampaignIdx") is not None:
            p.ids["retailCampaignIdx"] = str(campaign["retailCampaignIdx"])
    documented = p.fact("path of the activation status")
    for fact in [f for f in p.facts if f.method == "GET"]:
        template = fact.value(p.account)
        if "FALLBACK" in fact.setting and p.verdicts.get(documented, Verdict("", fact, "", "")).state == "confirmed":
            p.verdict(fact, "unknown", "not needed: the documented path answered.")
            continue
        if not template or template == "(empty)":
            p.verdict(fact, "unknown", "not set.")
            continue
        request = p.get(template)
        if request is None:
            reason = "not checked: no account or retail campaign found by the list reads to try it with"
            p.verdict(fact, "unknown", reason, group=reason)
        else:
            await p.read(fact, request)
    if "accountId" in p.ids:
        await _jivox_filter(p, p.fact("retail campaign list filter status"), campaign, "status", "eq")
        await _jivox_filter(
            p, p.fact("retail campaign list filter retailCampaignName"), campaign, "retailCampaignName", "like"
        )


async def _probe_merchenta(p: Prober) -> None:
    host = p.fact("API host")
    try:
        assert p.client.auth.token is not None
        await p.client.auth.token.get()  # the documented login (a GET)
        p.verdict(host, "confirmed", f"{secrets.hide_userinfo(p.account.url)} answered the login.")
    except VendorError as exc:
        state = "refuted" if exc.status in (404, 405) else "unknown"
        fix = f": set {host.setting} to the host Merchenta gave you." if state == "refuted" else ""
        p.verdict(host, state, exc.message + fix)


async def _probe_delta(p: Prober) -> None:
    assert isinstance(p.account, DeltaSettings)
    host = p.fact("API host")
    await p.read(host, build("GET", "/api/v1/activity_templates"))
    if p.verdicts[host].state != "confirmed":
        p.stopped = "not checked: the host did not answer the templates read"
        return
    agency = p.account.media_agency_id
    if not agency:
        p.stopped = "not checked: ADOPS_DELTA_MEDIA_AGENCY_ID is not set (the client list needs it)"
        return
    p.ids["mediaAgencyId"] = agency
    listing = p.get("/api/v1/media_agency/{mediaAgencyId}/client")
    client = first(await p.read(None, listing)) if listing is not None else {}
    if client.get("id"):
        p.ids["clientId"] = str(client["id"])
    for fact in (p.fact("path of a client (D2)"), p.fact("path of a client tried after")):
        template = fact.value(p.account)
        request = p.get(template) if template else None
        if not template:
            p.verdict(fact, "unknown", "not set.")
        elif request is None:
            reason = "not checked: no client found by the client list to try it with"
            p.verdict(fact, "unknown", reason, group=reason)
        else:
            await p.read(fact, request)


VENDOR_PROBES = {
    "jivox": _probe_jivox,
    "joveo": _probe_joveo,
    "merchenta": _probe_merchenta,
    "deltaprojects": _probe_delta,
}


def account_lines(p: Prober) -> list[str]:
    """Individual verdicts first, then one line per shared reason (facts not probed included)."""
    lines, groups = [], defaultdict(list)
    for fact in p.facts:
        verdict = p.verdicts.get(fact)
        if verdict is None:
            would_read = not fact.unprobed and fact.method in (None, "GET")
            reason = p.stopped if p.stopped and would_read else f"not probed ({fact.not_probed_because})"
            groups[("unknown", reason)].append(fact)
        elif verdict.group:
            groups[(verdict.state, verdict.group)].append(fact)
        else:
            lines.append(verdict.line())
    for (state, reason), facts in groups.items():
        if len(facts) == 1:  # a group of one reads best as its own line
            lines.append(Verdict(p.subject, facts[0], state, reason + ".").line())
        else:
            lines.append(group_line(state, p.subject, reason, facts))
    return lines


async def probe(settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> tuple[bool, list[str]]:
    """Every fact of every configured account; (no fact refuted, printable lines without secrets)."""
    from .tools.index import vendors
    from .tools.vendor import ClientOptions

    options = dataclasses.replace(
        ClientOptions.from_settings(settings, transport),
        read_attempts=1,  # one try each: a probe reports, it does not insist
        timeout=min(settings.timeout, PROBE_TIMEOUT),
    )
    lines: list[str] = []
    counts: dict[str, int] = defaultdict(int)
    for vendor in vendors():
        facts = [f for f in FACTS if f.vendor == vendor.name]
        for name, account in vendor_profiles(settings, vendor.name).items():
            client = vendor.make_client(account, options)
            prober = Prober(f"{vendor.name}/{name}", client, account, facts)
            try:
                await VENDOR_PROBES[vendor.name](prober)
            finally:
                await client.aclose()
            lines += account_lines(prober)
            for fact in facts:
                counts[prober.verdicts[fact].state if fact in prober.verdicts else "unknown"] += 1
    if not lines:
        told = [f"{vendor}: {problem}" for vendor, problem in partly_set(settings)]
        return False, told or ["no vendor is configured (env variables or the config file)"]
    lines.append(", ".join(f"{counts[s]} {s}" for s in ("confirmed", "refuted", "unknown")))
    return counts["refuted"] == 0, lines
