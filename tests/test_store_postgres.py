"""Shared state for replicas: the store contract on SQLite and on a real PostgreSQL server, and two
server instances sharing one PostgreSQL database (a token spent on one is refused on the other)."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

from adops_mcp.cli import main
from adops_mcp.sandbox import Sandbox
from adops_mcp.server.approvals import decide
from adops_mcp.server.store import PostgresStore, SqliteStore, Store, redact_url, store_at
from tests.harness import answer, connect
from tests.pg import Cluster, fresh_database

KEY = "install-key-for-signing-approvals-0123"

ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}
ACTIVATE_PATH = "/retail-campaigns/7101/activate"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path) -> Store:
    target = tmp_path / "state.sqlite3" if request.param == "sqlite" else fresh_database()
    opened = store_at(target)
    assert isinstance(opened, SqliteStore if request.param == "sqlite" else PostgresStore)
    yield opened
    opened.close()


@pytest.mark.anyio
async def test_audit_round_trip(store: Store) -> None:
    first = await store.record_intent(
        vendor="jivox",
        account="jivox:globex:0123",
        tool="t",
        method="POST",
        path="/x",
        arguments={"b": 2, "a": 1},
        confirmed_by="token",
    )
    second = await store.record_intent(
        vendor="joveo",
        account="joveo:default:4567",
        tool="u",
        method=None,
        path=None,
        arguments={},
        confirmed_by="elicitation",
    )
    await store.record_outcome(first, "ok")
    await store.record_outcome(second, "failed", "refused")
    records = await store.audit()
    assert [r.id for r in records] == [second, first]
    assert records[1].public()["profile"] == "globex" and records[1].arguments == {"a": 1, "b": 2}
    assert records[1].created_at == pytest.approx(time.time(), abs=60)  # full precision epoch seconds
    assert [r.status for r in await store.audit(vendor="joveo")] == ["failed"]
    assert (await store.audit(audit_id=first))[0].tool == "t"


@pytest.mark.anyio
async def test_token_single_use_under_contention(store: Store) -> None:
    wins: list[bool] = []

    async def spend() -> None:
        wins.append(await store.use_token("nonce-1", time.time() + 600))

    async with anyio.create_task_group() as tg:
        for _ in range(8):  # more callers than pooled connections: every statement runs on its own thread
            tg.start_soon(spend)
    assert sorted(wins) == [False] * 7 + [True]


@pytest.mark.anyio
async def test_pending_actions_life_cycle(store: Store) -> None:
    def create(**fields: object) -> object:
        return store.create_pending(
            **{"vendor": "jivox", "account": "jivox:acme:0", "tool": "t", "arguments": {"x": 1}, "plan": "Activate X",
               "expires_at": time.time() + 600, "requested_by": "bot", "required": 1, "per_requester": 20, **fields}
        )  # fmt: skip

    action = await create()
    assert [a.id for a in await store.pending_actions()] == [action.id] and action.profile == "acme"
    assert not await store.claim(action.id)  # not approved yet
    assert (await decide(store, KEY, action.id, True, "alice")).action.status == "approved"
    second = await decide(store, KEY, action.id, False, "mallory")
    assert not second.recorded and second.action.decided_by == "alice"  # first decision stands
    assert await store.claim(action.id) and not await store.claim(action.id)
    assert (await store.pending(action.id)).status == "executed" and await store.pending_actions() == []

    late = await create(arguments={}, plan="p", expires_at=time.time() - 1)
    refused = await decide(store, KEY, late.id, True, "alice")
    assert not refused.recorded and refused.action.status == "expired"
    assert not await store.claim(late.id)
    assert (await decide(store, KEY, "missing", True, "alice")).action is None


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


READ = ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5303})
SUBMIT = (
    "jivox_submit_approval_request",
    {"account_id": "acme-retail", "retail_campaign_idx": 5302, "user_name": "Ann", "user_email": "ann@example.com"},
)
UNAVAILABLE = "the shared state store is unavailable: nothing was sent"


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL server of these tests' own: they freeze, stop and restart it (and leave it running)."""
    own = Cluster()
    yield own
    own.remove()


@pytest.mark.anyio
async def test_a_frozen_database_blocks_no_read_and_refuses_writes_before_sending(cluster: Cluster) -> None:
    async with connect(database_url=cluster.database(), store_timeout=1) as h:
        await h.ok(*SUBMIT)  # a pooled connection is open and idle when the database freezes
        planned = (await h.ok(ACTIVATE, ARGS))["confirmation_token"]
        cluster.pause()
        try:
            async with anyio.create_task_group() as tg:
                refused: list[str] = []

                async def write() -> None:
                    refused.append(await h.error(*SUBMIT))

                tg.start_soon(write)
                with anyio.fail_after(0.8):  # while that write waits on the database, reads answer at once
                    for _ in range(5):
                        await h.ok(*READ)
            assert UNAVAILABLE in refused[0]
            with anyio.fail_after(3):  # a confirmation is refused too, before its token is spent
                assert UNAVAILABLE in await h.error("confirm_action", {"confirmation_token": planned})
            assert h.writes("jivox") == 1  # only the one before the freeze
        finally:
            cluster.resume()

        # The refused write's record, written when the database woke up, says it was not sent.
        with anyio.fail_after(10):
            while (await h.built.runtime.store.audit(limit=1))[0].status == "sent":  # noqa: ASYNC110 (another thread's write)
                await anyio.sleep(0.05)
        latest = (await h.ok("adops_audit_log", {"limit": 2}))["records"]
        assert [r["status"] for r in latest] == ["failed", "ok"] and "not sent" in latest[0]["detail"]
        # Recovered: the token still works (it was never spent), and so do new writes.
        assert (await h.ok("confirm_action", {"confirmation_token": planned}))["status"] == "done"
        assert (await h.ok(*SUBMIT))["status"] == "done"
        assert h.writes("jivox") == 3


@pytest.mark.anyio
async def test_the_first_call_after_a_database_restart_works(cluster: Cluster) -> None:
    async with connect(database_url=cluster.database(), store_timeout=2, elicitation=answer("accept")) as h:
        assert (await h.ok(ACTIVATE, ARGS))["status"] == "done"
        cluster.restart()  # every pooled connection is now closed by the server
        assert (await h.ok(ACTIVATE, {**ARGS, "retail_campaign_idx": 7104}))["status"] == "done"
        assert [r["status"] for r in (await h.ok("adops_audit_log", {}))["records"]] == ["ok", "ok"]


@pytest.mark.anyio
async def test_a_stopped_database_refuses_writes_then_recovers(cluster: Cluster, caplog) -> None:
    async with connect(database_url=cluster.database(), store_timeout=2, elicitation=answer("accept")) as h:
        cluster.stop()
        try:
            with anyio.fail_after(5):
                text = await h.error(ACTIVATE, ARGS)
            assert UNAVAILABLE in text and h.writes("jivox") == 0
            audit = await h.error("adops_audit_log", {})
            port = cluster.url.rsplit(":", 1)[1].split("/")[0]
            for seen in (text, audit):  # what the model sees says what to do, never where the database is
                assert "ask the operator to check the state store" in seen, seen
                assert "127.0.0.1" not in seen and port not in seen and "postgres" not in seen.lower(), seen
            await h.ok(*READ)
            assert "state store postgresql://adops@127.0.0.1" in caplog.text  # the cause is logged
        finally:
            cluster.start()
        assert (await h.ok(ACTIVATE, ARGS))["status"] == "done"
        assert h.writes("jivox") == 1
