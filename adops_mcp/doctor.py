"""`adops-mcp doctor`: does each configured account answer, and is the shared state reachable?

For every vendor profile it makes one cheap authenticated call through the vendor's own client
(so base URL joining, auth and error messages are the ones the tools use): the credential
exchange for vendors that mint tokens (Joveo, Merchenta), otherwise a cheap read (Jivox accounts,
Delta's clients of the default media agency), else a plain request to the base URL, which proves
reachability only. Output carries no credential: every line goes through the scrubber.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx2

from .config import Settings, VendorSettings, config_path, partly_set
from .profiles import vendor_profiles
from .vendorcall import secrets
from .vendorcall.http import VendorClient, VendorError
from .vendorcall.request import build, send


@dataclass
class Check:
    subject: str  # "jivox/default", "store", ...
    ok: bool
    detail: str

    def line(self) -> str:
        return secrets.scrub(f"{'ok  ' if self.ok else 'FAIL'}  {self.subject:28} {self.detail}")


Probe = Callable[[VendorClient, VendorSettings], Awaitable[str]]
CHECK_TIMEOUT = 10.0  # seconds per account


async def _jivox(client: VendorClient, settings: VendorSettings) -> str:
    response = await send(client, build("GET", "/v2/accounts"), read=True)
    body = response.json()
    items = body if isinstance(body, list) else next((v for v in body.values() if isinstance(v, list)), [])
    return f"credentials accepted ({len(items)} account(s) visible)"


class Incomplete(Exception):
    """The account answered, but its configuration lacks something the tools need (the message says what)."""


async def _delta(client: VendorClient, settings: VendorSettings) -> str:
    agency = getattr(settings, "media_agency_id", None)
    if not agency:
        await send(client, build("GET", "/api/v1/activity_templates"), read=True)  # needs the key only (D8)
        raise Incomplete(
            "credentials accepted (activity templates read), but ADOPS_DELTA_MEDIA_AGENCY_ID is not set: every "
            "Delta tool then needs a media_agency_id argument. Set it to the id your Delta Projects "
            "representative gave you."
        )
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

    options = dataclasses.replace(  # one try each, briefly: a check reports, it does not insist
        ClientOptions.from_settings(settings, transport), read_attempts=1, timeout=min(settings.timeout, CHECK_TIMEOUT)
    )
    checks = [Check(vendor, False, problem) for vendor, problem in partly_set(settings)]
    for vendor in vendors():
        for name, account in vendor_profiles(settings, vendor.name).items():
            subject = f"{vendor.name}/{name}"
            client = vendor.make_client(account, options)
            try:
                detail = await PROBES.get(vendor.name, _reachable)(client, account)
                checks.append(Check(subject, True, f"{secrets.hide_userinfo(account.url)}: {detail}"))
            except (VendorError, Incomplete) as exc:
                message = exc.message if isinstance(exc, VendorError) else str(exc)
                checks.append(Check(subject, False, f"{secrets.hide_userinfo(account.url)}: {message}"))
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


FACTS_HINT = (
    "vendor facts the documents do not state: adops-mcp doctor --facts lists them with their settings, "
    "adops-mcp doctor --probe checks them"
)


async def probe(settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> tuple[bool, list[str]]:
    """`doctor --probe`: the facts checked with safe reads (probe.py)."""
    from .probe import probe as check_facts

    return await check_facts(settings, transport)
