"""The console's doors, tried with raw HTTP the way an attacker (or a stale tab) would: every refusal
leaves the pending action exactly as it was and sends nothing to the vendor."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from adops_mcp.cli import main
from adops_mcp.config import ConfigError, load_settings
from adops_mcp.console.auth import load_operators
from tests.console.conftest import ALICE, BOB, CLIENT_BOB, CLIENT_CAROL, PAUSE, Receiver, Team, serving


@pytest.fixture
def http(team: Team) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=team.url, follow_redirects=False) as client:
        yield client


def signed_in(http: httpx2.Client, team: Team, token: str = ALICE) -> str:
    """Sign in like the browser does; returns the session's CSRF token (from the page)."""
    page = http.get("/console/signin")
    nonce = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = http.post("/console/signin", data={"csrf": nonce, "token": token}, headers={"origin": team.url})
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    home = http.get("/console/")
    assert home.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]


def pending(team: Team) -> tuple[str, str]:
    return team.request(CLIENT_CAROL, *PAUSE)


def assert_unchanged(team: Team, action_id: str, token: str) -> None:
    assert team.status(action_id) == "pending"
    _, waiting, _ = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert waiting["status"] == "pending_approval"
    assert team.writes("joveo", "/pause") == 0


def test_no_cookie_gets_the_sign_in_page_and_cannot_decide(team: Team, http: httpx2.Client) -> None:
    action_id, token = pending(team)
    for path in ("/console/", "/console/audit", "/console/audit.csv", "/console/spend", "/console/config"):
        response = http.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/console/signin", path
    response = http.post(f"/console/actions/{action_id}", data={"decision": "approve"}, headers={"origin": team.url})
    assert response.status_code == 403
    assert_unchanged(team, action_id, token)


def test_wrong_token_signs_nobody_in(team: Team, http: httpx2.Client) -> None:
    page = http.get("/console/signin")
    nonce = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    for wrong in ("not-an-operator-token-at-all", CLIENT_BOB, ALICE + "x", ""):
        response = http.post("/console/signin", data={"csrf": nonce, "token": wrong}, headers={"origin": team.url})
        assert response.status_code == 401 and "not an operator token" in response.text
        assert "adops_console" not in {c.name for c in http.cookies.jar}
        nonce = re.search(r'name="csrf" value="([^"]+)"', response.text).group(1)  # type: ignore[union-attr]
    assert http.get("/console/").status_code == 303


def test_sign_in_needs_its_form_token_and_this_origin(team: Team, http: httpx2.Client) -> None:
    http.get("/console/signin")
    response = http.post("/console/signin", data={"csrf": "guess", "token": ALICE}, headers={"origin": team.url})
    assert response.status_code == 403
    page = http.get("/console/signin")
    nonce = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = http.post(
        "/console/signin", data={"csrf": nonce, "token": ALICE}, headers={"origin": "http://evil.example"}
    )
    assert response.status_code == 403
    assert http.get("/console/").status_code == 303


def test_expired_session_goes_back_to_sign_in_and_changes_nothing(team: Team, http: httpx2.Client) -> None:
    action_id, token = pending(team)
    csrf = signed_in(http, team)
    session = http.cookies["adops_console"]
    # The same cookie, signed as it would have been when the session began, 9 hours ago (TTL 8 h).
    key = (team.built.runtime.settings.data_dir / "confirm.key").read_text().strip()
    payload = URLSafeTimedSerializer(key, salt="adops-mcp/console-session/v1").loads(session)

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - 9 * 3600)

    old = URLSafeTimedSerializer(key, salt="adops-mcp/console-session/v1", signer=Then).dumps(payload)
    http.cookies.clear()
    http.cookies.set("adops_console", old, path="/console")
    response = http.get("/console/")
    assert response.status_code == 303 and response.headers["location"] == "/console/signin?expired=1"
    response = http.post(
        f"/console/actions/{action_id}", data={"decision": "approve", "csrf": csrf}, headers={"origin": team.url}
    )
    assert response.status_code == 403
    assert_unchanged(team, action_id, token)
    assert "Your session expired" in http.get("/console/signin?expired=1").text


