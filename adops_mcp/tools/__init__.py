"""Vendor operation tables. Each vendor subpackage exposes `VENDOR`."""

from __future__ import annotations

from .jivox import VENDOR as JIVOX
from .vendor import ClientOptions, Vendor

VENDORS: tuple[Vendor, ...] = (JIVOX,)

__all__ = ["VENDORS", "ClientOptions", "Vendor"]
