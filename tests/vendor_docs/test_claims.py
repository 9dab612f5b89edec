"""What the tools say about a vendor is what its document says: no invented behaviour in error texts or
notes, and a guess the document leaves open (Delta's two client paths) is a setting, not a silent fallback."""

from __future__ import annotations

import json

import pytest

from tests.harness import answer

from .standin import DELTA_CLIENT, Answer

pytestmark = pytest.mark.anyio
JIVOX = "demo.stub.api.jivox.com"
DELTA = "delta.invalid"
IDS = {"account_id": "acme-retail", "retail_campaign_idx": 5373}
STATUS = r"/v2/accounts/[^/]+/retailcampaigns/\d+/activationstatus"


async def test_merchenta_texts_claim_only_the_documented_refusal(docs) -> None:
    async with docs(elicitation=answer("accept"), ADOPS_MERCHENTA_LOCK_PATH="") as (h, _):
        # the document's creatives are PENDING: PENDING -> ACTIVE is its documented E10059
        text = await h.error(
            "merchenta_set_creative_status",
            {"campaign_code": "MERCHENTA-test", "creative_code": "MERCHENTA-test-1", "status": "ACTIVE"},
        )
        status = await h.ok("merchenta_get_campaign_creatives_status", {"campaign_code": "MERCHENTA-test"})
    said = text + json.dumps(status)
    assert "E10059" in text and "PENDING -> ACTIVE" in text
    for invented in ("approval makes it ACTIVE", "cannot be changed", "upload a new creative"):
        assert invented not in said, invented


@pytest.mark.parametrize("status", ["EXAMINE", "NEW"])
async def test_the_activation_wait_does_not_invent_what_a_status_means(docs, status) -> None:
    async with docs() as (h, vendor):
        vendor.answer(JIVOX, "GET", STATUS, Answer(body={"percentage": 0, "message": "", "status": status}))
        done = await h.ok("jivox_wait_for_activation", {**IDS, "max_wait_seconds": 1})
    assert done["settled"] is False and "Nothing is being activated" not in done["note"]
    if status == "EXAMINE":
        assert "without saying what it means" in done["note"]


async def test_the_delta_client_paths_are_settings_and_the_fallback_can_be_turned_off(docs) -> None:
    example = r"/api/v1/media_agency/[^/]+/client/[^/]+"
    documented = r"/api/v1/client/[^/]+"
    async with docs() as (h, vendor):
        vendor.answer(DELTA, "GET", example, Answer(404, {"message": "no"}))
        vendor.answer(DELTA, "GET", documented, Answer(body={"id": DELTA_CLIENT, "name": "C"}))
        assert (await h.ok("delta_get_client", {"client_id": DELTA_CLIENT}))["name"] == "C"
        vendor.answer(DELTA, "GET", documented, Answer(404, {"message": "no"}))
        text = await h.error("delta_get_client", {"client_id": DELTA_CLIENT})
        assert "ADOPS_DELTA_CLIENT_PATH" in text and "ADOPS_DELTA_CLIENT_FALLBACK_PATH" in text
    async with docs(ADOPS_DELTA_CLIENT_FALLBACK_PATH="") as (h, vendor):
        vendor.answer(DELTA, "GET", example, Answer(404, {"message": "no"}))
        await h.error("delta_get_client", {"client_id": DELTA_CLIENT})
        assert not [s for s in vendor.requests(DELTA) if s.path.startswith("/api/v1/client/")]
    async with docs(ADOPS_DELTA_CLIENT_PATH="/api/v1/client/{clientId}") as (h, vendor):
        vendor.answer(DELTA, "GET", documented, Answer(body={"id": DELTA_CLIENT, "name": "D"}))
        assert (await h.ok("delta_get_client", {"client_id": DELTA_CLIENT}))["name"] == "D"
        assert [s.path for s in vendor.requests(DELTA)] == [f"/api/v1/client/{DELTA_CLIENT}"]
