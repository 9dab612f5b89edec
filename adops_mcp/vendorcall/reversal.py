"""How a write is taken back (`adops_undo`): what it changes, before -> after, and the calls that put it back.

A vendor package declares one `Reversal` per operation that has an inverse (`Vendor.reversals`), or a
sentence saying why it has none. `changes` reads the current value of everything a call sets (the
"before", read just before the write is sent, and kept in its audit record) beside the value the call
leaves (the "after"; equal to "before" for what it leaves alone), whether or not it differs now: reading
it again later tells whether the record still describes the world.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from .operation import Call


@dataclass(frozen=True)
class Change:
    """One value a write changes: `what` names it (e.g. "status", "budget", "status of creative M-1")."""

    what: str
    before: Any
    after: Any

    def public(self) -> dict[str, Any]:
        return {"what": self.what, "before": self.before, "after": self.after}


# (the write's recorded arguments, its recorded changes) -> the calls that put the before values back,
# as (tool, arguments), in order; or a sentence saying why this write cannot be taken back.
Inverse = Callable[[dict[str, Any], list[Change]], "list[tuple[str, dict[str, Any]]] | str"]


@dataclass(frozen=True)
class Reversal:
    changes: Callable[[Call], Awaitable[list[Change]]]
    inverse: Inverse


def matches(current: Any, recorded: Any) -> bool:
    """Whether a value read now is still what a write left: numbers by value, an object when every key the
    write set still holds (the vendor may report more keys than were sent)."""
    if isinstance(recorded, dict):
        return isinstance(current, dict) and all(matches(current.get(k), v) for k, v in recorded.items())
    numbers = (int, float)
    if isinstance(recorded, numbers) and isinstance(current, numbers) and not isinstance(recorded, bool):
        return not isinstance(current, bool) and float(current) == float(recorded)
    return bool(current == recorded)


def field_changes(record: dict[str, Any], params: Any, fields: dict[str, str]) -> list[Change]:
    """before -> after of the `fields` (argument -> the vendor record's key) the call sets."""
    return [
        Change(argument, record.get(key), _json(getattr(params, argument)))
        for argument, key in fields.items()
        if getattr(params, argument, None) is not None
    ]


def restore(tool: str, ids: tuple[str, ...], restorable: Collection[str]) -> Inverse:
    """The inverse of an update: the same tool with the same ids and every changed argument's before value
    (a change of an argument not `restorable` refuses)."""

    def inverse(arguments: dict[str, Any], changes: list[Change]) -> list[tuple[str, dict[str, Any]]] | str:
        unknown = [c.what for c in changes if c.what not in restorable]
        if unknown:
            return f"it also changed {', '.join(unknown)}, which undo cannot put back"
        missing = [c.what for c in changes if c.before is None]
        if missing:
            return f"the vendor did not report the value of {', '.join(missing)} before the change"
        if not changes:
            return "its record holds no before values to restore"
        back = {k: arguments[k] for k in ids if arguments.get(k) is not None}
        return [(tool, back | {c.what: c.before for c in changes})]

    return inverse


def _json(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(mode="json", exclude_none=True)
    return getattr(value, "value", value) if not isinstance(value, str | int | float | bool) else value
