"""Follow a Jivox activation until it settles, with MCP progress notifications, within a time bound."""

from __future__ import annotations

from typing import Annotated

import anyio
from pydantic import BaseModel, Field

from ...config import JivoxSettings
from ...vendorcall.http import wait_bound
from ...vendorcall.operation import Call, Operation
from .models import CampaignParams
from .reads import activation_status

TERMINAL = ("ACTIVE", "FAILED", "ENDED")
MOVING = ("IN_PROGRESS", "PUBLISHED")


class WaitParams(CampaignParams):
    max_wait_seconds: Annotated[
        int, Field(ge=1, le=300, description="Give up after this long and return the last state.")
    ] = 60


class ActivationWait(BaseModel):
    status: str | None = Field(description="The last activation status read.")
    percentage: int | None = None
    message: str | None = None
    settled: bool = Field(description="True when the status is terminal (ACTIVE, FAILED, ENDED).")
    timed_out: bool = Field(description="True when max_wait_seconds passed before it settled.")
    polls: int
    waited_seconds: float
    note: str


async def wait_for_activation(call: Call) -> ActivationWait:
    assert isinstance(call.settings, JivoxSettings)
    interval = call.settings.poll_interval
    bound = wait_bound(call.params.max_wait_seconds)
    started = anyio.current_time()
    polls = 0
    while True:
        state = await activation_status(call)
        polls += 1
        waited = anyio.current_time() - started
        pct = state.percentage if state.percentage is not None else (100 if state.status in TERMINAL else 0)
        if call.ctx is not None:
            await call.ctx.report_progress(pct, 100, f"{state.status} {pct}%: {state.message or ''}".strip())
        settled = state.status in TERMINAL
        if settled or state.status not in MOVING:
            note = f"Settled: {state.status}." if settled else _not_moving(state.status)
            return _result(state, settled, False, polls, waited, note)
        if waited + interval > bound:
            return _result(
                state,
                False,
                True,
                polls,
                waited,
                f"Still {state.status} after {waited:.0f}s; call again to keep watching.",
            )
        await anyio.sleep(interval)


def _not_moving(status: str | None) -> str:
    """Why the wait stops on a status that is neither moving nor terminal, claiming only what the document says."""
    if status in ("NEW", "DRAFT"):
        return f"Not activated yet (status {status}): there is nothing to wait for; activate it first."
    if status == "EXAMINE":
        return (
            "Status EXAMINE: Jivox's document lists it without saying what it means (it may need a review at "
            "Jivox). It is not a moving status (IN_PROGRESS, PUBLISHED), so the wait stops here; check with "
            "jivox_get_activation_status later, or ask Jivox."
        )
    return f"Status {status} is not one the documents describe as moving (IN_PROGRESS, PUBLISHED): the wait stops."


def _result(state: object, settled: bool, timed_out: bool, polls: int, waited: float, note: str) -> ActivationWait:
    return ActivationWait(
        status=getattr(state, "status", None),
        percentage=getattr(state, "percentage", None),
        message=getattr(state, "message", None),
        settled=settled,
        timed_out=timed_out,
        polls=polls,
        waited_seconds=round(waited, 2),
        note=note,
    )


WAIT = Operation(
    name="jivox_wait_for_activation",
    title="Wait for a Jivox activation",
    description="After jivox_activate_retail_campaign: follows activation until ACTIVE, FAILED "
    "or ENDED (at most max_wait_seconds) with progress; returns the last state. One "
    "look: jivox_get_activation_status.",
    vendor="jivox",
    toolset="jivox",
    effect="read",
    params=WaitParams,
    result=ActivationWait,
    run=wait_for_activation,
)
