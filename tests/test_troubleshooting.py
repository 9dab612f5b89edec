"""Guided troubleshooting: diagnosis tools over seeded sandbox states, status resources and their tool
twins, the configuration overview, and the Jivox activation wait (progress, bound)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from adops_mcp.catalogue import catalogue
from adops_mcp.sandbox import Sandbox
from adops_mcp.sandbox.jivox import JivoxSimulator
from tests.harness import Harness, connect

pytestmark = pytest.mark.anyio
NAMES = {e["name"] for e in catalogue()}

Setup = Callable[[Harness], Awaitable[None]] | None
# Joveo's tools land separately; until joveo_diagnose_jobgroup is in the table its rows are skipped, not dropped.
JOVEO_LANDED = "joveo_diagnose_jobgroup" in NAMES


def landed(*row: Any) -> Any:
    tool = row[0] if isinstance(row[0], str) and not row[0].startswith(("joveo://", "jivox://")) else row[1]
    skip = tool.startswith("joveo_") and not JOVEO_LANDED
    return pytest.param(*row, marks=pytest.mark.skipif(skip, reason="Joveo diagnosis not wired yet"))


ACME = "acme-retail"
PRIYA = "priya.nair@brightpath-media.com"
SE = "b833cff3-0c18-549e-bd86-ac794c288f76"
DE = "1c770c65-7137-541c-8ca0-51311eee3004"
GLOBEX, UMBRELLA = "3f6c2a9e-8d41-4b7a-9e2c-5a1d7b0c4e11", "c8d45b17-2e6a-49f3-a1c0-7b3e9d5f2a83"
ALWAYS_ON, Q3 = "0b7d3e51-9a2c-4e86-b4f1-6c8a2d9e1f01", "5e9a1c73-4b2d-4f6e-8a90-1d3c5b7e9f02"


async def _request_5307(h: Harness) -> None:
    await h.ok(
        "jivox_submit_approval_request",
        {"account_id": ACME, "retail_campaign_idx": 5307, "user_name": "Jo", "user_email": "jo@example.com"},
    )


async def _priya_approves_5301(h: Harness) -> None:
    h.sandbox["jivox"].decide(ACME, 5301, PRIYA, "Approved")


async def _reject_summer(h: Harness) -> None:
    for n in (1, 2):
        h.sandbox["merchenta"].review(f"SANDBOX1-SUMMER-PENDING-{n}", approve=False)


def jivox(idx: int, account: str = ACME) -> dict[str, Any]:
    return {"account_id": account, "retail_campaign_idx": idx}


def delta(client: str, activity: str) -> dict[str, Any]:
    return {"client_id": client, "activity_id": activity}


def joveo(campaign: str, jobgroup: str, client: str = GLOBEX, job: str | None = None) -> dict[str, Any]:
    args = {"client_id": client, "campaign_id": campaign, "jobgroup_id": jobgroup}
    return args | ({"job_reference": job} if job else {})


# (tool, arguments, setup, running, blocking codes expected, other codes expected, next-step tools expected)
CASES: list[tuple[str, dict[str, Any], Setup, bool, set[str], set[str], set[str]]] = [
    (
        "jivox_diagnose_retail_campaign",
        jivox(5301),
        None,
        False,
        {"not_activated", "approval_pending"},
        set(),
        {"jivox_get_approval_status", "jivox_submit_approval_request"},
    ),
    (
        "jivox_diagnose_retail_campaign",
        jivox(5301),
        _priya_approves_5301,
        False,
        {"not_activated"},
        {"approved_not_activated"},
        {"jivox_activate_retail_campaign"},
    ),
    (
        "jivox_diagnose_retail_campaign",
        jivox(5302),
        None,
        False,
        {"not_activated", "approval_not_requested"},
        set(),
        {"jivox_submit_approval_request"},
    ),
    ("jivox_diagnose_retail_campaign", jivox(5303), None, True, set(), {"live"}, set()),
    (
        "jivox_diagnose_retail_campaign",
        jivox(5304),
        None,
        False,
        {"activation_failed"},
        set(),
        {"jivox_activate_retail_campaign"},
    ),
    (
        "jivox_diagnose_retail_campaign",
        jivox(5305),
        None,
        False,
        {"activation_in_progress"},
        set(),
        {"jivox_wait_for_activation"},
    ),
    ("jivox_diagnose_retail_campaign", jivox(5306), None, False, {"ended"}, set(), {"jivox_list_retail_campaigns"}),
    (
        "jivox_diagnose_retail_campaign",
        jivox(5307),
        _request_5307,
        False,
        {"not_activated", "approval_refused"},
        set(),
        {"jivox_submit_approval_request"},
    ),
    ("jivox_diagnose_retail_campaign", jivox(5309), None, False, {"draft"}, set(), set()),
    (
        "jivox_diagnose_retail_campaign",
        jivox(5310),
        None,
        False,
        {"under_review"},
        set(),
        {"jivox_get_retail_campaign"},
    ),
    (
        "jivox_diagnose_retail_campaign",
        jivox(7101, "northwind-grocers"),
        None,
        False,
        {"not_activated"},
        {"approval_not_required"},
        {"jivox_activate_retail_campaign"},
    ),
    (
        "merchenta_diagnose_campaign",
        {"campaign_code": "SANDBOX1-SPRING-DELIVERING"},
        None,
        True,
        set(),
        {"delivering"},
        set(),
    ),
    (
        "merchenta_diagnose_campaign",
        {"campaign_code": "SANDBOX1-SUMMER-PENDING"},
        None,
        False,
        {"creatives_pending_review"},
        set(),
        {"merchenta_get_campaign_creatives_status"},
    ),
    (
        "merchenta_diagnose_campaign",
        {"campaign_code": "SANDBOX1-SUMMER-PENDING"},
        _reject_summer,
        False,
        {"creatives_rejected"},
        set(),
        {"merchenta_get_creative_status"},
    ),
    (
        "merchenta_diagnose_campaign",
        {"campaign_code": "SANDBOX1-WINTER-PAUSED"},
        None,
        False,
        {"all_inactive"},
        set(),
        {"merchenta_set_campaign_status"},
    ),
    (
        "merchenta_diagnose_campaign",
        {"campaign_code": "SANDBOX1-AUTUMN-MIXED"},
        None,
        True,
        set(),
        {"delivering", "creatives_pending_review", "creatives_rejected", "creatives_inactive"},
        set(),
    ),
    (
        "delta_diagnose_activity",
        delta(SE, "03bbfc1b-cc72-54a0-9d17-d84987cdbf53"),
        None,
        True,
        set(),
        {"delivering"},
        {"delta_get_activity_statistics"},
    ),
    (
        "delta_diagnose_activity",
        delta(SE, "886bb4bc-e921-5315-9116-906afbd62317"),
        None,
        False,
        {"disabled"},
        set(),
        {"delta_update_activity"},
    ),
    (
        "delta_diagnose_activity",
        delta(SE, "70a42d70-7e0c-5e14-8c45-be234b2bbb7b"),
        None,
        False,
        {"flight_not_started"},
        set(),
        set(),
    ),
    (
        "delta_diagnose_activity",
        delta(SE, "23260f60-4981-5597-8450-5ff99e96816c"),
        None,
        False,
        {"flight_ended"},
        set(),
        {"delta_update_activity"},
    ),
    (
        "delta_diagnose_activity",
        delta(DE, "04008201-44c4-537c-9f94-18e3a7713a66"),
        None,
        False,
        {"budget_spent"},
        set(),
        {"delta_update_activity"},
    ),
    (
        "joveo_diagnose_jobgroup",
        joveo(ALWAYS_ON, "1d4b7e2a-6c3f-4a58-9e1d-0a2b4c6d8e11"),
        None,
        True,
        set(),
        {"running"},
        {"joveo_submit_stats_report"},
    ),
    (
        "joveo_diagnose_jobgroup",
        joveo(ALWAYS_ON, "2e5c8f3b-7d4a-4b69-8f2e-1b3c5d7e9f12"),
        None,
        False,
        {"jobgroup_paused"},
        set(),
        {"joveo_enable_jobgroup"},
    ),
    (
        "joveo_diagnose_jobgroup",
        joveo(ALWAYS_ON, "3f6d9a4c-8e5b-4c7a-9a3f-2c4d6e8f0a13"),
        None,
        False,
        {"ended"},
        set(),
        {"joveo_list_campaign_jobgroups"},
    ),
    (
        "joveo_diagnose_jobgroup",
        joveo(Q3, "4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14"),
        None,
        False,
        {"campaign_paused"},
        {"held_by_parent"},
        {"joveo_enable_campaign"},
    ),
    (
        "joveo_diagnose_jobgroup",
        joveo("9a4c6e18-3f5d-4a27-b1e9-5c7d3f1b4e04", "7dab3e8a-2c9f-4abe-9e7d-6a8b0c2d4e17", UMBRELLA),
        None,
        False,
        {"client_paused"},
        {"held_by_parent"},
        {"joveo_enable_client"},
    ),
    (
        "joveo_diagnose_jobgroup",
        joveo(ALWAYS_ON, "1d4b7e2a-6c3f-4a58-9e1d-0a2b4c6d8e11", job="GLX-00013"),
        None,
        False,
        {"job_invalid"},
        set(),
        {"joveo_get_job"},
    ),
    (
        "joveo_diagnose_jobgroup",
        joveo(ALWAYS_ON, "1d4b7e2a-6c3f-4a58-9e1d-0a2b4c6d8e11", job="GLX-00007"),
        None,
        False,
        {"job_paused"},
        set(),
        {"joveo_enable_job"},
    ),
]


def _writes(h: Harness) -> list[Any]:
    """Requests that could change vendor state; Joveo's token mint (a POST) changes none."""
    return [
        (r.method, r.path)
        for v in h.sandbox.simulators
        for r in h.requests(v)
        if r.method != "GET" and "access-token" not in r.path
    ]


