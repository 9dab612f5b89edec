"""Keys and confirmation tokens, tried as an attacker would (issue 10 item 5).

Attacker's table: a planted empty or short key file, a short configured key, concurrent first
starts, a token whose used-record was purged and a restart with a longer TTL, a purge between
issue and confirm, an elicitation answered after its deadline, a token carried to another bearer
identity, a well-signed token of the wrong shape. Every case counts what reached the vendor.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from mcp_types import ElicitResult

from adops_mcp.config import ConfigError, load_settings
from adops_mcp.sandbox import Sandbox
from adops_mcp.server.guard import Tokens, load_key
from adops_mcp.server.identity import token_name
from adops_mcp.server.store import SqliteStore
from adops_mcp.vendorcall.secrets import MIN_KEY_LENGTH
from tests.harness import connect

pytestmark = pytest.mark.anyio

ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}
ACTIVATE_PATH = "/retail-campaigns/7101/activate"
SALT = "adops-mcp/confirm/v1"


def forged_token(key: str, **payload: Any) -> str:
    body = {"t": ACTIVATE, "a": ARGS, "acct": "", "c": "stdio", "n": "forged", "exp": int(time.time()) + 600}
    return URLSafeTimedSerializer(key, salt=SALT).dumps({**body, **payload})


WEAK_KEYS = [" " * 40, "\t" * 32 + "ab", "k" * 32, "ab" * 20, "0123456789abcdef" * 2, "a" * 31 + "b"]


@pytest.mark.parametrize("planted", ["", "\n", "abc", "x" * (MIN_KEY_LENGTH - 1), *WEAK_KEYS])
async def test_planted_empty_or_short_key_file_is_never_a_signing_key(planted: str, isolated_env: Path) -> None:
    data = isolated_env / "data"
    data.mkdir()
    (data / "confirm.key").write_text(planted)
    async with connect() as h:
        key = (data / "confirm.key").read_text().strip()
        assert len(key) >= MIN_KEY_LENGTH and key != planted.strip()
        account = h.built.runtime.settings.vendors["jivox"].account_key
        token = forged_token(planted.strip(), acct=account)
        assert "not valid" in await h.error("confirm_action", {"confirmation_token": token})
        assert h.writes("jivox") == 0
        # The replaced key signs real tokens, which still work.
        first = await h.ok(ACTIVATE, ARGS)
        assert (await h.ok("confirm_action", {"confirmation_token": first["confirmation_token"]}))["status"] == "done"


@pytest.mark.parametrize("configured", ["abc", "k" * (MIN_KEY_LENGTH - 1), *WEAK_KEYS])
def test_short_configured_key_is_a_config_error(configured: str) -> None:
    """Blank, short, repetitive or predictable keys are refused wherever a key comes from (issue 29 item 6)."""
    with pytest.raises(ConfigError, match=r"ADOPS_CONFIRM_KEY.*(32 characters|pattern|predictable)"):
        load_settings(sandbox=True, confirm_key=configured)
    with pytest.raises(ConfigError, match=r"ADOPS_CONFIRM_KEY.*(32 characters|pattern|predictable)"):
        Tokens(configured, SqliteStore(Path(os.environ["ADOPS_DATA_DIR"]) / "s.sqlite3"), 600)
    assert load_settings(sandbox=True, confirm_key=secrets.token_hex(16)).confirm_key is not None


def test_a_key_of_spaces_cannot_forge_a_token() -> None:
    """The red team's ADOPS_CONFIRM_KEY of 32 spaces: refused at start, so no token forged with it executes."""
    with pytest.raises(ConfigError, match="ADOPS_CONFIRM_KEY"):
        load_settings(sandbox=True, confirm_key=" " * 32)


