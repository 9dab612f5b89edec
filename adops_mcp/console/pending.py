"""The pending list's cards: what a person needs to decide one waiting change (no HTTP here)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..profiles import vendor_profiles
from ..server import approvals
from ..server.runtime import Runtime
from ..server.store import Approval, PendingAction
from ..vendorcall import secrets
from .views import span

PAGE = 100  # waiting actions per page of the pending list
REFRESH = 30  # seconds: the pending list reloads itself while nothing is waiting (no script: a meta refresh)


def page_number(text: str | None) -> int:
    try:
        return max(1, min(int(text or 1), 10_000))
    except ValueError:
        return 1


def plan_parts(plan: str) -> tuple[str, str]:
    """A stored plan split into its words and the requests it will send: the plan is the tool's words, then
    the rendering of the requests the one request builder made (`Will send: ...`, runtime.Plan); the panel
    shows that rendering as it is, never a second reconstruction."""
    lines = plan.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("Will send:")), len(lines))
    return "\n".join(lines[:start]).strip(), "\n".join(lines[start:]).strip()


def _label(field: str) -> str:
    """`retail_campaign_idx` -> `Retail campaign`."""
    words = re.sub(r"_(?:id|idx|code|reference)$", "", field).replace("_", " ")
    return words[:1].upper() + words[1:]


@dataclass
class Named:
    label: str  # "Client"
    ident: str  # as the call names it
    name: str | None  # as the vendor names it (read while planning)
    currency: str | None


@dataclass
class PendingView:
    action: PendingAction
    names: list[Named]  # every id the call names, with the vendor's name for it where the plan read one
    words: str  # the plan's words
    sends: str  # the plan's rendering of the requests it will send
    base_url: str | None  # where those requests go (the profile's base URL, without userinfo)
    spend: list[str]  # the budget changes the plan read, with the currency
    what: str  # the change in a few words, for the buttons' names ("Pause a Joveo campaign k-7")
    age: str
    expires_in: str
    own: bool  # requested under the operator's own name (four-eyes)
    approved_by: list[str]  # the operators whose approval counts so far
    mine: bool  # the operator already approved it
    may_approve: bool


def named_ids(action: PendingAction) -> list[Named]:
    known = (action.details or {}).get("names") or {}
    shown = []
    for field, value in action.arguments.items():
        if not re.search(r"(?:^|_)(?:id|idx|code|reference)$", field) or not isinstance(value, str | int):
            continue
        entry = known.get(field)
        entry = entry if isinstance(entry, dict) else {}
        shown.append(Named(_label(field), str(value), entry.get("name"), entry.get("currency")))
    return shown


def spend_lines(action: PendingAction, names: list[Named]) -> list[str]:
    currency = next((n.currency for n in names if n.currency), None)
    lines = []
    for change in (action.details or {}).get("spend") or []:
        old, new = change.get("old"), change.get("new")
        shown = [
            ("nothing" if v is None else format(v, ",.2f") if isinstance(v, int | float) else str(v))
            for v in (old, new)
        ]
        unit = f" {currency}" if currency else " (account currency)"
        lines.append(f"{change.get('what')}: {shown[0]} -> {shown[1]}{unit}")
    return lines


def _amount(value: object) -> str:
    if value is None:
        return "nothing"
    return format(value, ",.2f") if isinstance(value, int | float) else str(value)


def change_words(runtime: Runtime, action: PendingAction, names: list[Named]) -> str:
    """`Pause a Joveo campaign k-7 ("Always-on Drivers")`: the tool's title and the innermost id it names."""
    op = runtime.operation(action.tool)
    title = op.title if op is not None else action.tool
    target: Named | None = None
    if op is not None and op.path:
        placeholders = [re.sub(r"(?<!^)(?=[A-Z])", "_", p).lower() for p in re.findall(r"{(\w+)}", op.path)]
        by_field = {re.sub(r"\W", "_", n.label.lower()): n for n in names}
        for placeholder in placeholders:
            stem = re.sub(r"_(?:id|idx|code|reference)$", "", placeholder)
            target = by_field.get(stem, target)
    if target is None and names:
        target = names[-1]
    if target is None:
        return title
    return f"{title} {target.ident}" + (f" ({json.dumps(target.name, ensure_ascii=False)})" if target.name else "")


def pending_view(
    runtime: Runtime, action: PendingAction, votes: list[Approval], operator: str, now: float, four_eyes: bool
) -> PendingView:
    names = named_ids(action)
    words, sends = plan_parts(action.plan)
    account = vendor_profiles(runtime.settings, action.vendor).get(action.profile)
    counted = approvals.counted(runtime.tokens.key, action, [v for v in votes if v.action_id == action.id], four_eyes)
    own = approvals.normal(action.requested_by) == approvals.normal(operator)
    mine = any(v.operator == approvals.normal(operator) for v in counted)
    return PendingView(
        action=action,
        names=names,
        words=words,
        sends=sends,
        base_url=secrets.hide_userinfo(account.url) if account is not None else None,
        spend=spend_lines(action, names),
        what=change_words(runtime, action, names),
        age=span(now - action.created_at),
        expires_in=span(action.expires_at - now),
        own=own,
        approved_by=[v.name for v in counted],
        mine=mine,
        may_approve=not mine and not (own and four_eyes),
    )


def outcome_message(runtime: Runtime, action: PendingAction, votes: list[Approval], operator: str) -> str:
    """What a decision did, from the action as it stands now."""
    if action.status == "approved":
        return (
            f"Approved {action.tool} ({action.id}) by {action.decided_by}. The assistant performs it, once, when "
            "it calls confirm_action."
        )
    if action.status == "denied":
        return f"Denied {action.tool} ({action.id}) by {action.decided_by}. Nothing will be sent to the vendor."
    if action.status == "pending":
        counted = approvals.counted(runtime.tokens.key, action, votes, runtime.settings.console_four_eyes)
        more = action.approvals_required - len(counted)
        mine = any(v.operator == approvals.normal(operator) for v in counted)
        return (
            f"{'Your approval is recorded: ' if mine else ''}{len(counted)} of {action.approvals_required} "
            f"approvals for {action.tool} ({action.id}); waiting for {more} more operator{'' if more == 1 else 's'}."
        )
    return f"{action.tool} ({action.id}) is {action.status}."