@pytest.mark.parametrize(
    ("tool", "args", "setup", "running", "blocking", "other", "steps"),
    [landed(*c) for c in CASES],
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
async def test_diagnosis(
    tool: str, args: dict[str, Any], setup: Setup, running: bool, blocking: set[str], other: set[str], steps: set[str]
) -> None:
    async with connect() as h:
        if setup is not None:
            await setup(h)
        writes = _writes(h)
        d = await h.ok(tool, args)
        assert _writes(h) == writes, "a diagnosis must not write"
    assert d["running"] is running, d["summary"]
    codes = {f["code"]: f for f in d["findings"]}
    assert {c for c, f in codes.items() if f["severity"] == "blocking"} == blocking
    assert other <= codes.keys()
    assert all(f["evidence"] for f in d["findings"]), "every finding shows what it rests on"
    assert d["checked"] and set(d["checked"]) <= NAMES
    tools = {s["tool"] for s in d["next_steps"]}
    assert steps <= tools and tools <= NAMES
    for s in d["next_steps"]:
        assert s["why"]
    assert d["summary"].startswith("Not running") != running or not blocking


async def test_diagnosis_evidence_is_what_the_vendor_said() -> None:
    async with connect() as h:
        failed = await h.ok("jivox_diagnose_retail_campaign", jivox(5304))
        pending = await h.ok("jivox_diagnose_retail_campaign", jivox(5301))
        spent = await h.ok("delta_diagnose_activity", delta(DE, "04008201-44c4-537c-9f94-18e3a7713a66"))
        stored = h.sandbox["deltaprojects"].activity("04008201-44c4-537c-9f94-18e3a7713a66")
    ev = failed["findings"][0]["evidence"]
    assert (ev["status"], ev["percentage"], ev["message"]) == ("FAILED", 60, "DSP rejected creative size 300x250")
    approval = next(f for f in pending["findings"] if f["code"] == "approval_pending")
    assert approval["evidence"]["waiting_for"] == [PRIYA]
    assert PRIYA in approval["message"]
    budget = spent["findings"][0]["evidence"]
    assert budget == {"current_target_spend": stored["currentTargetSpend"], "budget": stored["budget"]}


async def test_diagnose_tools_are_read_only_and_on_the_default_surface() -> None:
    entries = {e["name"]: e for e in catalogue()}
    for name in (
        "jivox_diagnose_retail_campaign",
        "merchenta_diagnose_campaign",
        "delta_diagnose_activity",
        "jivox_wait_for_activation",
    ) + (("joveo_diagnose_jobgroup",) if JOVEO_LANDED else ()):
        assert entries[name]["effect"] == "read" and entries[name]["default"], name
        assert entries[name]["annotations"]["readOnlyHint"] is True, name
        assert len(entries[name]["description"]) <= 200, name


# ---- resources and their tool twins ------------------------------------------------------------

TWINS = [
    ("jivox://accounts", "jivox_list_accounts", {}),
    ("jivox://accounts/acme-retail/retail-campaigns/5301", "jivox_get_retail_campaign", jivox(5301)),
    ("jivox://accounts/acme-retail/retail-campaigns/5301/approval-status", "jivox_get_approval_status", jivox(5301)),
    (
        "merchenta://campaigns/SANDBOX1-AUTUMN-MIXED/creatives-status",
        "merchenta_get_campaign_creatives_status",
        {"campaign_code": "SANDBOX1-AUTUMN-MIXED"},
    ),
    (
        "merchenta://creatives/SANDBOX1-AUTUMN-MIXED-3/status",
        "merchenta_get_creative_status",
        {"creative_code": "SANDBOX1-AUTUMN-MIXED-3"},
    ),
    (
        f"delta://clients/{SE}/activities/03bbfc1b-cc72-54a0-9d17-d84987cdbf53",
        "delta_get_activity",
        delta(SE, "03bbfc1b-cc72-54a0-9d17-d84987cdbf53"),
    ),
    (f"joveo://clients/{GLOBEX}/status", "joveo_get_client_status", {"client_id": GLOBEX}),
    (f"joveo://clients/{GLOBEX}/campaigns/{Q3}", "joveo_get_campaign", {"client_id": GLOBEX, "campaign_id": Q3}),
    (
        f"joveo://clients/{GLOBEX}/campaigns/{Q3}/jobgroups/4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14",
        "joveo_get_jobgroup",
        joveo(Q3, "4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14"),
    ),
    (
        f"joveo://clients/{GLOBEX}/campaigns/{Q3}/jobgroups/4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14/status",
        "joveo_get_jobgroup_status",
        joveo(Q3, "4a7e0b5d-9f6c-4d8b-8b4a-3d5e7f9a1b14"),
    ),
    (f"joveo://clients/{GLOBEX}/jobs/GLX-00013", "joveo_get_job", {"client_id": GLOBEX, "job_reference": "GLX-00013"}),
    ("adops://configuration", "adops_configuration", {}),
]


async def _read(h: Harness, uri: str) -> Any:
    result = await h.client.read_resource(uri)
    return json.loads(result.contents[0].text)


@pytest.mark.parametrize(("uri", "tool", "args"), [landed(*t) for t in TWINS], ids=[t[1] for t in TWINS])
async def test_resource_and_tool_twin_return_the_same_data(
    mode: str, uri: str, tool: str, args: dict[str, Any]
) -> None:
    async with connect(mode=mode) as h:
        assert await _read(h, uri) == await h.ok(tool, args)


async def test_every_status_read_has_a_resource_template() -> None:
    async with connect() as h:
        templates = {t.uri_template for t in (await h.client.list_resource_templates()).resource_templates}
        resources = {str(r.uri) for r in (await h.client.list_resources()).resources}
    ops = {e["name"]: e["resource"] for e in catalogue() if e.get("resource")}
    assert set(ops.values()) <= templates | resources
    assert "adops://configuration" in resources
    for name in (
        "jivox_get_retail_campaign",
        "jivox_get_approval_status",
        "jivox_get_activation_status",
        "merchenta_get_campaign_creatives_status",
        "merchenta_get_creative_status",
        "delta_get_activity",
    ):
        assert name in ops, f"{name} has no status resource"
    for name in (
        "joveo_get_client_status",
        "joveo_get_campaign",
        "joveo_get_jobgroup",
        "joveo_get_jobgroup_status",
        "joveo_get_job",
    ):
        assert name in ops or not JOVEO_LANDED, f"{name} has no status resource"


async def test_configuration_lists_vendors_without_secrets() -> None:
    async with connect(toolsets=None) as h:
        config = await h.ok("adops_configuration")
        secrets = [v for sim in h.sandbox.simulators.values() for v in sim.credentials.values()]
    text = json.dumps(config)
    assert not any(s in text for s in secrets)
    assert config["sandbox"] is True and config["read_only"] is False and config["toolsets"] == "default"
    vendors = {v["vendor"]: v for v in config["vendors"]}
    assert set(vendors) == {"jivox", "joveo", "merchenta", "deltaprojects"}
    jivox_ = vendors["jivox"]
    assert jivox_["enabled"] and jivox_["base_url"].endswith("/jivox") and jivox_["toolsets"] == ["jivox"]
    assert "jivox_diagnose_retail_campaign" in jivox_["tools"]


async def test_configuration_shows_read_only_and_unconfigured_vendors() -> None:
    async with connect(read_only=True, sandbox=Sandbox([JivoxSimulator()])) as h:
        config = await h.ok("adops_configuration")
    vendors = {v["vendor"]: v for v in config["vendors"]}
    assert config["read_only"] is True
    assert not vendors["merchenta"]["enabled"] and vendors["merchenta"]["tools"] == []
    assert "jivox_activate_retail_campaign" not in vendors["jivox"]["tools"]
    assert "Merchenta" in config["hint"]


# ---- waiting for a Jivox activation ----------------------------------------------------------------


class Progress:
    def __init__(self) -> None:
        self.events: list[tuple[float, float | None, str | None]] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.events.append((progress, total, message))


async def test_wait_for_activation_reports_progress_until_active(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_POLL_INTERVAL", "0")
    seen = Progress()
    async with connect(mode=mode) as h:
        result = await h.client.call_tool("jivox_wait_for_activation", jivox(5305), progress_callback=seen)
        assert not result.is_error
        out = result.structured_content
        assert h.sandbox["jivox"].campaign(ACME, 5305).status == "ACTIVE"
    assert out["status"] == "ACTIVE" and out["settled"] and not out["timed_out"]
    assert out["polls"] == len(seen.events) >= 3
    progress = [e[0] for e in seen.events]
    assert progress == sorted(progress) and progress[-1] == 100
    assert all(total == 100 for _, total, _ in seen.events)
    assert any("PUBLISHED" in (m or "") for _, _, m in seen.events)


async def test_wait_for_activation_stops_at_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_POLL_INTERVAL", "0")
    async with connect() as h:
        h.sandbox["jivox"].fail_next_activation("northwind-grocers", 7101, "landing page 404")
        h.sandbox["jivox"].campaign("northwind-grocers", 7101).status = "IN_PROGRESS"
        out = await h.ok("jivox_wait_for_activation", jivox(7101, "northwind-grocers"))
    assert (out["status"], out["settled"], out["message"]) == ("FAILED", True, "landing page 404")


async def test_wait_for_activation_returns_at_once_when_nothing_is_activating(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_POLL_INTERVAL", "5")
    async with connect() as h:
        out = await h.ok("jivox_wait_for_activation", jivox(5302))
    assert out["status"] == "NEW" and out["polls"] == 1 and not out["settled"] and not out["timed_out"]
    assert "nothing to wait for" in out["note"]


class StuckJivox(JivoxSimulator):
    """Activation that never moves (a stuck DSP push)."""

    def _advance(self, campaign: Any) -> None:
        return None


async def test_wait_for_activation_stops_at_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_POLL_INTERVAL", "0.1")
    seen = Progress()
    async with connect(sandbox=Sandbox([StuckJivox()])) as h:
        result = await h.client.call_tool(
            "jivox_wait_for_activation", {**jivox(5305), "max_wait_seconds": 1}, progress_callback=seen
        )
    out = result.structured_content
    assert out["status"] == "IN_PROGRESS" and out["timed_out"] and not out["settled"]
    assert 0.8 <= out["waited_seconds"] <= 1.5
    assert out["polls"] == len(seen.events) >= 5
    assert "call again" in out["note"]


async def test_wait_bound_is_validated() -> None:
    async with connect() as h:
        text = await h.error("jivox_wait_for_activation", {**jivox(5305), "max_wait_seconds": 301})
        assert "max_wait_seconds" in text and not h.requests("jivox")