def test_cross_origin_post_is_refused(team: Team, http: httpx2.Client) -> None:
    action_id, token = pending(team)
    csrf = signed_in(http, team)
    form = {"decision": "approve", "csrf": csrf}
    for headers in ({"origin": "http://evil.example"}, {"origin": "null"}, {}, {"referer": "http://evil.example/x"}):
        response = http.post(f"/console/actions/{action_id}", data=form, headers=headers)
        assert response.status_code == 403, headers
    assert_unchanged(team, action_id, token)


def test_missing_or_wrong_csrf_token_is_refused(team: Team, http: httpx2.Client) -> None:
    action_id, token = pending(team)
    signed_in(http, team)
    for form in ({"decision": "approve"}, {"decision": "approve", "csrf": "0" * 32}):
        response = http.post(f"/console/actions/{action_id}", data=form, headers={"origin": team.url})
        assert response.status_code == 403 and "security token" in response.text
    # Another operator's session token does not fit this session either.
    with httpx2.Client(base_url=team.url) as other:
        bobs = signed_in(other, team, BOB)
    response = http.post(
        f"/console/actions/{action_id}", data={"decision": "approve", "csrf": bobs}, headers={"origin": team.url}
    )
    assert response.status_code == 403
    assert_unchanged(team, action_id, token)


def test_four_eyes_refusal_over_http(team: Team, http: httpx2.Client) -> None:
    action_id, token = team.request(CLIENT_BOB, *PAUSE)
    csrf = signed_in(http, team, BOB)
    response = http.post(
        f"/console/actions/{action_id}", data={"decision": "approve", "csrf": csrf}, headers={"origin": team.url}
    )
    assert response.status_code == 403 and "four-eyes" in response.text
    assert team.status(action_id) == "pending"
    # Bob may still deny his own request; the decision is final.
    response = http.post(
        f"/console/actions/{action_id}", data={"decision": "deny", "csrf": csrf}, headers={"origin": team.url}
    )
    assert response.status_code == 303 and team.status(action_id) == "denied"
    with httpx2.Client(base_url=team.url) as other:
        alices = signed_in(other, team, ALICE)
        again = other.post(
            f"/console/actions/{action_id}", data={"decision": "approve", "csrf": alices}, headers={"origin": team.url}
        )
    assert again.status_code == 403 and "already denied" in again.text
    assert team.status(action_id) == "denied"
    is_error, _, text = team.mcp(CLIENT_BOB, "confirm_action", {"confirmation_token": token})
    assert is_error and "denied" in text
    assert team.writes("joveo", "/pause") == 0


def test_signed_out_cookie_is_dead(team: Team, http: httpx2.Client) -> None:
    action_id, token = pending(team)
    csrf = signed_in(http, team)
    copied = http.cookies["adops_console"]
    assert http.post("/console/signout", data={"csrf": csrf}, headers={"origin": team.url}).status_code == 303
    http.cookies.clear()
    http.cookies.set("adops_console", copied, path="/console")
    assert http.get("/console/").status_code == 303
    response = http.post(
        f"/console/actions/{action_id}", data={"decision": "approve", "csrf": csrf}, headers={"origin": team.url}
    )
    assert response.status_code == 403
    assert_unchanged(team, action_id, token)


def test_foreign_host_is_refused(team: Team, http: httpx2.Client) -> None:
    response = http.get("/console/signin", headers={"host": "attacker.example"})
    assert response.status_code == 403


def test_pages_forbid_scripts_and_framing(team: Team, http: httpx2.Client) -> None:
    response = http.get("/console/signin")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "frame-ancestors 'none'" in policy
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert "secure" not in cookie  # plain HTTP on loopback; behind TLS the cookie is Secure


