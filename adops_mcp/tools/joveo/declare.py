"""The `op` shorthand Joveo's operation tables are written with, and the tools listed by default."""

from __future__ import annotations

from typing import Any

from ...vendorcall.operation import Effect, Operation
from . import flows as f

C, CAMPAIGN, JOBGROUP, JOB, FEED, PUBLISHER, CONFIG = f.C, f.CAMPAIGN, f.JOBGROUP, f.JOB, f.FEED, f.PUBLISHER, f.CONFIG
WIP = "Work in progress at Joveo (may not be deployed yet). "


# Listed by default alongside the other vendors: find ids, find out why a job group is not spending, and
# stop spend. The rest (enable included) is one adops_find_tools away.
DEFAULT = {
    "joveo_list_clients",
    "joveo_list_campaigns",
    "joveo_diagnose_jobgroup",
    "joveo_pause_jobgroup",
    "joveo_pause_campaign",
}
# Also listed when Joveo is the only vendor configured.
EVERYDAY = {
    "joveo_get_jobgroup_status",
    "joveo_enable_jobgroup",
    "joveo_enable_campaign",
    "joveo_list_client_jobgroups",
    "joveo_get_client_status",
    "joveo_submit_stats_report",
    "joveo_wait_for_stats_report",
}


def op(
    name: str,
    title: str,
    description: str,
    toolset: str,
    effect: Effect,
    method: str | None,
    path: str | None,
    params: Any,
    **extra: Any,
) -> Operation:
    extra.setdefault("run", f.send)
    extra.setdefault("default", name in DEFAULT)
    extra.setdefault("everyday", name in EVERYDAY)
    return Operation(
        name=name,
        title=title,
        description=description,
        vendor="joveo",
        toolset=f"joveo_{toolset}",
        effect=effect,
        method=method,
        path=path,
        params=params,
        **extra,
    )
