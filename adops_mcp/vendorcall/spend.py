"""The spend model: what a write does to the money that can be spent.

A params field that carries spend is marked `Spend(kind)` in its annotation (a budget or caps object, a bid,
a cost, a slot count, placements with budgets and bids inside). Every amount in such a field, at any depth,
becomes a `SpendChange` (old -> new) that `server/policy.check_spend` judges against the operator's caps;
a vendor whose spend is priced (Delta impressions at an eCPM, Joveo slots x cost) adds the priced amount.
An operation whose params carry a marked field is destructive (the Operation record refuses otherwise).

How a value is read:
- a JSON number is an amount; NaN, Infinity and negatives are refused (they mean nothing as money);
- text that looks like a number in any notation ("1,000", "1e6", "999999d", "0x1.e847p19", "$5", fullwidth digits,
  "Infinity") is refused: the vendor may read it as a number the caps never saw; other text is a label;
- null, or an amount the current state has and the new object leaves out, removes that cap: unlimited;
- the key says what an amount is: bids and costs (cpc, cpa, ecpm, bid, cost, price) are per-unit prices,
  counts (applies, clicks, impressions, slots) are volumes, budget and spend are money. A neutral key
  (`value`, `amount`, `monthly`, `total`) takes the kind of its object: a bid when a sibling names a bid
  (`{"bidType": "CPC", "value": 999}`), else the kind of the field that holds it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

Kind = Literal["budget", "bid", "volume"]
UNLIMITED = math.inf  # a cap removed


@dataclass(frozen=True)
class Spend:
    """Marks a params field that carries spend; `kind` is what a neutral amount inside it is."""

    kind: Kind = "budget"


@dataclass(frozen=True)
class SpendChange:
    """One amount a call sets, for the operator's caps (ADOPS_MAX_BUDGET, ADOPS_MAX_BUDGET_INCREASE[_PER_DAY],
    ADOPS_MAX_BID).

    `new` is UNLIMITED when a cap is removed. `old` is None when there was nothing before (a create, or no
    such cap: unlimited for a budget), unless `old_known` is False: a current value may exist but could not
    be read. `problem` says why the value cannot be judged at all: such a call is always refused.
    """

    what: str  # e.g. "budget of activity 123"
    new: float | None
    old: float | None = None
    kind: Kind = "budget"
    old_known: bool = True
    problem: str | None = None


BID_WORDS = ("bid", "cpc", "cpa", "cph", "cpm", "cost", "price")
VOLUME_WORDS = ("appl", "click", "impression", "hire", "slot", "count", "lead", "conversion", "view")
BUDGET_WORDS = ("budget", "spend", "money")  # periods and limits (monthly, total, cap) keep the kind they inherit

_NUMBERISH = re.compile(
    r"""^[\s(+\-\u2212]*[^\w\s]?\s*                      # sign, parenthesis, a currency sign
    (?:0x[0-9a-f]*\.?[0-9a-f]*(?:p[+-]?\d+)?         # hex (float) notation
      |\d[\d,_'\u2019\s.]*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?
      |inf(?:inity)?|nan)
    \s*[a-z%]*\s*\)?$""",
    re.IGNORECASE | re.VERBOSE,
)


def key_kind(key: str, inherited: Kind) -> Kind:
    """What an amount under `key` is (see the module doc); a neutral key keeps the kind it inherits."""
    low = key.lower()
    if any(w in low for w in BID_WORDS):
        return "bid"
    if any(w in low for w in VOLUME_WORDS):
        return "volume"
    if any(w in low for w in BUDGET_WORDS):
        return "budget"
    return inherited


def numberish(text: str) -> bool:
    """Whether text reads as a number in some notation (so a vendor may take it for one)."""
    return bool(_NUMBERISH.match(unicodedata.normalize("NFKC", text).strip()))


def amount(value: Any) -> float | str | None:
    """A JSON value as an amount (float), a reason it cannot be judged (str), or None when it is no amount."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return f"{value} is not a finite number"
        if number < 0:
            return f"{value:g} is negative, which means nothing as money or a count"
        return number
    if isinstance(value, str) and numberish(value):
        return f"{value!r} is text, not a JSON number (send it as a plain number such as 1000)"
    return None


def _label(item: Any) -> Any:
    """What identifies a list item across old and new (a placement, a publisher), else None."""
    if isinstance(item, dict):
        for key in ("placement", "placementId", "publisher", "publisherId", "id", "name"):
            if isinstance(item.get(key), str | int) and not isinstance(item.get(key), bool):
                return (key, item[key])
    return None


def changes(what: str, new: Any, old: Any, *, kind: Kind = "budget", creating: bool = False) -> list[SpendChange]:
    """Every amount in `new` (a number or a vendor object at any depth) against the same place in `old`.

    `old` None means the current value could not be read, unless `creating` (there is nothing before)."""
    found: list[SpendChange] = []
    _walk(found, what, new, old, kind, known=creating or old is not None)
    return found


def _walk(found: list[SpendChange], what: str, new: Any, old: Any, kind: Kind, known: bool) -> None:
    if new is None:  # null: the cap is removed (unlimited), if there was one
        _removed(found, what, old, kind)
    elif isinstance(new, dict):
        if any(w in str(k).lower().replace("_", "") for k in new for w in ("bidtype", "bidstrategy")):
            kind = "bid"  # {"bidType": "CPC", "value": 999}: its neutral amounts are bids
        current = old if isinstance(old, dict) else {}
        for key, value in new.items():
            _walk(found, f"{what} {key}", value, current.get(key), key_kind(str(key), kind), known)
        # The vendor replaces the object: an amount it has now and the new one leaves out is removed.
        for key in current.keys() - new.keys():
            _removed(found, f"{what} {key}", current[key], key_kind(str(key), kind))
        if not new and not known:  # emptied while the current one could not be read: maybe every cap removed
            found.append(SpendChange(what, UNLIMITED, None, kind, old_known=False))
    elif isinstance(new, list):
        items = old if isinstance(old, list) else []
        labelled = {_label(o): o for o in items if _label(o) is not None}
        for i, item in enumerate(new):
            label = _label(item)
            previous = labelled.get(label) if label is not None else (items[i] if i < len(items) else None)
            _walk(found, f"{what} [{label[1] if label else i}]", item, previous, kind, known)
    else:
        value = amount(new)
        if isinstance(value, str):
            found.append(SpendChange(what, None, None, kind, problem=value))
        elif value is not None:
            before = amount(old)
            previous = before if isinstance(before, float) else None
            # Nothing there before (read in full, or a create): a rise from nothing. Unread: unknown.
            old_known = previous is not None or (known and old is None)
            found.append(SpendChange(what, value, previous, kind, old_known=old_known))


def _removed(found: list[SpendChange], what: str, old: Any, kind: Kind) -> None:
    """Every amount in `old` is removed: its cap is gone."""
    if isinstance(old, dict):
        for key, value in old.items():
            _removed(found, f"{what} {key}", value, key_kind(str(key), kind))
    elif isinstance(old, list):
        for i, item in enumerate(old):
            _removed(found, f"{what} [{i}]", item, kind)
    elif isinstance(before := amount(old), float):
        found.append(SpendChange(what, UNLIMITED, before, kind))


def spend_fields(params: type[BaseModel]) -> dict[str, Spend]:
    """The params fields that carry spend (marked `Spend`), by name."""
    return {name: m for name, info in params.model_fields.items() for m in info.metadata if isinstance(m, Spend)}


def field_changes(
    params: BaseModel, current: Any, *, thing: str, creating: bool = False, priced: tuple[str, ...] = ()
) -> list[SpendChange]:
    """Every amount in the params' spend fields against `current`, the record as the vendor reads it (wire
    names), or None when it could not be read. `priced` fields are judged by the vendor's own pricing instead."""
    found: list[SpendChange] = []
    record = current if isinstance(current, dict) and current else None
    for name, mark in spend_fields(type(params)).items():
        value = getattr(params, name)
        if value is None or name in priced:
            continue
        wire = type(params).model_fields[name].serialization_alias or name
        new = params.model_dump(include={name})[name]  # python values: NaN stays NaN (JSON mode makes it null)
        old = record.get(wire) if record is not None else None
        found += changes(f"{wire} of {thing}", new, old, kind=mark.kind, creating=creating or record is not None)
    return found