def test_console_is_off_without_operators(team: Team) -> None:
    assert load_operators(load_settings(sandbox=True)) == {}
    with pytest.raises(ConfigError, match="name:token"):
        load_operators(load_settings(sandbox=True, console_tokens="just-a-token-without-a-name"))
    with pytest.raises(ConfigError, match="at least 16"):
        load_operators(load_settings(sandbox=True, console_tokens="alice:short"))
    with pytest.raises(ConfigError, match="also an MCP client token"):
        load_operators(load_settings(sandbox=True, console_tokens=f"alice:{ALICE}", http_tokens=f"bot:{ALICE}"))


def test_cookie_is_secure_behind_tls(team: Team, http: httpx2.Client) -> None:
    # uvicorn trusts X-Forwarded-Proto from a proxy on loopback (its default), as behind a TLS terminator.
    response = http.get("/console/signin", headers={"x-forwarded-proto": "https"})
    assert "secure" in response.headers["set-cookie"].lower()


def test_one_person_team_may_approve_its_own_request_when_four_eyes_is_off(receiver: Receiver, tmp_path: Path) -> None:
    proxy = "https://adops.example.com"  # the name a TLS proxy serves the console under (ADOPS_ALLOWED_ORIGINS)
    with (
        serving(tmp_path, receiver, console_four_eyes=False, allowed_origins=proxy) as solo,
        httpx2.Client(base_url=solo.url) as http,
    ):
        action_id, token = solo.request(CLIENT_BOB, *PAUSE)
        csrf = signed_in(http, solo, BOB)
        response = http.post(
            f"/console/actions/{action_id}", data={"decision": "approve", "csrf": csrf}, headers={"origin": proxy}
        )
        assert response.status_code == 303 and solo.status(action_id) == "approved"
        is_error, done, text = solo.mcp(CLIENT_BOB, "confirm_action", {"confirmation_token": token})
        assert not is_error and done["status"] == "done", text


def test_without_operators_there_is_no_console(receiver: Receiver, tmp_path: Path) -> None:
    with serving(tmp_path, receiver, console_tokens=None) as plain, httpx2.Client(base_url=plain.url) as http:
        for path in ("/console/", "/console/signin", "/console/static/console.css"):
            assert http.get(path).status_code == 401  # the MCP bearer gate: nothing of the console answers


def test_the_cli_door_takes_the_same_decision(team: Team) -> None:
    action_id, token = team.request(CLIENT_CAROL, *PAUSE)
    settings = team.built.runtime.settings
    env = {"ADOPS_DATA_DIR": str(settings.data_dir), "ADOPS_APPROVAL_WEBHOOK_URL": team.receiver.url}
    result = CliRunner().invoke(main, ["approve", action_id, "--yes", "--note", "from the shell"], env=env)
    assert result.exit_code == 0, result.output
    decided = team.receiver.wait_for("approval_decided", action_id)
    assert decided["action"]["note"] == "from the shell" and decided["text"].startswith("Approved by ")
    with httpx2.Client(base_url=team.url) as http:  # the console shows the shell's decision
        signed_in(http, team)
        assert "from the shell" in http.get("/console/").text
    is_error, done, text = team.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert not is_error and done["status"] == "done", text


def test_operators_from_a_tokens_file(tmp_path: Path) -> None:
    path = tmp_path / "operators"
    path.write_text(f"# the people who answer for the spend\nalice:{ALICE}\n\n  bob:{BOB}  \n")
    operators = load_operators(load_settings(sandbox=True, console_tokens_file=path))
    assert operators == {"alice": ALICE, "bob": BOB}
    with pytest.raises(ConfigError, match="cannot read"):
        load_operators(load_settings(sandbox=True, console_tokens_file=tmp_path / "missing"))


def test_the_stylesheet_is_served_by_the_package(team: Team, http: httpx2.Client) -> None:
    response = http.get("/console/static/console.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
