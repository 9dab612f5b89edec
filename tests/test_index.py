"""`adops_mcp/tools/index.json` is what start-up knows of every vendor operation without loading its
vendor package (listing, policy, resource twins): it must equal the operation records.

Refresh after changing an operation: `python -m pytest tests/test_index.py --inline-snapshot=fix`.
"""

from __future__ import annotations

from inline_snapshot import external_file

from adops_mcp.tools import index
from adops_mcp.tools.index import index_entries


def test_index_is_what_the_operation_records_say() -> None:
    assert index_entries() == external_file("../adops_mcp/tools/index.json", format=".json")


def test_the_index_knows_every_vendor_package() -> None:
    packages = {p.parent.name for p in index.INDEX.parent.glob("*/operations.py")}
    assert set(index.VENDOR_NAMES) == packages
