"""`adops-mcp doctor` and `doctor --probe` in the set-ups a new user meets, against the document stand-in:
a 401/403 never confirms a path, a refuted token path leaves the reads unchecked (not "a write's path"),
every line names its setting, a host that is down is tried once, and a half-configured vendor is named."""

from __future__ import annotations

import logging
import re
from typing import Any

import anyio
import httpx2
import pytest

from adops_mcp import doctor
from adops_mcp.config import load_settings
from adops_mcp.probe import probe

from .standin import AGENCY, DELTA_CLIENT, ENV, Answer, StandIn

JIVOX = "demo.stub.api.jivox.com"
JOVEO = "api.joveo.com"
DELTA = "delta.invalid"
ACCOUNTS = Answer(body={"accounts": [{"accountId": "acme-retail", "name": "Acme"}], "next": "", "previous": ""})
CAMPAIGNS = {
    "campaigns": [
        {"retailCampaignIdx": 5373, "retailCampaignName": "Spring Sale", "status": "NEW"},
        {"retailCampaignIdx": 5374, "retailCampaignName": "Summer", "status": "ACTIVE"},
    ],
    "count": 2,
}


def standin() -> StandIn:
    """The documents' samples, plus the Jivox account list (a public page's J2) the probe starts from."""
    vendor = StandIn()
    vendor.answer(JIVOX, "GET", "/v2/accounts", ACCOUNTS)
    vendor.answer(JIVOX, "GET", "/v2/accounts/[^/]+/retail-settings", Answer(body={"approvers": []}))
    return vendor


def run_probe(monkeypatch: pytest.MonkeyPatch, vendor: httpx2.AsyncBaseTransport, **env: str) -> tuple[bool, list[str]]:
    for name, value in {**ENV, **env}.items():
        monkeypatch.setenv(name, value)
    for name in [n for n, v in env.items() if v == ""]:
        monkeypatch.delenv(name)
    return anyio.run(probe, load_settings(retry_wait=0.0), vendor)


def lines_of(lines: list[str], subject: str) -> list[str]:
    return [line for line in lines if re.match(rf"\w+\s+{re.escape(subject)}\s", line)]


def test_every_probe_line_names_the_setting_that_changes_it(monkeypatch) -> None:
    ok, lines = run_probe(monkeypatch, standin())
    assert ok, "\n".join(lines)
    *facts, summary = lines
    assert re.fullmatch(r"\d+ confirmed, 0 refuted, \d+ unknown", summary)
    for line in facts:
        assert "ADOPS_" in line or "no setting" in line, line
    assert len(lines) < 45, "facts that share a reason print as one line"
    joveo = lines_of(lines, "joveo/default")
    assert any(line.startswith("confirmed") and "ADOPS_JOVEO_PATH_LIST_CLIENTS" in line for line in joveo)
    # the document's lists are empty: the reads with ids are one line, not one per path
    grouped = [line for line in joveo if "the list reads found no id" in line]
    assert len(grouped) == 1 and "get_campaign" in grouped[0]


def test_a_403_on_a_guessed_read_leaves_it_unknown_never_confirmed(monkeypatch) -> None:
    vendor = standin()
    vendor.answer(JOVEO, "GET", r"/v1/.*", Answer(403, {"message": "Forbidden"}))
    ok, lines = run_probe(monkeypatch, vendor)
    joveo = lines_of(lines, "joveo/default")
    assert not any(line.startswith("confirmed") and "ADOPS_JOVEO_PATH_" in line for line in joveo), joveo
    assert any("authentication failed (HTTP 403), path not checked" in line for line in joveo)
    token_format = next(line for line in joveo if "ADOPS_JOVEO_TOKEN_FORMAT" in line)
    assert token_format.startswith("unknown") and "either way" in token_format
    assert ok  # nothing refuted


class BearerOnly(StandIn):
    """A Joveo that takes the access token only as "Bearer <token>"."""

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        bearer = request.headers.get("x-authorization-key", "").startswith("Bearer ")
        if request.url.host == JOVEO and request.method == "GET" and not bearer:
            return httpx2.Response(403, json={"message": "Forbidden"})
        return super()._handle(request)


