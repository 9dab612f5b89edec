"""Account allowlists on every account-selecting value of every tool (issue 29 item 3), from the catalogue.

Each operation's params are searched for fields that select an account (by name, at any depth): each must
be declared (`Selects`). Then, through the public client with an allowlist on every vendor, every such
field of every tool is given another account's id: the call is refused and nothing reaches the vendor
(the sandbox counts requests); the same call with an allowed id passes the allowlist. Open objects that
name a client, Delta's media agency, config-file profiles and case-sensitive prefixes are covered too.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel, ValidationError

from adops_mcp.sandbox.joveo import GLOBEX, INITECH
from adops_mcp.tools.index import vendors
from adops_mcp.vendorcall.operation import Selects
from tests.harness import answer, connect

pytestmark = pytest.mark.anyio

ALLOWLISTS = {f"ADOPS_{v}_ALLOWED_ACCOUNTS": "ACME*" for v in ("JIVOX", "JOVEO", "DELTA", "MERCHENTA")}
REFUSED = "is not one this server may use"
# Field names (or wire names) that select an account in any vendor's params.
ACCOUNTY = re.compile(r"^(client_?id|account_?id|campaign_?code|creative_?code|media_?agency_?id)$", re.I)


def marks(model: type[BaseModel]) -> dict[str, Selects]:
    return {n: m for n, info in model.model_fields.items() for m in info.metadata if isinstance(m, Selects)}


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation holds, and every model nested in their fields (lists of objects too)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation, *(m for info in annotation.model_fields.values() for m in models_in(info.annotation))]
    return [m for arg in get_args(annotation) for m in models_in(arg)]


def operations() -> dict[str, Any]:
    return {op.name: op for vendor in vendors() for op in vendor.operations}


def test_every_account_selecting_field_is_declared() -> None:
    checked = 0
    for op in operations().values():
        for model in models_in(op.params):
            for name, info in model.model_fields.items():
                if ACCOUNTY.match(name) or ACCOUNTY.match(info.serialization_alias or ""):
                    assert name in marks(model), (op.name, model.__name__, name)
                    checked += 1
    assert checked > 60  # the catalogue is searched, not an empty list


def with_accounts(op: Any, args: dict[str, Any], account: str, only: str | None = None) -> dict[str, Any]:
    """`args` with the account-selecting fields (all, or `only`) naming `account` (its creatives: account-1)."""
    out = dict(args)
    for name, mark in marks(op.params).items():
        if mark.setting is None and (only is None or name == only):
            out[name] = f"{account}-1" if mark.prefixed else account
    return out


def valid(op: Any, args: dict[str, Any]) -> bool:
    try:
        op.params.model_validate(with_accounts(op, args, "ACME"))
    except ValidationError:
        return False
    return True


STRINGS = ["ACME", "x", "https://example.org/x", "a@b.co", "UTC+01:00", "USD", "GLX-1"]


def sample(name: str, prop: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A simple value the JSON schema accepts (starts before stops)."""
    if "$ref" in prop:
        return sample(name, defs[prop["$ref"].split("/")[-1]], defs)
    if "anyOf" in prop:
        return sample(name, next(p for p in prop["anyOf"] if p.get("type") != "null"), defs)
    if "enum" in prop:
        return prop["enum"][0]
    late = bool(re.search("stop|end", name))
    kind, pattern = prop.get("type"), prop.get("pattern")
    if kind == "string" and prop.get("format") == "date-time":
        return "2030-02-01T00:00:00Z" if late else "2030-01-01T00:00:00Z"
    if kind == "string" and prop.get("format") == "date":
        return str(date.today() - timedelta(days=0 if late else 1))
    if kind == "string":
        return next((c for c in STRINGS if not pattern or re.search(pattern, c)), "x")
    if kind in ("integer", "number"):
        low = max(prop.get("minimum", 1), 1)
        return min(low, prop.get("maximum", low))
    if kind == "boolean":
        return False
    if kind == "array":
        return [sample(name, prop.get("items", {}), defs)] * max(prop.get("minItems", 1), 1)
    if kind == "object":
        return {k: sample(k, prop["properties"][k], defs) for k in prop.get("required", [])}
    return "x"


