"""Shared state for replicas: the store contract on SQLite and on a real PostgreSQL server, and two
server instances sharing one PostgreSQL database (a token spent on one is refused on the other)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

from adops_mcp.cli import main
from adops_mcp.sandbox import Sandbox
from adops_mcp.server.approvals import decide
from adops_mcp.server.store import PostgresStore, SqliteStore, Store, redact_url
from tests.harness import connect
from tests.pg import fresh_database

KEY = "install-key-for-signing-approvals-0123"

ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}
ACTIVATE_PATH = "/retail-campaigns/7101/activate"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path) -> Store:
    target = tmp_path / "state.sqlite3" if request.param == "sqlite" else fresh_database()
    opened = Store(target)
    assert isinstance(opened, SqliteStore if request.param == "sqlite" else PostgresStore)
    yield opened
    opened.close()


def test_audit_round_trip(store: Store) -> None:
    first = store.record_intent(
        vendor="jivox",
        account="jivox:globex:0123",
        tool="t",
        method="POST",
        path="/x",
        arguments={"b": 2, "a": 1},
        confirmed_by="token",
    )
    second = store.record_intent(
        vendor="joveo",
        account="joveo:default:4567",
        tool="u",
        method=None,
        path=None,
        arguments={},
        confirmed_by="elicitation",
    )
    store.record_outcome(first, "ok")
    store.record_outcome(second, "failed", "refused")
    records = store.audit()
    assert [r.id for r in records] == [second, first]
    assert records[1].public()["profile"] == "globex" and records[1].arguments == {"a": 1, "b": 2}
    assert records[1].created_at == pytest.approx(time.time(), abs=60)  # full precision epoch seconds
    assert [r.status for r in store.audit(vendor="joveo")] == ["failed"]
    assert store.audit(audit_id=first)[0].tool == "t"


def test_token_single_use_under_contention(store: Store) -> None:
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def spend() -> None:
        barrier.wait()
        wins.append(store.use_token("nonce-1", time.time() + 600))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_pending_actions_life_cycle(store: Store) -> None:
    action = store.create_pending(
        vendor="jivox",
        account="jivox:acme:0",
        tool="t",
        arguments={"x": 1},
        plan="Activate X",
        expires_at=time.time() + 600,
    )
    assert [a.id for a in store.pending_actions()] == [action.id] and action.profile == "acme"
    assert not store.claim(action.id)  # not approved yet
    assert decide(store, KEY, action.id, True, "alice").status == "approved"
    assert decide(store, KEY, action.id, False, "mallory").decided_by == "alice"  # first decision stands
    assert store.claim(action.id) and not store.claim(action.id)
    assert store.pending(action.id).status == "executed" and store.pending_actions() == []

    late = store.create_pending(
        vendor="jivox", account="jivox:acme:0", tool="t", arguments={}, plan="p", expires_at=time.time() - 1
    )
    assert decide(store, KEY, late.id, True, "alice").status == "expired"
    assert not store.claim(late.id)
    assert decide(store, KEY, "missing", True, "alice") is None


def test_url_password_is_never_shown() -> None:
    assert redact_url("postgresql://app:s3cret-pw@db:5432/adops") == "postgresql://app:***@db:5432/adops"
    assert redact_url("postgresql://app@db/adops") == "postgresql://app@db/adops"


@pytest.mark.anyio
async def test_two_replicas_share_tokens_and_audit(monkeypatch) -> None:
    url = fresh_database()
    box = Sandbox()
    shared = {"database_url": url, "confirm_key": "one-key-for-every-replica-0123456789"}
    async with connect(sandbox=box, **shared) as one, connect(sandbox=box, **shared) as two:
        assert isinstance(one.built.runtime.store, PostgresStore)

        # A token issued by one replica is honoured by the other, once; replayed anywhere it is refused.
        token = (await one.ok(ACTIVATE, ARGS))["confirmation_token"]
        done = await two.ok("confirm_action", {"confirmation_token": token})
        assert done["status"] == "done"
        assert "already used" in await one.error("confirm_action", {"confirmation_token": token})
        assert "already used" in await two.error("confirm_action", {"confirmation_token": token})
        assert one.writes("jivox", ACTIVATE_PATH) == 1

        # Both replicas racing on one token: exactly one sends.
        token = (await one.ok(ACTIVATE, {**ARGS, "retail_campaign_idx": 7104}))["confirmation_token"]
        results = []

        async def race(h) -> None:
            results.append(await h.call("confirm_action", {"confirmation_token": token}))

        async with anyio.create_task_group() as tg:
            tg.start_soon(race, one)
            tg.start_soon(race, two)
        assert sorted(r.is_error for r in results) == [False, True]

        # Every record is visible from either replica (and from the CLI).
        for h in (one, two):
            log = (await h.ok("adops_audit_log", {}))["records"]
            assert [r["status"] for r in log] == ["ok", "ok"]
        monkeypatch.setenv("ADOPS_DATABASE_URL", url)
        assert CliRunner().invoke(main, ["audit"]).output.count(ACTIVATE) == 2


@pytest.mark.anyio
async def test_out_of_band_approval_across_replicas(monkeypatch) -> None:
    url = fresh_database()
    monkeypatch.setenv("ADOPS_DATABASE_URL", url)
    box = Sandbox()
    shared = {"confirm_key": "one-key-for-every-replica-0123456789", "confirm_mode": "out-of-band"}
    async with connect(sandbox=box, **shared) as one, connect(sandbox=box, **shared) as two:
        first = await one.ok(ACTIVATE, ARGS)
        ident = first["message"].split("approval id ")[1].split(",")[0]
        monkeypatch.setenv("ADOPS_CONFIRM_KEY", shared["confirm_key"])  # the operator's shell has the server's env
        approved = CliRunner().invoke(main, ["approve", ident, "--yes"])
        assert approved.exit_code == 0, approved.output
        assert (await two.ok("confirm_action", {"confirmation_token": first["confirmation_token"]}))["status"] == "done"
        assert "already performed" in await one.error(
            "confirm_action", {"confirmation_token": first["confirmation_token"]}
        )
        assert one.writes("jivox", ACTIVATE_PATH) == 1


def test_doctor_reports_the_shared_store_without_password(monkeypatch) -> None:
    url = fresh_database()
    monkeypatch.setenv("ADOPS_DATABASE_URL", url.replace("adops@", "adops:hunter2-pw@"))  # trust auth ignores it
    result = CliRunner().invoke(main, ["doctor", "--sandbox"])
    assert result.exit_code == 0, result.output
    assert "ok    state store" in result.output and "postgresql://adops:***@" in result.output
    assert "hunter2-pw" not in result.output
