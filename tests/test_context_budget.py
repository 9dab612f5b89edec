"""The context budget (issue 7): what the model must read before it can do anything.

Counted as in bench/context.py: o200k tokens of the tool list (name + description + inputSchema,
compact JSON), sandbox mode with all four vendors configured.
"""

from __future__ import annotations

import pytest

from bench.common import tool_list_tokens
from bench.context import DEFAULT_BUDGET, PER_TOOL_BUDGET, listed_tools

pytestmark = pytest.mark.anyio


async def test_default_surface_fits_the_budget() -> None:
    tools = await listed_tools(None)
    tokens = tool_list_tokens(tools)
    assert tokens <= DEFAULT_BUDGET, (
        f"default tool list is {tokens} o200k tokens over {len(tools)} tools (budget {DEFAULT_BUDGET}): "
        "move everyday-irrelevant tools out of the default surface (Operation.default=False) or tighten descriptions"
    )


async def test_full_catalogue_averages_at_most_200_tokens_per_tool() -> None:
    tools = await listed_tools("all")
    tokens = tool_list_tokens(tools)
    worst = sorted(((tool_list_tokens([t]), t["name"]) for t in tools), reverse=True)[:5]
    assert tokens / len(tools) <= PER_TOOL_BUDGET, f"{tokens / len(tools):.0f} tokens per tool; largest: {worst}"


def test_token_counter_is_o200k() -> None:
    from bench.common import count_tokens

    assert count_tokens("hello world") == 2
    assert count_tokens("<|endoftext|>") > 1  # special tokens count as text, never raise
