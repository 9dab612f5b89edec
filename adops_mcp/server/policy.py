"""Operator policy the model cannot change (flags and ADOPS_* variables).

- Which tools exist: read-only beats everything, then --exclude-tools, then --tools / --toolsets.
- Which vendor accounts a call may target: ADOPS_<VENDOR>_ALLOWED_ACCOUNTS, checked against the
  operation's `account(params)` before anything is sent.
- How much a call may spend: ADOPS_MAX_BUDGET (the largest budget a call may set) and
  ADOPS_MAX_BUDGET_INCREASE (the largest increase one call may make), checked against the
  operation's `spend(call)` before anyone is asked to confirm.
- How confirmation happens: ADOPS_CONFIRM_MODE (see registry.build_tool).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver.exceptions import ToolError

from ..config import ConfigError, Settings
from ..vendorcall.operation import Account, SpendChange

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


def allowed(account: str, allowlist: set[str]) -> bool:
    return any(account.startswith(entry[:-1]) if entry.endswith("*") else account == entry for entry in allowlist)


def check_account(op: Operation, params: Any, vendor: Account) -> None:
    """Refuse a call for an account outside ADOPS_<VENDOR>_ALLOWED_ACCOUNTS (nothing is sent)."""
    allowlist = names(vendor.allowed_accounts)
    if not allowlist:
        return
    account = op.account(params) if op.account is not None else None
    variable = vendor.env("allowed_accounts")
    if account is None:
        if op.effect == "read":
            return  # not scoped to one account (e.g. listing the agency's clients)
        raise ToolError(
            f"{op.name} does not name one {vendor.display} account, and this server only allows "
            f"changes to the accounts in {variable}. Nothing was sent."
        )
    if not allowed(str(account), allowlist):
        raise ToolError(
            f"{vendor.display} account {account} is not one this server may use ({variable}). Nothing was sent."
        )


def check_spend(changes: list[SpendChange], settings: Settings) -> None:
    """Refuse a budget above ADOPS_MAX_BUDGET, an increase above ADOPS_MAX_BUDGET_INCREASE, a bid above
    ADOPS_MAX_BID, and (with caps set) a spend value whose meaning cannot be judged. Every change is checked."""
    for change in changes:
        cap, variable = (
            (settings.max_bid, "ADOPS_MAX_BID") if change.kind == "bid" else (settings.max_budget, "ADOPS_MAX_BUDGET")
        )
        increase_cap = settings.max_budget_increase if change.kind == "budget" else None
        if change.new is None:
            if cap is not None or increase_cap is not None:
                raise ToolError(
                    f"Refused by the operator's spend cap: the meaning of {change.what} cannot be judged (send it as "
                    "a plain number), so it cannot be checked against the caps. Nothing was sent."
                )
            continue
        if cap is not None and change.new > cap:
            raise ToolError(
                f"Refused by the operator's spend cap: {change.what} would be {change.new:g}, above the maximum "
                f"{change.kind} {cap:g} ({variable}). Nothing was sent."
            )
        if increase_cap is None:
            continue
        if not change.old_known:
            raise ToolError(
                f"Refused by the operator's spend cap: the current value of {change.what} could not be read, so the "
                f"increase to {change.new:g} cannot be checked against ADOPS_MAX_BUDGET_INCREASE. Nothing was sent."
            )
        increase = change.new - (change.old or 0.0)
        if increase > increase_cap:
            before = "nothing" if change.old is None else f"{change.old:g}"
            raise ToolError(
                f"Refused by the operator's spend cap: {change.what} would rise from {before} to {change.new:g} "
                f"(+{increase:g}), above the maximum increase per change {increase_cap:g} "
                "(ADOPS_MAX_BUDGET_INCREASE). Nothing was sent."
            )


def caps_set(settings: Settings) -> bool:
    return any(v is not None for v in (settings.max_budget, settings.max_budget_increase, settings.max_bid))
