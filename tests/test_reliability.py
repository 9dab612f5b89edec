"""Retries, Retry-After, writes sent at most once, honest outcomes, deadlines (sandbox fault knobs)."""

from __future__ import annotations

import time

import anyio
import pytest

from adops_mcp.vendorcall.http import parse_retry_after
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

READ = ("jivox_get_retail_campaign", {"account_id": "acme-retail", "retail_campaign_idx": 5303})
READ_PATH = "/retail-campaigns/5303"
ACTIVATE = ("jivox_activate_retail_campaign", {"account_id": "northwind-grocers", "retail_campaign_idx": 7101})
ACTIVATE_PATH = "/7101/activate"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("3", 3.0),
        ("2.5", 2.5),
        ("-4", 0.0),
        ("86400", 86400.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a date in the past: go now
    ],
)
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_http_date_in_the_future() -> None:
    now = time.time()
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 120))
    assert 118 <= parse_retry_after(when, now=now) <= 121  # type: ignore[operator]


@pytest.mark.parametrize(
    ("status", "attempts", "succeeds"),
    [
        (408, 2, True),
        (429, 2, True),
        (500, 2, True),
        (502, 2, True),
        (503, 2, True),
        (504, 2, True),
        (400, 1, False),
        (404, 1, False),
        (401, 1, False),
    ],
)
async def test_read_retry_matrix(status: int, attempts: int, succeeds: bool) -> None:
    async with connect() as h:
        h.sandbox.faults.add(status=status, vendor="jivox", path_contains=READ_PATH, retry_after="0")
        result = await h.call(*READ)
        assert result.is_error == (not succeeds)
        assert len(h.requests("jivox", "GET", READ_PATH)) == attempts


@pytest.mark.parametrize("status", [0, 500])  # 0: the connection drops
async def test_read_gives_up_after_attempts(status: int) -> None:
    async with connect(read_attempts=3) as h:
        h.sandbox.faults.add(status=status, vendor="jivox", path_contains=READ_PATH, times=10)
        text = await h.error(*READ)
        assert "jivox" in text
        assert len(h.requests("jivox", "GET", READ_PATH)) == 3


async def test_retry_after_too_long_is_reported_not_waited() -> None:
    async with connect() as h:
        h.sandbox.faults.add(status=429, vendor="jivox", path_contains=READ_PATH, retry_after="3600")
        started = time.monotonic()
        assert "rate limiting" in await h.error(*READ)
        assert time.monotonic() - started < 5
        assert len(h.requests("jivox", "GET", READ_PATH)) == 1


@pytest.mark.parametrize(("status", "outcome"), [(500, "unknown"), (502, "unknown"), (0, "unknown"), (400, "failed")])
async def test_write_is_sent_once_and_never_reported_as_success(status: int, outcome: str) -> None:
    async with connect(elicitation=answer("accept")) as h:
        # The vendor applies the activation, then the answer is lost or is an error.
        h.sandbox.faults.add(
            status=status, vendor="jivox", method="POST", path_contains=ACTIVATE_PATH, after_apply=status != 400
        )
        text = await h.error(*ACTIVATE)
        assert len(h.requests("jivox", "POST", ACTIVATE_PATH)) == 1
        assert ("Outcome unknown" if outcome == "unknown" else "Failed") in text
        log = await h.ok("adops_audit_log", {"limit": 1})
        assert log["records"][0]["status"] == outcome
        assert log["records"][0]["tool"] == "jivox_activate_retail_campaign"


async def test_write_recorded_before_it_is_sent() -> None:
    """While the vendor is still answering, the audit log already holds the intent."""
    async with connect(elicitation=answer("accept")) as h:
        h.sandbox.faults.add(status=None, delay_ms=300, vendor="jivox", method="POST")
        async with anyio.create_task_group() as tg:
            tg.start_soon(h.call, *ACTIVATE)
            with anyio.fail_after(5):
                # the vendor has the request, no answer yet (the sandbox records requests; it has no event to wait on)
                while not h.requests("jivox", "POST"):  # noqa: ASYNC110
                    await anyio.sleep(0.005)
            records = await h.built.runtime.store.audit(limit=1)
            assert records and records[0].status == "sent"
        assert (await h.built.runtime.store.audit(limit=1))[0].status == "ok"


