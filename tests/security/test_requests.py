"""An attacker's table for ids that walk the path (issue 10, class "ids that walk the path").

Every tool with an id that travels in a request path (derived from the operation records: its path
placeholders, plus every *_id / *_code / *_reference / *_idx parameter) is called through the public
MCP client with each hostile value; each must be refused as invalid arguments with nothing sent.
And no module builds a vendor path by hand: one request builder fills every template.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adops_mcp.sandbox.joveo import CAMP_ALWAYS_ON, GLOBEX
from adops_mcp.tools.index import vendors
from adops_mcp.vendorcall.operation import Wire
from adops_mcp.vendorcall.request import PLACEHOLDER, UnsafeId, build
from tests.harness import connect, error_text

HOSTILE = {
    "dot-dot": "..",
    "dot": ".",
    "empty": "",
    "encoded dot-dot": "%2e%2e",
    "walk": "a/../b",
    "slash": "a/b",
    "backslash": "a\\b",
    "query": "a?x=1",
    "fragment": "a#b",
    "zero-width": "ab\u200bc",
    "bidi override": "ab\u202ec",
    "control": "a\x00b",
    "newline": "a\nb",
    "tab": "a\tb",
    "space": "a b",
    "fullwidth dot-dot": "\uff0e\uff0e",
}
ID_NAME = re.compile(r"_(id|code|reference|idx)$")


def path_fields(op: Any) -> list[str]:
    """Params fields that fill a path: the record's placeholders by the wire rules, and every id parameter."""
    placeholders = set(PLACEHOLDER.findall(op.path or ""))
    names = []
    for name, info in op.params.model_fields.items():
        wire = next((m for m in info.metadata if isinstance(m, Wire)), None)
        wire_name = (wire.name if wire and wire.name else None) or info.serialization_alias or name
        if wire_name in placeholders or ID_NAME.search(name):
            names.append(name)
    return names


CASES = [
    (op.name, name) for vendor in vendors() for op in vendor.operations for name in path_fields(op) if name != "job_ids"
]


def test_the_table_covers_every_vendor() -> None:
    assert {name.split("_")[0] for name, _ in CASES} == {"jivox", "joveo", "merchenta", "delta"}
    assert len(CASES) > 80


STRINGS = ("a1", "https://example.com/a", "a@example.com", "UTC+1:00", "USD")
FORMATS = {"date": "2026-01-01", "date-time": "2026-01-01T00:00:00Z"}


def simplest(schema: dict[str, Any]) -> dict[str, Any]:
    """Small valid arguments for a tool: its required fields only, checked against the schema."""
    defs = schema.get("$defs", {})

    def value(s: dict[str, Any]) -> Any:
        if "$ref" in s:
            return value(defs[s["$ref"].rsplit("/", 1)[1]])
        if "enum" in s:
            return s["enum"][0]
        if "anyOf" in s:
            return value(next(b for b in s["anyOf"] if b.get("type") != "null"))
        kind = s.get("type")
        if kind == "object":
            return {name: value(s["properties"][name]) for name in s.get("required", [])}
        if kind == "array":
            return [value(s["items"])] * s.get("minItems", 0)
        if kind in ("integer", "number"):
            return max(s.get("minimum", 1), 1) if s.get("maximum", 1) >= 1 else s["maximum"]
        if kind == "boolean":
            return False
        if "format" in s:
            return FORMATS[s["format"]]
        return next(c for c in STRINGS if re.fullmatch(s.get("pattern", ".*"), c) and len(c) <= s.get("maxLength", 99))

    args = value(schema)
    jsonschema.validate(args, schema)
    return args


def field_schema_is_string(schema: dict[str, Any], name: str) -> bool:
    prop = schema["properties"][name]
    kinds = {prop.get("type")} | {s.get("type") for s in prop.get("anyOf", [])}
    return "string" in kinds


@pytest.fixture(scope="module")
def served() -> Any:
    from anyio.from_thread import start_blocking_portal

    with start_blocking_portal() as portal, portal.wrap_async_context_manager(connect()) as h:
        schemas = {t.name: t.input_schema for t in portal.call(h.client.list_tools).tools}
        yield portal, h, schemas


@pytest.mark.parametrize(("tool", "field"), CASES)
def test_hostile_ids_are_invalid_arguments_and_nothing_is_sent(served: Any, tool: str, field: str) -> None:
    portal, h, schemas = served
    schema = schemas[tool]
    if not field_schema_is_string(schema, field):
        pytest.skip(f"{tool}.{field} is not a string (an integer id cannot carry a path)")
    base = simplest(schema)
    for label, value in HOSTILE.items():
        args = {**base, field: value}
        before = len(h.sandbox.requests)
        result = portal.call(h.call, tool, args)
        text = error_text(result)
        assert result.is_error, f"{tool}({field}={value!r}) [{label}] was accepted"
        assert "Invalid arguments" in text or "validation error" in text, f"{tool} [{label}]: {text[:300]}"
        assert field in text, f"{tool} [{label}]: the error does not name {field}: {text[:300]}"
        assert len(h.sandbox.requests) == before, f"{tool}({field}={value!r}) [{label}] reached the vendor"


