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


# Each test file's time (setup + call + teardown of its tests, summed; with -n, across workers),
# printed after the run so slow files show up: the README's test command must stay fast.
_FILE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    _FILE_SECONDS[path] = _FILE_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _FILE_SECONDS or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    terminalreporter.section("seconds per test file (summed over workers)")
    for path, seconds in sorted(_FILE_SECONDS.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{seconds:8.1f}  {path}")
