"""Operator policy the model cannot change (flags and ADOPS_* variables).

- Which tools exist: read-only beats everything, then --exclude-tools, then --tools / --toolsets.
- Which vendor accounts a call may target: ADOPS_<VENDOR>_ALLOWED_ACCOUNTS (binding every profile, those of
  the config file too) and a profile's own list, checked against every account-selecting value of the params
  (fields marked `Selects`, account keys of open objects) before anything is sent.
- How much a call may spend: ADOPS_MAX_BUDGET (the largest budget a call may set), ADOPS_MAX_BUDGET_INCREASE
  (the largest increase one call may make), ADOPS_MAX_BUDGET_INCREASE_PER_DAY (the rises of 24 h, from the
  audit log) and ADOPS_MAX_BID, checked against the spend model's changes (`Operation.spend`, see
  vendorcall/spend.py) before anyone is asked to confirm.
- How confirmation happens: ADOPS_CONFIRM_MODE (see registry.build_tool).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver.exceptions import ToolError

from ..config import ConfigError, Settings
from ..vendorcall.operation import Account
from ..vendorcall.operation import selected_accounts as selected
from ..vendorcall.spend import SpendChange

if TYPE_CHECKING:
    from ..vendorcall.operation import Operation

ADOPS_TOOLS = ("confirm_action", "adops_plan_changes", "adops_undo")  # listed only in some modes, still valid names


def names(value: str | None) -> set[str]:
    """A comma-separated setting as a set of names."""
    return {part.strip() for part in (value or "").split(",") if part.strip()}


def check_tool_names(settings: Settings, known: set[str]) -> None:
    """A misspelt --tools / --exclude-tools name must not silently widen or keep the surface."""
    for flag, value in (
        ("ADOPS_TOOLS (--tools)", settings.tools),
        ("ADOPS_EXCLUDE_TOOLS (--exclude-tools)", settings.exclude_tools),
    ):
        unknown = sorted(names(value) - known - set(ADOPS_TOOLS))
        if unknown:
            raise ConfigError(f"{flag} names unknown tools: {', '.join(unknown)}. See `adops-mcp tools`.")


def check_toolsets(settings: Settings, known: set[str]) -> None:
    """A misspelt toolset must not silently list nothing of what the operator asked for."""
    unknown = sorted(names(settings.toolsets) - known - {"all"})
    if unknown:
        raise ConfigError(
            f"ADOPS_TOOLSETS (--toolsets) names unknown toolsets: {', '.join(unknown)}. "
            f"Valid: all, {', '.join(sorted(known))}."
        )


def tool_selected(name: str, toolset: str, vendor: str, default: bool, settings: Settings) -> bool:
    """Whether a (non-read-only-filtered) tool is listed; read-only is applied by the caller first."""
    if name in names(settings.exclude_tools):
        return False
    tools, toolsets = names(settings.tools), names(settings.toolsets)
    if name in tools:
        return True
    if not toolsets:
        return not tools and default  # --tools alone means exactly those tools
    return "all" in toolsets or toolset in toolsets or vendor in toolsets


def allowed(account: str, allowlist: set[str], *, prefixed: bool = False) -> bool:
    """Whether an account id is on the list: an entry matches exactly, or `prefix*` matches a prefix; both are
    case-sensitive. A `prefixed` id (a Merchenta creative code) is allowed under its account (`entry-<n>`)."""
    for entry in allowlist:
        if entry.endswith("*") and account.startswith(entry[:-1]):
            return True
        if account == entry:
            return True
        # a creative of that campaign: entry-<n>; not entry-X-<n>, which may be another campaign's (entry-X)
        if prefixed and account.startswith(entry + "-") and "-" not in account[len(entry) + 1 :]:
            return True
    return False


def selected_accounts(op: Operation, params: Any) -> list[str]:
    """The vendor-side account ids a call selects (not settings such as Delta's media agency)."""
    return [value for mark, value in selected(params) if mark.setting is None]


def check_account(op: Operation, params: Any, vendor: Account) -> None:
    """Refuse a call that selects an account outside the allowlists (nothing is sent): every account-selecting
    value anywhere in the request is checked, against ADOPS_<VENDOR>_ALLOWED_ACCOUNTS and the profile's own
    list; a value naming a configured setting (Delta's media agency) must be that setting."""
    values = selected(params)
    for mark, value in values:
        setting = mark.setting
        if setting is not None and getattr(vendor, setting, None) not in (None, "", value):
            raise ToolError(
                f"{vendor.display} {setting.replace('_', ' ')} {value} is not the one this server is configured "
                f"for ({vendor.env(setting)}). Leave it out to use the configured one. Nothing was sent."
            )
    accounts = [(mark, value) for mark, value in values if mark.setting is None]
    for variable, allowlist in vendor.allowlists():
        if not accounts and op.effect != "read":
            raise ToolError(
                f"{op.name} does not name one {vendor.display} account, and this server only allows "
                f"changes to the accounts in {variable}. Nothing was sent."
            )
        for mark, account in accounts:
            if not allowed(account, allowlist, prefixed=mark.prefixed):
                raise ToolError(
                    f"{vendor.display} account {account} is not one this server may use ({variable}). Nothing was sent."
                )


def _money(value: float | None) -> str:
    return "nothing" if value is None else f"{value:g}"


def check_spend(changes: list[SpendChange], settings: Settings, increased_today: float = 0.0) -> None:
    """Judge every amount a call sets (see vendorcall/spend.py). A value that cannot be judged is refused
    whatever the caps; then ADOPS_MAX_BID caps bids, ADOPS_MAX_BUDGET every budget, ADOPS_MAX_BUDGET_INCREASE
    the rise of each, ADOPS_MAX_BUDGET_INCREASE_PER_DAY the rises of the last 24 h (`increased_today`) plus
    this call's. Counts (applies, clicks) cannot be priced: under budget caps they may fall, not rise."""
    for change in changes:
        if change.problem is not None:
            raise ToolError(f"Refused: {change.what} cannot be judged as spend: {change.problem}. Nothing was sent.")
    budget_caps = [settings.max_budget, settings.max_budget_increase, settings.max_budget_increase_per_day]
    judged = any(cap is not None for cap in budget_caps)
    rise = 0.0
    for change in changes:
        if change.new is None:  # an amount the vendor prices (impressions, slots) whose price is not known
            if judged:
                raise ToolError(
                    f"Refused by the operator's spend cap: {change.what} cannot be priced in money, so it cannot be "
                    "judged against the budget caps. Give the price too (e.g. target_ecpm). Nothing was sent."
                )
            continue
        capped = settings.max_bid is not None if change.kind == "bid" else judged
        if capped and math.isinf(change.new):
            raise ToolError(
                f"Refused by the operator's spend cap: {change.what} would be removed (no cap: unlimited), from "
                f"{_money(change.old)} now. A value left out of the new object, or null, removes it: include it to "
                "keep it. Nothing was sent."
            )
        if change.kind == "bid":
            if settings.max_bid is not None and change.new > settings.max_bid:
                raise ToolError(
                    f"Refused by the operator's spend cap: {change.what} would be {_money(change.new)}, above the "
                    f"maximum bid {settings.max_bid:g} (ADOPS_MAX_BID). Nothing was sent."
                )
            continue
        if not judged:
            continue
        if change.kind == "volume":
            if not change.old_known or (change.old is not None and change.new > change.old):
                before = _money(change.old) if change.old_known else "a value that could not be read"
                raise ToolError(
                    f"Refused by the operator's spend cap: {change.what} is a count, not money, so its rise to "
                    f"{_money(change.new)} (from {before}) cannot be priced against the budget caps; only lowering it "
                    "is allowed here. Nothing was sent."
                )
            continue
        if settings.max_budget is not None and change.new > settings.max_budget:
            raise ToolError(
                f"Refused by the operator's spend cap: {change.what} would be {_money(change.new)}, above the "
                f"maximum budget {settings.max_budget:g} (ADOPS_MAX_BUDGET). Nothing was sent."
            )
        increase_caps = settings.max_budget_increase is not None or settings.max_budget_increase_per_day is not None
        if not increase_caps:
            continue
        if not change.old_known:
            raise ToolError(
                f"Refused by the operator's spend cap: the current value of {change.what} could not be read, so the "
                f"increase to {_money(change.new)} cannot be checked against the increase caps "
                "(ADOPS_MAX_BUDGET_INCREASE, ADOPS_MAX_BUDGET_INCREASE_PER_DAY). Nothing was sent."
            )
        increase = change.new - (change.old or 0.0)
        cap = settings.max_budget_increase
        if cap is not None and increase > cap:
            raise ToolError(
                f"Refused by the operator's spend cap: {change.what} would rise from {_money(change.old)} to "
                f"{_money(change.new)} (+{increase:g}), above the maximum increase per change {cap:g} "
                "(ADOPS_MAX_BUDGET_INCREASE). Nothing was sent."
            )
        rise += max(increase, 0.0)
    daily = settings.max_budget_increase_per_day
    if daily is not None and rise > 0 and increased_today + rise > daily:
        raise ToolError(
            f"Refused by the operator's spend cap: budgets of this account already rose by {increased_today:g} in "
            f"the last 24 hours; this change adds {rise:g}, above the maximum {daily:g} a day "
            "(ADOPS_MAX_BUDGET_INCREASE_PER_DAY). Nothing was sent."
        )


def increase_of(spend: list[dict[str, Any]]) -> float:
    """The budget rise an audit record's spend entries made (what the daily cap sums)."""
    total = 0.0
    for entry in spend:
        if entry.get("kind", "budget") != "budget" or not isinstance(entry.get("new"), int | float):
            continue
        old = entry.get("old")
        total += max(float(entry["new"]) - (float(old) if isinstance(old, int | float) else 0.0), 0.0)
    return total
