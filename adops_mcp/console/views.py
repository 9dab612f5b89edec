"""What the console pages show, computed from the store and the runtime (no HTTP here)."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from ..config import VENDOR_SETTINGS
from ..profiles import vendor_profiles
from ..server.overview import configuration
from ..server.runtime import Runtime
from ..server.store import AuditRecord, profile_of
from ..vendorcall import secrets
from ..vendorcall.operation import Operation
from ..vendorcall.sanitize import clean

AUDIT_FILTERS = ("vendor", "account", "tool", "outcome", "date_from", "date_to")
OUTCOMES = ("ok", "failed", "unknown", "sent")


def stamp(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t)) if t else ""


def span(seconds: float) -> str:
    seconds = abs(int(seconds))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def exact_request(runtime: Runtime, tool: str, arguments: dict[str, Any], profile: str) -> str:
    """The HTTP request the action will send, as the vendor will receive it (no credentials: the client adds those)."""
    op = runtime.operation(tool)
    if op is None:
        return f"{tool} is not enabled on this server: confirm_action will refuse it."
    try:
        call = runtime.call(op, arguments, None, profile=profile)
    except Exception as exc:  # a profile or tool that no longer exists: say so instead of failing the page
        return f"Cannot be sent as configured now: {exc}"
    if op.method is None or op.path is None:
        return f"{op.title}: several vendor calls, with arguments {json.dumps(arguments, sort_keys=True)}"
    account = vendor_profiles(runtime.settings, op.vendor).get(profile) or runtime.settings.vendors[op.vendor]
    try:
        request = call.request(values=_from_account(account, op.path))
    except ValueError as exc:  # an id the request builder refuses
        return f"{op.title}: cannot show the exact request here ({exc})"
    path, query, body, headers = request.path, request.query, request.json, request.headers
    lines = [
        f"{op.method} {secrets.hide_userinfo(account.url)}{path}"
        + (f"?{urlencode(query, doseq=True)}" if query else "")
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["", json.dumps(body, indent=2, sort_keys=True)]
    if op.run is not None:
        lines += ["", f"(the last step of {op.title}; it reads the current state first)"]
    return "\n".join(lines)


def _from_account(account: object, template: str) -> dict[str, str]:
    """Path values the arguments leave to the account's settings (Delta's mediaAgencyId -> media_agency_id)."""
    values = {}
    for name in re.findall(r"{(\w+)}", template):
        value = getattr(account, re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(), None)
        if isinstance(value, str | int) and value != "":
            values[name] = str(value)
    return values


def _segments(path: str) -> list[str]:
    return [("{}" if re.fullmatch(r"{\w+}", part) else part) for part in path.strip("/").split("/")]


def settling_read(runtime: Runtime, record: AuditRecord) -> str | None:
    """The read that tells whether an unknown write happened: the vendor's GET of the longest enclosing path."""
    if not record.path:
        return None
    target = _segments(record.path)
    best: Operation | None = None
    for name, summary in runtime.operations.items():
        op = runtime.operation(name) if summary.vendor == record.vendor and summary.effect == "read" else None
        if op is None or op.method != "GET" or not op.path:
            continue
        mine = _segments(op.path)
        if target[: len(mine)] == mine and (best is None or len(mine) > len(_segments(best.path or ""))):
            best = op
    if best is None:
        return None
    fields = best.params.model_fields
    arguments = {k: v for k, v in record.arguments.items() if k in fields}
    profile = profile_of(record.account)
    if "profile" in fields and profile != "default":
        arguments["profile"] = profile
    shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in arguments.items())
    return f"{best.name}({shown})"


def before_after(record: AuditRecord) -> list[str]:
    changes: list[str] = record.public()["changes"]  # status changes too, as the audit log shows them
    return changes


APPROVAL = re.compile(r"out-of-band approval (\w+) by ")


async def approved_plans(runtime: Runtime, records: list[AuditRecord]) -> dict[int, str]:
    """The plan a person approved, for each record performed under an out-of-band approval: the change in
    words, from what to what where the plan could read the current state."""
    plans = {}
    for record in records:
        match = APPROVAL.match(record.confirmed_by)
        action = await runtime.store.pending(match.group(1)) if match else None
        if action is not None:
            plans[record.id] = action.plan
    return plans


