"""`adops-mcp doctor`: does each configured account answer, and is the shared state reachable?

For every vendor profile it makes one cheap authenticated call through the vendor's own client
(so base URL joining, auth and error messages are the ones the tools use): the credential
exchange for vendors that mint tokens (Joveo, Merchenta), otherwise a cheap read (Jivox accounts,
Delta's clients of the default media agency), else a plain request to the base URL, which proves
reachability only. Output carries no credential: every line goes through the scrubber.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx2

from .config import JoveoSettings, Settings, VendorSettings, config_path
from .facts import Fact
from .profiles import vendor_profiles
from .vendorcall import secrets
from .vendorcall.http import VendorClient, VendorError
from .vendorcall.request import PLACEHOLDER, Request, UnsafeId, build, send


@dataclass
class Check:
    subject: str  # "jivox/default", "store", ...
    ok: bool
    detail: str

    def line(self) -> str:
        return secrets.scrub(f"{'ok  ' if self.ok else 'FAIL'}  {self.subject:28} {self.detail}")


Probe = Callable[[VendorClient, VendorSettings], Awaitable[str]]


async def _jivox(client: VendorClient, settings: VendorSettings) -> str:
    response = await send(client, build("GET", "/v2/accounts"), read=True)
    body = response.json()
    items = body if isinstance(body, list) else next((v for v in body.values() if isinstance(v, list)), [])
    return f"credentials accepted ({len(items)} account(s) visible)"


async def _delta(client: VendorClient, settings: VendorSettings) -> str:
    agency = getattr(settings, "media_agency_id", None)
    if not agency:
        return await _reachable(client, settings)
    await send(
        client, build("GET", "/api/v1/media_agency/{mediaAgencyId}/client", {"mediaAgencyId": agency}), read=True
    )
    return f"credentials accepted (media agency {agency})"


async def _reachable(client: VendorClient, settings: VendorSettings) -> str:
    if client.auth.token is not None:
        await client.auth.token.get()  # the vendor's credential exchange
        return "credentials accepted (access token issued)"
    response = await send(client, build("GET", "/"), read=True, ok_statuses=frozenset(range(300, 500)))
    return f"reachable (HTTP {response.status_code}); credentials not verified by a read"


PROBES: dict[str, Probe] = {"jivox": _jivox, "deltaprojects": _delta}


async def check_vendors(settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> list[Check]:
    from .tools.index import vendors
    from .tools.vendor import ClientOptions

    options = ClientOptions.from_settings(settings, transport)
    checks = []
    for vendor in vendors():
        for name, account in vendor_profiles(settings, vendor.name).items():
            subject = f"{vendor.name}/{name}"
            client = vendor.make_client(account, options)
            try:
                detail = await PROBES.get(vendor.name, _reachable)(client, account)
                checks.append(Check(subject, True, f"{secrets.hide_userinfo(account.url)}: {detail}"))
            except VendorError as exc:
                checks.append(Check(subject, False, f"{secrets.hide_userinfo(account.url)}: {exc.message}"))
            except Exception as exc:  # a bug or an odd answer: say which, never the details
                checks.append(
                    Check(subject, False, f"{secrets.hide_userinfo(account.url)}: unexpected {type(exc).__name__}")
                )
            finally:
                await client.aclose()
    return checks


async def check_store(settings: Settings) -> Check:
    from .server.store import open_store

    try:
        store = open_store(settings)
    except Exception as exc:
        return Check("state store", False, f"cannot open: {type(exc).__name__}: {secrets.scrub(str(exc))[:200]}")
    try:
        await store.audit(limit=1)
        waiting = len(await store.pending_actions())
        return Check("state store", True, f"{store.describe()} ({waiting} approval(s) waiting)")
    except Exception as exc:
        return Check("state store", False, f"{store.describe()}: {type(exc).__name__}")
    finally:
        store.close()


def summary(settings: Settings) -> list[str]:
    path, _explicit = config_path(settings)
    where = f"{path}" + ("" if path.is_file() else " (not present)")
    key = (
        "configured (ADOPS_CONFIRM_KEY: replicas can share tokens)"
        if settings.confirm_key
        else ("per-install key file (set ADOPS_CONFIRM_KEY when running replicas)")
    )
    return [
        f"config file        {where if not settings.sandbox else 'ignored (sandbox)'}",
        f"confirmation mode  {getattr(settings, 'confirm_mode', 'elicitation-or-token')}",
        f"confirmation key   {key}",
    ]


async def run(settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> tuple[bool, list[str]]:
    """Every check; (all ok, printable lines without secrets)."""
    lines = summary(settings)
    checks = [await check_store(settings), *await check_vendors(settings, transport)]
    if not any(c.subject != "state store" for c in checks):
        checks.append(Check("vendors", False, "no vendor is configured (env variables or the config file)"))
    lines += [c.line() for c in checks]
    return all(c.ok for c in checks), [secrets.scrub(line) for line in lines]


# ---------------------------------------------------------------------------------- facts


def facts_table(settings: Settings) -> list[str]:
    """The vendor facts the documents do not state, with the values in effect (docs/vendor-facts.md)."""
    from .facts import table_lines

    accounts = {name: v for name, v in settings.vendors.items() if v.enabled}
    return ["vendor facts the documents do not state (docs/vendor-facts.md):", *table_lines(accounts)]


@dataclass
class Verdict:
    subject: str  # vendor/profile
    fact: Fact
    state: str  # confirmed | refuted | unknown
    detail: str

    def line(self) -> str:
        return secrets.scrub(f"{self.state:9}  {self.subject:22} {self.fact.name}: {self.detail}")


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


def _first(body: Any) -> dict[str, Any]:
    items = body.get("data") if isinstance(body, dict) and "data" in body else body
    if isinstance(body, dict) and not isinstance(items, list):
        items = next((v for v in body.values() if isinstance(v, list)), [body])
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


class Prober:
    """Safe reads only: GETs (and the documented credential exchange the client makes itself)."""

    def __init__(self, subject: str, client: VendorClient, account: VendorSettings) -> None:
        self.subject, self.client, self.account = subject, client, account
        self.ids: dict[str, str] = {}
        self.verdicts: dict[Fact, Verdict] = {}

    def verdict(self, fact: Fact, state: str, detail: str) -> None:
        self.verdicts[fact] = Verdict(self.subject, fact, state, detail)

    async def read(self, fact: Fact | None, request: Request) -> Any:
        """Send the GET; records the fact's verdict; returns the JSON body on 2xx, else None."""
        path = request.path
        try:
            response = await send(self.client, request, read=True, ok_statuses=frozenset(range(400, 500)))
        except VendorError as exc:
            if fact is not None:
                self.verdict(fact, "unknown", exc.message)
            return None
        status = response.status_code
        if fact is not None:
            if status in (404, 405):
                what = "host your vendor gave you" if fact.method is None else "path your vendor gave you"
                self.verdict(fact, "refuted", f"GET {path} answered {status}: set {fact.setting} to the {what}.")
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


