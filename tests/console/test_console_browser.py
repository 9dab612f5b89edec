"""The approvals console as a person uses it: Chromium (Playwright) against a real server, the changes
asked for by real MCP clients over streamable HTTP, and what reaches the sandbox vendors counted.

One browser for the module; screenshots of each page go to tests/console/screenshots/ (gitignored).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from playwright import sync_api

from tests.console.conftest import (
    ACTIVATE,
    ALICE,
    BOB,
    CHROMIUM,
    CHROMIUM_ARGS,
    CLIENT_BOB,
    CLIENT_CAROL,
    HOSTILE_ACTIVATE,
    PAUSE,
    RAISE_BUDGET,
    SCREENSHOTS,
    Team,
    blocking,
)
from tests.suites import skip_suite

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>Bakery \"Launch\" & 'more'"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        skip_suite("browser", f"Chromium is not installed at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, team: Team, token: str) -> None:
    page.goto(team.console + "/")
    assert page.url.endswith("/console/signin")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(team.console + "/")


def test_approve_in_the_browser_and_the_waiting_confirm_action_goes_through(team: Team, page: Any) -> None:
    action_id, token = team.request(CLIENT_BOB, *ACTIVATE)
    # The assistant checks before anyone decided: still waiting, nothing sent.
    _, waiting, _ = team.mcp(CLIENT_BOB, "confirm_action", {"confirmation_token": token})
    assert waiting["status"] == "pending_approval"
    assert team.writes("jivox", "/activate") == 0

    page.goto(team.console + "/signin")
    shot(page, "signin")
    sign_in(page, team, ALICE)
    card = page.locator(f"#action-{action_id}")
    assert card.locator(".tool").inner_text() == ACTIVATE[0]
    assert card.locator(".requester").inner_text() == "bob"
    assert "Northwind Organic Produce Week" in card.locator(".plan").inner_text()
    request = card.locator(".request").inner_text()
    assert "Will send: POST /v2/accounts/northwind-grocers/retail-campaigns/7101/activate" in request
    assert "sandbox-jivox-key" not in page.content()  # the vendor credential is the client's, never shown
    assert "Asked" in card.inner_text() and "Expires" in card.inner_text()
    shot(page, "pending")
    box = card.bounding_box()  # the README's picture (docs/console.png): header to the end of the card
    page.screenshot(
        path=str(SCREENSHOTS / "readme.png"),
        clip={"x": 0, "y": 0, "width": 1280, "height": box["y"] + box["height"] + 24},
    )

    card.locator("input[name=note]").fill("Launch week, agreed with Dana")
    card.locator("button.approve").click()
    assert f"Approved {ACTIVATE[0]} ({action_id})" in page.locator(".notice").inner_text()
    assert page.locator(f"#action-{action_id}").count() == 0
    row = page.locator("table.decided tr", has_text=action_id)
    assert "approved" in row.inner_text() and "alice" in row.inner_text() and "Launch week" in row.inner_text()
    shot(page, "approved")

    is_error, done, text = team.mcp(CLIENT_BOB, "confirm_action", {"confirmation_token": token})
    assert not is_error and done["status"] == "done", text
    assert team.writes("jivox", "/retail-campaigns/7101/activate") == 1
    record = blocking(team.built.runtime.store.audit, audit_id=done["audit_id"], limit=1)[0]
    assert record.confirmed_by == f"out-of-band approval {action_id} by alice"
    # Decided once, performed once.
    is_error, _, text = team.mcp(CLIENT_BOB, "confirm_action", {"confirmation_token": token})
    assert is_error and "already performed" in text
    assert team.writes("jivox", "/retail-campaigns/7101/activate") == 1


def test_deny_in_the_browser_and_nothing_is_sent(team: Team, page: Any) -> None:
    action_id, token = team.request(CLIENT_CAROL, *PAUSE)
    sign_in(page, team, BOB)
    card = page.locator(f"#action-{action_id}")
    assert card.locator(".requester").inner_text() == "carol"
    card.locator("input[name=note]").fill("Not during the hiring push")
    card.locator("button.deny").click()
    assert f"Denied {PAUSE[0]} ({action_id})" in page.locator(".notice").inner_text()
    assert team.status(action_id) == "denied"

    is_error, _, text = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert is_error and "denied" in text
    assert team.writes("joveo", "/pause") == 0


def test_four_eyes_the_requester_cannot_approve_in_the_browser(team: Team, page: Any) -> None:
    action_id, token = team.request(CLIENT_BOB, *PAUSE)
    sign_in(page, team, BOB)
    card = page.locator(f"#action-{action_id}")
    assert "another operator has to approve it" in card.inner_text()
    assert card.locator("button.approve").count() == 0  # the requester's own card offers no Approve
    assert card.locator("button.deny").count() == 1
    shot(page, "four-eyes")
    assert team.status(action_id) == "pending"
    _, waiting, _ = team.mcp(CLIENT_BOB, "confirm_action", {"confirmation_token": token})
    assert waiting["status"] == "pending_approval"
    assert team.writes("joveo", "/pause") == 0


def test_a_hostile_campaign_name_is_shown_as_text(team: Team, page: Any) -> None:
    team.built.sandbox.simulators["jivox"].campaign("northwind-grocers", 7104).name = HOSTILE
    action_id, _ = team.request(CLIENT_CAROL, *HOSTILE_ACTIVATE)
    sign_in(page, team, ALICE)
    plan = page.locator(f"#action-{action_id} .plan")
    assert "<script>alert(2)</script>" in plan.inner_text()  # shown literally, as the vendor named it
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    page.reload()
    shot(page, "hostile-name")
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_audit_filters_and_csv_export(team: Team, page: Any) -> None:
    # A budget raise approved in the console: audited with before -> after, counted in today's spend.
    action_id, token = team.request(CLIENT_CAROL, *RAISE_BUDGET)
    sign_in(page, team, ALICE)
    page.locator(f"#action-{action_id} button.approve").click()
    is_error, done, text = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert not is_error and done["status"] == "done", text

    page.goto(team.console + "/audit")
    assert page.locator("tr[data-audit]").count() >= 1
    page.select_option("select[name=tool]", RAISE_BUDGET[0])
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/console/audit?*")
    rows = page.locator("tr[data-audit]")
    assert rows.count() == 1
    assert "150000 -> 200000" in rows.first.inner_text()
    assert "/api/v1/media_agency/" in rows.first.inner_text() and "{mediaAgencyId}" not in rows.first.inner_text()
    rows.first.locator("details.approved-plan summary").click()
    assert "150,000.00 SEK -> 200,000.00 SEK" in rows.first.locator("details.approved-plan p").inner_text()
    assert "by alice" in rows.first.inner_text()
    shot(page, "audit")

    page.select_option("select[name=tool]", "")
    page.select_option("select[name=outcome]", "ok")
    page.fill("input[name=account]", "default")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/console/audit?*")
    tools = page.locator("tr[data-audit] strong").all_inner_texts()
    assert RAISE_BUDGET[0] in tools

    with page.expect_download() as download:
        page.click("text=Export CSV")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert RAISE_BUDGET[0] in {r["tool"] for r in rows}
    assert all(r["outcome"] == "ok" for r in rows)
    budget = next(r for r in rows if r["tool"] == RAISE_BUDGET[0])
    assert budget["confirmed_by"].endswith("by alice") and "150000 -> 200000" in budget["before_after"]

    page.goto(team.console + "/spend")
    row = page.locator("table.spend tr", has_text="deltaprojects")
    assert "50000" in row.inner_text() and "200000" in row.inner_text()
    shot(page, "spend")


def test_unknown_outcome_is_highlighted_with_the_read_that_settles_it(team: Team, page: Any) -> None:
    store = team.built.runtime.store
    audit_id = blocking(
        store.record_intent,
        vendor="jivox",
        account=team.built.runtime.settings.vendors["jivox"].account_key,
        tool=ACTIVATE[0],
        method="POST",
        path="/v2/accounts/{accountId}/retail-campaigns/{retailCampaignIdx}/activate",
        arguments=ACTIVATE[1],
        confirmed_by="token",
    )
    blocking(store.record_outcome, audit_id, "unknown", "the connection dropped after the request was sent")
    sign_in(page, team, ALICE)
    page.goto(team.console + "/audit?outcome=unknown")
    row = page.locator(f"tr[data-audit='{audit_id}']")
    assert "outcome-unknown" in (row.get_attribute("class") or "")
    assert "jivox_get_retail_campaign" in row.locator(".settle").inner_text()
    assert '"northwind-grocers"' in row.locator(".settle").inner_text()


def test_configuration_page_shows_policy_and_no_secret(team: Team, page: Any) -> None:
    sign_in(page, team, ALICE)
    page.goto(team.console + "/config")
    text = page.locator("main").inner_text()
    assert "out-of-band" in text and "250000" in text and "60000" in text and "alice, bob" in text
    assert "Jivox" in text and "Delta Projects" in text
    html = page.content()
    sandbox = team.built.sandbox
    for simulator in sandbox.simulators.values():
        for value in simulator.credentials.values():
            assert value not in html
    for secret in (ALICE, BOB, CLIENT_BOB, CLIENT_CAROL, team.receiver.url):
        assert secret not in html
    shot(page, "config")


def test_sign_out_ends_the_session(team: Team, page: Any) -> None:
    sign_in(page, team, ALICE)
    cookie = next(c for c in page.context.cookies() if c["name"] == "adops_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/console"
    page.click("header button[type=submit]")
    page.wait_for_url("**/console/signin")
    page.goto(team.console + "/audit")
    assert page.url.endswith("/console/signin")
