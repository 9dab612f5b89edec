"""Approvals that fit a team (issue 27), walked in Chromium on a phone-sized screen: two approvals required
(ADOPS_APPROVALS_REQUIRED=2), three operators, changes asked for by real MCP clients over streamable HTTP,
and what reaches the sandbox vendors counted.

Screenshots go to tests/console/screenshots/ (gitignored).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from playwright import sync_api

from adops_mcp.cli import main
from tests.console.conftest import (
    ALICE,
    BOB,
    CHROMIUM,
    CHROMIUM_ARGS,
    CLIENT_BOB,
    CLIENT_CAROL,
    PAUSE,
    RAISE_BUDGET,
    SCREENSHOTS,
    Receiver,
    Team,
    blocking,
    serving,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
        allow_module_level=True,
    )

DANA = "dana-operator-token-4b6d8f0a2c4e6"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def team2(receiver: Receiver) -> Iterator[Team]:
    """A server where every change needs two different operators' approvals."""
    data = Path(tempfile.mkdtemp(prefix="adops-console-team-"))
    with serving(data, receiver, approvals_required=2, console_tokens=f"alice:{ALICE},bob:{BOB},Dana:{DANA}") as team:
        yield team


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Phone:
    """One operator's browser on a 390 px wide screen; every POST it makes is recorded with its answer."""

    def __init__(self, browser: Any, team: Team, token: str) -> None:
        self.context = browser.new_context(viewport=PHONE)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.posts: list[tuple[str, int]] = []
        self.page.on("response", lambda r: self.posts.append((r.url, r.status)) if r.request.method == "POST" else None)
        self.team = team
        self.page.goto(team.console + "/")
        self.page.fill("#token", token)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(team.console + "/")

    def card(self, action_id: str) -> Any:
        return self.page.locator(f"#action-{action_id}")

    def fits(self, name: str) -> None:
        """No horizontal page scroll, and the header spans the whole width."""
        page = self.page
        widths = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
            " view: window.innerWidth, header: document.querySelector('header').getBoundingClientRect().width})"
        )
        assert widths["page"] <= widths["view"] and widths["body"] <= widths["view"], (name, widths)
        assert widths["header"] == widths["view"], (name, widths)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def approvals_of(team: Team, action_id: str) -> list[str]:
    return [a.name for a in blocking(team.built.runtime.store.approvals, action_id)]


def test_two_operators_approve_and_the_change_is_performed_once(team2: Team, browser: Any) -> None:
    action_id, token = team2.request(CLIENT_CAROL, *PAUSE)
    alice = Phone(browser, team2, ALICE)
    try:
        card = alice.card(action_id)
        # Names next to the ids, as the vendor returns them (read while planning).
        assert "Always-on Drivers" in card.locator(".facts").inner_text()
        assert "0 of 2" in card.locator(".approvals").inner_text()
        approve = card.get_by_role("button", name="Approve: Pause a Joveo campaign")
        assert "Always-on Drivers" in (approve.get_attribute("aria-label") or "")  # named after the change
        card.locator("input[name=note]").fill("fine by me")
        approve.click()
        alice.page.wait_for_url(f"**/console/?done={action_id}#outcome")  # post/redirect/get
        assert alice.posts[-1][1] == 303
        assert "1 of 2 approvals" in alice.page.locator(".notice").inner_text()
        assert team2.status(action_id) == "pending"
        card = alice.card(action_id)
        assert "1 of 2 (alice)" in card.locator(".approvals").inner_text()
        assert card.locator("button.approve").count() == 0  # her approval is in: no second one to give
        alice.fits("one-of-two")
        # A reload shows the outcome again and posts nothing.
        posts = len(alice.posts)
        alice.page.reload()
        assert len(alice.posts) == posts and approvals_of(team2, action_id) == ["alice"]
        # One approval of two: the assistant still waits, nothing is sent.
        _, waiting, _ = team2.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
        assert waiting["status"] == "pending_approval" and team2.writes("joveo", "/pause") == 0
    finally:
        alice.close()

    bob = Phone(browser, team2, BOB)
    try:
        bob.card(action_id).locator("button.approve").click()
        bob.page.wait_for_url(f"**/console/?done={action_id}#outcome")
        assert f"Approved {PAUSE[0]} ({action_id}) by alice, bob" in bob.page.locator(".notice").inner_text()
        assert bob.card(action_id).count() == 0
        assert "alice, bob" in bob.page.locator("table.decided tr", has_text=action_id).inner_text()
    finally:
        bob.close()
    is_error, done, text = team2.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert not is_error and done["status"] == "done", text
    assert team2.writes("joveo", "/pause") == 1
    record = blocking(team2.built.runtime.store.audit, audit_id=done["audit_id"], limit=1)[0]
    assert record.confirmed_by == f"out-of-band approval {action_id} by alice, bob"
    is_error, _, text = team2.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert is_error and "already performed" in text and team2.writes("joveo", "/pause") == 1


