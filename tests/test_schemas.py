"""One schema snapshot per tool (input and output), in tests/schemas/<tool>.json.

A changed schema changes what models see and send: review the diff, then refresh with
`python -m pytest tests/test_schemas.py --inline-snapshot=fix` (or `=create` for new tools).
"""

from __future__ import annotations

import anyio
import pytest
from inline_snapshot import external_file

from tests.harness import connect


def served_tools() -> dict[str, dict]:
    async def collect() -> dict[str, dict]:
        async with connect() as h:
            return {
                t.name: {"inputSchema": t.input_schema, "outputSchema": t.output_schema}
                for t in (await h.client.list_tools()).tools
            }

    import os
    import tempfile

    os.environ.setdefault("ADOPS_DATA_DIR", tempfile.mkdtemp())
    return anyio.run(collect)


TOOLS = served_tools()


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_schema_snapshot(name: str) -> None:
    assert TOOLS[name] == external_file(f"schemas/{name}.json", format=".json")