def test_the_token_format_is_probed_and_a_wrong_one_refuted(monkeypatch) -> None:
    vendor = BearerOnly()
    vendor.answer(JIVOX, "GET", "/v2/accounts", ACCOUNTS)
    ok, lines = run_probe(monkeypatch, vendor)
    joveo = lines_of(lines, "joveo/default")
    line = next(line for line in joveo if "ADOPS_JOVEO_TOKEN_FORMAT" in line)
    assert line.startswith("refuted") and "ADOPS_JOVEO_TOKEN_FORMAT=bearer" in line and not ok
    # the reads after it use the form that works
    assert any(line.startswith("confirmed") and "ADOPS_JOVEO_PATH_LIST_CAMPAIGNS" not in line for line in joveo)
    ok, lines = run_probe(monkeypatch, vendor, ADOPS_JOVEO_TOKEN_FORMAT="bearer")
    line = next(line for line in lines_of(lines, "joveo/default") if "ADOPS_JOVEO_TOKEN_FORMAT" in line)
    assert line.startswith("confirmed")


def test_a_refuted_token_path_leaves_the_reads_unchecked_not_called_writes(monkeypatch) -> None:
    ok, lines = run_probe(monkeypatch, standin(), ADOPS_JOVEO_TOKEN_PATH="/v1/oauth/token")
    joveo = lines_of(lines, "joveo/default")
    assert not ok and any(line.startswith("refuted") and "ADOPS_JOVEO_TOKEN_PATH" in line for line in joveo)
    host = next(line for line in joveo if "API host" in line)
    assert "answered" in host and "not checkable" not in host and "ADOPS_JOVEO_BASE_URL" in host
    unchecked = next(line for line in joveo if "no access token (the token path was refuted)" in line)
    assert "list_clients" in unchecked and "get_campaign" in unchecked
    writes = next(line for line in joveo if "a write's path" in line)
    assert "list_clients" not in writes and "create_client" in writes


def test_a_host_that_is_down_is_tried_once_without_retry_lines(monkeypatch, caplog) -> None:
    tried: list[str] = []

    def refuse(request: httpx2.Request) -> httpx2.Response:
        tried.append(f"{request.method} {request.url.host}{request.url.path}")
        raise httpx2.ConnectError("[Errno 111] Connection refused")

    with caplog.at_level(logging.DEBUG):
        ok, lines = run_probe(monkeypatch, httpx2.MockTransport(refuse))
    assert ok  # nothing refuted: nothing could be checked
    assert len(tried) == len(set(tried)), tried  # no request was repeated
    assert not [r for r in caplog.records if "retry" in r.getMessage().lower()]
    assert not any("stamina" in line for line in lines)
    joveo = lines_of(lines, "joveo/default")
    assert any("could not be reached" in line and "ADOPS_JOVEO_BASE_URL" in line for line in joveo)
    assert any("the host could not be reached" in line for line in joveo)


def test_jivox_list_filters_are_probed(monkeypatch) -> None:
    vendor = standin()
    # a Jivox that ignores the filters: the same two campaigns whatever is asked
    vendor.answer(JIVOX, "GET", r"/v2/accounts/[^/]+/retail-campaigns", Answer(body=CAMPAIGNS))
    ok, lines = run_probe(monkeypatch, vendor)
    jivox = lines_of(lines, "jivox/default")
    status = next(line for line in jivox if "status(eq)" in line)
    assert status.startswith("refuted") and "no setting" in status and not ok