def cli(team: Team, *args: str) -> Any:
    env = {"ADOPS_DATA_DIR": str(team.built.runtime.settings.data_dir), "ADOPS_APPROVALS_REQUIRED": "2"}
    return CliRunner().invoke(main, list(args), env=env)


def test_the_cli_counts_as_the_operator_it_names_under_the_same_rules(team2: Team) -> None:
    action_id, token = team2.request(CLIENT_CAROL, *RAISE_BUDGET)
    unnamed = cli(team2, "approve", action_id, "--yes")
    assert unnamed.exit_code == 1 and "--as NAME" in unnamed.output and approvals_of(team2, action_id) == []
    assert cli(team2, "approve", action_id, "--yes", "--as", "alice").exit_code == 0
    twice = cli(team2, "approve", action_id, "--yes", "--as", " ALICE ")  # the same person, however written
    assert twice.exit_code == 1 and "does not count" in twice.output
    own = cli(team2, "approve", action_id, "--yes", "--as", "Carol")  # carol's assistant asked for it
    assert own.exit_code == 1 and "four-eyes" in own.output
    assert approvals_of(team2, action_id) == ["alice"] and team2.status(action_id) == "pending"
    _, waiting, _ = team2.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert waiting["status"] == "pending_approval" and team2.writes("deltaprojects") == 0

    done_by_dana = cli(team2, "approve", action_id, "--yes", "--as", "dana")
    assert done_by_dana.exit_code == 0 and "Approved by alice, dana" in done_by_dana.output
    is_error, done, text = team2.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert not is_error and done["status"] == "done", text
    assert team2.writes("deltaprojects", "/activity/") == 1


def test_the_requester_has_no_approve_button_and_every_page_fits_a_phone(team2: Team, browser: Any) -> None:
    tool, arguments = RAISE_BUDGET
    action_id, _ = team2.request(CLIENT_BOB, tool, {**arguments, "budget": 210000})
    bob = Phone(browser, team2, BOB)
    try:
        card = bob.card(action_id)
        assert card.locator("button.approve").count() == 0
        assert "another operator has to approve it" in card.inner_text()
        assert card.get_by_role("button", name="Deny: Update a Delta activity").count() == 1
        facts = card.locator(".facts").inner_text()
        assert "Nordic Outdoor AB" in facts and "Spring Sale Stockholm" in facts and "SEK" in facts
        assert "-> 210,000.00 SEK" in card.locator(".spend-lines").inner_text()  # the currency on spend lines
        # The exact request is the plan's own rendering of what the request builder will send.
        plan = blocking(team2.built.runtime.store.pending, action_id).plan
        sends = card.locator(".request").inner_text()
        assert sends.startswith("to http") and sends.split("\n", 1)[1] == plan[plan.index("Will send:") :]
        bob.fits("pending")
        bob.page.keyboard.press("Tab")  # the first stop is the skip link, visible when focused
        assert bob.page.evaluate("document.activeElement.className") == "skip"
        assert bob.page.locator("a.skip").is_visible()
        outline = bob.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")  # keyboard focus stays visible
        for path, name in (("/audit", "audit"), ("/spend", "spend"), ("/config", "config")):
            bob.page.goto(team2.console + path)
            assert bob.page.locator("caption").count() == bob.page.locator("table").count()  # each captioned
            assert bob.page.locator("th:not([scope])").count() == 0
            bob.fits(name)
        assert "2 different operators" in bob.page.locator("dl.policy").inner_text()  # the last page: config
        response = bob.page.request.post(team2.console + "/actions/nope", form={"decision": "approve"})
        assert response.status == 403
        bob.page.goto(team2.console + "/signin")
    finally:
        bob.close()
    stranger = browser.new_context(viewport=PHONE)
    try:
        page = stranger.new_page()
        page.goto(team2.console + "/signin")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]
        page.screenshot(path=str(SCREENSHOTS / "phone-signin.png"), full_page=True)
    finally:
        stranger.close()
