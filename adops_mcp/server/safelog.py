"""A stderr log handler that cannot fail, for servers that may run out of file descriptors.

The SDK's default handler (rich) imports modules the first time it renders a line; when descriptors
are exhausted that import fails inside the event loop's exception handler and the process exits. This
handler formats with the standard library only (everything it needs is imported at start), drops a line
it cannot write instead of raising, and is installed before the SDK would install its own.
"""

from __future__ import annotations

import logging
import sys
import traceback  # noqa: F401 - formatting a traceback needs it; imported now, not while descriptors run out

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SafeHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record to stderr; a record that cannot be formatted or written is dropped silently."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def install(level: str) -> None:
    """Give the root logger the safe handler (when it has none yet): the SDK's own setup then adds nothing."""
    root = logging.getLogger()
    if not root.handlers:
        handler = SafeHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
