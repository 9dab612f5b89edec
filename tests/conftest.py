import os

import pytest

from tests.suites import SUITES, suite_of


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
# Suites skipped for want of something outside Python (tests/suites.py): suite -> (count, first reason).
_SKIPPED_SUITES: dict[str, tuple[int, str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    _FILE_SECONDS[path] = _FILE_SECONDS.get(path, 0.0) + report.duration
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2])
        if suite := suite_of(reason):
            count, first = _SKIPPED_SUITES.get(suite, (0, reason))
            _SKIPPED_SUITES[suite] = (count + 1, first)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """ADOPS_FULL_SUITE=1 (CI): a suite that skipped fails the run, so nothing is skipped unseen."""
    if _SKIPPED_SUITES and os.environ.get("ADOPS_FULL_SUITE") == "1" and not os.environ.get("PYTEST_XDIST_WORKER"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if _SKIPPED_SUITES:
        terminalreporter.section("suites skipped (the full suite needs them)", yellow=True)
        for suite, (count, reason) in sorted(_SKIPPED_SUITES.items()):
            why = reason.split("] ", 1)[-1]
            terminalreporter.write_line(f"{suite}: {count} tests skipped: {why}")
            terminalreporter.write_line(f"    to run them: {SUITES[suite]}")
        if os.environ.get("ADOPS_FULL_SUITE") == "1":
            terminalreporter.write_line("ADOPS_FULL_SUITE=1: a skipped suite fails the run", red=True)
    if not _FILE_SECONDS:
        return
    terminalreporter.section("seconds per test file (summed over workers)")
    for path, seconds in sorted(_FILE_SECONDS.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{seconds:8.1f}  {path}")
