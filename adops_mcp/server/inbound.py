"""Messages refused cheaply, before any model is built or validated, with a JSON-RPC error, never silence.

- `shape_problem`: arguments too deep, with too many keys and items, or too large are refused before
  pydantic sees them (60,000 unknown keys cost pydantic most of a second to list as errors). Over stdio
  and HTTP alike: `AdopsServer.call_tool` and `get_prompt` call it first.
- `Answering`: over stdio the SDK drops a line it cannot parse (JSON nested past the parser's depth
  limit, or no JSON at all) without a word, so the client waits forever. This wrapper of the stdio read
  stream answers it with a JSON-RPC error carrying the request's id where one can be found.
"""

from __future__ import annotations

import json
import re
from types import TracebackType
from typing import Any

import anyio
from mcp.shared.message import SessionMessage
from mcp_types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import ValidationError

MAX_DEPTH = 32  # nesting of objects and lists; the deepest real argument (a change set) uses about 8
MAX_ITEMS = 10_000  # keys and list items, counted over the whole argument object
MAX_CHARS = 4 * 1_048_576  # characters of every key and string together


def shape_problem(arguments: Any) -> str | None:
    """Why `arguments` is too large to look at, or None. One pass that stops at the first limit crossed."""
    items = chars = 0
    pending: list[tuple[Any, int]] = [(arguments, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            chars += len(value)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            return f"the arguments are nested more than {MAX_DEPTH} levels deep"
        items += len(value)
        if items > MAX_ITEMS:
            return f"the arguments hold more than {MAX_ITEMS:,} keys and list items"
        if isinstance(value, dict):
            chars += sum(len(k) for k in value if isinstance(k, str))
            pending.extend((child, depth + 1) for child in value.values())
        else:
            pending.extend((child, depth + 1) for child in value)
        if chars > MAX_CHARS:
            break
    if chars > MAX_CHARS:
        return f"the arguments hold more than {MAX_CHARS // 1_048_576} MiB of text"
    return None


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')


def request_id(text: str) -> int | str | None:
    """The top-level "id" of a JSON-RPC message that could not be parsed whole (e.g. nested too deeply)."""
    depth = 0
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark in "{[":
            depth += 1
        elif mark in "}]":
            depth -= 1
        elif depth == 1 and mark == '"id"':
            rest = text[token.end() :].lstrip()
            if rest.startswith(":"):
                try:
                    value, _ = json.JSONDecoder().raw_decode(rest[1:].lstrip())
                except ValueError:
                    return None
                return value if isinstance(value, int | str) and not isinstance(value, bool) else None
    return None


def unreadable_answer(exc: Exception) -> JSONRPCError | None:
    """The JSON-RPC error for a line the SDK could not read as a message; None when none is owed (a
    notification or a response, which are never answered)."""
    if not isinstance(exc, ValidationError):
        return None
    errors = exc.errors()
    raw = errors[0].get("input") if errors else None
    if errors and errors[0]["type"] == "json_invalid":
        message = (
            "Parse error: not a JSON message, or nested too deeply to read "
            f"(arguments may nest at most {MAX_DEPTH} levels). Nothing was done."
        )
        ident = request_id(raw) if isinstance(raw, str) else None
        return JSONRPCError(jsonrpc="2.0", id=ident, error=ErrorData(code=PARSE_ERROR, message=message))
    top = next((e["input"] for e in errors if len(e["loc"]) == 2 and isinstance(e["input"], dict)), None)
    if top is None or "method" not in top or not isinstance(top.get("id"), int | str):
        return None
    message = "Invalid request: not a JSON-RPC request this server can read. Nothing was done."
    return JSONRPCError(jsonrpc="2.0", id=top["id"], error=ErrorData(code=INVALID_REQUEST, message=message))


class Answering:
    """The stdio read stream, minus the lines it could not read, each answered on `write` instead."""

    def __init__(self, inner: Any, write: Any) -> None:
        self._inner, self._write = inner, write

    @property
    def last_context(self) -> Any:  # the sender's context, which the dispatcher restores for each message
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> Any:
        while True:
            item = await self._inner.receive()
            if not isinstance(item, Exception):
                return item
            answer = unreadable_answer(item)
            if answer is not None:
                await self._write.send(SessionMessage(answer))

    def __aiter__(self) -> Answering:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> Answering:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
