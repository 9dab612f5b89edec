"""The real server, in process, against the document stand-in (standin.py), through the MCP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from adops_mcp.config import load_settings
from adops_mcp.server.app import build_server
from tests.harness import Harness

from .standin import ENV, StandIn

Connect = Callable[..., AbstractAsyncContextManager[tuple[Harness, StandIn]]]


@pytest.fixture
def docs(monkeypatch: pytest.MonkeyPatch) -> Connect:
    """`async with docs(**env) as (h, vendor)`: every vendor configured against the stand-in."""

    @asynccontextmanager
    async def connect(elicitation: Any = None, **env: str) -> AsyncIterator[tuple[Harness, StandIn]]:
        for name, value in {**ENV, **env}.items():
            monkeypatch.setenv(name, value)
        vendor = StandIn()
        built = build_server(load_settings(toolsets="all", retry_wait=0.0), transport=vendor)
        async with Client(built.server, elicitation_callback=elicitation) as client:  # type: ignore[arg-type]
            yield Harness(client, built), vendor

    return connect