def day_start(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def audit_query(params: dict[str, str]) -> dict[str, Any]:
    """Page filters -> Store.audit keyword arguments (dates are UTC days, `date_to` inclusive)."""
    until = day_start(params.get("date_to"))
    outcome = params.get("outcome") or None
    return {
        "vendor": params.get("vendor") or None,
        "account": params.get("account") or None,
        "tool": params.get("tool") or None,
        "outcome": outcome if outcome in OUTCOMES else None,
        "since": day_start(params.get("date_from")),
        "until": until + 86400 if until is not None else None,
    }


CSV_COLUMNS = (
    "id",
    "at",
    "vendor",
    "profile",
    "account",
    "tool",
    "request",
    "arguments",
    "confirmed_by",
    "outcome",
    "detail",
    "before_after",
    "settle_with",
)


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    # Vendor text is untrusted: a leading = + - @ would be a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv(runtime: Runtime, records: list[AuditRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        data = record.public()
        writer.writerow(
            [
                _cell(str(data["id"])),
                _cell(data["at"]),
                _cell(data["vendor"]),
                _cell(data["profile"]),
                _cell(data["account"]),
                _cell(data["tool"]),
                _cell(data["request"] or ""),
                _cell(data["arguments"]),
                _cell(data["confirmed_by"]),
                _cell(data["status"]),
                _cell(data["detail"] or ""),
                _cell("; ".join(before_after(record))),
                _cell((settling_read(runtime, record) or "") if record.status == "unknown" else ""),
            ]
        )
    return out.getvalue()


@dataclass
class SpendRow:
    vendor: str
    profile: str
    account: str
    changes: int
    increase: float
    largest_increase: float
    largest_budget: float
    unknown: int  # changes whose outcome is unknown (counted in the totals: they may have happened)


async def spend_today(runtime: Runtime, now: float) -> tuple[list[SpendRow], float]:
    midnight = day_start(time.strftime("%Y-%m-%d", time.gmtime(now))) or 0.0
    rows: dict[tuple[str, str], SpendRow] = {}
    for record in await runtime.store.audit(since=midnight, limit=100_000):
        if not record.spend or record.status == "failed":
            continue
        key = (record.vendor, record.account)
        row = rows.setdefault(
            key, SpendRow(record.vendor, profile_of(record.account), record.account, 0, 0.0, 0.0, 0.0, 0)
        )
        row.changes += 1
        row.unknown += record.status != "ok"
        for change in record.spend:
            up = max(0.0, float(change["new"]) - float(change.get("old") or 0.0))
            row.increase += up
            row.largest_increase = max(row.largest_increase, up)
            row.largest_budget = max(row.largest_budget, float(change["new"]))
    return sorted(rows.values(), key=lambda r: (r.vendor, r.profile)), midnight


def config_view(runtime: Runtime, operators: list[str]) -> dict[str, Any]:
    """Vendors, profiles and policy as the console shows them: never a credential."""
    settings = runtime.settings
    overview = configuration(runtime)
    profiles = []
    for cls in VENDOR_SETTINGS:
        for name, account in vendor_profiles(settings, cls.vendor).items():
            public = account.public()
            profiles.append(
                {
                    "vendor": cls.display,
                    "profile": name,
                    "base_url": public["base_url"],
                    "allowed_accounts": account.allowed_accounts or "any",
                }
            )
    policy = {
        "Confirmation mode": settings.confirm_mode,
        "Read-only": "yes" if settings.read_only else "no",
        "Toolsets": settings.toolsets or "default",
        "Tools added": settings.tools or "none",
        "Tools excluded": settings.exclude_tools or "none",
        "Maximum budget (ADOPS_MAX_BUDGET)": _amount(settings.max_budget),
        "Maximum increase per change (ADOPS_MAX_BUDGET_INCREASE)": _amount(settings.max_budget_increase),
        "Maximum bid (ADOPS_MAX_BID)": _amount(getattr(settings, "max_bid", None)),
        "Approval / confirmation window": f"{settings.confirm_ttl} s",
        "Four-eyes (no approving your own request)": "on" if settings.console_four_eyes else "off",
        "Approvals per change (ADOPS_APPROVALS_REQUIRED)": _approvals(settings, len(operators)),
        "Waiting changes per requester (ADOPS_MAX_PENDING_PER_REQUESTER)": str(settings.max_pending_per_requester),
        "Console session length": span(settings.console_session_ttl),
        "Approval webhook": "configured" if settings.approval_webhook_url else "not configured",
        "State store": runtime.store.describe(),
        "Console operators": ", ".join(operators),
    }
    return {"overview": overview, "profiles": profiles, "policy": policy}


def _approvals(settings: Any, operators: int) -> str:
    text = f"{settings.approvals_required} different operators" if settings.approvals_required > 1 else "1"
    if settings.approvals_required_above is not None and settings.approvals_required > 1:
        text += f"; 1 for budget raises up to {settings.approvals_required_above:g} (ADOPS_APPROVALS_REQUIRED_ABOVE)"
    if settings.approvals_required > operators:
        text += f" (only {operators} operators can sign in here: the rest must approve with adops-mcp approve --as)"
    return text


def _amount(value: float | None) -> str:
    return "no cap" if value is None else format(value, "g")


def safe_text(value: Any) -> Any:
    """Vendor text shown to people: invisible and control characters stripped (HTML escaping is Jinja's)."""
    return clean(value)