LIST_ID_NAME = re.compile(r"_(ids|references)$")
LIST_CASES = [
    (op.name, name)
    for vendor in vendors()
    for op in vendor.operations
    for name in op.params.model_fields
    if LIST_ID_NAME.search(name)
]


@pytest.mark.parametrize(("tool", "field"), LIST_CASES)
def test_hostile_ids_inside_id_lists_are_invalid_arguments(served: Any, tool: str, field: str) -> None:
    """Lists of ids (job references, campaign ids ...) hold ids like any other: each item has the id grammar."""
    portal, h, schemas = served
    base = simplest(schemas[tool])
    for label, value in HOSTILE.items():
        before = len(h.sandbox.requests)
        result = portal.call(h.call, tool, {**base, field: [value]})
        text = error_text(result)
        assert result.is_error and "Invalid arguments" in text and field in text, f"{tool} [{label}]: {text[:300]}"
        assert len(h.sandbox.requests) == before, f"{tool}({field}=[{value!r}]) [{label}] reached the vendor"


def test_the_list_table_covers_the_id_lists() -> None:
    assert {field for _, field in LIST_CASES} >= {"job_ids", "job_references", "campaign_ids", "jobgroup_ids"}


@pytest.mark.anyio
async def test_a_dot_dot_campaign_never_deletes_its_client() -> None:
    async with connect() as h:
        text = await h.error("joveo_delete_campaign", {"client_id": GLOBEX, "campaign_id": ".."})
        assert "Invalid arguments" in text and "campaign_id" in text
        assert h.writes("joveo") == 0 and h.requests("joveo") == []
        await h.ok("joveo_get_campaign", {"client_id": GLOBEX, "campaign_id": CAMP_ALWAYS_ON})


@pytest.mark.anyio
async def test_an_allowlist_compares_the_validated_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPS_JIVOX_ALLOWED_ACCOUNTS", "acme-retail*")
    async with connect() as h:
        for account in ("acme-retail/../other", "acme-retail%2f..%2fother", "acme-retail\u200b"):
            text = await h.error("jivox_get_retail_settings", {"account_id": account})
            assert "Invalid arguments" in text, text
        assert h.requests("jivox") == []


@pytest.mark.parametrize("value", list(HOSTILE.values()))
def test_the_builder_refuses_what_the_validators_refuse(value: str) -> None:
    with pytest.raises(UnsafeId):
        build("GET", "/v1/clients/{client_id}", {"client_id": value})


def test_the_builder_encodes_each_value_as_exactly_one_segment() -> None:
    request = build("DELETE", "/a/{x}/b/{y}", {"x": "caf\u00e9:1", "y": "A-1_b.c~d"})
    assert request.path == "/a/caf%C3%A9%3A1/b/A-1_b.c~d"
    with pytest.raises(UnsafeId):
        build("GET", "/a/{x}", {})
    with pytest.raises(UnsafeId):
        build("GET", "/a/{x}", {"x": "1", "y": "2"})


PACKAGE = Path(__file__).resolve().parents[2] / "adops_mcp"
BUILDER = {PACKAGE / "vendorcall" / "request.py", PACKAGE / "vendorcall" / "http.py"}
HAND_FILLED = {
    "a template filled with .replace": re.compile(r"\.replace\(\s*f?[\"']\{"),
    "an f-string vendor path": re.compile(r"\bf[\"']/[^\"'\n]*\{"),
    "a path filled with .format": re.compile(r"[\"']/[^\"'\n]*\{\w*\}[^\"'\n]*[\"']\s*\.format\("),
    "a percent-encoded segment built by hand": re.compile(r"(?<!shlex\.)\bquote\("),
    "a request sent around the builder": re.compile(r"(\bclient\.request|\.request\(\s*[\"'](GET|POST|PUT|DELETE))"),
}


def test_no_module_fills_a_vendor_path_by_hand() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in BUILDER or "sandbox" in path.parts:
            continue  # the builder itself; the sandbox is the vendor's side
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for what, pattern in HAND_FILLED.items():
                if pattern.search(line) and not (what.startswith("a percent") and path.name == "secrets.py"):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {what}: {line.strip()}")
    assert not found, "\n".join(found)
