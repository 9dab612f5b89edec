"""Change sets and undo against an HTTP double that counts requests (not the sandbox): a small Joveo and
Delta written here from VENDORS.md, so the counts show exactly what reached the vendor, and when."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp import Client

from adops_mcp.config import load_settings
from adops_mcp.server.app import build_server
from tests.harness import Harness

pytestmark = pytest.mark.anyio

GROUPS = "/v1/clients/c1/campaigns/k1/jobgroups/"
ACTIVITY = re.compile(r"^/api/v1/media_agency/ma1/client/(?P<client>[^/]+)/campaign/default/activity/(?P<id>[^/]+)$")


class Double:
    """Joveo job groups g1..g3 (active) and Delta activities a1, a2; every request is kept."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.groups = dict.fromkeys(("g1", "g2", "g3"), "A")
        self.activities = {
            a: {"id": a, "name": f"Activity {a}", "budget": 1000.0, "enabled": True} for a in ("a1", "a2")
        }

    def writes(self, host: str) -> list[str]:
        return [f"{m} {p}" for m, p in self.requests if m != "GET" and host in p and "access-token" not in p]

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        method, host, path = request.method, request.url.host, request.url.path
        self.requests.append((method, f"{host}{path}"))
        if host == "joveo.test":
            return self.joveo(method, path)
        return self.delta(method, path, json.loads(request.content) if request.content else None)

    def joveo(self, method: str, path: str) -> httpx2.Response:
        if path == "/v1/access-token":
            return httpx2.Response(200, json={"access_token": "t0ken", "expires_in": 86400})
        if path == "/v1/clients/c1/status":
            return httpx2.Response(200, json={"result": "A"})
        if path == "/v1/clients/c1/campaigns/k1":
            return httpx2.Response(200, json={"id": "k1", "name": "Texas", "activeStatus": "A"})
        if path.startswith(GROUPS):
            group, _, action = path.removeprefix(GROUPS).partition("/")
            if group not in self.groups:
                return httpx2.Response(404, json={"message": f"job group {group} not found"})
            if method == "POST":
                self.groups[group] = {"pause": "P", "enable": "A"}[action]
                return httpx2.Response(200, json={})
            return httpx2.Response(
                200, json={"id": group, "name": f"Group {group}", "activeStatus": self.groups[group]}
            )
        return httpx2.Response(404, json={"message": "no such path"})

    def delta(self, method: str, path: str, body: Any) -> httpx2.Response:
        if path == "/api/v1/media_agency/ma1/client/d1":
            return httpx2.Response(200, json={"id": "d1", "name": "Nordic", "currency": "EUR"})
        found = ACTIVITY.match(path)
        if found is None or found["id"] not in self.activities:
            return httpx2.Response(404, json={"message": "not found"})
        activity = self.activities[found["id"]]
        if method == "POST":
            activity.update(body)
        return httpx2.Response(200, json=activity)


@asynccontextmanager
async def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> AsyncIterator[tuple[Harness, Double]]:
    for name, value in {
        "ADOPS_JOVEO_BASE_URL": "http://joveo.test",
        "ADOPS_JOVEO_API_KEY": "joveo-key-for-the-double-1234",
        "ADOPS_JOVEO_CLIENT_ID": "joveo-client-for-the-double",
        "ADOPS_DELTA_BASE_URL": "http://delta.test",
        "ADOPS_DELTA_API_KEY": "delta-key-for-the-double-1234",
        "ADOPS_DELTA_MEDIA_AGENCY_ID": "ma1",
        "ADOPS_DATA_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    double = Double()
    built = build_server(load_settings(retry_wait=0.0), transport=httpx2.MockTransport(double.handle))
    async with Client(built.server) as client:
        yield Harness(client, built), double


def pause(group: str) -> dict[str, Any]:
    return {"name": "joveo_pause_jobgroup", "arguments": {"client_id": "c1", "campaign_id": "k1", "jobgroup_id": group}}


async def test_one_token_performs_both_pauses_once_and_a_bad_id_sends_nothing(monkeypatch, tmp_path) -> None:
    async with served(monkeypatch, tmp_path) as (h, double):
        refused = await h.error("adops_plan_changes", {"changes": [pause("g1"), pause("g9")]})
        assert "change 2 (joveo_pause_jobgroup)" in refused and double.writes("joveo") == []

        first = await h.ok("adops_plan_changes", {"changes": [pause("g1"), pause("g2")]})
        assert double.writes("joveo") == []
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert [c["status"] for c in done["result"]["changes"]] == ["done", "done"]
        assert double.writes("joveo") == [f"POST joveo.test{GROUPS}g1/pause", f"POST joveo.test{GROUPS}g2/pause"]
        await h.error("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert len(double.writes("joveo")) == 2

        g1 = (await h.ok("adops_audit_log", {}))["records"][-1]
        assert g1["arguments"]["jobgroup_id"] == "g1" and g1["changes"] == ["status: A -> P"]
        undo = await h.ok("adops_undo", {"audit_id": g1["id"]})
        await h.ok("confirm_action", {"confirmation_token": undo["confirmation_token"]})
        assert double.groups == {"g1": "A", "g2": "P", "g3": "A"}
        assert double.writes("joveo")[-1] == f"POST joveo.test{GROUPS}g1/enable"
        again = await h.ok("adops_undo", {"audit_id": g1["id"]})
        assert again["status"] == "unchanged" and len(double.writes("joveo")) == 3


async def test_undo_of_a_delta_budget_change_puts_the_old_budget_back(monkeypatch, tmp_path) -> None:
    async with served(monkeypatch, tmp_path) as (h, double):
        change = {"client_id": "d1", "activity_id": "a1", "budget": 1500}
        first = await h.ok("adops_call_tool", {"name": "delta_update_activity", "arguments": change})
        done = await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]})
        assert double.activities["a1"]["budget"] == 1500
        undo = await h.ok("adops_undo", {"audit_id": done["audit_id"]})
        await h.ok("confirm_action", {"confirmation_token": undo["confirmation_token"]})
        assert double.activities["a1"]["budget"] == 1000
        assert (
            double.writes("delta")
            == ["POST delta.test/api/v1/media_agency/ma1/client/d1/campaign/default/activity/a1"] * 2
        )
        assert (await h.ok("adops_undo", {"audit_id": done["audit_id"]}))["status"] == "unchanged"
        assert len(double.writes("delta")) == 2
