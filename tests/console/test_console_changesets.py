"""Change sets and undo in the approvals console (raw HTTP, as the browser sends it): a set waits as one
card listing every request; "Undo" on an audit row creates the undo as a pending change and sends nothing;
once approved, the assistant's adops_undo picks that change up and confirm_action performs it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, GLOBEX, JG_CDL_TEXAS, JG_SUMMER_2024
from tests.console.conftest import BOB, CLIENT_CAROL, Team, blocking
from tests.console.test_console_security import signed_in

GROUP = {"client_id": GLOBEX, "campaign_id": CAMP_ALWAYS_ON}
PAUSES = [
    {"name": "joveo_pause_jobgroup", "arguments": {**GROUP, "jobgroup_id": g}} for g in (JG_CDL_TEXAS, JG_SUMMER_2024)
]


@pytest.fixture
def http(team: Team) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=team.url, follow_redirects=False) as client:
        yield client


def group_status(team: Team, group: str) -> str:
    return str(team.built.sandbox["joveo"].jobgroups[group]["activeStatus"])


def approve(team: Team, action_id: str, operator: str) -> None:
    with httpx2.Client(base_url=team.url, follow_redirects=False) as http:
        csrf = signed_in(http, team, operator)
        response = http.post(
            f"/console/actions/{action_id}", data={"csrf": csrf, "decision": "approve"}, headers={"origin": team.url}
        )
        assert response.status_code == 303  # post/redirect/get
        assert "Approved" in http.get(response.headers["location"]).text


def test_a_set_is_one_card_and_undo_from_the_audit_page_waits_for_approval(team: Team, http: httpx2.Client) -> None:
    is_error, first, text = team.mcp(CLIENT_CAROL, "adops_plan_changes", {"changes": PAUSES})
    assert not is_error and first["status"] == "pending_approval", text
    csrf = signed_in(http, team)
    page = http.get("/console/").text
    assert page.count('class="action"') == 1 and "Exact requests it will send, in order (one change set)" in page
    assert page.count("Will send: POST ") == 2  # the plan's own rendering of every request, in order
    assert f"jobgroups/{JG_CDL_TEXAS}/pause" in page and f"jobgroups/{JG_SUMMER_2024}/pause" in page
    action = blocking(team.built.runtime.store.pending_actions, limit=1)[0]
    approve(team, action.id, BOB)
    is_error, done, text = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": first["confirmation_token"]})
    assert not is_error and done["status"] == "done", text
    assert (group_status(team, JG_CDL_TEXAS), group_status(team, JG_SUMMER_2024)) == ("P", "P")
    texas = done["result"]["changes"][0]["audit_id"]

    audit = http.get("/console/audit").text
    assert f'action="/console/audit/{texas}/undo"' in audit and "status: A -&gt; P" in audit
    writes = team.writes("joveo", "/jobgroups/")
    response = http.post(f"/console/audit/{texas}/undo", data={"csrf": csrf}, headers={"origin": team.url})
    assert response.status_code == 303  # post/redirect/get, like a decision
    assert team.writes("joveo", "/jobgroups/") == writes  # the console never performs it
    undo = blocking(team.built.runtime.store.pending_actions, limit=1)[0]
    assert f"for adops_plan_changes ({undo.id})" in http.get(response.headers["location"]).text
    assert undo.tool == "adops_plan_changes" and undo.requested_by == "alice" and undo.status == "pending"
    assert [c["undoes"] for c in undo.arguments["changes"]] == [texas]
    forged = http.post(f"/console/audit/{texas}/undo", data={"csrf": "guess"}, headers={"origin": team.url})
    assert forged.status_code == 403

    approve(team, undo.id, BOB)
    is_error, picked, text = team.mcp(CLIENT_CAROL, "adops_undo", {"audit_id": texas})
    assert not is_error and picked["status"] == "pending_approval" and "approvals console" in picked["message"], text
    is_error, undone, text = team.mcp(
        CLIENT_CAROL, "confirm_action", {"confirmation_token": picked["confirmation_token"]}
    )
    assert not is_error and undone["status"] == "done", text
    assert (group_status(team, JG_CDL_TEXAS), group_status(team, JG_SUMMER_2024)) == ("A", "P")
    assert team.status(undo.id) == "executed"
