"""The spend model (issue 29 item 1), driven from the catalogue and through the public MCP client.

Every operation whose params can carry spend is destructive and confirmed; every amount in every nested
structure is judged (placements, placement settings, job settings, neutral-key bids, slots x cost, a
client's applies, an impression budget at the eCPM read from the vendor); values the model cannot judge
are refused whatever the caps; removing a cap is a spend change; ADOPS_MAX_BUDGET_INCREASE_PER_DAY sums the
rises the audit log recorded. A refused call sends no write.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from adops_mcp.sandbox.deltaprojects import ACT_IMPRESSIONS, ACT_LIVE, CLIENT_DE, CLIENT_SE, TEMPLATE_PLAIN
from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, CFG_GLOBEX_ZIP, GLOBEX, JG_CDL_TEXAS
from adops_mcp.tools.index import vendors
from adops_mcp.vendorcall.spend import spend_fields
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

CAP = 1000.0
CAMPAIGN = {"client_id": GLOBEX, "campaign_id": CAMP_ALWAYS_ON}
JOB = {"client_id": GLOBEX, "job_reference": "GLX-00001"}
CONFIG = {"client_id": GLOBEX, "publisher_id": "ziprecruiter", "config_id": CFG_GLOBEX_ZIP}
DELTA_NEW = {
    "client_id": CLIENT_SE,
    "template_id": TEMPLATE_PLAIN,
    "activity_name": "Autumn Push",
    "flight_start": "2030-01-01T00:00:00Z",
    "flight_stop": "2030-02-01T00:00:00Z",
    "order_id": "PO-77",
    "budget": 10,
}
WHEN = {"start_date": "2030-01-01T00:00:00Z", "end_date": "2030-02-01T00:00:00Z"}

# Valid arguments of every operation whose params carry spend, without any spend field; the catalogue
# test below keeps this table whole.
BASE: dict[str, dict[str, Any]] = {
    "joveo_create_client": {"company_name": "Acme"},
    "joveo_update_client": {"client_id": GLOBEX},
    "joveo_add_job": {"client_id": GLOBEX, "ref_number": "NEW-1", "title": "Driver"},
    "joveo_update_job": JOB,
    "joveo_apply_job_rules": {"client_id": GLOBEX, "name": "r"},
    "joveo_create_campaign": {"client_id": GLOBEX, "name": "C"},
    "joveo_update_campaign": CAMPAIGN,
    "joveo_create_jobgroup": {**CAMPAIGN, "name": "G"},
    "joveo_update_jobgroup": {**CAMPAIGN, "jobgroup_id": JG_CDL_TEXAS},
    "joveo_create_posting_config": {
        "client_id": GLOBEX,
        "publisher_id": "dice",
        "cost": 1,
        "available_count": 1,
        **WHEN,
    },
    "joveo_update_posting_config": CONFIG,
    "delta_create_activity": DELTA_NEW,
    "delta_update_activity": {"client_id": CLIENT_SE, "activity_id": ACT_LIVE},
}
# Names a spend-bearing field has in any vendor's params: each must be declared (marked `Spend`).
SPENDY = re.compile(r"budget|caps|bid|cost|ecpm|placement|applies|job_setting|available_count|admin_actions")
TEXT_NUMBERS = ["999999d", "0x1.e847p19", "1,000", "1e6", "Infinity", "NaN", "\uff15\uff10\uff10", "$1 000", "1_000"]


def spend_operations() -> dict[str, Any]:
    return {op.name: op for vendor in vendors() for op in vendor.operations if spend_fields(op.params)}


def writes(h: Any) -> list[Any]:
    sent = [r for vendor in ("joveo", "deltaprojects") for r in h.requests(vendor) if r.method != "GET"]
    return [r for r in sent if "token" not in r.path]  # minting Joveo's access token changes nothing


def text_of(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


def test_every_spend_bearing_field_is_declared_and_its_operation_destructive() -> None:
    for vendor in vendors():
        for op in vendor.operations:
            marked = spend_fields(op.params)
            named = {n for n in op.params.model_fields if SPENDY.search(n) and not re.search(r"_ids?$", n)}
            assert named <= set(marked), (op.name, named - set(marked))
            if marked:
                assert op.effect == "destructive" and op.spend is not None, op.name
    assert set(spend_operations()) == set(BASE)


async def test_every_spend_operation_is_catalogued_destructive_and_asks_first() -> None:
    async with connect() as h:
        tools = {t.name: t for t in (await h.client.list_tools()).tools}
        for name, op in spend_operations().items():
            assert tools[name].annotations.destructive_hint is True, name
            field = next(iter(spend_fields(op.params)))
            value = {"monthly": 5} if "dict" in str(op.params.model_fields[field].annotation) else 1
            if "list" in str(op.params.model_fields[field].annotation):
                value = [{"placement": "indeed", "budget": 5}]
            args = {**BASE[name], field: value}
            result = await h.call(name, args)
            assert not result.is_error, (name, text_of(result))
            assert result.structured_content["status"] == "confirmation_required", name
        assert writes(h) == []


def open_fields(op: Any) -> list[str]:
    """The spend fields that take a vendor object or list (where text, NaN or negatives can hide)."""
    return [n for n in spend_fields(op.params) if re.search(r"dict|list", str(op.params.model_fields[n].annotation))]


def nest(field: str, op: Any, value: Any) -> Any:
    """`value` deep inside the field, under a neutral key."""
    inner = {"budget": {"monthly": value}}
    return [{"placement": "indeed", **inner}] if "list" in str(op.params.model_fields[field].annotation) else inner


@pytest.mark.parametrize("bad", [*TEXT_NUMBERS, -1, -0.01])
async def test_values_the_model_cannot_judge_are_refused_in_every_nested_field(bad: Any) -> None:
    async with connect(elicitation=answer("accept")) as h:  # no caps at all: still refused
        for name, op in spend_operations().items():
            for field in open_fields(op):
                result = await h.call(name, {**BASE[name], field: nest(field, op, bad)})
                assert result.is_error and "cannot be judged" in text_of(result), (name, field, bad, text_of(result))
        assert writes(h) == []


async def test_a_number_in_a_plain_numeric_field_cannot_be_infinite() -> None:
    async with connect(elicitation=answer("accept")) as h:
        result = await h.call("delta_create_activity", {**DELTA_NEW, "budget": float("inf")})
        assert result.is_error and writes(h) == [], text_of(result)


async def test_labels_are_not_amounts() -> None:
    caps = {"budget": {"monthly": 500, "type": "MONTHLY", "startDate": "2030-01-01", "currency": "USD"}}
    async with connect(max_budget=CAP) as h:
        planned = await h.ok("joveo_create_campaign", {"client_id": GLOBEX, "name": "C", "caps": caps})
        assert planned["status"] == "confirmation_required"


# (tool, arguments, cap settings): each over the cap by what the spend model finds nested inside
OVER: list[tuple[str, dict[str, Any], dict[str, float]]] = [
    (
        "joveo_create_jobgroup",
        {**BASE["joveo_create_jobgroup"], "placements": [{"placement": "indeed", "budget": {"monthly": 999999}}]},
        {"max_budget": CAP},
    ),
    (
        "joveo_update_job",
        {**JOB, "placement_settings": [{"placement": "indeed", "budget": 999999}]},
        {"max_budget": CAP},
    ),
    ("joveo_add_job", {**BASE["joveo_add_job"], "job_setting": {"cpcBid": 999}}, {"max_bid": 5}),
    ("joveo_update_job", {**JOB, "job_setting": {"maxCpcBid": 999}}, {"max_bid": 5}),  # camelCase bid key
    (
        "joveo_create_jobgroup",
        {**BASE["joveo_create_jobgroup"], "placements": [{"placement": "indeed", "bidType": "CPC", "value": 999}]},
        {"max_bid": 5},
    ),
    (
        "joveo_create_posting_config",
        {**BASE["joveo_create_posting_config"], "cost": 10, "available_count": 101},
        {"max_budget": CAP},
    ),
    ("joveo_update_posting_config", {**CONFIG, "available_count": 101}, {"max_budget": 22_000}),  # 220 x 101
    ("joveo_update_campaign", {**CAMPAIGN, "caps": {}}, {"max_budget": 1e9}),  # the cap removed
    ("joveo_update_campaign", {**CAMPAIGN, "caps": {"budget": None}}, {"max_budget": 1e9}),
    ("joveo_update_campaign", {**CAMPAIGN, "caps": {"budget": {"monthly": None}}}, {"max_budget_increase": 1e9}),
    (
        "delta_update_activity",
        {"client_id": CLIENT_DE, "activity_id": ACT_IMPRESSIONS, "target_ecpm": 4.0},
        {"max_budget": CAP},
    ),
    (
        "delta_update_activity",
        {"client_id": CLIENT_DE, "activity_id": ACT_IMPRESSIONS, "target_ecpm": 0},
        {"max_budget": CAP},
    ),
    ("delta_create_activity", {**DELTA_NEW, "target_ecpm": 0, "impression_budget": 10**12}, {"max_budget": CAP}),
]


@pytest.mark.parametrize(("tool", "args", "caps"), OVER, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(OVER)])
async def test_spend_inside_structures_is_judged(tool: str, args: dict[str, Any], caps: dict[str, float]) -> None:
    async with connect(elicitation=answer("accept"), **caps) as h:
        text = await h.error(tool, args)
        assert "Refused by the operator's spend cap" in text, text
        assert writes(h) == []


# ...and the same structures within the caps pass (the model does not refuse everything)
UNDER: list[tuple[str, dict[str, Any], dict[str, float]]] = [
    (
        "joveo_create_jobgroup",
        {**BASE["joveo_create_jobgroup"], "placements": [{"placement": "indeed", "budget": {"monthly": 999}}]},
        {"max_budget": CAP},
    ),
    (
        "joveo_create_posting_config",
        {**BASE["joveo_create_posting_config"], "cost": 10, "available_count": 100},
        {"max_budget": CAP},
    ),
    ("joveo_update_posting_config", {**CONFIG, "available_count": 100}, {"max_budget": 22_000}),
    ("joveo_update_campaign", {**CAMPAIGN, "caps": {"budget": {"monthly": 900}}}, {"max_budget": CAP}),
    (
        "delta_update_activity",
        {"client_id": CLIENT_DE, "activity_id": ACT_IMPRESSIONS, "target_ecpm": 2.0},
        {"max_budget": CAP},
    ),
]


@pytest.mark.parametrize(("tool", "args", "caps"), UNDER, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(UNDER)])
async def test_spend_within_the_caps_is_planned(tool: str, args: dict[str, Any], caps: dict[str, float]) -> None:
    async with connect(**caps) as h:
        planned = await h.ok(tool, args)
        assert planned["status"] == "confirmation_required" and writes(h) == []


async def test_a_new_ecpm_prices_the_impression_budget_read_from_the_vendor() -> None:
    # E-Bike Video Push: 500,000 impressions. eCPM 4.0 makes its money budget 2,000; 2.0 makes it 1,000.
    async with connect(max_budget=CAP) as h:
        args = {"client_id": CLIENT_DE, "activity_id": ACT_IMPRESSIONS, "target_ecpm": 4.0}
        text = await h.error("delta_update_activity", args)
        assert "500000 impressions at eCPM 4.0" in text and "2000" in text


async def test_a_client_applies_cap_may_fall_under_budget_caps() -> None:
    async with connect(max_budget=CAP) as h:
        h.sandbox["joveo"].clients[GLOBEX]["caps"]["applies"] = {"monthly": 50}
        planned = await h.ok("joveo_update_client", {"client_id": GLOBEX, "applies": {"monthly": 40}})
        assert planned["status"] == "confirmation_required"
        text = await h.error("joveo_update_client", {"client_id": GLOBEX, "applies": {"monthly": 60}})
        assert "is a count" in text and writes(h) == []


async def test_removing_a_cap_names_what_is_removed() -> None:
    async with connect(max_budget=1e9) as h:
        text = await h.error("joveo_update_campaign", {**CAMPAIGN, "caps": {"budget": {"weekly": 5}}})
        assert "budget monthly would be removed" in text and "include it" in text and writes(h) == []


async def test_six_small_steps_do_not_pass_the_daily_increase_cap() -> None:
    async with connect(elicitation=answer("accept"), max_budget_increase=500, max_budget_increase_per_day=1000) as h:
        sim = h.sandbox["deltaprojects"]
        start = float(sim.activity(ACT_LIVE)["budget"])
        # a bid is not a budget: raising the eCPM target leaves the day's budget allowance as it was
        await h.ok("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "target_ecpm": 900})
        for step in (1, 2):
            done = await h.ok(
                "delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": start + 500 * step}
            )
            assert done["status"] == "done"
        text = await h.error(
            "delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": start + 1500}
        )
        assert "ADOPS_MAX_BUDGET_INCREASE_PER_DAY" in text and "already rose by 1000" in text
        assert float(sim.activity(ACT_LIVE)["budget"]) == start + 1000
        # a decrease is always allowed, and frees nothing: the rises of the day stay counted
        await h.ok("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": start})
        text = await h.error(
            "delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": start + 1}
        )
        assert "ADOPS_MAX_BUDGET_INCREASE_PER_DAY" in text


async def test_the_daily_cap_counts_per_vendor_account_and_skips_failed_writes() -> None:
    async with connect(elicitation=answer("accept"), max_budget_increase_per_day=1000) as h:
        sim = h.sandbox["deltaprojects"]
        start = float(sim.activity(ACT_LIVE)["budget"])
        h.sandbox.faults.add(status=400, vendor="deltaprojects", method="POST")
        await h.error("delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": start + 900})
        done = await h.ok(
            "delta_update_activity", {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": start + 900}
        )
        assert done["status"] == "done"
        # another client of the same agency has its own day
        other = float(sim.activity(ACT_IMPRESSIONS)["budget"])
        done = await h.ok(
            "delta_update_activity", {"client_id": CLIENT_DE, "activity_id": ACT_IMPRESSIONS, "budget": other + 900}
        )
        assert done["status"] == "done"


def test_the_walk_reaches_every_level_and_refuses_what_json_clients_null() -> None:
    """The model itself. NaN and Infinity cannot cross the SDK's client (it sends them as null), but a raw JSON-RPC
    client can send the literals, which the server's parser accepts: the model refuses them."""
    from adops_mcp.vendorcall.spend import changes

    found = changes("caps", {"a": [{"b": {"c": {"monthly": 7}}}]}, None, creating=True)
    assert [(c.what, c.new) for c in found] == [("caps a [0] b c monthly", 7.0)]
    for bad in (float("nan"), float("inf"), -float("inf")):
        (change,) = changes("caps", {"budget": {"monthly": bad}}, None, creating=True)
        assert change.problem is not None and "not a finite number" in change.problem


def test_the_walk_on_lists_counts_and_unread_objects() -> None:
    from adops_mcp.vendorcall.spend import UNLIMITED, changes

    # a count under any key naming one, lists of plain numbers paired by position, a removed list
    found = changes("caps", {"clicks": 5, "tiers": [3, 4]}, {"tiers": [3], "old": [7, "label"]})
    assert [(c.what, c.kind, c.new, c.old) for c in found] == [
        ("caps clicks", "volume", 5.0, None),
        ("caps tiers [0]", "budget", 3.0, 3.0),
        ("caps tiers [1]", "budget", 4.0, None),
        ("caps old [0]", "budget", UNLIMITED, 7.0),
    ]
    # emptied while the current object could not be read: maybe every cap removed
    (emptied,) = changes("caps", {}, None)
    assert emptied.new == UNLIMITED and not emptied.old_known
    assert changes("caps", {}, None, creating=True) == []


async def test_an_unpriced_impression_budget_passes_without_budget_caps() -> None:
    async with connect(max_bid=CAP) as h:
        planned = await h.ok("delta_create_activity", {**DELTA_NEW, "impression_budget": 10_000})
        assert planned["status"] == "confirmation_required"