async def _probe_joveo(p: Prober, facts: list[Fact]) -> None:
    from .tools.joveo.operations import OPERATIONS

    assert isinstance(p.account, JoveoSettings)
    host, token = facts[0], facts[1]
    try:
        assert p.client.auth.token is not None
        await p.client.auth.token.get()
    except VendorError as exc:
        if exc.status in (404, 405):
            fix = f"set {token.setting} (or ADOPS_JOVEO_BASE_URL) to what Joveo gave you."
            p.verdict(token, "refuted", f"POST {p.account.token_path} answered {exc.status}: {fix}")
        else:
            p.verdict(token, "unknown", exc.message)
        return
    p.verdict(token, "confirmed", "the access-token exchange answered with a token.")
    p.verdict(host, "confirmed", f"{secrets.hide_userinfo(p.account.url)} answered the access-token exchange.")
    ops = {op.name: op for op in OPERATIONS}
    pending = [f for f in facts if f.readable and f.name.startswith("path of joveo_")]
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
            body = await p.read(fact, request)
            first = _first(body) if body is not None else {}
            for name, key in JOVEO_IDS.get(op.name, {}).items():
                if isinstance(first.get(key), str | int) and name not in p.ids:
                    p.ids[name] = str(first[key])
    for fact in pending:
        missing = ", ".join(n for n in PLACEHOLDER.findall(fact.value(p.account)) if n not in p.ids)
        p.verdict(fact, "unknown", f"no {missing} found by the list reads to try it with.")