def minimal_arguments(op: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """Simple valid arguments of a tool from its inputSchema (required fields, else one optional one too),
    with the allowed account."""
    defs, props = schema.get("$defs", {}), schema.get("properties", {})
    args = {k: sample(k, props[k], defs) for k in schema.get("required", [])}
    candidates = [args] + [{**args, k: sample(k, v, defs)} for k, v in props.items() if k not in args]
    found = next(c for c in candidates if valid(op, c))
    return with_accounts(op, {k: v for k, v in found.items() if k != "profile"}, "ACME")


def text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


async def test_every_account_field_of_every_tool_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ALLOWLISTS.items():
        monkeypatch.setenv(name, value)
    async with connect(read_attempts=1) as h:
        schemas = {t.name: t.input_schema for t in (await h.client.list_tools()).tools}
        scoped = {n: op for n, op in operations().items() if any(m.setting is None for m in marks(op.params).values())}
        assert "merchenta_diagnose_campaign" in scoped and len(scoped) > 60
        for name, op in sorted(scoped.items()):
            allowed = minimal_arguments(op, schemas[name])
            result = await h.call(name, allowed)
            assert REFUSED not in text(result), (name, allowed, text(result))
            for field, mark in marks(op.params).items():
                if mark.setting is not None:
                    continue
                other = with_accounts(op, allowed, "OTHER", only=field)
                if not valid(op, {**other, field: allowed[field]}) or not _validates(op, other):
                    other = with_accounts(op, allowed, "OTHER")  # fields tied together (a creative and its campaign)
                before = len(h.sandbox.vendor_requests(op.vendor))
                result = await h.call(name, other)
                assert result.is_error and REFUSED in text(result), (name, field, other, text(result))
                assert len(h.sandbox.vendor_requests(op.vendor)) == before, (name, field)


def _validates(op: Any, args: dict[str, Any]) -> bool:
    try:
        op.params.model_validate(args)
    except ValidationError:
        return False
    return True


async def test_account_keys_inside_open_objects_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JOVEO_ALLOWED_ACCOUNTS", GLOBEX)
    async with connect(elicitation=answer("accept")) as h:
        for tool, args in (
            ("joveo_apply_job_rules", {"client_id": GLOBEX, "name": "r", "job_filter": {"clientId": INITECH}}),
            ("joveo_submit_stats_report", {"client_id": GLOBEX, "filters": {"clientIds": [INITECH]}}),
            ("joveo_generate_ip_report", {"client_id": GLOBEX, "filter_by": {"client_id": INITECH}}),
        ):
            assert REFUSED in await h.error(tool, args), tool
        assert h.requests("joveo") == []


async def test_a_rule_may_only_name_a_campaign_of_its_client() -> None:
    from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, CAMP_NURSES

    async with connect(elicitation=answer("accept")) as h:
        args = {"client_id": GLOBEX, "name": "r", "campaign_id": CAMP_NURSES}  # Initech's campaign
        text_ = await h.error("joveo_apply_job_rules", args)
        assert "is not one of client" in text_ and h.writes("joveo", "/rules") == 0
        done = await h.ok("joveo_apply_job_rules", {**args, "campaign_id": CAMP_ALWAYS_ON})
        assert done["status"] == "done"


async def test_delta_media_agency_must_be_the_configured_one() -> None:
    async with connect() as h:
        configured = h.built.runtime.settings.vendors["deltaprojects"].media_agency_id
        for name, op in operations().items():
            if "media_agency_id" not in op.params.model_fields:
                continue
            schemas = {t.name: t.input_schema for t in (await h.client.list_tools()).tools}
            args = {**minimal_arguments(op, schemas[name]), "media_agency_id": "other-agency"}
            before = len(h.sandbox.vendor_requests("deltaprojects"))
            assert "not the one this server is configured for" in await h.error(name, args), name
            assert len(h.sandbox.vendor_requests("deltaprojects")) == before
        assert configured


async def test_prefix_allowlists_are_case_sensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    args = {"account_id": "acme-retail"}
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "ACME-R*")
    async with connect() as h:
        assert REFUSED in await h.error("jivox_list_retail_campaigns", args) and not h.requests("jivox")
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "ACME-RETAIL")
    async with connect() as h:
        assert REFUSED in await h.error("jivox_list_retail_campaigns", args) and not h.requests("jivox")
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "acme-r*")
    async with connect() as h:
        await h.ok("jivox_list_retail_campaigns", args)


async def test_no_read_before_the_allowlist_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pause of a job group that is already paused answers "already so" from a read: that read must not
    happen for an account the server may not use (the policy check comes first)."""
    from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, JG_OWNER_OPS

    monkeypatch.setenv("ADOPS_JOVEO_ALLOWED_ACCOUNTS", INITECH)
    args = {"client_id": GLOBEX, "campaign_id": CAMP_ALWAYS_ON, "jobgroup_id": JG_OWNER_OPS}
    for elicitation in (None, answer("accept")):
        async with connect(elicitation=elicitation) as h:
            assert REFUSED in await h.error("joveo_pause_jobgroup", args)
            assert h.requests("joveo") == []


async def test_the_environment_allowlist_binds_config_file_profiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_profiles import ARGS, two_accounts

    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "acme-retail")
    async with two_accounts(tmp_path, monkeypatch) as (h, boxes):
        for profile in ("acme", "globex"):
            text_ = await h.error("jivox_list_retail_campaigns", {"account_id": ARGS["account_id"], "profile": profile})
            assert REFUSED in text_ and "ADOPS_JIVOX_ALLOWED_ACCOUNTS" in text_
        assert not boxes["acme"].vendor_requests("jivox") and not boxes["globex"].vendor_requests("jivox")
        await h.ok("jivox_list_retail_campaigns", {"account_id": "acme-retail", "profile": "globex"})


def test_a_profile_list_and_the_environment_list_must_both_allow() -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    from adops_mcp.config import JivoxSettings
    from adops_mcp.server.policy import check_account

    op = operations()["jivox_list_retail_campaigns"]
    account = JivoxSettings(api_key="k", profile="p", allowed_accounts="acme-*")
    account.bind_operator_allowlist("acme-retail,globex")
    check_account(op, op.params.model_validate({"account_id": "acme-retail"}), account)
    for other, where in (("globex", "allowed_accounts of profile p"), ("acme-other", "ADOPS_JIVOX_ALLOWED_ACCOUNTS")):
        with pytest.raises(ToolError, match=where):
            check_account(op, op.params.model_validate({"account_id": other}), account)


async def test_a_creative_is_allowed_under_its_campaign_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_MERCHENTA_ALLOWED_ACCOUNTS", "SANDBOX1-SUMMER")
    async with connect() as h:
        result = await h.call("merchenta_get_creative_status", {"creative_code": "SANDBOX1-SUMMER-1"})
        assert REFUSED not in text(result)
        # SANDBOX1-SUMMER-PENDING-1 belongs to campaign SANDBOX1-SUMMER-PENDING, not to SANDBOX1-SUMMER
        text_ = await h.error("merchenta_get_creative_status", {"creative_code": "SANDBOX1-SUMMER-PENDING-1"})
        assert REFUSED in text_
