"""The lock CI installs from (requirements/dev.txt) pins every direct dependency, within pyproject's ranges.

A dependency added to pyproject without refreshing the lock fails here (README, "Development", says how).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pinned() -> dict[str, str]:
    text = (ROOT / "requirements" / "dev.txt").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, flags=re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


def direct() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return [r for r in map(Requirement, lines) if canonicalize_name(r.name) != "adops-mcp"]


def test_every_direct_dependency_is_locked_within_its_range() -> None:
    pins = pinned()
    problems = []
    for requirement in direct():
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name}: not in the lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside {requirement.specifier}")
    assert not problems, "refresh requirements/dev.txt (README, Development): " + "; ".join(problems)


def test_the_lock_carries_hashes() -> None:
    text = (ROOT / "requirements" / "dev.txt").read_text()
    pins = pinned()
    assert len(pins) > 40
    assert text.count("--hash=sha256:") >= len(pins)
