"""The safety core under mutation testing (issue 18): each test here kills named mutants that the
rest of the suite let live (scripts/mutation.py lists them). Behaviour through the MCP client where
the public surface reaches the code; through the runtime where the code is defence in depth."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import SecretStr

from adops_mcp.config import load_settings
from adops_mcp.sandbox.deltaprojects import ACT_LIVE, CLIENT_SE
from adops_mcp.server import policy
from adops_mcp.vendorcall import sanitize, secrets
from adops_mcp.vendorcall.operation import SpendChange
from tests.harness import answer, connect
from tests.security.conftest import captured_logs

pytestmark = pytest.mark.anyio

ACTIVATE = "jivox_activate_retail_campaign"
ARGS = {"account_id": "northwind-grocers", "retail_campaign_idx": 7101}
OTHER = {"account_id": "northwind-grocers", "retail_campaign_idx": 7104}
LIST = ("jivox_list_retail_campaigns", {"account_id": "acme-retail", "limit": 2})
ROOT = Path(__file__).resolve().parents[2]
CANARY = "cnry+Key/7@x:y=z%41 w0rd"  # + / @ : = % and a space: every encoding differs from the raw form


# ---- policy --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allowlist", "why"),
    [
        ("acme-retai", "an exact entry is not a prefix"),
        ("globex,acme-retailZ*", "a prefix entry is matched in full"),
        ("acme-retail-evil", "an exact entry is not matched by its own prefix"),
    ],
)
async def test_allowlist_is_exact_or_a_full_prefix(allowlist: str, why: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", allowlist)
    async with connect() as h:
        assert "not one this server may use" in await h.error(*LIST), why
        assert not h.requests("jivox")


async def test_allowlist_exact_and_prefix_entries_allow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "acme-retail,globex-*")
    async with connect() as h:
        await h.ok(*LIST)
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "acme-r*")
    async with connect() as h:
        await h.ok(*LIST)


def update(budget: float) -> dict[str, Any]:
    return {"client_id": CLIENT_SE, "activity_id": ACT_LIVE, "budget": budget}


@pytest.mark.parametrize(
    ("caps", "budget", "allowed"),
    [
        ({"max_budget": 200000}, 200000, True),  # at the cap
        ({"max_budget": 200000}, 200001, False),  # one above
        ({"max_budget": 200000}, 199999, True),  # one below
        ({"max_budget_increase": 50000}, 200000, True),  # 150000 -> 200000: exactly the increase cap
        ({"max_budget_increase": 50000}, 200001, False),
        ({"max_budget_increase": 50000}, 199999, True),
    ],
)
async def test_spend_cap_boundaries(caps: dict[str, float], budget: float, allowed: bool) -> None:
    async with connect(elicitation=answer("accept", True), **caps) as h:
        if allowed:
            assert (await h.ok("delta_update_activity", update(budget)))["status"] == "done"
        else:
            assert "Refused by the operator's spend cap" in await h.error("delta_update_activity", update(budget))
            assert not [r for r in h.requests("deltaprojects") if r.method != "GET"]


async def test_unknown_old_budget_counts_in_full_against_the_increase_cap() -> None:
    new = {
        "client_id": CLIENT_SE,
        "template_id": "tpl-plain",
        "activity_name": "Autumn Push",
        "flight_start": "2030-01-01T00:00:00Z",
        "flight_stop": "2030-02-01T00:00:00Z",
        "order_id": "PO-77",
        "budget": 5000,
    }
    from adops_mcp.sandbox.deltaprojects import TEMPLATE_PLAIN

    new["template_id"] = TEMPLATE_PLAIN
    async with connect(max_budget_increase=1000) as h:
        text = await h.error("delta_create_activity", new)
        assert "rise from nothing to 5000" in text
        assert not [r for r in h.requests("deltaprojects") if r.method != "GET"]


def test_every_one_of_several_spend_changes_is_checked() -> None:
    settings = load_settings(sandbox=True, max_budget=1000, max_budget_increase=100)
    fine = [SpendChange("daily", 900.0, 850.0), SpendChange("monthly", 1000.0, 950.0)]
    policy.check_spend(fine, settings)
    for late in (SpendChange("total", 1001.0, 1000.0), SpendChange("weekly", 400.0, 250.0)):
        with pytest.raises(ToolError, match=late.what):
            policy.check_spend([*fine, late], settings)


async def test_excluded_tool_is_gone_even_when_its_toolset_is_chosen() -> None:
    async with connect(toolsets=None, exclude_tools=LIST[0]) as h:
        names = {t.name for t in (await h.client.list_tools()).tools}
        assert LIST[0] not in names and "adops_call_tool" in names
        assert LIST[0] not in h.built.runtime.operations
        assert "cannot run here" in await h.error("adops_call_tool", {"name": LIST[0], "arguments": LIST[1]})
        assert not h.requests("jivox")


# ---- registry: defence in depth inside the runtime -------------------------------------------------


async def test_runtime_refuses_writes_when_read_only_and_unknown_tools() -> None:
    """The listing hides them; the runtime refuses them too (any future path to execute stays safe)."""
    from adops_mcp.tools.index import operation

    activate = operation(ACTIVATE)
    async with connect(read_only=True, toolsets=None) as h:
        runtime = h.built.runtime
        call = runtime.call(activate, ARGS, None)
        with pytest.raises(ToolError, match="read-only"):
            await runtime.execute(call, confirmed_by="test")
        assert "cannot run here" in await h.error("adops_call_tool", {"name": ACTIVATE, "arguments": ARGS})
    async with connect(exclude_tools=ACTIVATE) as h:
        runtime = h.built.runtime
        with pytest.raises(ToolError, match="not enabled"):
            await runtime.execute(runtime.call(activate, ARGS, None), confirmed_by="test")
        assert h.writes("jivox") == 0


def custom_write(outcome: Any) -> Any:
    from adops_mcp.tools.index import operation

    activate = operation(ACTIVATE)

    async def run(call: Any) -> Any:
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return replace(activate, run=run, method=None, path=None)


async def test_write_result_is_cleaned() -> None:
    async with connect() as h:
        runtime = h.built.runtime
        op = custom_write({"name\u202e": f"Summer\u200b Sale\u202e SYSTEM {CANARY}", "blob": "x" * 100_000})
        secrets.register(CANARY)
        result = await runtime.execute(runtime.call(op, ARGS, None), confirmed_by="test")
        assert result.result["blob"] == "x" * (sanitize.MAX_TEXT - 1) + "…"
        assert result.result["name"].startswith("Summer Sale SYSTEM") and CANARY not in str(result.result)


@pytest.mark.parametrize("failure", [RuntimeError("handler bug"), KeyboardInterrupt()])
async def test_crash_or_cancellation_leaves_no_intent_without_outcome(failure: BaseException) -> None:
    async with connect() as h:
        runtime = h.built.runtime
        op = custom_write(failure)
        with pytest.raises(type(failure)):
            await runtime.execute(runtime.call(op, ARGS, None), confirmed_by="test")
        record = (await runtime.store.audit(limit=1))[0]
        assert record.status == "unknown" and record.finished_at is not None
        assert record.detail == type(failure).__name__


async def test_confirm_action_refuses_a_token_for_an_unguarded_tool() -> None:
    async with connect() as h:
        runtime = h.built.runtime
        account = runtime.settings.vendors["jivox"].account_key
        token = runtime.tokens.issue(LIST[0], LIST[1], account, "stdio")
        assert "does not offer" in await h.error("confirm_action", {"confirmation_token": token})
        assert not h.requests("jivox")


async def test_confirm_action_refuses_a_token_for_other_credentials_of_the_same_profile() -> None:
    async with connect() as h:
        token = (await h.ok(ACTIVATE, ARGS))["confirmation_token"]
        settings = h.built.runtime.settings
        rotated = settings.vendors["jivox"].model_copy(update={"api_key": SecretStr("another-jivox-account-key")})
        rotated.bind_install_key(h.built.runtime.tokens.key)
        assert rotated.profile == settings.vendors["jivox"].profile
        settings.vendors["jivox"] = rotated
        assert "another vendor account" in await h.error("confirm_action", {"confirmation_token": token})
        assert h.writes("jivox") == 0


async def test_spend_refused_at_confirmation_burns_neither_token_nor_approval(isolated_env: Any) -> None:
    key = "caps-key-Rb7Nt2Qx5Lm9Ds3Fh8JwPe6Ty"
    async with connect(confirm_key=key) as uncapped:
        token = (await uncapped.ok("delta_update_activity", update(900000)))["confirmation_token"]
        sandbox = uncapped.sandbox
    async with connect(confirm_key=key, max_budget=500000, sandbox=sandbox) as capped:
        assert "ADOPS_MAX_BUDGET" in await capped.error("confirm_action", {"confirmation_token": token})
    async with connect(confirm_key=key, sandbox=sandbox) as again:  # the operator lifts the cap: still valid
        assert (await again.ok("confirm_action", {"confirmation_token": token}))["status"] == "done"

    from adops_mcp.server import approvals

    async with connect(confirm_key=key, confirm_mode="out-of-band", sandbox=sandbox) as oob:
        first = await oob.ok("delta_update_activity", update(800000))
        ident = first["message"].split("approval id ")[1].split(",")[0]
        await approvals.decide(oob.built.runtime.store, key, ident, True, "alice")
    async with connect(confirm_key=key, confirm_mode="out-of-band", max_budget=500000, sandbox=sandbox) as capped:
        assert "ADOPS_MAX_BUDGET" in await capped.error(
            "confirm_action", {"confirmation_token": first["confirmation_token"]}
        )
        assert (await capped.built.runtime.store.pending(ident)).status == "approved"


async def test_approved_action_must_match_the_token() -> None:
    async with connect(confirm_mode="out-of-band") as h:
        runtime = h.built.runtime
        first = await h.ok(ACTIVATE, ARGS)
        ident = first["message"].split("approval id ")[1].split(",")[0]
        from adops_mcp.server import approvals

        await approvals.decide(runtime.store, runtime.tokens.key, ident, True, "alice")
        account = runtime.settings.vendors["jivox"].account_key
        for arguments in (OTHER, {**ARGS, "account_id": "acme-retail"}):
            token = runtime.tokens.issue(ACTIVATE, arguments, account, "stdio", pending=ident)
            assert "names no pending approval" in await h.error("confirm_action", {"confirmation_token": token})
        assert h.writes("jivox") == 0


# ---- guard ---------------------------------------------------------------------------------------


async def test_key_file_mode_and_database_files_are_private(isolated_env: Any) -> None:
    import os

    old = os.umask(0o022)
    try:
        async with connect() as h:
            await h.ok(*LIST)
    finally:
        os.umask(old)
    data = isolated_env / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [p for p in data.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"confirm.key", "adops.sqlite3"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


# ---- secrets -------------------------------------------------------------------------------------


def test_credential_query_parameters_are_redacted_even_when_unregistered() -> None:
    url = "GET https://api.example/v1/x?apikey=unreg-api-123&Password=unreg-pw-456&username=unreg-user-789&page=2"
    scrubbed = secrets.scrub(url)
    for value in ("unreg-api-123", "unreg-pw-456", "unreg-user-789"):
        assert value not in scrubbed
    assert "page=2" in scrubbed and scrubbed.count(secrets.REDACTED) == 3


def test_log_lines_without_arguments_and_exception_text_are_scrubbed() -> None:
    secrets.register(CANARY)
    secrets.install_log_filter()
    child = logging.getLogger("adops_mcp.test.child")
    late = logging.Handler()  # a handler added to a child logger after start-up, like uvicorn's
    seen: list[str] = []
    late.emit = lambda record: seen.append(late.format(record))  # type: ignore[method-assign]
    late.setFormatter(logging.Formatter("%(message)s"))
    child.addHandler(late)
    try:
        with captured_logs() as root:
            child.warning(f"answer had {CANARY} in it")  # no arguments
            child.warning("answer had %s in it", CANARY)
            try:
                raise ValueError(f"vendor said {CANARY}")
            except ValueError:
                child.exception("call failed")
    finally:
        child.removeHandler(late)
    text = "\n".join(seen + root.lines)
    assert len(seen) == 3 and "call failed" in text and "ValueError" in text
    assert CANARY not in text and "%41" not in text.replace("%4141", "")
    assert text.count(secrets.REDACTED) >= 3


# ---- sanitize ------------------------------------------------------------------------------------


def test_private_use_unassigned_and_format_characters_are_removed() -> None:
    unassigned = next(chr(c) for c in range(0x0370, 0x0400) if unicodedata.category(chr(c)) == "Cn")
    hostile = f"Sale\ue000\U000f0001{unassigned}\u202e\u200b\x07 2026"
    assert sanitize.clean_text(hostile) == "Sale 2026"
    assert sanitize.clean_text("Ünïcødé 日本語 عربى\tok\n") == "Ünïcødé 日本語 عربى\tok\n"


def test_a_megabyte_vendor_string_is_bounded() -> None:
    cleaned = sanitize.clean_text("v" * 1_000_000)
    assert len(cleaned) == sanitize.MAX_TEXT and cleaned.endswith("…")
    assert sanitize.clean_text("w" * sanitize.MAX_TEXT) == "w" * sanitize.MAX_TEXT


def test_dict_keys_are_cleaned() -> None:
    from pydantic import BaseModel

    class Model(BaseModel):
        extra: dict[str, Any]

    hostile = {"ok\u202eSYSTEM\ue000": {"inner\u200b" + "abcdefghij" * 50: 1}}
    for cleaned in (sanitize.clean(hostile), sanitize.clean_model(Model(extra=hostile)).extra):
        (outer,) = cleaned
        (inner,) = cleaned[outer]
        assert outer == "okSYSTEM" and inner.startswith("innerabcdefghij") and len(inner) <= 200


def test_signing_key_of_a_fresh_install_is_scrubbed(isolated_env: Any) -> None:
    import gc

    from adops_mcp.server.guard import Tokens, load_key
    from adops_mcp.server.store import open_store

    store = open_store(load_settings())
    key = load_key(None, isolated_env / "fresh")
    tokens = Tokens(key, store, 60)
    assert key not in secrets.scrub(f"signed with {key}")
    configured = "configured-Vg4Kp8Tz1Yc6Mn3Bs9HqUi2"
    assert load_key(configured, isolated_env / "other") == configured
    other = Tokens(configured, store, 60)
    assert configured not in secrets.scrub(configured)
    del tokens, other  # a signer that is gone takes its key out of the scrub list: it stays bounded
    gc.collect()
    assert secrets.scrub(f"signed with {key}") == f"signed with {key}"


def test_a_token_cache_scrubs_its_current_and_previous_token_only() -> None:
    from adops_mcp.vendorcall.http import TokenCache

    minted = iter(f"access-token-number-{n}-" + "q" * 20 for n in range(4))

    async def fetch() -> tuple[str, float]:
        return next(minted), 0.0  # expired at once: every get() mints the next one

    async def check() -> None:
        cache = TokenCache(fetch=fetch)
        tokens = [await cache.get() for _ in range(4)]
        assert cache.mints == 4
        scrubbed = [secrets.scrub(f"Bearer {token}") for token in tokens]
        assert scrubbed[:2] == [f"Bearer {token}" for token in tokens[:2]]  # long expired: no longer scrubbed
        assert scrubbed[2:] == [f"Bearer {secrets.REDACTED}"] * 2  # the current one and the one before

    anyio.run(check)


def test_a_token_issued_again_on_refresh_keeps_the_one_before_scrubbed() -> None:
    from adops_mcp.vendorcall.http import TokenCache

    first, second = ("reissued-token-first-" + "r" * 20), ("reissued-token-second-" + "r" * 20)
    minted = iter([first, second, second, second])  # many token endpoints hand out the same token until it expires

    async def fetch() -> tuple[str, float]:
        return next(minted), 0.0  # expired at once: every get() fetches again

    async def check() -> None:
        cache = TokenCache(fetch=fetch)
        assert [await cache.get() for _ in range(4)] == [first, second, second, second]
        # The same token registered again is not a rotation: the one before it (maybe still in flight) stays.
        assert (
            secrets.scrub(f"Bearer {first} / Bearer {second}")
            == f"Bearer {secrets.REDACTED} / Bearer {secrets.REDACTED}"
        )

    anyio.run(check)


def test_scrubbing_before_any_credential_is_registered() -> None:
    # A fresh process (e.g. before settings load): nothing to scrub by value, credential parameters still go.
    code = (
        "from adops_mcp.vendorcall import secrets\n"
        "print(secrets.scrub('GET https://api.example/x?apikey=k-123&page=2 failed'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"GET https://api.example/x?apikey={secrets.REDACTED}&page=2 failed\n"


# ---- the request builder: ids are refused as arguments, before anything is read ------------------------


@pytest.mark.parametrize("hostile", ["..", "acme-retail/../other", "a\u200bb"])
async def test_a_path_id_is_an_invalid_argument_before_anything_is_read(hostile: str) -> None:
    async with connect() as h:
        text = await h.error(LIST[0], {**LIST[1], "account_id": hostile})
        assert "Invalid arguments" in text and "not a valid id" in text
        assert h.requests("jivox") == []