async def test_crash_between_send_and_outcome_reads_back_as_unknown(tmp_path) -> None:
    from adops_mcp.server.store import store_at

    store = store_at(tmp_path / "audit.sqlite3", stale_after=0.0)
    await store.record_intent(
        vendor="jivox",
        account="jivox:default:x",
        tool="jivox_activate_retail_campaign",
        method="POST",
        path="/x",
        arguments={},
        confirmed_by="token",
    )
    store.close()  # the process dies here
    record = (await store_at(tmp_path / "audit.sqlite3", stale_after=0.0).audit(limit=1))[0]
    assert record.status == "unknown" and "no outcome" in (record.detail or "")


async def test_a_vendor_that_never_answers_yields_an_error_in_bounded_time() -> None:
    async with connect(timeout=0.2, read_attempts=2) as h:
        h.sandbox.faults.hang = True
        started = time.monotonic()
        text = await h.error(*READ)
        assert "did not answer in time" in text
        assert time.monotonic() - started < 3


# -- one budget per tool call (ADOPS_TIMEOUT) ----------------------------------------------------
HANG_MS = 60_000  # far longer than any budget below: the vendor never answers in time


async def timed(h, tool: str, arguments: dict) -> tuple[str, float]:
    started = time.monotonic()
    text = await h.error(tool, arguments)
    return text, time.monotonic() - started


async def test_a_hung_vendor_read_ends_with_the_budget_not_after_every_attempt() -> None:
    async with connect(timeout=1, read_attempts=4) as h:
        h.sandbox.faults.hang = True
        text, took = await timed(h, *READ)
        assert took < 1.8, took  # one budget, not 4 attempts of 1 s
        assert "did not answer in time" in text and "1 s budget (ADOPS_TIMEOUT) ran out" in text
        assert "Nothing was changed" in text


async def test_calls_waiting_for_a_saturated_vendor_share_the_budget() -> None:
    """Six reads, two slots, a vendor that never answers: every call ends within its own budget."""
    async with connect(timeout=1, max_concurrency=2) as h:
        h.sandbox.faults.hang = True
        results: list[tuple[str, float]] = []

        async def one() -> None:
            results.append(await timed(h, *READ))

        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(one)
        assert max(took for _, took in results) < 1.8, results
        assert all("budget (ADOPS_TIMEOUT) ran out" in text for text, _ in results)
        waited = [text for text, _ in results if "waiting for a free request slot" in text]
        # Never more than two at the vendor; a call that never got a slot sent nothing.
        assert h.built.runtime.clients["jivox"].max_in_flight == 2
        assert waited and len(waited) + len(h.requests("jivox")) == 6, (results, len(h.requests("jivox")))


async def test_a_hung_write_ends_with_the_budget_and_is_recorded_unknown() -> None:
    async with connect(timeout=1, elicitation=answer("accept")) as h:
        h.sandbox.faults.add(status=None, delay_ms=HANG_MS, vendor="jivox", method="POST")
        text, took = await timed(h, *ACTIVATE)
        assert took < 1.8, took
        assert "Outcome unknown (audit record #" in text and "budget (ADOPS_TIMEOUT) ran out" in text
        assert "may or may not have been applied" in text
        record = (await h.ok("adops_audit_log", {"limit": 1}))["records"][0]
        assert record["status"] == "unknown" and record["tool"] == ACTIVATE[0]
        assert len(h.requests("jivox", "POST", ACTIVATE_PATH)) == 1  # sent once, never again