def test_concurrent_first_starts_agree_on_one_complete_key(isolated_env: Path) -> None:
    data = isolated_env / "data"
    keys: list[str] = []
    barrier = threading.Barrier(12)

    def start() -> None:
        barrier.wait()
        keys.append(load_key(None, data))

    threads = [threading.Thread(target=start) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 12 and len(set(keys)) == 1
    assert len(keys[0]) >= MIN_KEY_LENGTH and (data / "confirm.key").read_text() == keys[0]
    assert [p.name for p in data.iterdir() if p.name.startswith(".confirm.key")] == []  # no temp file left


def test_a_failed_key_write_leaves_no_partial_file_and_the_next_start_writes_it(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = isolated_env / "data"

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        load_key(None, data)
    assert [p.name for p in data.iterdir() if p.name.startswith(".confirm.key")] == []  # the temp file is gone
    assert not (data / "confirm.key").exists()
    monkeypatch.undo()
    key = load_key(None, data)
    assert len(key) >= MIN_KEY_LENGTH and (data / "confirm.key").read_text() == key


def test_key_file_and_data_dir_private_whatever_the_umask(isolated_env: Path) -> None:
    data = isolated_env / "data"
    old = os.umask(0o022)
    try:
        load_key(None, data)
    finally:
        os.umask(old)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "confirm.key").stat().st_mode) == 0o600
    # A key file left world-readable by an earlier version is tightened.
    (data / "confirm.key").chmod(0o644)
    data.chmod(0o755)
    load_key(None, data)
    assert stat.S_IMODE((data / "confirm.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


async def test_signing_key_is_registered_for_scrubbing(isolated_env: Path) -> None:
    from adops_mcp.vendorcall import secrets

    async with connect():
        key = (isolated_env / "data" / "confirm.key").read_text()
        assert key not in secrets.scrub(f"key={key}")
    configured = "configured-signing-key-" + "q" * 20
    async with connect(confirm_key=configured):
        assert configured not in secrets.scrub(f"key {configured}")


async def test_purged_record_and_longer_ttl_cannot_revive_a_token() -> None:
    """Confirmed once under a 60 s TTL; later the used-record is purged and the server restarts with 1 h."""
    async with connect(confirm_ttl=60) as short:
        token = (await short.ok(ACTIVATE, ARGS))["confirmation_token"]
        await short.ok("confirm_action", {"confirmation_token": token})
        sandbox = short.sandbox
    async with connect(confirm_ttl=3600, sandbox=sandbox) as restarted:
        later = time.time() + 200
        restarted.built.runtime.tokens.clock = lambda: later
        await restarted.built.runtime.store.use_token("another-token", later + 10, now=later)  # the purge runs
        text = await restarted.error("confirm_action", {"confirmation_token": token})
        assert "expired" in text
        assert restarted.writes("jivox", ACTIVATE_PATH) == 1


async def test_purge_between_issue_and_confirm_keeps_the_used_record(mode: str) -> None:
    async with connect(mode=mode) as h:
        tokens = h.built.runtime.tokens
        token = (await h.ok(ACTIVATE, ARGS))["confirmation_token"]
        await h.ok("confirm_action", {"confirmation_token": token})
        almost = time.time() + tokens.ttl - 5  # still inside the token's life
        tokens.clock = lambda: almost
        await h.built.runtime.store.use_token("someone-else", almost + 60, now=almost)  # purge at that moment
        assert "already used" in await h.error("confirm_action", {"confirmation_token": token})
        assert h.writes("jivox", ACTIVATE_PATH) == 1


async def test_elicitation_answered_after_its_deadline_sends_nothing(mode: str) -> None:
    asked: list[str] = []
    runtime: list[Any] = []

    async def late(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        tokens = runtime[0].tokens
        answered = time.time() + tokens.ttl + 1
        tokens.clock = lambda: answered
        return ElicitResult(action="accept", content={"confirm": True})

    async with connect(mode=mode, elicitation=late) as h:
        runtime.append(h.built.runtime)
        result = await h.ok(ACTIVATE, ARGS)
        if mode == "legacy":  # answered in the same call, after the deadline: nothing is sent
            assert result["status"] == "declined" and "deadline" in result["message"]
            assert h.writes("jivox") == 0 and len(asked) == 1
        else:  # the 2026 era re-renders the question when the answer comes back: asked again, fresh
            assert len(asked) == 2 and asked[0] != asked[1]
            assert result["status"] == "done" and h.writes("jivox", ACTIVATE_PATH) == 1
        assert "Confirm by " in asked[0]


async def test_well_signed_token_of_the_wrong_shape_is_refused(isolated_env: Path) -> None:
    async with connect() as h:
        key = (isolated_env / "data" / "confirm.key").read_text()
        account = h.built.runtime.settings.vendors["jivox"].account_key
        good = {"acct": account}
        for broken in ({"exp": None}, {"exp": "soon"}, {"c": None}, {"n": 1}, {"a": [1]}, {"t": None}, {"p": 3}):
            token = forged_token(key, **good, **broken)
            assert "not valid" in await h.error("confirm_action", {"confirmation_token": token}), broken
        stale = forged_token(key, **good, exp=int(time.time()) - 1)
        assert "expired" in await h.error("confirm_action", {"confirmation_token": stale})
        assert h.writes("jivox") == 0
        # The control: the same shape, well-formed and bound to the digest of the plan's requests, works.
        planned = await h.ok(ACTIVATE, ARGS)
        digest = URLSafeTimedSerializer(key, salt=SALT).loads(planned["confirmation_token"])["d"]
        ok = forged_token(key, **good, n="fresh-nonce", d=digest)
        assert (await h.ok("confirm_action", {"confirmation_token": ok}))["status"] == "done"


async def test_token_is_bound_to_the_bearer_identity_that_got_it(mode: str) -> None:
    from tests.test_http_serving import mcp_client, serving

    alice, bob = "alice-token-7f3a9c1e5b2d4a6f", "bob-token-0b1c2d3e4f5a6b7c8d"
    plain = "plain-token-1234567890abcdef"
    sandbox = Sandbox()
    tokens = f"alice:{alice},bob:{bob},{plain}"
    async with serving(http_tokens=tokens, sandbox=sandbox) as (url, built):
        async with mcp_client(url, alice, mode=mode) as a:
            first = (await a.call_tool(ACTIVATE, ARGS)).structured_content
        token = first["confirmation_token"]
        async with mcp_client(url, bob, mode=mode) as b:
            stolen = await b.call_tool("confirm_action", {"confirmation_token": token})
            assert stolen.is_error and "another client" in stolen.content[0].text
        async with mcp_client(url, plain, mode=mode) as p:
            stolen = await p.call_tool("confirm_action", {"confirmation_token": token})
            assert stolen.is_error and "another client" in stolen.content[0].text
        assert [r for r in sandbox.vendor_requests("jivox", "POST") if r.path.endswith("/activate")] == []
        async with mcp_client(url, alice, mode=mode) as a:
            done = await a.call_tool("confirm_action", {"confirmation_token": token})
            assert not done.is_error and done.structured_content["status"] == "done"
        record = (await built.runtime.store.audit(limit=1))[0]
        assert record.status == "ok"
    assert token_name(plain) == "bearer-" + __import__("hashlib").sha256(plain.encode()).hexdigest()[:8]


async def test_stdio_token_is_not_accepted_over_http(mode: str) -> None:
    from tests.test_http_serving import mcp_client, serving

    sandbox = Sandbox()
    key = "one-key-shared-by-stdio-and-http-0123"
    async with connect(confirm_key=key, sandbox=sandbox) as local:
        token = (await local.ok(ACTIVATE, ARGS))["confirmation_token"]
    alice = "alice-token-7f3a9c1e5b2d4a6f"
    served = serving(http_tokens=f"alice:{alice}", confirm_key=key, sandbox=sandbox)
    async with served as (url, _), mcp_client(url, alice, mode=mode) as a:
        stolen = await a.call_tool("confirm_action", {"confirmation_token": token})
        assert stolen.is_error and "another client" in stolen.content[0].text
    assert [r for r in sandbox.vendor_requests("jivox", "POST") if r.path.endswith("/activate")] == []
