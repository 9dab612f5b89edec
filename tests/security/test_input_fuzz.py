"""Input fuzzing from every tool's inputSchema (hypothesis-jsonschema), toolsets=all, sandbox mode.

Valid inputs: no unhandled exception (a vendor refusal is a clear is_error, never the SDK's generic
crash line). Invalid inputs (jsonschema says so): a clear is_error, and nothing reaches any vendor.
"""

from __future__ import annotations

import os
from typing import Any

import anyio
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from adops_mcp.catalogue import catalogue
from tests.security.conftest import server_on_portal

NAMES = sorted(e["name"] for e in catalogue())
EXAMPLES = int(os.environ.get("ADOPS_FUZZ_EXAMPLES", "5"))  # per tool and test; CI time grows linearly
CRASH = "Error executing tool"


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    os.environ["ADOPS_DATA_DIR"] = str(tmp_path_factory.mktemp("fuzz-data"))
    with server_on_portal(read_attempts=1) as (portal, h):
        for vendor in h.built.runtime.settings.vendors.values():
            if hasattr(vendor, "poll_interval"):
                vendor.poll_interval = 0.02  # the waiting tools poll fast here
        schemas = {t.name: quick(t.input_schema) for t in portal.call(h.client.list_tools).tools}
        yield portal, h, schemas


def quick(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with waiting bounded to a second, so a valid "wait up to 300 s" stays fast."""
    props = {
        name: ({**prop, "maximum": 1} if "wait" in name and "maximum" in prop else prop)
        for name, prop in schema.get("properties", {}).items()
    }
    return {**schema, "properties": props}


def wrong_value(prop: dict[str, Any]) -> Any:
    """A value no lax coercion turns into something valid for this property."""
    kinds = {prop.get("type")} | {s.get("type") for s in prop.get("anyOf", []) if isinstance(s, dict)}
    if kinds & {"integer", "number"}:
        return "not-a-number"
    if "boolean" in kinds:
        return {"yes": "please"}
    if "array" in kinds:
        return 3.5
    return [{"unexpected": True}]


@st.composite
def invalid(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    valid = draw(from_schema(schema))
    props = schema.get("properties", {})
    how = draw(st.sampled_from(["unknown_key", "wrong_type", "missing", "random"]))
    if how == "wrong_type" and props:
        name = draw(st.sampled_from(sorted(props)))
        return {**valid, name: wrong_value(props[name])}
    if how == "missing" and schema.get("required"):
        name = draw(st.sampled_from(schema["required"]))
        return {k: v for k, v in valid.items() if k != name}
    if how == "random":
        return draw(
            st.dictionaries(st.text(max_size=12), st.one_of(st.none(), st.integers(), st.text(max_size=20)), max_size=4)
        )
    return {**valid, "zz_not_a_parameter": draw(st.integers())}


def crashed(text: str) -> bool:
    """The SDK's bare line for an exception the tool did not turn into a ToolError (a ToolError's
    message follows the same prefix after a colon)."""
    return text.strip().startswith(CRASH) and ":" not in text


def served(fuzz_server: Any, name: str) -> dict[str, Any]:
    if name not in fuzz_server[2]:
        pytest.skip(f"{name} is catalogued but not served with toolsets=all in sandbox mode")
    return fuzz_server[2][name]


def run(fuzz_server: Any, name: str, args: dict[str, Any]) -> tuple[Any, int]:
    portal, h, _ = fuzz_server
    before = len(h.sandbox.requests)

    async def bounded() -> Any:
        with anyio.fail_after(60):
            return await h.call(name, args)

    result = portal.call(bounded)
    return result, len(h.sandbox.requests) - before


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@pytest.mark.parametrize("name", NAMES)
@FUZZ
@given(data=st.data())
def test_invalid_input_is_refused_before_any_vendor_call(fuzz_server: Any, name: str, data: st.DataObject) -> None:
    schema = served(fuzz_server, name)
    args = data.draw(invalid(schema))
    closed = {"additionalProperties": False} | schema  # the server refuses unknown arguments by design
    if jsonschema.Draft202012Validator(closed).is_valid(args):
        return  # the mutation happened to stay valid (e.g. a missing optional field)
    result, sent = run(fuzz_server, name, args)
    text = " ".join(getattr(c, "text", "") for c in result.content)
    assert result.is_error, f"{name}{args} was accepted: {text[:300]}"
    assert "validation error" in text or "Invalid arguments" in text, f"{name}{args}: unclear error: {text[:300]}"
    assert sent == 0, f"{name}{args} is invalid but {sent} request(s) reached the vendor"


@pytest.mark.parametrize("name", NAMES)
@FUZZ
@given(data=st.data())
def test_valid_input_never_crashes(fuzz_server: Any, name: str, data: st.DataObject) -> None:
    schema = served(fuzz_server, name)
    args = data.draw(from_schema(schema))
    result, _ = run(fuzz_server, name, args)
    text = " ".join(getattr(c, "text", "") for c in result.content)
    assert not crashed(text), f"{name}{args} crashed: {text[:300]}"
    if result.is_error:
        assert text.strip(), f"{name}{args}: an error without a message"
