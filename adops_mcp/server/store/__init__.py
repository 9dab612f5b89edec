"""Durable, shareable state: the audit log, used confirmation tokens and out-of-band approvals (see base.py)."""

from .base import NOT_SENT, Store, StoreUnavailable
from .opening import open_store, store_at
from .postgres import PostgresStore, redact_url
from .records import ADDED_COLUMNS, Approval, AuditRecord, PendingAction, profile_of
from .sqlite import SqliteStore

__all__ = [
    "ADDED_COLUMNS",
    "NOT_SENT",
    "Approval",
    "AuditRecord",
    "PendingAction",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "StoreUnavailable",
    "open_store",
    "profile_of",
    "redact_url",
    "store_at",
]
