"""Vendor operation tables. Each vendor subpackage exposes `VENDOR`."""

from __future__ import annotations

from .deltaprojects import VENDOR as DELTA
from .jivox import VENDOR as JIVOX
from .joveo import VENDOR as JOVEO
from .merchenta import VENDOR as MERCHENTA
from .vendor import ClientOptions, Vendor

VENDORS: tuple[Vendor, ...] = (JIVOX, JOVEO, MERCHENTA, DELTA)

__all__ = ["VENDORS", "ClientOptions", "Vendor"]
