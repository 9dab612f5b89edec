"""The vendor facts table (adops_mcp/facts.py): its docs page, its settings, and `doctor --probe`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from adops_mcp.cli import main
from adops_mcp.config import load_settings
from adops_mcp.facts import DOC, FACTS, markdown
from adops_mcp.probe import probe
from adops_mcp.sandbox import Sandbox, use_sandbox
from adops_mcp.tools.joveo.operations import OPERATIONS

from .standin import Answer

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]
CLIENT = "7baeb0b8-ae6f-4jed-b80f-az8z86a917d4"


def test_docs_page_is_generated_from_the_table_and_linked_from_the_readme() -> None:
    assert DOC.read_text() == markdown(), "regenerate with: python -m adops_mcp.facts"
    configuration = ROOT.joinpath("README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert "docs/vendor-facts.md" in configuration and "doctor --probe" in configuration


def test_every_guessed_path_has_a_setting() -> None:
    settings = {f.setting for f in FACTS}
    first: dict[tuple[str | None, str], str] = {}
    for op in OPERATIONS:  # operations sharing a method and path share the first one's setting
        if op.path:
            name = first.setdefault((op.method, op.path), op.name)
            assert f"ADOPS_JOVEO_PATH_{name.removeprefix('joveo_').upper()}" in settings, op.name
    for name in (
        "ADOPS_JOVEO_BASE_URL",
        "ADOPS_JOVEO_TOKEN_PATH",
        "ADOPS_JOVEO_TASK_ID_HEADER",
        "ADOPS_JOVEO_PAGE_BASE",
        "ADOPS_JOVEO_JOBS_PAGE_BASE",
        "ADOPS_JOVEO_CLIENT_DATE_FORMAT",
        "ADOPS_MERCHENTA_LOCK_PATH",
        "ADOPS_JIVOX_RETAIL_SETTINGS_PATH",
        "ADOPS_JIVOX_ACTIVATION_STATUS_PATH",
    ):
        assert name in settings
    assert {f.source for f in FACTS} <= {"document", "public page", "guess"}


async def test_a_path_setting_moves_the_call_and_the_plan_reads(docs) -> None:
    env = {
        "ADOPS_JOVEO_PATH_LIST_CLIENTS": "/v2/clients",
        "ADOPS_JOVEO_PATH_GET_CAMPAIGN": "/v2/c/{client_id}/k/{campaign_id}",
    }
    async with docs(**env) as (h, vendor):
        vendor.answer("api.joveo.com", "GET", "/v2/clients", Answer(body={"data": [{"id": "c1"}]}))
        page = await h.ok("joveo_list_clients", {})
        assert page["items"] == [{"id": "c1"}] and vendor.last("api.joveo.com", "GET").path == "/v2/clients"
        await h.call("joveo_pause_campaign", {"client_id": CLIENT, "campaign_id": "k9"})
        assert any(s.path == f"/v2/c/{CLIENT}/k/k9" for s in vendor.requests("api.joveo.com", "GET"))
    async with docs(ADOPS_JOVEO_PATH_GET_CAMPAIGN="/v2/campaigns/{campaign_id}") as (h, vendor):
        text = await h.error("joveo_get_campaign", {"client_id": CLIENT, "campaign_id": "k9"})
        assert "ADOPS_JOVEO_PATH_GET_CAMPAIGN" in text and "placeholders" in text


def _sandbox_probe(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[bool, list[str], Sandbox]:
    import anyio

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(sandbox=True, retry_wait=0.0)
    box, transport = use_sandbox(settings, Sandbox())
    ok, lines = anyio.run(probe, settings, transport)
    return ok, lines, box


def test_probe_confirms_the_sandbox_with_safe_reads_only(monkeypatch) -> None:
    ok, lines, box = _sandbox_probe(monkeypatch)
    assert ok, "\n".join(line for line in lines if line.startswith("refuted"))
    assert any(re.match(r"confirmed\s+joveo/default\s+path of joveo_list_clients", line) for line in lines)
    assert any(re.match(r"confirmed\s+jivox/default\s+path of the retail settings", line) for line in lines)
    assert any(re.match(r"unknown\s+merchenta/default\s+path that locks", line) for line in lines)
    for vendor in ("jivox", "joveo", "merchenta", "deltaprojects"):
        writes = [r for r in box.vendor_requests(vendor) if r.method != "GET"]
        assert all(r.path.endswith("/access-token") for r in writes), writes  # only the credential exchange


def test_probe_refutes_deliberately_wrong_settings(monkeypatch) -> None:
    ok, lines, _ = _sandbox_probe(
        monkeypatch,
        ADOPS_JOVEO_PATH_LIST_CAMPAIGNS="/v1/clients/{client_id}/kampagnen",
        ADOPS_JIVOX_RETAIL_SETTINGS_PATH="/v2/accounts/{accountId}/settings-of-retail",
    )
    assert not ok
    refuted = [line for line in lines if line.startswith("refuted")]
    assert len(refuted) == 2, refuted
    assert any("ADOPS_JOVEO_PATH_LIST_CAMPAIGNS to the path your vendor gave you" in line for line in refuted)
    assert any("ADOPS_JIVOX_RETAIL_SETTINGS_PATH to the path your vendor gave you" in line for line in refuted)


def test_probe_refutes_a_wrong_token_path(monkeypatch) -> None:
    ok, lines, _ = _sandbox_probe(monkeypatch, ADOPS_JOVEO_TOKEN_PATH="/v1/token")
    assert not ok
    assert any(line.startswith("refuted") and "ADOPS_JOVEO_TOKEN_PATH" in line for line in lines)


def test_doctor_cli_prints_the_table_and_probe_exit_codes(monkeypatch) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["doctor", "--sandbox"])
    assert "ADOPS_JOVEO_PATH_LIST_CLIENTS" not in result.output and "doctor --facts" in result.output
    result = runner.invoke(main, ["doctor", "--sandbox", "--facts"])
    assert "ADOPS_JOVEO_PATH_LIST_CLIENTS" in result.output and "guess" in result.output
    assert "ADOPS_JOVEO_CLIENT_DATE_FORMAT" in result.output and "mm/dd/yyyy" in result.output
    result = runner.invoke(main, ["doctor", "--sandbox", "--probe"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("ADOPS_JOVEO_PATH_LIST_FEEDS", "/v1/clients/{client_id}/xml-feeds")
    result = runner.invoke(main, ["doctor", "--sandbox", "--probe"])
    assert result.exit_code == 1 and "ADOPS_JOVEO_PATH_LIST_FEEDS" in result.output


def test_every_guess_a_client_makes_is_a_fact_with_its_setting(monkeypatch) -> None:
    """The paths a 404 calls guesses (Vendor.guessed_paths) are the facts table's, setting for setting, and every
    setting the table names is one the configuration reads (or the table says "no setting")."""
    from adops_mcp.config import VENDOR_SETTINGS
    from adops_mcp.facts import NO_SETTING
    from adops_mcp.tools.index import vendors

    by_setting = {f.setting: f for f in FACTS}
    for vendor in vendors():
        settings = next(cls for cls in VENDOR_SETTINGS if cls.vendor == vendor.name)()
        for key, setting in vendor.guessed_paths(settings).items():
            fact = by_setting[setting]
            assert fact.source == "guess" and key.split(" ")[-1] == fact.default.split(" ")[-1], (key, setting)
    for fact in FACTS:
        if fact.setting == NO_SETTING or fact.setting.startswith("ADOPS_JOVEO_PATH_"):
            continue
        cls = next(cls for cls in VENDOR_SETTINGS if cls.vendor == fact.vendor)
        prefix = cls.model_config.get("env_prefix", "")
        assert fact.setting.removeprefix(prefix).lower() in cls.model_fields, fact.setting
    assert {f.name for f in FACTS if f.setting == NO_SETTING} >= {
        "stats aggregation level values (V49)",
        "key of the funnel's additional details object (V57)",
        "retail campaign list filter status(eq)<STATUS>",
    }
