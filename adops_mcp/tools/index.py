"""Every vendor operation, known without loading its vendor package.

Start-up lists tools, applies the operator's policy and registers resource twins from the summaries
in `index.json`; a vendor package (its models, plans and client) loads on the first call that needs
one of its operations. `tests/test_index.py` keeps `index.json` equal to the operation records.
"""

from __future__ import annotations

import functools
import importlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..vendorcall.operation import Operation, Summary
from .vendor import Vendor

VENDOR_NAMES = ("jivox", "joveo", "merchenta", "deltaprojects")
INDEX = Path(__file__).with_name("index.json")


@functools.cache
def summaries() -> dict[str, Summary]:
    """Tool name -> summary, for every vendor operation, in catalogue order."""
    return {entry["name"]: Summary(**entry) for entry in json.loads(INDEX.read_text(encoding="utf-8"))}


@functools.cache
def vendor(name: str) -> Vendor:
    """One vendor's package, loaded on first use."""
    loaded: Vendor = importlib.import_module(f"{__package__}.{name}").VENDOR
    return loaded


def vendors() -> tuple[Vendor, ...]:
    """Every vendor package, loaded (the catalogue, doctor and tests; not start-up)."""
    return tuple(vendor(name) for name in VENDOR_NAMES)


@functools.cache
def _operations(vendor_name: str) -> dict[str, Operation]:
    return {op.name: op for op in vendor(vendor_name).operations}


def operation(name: str) -> Operation:
    """The operation record itself; loads its vendor package. KeyError for an unknown name."""
    return _operations(summaries()[name].vendor)[name]


def index_entries() -> list[dict[str, Any]]:
    """What `index.json` holds, computed from the operation records."""
    return [asdict(op.summary) for v in vendors() for op in v.operations]
