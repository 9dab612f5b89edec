"""Suites that need something outside Python: they skip where it is missing, and say so at the end.

A skip through `skip_suite` is counted by tests/conftest.py, which prints after the run which suites
skipped, why, and how to enable them. With ADOPS_FULL_SUITE=1 (CI sets it) such a skip fails the run.
"""

from __future__ import annotations

from typing import NoReturn

import pytest

# suite -> how to enable it
SUITES = {
    "browser": "install Debian's Chromium at /usr/bin/chromium (apt-get install chromium); .ci/run does",
    "postgresql": "install PostgreSQL's server binaries (apt-get install postgresql); .ci/run does",
}
MARK = "[{suite} suite] "


def skip_suite(suite: str, why: str) -> NoReturn:
    assert suite in SUITES, suite
    pytest.skip(MARK.format(suite=suite) + why)


def suite_of(reason: str) -> str | None:
    """The suite a skip reason names, if it is a suite skip."""
    for suite in SUITES:
        if MARK.format(suite=suite) in reason:
            return suite
    return None
