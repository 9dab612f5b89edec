"""Pagination completeness of the list tools, through the MCP client: following each page's pointer
reaches every item exactly once; a vendor page that comes back empty in the middle, or repeated,
neither hides the rest nor loops forever."""

from __future__ import annotations

import pytest

from tests.harness import connect

pytestmark = pytest.mark.anyio
ACCOUNT = {"account_id": "acme-retail"}
LIMIT = 7
PATH = "/retail-campaigns"


async def walk(h, limit: int = LIMIT, max_pages: int = 50) -> list[int]:  # type: ignore[no-untyped-def]
    seen, offset, pages = [], 0, 0
    while offset is not None:
        pages += 1
        assert pages <= max_pages, "the next pointer never ends"
        page = await h.ok("jivox_list_retail_campaigns", {**ACCOUNT, "limit": limit, "offset": offset})
        seen += [c["retailCampaignIdx"] for c in page["campaigns"]]
        nxt = page["next_offset"]
        assert nxt is None or nxt > offset, f"next_offset {nxt} does not advance from {offset}"
        offset = nxt
    return seen


async def test_following_next_offset_reaches_every_campaign_once() -> None:
    async with connect() as h:
        total = (await h.ok("jivox_list_retail_campaigns", {**ACCOUNT, "limit": 1}))["count"]
        seen = await walk(h)
        assert len(seen) == len(set(seen)) == total


async def test_a_repeated_page_does_not_loop() -> None:
    """The vendor ignores the offset once and answers the first page again."""
    async with connect() as h:
        first = await h.ok("jivox_list_retail_campaigns", {**ACCOUNT, "limit": LIMIT})
        raw = {
            "campaigns": [
                {
                    "retailCampaignIdx": c["retailCampaignIdx"],
                    "retailCampaignName": c["retailCampaignName"],
                    "status": c["status"],
                }
                for c in first["campaigns"]
            ],
            "count": first["count"],
        }
        h.sandbox.faults.add(status=200, body=raw, vendor="jivox", path_contains=PATH, times=1)
        h.sandbox.faults.queue[-1].times = 0  # armed below, after the first page
        seen: list[int] = []
        offset: int | None = 0
        pages = 0
        while offset is not None:
            pages += 1
            assert pages <= 50
            if pages == 2:
                h.sandbox.faults.queue[-1].times = 1
            page = await h.ok("jivox_list_retail_campaigns", {**ACCOUNT, "limit": LIMIT, "offset": offset})
            seen += [c["retailCampaignIdx"] for c in page["campaigns"]]
            assert page["next_offset"] is None or page["next_offset"] > offset
            offset = page["next_offset"]
        assert pages <= first["count"] // LIMIT + 2


async def test_an_empty_middle_page_does_not_hide_the_rest() -> None:
    async with connect() as h:
        total = (await h.ok("jivox_list_retail_campaigns", {**ACCOUNT, "limit": 1}))["count"]
        h.sandbox.faults.add(
            status=200, body={"campaigns": [], "count": total}, vendor="jivox", path_contains=PATH, times=0
        )
        seen: list[int] = []
        offset: int | None = 0
        pages = 0
        while offset is not None and pages < 50:
            pages += 1
            if pages == 2:
                h.sandbox.faults.queue[-1].times = 1
            page = await h.ok("jivox_list_retail_campaigns", {**ACCOUNT, "limit": LIMIT, "offset": offset})
            seen += [c["retailCampaignIdx"] for c in page["campaigns"]]
            offset = page["next_offset"]
        assert len(set(seen)) >= total - LIMIT  # only the page the vendor emptied may be missing