async def _probe_jivox(p: Prober, facts: list[Fact]) -> None:
    host = facts[0]
    body = await p.read(host, build("GET", "/v2/accounts", query={"limit": 1}))
    account = _first(body) if body is not None else {}
    if account.get("accountId"):
        p.ids["accountId"] = str(account["accountId"])
        listing = p.get("/v2/accounts/{accountId}/retail-campaigns", query={"limit": 1})
        campaigns = await p.read(None, listing) if listing is not None else None
        idx = _first(campaigns).get("retailCampaignIdx") if campaigns is not None else None
        if idx is not None:
            p.ids["retailCampaignIdx"] = str(idx)
    for fact in facts[1:]:
        template = fact.value(p.account)
        documented = p.verdicts.get(facts[1])
        if "FALLBACK" in fact.setting and documented is not None and documented.state == "confirmed":
            p.verdict(fact, "unknown", "not needed: the documented path answered.")
            continue
        if not template or template == "(empty)":
            p.verdict(fact, "unknown", "not set.")
            continue
        request = p.get(template)
        if request is None:
            p.verdict(fact, "unknown", "no account or retail campaign found by the list reads to try it with.")
        else:
            await p.read(fact, request)


async def _probe_merchenta(p: Prober, facts: list[Fact]) -> None:
    try:
        assert p.client.auth.token is not None
        await p.client.auth.token.get()  # the documented login (a GET)
        p.verdict(facts[0], "confirmed", f"{secrets.hide_userinfo(p.account.url)} answered the login.")
    except VendorError as exc:
        state = "refuted" if exc.status in (404, 405) else "unknown"
        fix = f": set {facts[0].setting} to the host Merchenta gave you." if state == "refuted" else ""
        p.verdict(facts[0], state, exc.message + fix)


async def _probe_delta(p: Prober, facts: list[Fact]) -> None:
    await p.read(facts[0], build("GET", "/api/v1/activity_templates"))


VENDOR_PROBES = {
    "jivox": _probe_jivox,
    "joveo": _probe_joveo,
    "merchenta": _probe_merchenta,
    "deltaprojects": _probe_delta,
}


async def probe(settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> tuple[bool, list[str]]:
    """`doctor --probe`: every fact of every configured account, confirmed / refuted / unknown.

    Only GETs are sent, besides the documented credential exchanges; a fact a read cannot check
    (a write's path, a header, a format) is unknown. Ok unless a fact is refuted."""
    from .facts import FACTS
    from .tools.index import vendors
    from .tools.vendor import ClientOptions

    options = ClientOptions.from_settings(settings, transport)
    verdicts: list[Verdict] = []
    for vendor in vendors():
        facts = [f for f in FACTS if f.vendor == vendor.name]
        for name, account in vendor_profiles(settings, vendor.name).items():
            client = vendor.make_client(account, options)
            prober = Prober(f"{vendor.name}/{name}", client, account)
            try:
                await VENDOR_PROBES[vendor.name](prober, facts)
            finally:
                await client.aclose()
            for fact in facts:
                if fact not in prober.verdicts:
                    why = "a write's path: never probed" if fact.method else "not checkable by a read"
                    prober.verdict(fact, "unknown", f"{why} (value {fact.value(account) or '(empty)'}).")
                verdicts.append(prober.verdicts[fact])
    if not verdicts:
        return False, ["no vendor is configured (env variables or the config file)"]
    counts = {s: sum(v.state == s for v in verdicts) for s in ("confirmed", "refuted", "unknown")}
    lines = [v.line() for v in verdicts]
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return counts["refuted"] == 0, lines
