"""Answers that read well to a model (issue 23): compact JSON text, bad ids in words, adops_call_tool without
arguments, an unknown resource URI answered with the resources that exist."""

from __future__ import annotations

import json

import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import TextContent

from tests.harness import connect

pytestmark = pytest.mark.anyio


async def test_results_are_compact_json_text() -> None:
    async with connect(toolsets=None) as h:
        result = await h.call("delta_list_clients", {})
        assert not result.is_error
        (block,) = result.content
        assert isinstance(block, TextContent)
        assert "\n" not in block.text and '": ' not in block.text and '", "' not in block.text
        assert json.loads(block.text) == result.structured_content
        resource = await h.client.read_resource("jivox://accounts")
        text = resource.contents[0].text  # type: ignore[union-attr]
        assert "\n" not in text and json.loads(text)


async def test_a_malformed_id_is_refused_in_words_not_as_a_regular_expression() -> None:
    async with connect(toolsets=None) as h:
        direct = await h.error("delta_get_activity", {"client_id": "c 1/../x", "activity_id": "a-1"})
        assert "client_id: must be letters, digits, '_' or '-', starting with a letter or a digit; 1-64 characters" in (
            direct
        )
        assert '(got "c 1/../x")' in direct and "[A-Za-z" not in direct and "nothing was sent" in direct
        via = await h.error("adops_call_tool", {"name": "joveo_get_client", "arguments": {"client_id": "c 123"}})
        assert "client_id: must be letters, digits, '_', '.', ':', '~' or '-'; 1-128 characters" in via
        assert "\\w" not in via
        assert h.requests("deltaprojects") == [] and h.requests("joveo") == []


async def test_call_tool_without_arguments_answers_about_the_tool() -> None:
    async with connect(toolsets=None) as h:
        unknown = await h.error("adops_call_tool", {"name": "joveo_pause_everything"})
        assert unknown.startswith("No tool named 'joveo_pause_everything'")
        needs = await h.error("adops_call_tool", {"name": "joveo_pause_client"})
        assert needs.startswith("joveo_pause_client needs arguments (client_id), so nothing was sent.")
        schema = json.loads(needs.split("input_schema: ", 1)[1])
        assert schema["required"] == ["client_id"] and "client_id" in schema["properties"]
        templates = await h.ok("adops_call_tool", {"name": "delta_list_activity_templates"})
        assert templates["items"]  # no required arguments: it simply runs
        assert h.writes("joveo") == 0


async def test_an_unknown_resource_is_answered_with_the_resources_that_exist() -> None:
    async with connect(toolsets=None) as h:
        with pytest.raises(MCPError) as unknown:
            await h.client.read_resource("jivox://nothing/here")
        text = str(unknown.value)
        assert text.startswith("Unknown resource: jivox://nothing/here. The resources here: ")
        assert "jivox://accounts/{account_id}/retail-campaigns/{retail_campaign_idx}/approval-status" in text
        assert "adops://audit/{audit_id}" in text
