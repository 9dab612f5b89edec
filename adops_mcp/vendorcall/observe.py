"""What a vendor client reports about each HTTP request it sends, to whoever watches (server/telemetry.py:
metrics and trace spans). A protocol, so the vendor-call layer never imports the server."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass
class Exchange:
    """One HTTP request as an observer sees it: the path template, never a query, a body or a header."""

    vendor: str
    method: str
    template: str
    attempt: int
    status: int | None = None  # set once the vendor answered


class Observer(Protocol):
    """Watches every HTTP request a client sends (metrics and trace spans: server/telemetry.py)."""

    def exchange(self, exchange: Exchange) -> AbstractContextManager[None]: ...
