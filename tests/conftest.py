import os

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test sees the developer's ADOPS_* settings or writes to their data directory."""
    for name in list(os.environ):
        if name.startswith("ADOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ADOPS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture(params=["auto", "legacy"])
def mode(request) -> str:
    """Both protocol eras: 2026-07-28 (auto) and 2025-11-25 (legacy)."""
    return request.param
