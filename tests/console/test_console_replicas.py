"""Two replicas on one PostgreSQL: an approval given in one replica's console is honoured by the
confirm_action that reaches the other, and a console session works (and ends) on both."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.console.conftest import CLIENT_CAROL, PAUSE, Receiver, Team, blocking, serving
from tests.console.test_console_security import signed_in
from tests.pg import fresh_database


@pytest.fixture(scope="module")
def replicas(receiver: Receiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Team, Team]]:
    shared = {"database_url": fresh_database(), "confirm_key": secrets.token_urlsafe(32)}
    with (
        serving(Path(tmp_path_factory.mktemp("replica-a")), receiver, **shared) as a,
        serving(Path(tmp_path_factory.mktemp("replica-b")), receiver, **shared) as b,
    ):
        yield a, b


def test_approval_on_one_replica_is_honoured_by_the_other(replicas: tuple[Team, Team]) -> None:
    a, b = replicas
    assert a.built.runtime.store.describe().startswith("postgresql://")
    action_id, token = b.request(CLIENT_CAROL, *PAUSE)  # asked through replica B
    with httpx2.Client(base_url=a.url) as http:  # decided in replica A's console
        csrf = signed_in(http, a)
        response = http.post(
            f"/console/actions/{action_id}", data={"decision": "approve", "csrf": csrf}, headers={"origin": a.url}
        )
        assert response.status_code == 303 and response.headers["location"] == f"/console/?done={action_id}#outcome"
        assert f"Approved {PAUSE[0]} ({action_id}) by alice" in http.get(response.headers["location"]).text
    is_error, done, text = b.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert not is_error and done["status"] == "done", text
    assert b.writes("joveo", "/pause") == 1 and a.writes("joveo") == 0
    record = blocking(a.built.runtime.store.audit, audit_id=done["audit_id"], limit=1)[0]  # one shared audit log
    assert record.confirmed_by == f"out-of-band approval {action_id} by alice"
    is_error, _, text = a.mcp(CLIENT_CAROL, "confirm_action", {"confirmation_token": token})
    assert is_error and "already performed" in text
    assert a.writes("joveo") == 0 and b.writes("joveo", "/pause") == 1


def test_a_session_signed_out_on_one_replica_is_dead_on_the_other(replicas: tuple[Team, Team]) -> None:
    a, b = replicas
    with httpx2.Client(base_url=a.url) as on_a:
        csrf = signed_in(on_a, a)
        cookie = on_a.cookies["adops_console"]
        with httpx2.Client(base_url=b.url, cookies={"adops_console": cookie}) as on_b:
            assert on_b.get("/console/audit").status_code == 200  # the same key signs sessions everywhere
            assert on_a.post("/console/signout", data={"csrf": csrf}, headers={"origin": a.url}).status_code == 303
            assert on_b.get("/console/audit").status_code == 303
