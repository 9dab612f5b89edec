"""Result shapes shared by every tool."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class WriteResult(BaseModel):
    """What every write or destructive tool returns (failures are `is_error` results instead)."""

    status: Literal["done", "unchanged", "confirmation_required", "declined", "pending_approval"]
    message: str
    plan: str | None = None
    confirmation_token: str | None = None
    result: Any = Field(default=None, description="The vendor's answer, trimmed.")
    audit_id: int | None = None
    account: str | None = None
