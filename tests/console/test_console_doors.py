"""The approval doors of issue 27 and the mutants of issue 29 item 7, tried over HTTP and the CLI: what an
approval's signature covers, approvals that never count again, sessions that end for good, CSRF bound to
its session, exact Host and Origin checks on every page, the sign-in rate limit, the per-requester limit,
paging, and webhook text that cannot ping or link. Every refusal leaves nothing sent to a vendor."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner

from adops_mcp.cli import main
from tests.console.conftest import (
    ALICE,
    BOB,
    CLIENT_CAROL,
    HOSTILE_ACTIVATE,
    PAUSE,
    RAISE_BUDGET,
    Receiver,
    Team,
    blocking,
    serving,
)
from tests.console.test_console_security import signed_in

PAGES = ("/console/", "/console/audit", "/console/audit.csv", "/console/spend", "/console/config")


@pytest.fixture
def http(team: Team) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=team.url, follow_redirects=False) as client:
        yield client


def post(http: httpx2.Client, team: Team, action_id: str, csrf: str, decision: str = "approve") -> httpx2.Response:
    return http.post(
        f"/console/actions/{action_id}", data={"decision": decision, "csrf": csrf}, headers={"origin": team.url}
    )


def sql(team: Team, statement: str, *args: object) -> None:
    blocking(team.built.runtime.store._run, statement, args)


def cli(team: Team, *args: str) -> object:
    return CliRunner().invoke(main, list(args), env={"ADOPS_DATA_DIR": str(team.built.runtime.settings.data_dir)})


def test_a_denied_change_edited_to_approved_does_not_verify(team: Team, http: httpx2.Client) -> None:
    action_id, token = team.request(CLIENT_CAROL, *PAUSE)
    assert post(http, team, action_id, signed_in(http, team), "deny").status_code == 303
    denied = blocking(team.built.runtime.store.pending, action_id)
    # The row edited to approved, and the denial's own signed decision copied in as an approval.
    sql(team, "UPDATE pending_actions SET status = 'approved' WHERE id = ?", action_id)
    sql(
        team,
        "INSERT INTO approvals (action_id, operator, name, decided_at, note, signature) VALUES (?, ?, ?, ?, ?, ?)",
        action_id,
        "alice",
        denied.decided_by,
        denied.decided_at,
        denied.note,
        denied.signature,
    )
    is_error, _, text = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert is_error and "not signed by this server" in text
    assert team.writes("joveo", "/pause") == 0


def approvals_line(team: Team, action_id: str) -> str:
    """The `approvals:` line `adops-mcp pending --all` prints for one change."""
    listed = cli(team, "pending", "--all")
    after = listed.output[listed.output.index(f"{action_id}  ") :]
    return next(line for line in after.splitlines() if line.startswith("    approvals:"))


def test_an_approval_edited_afterwards_shows_as_not_signed(team: Team, http: httpx2.Client) -> None:
    action_id, _ = team.request(CLIENT_CAROL, *PAUSE)
    assert post(http, team, action_id, signed_in(http, team)).status_code == 303
    assert approvals_line(team, action_id) == "    approvals: alice (signed by this server)"
    edited = '{"campaign_id": "k-other", "client_id": "c-other"}'
    sql(team, "UPDATE pending_actions SET arguments = ? WHERE id = ?", edited, action_id)
    assert "NOT signed by this server" in approvals_line(team, action_id)


def test_an_executed_or_expired_change_takes_no_more_approvals(team: Team, http: httpx2.Client) -> None:
    csrf = signed_in(http, team)
    action_id, token = team.request(CLIENT_CAROL, *RAISE_BUDGET)
    assert post(http, team, action_id, csrf).status_code == 303
    is_error, done, text = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert not is_error and done["status"] == "done", text
    with httpx2.Client(base_url=team.url) as other:
        again = post(other, team, action_id, signed_in(other, team, BOB))
    assert again.status_code == 403 and "already executed" in again.text
    assert [a.name for a in blocking(team.built.runtime.store.approvals, action_id)] == ["alice"]

    expiring, token = team.request(CLIENT_CAROL, *PAUSE)
    sql(team, "UPDATE pending_actions SET expires_at = ? WHERE id = ?", time.time() - 1, expiring)
    late = post(http, team, expiring, csrf)
    assert late.status_code == 403 and "already expired" in late.text
    assert blocking(team.built.runtime.store.approvals, expiring) == []
    is_error, _, text = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert is_error and "expired" in text
    assert team.writes("deltaprojects", "/activity/") == 1 and team.writes("joveo", "/pause") == 0


def test_an_empty_key_file_never_signs_an_approval(team: Team) -> None:
    action_id, token = team.request(CLIENT_CAROL, *PAUSE)
    key_file = team.built.runtime.settings.data_dir / "confirm.key"
    key = key_file.read_text()
    key_file.write_text("")  # emptied behind the running server's back
    try:
        result = cli(team, "approve", action_id, "--yes")
        assert result.exit_code == 0, result.output  # signed with a fresh key, never with the empty one
        assert len(key_file.read_text().strip()) >= 32
        is_error, _, text = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
        assert is_error and "not signed by this server" in text  # not this server's key either
    finally:
        key_file.write_text(key)
    assert team.writes("joveo", "/pause") == 0


def test_a_session_ends_when_the_operator_token_changes(receiver: Receiver, tmp_path: Path) -> None:
    with serving(tmp_path, receiver) as first, httpx2.Client(base_url=first.url) as http:
        signed_in(http, first)
        cookie = http.cookies["adops_console"]
    changed = f"alice:{ALICE[::-1]},bob:{BOB}"
    for tokens, status in ((f"alice:{ALICE},bob:{BOB}", 200), (changed, 303), (f"bob:{BOB}", 303)):
        with (
            serving(tmp_path, receiver, console_tokens=tokens) as later,
            httpx2.Client(base_url=later.url, cookies={"adops_console": cookie}) as http,
        ):
            assert http.get("/console/audit").status_code == status, tokens


def test_a_signed_out_session_stays_dead_after_the_store_purges_expired_tokens(team: Team, http: httpx2.Client) -> None:
    csrf = signed_in(http, team)
    cookie = http.cookies["adops_console"]
    assert http.post("/console/signout", data={"csrf": csrf}, headers={"origin": team.url}).status_code == 303
    # An hour later another confirmation token is used: the store purges what has expired by then.
    blocking(team.built.runtime.store.use_token, "purge-trigger-" + csrf, time.time() + 7200, now=time.time() + 3600)
    with httpx2.Client(base_url=team.url, cookies={"adops_console": cookie}) as again:
        assert again.get("/console/").status_code == 303


def test_csrf_is_bound_to_the_session_not_the_operator(team: Team, http: httpx2.Client) -> None:
    action_id, _ = team.request(CLIENT_CAROL, *PAUSE)
    signed_in(http, team)
    with httpx2.Client(base_url=team.url) as second:  # alice again, another session
        others = signed_in(second, team)
    response = post(http, team, action_id, others)
    assert response.status_code == 403 and "security token" in response.text
    assert team.status(action_id) == "pending"


def test_every_page_checks_host_and_every_form_checks_origin_exactly(team: Team, http: httpx2.Client) -> None:
    action_id, _ = team.request(CLIENT_CAROL, *PAUSE)
    csrf = signed_in(http, team)
    port = team.url.rsplit(":", 1)[1]
    for host in ("attacker.example", f"127.0.0.1:{port}x", "127.0.0.1.attacker.example", f"localhost.evil:{port}"):
        for path in (*PAGES, "/console/signin"):
            assert http.get(path, headers={"host": host}).status_code in (403, 421), (host, path)
    for origin in (
        team.url + ".attacker.example",
        team.url + "0",
        "http://127.0.0.1",
        team.url.replace("http", "https"),
    ):
        response = http.post(
            f"/console/actions/{action_id}", data={"decision": "approve", "csrf": csrf}, headers={"origin": origin}
        )
        assert response.status_code == 403, origin
        response = http.post("/console/signout", data={"csrf": csrf}, headers={"origin": origin})
        assert response.status_code == 403, origin
    assert team.status(action_id) == "pending"
    for path in PAGES:
        assert http.get(path).status_code == 200, path  # still signed in: the refusals changed nothing


def test_sign_in_attempts_are_limited_per_client_address(team: Team) -> None:
    def attempt(http: httpx2.Client, address: str, token: str) -> httpx2.Response:
        page = http.get("/console/signin")
        nonce = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        headers = {"origin": team.url, "x-forwarded-for": address}  # uvicorn trusts loopback proxies
        return http.post("/console/signin", data={"csrf": nonce, "token": token}, headers=headers)

    with httpx2.Client(base_url=team.url) as http:
        for _ in range(10):
            assert attempt(http, "203.0.113.7", "wrong-token-guess-0000").status_code == 401
        blocked = attempt(http, "203.0.113.7", ALICE)  # even the right token, from that address, for now
        assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
        assert int(blocked.headers["retry-after"]) > 0 and "adops_console" not in http.cookies
        assert attempt(http, "203.0.113.8", ALICE).status_code == 303  # another address is not affected


def test_one_requester_cannot_flood_the_queue(receiver: Receiver, tmp_path: Path) -> None:
    with serving(tmp_path, receiver, max_pending_per_requester=2) as small:
        first, _ = small.request(CLIENT_CAROL, *PAUSE)
        small.request(CLIENT_CAROL, *HOSTILE_ACTIVATE)
        is_error, _, text = small.mcp(CLIENT_CAROL, *PAUSE)
        assert is_error and "Not queued" in text and "ADOPS_MAX_PENDING_PER_REQUESTER" in text
        assert blocking(small.built.runtime.store.count_pending) == 2
        assert cli(small, "deny", first).exit_code == 0  # one decided: room again
        small.request(CLIENT_CAROL, *PAUSE)


def test_pending_first_and_pages_beyond_a_hundred(receiver: Receiver, tmp_path: Path) -> None:
    with serving(tmp_path, receiver) as busy, httpx2.Client(base_url=busy.url) as http:
        real, _ = busy.request(CLIENT_CAROL, *PAUSE)
        store = busy.built.runtime.store
        decided, _ = busy.request(CLIENT_CAROL, *HOSTILE_ACTIVATE)
        assert cli(busy, "deny", decided).exit_code == 0
        for n in range(104):
            blocking(
                store.create_pending,
                vendor="joveo",
                account="joveo:default:x",
                tool=PAUSE[0],
                arguments={"client_id": f"c{n}", "campaign_id": f"k{n}"},
                plan=f"Pause campaign k{n}\n\nWill send: POST /v1/clients/c{n}/campaigns/k{n}/pause",
                expires_at=time.time() + 600,
                requested_by=f"bot-{n}",
                required=1,
                per_requester=20,
            )
        signed_in(http, busy)
        first = http.get("/console/").text
        assert first.count('class="action"') == 100 and "105 waiting" in first and "page 1 of 2" in first
        assert f'id="action-{real}"' not in first and 'href="/console/?page=2"' in first
        assert f"<code>{decided}</code>" in first  # decided ones listed apart, below
        second = http.get("/console/?page=2").text
        assert second.count('class="action"') == 5 and f'id="action-{real}"' in second


def test_webhook_text_cannot_ping_or_link(team: Team) -> None:
    hostile = (
        "<https://evil.example|Open the approvals console> <!channel> *urgent* `x` & [click](https://evil.example)"
    )
    team.built.sandbox.simulators["jivox"].campaign("northwind-grocers", 7104).name = hostile
    action_id, _ = team.request(CLIENT_CAROL, *HOSTILE_ACTIVATE)
    text = team.receiver.wait_for("approval_requested", action_id)["text"]
    assert "<!channel>" not in text and "<https://evil" not in text and "&lt;!channel&gt;" in text
    assert re.findall(r"<[^<>]*>", text) == [f"<{team.console}/#action-{action_id}|Open the approvals console>"]
    plan = text[text.index("```\n") + 4 : text.rindex("\n```")]  # the plan quoted as data, in a code block
    assert "&lt;https://evil.example|Open the approvals console&gt;" in plan and "```" not in plan


def test_a_configured_host_name_is_matched_exactly(receiver: Receiver, tmp_path: Path) -> None:
    with serving(tmp_path, receiver, allowed_hosts="adops.example") as named, httpx2.Client(base_url=named.url) as http:
        for host, status in (
            ("adops.example", 200),
            ("adops.example:8443", 200),
            ("adops.example.attacker.example", 403),
            ("adops.examplex", 403),
            ("adops.example:84x", 403),
        ):
            assert http.get("/console/signin", headers={"host": host}).status_code in (
                (status,) if status == 200 else (403, 421)
            ), host
        signed_in(http, named)  # nothing waiting: the list reloads itself (no script) and says when it was drawn
        idle = http.get("/console/").text
        assert '<meta http-equiv="refresh" content="30">' in idle and "As of " in idle
        named.request(CLIENT_CAROL, *PAUSE)  # a change waiting: no reload under a half-written note
        busy = http.get("/console/").text
        assert 'http-equiv="refresh"' not in busy and "Reload</a> to see newer requests" in busy


@pytest.mark.anyio
async def test_the_required_count_is_signed() -> None:
    from tests.harness import connect

    async with connect(confirm_mode="out-of-band", approvals_required=2) as h:
        first = await h.ok(HOSTILE_ACTIVATE[0], HOSTILE_ACTIVATE[1])
        ident = first["message"].split("approval id ")[1].split(",")[0]
        env = {"ADOPS_APPROVALS_REQUIRED": "2"}
        assert CliRunner().invoke(main, ["approve", ident, "--yes", "--as", "alice"], env=env).exit_code == 0
        store = h.built.runtime.store
        alice = (await store.approvals(ident))[0]
        token = {"confirmation_token": first["confirmation_token"]}
        # One approval of two passed off as the decision; then the count edited down to one as well.
        for statement in (
            "UPDATE pending_actions SET status = 'approved', decided_by = ?, decided_at = ?, signature = ?"
            " WHERE id = ?",
            "UPDATE pending_actions SET required = 1 WHERE id = ?",
        ):
            args = (alice.name, alice.decided_at, alice.signature, ident) if "signature" in statement else (ident,)
            await store._run(statement, args)
            assert "not signed by this server" in await h.error("confirm_action", token)
        assert h.writes("jivox") == 0