def test_delta_client_paths_are_probed(monkeypatch) -> None:
    vendor = standin()
    vendor.answer(
        DELTA, "GET", rf"/api/v1/media_agency/{AGENCY}/client", Answer(body=[{"id": DELTA_CLIENT, "name": "C"}])
    )
    vendor.answer(DELTA, "GET", rf"/api/v1/media_agency/{AGENCY}/client/[^/]+", Answer(404, {"message": "no"}))
    vendor.answer(DELTA, "GET", r"/api/v1/client/[^/]+", Answer(body={"id": DELTA_CLIENT, "name": "C"}))
    ok, lines = run_probe(monkeypatch, vendor)
    delta = lines_of(lines, "deltaprojects/default")
    assert any(line.startswith("refuted") and "ADOPS_DELTA_CLIENT_PATH]" in line for line in delta), delta
    assert any(line.startswith("confirmed") and "ADOPS_DELTA_CLIENT_FALLBACK_PATH" in line for line in delta)
    assert not ok


# ------------------------------------------------------------------------------ doctor


def run_doctor(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], vendor: Any = None) -> tuple[bool, list[str]]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return anyio.run(doctor.run, load_settings(retry_wait=0.0), vendor or standin())


def test_doctor_names_the_missing_variable_of_a_half_configured_vendor(monkeypatch) -> None:
    ok, lines = run_doctor(monkeypatch, {"ADOPS_JIVOX_BASE_URL": "https://acme.api.jivox.com"})
    text = "\n".join(lines)
    assert not ok and "ADOPS_JIVOX_API_KEY" in text and "ADOPS_JIVOX_BASE_URL" in text


def test_doctor_says_the_delta_media_agency_is_missing(monkeypatch) -> None:
    env = {k: v for k, v in ENV.items() if k.startswith("ADOPS_DELTA") and k != "ADOPS_DELTA_MEDIA_AGENCY_ID"}
    ok, lines = run_doctor(monkeypatch, env)
    line = next(line for line in lines if "deltaprojects/default" in line)
    assert not ok and line.startswith("FAIL") and "ADOPS_DELTA_MEDIA_AGENCY_ID" in line
    assert "reachable (HTTP 404)" not in line


def test_doctor_tries_a_host_that_is_down_once(monkeypatch) -> None:
    tried: list[str] = []

    def refuse(request: httpx2.Request) -> httpx2.Response:
        tried.append(request.url.path)
        raise httpx2.ConnectError("[Errno 111] Connection refused")

    ok, lines = run_doctor(monkeypatch, dict(ENV), httpx2.MockTransport(refuse))
    assert not ok and len(tried) == 4, tried  # one try per vendor
    assert all("could not be reached" in line for line in lines if line.startswith("FAIL"))


def test_the_facts_table_shows_only_the_configured_vendors(monkeypatch) -> None:
    monkeypatch.setenv("ADOPS_JOVEO_API_KEY", "k")
    monkeypatch.setenv("ADOPS_JOVEO_CLIENT_ID", "c")
    table = doctor.facts_table(load_settings())
    assert any("ADOPS_JOVEO_TOKEN_FORMAT" in line for line in table)
    assert not any(line.startswith(("jivox", "merchenta", "deltaprojects")) for line in table)


def test_probe_names_the_missing_variable_of_a_half_configured_vendor(monkeypatch) -> None:
    monkeypatch.setenv("ADOPS_DELTA_BASE_URL", "https://delta.invalid")
    ok, lines = anyio.run(probe, load_settings(retry_wait=0.0), standin())
    assert not ok and any("ADOPS_DELTA_API_KEY" in line and "ADOPS_DELTA_BASE_URL" in line for line in lines), lines


def test_rejected_credentials_leave_every_fact_unknown_not_confirmed(monkeypatch) -> None:
    vendor = standin()
    vendor.answer(JIVOX, "GET", "/v2/accounts", Answer(401, {"message": "bad key"}))
    vendor.answer(JOVEO, "POST", "/v1/access-token", Answer(401, {"message": "bad key"}))
    ok, lines = run_probe(monkeypatch, vendor)
    for subject in ("jivox/default", "joveo/default"):
        mine = lines_of(lines, subject)
        assert mine and not any(line.startswith(("confirmed", "refuted")) for line in mine), mine
        assert any("authentication failed" in line for line in mine)
    assert ok
