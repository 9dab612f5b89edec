"""What undo and the console read of a write (before -> after, its change set, what it undoes) reaches
databases made by an earlier version on both backends: the columns are added on open, old rows read back
without them, and the audit filters find a set's records and the writes that undid one."""

from __future__ import annotations

from pathlib import Path

import pytest

from adops_mcp.server.store import store_at
from tests.console.test_console_store import old_database

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_before_after_change_set_and_undoes_on_an_older_database(backend: str, tmp_path: Path) -> None:
    store = store_at(old_database(backend, tmp_path))
    try:
        (old,) = await store.audit()
        assert (old.changes, old.change_set, old.undoes) == (None, None, None)
        assert "change_set" not in old.public() and "undoes" not in old.public()

        changes = [{"what": "status", "before": "A", "after": "P"}]
        common = {"vendor": "joveo", "account": "joveo:default:y", "method": "POST", "path": "/p", "confirmed_by": "t"}
        paused = await store.record_intent(
            tool="joveo_pause_jobgroup",
            arguments={"jobgroup_id": "g1"},
            changes=changes,
            change_set="cs-0123abcd",
            **common,
        )
        back = [{"what": "status", "before": "P", "after": "A"}]
        enabled = await store.record_intent(
            tool="joveo_enable_jobgroup", arguments={"jobgroup_id": "g1"}, changes=back, undoes=paused, **common
        )
        (record,) = await store.audit(change_set="cs-0123abcd")
        assert record.id == paused and record.changes == changes
        assert record.public()["changes"] == ["status: A -> P"] and record.public()["change_set"] == "cs-0123abcd"
        (undo,) = await store.audit(undoes=paused)
        assert undo.id == enabled and undo.public()["undoes"] == paused
    finally:
        store.close()