async def test_a_write_that_never_got_a_slot_says_nothing_was_sent() -> None:
    async with connect(timeout=1, max_concurrency=1) as h:
        token = (await h.ok(*ACTIVATE))["confirmation_token"]
        limit, holder = h.built.runtime.clients["jivox"].limit, object()
        await limit.acquire_on_behalf_of(holder)  # the only slot stays taken for the whole call
        try:
            text, took = await timed(h, "confirm_action", {"confirmation_token": token})
        finally:
            limit.release_on_behalf_of(holder)
        assert took < 1.8, took
        assert "waiting for a free request slot" in text and "Nothing was changed" in text
        assert h.requests("jivox", "POST") == []


# -- shutdown --------------------------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _until_listening(port: int) -> None:
    import socket

    with anyio.fail_after(30):
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                await anyio.sleep(0.05)


async def posted(control) -> bool:
    return any(r["method"] == "POST" for r in (await control.get("/_sandbox/requests")).json())


async def test_shutdown_with_a_write_in_flight_answers_it_and_exits_cleanly(tmp_path) -> None:
    """SIGTERM while a vendor sits on a write: the client gets 'outcome unknown' with the audit record,
    the server exits within its grace period without a traceback, and the sandbox stops promptly too."""
    import os
    import shlex
    import signal
    import subprocess
    import sys

    import httpx2
    from mcp import Client

    vendor_port, server_port = _free_port(), _free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("ADOPS_")} | {"PYTHONPATH": os.getcwd()}
    sandbox = subprocess.Popen(  # noqa: ASYNC220 - returns once started; it runs beside the test
        [sys.executable, "-m", "adops_mcp", "sandbox", "--port", str(vendor_port)],
        env=base,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = None
    try:
        env = {**base, "ADOPS_DATA_DIR": str(tmp_path), "ADOPS_SHUTDOWN_GRACE": "2", "ADOPS_TIMEOUT": "60"}
        assert sandbox.stderr is not None
        for line in sandbox.stderr:
            if line.startswith("Faults:"):
                break
            if line.strip().startswith("export "):
                env |= dict(pair.split("=", 1) for pair in shlex.split(line)[1:])
        await _until_listening(vendor_port)
        server = subprocess.Popen(  # noqa: ASYNC220 - returns once started
            [sys.executable, "-m", "adops_mcp", "serve", "--transport", "http", "--port", str(server_port)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        await _until_listening(server_port)
        async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{vendor_port}") as control:
            hang = {"status": None, "delay_ms": 600_000, "vendor": "jivox", "method": "POST"}
            await control.post("/_sandbox/faults", json={"faults": [hang]})
            async with Client(f"http://127.0.0.1:{server_port}/mcp") as client:
                planned = await client.call_tool(*ACTIVATE)
                token = planned.structured_content["confirmation_token"]
                results = []

                async def confirm() -> None:
                    results.append(await client.call_tool("confirm_action", {"confirmation_token": token}))

                async with anyio.create_task_group() as tg:
                    tg.start_soon(confirm)
                    with anyio.fail_after(10):
                        while not await posted(control):  # noqa: ASYNC110 (another process)
                            await anyio.sleep(0.05)
                    stopped_at = time.monotonic()
                    server.send_signal(signal.SIGTERM)
        (result,) = results
        assert result.is_error
        text = " ".join(getattr(c, "text", "") for c in result.content)
        assert "Outcome unknown (audit record #1)" in text and "shutting down" in text, text
        with anyio.fail_after(10):
            while server.poll() is None:  # noqa: ASYNC110 (another process)
                await anyio.sleep(0.05)
        assert time.monotonic() - stopped_at < 4  # the grace period (2 s), not the hung vendor
        log = server.stderr.read() if server.stderr else ""
        assert "Traceback" not in log and "Cancel" not in log, log

        sandbox.send_signal(signal.SIGTERM)  # still holding the hung request
        started = time.monotonic()
        with anyio.fail_after(10):
            while sandbox.poll() is None:  # noqa: ASYNC110 (another process)
                await anyio.sleep(0.05)
        assert time.monotonic() - started < 4
    finally:
        for process in (server, sandbox):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
