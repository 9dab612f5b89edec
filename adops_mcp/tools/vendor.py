"""What each vendor package contributes: its settings, its operation table and its client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

import httpx2

from ..config import Settings, VendorSettings
from ..vendorcall.http import VendorClient
from ..vendorcall.observe import Observer
from ..vendorcall.operation import Operation
from ..vendorcall.reversal import Reversal


class ClientKwargs(TypedDict):
    """The VendorClient arguments every vendor passes through unchanged."""

    transport: httpx2.AsyncBaseTransport | None
    timeout: float
    max_concurrency: int
    read_attempts: int
    retry_wait: float
    max_response_bytes: int
    observer: Observer | None


@dataclass(frozen=True)
class ClientOptions:
    """Transport tuning shared by every vendor client."""

    transport: httpx2.AsyncBaseTransport | None
    timeout: float
    max_concurrency: int
    read_attempts: int
    retry_wait: float
    max_response_bytes: int = 2 * 1_048_576
    observer: Observer | None = None  # metrics and trace spans of every request (server/telemetry.py)

    @classmethod
    def from_settings(
        cls, settings: Settings, transport: httpx2.AsyncBaseTransport | None, observer: Observer | None = None
    ) -> ClientOptions:
        return cls(
            transport=transport,
            timeout=settings.timeout,
            max_concurrency=settings.max_concurrency,
            read_attempts=settings.read_attempts,
            retry_wait=settings.retry_wait,
            max_response_bytes=settings.max_response_bytes,
            observer=observer,
        )

    def kwargs(self) -> ClientKwargs:
        return {
            "transport": self.transport,
            "timeout": self.timeout,
            "max_concurrency": self.max_concurrency,
            "read_attempts": self.read_attempts,
            "retry_wait": self.retry_wait,
            "max_response_bytes": self.max_response_bytes,
            "observer": self.observer,
        }


@dataclass(frozen=True)
class Vendor:
    name: str  # jivox | joveo | merchenta | deltaprojects
    display: str
    operations: tuple[Operation, ...]
    make_client: Callable[[VendorSettings, ClientOptions], VendorClient]
    toolsets: tuple[str, ...]
    # The paths the vendor's document does not give, as in effect for an account: "METHOD template" (or a
    # template, for every method) -> the setting that changes it.
    guessed_paths: Callable[[VendorSettings], dict[str, str]] = lambda settings: {}
    # undo (adops_undo): per write, how it is taken back, or why it cannot be (the vendor's undo.py)
    reversals: dict[str, Reversal | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Each client learns the vendor's path templates, so errors and retry logs name the template, and
        which of them are guesses with a setting, so a 404 there names it."""
        make = self.make_client
        documented = {op.path for op in self.operations if op.path}

        def make_with_templates(settings: VendorSettings, options: ClientOptions) -> VendorClient:
            client = make(settings, options)
            found = documented | set(client.templates) | {str(p) for p in getattr(settings, "paths", {}).values()}
            # fewest placeholders first: /v1/reports/ip is itself, not /v1/reports/{report_id}
            client.templates = tuple(sorted(found, key=lambda t: (t.count("{"), -len(t))))
            client.path_settings = self.guessed_paths(settings)
            return client

        object.__setattr__(self, "make_client", make_with_templates)
