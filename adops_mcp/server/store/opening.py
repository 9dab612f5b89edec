"""Opening the store a setting or a target names: PostgreSQL for a postgresql:// URL, else SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import Store
from .postgres import PostgresStore
from .sqlite import SqliteStore

if TYPE_CHECKING:
    from ...config import Settings


def store_at(target: str | Path, **options: Any) -> Store:
    """The store at a path (SQLite) or a postgresql:// URL."""
    if str(target).startswith(("postgresql://", "postgres://")):
        return PostgresStore(str(target), **options)
    return SqliteStore(Path(target), **options)


def open_store(settings: Settings) -> Store:
    """The configured store: PostgreSQL when ADOPS_DATABASE_URL says so, else SQLite in the data dir."""
    stale_after, timeout, pool_size = settings.timeout * 2 + 60, settings.store_timeout, settings.store_pool_size
    url = settings.database_url.get_secret_value() if settings.database_url is not None else None
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("ADOPS_DATABASE_URL must be a postgresql:// URL")
        return PostgresStore(url, stale_after=stale_after, timeout=timeout, pool_size=pool_size)
    return SqliteStore(
        settings.data_dir / "adops.sqlite3", stale_after=stale_after, timeout=timeout, pool_size=pool_size
    )
